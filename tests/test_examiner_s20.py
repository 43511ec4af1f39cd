"""The judgement calls an outside examiner left open (twentieth session), settled from
domain.md and format.md: each case here passed, or was accepted, before its fix; the cases
that pin a verdict found right say why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hdsguard.policies.anytoany import analyse, from_internet
from tests.helpers import check_declaration, only_finding

ANY = ["any", "all", "*", "0.0.0.0/0", "::/0"]
PORTS = ["any", "1-65535", "0-65535"]
INTERNET = ["internet", "wan", "outside", "untrust", "external"]


check = check_declaration
finding = only_finding


# ------------------------------------------------------------------ FW-004, the Internet


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ([{"from": "internet", "to": "any", "port": "any", "action": "allow"}], [0]),
        ([{"from": "Internet", "to": "any", "action": "allow"}], [0]),
        ([{"from": "outside", "to": "0.0.0.0/0", "port": "1-65535", "action": "allow"}], [0]),
        # The Internet is a source only: outbound browsing is not this rule's business.
        ([{"from": "lan", "to": "internet", "port": "any", "action": "allow"}], []),
        ([{"from": "internet", "to": "internet", "action": "allow"}], []),
        ([{"from": "internet", "to": "any", "port": 443, "action": "allow"}], []),
        ([{"from": "internet", "to": "any", "action": "deny"}], []),
        # Any-to-any is the other checks' to report, not this one's again.
        ([{"from": "any", "to": "any", "action": "allow"}], []),
        (
            [
                {"from": "wan", "to": "any", "port": "1-1023", "action": "allow"},
                {"from": "any", "to": "any", "port": "1024-65535", "action": "allow"},
            ],
            [0, 1],
        ),
    ],
)
def test_from_internet(rules: list[dict[str, Any]], expected: list[int]) -> None:
    assert from_internet(rules, INTERNET, ANY, PORTS) == expected


_SIDE = st.sampled_from(["any", "internet", " WAN", "lan", "0.0.0.0/1", "128.0.0.0/1", "dmz", ""])
_RULE = st.fixed_dictionaries(
    {"action": st.sampled_from(["allow", "allow", "deny"]), "from": _SIDE, "to": _SIDE},
    optional={"port": st.sampled_from(["any", 443, "1-32767", "32768-65535"])},
)


@settings(max_examples=150, deadline=None)
@given(rules=st.lists(_RULE, max_size=6))
def test_from_internet_given_the_any_to_any_answers_answers_the_same(
    rules: list[dict[str, Any]],
) -> None:
    """FW-004 hands from_internet the any-to-any answers it already has (one reading of the
    rules fewer): the answer is the one it computes itself."""
    plain = analyse(rules, ANY, PORTS)
    assert from_internet(rules, INTERNET, ANY, PORTS, plain) == from_internet(
        rules, INTERNET, ANY, PORTS
    )
    if not any(
        "internet" in str(r["from"]).lower() or "wan" in str(r["from"]).lower() for r in rules
    ):
        assert from_internet(rules, INTERNET, ANY, PORTS) == []


FW = """
firewalls:
  - id: fw-edge
    internet_facing: true
    rules:
{rules}
"""


@pytest.mark.parametrize(
    ("rule", "status"),
    [
        ("{from: internet, to: any, port: any, action: allow}", "fail"),
        ("{from: untrust, to: any, action: allow}", "fail"),
        ('{from: internet, to: any, port: "1-65535", action: allow}', "fail"),
        ("{from: lan, to: internet, port: any, action: allow}", "pass"),
        ("{from: any, to: any, port: 443, action: allow}", "pass"),
        ("{from: any, to: any, action: allow}", "fail"),  # no port: any port
        ('{from: any, to: any, port: "1-65535", action: allow}', "fail"),
    ],
)
def test_fw004_internet_source(tmp_path: Path, rule: str, status: str) -> None:
    result = check(tmp_path, FW.format(rules=f"      - {rule}"))
    assert finding(result, "FW-004", "firewalls/fw-edge")["status"] == status


# ------------------------------------------------------------------ hosted_by loops

PROVIDER = """
  - id: {id}
    name: {id}
    services: [iaas]
    hosted_by: {host}"""


def providers(*links: tuple[str, str]) -> str:
    return "providers:" + "".join(PROVIDER.format(id=i, host=h) for i, h in links) + "\n"


def test_a_hosted_by_loop_is_a_located_error(tmp_path: Path) -> None:
    result = check(tmp_path, providers(("pb", "pa"), ("pa", "pb")))
    assert result.exit_code == 2, result.stdout
    assert result.stderr.count("forms a loop") == 1, result.stderr
    # Paths are relative to the current directory: the file's name ends each.
    assert (
        "decl.yaml:9:16: providers/pa: `hosted_by` forms a loop that names no real host: "
        "pa hosted by pb ("
    ) in result.stderr
    assert "decl.yaml:9:16), pb hosted by pa (" in result.stderr
    assert "decl.yaml:5:16); a chain of hosts ends" in result.stderr


def test_a_loop_is_named_once_from_the_provider_that_leads_into_it(tmp_path: Path) -> None:
    result = check(tmp_path, providers(("pa", "pb"), ("pb", "pc"), ("pc", "pd"), ("pd", "pb")))
    assert result.exit_code == 2
    assert result.stderr.count("forms a loop") == 1, result.stderr
    assert "pb hosted by pc" in result.stderr and "pa hosted by" not in result.stderr


def test_a_provider_hosted_by_itself_is_an_error_in_french_too(tmp_path: Path) -> None:
    result = check(tmp_path, providers(("pa", "pa")), "--lang", "fr")
    assert result.exit_code == 2
    assert "providers/pa : `hosted_by` désigne pa lui-même" in result.stderr


def test_a_chain_that_ends_is_accepted(tmp_path: Path) -> None:
    text = providers(("pa", "pb"), ("pb", "pc")) + "  - {id: pc, name: pc, services: [iaas]}\n"
    result = check(tmp_path, text)
    assert result.exit_code in (0, 1), result.stderr


# ------------------------------------------------------------------ HDS-008, the page's URL

HOST = """
providers:
  - id: p1
    name: Host
    storage_countries: [FR]
    remote_access_countries: [FR]
    third_country_laws: []
    hds: {{certificate: HDS-1, certifier: LNE, valid_until: 2028-12-31, transparency_url: "{url}"}}
systems:
  - {{id: gam, name: GAM, health_data: true, hosted_by: p1}}
"""


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("https://host.example/transparence", "pass"),
        # EXI 31 asks the host to publish the page, not over which protocol: plain http is
        # still a page (the decision pinned).
        ("http://host.example/transparence", "pass"),
        ("HTTPS://HOST.EXAMPLE/T", "pass"),  # the scheme in capitals is the same URL
        ("", "fail"),
        (" ", "fail"),
        ("TBD", "fail"),
        ("N/A", "fail"),
        ("ftp://host.example/t", "fail"),
        ("mailto:dpo@host.example", "fail"),
        ("www.host.example/t", "fail"),
        ("https://", "fail"),
        ("https://TBD", "fail"),
        ("https://localhost/t", "fail"),
    ],
)
def test_hds008_transparency_url(tmp_path: Path, url: str, status: str) -> None:
    result = check(tmp_path, HOST.format(url=url))
    assert finding(result, "HDS-008", "providers/p1")["status"] == status


# ------------------------------------------------------------------ HDS certificate span

CERT = """
{section}:
  - id: h1
    name: Holder
    {extra}
    hds: {{certificate: HDS-1, certifier: LNE, activities: [1, 2, 3, 4, 5, 6],
           valid_from: {start}, valid_until: {end}}}
"""


@pytest.mark.parametrize("section", ["providers", "vendors"])
@pytest.mark.parametrize(
    ("start", "end", "refused"),
    [
        ("2025-01-01", "2027-12-31", False),  # three years, the last day inclusive
        # The anniversary written as the end, as certificates print it: the one day of
        # tolerance an inclusive end allows (the decision pinned, twentieth session).
        ("2025-01-01", "2028-01-01", False),
        ("2025-01-01", "2028-01-02", True),  # three years and two days
        ("2025-01-01", "2028-02-01", True),  # three years and a month
        ("2024-06-01", "2029-06-01", True),  # five years
    ],
)
def test_an_hds_certificate_longer_than_three_years_is_refused(
    tmp_path: Path, section: str, start: str, end: str, refused: bool
) -> None:
    extra = "stores_health_data: true" if section == "vendors" else "services: [iaas]"
    result = check(tmp_path, CERT.format(section=section, extra=extra, start=start, end=end))
    if not refused:
        assert result.exit_code in (0, 1), result.stderr
        return
    assert result.exit_code == 2, result.stdout
    assert "decl.yaml:6:" in result.stderr  # at the value of valid_until
    assert (
        f"{section}/h1.hds.valid_until: `valid_from` {start} to `valid_until` {end} is longer "
        "than 3 years, which is implausible"
    ) in result.stderr


# ------------------------------------------------------------------ VND-002 and HDS-002 agree

VENDOR = """
providers:
  - id: iaas
    name: CloudSanté
    services: [iaas]
    hds: {{certificate: HDS-I, certifier: LNE, activities: [1, 2, 3], valid_until: 2028-01-01}}
vendors:
  - id: v1
    name: Transcripto
    stores_health_data: true
    {host}
    hds: {{certificate: HDS-V, certifier: LNE, activities: {activities}, valid_until: 2028-06-01}}
"""


@pytest.mark.parametrize(
    ("host", "activities", "status"),
    [
        ("", "[5]", "fail"),  # activity 5 alone, on no certified host
        ("hosted_by: iaas", "[5]", "fail"),  # 4 and 6 left to nobody
        ("hosted_by: iaas", "[4, 5, 6]", "pass"),
        ("", "[1, 2, 3, 4, 5, 6]", "pass"),
    ],
)
def test_vnd002_and_hds002_read_the_same_need(
    tmp_path: Path, host: str, activities: str, status: str
) -> None:
    result = check(tmp_path, VENDOR.format(host=host, activities=activities))
    for rule in ("VND-002", "HDS-002"):
        assert finding(result, rule, "vendors/v1")["status"] == status, rule
