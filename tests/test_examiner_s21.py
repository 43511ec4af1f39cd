"""The judgement calls an outside examiner left open (twenty-first session), settled from
domain.md and format.md: each case here passed, or was refused, before its fix; the cases
that pin a verdict found right say why."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import check_declaration, only_finding

check = check_declaration
finding = only_finding


# ------------------------------------------------------------------ EXP-001, port vs protocol

SERVICE = """
services:
  - {{id: s1, protocol: {protocol}, exposure: {exposure}, port: {port}{extra}}}
"""
TLS = ', tls: {min_version: "1.2"}'


@pytest.mark.parametrize(
    ("protocol", "port", "extra", "status"),
    [
        ("sftp", 21, "", "fail"),  # passed: the declared protocol was trusted over the port
        ("ssh", 23, "", "fail"),
        ("https", 80, TLS, "fail"),  # a redirect speaks http: declared (and waived) as http
        ("https", 110, TLS, "fail"),
        ("ssh", 143, "", "fail"),
        ("openvpn", 161, TLS, "fail"),
        ("dicom", 80, TLS, "fail"),  # a tls block does not make port 80 DICOM's
        ("smtp", 110, ", authentication: none", "fail"),
        ("ftps", 110, TLS, "fail"),  # FTPS upgrades FTP's port, not POP3's
        # Pinned: explicit FTPS (AUTH TLS, RFC 4217) runs on FTP's own port.
        ("ftps", 21, TLS, "pass"),
        ("sftp", 22, "", "pass"),
        ("https", 443, TLS, "pass"),
        ("ssh", 2222, "", "pass"),
    ],
)
def test_exp001_a_secure_protocol_on_a_cleartext_port(
    tmp_path: Path, protocol: str, port: int, extra: str, status: str
) -> None:
    text = SERVICE.format(protocol=protocol, exposure="internet", port=port, extra=extra)
    assert finding(check(tmp_path, text), "EXP-001", "services/s1")["status"] == status


def test_exp001_the_port_message_names_the_port_its_protocol_and_the_fix(
    tmp_path: Path,
) -> None:
    text = SERVICE.format(protocol="sftp", exposure="partner", port=21, extra="")
    found = finding(check(tmp_path, text), "EXP-001", "services/s1")
    assert found["status"] == "fail"
    assert found["message"].startswith(
        "sftp is declared on port 21, the well-known port of ftp, a cleartext protocol, and "
        "the service is exposed to partners outside a VPN: a secure protocol declared on a "
        "cleartext protocol's port is implausible evidence"
    ), found["message"]
    assert "nmap -sV -p 21" in found["remediation"]
    assert "remove 21 from this rule's `cleartext_ports`" in found["remediation"]
    assert found["line"] == 2


def test_exp001_in_french(tmp_path: Path) -> None:
    text = SERVICE.format(protocol="ssh", exposure="internet", port=23, extra="")
    found = finding(check(tmp_path, text, "--lang", "fr"), "EXP-001", "services/s1")
    assert found["message"].startswith(
        "ssh est déclaré sur le port 23, le port connu de telnet, un protocole en clair"
    ), found["message"]


def test_exp001_a_port_the_organisation_trusts_is_left_out(tmp_path: Path) -> None:
    (tmp_path / "cfg.yaml").write_text("params:\n  EXP-001:\n    cleartext_ports: [21]\n")
    text = SERVICE.format(protocol="ssh", exposure="internet", port=23, extra="")
    result = check(tmp_path, text, "--config", str(tmp_path / "cfg.yaml"))
    assert finding(result, "EXP-001", "services/s1")["status"] == "pass"
    text = SERVICE.format(protocol="sftp", exposure="internet", port=21, extra="")
    result = check(tmp_path, text, "--config", str(tmp_path / "cfg.yaml"))
    assert finding(result, "EXP-001", "services/s1")["status"] == "fail"


# ------------------------------------------------------------------ PAT-003, the `cve` id

VULN = """
firewalls:
  - id: fw1
    internet_facing: false
    vulnerabilities:
      - {{{cve}cvss: 6.5, published: {published}, kev: false}}
"""
KEV = Path(__file__).parent / "fixtures" / "evidence" / "kev.json"


@pytest.mark.parametrize(
    ("cve", "status"),
    [
        # Passed: a `kev: false` that no catalogue or scan could check, on no id at all.
        ("TBD", "fail"),
        ('""', "fail"),
        ("N/A", "fail"),
        ("unknown", "fail"),
        ("CVE-XXXX", "fail"),
        ("CVE-2024-xxxx", "fail"),
        ("cve-24-3400", "fail"),
        # Real ids, in any case, and ids of flaws that have no CVE.
        ("CVE-2024-3400", "pass"),
        ("cve-2024-3400", "pass"),
        ("CVE-2021-44228", "pass"),
        ("GHSA-jfh8-c2jp-5v3q", "pass"),
        ("FG-IR-24-015", "pass"),
        (None, "pass"),  # no `cve`: optional, read as before
    ],
)
def test_pat003_kev_false_needs_a_vulnerability_id(
    tmp_path: Path, cve: str | None, status: str
) -> None:
    text = VULN.format(cve="" if cve is None else f"cve: {cve}, ", published="2026-09-01")
    result = check(tmp_path, text)
    assert result.exit_code in (0, 1), result.stderr  # never refused: a verdict
    assert finding(result, "PAT-003", "firewalls/fw1")["status"] == status


def test_pat003_a_placeholder_id_within_the_kev_deadline_is_not_late_yet(tmp_path: Path) -> None:
    # Published 10 days before: CISA cannot have listed it 14 days ago, whatever its id.
    text = VULN.format(cve="cve: TBD, ", published="2026-11-18")
    assert finding(check(tmp_path, text), "PAT-003", "firewalls/fw1")["status"] == "pass"


def test_pat003_in_french(tmp_path: Path) -> None:
    text = VULN.format(cve="cve: CVE-XXXX, ", published="2026-09-01")
    found = finding(check(tmp_path, text, "--lang", "fr"), "PAT-003", "firewalls/fw1")
    assert "`cve: CVE-XXXX` a la forme d'un identifiant CVE sans en être un" in found["message"]


@pytest.mark.parametrize("cve", ["' cve-2024-21762'", "2024-21762"])
def test_pat003_the_kev_catalogue_reads_a_cve_in_any_case(tmp_path: Path, cve: str) -> None:
    """A lower-case id, or one without its prefix, missed the catalogue's CVE-2024-21762
    (added 2024-02-09): `kev: false` stood and PAT-003 passed."""
    text = VULN.format(cve=f"cve: {cve}, ", published="2024-02-08")
    result = check(tmp_path, text, "--evidence", str(KEV))
    found = finding(result, "PAT-003", "firewalls/fw1")
    assert found["status"] == "fail", found
    assert "added to the CISA KEV catalogue 2024-02-09" in found["message"]


# ------------------------------------------------------------------ FW-004, "*" as a port


FW_RULE = """
firewalls:
  - id: fw1
    rules: [{{from: any, to: any, port: "{port}", action: allow}}]
"""


def _fw004_any_port_values() -> list[str]:
    import yaml

    from hdsguard.policies.load import builtin_policy_dir

    policy = yaml.safe_load((builtin_policy_dir() / "FW-004.yaml").read_text(encoding="utf-8"))
    return [str(v) for v in policy["params"]["any_port_values"]["default"]]


def test_fw004_every_spelling_of_any_port_is_a_port_the_declarations_accept(
    tmp_path: Path,
) -> None:
    """Each default of `any_port_values` (and its upper case) is accepted by the schema and
    read as every port: "*" was listed there and refused (exit 2) by the schema."""
    spellings = _fw004_any_port_values()
    assert "*" in spellings
    for i, port in enumerate(spellings + [s.upper() for s in spellings]):
        result = check(tmp_path / str(i), FW_RULE.format(port=port))
        assert result.exit_code == 1, (port, result.stderr)
        assert finding(result, "FW-004", "firewalls/fw1")["status"] == "fail", port


@pytest.mark.parametrize("port", ["anything", "every", "**", "0-70000", "tbd"])
def test_fw004_a_port_that_is_no_spelling_is_still_refused(tmp_path: Path, port: str) -> None:
    result = check(tmp_path, FW_RULE.format(port=port))
    assert result.exit_code == 2, result.stdout
    assert "decl.yaml:3:" in result.stderr and "is not a port" in result.stderr


# ------------------------------------------------------------------ FW-004, Internet to a zone

FW_EDGE = """
firewalls:
  - id: fw-edge
    {facing}
    rules:
{rules}
"""


@pytest.mark.parametrize(
    ("facing", "rules", "status"),
    [
        # Passed: a named destination was enough, on every port.
        ("", ["{from: internet, to: dmz, port: any, action: allow}"], "fail"),
        ("", ["{from: Untrust, to: 203.0.113.10, action: allow}"], "fail"),
        ("", ['{from: outside, to: dmz, port: "*", action: allow}'], "fail"),
        (
            "",
            [
                "{from: internet, to: dmz, port: 1-1023, action: allow}",
                "{from: internet, to: dmz, port: 1024-65535, action: allow}",
            ],
            "fail",
        ),
        ("internet_facing: true", ["{from: any, to: dmz, action: allow}"], "fail"),
        # Pinned: "any" is the Internet only on the firewall that faces it (an internal
        # firewall's any-to-host rule is segmentation, not exposure).
        ("internet_facing: false", ["{from: any, to: backup-srv, action: allow}"], "pass"),
        ("", ["{from: internet, to: dmz, port: 443, action: allow}"], "pass"),
        (
            "",
            [
                "{from: internet, to: dmz, port: 1-1023, action: allow}",
                "{from: internet, to: lan, port: 1024-65535, action: allow}",
            ],
            "pass",
        ),
        ("", ["{from: internet, to: dmz, port: any, action: deny}"], "pass"),
        ("", ["{from: lan, to: internet, port: any, action: allow}"], "pass"),
    ],
)
def test_fw004_the_internet_to_a_named_destination_on_every_port(
    tmp_path: Path, facing: str, rules: list[str], status: str
) -> None:
    body = "\n".join(f"      - {r}" for r in rules)
    result = check(tmp_path, FW_EDGE.format(facing=facing, rules=body))
    assert finding(result, "FW-004", "firewalls/fw-edge")["status"] == status


def test_fw004_the_internet_to_a_zone_is_located_and_said_in_french(tmp_path: Path) -> None:
    rules = (
        "      - {from: lan, to: internet, action: allow}\n"
        "      - {from: wan, to: dmz, action: allow}"
    )
    found = finding(
        check(tmp_path, FW_EDGE.format(facing="", rules=rules), "--lang", "fr"),
        "FW-004",
        "firewalls/fw-edge",
    )
    assert found["line"] == 6, found
    assert found["message"].startswith(
        "1 des 2 règles déclarées autorise Internet à atteindre une destination nommée sur tout "
        "port : {from: wan, to: dmz, port: any, action: allow}"
    ), found["message"]


def test_fw004_a_rule_the_internet_to_any_check_names_is_not_named_again(tmp_path: Path) -> None:
    rules = (
        "      - {from: internet, to: 0.0.0.0/1, action: allow}\n"
        "      - {from: internet, to: 128.0.0.0/1, action: allow}"
    )
    found = finding(
        check(tmp_path, FW_EDGE.format(facing="", rules=rules)), "FW-004", "firewalls/fw-edge"
    )
    assert found["status"] == "fail"
    assert "the Internet to reach any destination on any port" in found["message"]
    assert "a named destination" not in found["message"], found["message"]


def test_an_early_renewed_hds_certificate_is_refused_with_the_way_to_declare_it(
    tmp_path: Path,
) -> None:
    """domain.md §3: a duration the referential bounds (an HDS certificate: 3 years) cannot
    exceed it. A certificate renewed on 2026-09-15 that keeps its predecessor's expiry
    (2026-12-31) and reads 2026-09-15 to 2029-12-31 stays refused (the twenty-first session
    reverted a six-month tolerance); the error says how to declare its three-year cycle."""
    text = (
        "providers:\n  - {id: h, name: H, services: [iaas], hds: {certificate: C, certifier: "
        "LNE, activities: [1, 2, 3], valid_from: 2026-09-15, valid_until: 2029-12-31}}\n"
    )
    result = check(tmp_path, text)
    assert result.exit_code == 2, result.stdout
    assert "is longer than 3 years" in result.stderr
    assert "its three-year cycle begins the day after the old expiry" in result.stderr
    cycle = text.replace("2026-09-15", "2027-01-01")
    assert check(tmp_path, cycle).exit_code in (0, 1)
