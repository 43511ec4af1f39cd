"""FW-004: allow rules that together allow any source to any destination on every port, the
ports split in ranges, the addresses in networks, or both (hdsguard.policies.anytoany)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hdsguard.policies.anytoany import any_to_any, any_to_any_alone, covers_any_port, port_intervals
from hdsguard.policies.celenv import CelRuntime, evaluate
from tests.helpers import AS_OF, run_cli, write

RUNTIME = CelRuntime()

ANY = ["any", "all", "*", "0.0.0.0/0", "::/0"]
ANY_PORT = ["any", "all", "*", "1-65535", "0-65535"]


def allow(src: str, dst: str, port: object = None) -> dict[str, Any]:
    rule: dict[str, Any] = {"from": src, "to": dst, "action": "allow"}
    if port is not None:
        rule["port"] = port
    return rule


@pytest.mark.parametrize(
    ("ports", "whole"),
    [
        (["1-32767", "32768-65535"], True),
        (["0-65535"], True),  # port 0 is no destination port: this is every port
        (["1-65535"], True),
        (["ANY"], True),
        ([None], True),  # an absent port is any port
        (["1-1000", 1001, "1002-65535"], True),  # a single port fills the gap
        (["1-442", "444-65535"], False),  # 443 left out
        (["2-65535"], False),
        (["1-32767", "32769-65535"], False),
        (["65535-1"], True),  # written backwards, still every port (refused as input too)
        ([], False),
    ],
)
def test_covers_any_port(ports: list[object], whole: bool) -> None:
    assert covers_any_port(ports, ANY_PORT) is whole


def test_a_range_written_backwards_names_the_same_ports() -> None:
    # `65535-1` read as empty allowed nothing, and an any-to-any rule passed (found by HB).
    assert port_intervals("65535-1", ANY_PORT) == ((1, 65535),)
    assert covers_any_port(["65535-1"], ANY_PORT)
    assert port_intervals("8080-8000", ANY_PORT) == ((8000, 8080),)


@pytest.mark.parametrize("port", ["４４３", "٤٤٣", "０-６５５３５", "٠-٦٥٥٣٥", "1-６５５３５"])
def test_digits_of_another_script_are_no_port(port: str) -> None:
    # int() reads them (found by HB); the declarations refuse them, located: a port counted
    # here is one they accept.
    assert port_intervals(port, ANY_PORT) == ()
    assert not covers_any_port([port], ANY_PORT)


def test_port_intervals_clip_to_the_valid_ports() -> None:
    assert port_intervals("0-80", ANY_PORT) == ((1, 80),)
    assert port_intervals(443, ANY_PORT) == ((443, 443),)
    assert port_intervals("https", ANY_PORT) == ()


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        # Ports in two ranges.
        ([allow("any", "any", "1-32767"), allow("any", "any", "32768-65535")],
         ([0, 1], ["ports"])),
        # Sources in two halves (as before), a deny and a narrow rule aside.
        ([allow("0.0.0.0/1", "any"), {"from": "any", "to": "any", "action": "deny"},
          allow("128.0.0.0/1", "any"), allow("any", "any", 53)],
         ([0, 2], ["sources"])),
        # Destinations in two IPv6 halves.
        ([allow("any", "::/1"), allow("all", "8000::/1")], ([0, 1], ["destinations"])),
        # Sources and ports at once.
        ([allow("0.0.0.0/1", "any"), allow("128.0.0.0/1", "any", "1-1023"),
          allow("128.0.0.0/1", "any", "1024-65535")],
         ([0, 1, 2], ["sources", "ports"])),
        # Sources, destinations and ports at once.
        ([allow("0.0.0.0/1", "any"), allow("128.0.0.0/1", "0.0.0.0/1"),
          allow("128.0.0.0/1", "128.0.0.0/1", "1-100"),
          allow("128.0.0.0/1", "128.0.0.0/1", "101-65535")],
         ([0, 1, 2, 3], ["sources", "destinations", "ports"])),
        # A rule the others already cover is not listed.
        ([allow("any", "any", "1-40000"), allow("any", "any", "80"),
          allow("any", "any", "30000-65535")],
         ([0, 2], ["ports"])),
        # One rule any-to-any alone is the single-rule check's, not this one's.
        ([allow("any", "any"), allow("any", "any", "1-10")], ([], [])),
        # A gap anywhere: one port, one corner of the address space, a zone.
        ([allow("any", "any", "1-442"), allow("any", "any", "444-65535")], ([], [])),
        ([allow("0.0.0.0/1", "any"), allow("128.0.0.0/1", "0.0.0.0/1"),
          allow("128.0.0.0/1", "128.0.0.0/2")], ([], [])),
        ([allow("0.0.0.0/1", "any"), allow("128.0.0.0/1", "dmz")], ([], [])),
        # Half of IPv4 and half of IPv6 are neither space.
        ([allow("0.0.0.0/1", "any"), allow("::/1", "any")], ([], [])),
        # Deny rules allow nothing.
        ([allow("any", "any", "1-32767"),
          {"from": "any", "to": "any", "port": "32768-65535", "action": "deny"}], ([], [])),
    ],
)  # fmt: skip
def test_any_to_any(rules: list[dict[str, Any]], expected: tuple[list[int], list[str]]) -> None:
    got = any_to_any(rules, ANY, ANY_PORT)
    assert (got["rules"], got["covering"]) == expected


FIREWALL = """
    firewalls:
      - id: fw-edge
        rules:
          - {from: any, to: any, port: 1-32767, action: allow}
          - {from: any, to: any, port: 32768-65535, action: allow}
          - {from: any, to: any, port: any, action: deny}
"""


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "2 allow rules together allow any source to any destination on any port, their "
               "ports covering every port (1-65535): {from: any, to: any, port: 1-32767, action: "
               "allow}; {from: any, to: any, port: 32768-65535, action: allow}; everything that "
               "an earlier rule does not block passes unfiltered"),
        ("fr", "2 règles d'autorisation autorisent ensemble toute source vers toute destination "
               "sur tout port, leurs ports couvrant tous les ports (1-65535) : {from: any, to: "
               "any, port: 1-32767, action: allow} ; {from: any, to: any, port: 32768-65535, "
               "action: allow} ; tout ce qu'une règle précédente ne bloque pas passe sans "
               "filtrage"),
    ],
)  # fmt: skip
def test_fw_004_fails_two_port_ranges_from_any_to_any(
    tmp_path: Path, lang: str, message: str
) -> None:
    """FW-004 passed two rules from any to any on ports 1-32767 and 32768-65535: it compared
    each `port` with the spellings of "any port" only."""
    decl = write(tmp_path / "decl", {"fw.yaml": FIREWALL})
    result = run_cli(["check", str(decl), "--as-of", AS_OF, "--format", "json", "--no-config",
                      "--lang", lang])  # fmt: skip
    assert result.exit_code == 1, result.stderr
    (finding,) = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "FW-004"]
    # Located at the first of the rules (line 4 of the file written).
    assert (finding["status"], finding["message"], finding["line"]) == ("fail", message, 4)


# The single-rule check as it was written before any_to_any_alone: a CEL filter calling a
# helper for each side of each rule. Both must name the same rules.
_PER_RULE = (
    'self.rules.filter(r, r.?action.orValue("") == "allow"'
    ' && covers_any_address([r.?from.orValue("")], self.any)'
    ' && covers_any_address([r.?to.orValue("")], self.any)'
    ' && covers_any_port([r.?port.orValue("any")], self.ports)).map(r, r)'
)
_ADDRESS = st.sampled_from(
    ["any", " ANY ", "0.0.0.0/0", "0.0.0.0/1, 128.0.0.0/1", "::/0", "10.0.0.0/8", "dmz", "", "*"]
)
_RULE = st.fixed_dictionaries(
    {"action": st.sampled_from(["allow", "deny"]), "from": _ADDRESS, "to": _ADDRESS},
    optional={"port": st.sampled_from(["any", "1-65535", "443", "1-32767", "0-65535", 22])},
)


@settings(max_examples=200, deadline=None)
@given(rules=st.lists(_RULE, max_size=5))
def test_any_to_any_alone_names_the_rules_the_per_rule_filter_named(
    rules: list[dict[str, Any]],
) -> None:
    any_values = ["any", "all", "*", "0.0.0.0/0", "::/0"]
    ports = ["any", "all", "*", "1-65535", "0-65535"]
    activation = RUNTIME.activation(
        {"self": {"rules": rules, "any": any_values, "ports": ports}, "now": AS_OF}
    )
    filtered, error = evaluate(RUNTIME.compile(_PER_RULE), activation)
    assert error is None
    alone = any_to_any_alone(rules, any_values, ports)
    assert [rules[i] for i in alone] == filtered
