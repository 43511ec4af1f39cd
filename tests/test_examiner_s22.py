"""The judgement calls an outside examiner left open (twenty-second session), settled from
domain.md and format.md: each case here passed, or was refused, before its fix; the cases
that pin a verdict found right say why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import AS_OF, check_declaration, only_finding, run_cli

check = check_declaration
finding = only_finding


# ------------------------------------------------------------------ FW-004, any to a zone

FIREWALL = """
firewalls:
  - id: fw1
    {facing}
    rules:
{rules}
"""


def _rules(*rules: str) -> str:
    return "\n".join(f"      - {r}" for r in rules)


@pytest.mark.parametrize("source", ["any", "0.0.0.0/0", '"::/0"', '"*"', "all", "ANY"])
@pytest.mark.parametrize(
    ("facing", "status"),
    [
        # Passed: `internet_facing` is optional, and its absence read as "internal". Whether
        # "any" includes the Internet is then unknown: missing evidence, a warning (the
        # field being optional, never a failure: the lead's standing decision).
        ("", "warn"),
        # Pinned: "any" is the Internet on the firewall that faces it (twenty-first session)...
        ("internet_facing: true", "fail"),
        # ...and on one declared internal, any source to one destination is segmentation,
        # not any-to-any: the pass is earned by the declared `false`.
        ("internet_facing: false", "pass"),
    ],
)
def test_fw004_any_source_to_a_named_zone_on_every_port(
    tmp_path: Path, source: str, facing: str, status: str
) -> None:
    rules = _rules(f"{{from: {source}, to: dmz, port: any, action: allow}}")
    result = check(tmp_path, FIREWALL.format(facing=facing, rules=rules))
    assert finding(result, "FW-004", "firewalls/fw1")["status"] == status


@pytest.mark.parametrize(
    "rules",
    [
        # A named port is a flow, on any firewall.
        ["{from: any, to: dmz, port: 443, action: allow}"],
        ["{from: any, to: dmz, port: 1-1023, action: allow}"],
        ["{from: any, to: dmz, port: any, action: deny}"],
        ["{from: lan, to: dmz, port: any, action: allow}"],
    ],
)
def test_fw004_named_ports_or_named_sources_pass_without_internet_facing(
    tmp_path: Path, rules: list[str]
) -> None:
    result = check(tmp_path, FIREWALL.format(facing="", rules=_rules(*rules)))
    assert finding(result, "FW-004", "firewalls/fw1")["status"] == "pass"


def test_fw004_the_warning_is_located_says_what_to_declare_and_is_french(
    tmp_path: Path,
) -> None:
    rules = _rules(
        "{from: lan, to: dmz, port: 443, action: allow}",
        "{from: any, to: dmz, port: 1-32767, action: allow}",
        "{from: any, to: dmz, port: 32768-65535, action: allow}",
    )
    text = FIREWALL.format(facing="", rules=rules)
    found = finding(check(tmp_path, text), "FW-004", "firewalls/fw1")
    assert found["status"] == "warn"
    assert found["line"] == 6, found
    assert found["message"].startswith(
        "2 of the 3 declared rules allow any source to reach a named destination on every "
        "port: {from: any, to: dmz, port: 1-32767, action: allow}; {from: any, to: dmz, port: "
        "32768-65535, action: allow}; the firewall does not declare `internet_facing`"
    ), found["message"]
    assert "declare `internet_facing: false`" in found["message"]
    french = finding(check(tmp_path, text, "--lang", "fr"), "FW-004", "firewalls/fw1")
    assert french["message"].startswith(
        "2 des 3 règles déclarées autorisent toute source à atteindre une destination nommée "
        "sur tout port : "
    ), french["message"]
    assert "le pare-feu ne déclare pas `internet_facing`" in french["message"]


def test_fw004_a_failure_from_the_internet_is_not_softened_by_the_warning(
    tmp_path: Path,
) -> None:
    rules = _rules(
        "{from: internet, to: dmz, action: allow}",
        "{from: any, to: lan, action: allow}",
    )
    found = finding(
        check(tmp_path, FIREWALL.format(facing="", rules=rules)), "FW-004", "firewalls/fw1"
    )
    assert found["status"] == "fail"
    assert found["line"] == 5, found
    assert "the Internet to reach a named destination" in found["message"]


@pytest.mark.parametrize(
    ("facing", "status"),
    [("internet_facing: true", "fail"), ("", "warn"), ("internet_facing: false", "pass")],
)
def test_fw004_networks_making_up_every_address_to_a_zone_are_any_source(
    tmp_path: Path, facing: str, status: str
) -> None:
    """`0.0.0.0/1` and `128.0.0.0/1` to the DMZ on every port passed on a firewall facing
    the Internet, where one rule from `0.0.0.0/0` failed."""
    rules = _rules(
        "{from: 0.0.0.0/1, to: dmz, action: allow}",
        "{from: 128.0.0.0/1, to: DMZ, port: any, action: allow}",
        "{from: lan, to: dmz, port: 443, action: allow}",
    )
    found = finding(
        check(tmp_path, FIREWALL.format(facing=facing, rules=rules)), "FW-004", "firewalls/fw1"
    )
    assert found["status"] == status, found["message"]
    if status != "pass":
        assert "2 of the 3 declared rules allow" in found["message"], found["message"]
        assert "{from: lan" not in found["message"]


@pytest.mark.parametrize("side", ['{from: "*", to: dmz', '{from: lan, to: " * "'])
def test_fw004_a_star_is_any_not_a_placeholder(tmp_path: Path, side: str) -> None:
    """A "*" (any_values' own spelling, and the one firewall exports print) failed as a side
    that "does not state" an address: is_placeholder() strips the stars of `*TBD*`."""
    rules = _rules(side + ", port: 443, action: allow}")
    found = finding(
        check(tmp_path, FIREWALL.format(facing="internet_facing: true", rules=rules)),
        "FW-004",
        "firewalls/fw1",
    )
    assert found["status"] == "pass", found["message"]


# ------------------------------------------------------------------ EVD-009, CVE ids' case

KEV = Path(__file__).parent / "fixtures" / "evidence" / "kev.json"
FORTIGATE = """
firewalls:
  - id: fw1
    vendor: Fortinet
    firmware: {{product: FortiOS}}
    last_patch: 2024-01-02
    vulnerabilities:
{vulnerabilities}
"""
VULNERABILITY = "      - {{cve: {cve}, cvss: 9.8, published: {day}, kev: true, kev_added: {day}}}"


def _evd009(tmp_path: Path, *cves: tuple[str, str]) -> dict[str, object]:
    lines = [VULNERABILITY.format(cve=cve, day=day) for cve, day in cves]
    text = FORTIGATE.format(vulnerabilities="\n".join(lines))
    return finding(check(tmp_path, text, "--evidence", str(KEV)), "EVD-009", "firewalls/fw1")


@pytest.mark.parametrize(
    "spellings",
    [
        ("cve-2024-21762", "cve-2026-24858"),  # was: both listed as undeclared
        ("2024-21762", '" CVE-2026-24858 "'),
        ("CVE-2024-21762", "CVE-2026-24858"),  # pinned: the catalogue's own spelling
    ],
)
def test_evd009_a_declared_cve_matches_the_catalogue_whatever_its_case(
    tmp_path: Path, spellings: tuple[str, str]
) -> None:
    found = _evd009(tmp_path, (spellings[0], "2024-02-09"), (spellings[1], "2026-07-28"))
    assert found["status"] == "pass", found["message"]


def test_evd009_a_lower_case_id_declares_its_own_entry_only(tmp_path: Path) -> None:
    """The other direction: normalising both sides must not let one declared id stand for
    another; the catalogue's CVE-2024-21762 is still listed beside a declared
    cve-2026-24858."""
    found = _evd009(tmp_path, ("cve-2026-24858", "2026-07-28"))
    assert found["status"] == "fail"
    assert "CVE-2024-21762 (Fortinet FortiOS, added 2024-02-09)" in str(found["message"])
    assert "CVE-2026-24858" not in str(found["message"])


# ------------------------------------------------------------------ EXP-001, where it points

SERVICES = """
services:
  - id: s1
    protocol: {protocol}
    exposure: internet
    port: {port}
"""


@pytest.mark.parametrize(
    ("protocol", "port", "line"),
    [
        # Pointed at `protocol` (line 3), a value that reads right: the port contradicts it.
        ("sftp", 21, 5),
        ("ssh", 23, 5),
        # Pinned: a cleartext protocol is what is wrong, whatever its port.
        ("ftp", 21, 3),
        ("telnet", 2323, 3),
    ],
)
def test_exp001_is_located_at_the_field_that_contradicts(
    tmp_path: Path, protocol: str, port: int, line: int
) -> None:
    text = SERVICES.format(protocol=protocol, port=port)
    found = finding(check(tmp_path, text), "EXP-001", "services/s1")
    assert found["status"] == "fail"
    assert (found["line"], found["column"]) == (line, 5), found
    decl = ["check", str(tmp_path / "decl.yaml"), "--as-of", AS_OF]
    sarif = run_cli([*decl, "--format", "sarif"])
    (result,) = [r for r in json.loads(sarif.stdout)["runs"][0]["results"]
                 if r["ruleId"] == "EXP-001"]  # fmt: skip
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (line, 5)
    text_report = run_cli([*decl, "--format", "text"])
    assert f"decl.yaml:{line}:5  services/s1" in text_report.stdout, text_report.stdout


# ------------------------------------------------------------------ HDS-002, what it says

HOSTED = """
providers:
  - id: p1
    name: Archiva
    {services}
    hds: {{certificate: HDS-2025-0007, certifier: LNE, activities: {activities}, referential: v2,
          valid_from: 2025-12-31, valid_until: 2028-12-30}}
systems:
  - {{id: gam, name: GAM, health_data: true, hosted_by: p1}}
"""


@pytest.mark.parametrize("services", ["", "services: []"])
def test_hds002_a_provider_without_services_is_not_said_to_list_only_backup(
    tmp_path: Path, services: str
) -> None:
    """It was told both that `services` is not declared (or empty) and that its `services`
    "lists only backup": untrue of the input."""
    text = HOSTED.format(services=services, activities="[1, 2, 3]")
    found = finding(check(tmp_path, text), "HDS-002", "providers/p1")
    assert found["status"] == "fail"
    assert "lists only backup" not in found["message"], found["message"]
    assert "`services`" in found["message"]


def test_hds002_no_activity_is_said_so(tmp_path: Path) -> None:
    text = HOSTED.format(services="services: [iaas]", activities="[]")
    found = finding(check(tmp_path, text), "HDS-002", "providers/p1")
    assert found["message"].startswith(
        "HDS certificate HDS-2025-0007 of Archiva covers no activity, but what it does requires "
        "activities 1, 2, 3"
    ), found["message"]
    french = finding(check(tmp_path, text, "--lang", "fr"), "HDS-002", "providers/p1")
    assert "détenu par Archiva ne couvre aucune activité, mais" in french["message"]


# ------------------------------------------------------------------ TLS-001, TLS-004: what they say


@pytest.mark.parametrize("protocol", ["mysql", "ldap", "dicom", "rdp"])
def test_tls_rules_do_not_say_a_protocol_cannot_run_over_tls(tmp_path: Path, protocol: str) -> None:
    """Saying "mysql does not run over TLS by definition" read as mysql being unable to: it is
    only not one of the protocols defined over TLS (https, ftps…), and no `tls` block says
    it does here."""
    text = f"services:\n  - {{id: s1, protocol: {protocol}, exposure: partner, via: vpn}}\n"
    for rule in ("TLS-001", "TLS-004"):
        found = finding(check(tmp_path, text), rule, "services/s1")
        assert found["status"] == "not_applicable"
        assert found["message"] == (
            f"{protocol} is not a protocol defined over TLS (as https is), and the service "
            "declares no `tls` block"
        ), found["message"]
