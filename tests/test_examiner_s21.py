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
        "the service is exposed to partners over the Internet: a secure protocol declared on a "
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
