"""FW-004 on large rule sets (issue 17): the helpers given `target` read the firewall's own
rules in Python, once per firewall, and answer as the list form does; the coverage test
sweeps its cuts; the fast IPv4 reading agrees with ipaddress; a rule set of hundreds of
allow rules made whole by two halves names the halves."""

from __future__ import annotations

import datetime
import ipaddress
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hdsguard.policies import anytoany
from hdsguard.policies.addresses import network
from hdsguard.policies.celenv import CelRuntime, evaluate
from tests.helpers import AS_OF, run_cli, write

RUNTIME = CelRuntime()
ANY = ["any", "all", "*", "0.0.0.0/0", "::/0"]
PORTS = ["any", "all", "*", "1-65535", "0-65535"]

_ADDRESS = st.sampled_from(
    ["any", " ANY ", "0.0.0.0/0", "0.0.0.0/1", "128.0.0.0/1", "0.0.0.0/1, 128.0.0.0/1",
     "::/1", "8000::/1", "10.0.0.0/8", "10.1.2.0/24", "dmz", "", "*", "64.0.0.0/2"]
)  # fmt: skip
_RULE = st.fixed_dictionaries(
    {"action": st.sampled_from(["allow", "allow", "deny"]), "from": _ADDRESS, "to": _ADDRESS},
    optional={"port": st.sampled_from(["any", "1-65535", 443, "1-32767", "32768-65535", 22])},
)
_BOTH = "[any_to_any_alone({rules}, params.a, params.p), any_to_any({rules}, params.a, params.p)]"


def _answers(rules: list[dict[str, Any]], argument: str) -> Any:
    obj = {"id": "fw-1", "rules": rules}
    RUNTIME.context.bind(datetime.date(2026, 11, 28), {"firewalls": [obj]})
    RUNTIME.context.evaluating("firewalls/fw-1", obj)
    activation = RUNTIME.activation(
        {"self": obj, "params": {"a": ANY, "p": PORTS}, "target": "firewalls/fw-1", "now": AS_OF}
    )
    value, error = evaluate(RUNTIME.compile(_BOTH.format(rules=argument)), activation)
    assert error is None
    return value


@settings(max_examples=150, deadline=None)
@given(rules=st.lists(_RULE, max_size=8))
def test_given_target_the_helpers_answer_as_given_the_rules(rules: list[dict[str, Any]]) -> None:
    assert _answers(rules, "target") == _answers(rules, "self.rules")


def test_given_another_target_the_helpers_refuse() -> None:
    """A helper given a name reads the rules of the target under evaluation only: another
    firewall's would make FW-004 read another object while counted local."""
    obj = {"id": "fw-1", "rules": [{"from": "any", "to": "any", "action": "allow"}]}
    RUNTIME.context.bind(datetime.date(2026, 11, 28), {"firewalls": [obj]})
    RUNTIME.context.evaluating("firewalls/fw-1", obj)
    activation = RUNTIME.activation({"self": obj, "params": {"a": ANY, "p": PORTS}})
    expr = RUNTIME.compile('any_to_any_alone("firewalls/fw-2", params.a, params.p)')
    value, error = evaluate(expr, activation)
    assert value is None and error is not None and "firewalls/fw-2" in error


# The coverage test as it was: the boxes holding each cut found anew (quadratic).
def _covers_boxes_by_scan(boxes: Sequence[Any], whole: Sequence[tuple[int, int]]) -> bool:
    if len(whole) == 1:
        return anytoany._covers([i for box in boxes for i in box[0]], whole[0])
    low, high = whole[0]
    cuts = sorted(
        {low}
        | {a for box in boxes for a, _ in box[0] if low < a <= high}
        | {b + 1 for box in boxes for _, b in box[0] if low <= b < high}
    )
    for cut in cuts:
        holding = [box[1:] for box in boxes if any(a <= cut <= b for a, b in box[0])]
        if not holding or not _covers_boxes_by_scan(holding, whole[1:]):
            return False
    return True


_SPAN = st.tuples(st.integers(0, 9), st.integers(0, 9)).map(sorted).map(tuple)
_BOX = st.tuples(*[st.lists(_SPAN, max_size=2).map(tuple)] * 3)


@settings(max_examples=400, deadline=None)
@given(boxes=st.lists(_BOX, max_size=7), low=st.integers(0, 3), high=st.integers(5, 9))
def test_the_sweep_decides_as_the_scan(boxes: list[Any], low: int, high: int) -> None:
    whole = ((low, high), (0, 9), (2, 7))
    assert anytoany._covers_boxes(boxes, whole) is _covers_boxes_by_scan(boxes, whole)


def _by_ipaddress(token: str) -> tuple[int, tuple[int, int]] | None:
    net = network(token)
    if net is None:
        return None
    version = 4 if isinstance(net, ipaddress.IPv4Network) else 6
    return version, (int(net.network_address), int(net.broadcast_address))


_PIECE = st.sampled_from(["0", "1", "10", "255", "256", "010", "00", "999", "", "1000", "a"])
_TOKEN = st.builds(
    lambda parts, prefix: ".".join(parts) + prefix,
    st.lists(_PIECE, min_size=3, max_size=5),
    st.sampled_from(["", "/0", "/1", "/24", "/32", "/33", "/024", "/00", "/", "/255.0.0.0"]),
)


@settings(max_examples=500, deadline=None)
@given(
    token=_TOKEN | st.ip_addresses(v=4).map(str) | st.text(alphabet="0123456789./:", max_size=12)
)
def test_the_quick_ipv4_reading_agrees_with_ipaddress(token: str) -> None:
    anytoany._network_interval.cache_clear()
    assert anytoany._network_interval(token) == _by_ipaddress(token)


def _many_rules(halves: bool) -> str:
    lines = ["firewalls:", "  - id: fw-big", "    rules:"]
    for i in range(300):  # allow rules between networks: boxes beside the halves
        src, dst = f"10.{i // 250}.{i % 250}.0/24", f"172.16.{i % 250}.0/24"
        lines.append(f"      - {{from: {src}, to: {dst}, port: 443, action: allow}}")
    if halves:
        lines.append("      - {from: 0.0.0.0/1, to: any, action: allow}")
        lines.append("      - {from: 128.0.0.0/1, to: any, action: allow}")
    lines.append("      - {from: any, to: any, port: any, action: deny}")
    return "\n".join(lines) + "\n"


def test_two_halves_among_hundreds_of_rules_are_named_alone(tmp_path: Path) -> None:
    """Above 64 contributing rules, every allow rule between networks was named (a firewall
    of 5,000 rules: 700 of them, a 48 KB message, its sources, destinations and ports said
    to be in pieces): the two halves make the whole by themselves."""
    decl = write(tmp_path / "decl", {"fw.yaml": _many_rules(halves=True)})
    result = run_cli(["check", str(decl), "--as-of", AS_OF, "--format", "json", "--no-config"])
    assert result.exit_code == 1, result.stderr
    (finding,) = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "FW-004"]
    assert finding["message"] == (
        "2 allow rules together allow any source to any destination on any port, their "
        "sources covering every address: {from: 0.0.0.0/1, to: any, port: any, action: "
        "allow}; {from: 128.0.0.0/1, to: any, port: any, action: allow}; everything that an "
        "earlier rule does not block passes unfiltered"
    )


def test_hundreds_of_narrow_rules_pass(tmp_path: Path) -> None:
    decl = write(tmp_path / "decl", {"fw.yaml": _many_rules(halves=False)})
    result = run_cli(["check", str(decl), "--as-of", AS_OF, "--format", "json", "--no-config"])
    (finding,) = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "FW-004"]
    assert finding["status"] == "pass"


@pytest.mark.parametrize("port_spellings", [["all"], ["*"]])
def test_an_absent_port_is_any_port_whatever_the_spellings(
    tmp_path: Path, port_spellings: list[str]
) -> None:
    """The single-rule check read an absent `port` as the word "any": an organisation whose
    `any_port_values` leave that word out passed `{from: any, to: any, action: allow}` (the
    several-rules check leaves a rule that is any-to-any alone to this one)."""
    decl = write(
        tmp_path / "decl",
        {"fw.yaml": "firewalls:\n  - id: fw-1\n    rules:\n"
                    "      - {from: any, to: any, action: allow}\n"},
    )  # fmt: skip
    config = tmp_path / "cfg.yaml"
    config.write_text(f"params:\n  FW-004:\n    any_port_values: {json.dumps(port_spellings)}\n")
    args = ["check", str(decl), "--as-of", AS_OF, "--format", "json", "--config", str(config)]
    result = run_cli(args)
    (finding,) = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "FW-004"]
    assert finding["status"] == "fail", finding["message"]


# The condition of FW-004's first check, whose failing rules rules_not_stated names.
_STATED = (
    'states_address(r.?from.orValue("")) && states_address(r.?to.orValue(""))'
    " && r.?action.hasValue()"
)
_SIDE = st.sampled_from(
    [
        *["lan", "", " ", "\t", "\x1c", "\u3000", "\xa0 x", "\u200b", "any", "TBD", "?"],
        *[" n/a ", "*", " * ", "\x1c*", "\u3000*", "**", "*TBD*"],
    ]
)
_LOOSE_RULE = st.fixed_dictionaries(
    {}, optional={"from": _SIDE, "to": _SIDE, "action": st.sampled_from(["allow", "deny"])}
)


@settings(max_examples=200, deadline=None)
@given(rules=st.lists(_LOOSE_RULE, max_size=6))
def test_the_rules_not_stated_are_those_the_condition_fails_on(
    rules: list[dict[str, Any]],
) -> None:
    obj = {"id": "fw-1", "rules": rules}
    RUNTIME.context.bind(datetime.date(2026, 11, 28), {"firewalls": [obj]})
    RUNTIME.context.evaluating("firewalls/fw-1", obj)
    activation = RUNTIME.activation({"self": obj, "target": "firewalls/fw-1"})
    by_cel, error = evaluate(RUNTIME.compile(f"self.rules.map(r, !({_STATED}))"), activation)
    assert error is None
    for argument in ("target", "self.rules"):
        named, error = evaluate(RUNTIME.compile(f"rules_not_stated({argument})"), activation)
        assert error is None
        assert named == [i for i, bad in enumerate(by_cel) if bad]


def test_thousands_of_rules_without_action_are_counted_not_all_named(tmp_path: Path) -> None:
    """Naming each of 3,000 rules through CEL's filter() and map() (which copy their list at
    each item) took 376 MB; ten are named, the others counted."""
    lines = ["firewalls:", "  - id: fw-1", "    rules:"]
    lines += [f"      - {{from: lan, to: srv-{i}, port: 443}}" for i in range(3000)]
    decl = write(tmp_path / "decl", {"fw.yaml": "\n".join(lines) + "\n"})
    result = run_cli(["check", str(decl), "--as-of", AS_OF, "--format", "json", "--no-config"])
    (finding,) = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "FW-004"]
    assert finding["message"].startswith("3000 of the 3000 declared rules do not state")
    assert finding["message"].count("{from: lan") == 10
    assert (
        "{from: lan, to: srv-9, port: 443, action: not declared} and 2990 more;"
        in (finding["message"])
    )
