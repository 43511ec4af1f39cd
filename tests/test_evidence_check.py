"""`hdsguard check --evidence`: findings located in the evidence and in the declarations,
in every output format; bad evidence is exit 2; the JSON report lists the evidence read."""

from __future__ import annotations

import datetime
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.evidence_support import certificate, pem, sha1_signed
from tests.helpers import AS_OF, REPO, run_cli, use_cache, write
from tests.test_fmt_sarif import schema as sarif_schema

LAB = "examples/lab-group"
EVIDENCE = f"{LAB}/evidence"
FIXTURES = REPO / "tests" / "fixtures" / "evidence"
D = datetime.date


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def check(*args: str) -> tuple[int, dict[str, Any], str]:
    result = run_cli(["check", *args, "--as-of", AS_OF, "--format", "json", "--no-config"])
    report = json.loads(result.stdout) if result.exit_code in (0, 1) else {}
    return result.exit_code, report, result.stderr


def by_rule(report: dict[str, Any], prefix: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {(f["rule"], f["target"]): f for f in report["findings"] if f["rule"].startswith(prefix)}


def test_the_lab_scan_reveals_the_undeclared_ftp() -> None:
    code, report, _ = check(LAB, "--evidence", EVIDENCE)
    assert code == 1
    evd = by_rule(report, "EVD-")
    failing = {key: f for key, f in evd.items() if f["status"] not in ("pass", "not_applicable")}
    key = ("EVD-001", "evidence_ports/resultats.biolab-rhone.example:21/tcp@external")
    assert list(failing) == [key]
    ftp = failing[key]
    assert (ftp["file"], ftp["line"], ftp["column"]) == (f"{EVIDENCE}/scan-external.xml", 17, 1)
    assert ftp["related"] == [{"file": f"{LAB}/services.yaml", "line": 12, "column": 5}]
    assert ftp["message"] == (
        "port 21/tcp is open on resultats.biolab-rhone.example (ftp vsftpd 3.0.3), seen from the "
        "external scan of 2026-11-20; no declared service has this host and port"
    )
    # The declared FTP, the portal and the VPN were seen where declared; the internal
    # services are in no external scan, so nothing is concluded about their reachability
    # (a pass there would rest on a scan of other hosts); the IIS version is the declared one.
    assert (
        evd[("EVD-001", "evidence_ports/ftp.biolab-rhone.example:21/tcp@external")]["status"]
        == "pass"
    )
    billing = evd[("EVD-002", "services/billing-web")]
    assert (billing["status"], billing["message"]) == (
        "not_applicable",
        "no external scan covered facturation.biolab.lan:443 (the host is in no external "
        "scan): its reachability from the Internet is not known",
    )
    assert evd[("EVD-003", "services/billing-web")]["message"] == (
        "the scan identified Microsoft IIS httpd 8.5, as declared"
    )
    assert evd[("EVD-004", f"evidence_scans/{EVIDENCE}/scan-external.xml")]["status"] == "pass"
    assert {evd[("EVD-005", f"services/{s}")]["status"] for s in ("lims-web", "staff-vpn")} == {
        "pass"
    }


def test_the_report_lists_each_evidence_file_with_its_hash_and_timestamp() -> None:
    _, report, _ = check(LAB, "--evidence", EVIDENCE)
    external = REPO / EVIDENCE / "scan-external.xml"
    assert report["evidence"][0] == {
        "path": f"{EVIDENCE}/scan-external.xml",
        "kind": "nmap",
        "sha256": hashlib.sha256(external.read_bytes()).hexdigest(),
        "timestamp": "2026-11-20T07:12:05Z",
        # the sidecar that declares its vantage point, an input of the verdicts too
        "sidecar": {
            "path": f"{EVIDENCE}/scan-external.xml.evidence",
            "sha256": hashlib.sha256(
                (REPO / EVIDENCE / "scan-external.xml.evidence").read_bytes()
            ).hexdigest(),
        },
    }
    assert [e["path"] for e in report["evidence"]] == [
        f"{EVIDENCE}/scan-external.xml",
        f"{EVIDENCE}/scan-internal.xml",
    ]
    _, plain, _ = check(LAB)
    assert "evidence" not in plain  # no evidence, no key: the report is as before


def test_every_format_shows_both_locations() -> None:
    evidence_at, declared_at = f"{EVIDENCE}/scan-external.xml", f"{LAB}/services.yaml:12:5"
    for fmt in ("text", "junit", "markdown", "github"):
        result = run_cli(["check", LAB, "--evidence", EVIDENCE, "--as-of", AS_OF, "--format", fmt])
        assert result.exit_code == 1
        out = result.stdout
        assert evidence_at in out and declared_at in out, fmt
    result = run_cli(["check", LAB, "--evidence", EVIDENCE, "--as-of", AS_OF, "--format", "sarif"])
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)  # relatedLocations included
    results = log["runs"][0]["results"]
    (ftp,) = [r for r in results if r["ruleId"] == "EVD-001" and r["level"] == "error"]
    assert ftp["locations"][0]["physicalLocation"]["region"] == {"startLine": 17, "startColumn": 1}
    related = ftp["relatedLocations"][0]["physicalLocation"]
    assert related["artifactLocation"]["uri"] == f"{LAB}/services.yaml"
    assert related["region"] == {"startLine": 12, "startColumn": 5}


def test_reports_with_evidence_are_deterministic(monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["check", LAB, "--evidence", EVIDENCE, "--as-of", AS_OF, "--format", "json"]
    first, second = run_cli(args).stdout, run_cli(args).stdout
    use_cache(monkeypatch, None)
    assert first == second == run_cli(args).stdout


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("truncated.xml", "truncated.xml:7:94: malformed XML"),
        ("billion-laughs.xml", "billion-laughs.xml:3:"),
        ("external-entity.xml", "external-entity.xml:3:"),
        ("interrupted.xml", "interrupted.xml:10: the scan did not finish"),
        ("kev-other-schema.json", "kev-other-schema.json:1: not the CISA KEV catalogue schema"),
        ("kev-cut.json", "kev-cut.json:1: not the CISA KEV catalogue schema"),
    ],
)
def test_bad_evidence_is_exit_2_and_nothing_is_evaluated(
    name: str, expected: str, tmp_path: Path
) -> None:
    shutil.copy(FIXTURES / name, tmp_path / name)
    (tmp_path / f"{name}.evidence").write_text("vantage: external\n")
    result = run_cli(["check", LAB, "--evidence", str(tmp_path / name), "--as-of", AS_OF])
    assert result.exit_code == 2
    assert result.stdout == ""  # no report at all
    assert expected in result.stderr and "Traceback" not in result.stderr


def test_a_pem_with_garbage_is_exit_2(tmp_path: Path) -> None:
    good = pem(certificate("a.example", not_before=D(2026, 1, 1), not_after=D(2026, 12, 31)))
    (tmp_path / "a.pem").write_bytes(good + b"garbage\n")
    result = run_cli(["check", LAB, "--evidence", str(tmp_path), "--as-of", AS_OF])
    assert result.exit_code == 2
    line = good.count(b"\n") + 1
    assert f"a.pem:{line}:1: text outside a certificate block" in result.stderr


def test_the_config_declares_evidence_and_its_vantage_point(tmp_path: Path) -> None:
    shutil.copytree(REPO / LAB, tmp_path / "lab", ignore=shutil.ignore_patterns("*.evidence"))
    write(tmp_path, {".hdsguard.yaml": """
        declarations: [lab]
        evidence:
          - {path: lab/evidence/scan-external.xml, vantage: external}
          - {path: lab/evidence/scan-internal.xml, vantage: internal}
        """})  # fmt: skip
    result = run_cli(["check", "--config", str(tmp_path / ".hdsguard.yaml"), "--as-of", AS_OF,
                      "--format", "json"])  # fmt: skip
    assert result.exit_code == 1, result.stderr
    failing = {f["target"] for f in json.loads(result.stdout)["findings"]
               if f["rule"] == "EVD-001" and f["status"] == "fail"}  # fmt: skip
    assert failing == {"evidence_ports/resultats.biolab-rhone.example:21/tcp@external"}


CERTS = """
    certificates:
      - id: www
        subject: www.example
        not_before: 2026-09-01
        not_after: 2027-08-31
        issuer: R11
        signature_algorithm: sha256WithRSAEncryption
    services:
      - id: web
        host: 192.0.2.8
        port: 443
        protocol: https
        exposure: internet
        tls: {certificate: www}
"""


def test_certificates_presented_against_the_declared_ones(tmp_path: Path) -> None:
    decl = write(tmp_path / "decl", {"certs.yaml": CERTS})
    seen = tmp_path / "seen"
    seen.mkdir()
    # The server still presents last year's SHA-1 certificate, expired, with a wrong SAN.
    old = certificate(
        "old.example", not_before=D(2025, 9, 1), not_after=D(2026, 10, 31), issuer="R11",
        sans=("old.example",),
    )  # fmt: skip
    old = sha1_signed(old)
    (seen / "web.pem").write_bytes(pem(old))
    (seen / "web.pem.evidence").write_text("host: 192.0.2.8\n")
    # Another host serves a certificate nobody declared.
    stray = certificate("ftp.example", not_before=D(2026, 9, 1), not_after=D(2026, 12, 31))
    (seen / "ftp.pem").write_bytes(pem(stray))
    (seen / "ftp.pem.evidence").write_text("host: 192.0.2.9\n")
    code, report, err = check(str(decl), "--evidence", str(seen))
    assert code == 1, err
    evd = by_rule(report, "EVD-")
    differs = evd[("EVD-006", "certificates/www")]
    assert differs["status"] == "fail"
    assert (
        "declared signed with sha256WithRSAEncryption, but the certificate presented is "
        "signed with sha1WithRSAEncryption" in differs["message"]
    )
    assert "declared valid from 2026-09-01" in differs["message"]
    assert "declared for www.example, but the certificate presented (" in differs["message"]
    assert "web.pem) is for old.example (DNS names: old.example)" in differs["message"]
    earlier = evd[("EVD-007", "certificates/www")]
    assert earlier["message"].startswith(
        "declared valid until 2027-08-31, but the certificate presented expires earlier: "
    )
    assert earlier["message"].endswith(
        "web.pem (old.example), valid until 2026-10-31, already expired on 2026-11-28"
    )
    assert earlier["related"][0]["line"] == 1 and earlier["related"][0]["file"].endswith("web.pem")
    stray_finding = [
        f for (rule, _), f in evd.items() if rule == "EVD-008" and f["status"] == "fail"
    ]
    assert [f["message"] for f in stray_finding] == [
        "the certificate ftp.example (issuer Test CA, valid until 2026-12-31) presented by "
        "192.0.2.9 matches no declared certificate"
    ]


FIREWALL = """
    firewalls:
      - id: fw-edge-1
        vendor: Fortinet
        internet_facing: false
        last_patch: 2026-06-02
        vulnerabilities_reviewed: 2026-11-25
        vulnerabilities:
          - cve: CVE-2024-21762
            cvss: 9.6
            published: 2024-02-08
            kev: true
            kev_added: 2026-11-20
"""


def test_the_kev_catalogue_dates_and_lists_what_to_review(tmp_path: Path) -> None:
    decl = write(tmp_path / "decl", {"fw.yaml": FIREWALL})
    code, report, err = check(str(decl), "--evidence", str(FIXTURES / "kev.json"))
    assert code == 1, err
    rules = {f["rule"]: f for f in report["findings"] if f["target"] == "firewalls/fw-edge-1"}
    # The catalogue's dateAdded (2024-02-09) wins over the declared 2026-11-20.
    assert (
        "CVE-2024-21762, known exploited (added to the CISA KEV catalogue 2024-02-09, per "
        "tests/fixtures/evidence/kev.json:8)" in rules["PAT-003"]["message"]
    )
    # The firewall declares no firmware product: every entry of its vendor, FortiWeb's too.
    assert rules["EVD-009"]["message"] == (
        "review these CVEs: 2 CISA KEV entries for Fortinet added after the last patch of "
        "2026-06-02: CVE-2026-24858 (Fortinet Multiple Products, added 2026-07-28), "
        "CVE-2026-30001 (Fortinet FortiWeb, added 2026-08-14) (every entry of the vendor: "
        "declare `firmware.product` to list only the firmware's)"
    )
    assert {"file": "tests/fixtures/evidence/kev.json", "line": 21, "column": 1} in rules[
        "EVD-009"
    ]["related"]
    code, report, _ = check(str(decl))
    rules = {f["rule"]: f for f in report["findings"] if f["target"] == "firewalls/fw-edge-1"}
    assert rules["EVD-009"]["status"] == "not_applicable"
    # Without the catalogue, the declared date: listed 8 days ago, within the deadline.
    assert rules["PAT-003"]["status"] == "pass"
    assert "CVE-2024-21762 (added to KEV 2026-11-20, 8 days ago)" in rules["PAT-003"]["message"]


PROVIDERS = """
    providers:
      - id: ovh
        name: OVH SAS
        services: [iaas]
        hds:
          {certificate: HDS-2024-0001, activities: [1, 2], valid_from: 2024-03-01,
           valid_until: 2027-02-28}
      - id: agency
        name: Agence Web Lyon
        services: [saas]
        hds:
          {certificate: HDS-2025-0042, activities: [1, 5], valid_from: 2025-01-15,
           valid_until: 2028-01-14}
      - id: ghost
        name: Ghost Hosting
        services: [iaas]
        hds: {certificate: HDS-2099-0001}
"""


def test_declared_hds_certificates_against_the_ans_registry(tmp_path: Path) -> None:
    decl = write(tmp_path / "decl", {"providers.yaml": PROVIDERS})
    code, report, err = check(str(decl), "--evidence", str(FIXTURES / "hds-registry.csv"))
    assert code == 1, err
    got = {t: f for (r, t), f in by_rule(report, "EVD-010").items()}
    assert got["providers/ovh"]["status"] == "pass"
    # The pass says which snapshot backs it (at most EVD-010's max_registry_age_days old).
    assert got["providers/ovh"]["message"] == (
        "certificate HDS-2024-0001 is in the ANS registry snapshot of 2026-11-20, held by OVH "
        "SAS, as declared"
    )
    assert got["providers/ghost"]["message"] == (
        "certificate HDS-2099-0001 is not in the ANS registry snapshot of 2026-11-20"
    )
    agency = got["providers/agency"]
    assert (
        "held by Cloud Parent SA in the ANS registry, not by Agence Web Lyon" in agency["message"]
    )
    assert (
        "covers activities 1, 2 in the ANS registry, fewer than declared (1, 5)"
        in agency["message"]
    )
    assert agency["related"] == [
        {"file": "tests/fixtures/evidence/hds-registry.csv", "line": 4, "column": 1}
    ]


def test_a_stale_registry_snapshot_backs_no_evd_010_pass(tmp_path: Path) -> None:
    """EVD-010 passed "certificate HDS-2024-0001 is in the ANS registry snapshot of
    2026-11-20" on a snapshot of any age, though a snapshot cannot show a certificate the ANS
    withdrew or suspended since. Past `max_registry_age_days` (92, or the config's) it is not
    applicable, naming the snapshot; what it shows still fails, said stale."""
    decl = write(tmp_path / "decl", {"providers.yaml": PROVIDERS})
    registry = str(FIXTURES / "hds-registry.csv")  # read on 2026-11-20
    config = tmp_path / "hdsguard.yaml"
    config.write_text("params: {EVD-010: {max_registry_age_days: 30}}\n")
    for as_of, settings, status in (
        ("2027-02-20", ["--no-config"], "pass"),
        ("2027-02-21", ["--no-config"], "not_applicable"),
        ("2026-12-20", ["--config", str(config)], "pass"),
        ("2026-12-21", ["--config", str(config)], "not_applicable"),
    ):
        result = run_cli(["check", str(decl), "--evidence", registry, "--as-of", as_of,
                          "--format", "json", *settings])  # fmt: skip
        assert result.exit_code == 1, result.stderr
        got = {f["target"]: f for f in json.loads(result.stdout)["findings"]
               if f["rule"] == "EVD-010"}  # fmt: skip
        assert got["providers/ovh"]["status"] == status, (as_of, got["providers/ovh"])
        assert {got[t]["status"] for t in ("providers/agency", "providers/ghost")} == {"fail"}
    limit = "older than EVD-010's limit of 30 days"
    assert got["providers/ovh"]["message"] == (
        f"the ANS registry snapshot given was read on 2026-11-20, {limit}: a certificate the "
        "ANS withdrew, suspended or changed since is not shown in it, and a stale snapshot "
        "backs no pass; read the list again on esante.gouv.fr"
    )
    assert got["providers/ghost"]["message"] == (
        f"certificate HDS-2099-0001 is not in the ANS registry snapshot of 2026-11-20, {limit} "
        "(a stale snapshot: the certificate may have been listed since; read the list again "
        "on esante.gouv.fr)"
    )
    assert got["providers/agency"]["message"].endswith(
        f"fewer than declared (1, 5) (from the ANS registry snapshot of 2026-11-20, {limit})"
    )
    french = run_cli(["check", str(decl), "--evidence", registry, "--as-of", "2027-02-21",
                      "--format", "json", "--no-config", "--lang", "fr"])  # fmt: skip
    (ovh,) = [f for f in json.loads(french.stdout)["findings"]
              if (f["rule"], f["target"]) == ("EVD-010", "providers/ovh")]  # fmt: skip
    assert ovh["message"] == (
        "l'extrait de la liste ANS fourni a été lu le 20 novembre 2026, plus ancien que la "
        "limite de "
        "92 jours d'EVD-010 : un certificat que l'ANS a retiré, suspendu ou modifié depuis n'y "
        "apparaît pas, et un extrait périmé ne fonde aucune conformité ; relire la liste sur "
        "esante.gouv.fr"
    )


def test_a_certificate_issued_after_the_registry_snapshot_is_not_applicable(
    tmp_path: Path,
) -> None:
    """EVD-010 failed "certificate HDS-2026-0042 is not in the ANS registry snapshot of
    2026-11-20" for a certificate declared valid from 2026-11-25: a snapshot cannot list a
    certificate issued after it was read. Not applicable, naming both dates; one valid from
    the snapshot's day or before, and absent, still fails."""
    providers = """
    providers:
      - id: fresh
        name: Fresh Hosting
        services: [iaas]
        hds: {certificate: HDS-2026-0042, activities: [1], valid_from: 2026-11-25}
      - id: sameday
        name: Same Day Hosting
        services: [iaas]
        hds: {certificate: HDS-2026-0043, activities: [1], valid_from: 2026-11-20}
"""
    decl = write(tmp_path / "decl", {"providers.yaml": providers})
    registry = str(FIXTURES / "hds-registry.csv")  # read on 2026-11-20
    code, report, err = check(str(decl), "--evidence", registry)
    assert code == 1, err
    got = {t: f for (r, t), f in by_rule(report, "EVD-010").items()}
    assert (got["providers/fresh"]["status"], got["providers/fresh"]["message"]) == (
        "not_applicable",
        "certificate HDS-2026-0042 is declared valid from 2026-11-25, after the ANS registry "
        "snapshot of 2026-11-20: a snapshot cannot list a certificate issued after it was "
        "read; read the list again on esante.gouv.fr to check it",
    )
    assert got["providers/sameday"]["status"] == "fail"
    french = run_cli(["check", str(decl), "--evidence", registry, "--as-of", AS_OF,
                      "--format", "json", "--no-config", "--lang", "fr"])  # fmt: skip
    (fresh,) = [f for f in json.loads(french.stdout)["findings"]
                if (f["rule"], f["target"]) == ("EVD-010", "providers/fresh")]  # fmt: skip
    assert fresh["message"] == (
        "le certificat HDS-2026-0042 est déclaré valide à partir du 25 novembre 2026, après "
        "l'extrait de la liste ANS du 20 novembre 2026 : un extrait ne peut pas lister un "
        "certificat délivré après sa lecture ; relire la liste sur esante.gouv.fr pour le "
        "vérifier"
    )


def test_a_certificate_two_snapshots_list_is_the_newest_snapshots_row(tmp_path: Path) -> None:
    """Two snapshots listing one certificate: the newest's row counts (its holder, and its
    date for the snapshot's age), whatever the order the files are read in."""
    decl = write(tmp_path / "decl", {"providers.yaml": PROVIDERS})
    text = (FIXTURES / "hds-registry.csv").read_text()
    old = tmp_path / "ev" / "a-old.csv"
    old.parent.mkdir()
    old.write_text(
        text.replace("2026-11-20", "2026-05-02").replace("OVH SAS,LNE", "OVH Groupe,LNE")
    )
    (tmp_path / "ev" / "b-new.csv").write_text(text)
    code, report, err = check(str(decl), "--evidence", str(old.parent))
    assert code == 1, err
    (ovh,) = [f for f in report["findings"]
              if (f["rule"], f["target"]) == ("EVD-010", "providers/ovh")]  # fmt: skip
    assert (ovh["status"], ovh["message"]) == (
        "pass",
        "certificate HDS-2024-0001 is in the ANS registry snapshot of 2026-11-20, held by OVH "
        "SAS, as declared",
    )


def test_a_firewall_gets_the_kev_entries_of_its_firmware_not_of_its_vendors_other_products(
    tmp_path: Path,
) -> None:
    text = FIREWALL.replace(
        "vendor: Fortinet", "vendor: fortinet\n        firmware: {product: FortiOS}"
    )
    decl = write(tmp_path / "decl", {"fw.yaml": text})
    code, report, err = check(str(decl), "--evidence", str(FIXTURES / "kev.json"))
    assert code == 1, err
    (evd,) = [f for f in report["findings"] if f["rule"] == "EVD-009"]
    # FortiWeb (kev.json:34) is Fortinet's, not FortiOS: neither listed nor a related place.
    assert evd["message"] == (
        "review these CVEs: 1 CISA KEV entry for fortinet FortiOS added after the last patch "
        "of 2026-06-02: CVE-2026-24858 (Fortinet Multiple Products, added 2026-07-28)"
    )
    lines = {r["line"] for r in evd["related"] if r["file"].endswith("kev.json")}
    assert lines == {8, 21}


def test_a_firmware_product_is_named_by_whole_words(tmp_path: Path) -> None:
    """A declared firmware product that is only part of a word names no KEV product (EVD-009,
    as EVD-003 for software): "Forti" is not FortiOS."""
    text = FIREWALL.replace(
        "vendor: Fortinet", "vendor: fortinet\n        firmware: {product: Forti}"
    )
    decl = write(tmp_path / "decl", {"fw.yaml": text})
    code, report, err = check(str(decl), "--evidence", str(FIXTURES / "kev.json"))
    assert code in (0, 1), err
    (evd,) = [f for f in report["findings"] if f["rule"] == "EVD-009"]
    assert "CVE-2026-24858" in evd["message"]  # "Multiple Products" still counts
    lines = {r["line"] for r in evd["related"] if r["file"].endswith("kev.json")}
    assert lines == {21}, evd["related"]  # FortiOS's own entry (line 8) is not Forti's


def test_the_remediation_of_a_stale_internet_service_says_to_check_it(tmp_path: Path) -> None:
    """EVD-005 warns on a declared Internet service the external scan covered without seeing it
    open: its remediation speaks of that case, not only of adding the host to the scans."""
    lab = tmp_path / "lab"
    shutil.copytree(REPO / LAB, lab)
    services = lab / "services.yaml"
    text = services.read_text(encoding="utf-8")
    services.write_text(text.replace("port: 21\n", "port: 22\n", 1), encoding="utf-8")
    code, report, _ = check(str(lab), "--evidence", str(lab / "evidence"))
    assert code == 1
    stale = by_rule(report, "EVD-005")[("EVD-005", "services/results-ftp")]
    assert stale["status"] == "warn"  # 22 was scanned, filtered
    assert "If a scan covered it without seeing the declared port open" in stale["remediation"]


WEB_FTP = """
services:
  - id: waf-ftp
    host: ftp.biolab-rhone.example
    port: 21
    protocol: sftp
    exposure: internet
    software: {name: FortiWeb, version: "7.4.0"}
"""


def test_a_findings_second_location_is_the_evidence_its_rule_reads(tmp_path: Path) -> None:
    """A scan rule's "see also" points at the scan, a KEV rule's at the catalogue: the scan
    findings of a service whose software has KEV entries pointed at the catalogue too."""
    decl = write(tmp_path / "decl", {"svc.yaml": WEB_FTP})
    kev = str(FIXTURES / "kev.json")
    code, report, err = check(str(decl), "--evidence", EVIDENCE, "--evidence", kev)
    assert code == 1, err
    rules = {f["rule"]: f for f in report["findings"] if f["target"] == "services/waf-ftp"}
    scan_line = {"file": f"{EVIDENCE}/scan-external.xml", "line": 30, "column": 1}
    kev_line = {"file": "tests/fixtures/evidence/kev.json", "line": 34, "column": 1}
    assert rules["EVD-011"]["status"] == "fail"  # declared sftp, seen speaking ftp
    assert rules["EVD-011"]["related"] == [scan_line]
    assert rules["EVD-003"]["related"] == [scan_line]  # declared FortiWeb, seen vsftpd
    assert rules["EVD-009"]["related"] == [kev_line]


LOOPBACK = """
services:
  - id: intranet
    host: localhost
    port: 8080
    protocol: http
    exposure: internal
"""


def test_a_ping_scan_covers_no_service(tmp_path: Path) -> None:
    """tests/fixtures/evidence/ping-sn.xml: nmap 7.93's own `nmap -sn -oX` of localhost (a
    host discovery, no port probed; its dates moved back to 25 November). EVD-005 passed
    "localhost was scanned" on it, and with no port in it every other evidence rule was
    silent: a green run on a scan that looked at nothing."""
    decl = write(tmp_path / "decl", {"svc.yaml": LOOPBACK})
    scan = tmp_path / "ev" / "ping-sn.xml"
    scan.parent.mkdir()
    scan.write_bytes((FIXTURES / "ping-sn.xml").read_bytes())
    scan.with_name("ping-sn.xml.evidence").write_text("vantage: internal\n")
    code, report, err = check(str(decl), "--evidence", str(scan.parent))
    assert code == 1, err
    (evd5,) = [f for f in report["findings"] if f["rule"] == "EVD-005"]
    assert (evd5["status"], evd5["message"]) == (
        "fail",
        "localhost appears only in scans that probed none of its ports (internal scan of "
        "2026-11-25, no port range): a ping scan (-sn) or a host that did not answer says "
        "nothing of what it exposes",
    )


BY_ADDRESS = """
services:
  - id: portal
    host: portal.test
    addresses: [127.0.0.1]
    port: 18021
    protocol: ftp
    exposure: internal
    software: {name: vsftpd, version: "3.0.3"}
"""


def _by_address(tmp_path: Path, fixture: str, decl_text: str) -> tuple[int, dict[str, Any], str]:
    decl = write(tmp_path / "decl", {"svc.yaml": decl_text})
    scan = tmp_path / "ev" / fixture
    scan.parent.mkdir()
    scan.write_bytes((FIXTURES / fixture).read_bytes())
    scan.with_name(fixture + ".evidence").write_text("vantage: internal\n")
    return check(str(decl), "--evidence", str(scan.parent))


def test_a_service_declared_by_name_is_matched_by_its_declared_address(tmp_path: Path) -> None:
    """tests/fixtures/evidence/by-address.xml: nmap 7.93's `nmap -sT -sV -Pn -n -p 18021 -oX`
    of 127.0.0.1 with a vsftpd banner listening (no reverse DNS: no PTR name; its dates moved
    back to 25 November). A service declared `host: portal.test` was not matched to it:
    EVD-001 failed its port as undeclared, EVD-005 said portal.test was in no scan. With the
    address declared in `addresses`, the scan of that address observes the service."""
    code, report, err = _by_address(tmp_path, "by-address.xml", BY_ADDRESS)
    assert code == 1, err  # the organisation's own sections are not declared here
    evd = by_rule(report, "EVD-")
    assert {f["status"] for f in evd.values()} <= {"pass", "not_applicable"}
    port = evd[("EVD-001", "evidence_ports/127.0.0.1:18021/tcp@internal")]
    assert port["status"] == "pass", port["message"]
    coverage = evd[("EVD-005", "services/portal")]
    assert coverage["status"] == "pass", coverage["message"]
    software = evd[("EVD-003", "services/portal")]
    assert (software["status"], software["message"]) == (
        "pass",
        "the scan identified vsftpd 3.0.3, as declared",
    )
    # Without the address, the same scan does not observe the service: honest, not matched.
    code, report, err = _by_address(
        tmp_path / "without",
        "by-address.xml",
        BY_ADDRESS.replace("    addresses: [127.0.0.1]\n", ""),
    )
    assert code == 1, err
    evd = by_rule(report, "EVD-")
    assert evd[("EVD-001", "evidence_ports/127.0.0.1:18021/tcp@internal")]["status"] == "fail"
    assert evd[("EVD-005", "services/portal")]["status"] == "fail"


PTR_NOTE = " (matched by its reverse DNS name (PTR) at 127.0.0.1)"


def test_a_match_on_a_ptr_name_says_so(tmp_path: Path) -> None:
    """tests/fixtures/evidence/ptr-name.xml: nmap 7.93's `nmap -sT -sV -Pn -p 18021 -oX` of
    127.0.0.1 (vsftpd banner; dates moved back to 25 November), which names the host
    `localhost` from its PTR record only. A service declared `host: localhost` is matched
    to it (an owner's decision: services scanned from an address list stay covered), but
    the findings said "localhost was scanned" as if the name had been scanned. They say the
    match rests on the reverse DNS name; a match on a declared address does not."""
    text = BY_ADDRESS.replace("host: portal.test", "host: localhost")
    code, report, err = _by_address(
        tmp_path, "ptr-name.xml", text.replace("    addresses: [127.0.0.1]\n", "")
    )
    assert code == 1, err
    evd = by_rule(report, "EVD-")
    assert evd[("EVD-005", "services/portal")]["message"] == (
        "localhost was scanned (internal scan of 2026-11-25)" + PTR_NOTE
    )
    assert evd[("EVD-003", "services/portal")]["message"] == (
        "the scan identified vsftpd 3.0.3, as declared" + PTR_NOTE
    )
    assert evd[("EVD-001", "evidence_ports/localhost:18021/tcp@internal")]["message"] == (
        "port 18021/tcp on localhost is declared by services/portal" + PTR_NOTE
    )
    paths = [str(tmp_path / "decl"), "--evidence", str(tmp_path / "ev")]
    french = run_cli(["check", *paths, "--as-of", AS_OF, "--format", "json", "--no-config",
                      "--lang", "fr"])  # fmt: skip
    (evd5,) = [f for f in json.loads(french.stdout)["findings"]
               if (f["rule"], f["target"]) == ("EVD-005", "services/portal")]  # fmt: skip
    assert evd5["message"].endswith(
        " (rapproché par son nom DNS inverse (PTR) à l'adresse 127.0.0.1)"
    ), evd5["message"]
    # Declared with its address, the same scan matches it on the address: no note.
    code, report, err = _by_address(tmp_path / "address", "ptr-name.xml", text)
    evd = by_rule(report, "EVD-")
    assert evd[("EVD-005", "services/portal")]["message"] == (
        "localhost was scanned (internal scan of 2026-11-25)"
    ), err


def test_the_ptr_note_does_not_claim_a_match_another_scan_made_by_name(tmp_path: Path) -> None:
    """An internal scan names 127.0.0.1 `localhost` from its PTR record; an external scan
    scanned the name `localhost` itself. A service declared `host: localhost` is matched by
    both, and EVD-002 (external scans only) rests on the name match; yet every finding said
    "(matched by its reverse DNS name (PTR) at 127.0.0.1)". The note is computed per service,
    so it now says only what is known: one of the scans matched it by the PTR name."""
    text = BY_ADDRESS.replace("host: portal.test", "host: localhost").replace(
        "    addresses: [127.0.0.1]\n", ""
    )
    decl = write(tmp_path / "decl", {"svc.yaml": text})
    ev = tmp_path / "ev"
    ev.mkdir()
    ptr = (FIXTURES / "ptr-name.xml").read_text()
    (ev / "internal.xml").write_text(ptr)
    (ev / "internal.xml.evidence").write_text("vantage: internal\n")
    # The same host, scanned by its name: nmap writes the name given as type "user".
    by_name = ptr.replace('type="PTR"', 'type="user"').replace("xml 127.0.0.1", "xml localhost")
    assert by_name.count('type="user"') == 1
    (ev / "external.xml").write_text(by_name)
    (ev / "external.xml.evidence").write_text("vantage: external\n")
    mixed = (
        " (one of the scans matched it by its reverse DNS name (PTR) at 127.0.0.1, another by "
        "the name or address scanned)"
    )
    for lang, note in (
        ("en", mixed),
        ("fr", " (l'un des scans l'a rapproché par son nom DNS inverse (PTR) à l'adresse "
               "127.0.0.1, un autre par le nom ou l'adresse analysés)"),
    ):  # fmt: skip
        result = run_cli(["check", str(decl), "--evidence", str(ev), "--as-of", AS_OF,
                          "--format", "json", "--no-config", "--lang", lang])  # fmt: skip
        assert result.exit_code == 1, result.stderr
        found = {(f["rule"], f["target"]): f for f in json.loads(result.stdout)["findings"]}
        for rule in ("EVD-002", "EVD-003", "EVD-005"):
            finding = found[(rule, "services/portal")]
            if finding["status"] != "not_applicable":
                assert finding["message"].endswith(note), (rule, finding["message"])
                assert "(PTR) à l'adresse 127.0.0.1)" not in finding["message"]
                assert (
                    "(matched by its reverse DNS name (PTR) at 127.0.0.1)" not in finding["message"]
                )
    # The port the internal scan saw (through the PTR name only) keeps the plain note.
    port = found[("EVD-001", "evidence_ports/localhost:18021/tcp@internal")]
    assert port["message"].endswith(
        " (rapproché par son nom DNS inverse (PTR) à l'adresse 127.0.0.1)"
    ), port["message"]
    assert found[("EVD-002", "services/portal")]["status"] != "not_applicable"


def test_an_address_that_is_not_one_is_a_located_error(tmp_path: Path) -> None:
    decl = write(tmp_path / "decl", {"svc.yaml": BY_ADDRESS.replace("[127.0.0.1]", "[portal.lan]")})
    for lang, said in (
        ("en", "'portal.lan' is not an IP address (IPv4 such as 192.0.2.10, or IPv6 such as "
               "2001:db8::10): a host name goes in `host`"),
        ("fr", "'portal.lan' n'est pas une adresse IP (IPv4 comme 192.0.2.10, ou IPv6 comme "
               "2001:db8::10) : un nom d'hôte va dans `host`"),
    ):  # fmt: skip
        result = run_cli(["check", str(decl), "--as-of", AS_OF, "--no-config", "--lang", lang])
        assert result.exit_code == 2
        assert result.stderr.strip().endswith(said), result.stderr
        assert "svc.yaml:4:17: " in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("day", "time", "refused"),
    [("2026-11-29", "07:12:05", False), ("2026-11-29", "12:00:01", True),
     ("2026-11-30", "07:12:05", True)],
)  # fmt: skip
def test_a_scan_from_the_future_is_refused_where_it_is_dated(
    tmp_path: Path, day: str, time: str, refused: bool
) -> None:
    """A scan started after the evaluation day has ended everywhere on Earth (noon UTC the
    next day, midnight at UTC-12) is no evidence, and is refused before any rule counts it
    as fresh; before, it may be that day where it was made, and EVD-004 fails it. A scan
    started at 12:00:01 UTC the next day was accepted while its UTC date was within a day."""
    evidence = tmp_path / "evidence"
    shutil.copytree(REPO / EVIDENCE, evidence)
    scan = evidence / "scan-external.xml"
    when = datetime.datetime.fromisoformat(f"{day}T{time}+00:00")
    scan.write_text(
        scan.read_text().replace('start="1795158725"', f'start="{int(when.timestamp())}"')
    )
    result = run_cli(["check", LAB, "--evidence", str(evidence), "--as-of", AS_OF])
    if not refused:
        assert result.exit_code == 1
        assert "EVD-004" in result.stdout and "after the evaluation date" in result.stdout
        return
    assert result.exit_code == 2 and result.stdout == ""
    where, message = result.stderr.split(":5:1: ")
    assert Path(where).resolve() == scan.resolve()
    assert message == (
        f"the scan started on {day} (UTC), after the evaluation date {AS_OF}: evidence from "
        "the future is no evidence; correct the scanning machine's clock and scan again, or "
        "evaluate on a later date with --as-of\n"
    )


@pytest.mark.parametrize(
    ("name", "change", "where", "message"),
    [
        (
            "kev.json",
            lambda text: text,  # released 2026-11-26T17:02:11Z: after 2026-11-25 everywhere
            ":4:19: ",
            "the CISA KEV catalogue was released on 2026-11-26 (`dateReleased`), after the "
            "evaluation date 2026-11-25: evidence from the future is no evidence; give the "
            "catalogue as it was on that date, or evaluate on a later date with --as-of",
        ),
        (
            "hds-registry.csv",
            lambda text: text.replace("snapshot 2026-11-20", "snapshot 2026-11-26"),
            ":1:29: ",
            "the ANS HDS registry snapshot is dated 2026-11-26, after the evaluation date "
            "2026-11-25: evidence from the future is no evidence; write the day the list was "
            "read, or evaluate on a later date with --as-of",
        ),
        (
            "hds-registry.json",
            lambda text: text.replace('"2026-11-20"', '"2026-11-26"'),
            ":4:32: ",
            "the ANS HDS registry snapshot is dated 2026-11-26, after the evaluation date "
            "2026-11-25: evidence from the future is no evidence; write the day the list was "
            "read, or evaluate on a later date with --as-of",
        ),
    ],
)
def test_a_catalogue_or_snapshot_from_the_future_is_refused_where_it_is_dated(
    tmp_path: Path, name: str, change: Any, where: str, message: str
) -> None:
    """A KEV catalogue released, or an ANS registry snapshot dated, after the evaluation date
    was read as fresh evidence: EVD-009 and EVD-010 passed on a file from the future. Both
    are refused like a scan from the future, at their date; on their own day they are read."""
    evidence = tmp_path / name
    evidence.write_text(change((FIXTURES / name).read_text()))
    decl = write(tmp_path / "decl", {"fw.yaml": PATCHED_FIREWALL})
    args = ["check", str(decl), "--evidence", str(evidence), "--no-config", "--as-of"]
    result = run_cli([*args, "2026-11-25"])
    assert (result.exit_code, result.stdout) == (2, "")
    shown, said = result.stderr.split(where)
    assert Path(shown).resolve() == evidence.resolve()
    assert said == message + "\n"
    assert run_cli([*args, "2026-11-26"]).exit_code in (0, 1)


def test_every_file_from_the_future_is_reported_at_once_in_french(tmp_path: Path) -> None:
    """The lab's two scans, a KEV catalogue and a registry snapshot, all after the evaluation
    date, and a declaration error: five problems in one run, in French with --lang fr."""
    evidence = tmp_path / "evidence"
    shutil.copytree(REPO / EVIDENCE, evidence)
    shutil.copy(FIXTURES / "kev.json", evidence)
    shutil.copy(FIXTURES / "hds-registry.csv", evidence)
    decl = write(tmp_path / "decl", {"fw.yaml": "firewalls:\n  - {id: fw-1, vendr: x}\n"})
    result = run_cli(["check", str(decl), "--evidence", str(evidence), "--no-config",
                      "--as-of", "2026-11-18", "--lang", "fr"])  # fmt: skip
    assert result.exit_code == 2
    lines = sorted(line.split(": ", 1)[1] for line in result.stderr.splitlines())
    scans = [
        f"le scan a commencé le {day} (UTC), après la date d'évaluation 2026-11-18 : une "
        "preuve venue du futur n'en est pas une ; corrigez l'horloge de la machine qui "
        "scanne et relancez le scan, ou évaluez à une date ultérieure avec --as-of"
        for day in ("2026-11-20", "2026-11-21")
    ]
    expected = [
        "clé inconnue 'vendr' dans firewalls/fw-1 ; vouliez-vous dire 'vendor' ?",
        *scans,
        "le catalogue KEV de la CISA a été publié le 2026-11-26 (`dateReleased`), après la "
        "date d'évaluation 2026-11-18 : une preuve venue du futur n'en est pas une ; "
        "fournissez le catalogue tel qu'il était à cette date, ou évaluez à une date "
        "ultérieure avec --as-of",
        "l'extrait de la liste des hébergeurs HDS de l'ANS est daté du 2026-11-20, après la "
        "date d'évaluation 2026-11-18 : une preuve venue du futur n'en est pas une ; "
        "indiquez le jour où la liste a été lue, ou évaluez à une date ultérieure avec --as-of",
    ]
    assert lines == sorted(expected), result.stderr


STALE_DECL = """
services:
  - id: ssh-admin
    host: ftp.biolab-rhone.example
    port: 22
    protocol: ssh
    exposure: internal
  - id: rdp-gw
    host: vpn.biolab-rhone.example
    port: 3389
    protocol: rdp
    exposure: internet
    via: vpn
    mfa: true
  - id: results-ftp
    host: ftp.biolab-rhone.example
    port: 21
    protocol: ftp
    exposure: internet
    software: {name: vsftpd, version: "3.0.3"}
"""


def _lab_scan_started(tmp_path: Path, day: str) -> Path:
    """The lab's external scan, its start moved to ``day`` (07:12:05 UTC)."""
    evidence = tmp_path / f"evidence-{day}"
    evidence.mkdir()
    scan = evidence / "scan-external.xml"
    when = datetime.datetime.fromisoformat(f"{day}T07:12:05+00:00")
    text = (REPO / EVIDENCE / "scan-external.xml").read_text()
    scan.write_text(text.replace('start="1795158725"', f'start="{int(when.timestamp())}"'))
    scan.with_name("scan-external.xml.evidence").write_text("vantage: external\n")
    return evidence


def test_a_stale_scan_backs_no_pass(tmp_path: Path) -> None:
    """A two-year-old scan: EVD-004 failed it (medium), but EVD-002, EVD-003, EVD-005 and
    EVD-013 passed on it, and EVD-001 found the declared FTP "declared": greens resting on
    what was open two years ago. Every pass it backed is now not applicable, saying which scan
    and when and pointing at EVD-004; what it saw undeclared still fails, said stale."""
    decl = write(tmp_path / "decl", {"svc.yaml": STALE_DECL})
    fresh = _lab_scan_started(tmp_path, "2026-11-20")
    code, report, err = check(str(decl), "--evidence", str(fresh))
    assert code == 1, err
    evd = by_rule(report, "EVD-")
    backed = [
        ("EVD-002", "services/ssh-admin"),
        ("EVD-013", "services/rdp-gw"),
        ("EVD-003", "services/results-ftp"),
        ("EVD-005", "services/ssh-admin"),
        ("EVD-005", "services/results-ftp"),
        ("EVD-001", "evidence_ports/ftp.biolab-rhone.example:21/tcp@external"),
    ]
    assert {key: evd[key]["status"] for key in backed} == dict.fromkeys(backed, "pass")

    stale = _lab_scan_started(tmp_path, "2024-11-20")
    code, report, err = check(str(decl), "--evidence", str(stale))
    assert code == 1, err
    evd = by_rule(report, "EVD-")
    assert {key: evd[key]["status"] for key in backed} == dict.fromkeys(backed, "not_applicable")
    limit = "older than EVD-004's limit of 30 days"
    assert evd[("EVD-002", "services/ssh-admin")]["message"] == (
        f"only the external scan of 2024-11-20 covered ftp.biolab-rhone.example:22, {limit}: "
        "a stale scan backs no pass; scan again from outside"
    )
    assert evd[("EVD-013", "services/rdp-gw")]["message"] == (
        f"only the external scan of 2024-11-20 covered vpn.biolab-rhone.example:3389, {limit}: "
        "a stale scan backs no pass; scan again from outside"
    )
    assert evd[("EVD-005", "services/ssh-admin")]["message"] == (
        f"ftp.biolab-rhone.example was probed only by scans {limit} (external scan of "
        "2024-11-20): a stale scan backs no pass; scan it again"
    )
    assert evd[("EVD-003", "services/results-ftp")]["message"] == (
        f"only scans {limit} identified the product on this service's host and port (vsftpd "
        "3.0.3, external scan of 2024-11-20): a stale scan backs no pass; scan again"
    )
    assert evd[("EVD-001", "evidence_ports/ftp.biolab-rhone.example:21/tcp@external")][
        "message"
    ] == (
        "port 21/tcp on ftp.biolab-rhone.example was seen open only by the external scan of "
        f"2024-11-20, {limit}: a stale scan backs no pass; scan again"
    )
    assert not [key for key, f in evd.items() if f["status"] == "pass" and "scan" in f["message"]]
    # What the stale scan saw and nobody declared still fails (the safe side), said stale.
    undeclared = evd[("EVD-001", "evidence_ports/resultats.biolab-rhone.example:21/tcp@external")]
    assert undeclared["status"] == "fail"
    assert f"external scan of 2024-11-20 (a stale scan, {limit});" in undeclared["message"]
    (evd4,) = [f for (rule, _), f in evd.items() if rule == "EVD-004"]
    assert evd4["status"] == "fail"


def test_the_stale_limit_is_evd_004s_effective_parameter(tmp_path: Path) -> None:
    """One definition of stale: EVD-004's `max_scan_age_days` as the organisation sets it, even
    when EVD-004 itself is disabled (a stale scan does not turn fresh by muting its rule)."""
    decl = write(tmp_path / "decl", {"svc.yaml": STALE_DECL})
    fresh = _lab_scan_started(tmp_path, "2026-11-20")  # 8 days before the evaluation date
    key = ("EVD-002", "services/ssh-admin")
    for settings, status in (
        ("rules: {disable: [EVD-004]}\n", "pass"),
        ("params: {EVD-004: {max_scan_age_days: 7}}\n", "not_applicable"),
        (
            "rules: {disable: [EVD-004]}\nparams: {EVD-004: {max_scan_age_days: 7}}\n",
            "not_applicable",
        ),
    ):
        config = tmp_path / ".hdsguard.yaml"
        config.write_text(settings)
        result = run_cli(["check", str(decl), "--evidence", str(fresh), "--as-of", AS_OF,
                          "--format", "json", "--config", str(config)])  # fmt: skip
        assert result.exit_code == 1, result.stderr
        findings = {(f["rule"], f["target"]): f for f in json.loads(result.stdout)["findings"]}
        assert findings[key]["status"] == status, settings
        if status == "not_applicable":
            assert "older than EVD-004's limit of 7 days" in findings[key]["message"]


SNMP = """
services:
  - id: results-snmp
    host: ftp.biolab-rhone.example
    port: 161
    protocol: snmp
    exposure: internet
"""


def test_a_port_is_declared_by_a_service_on_its_transport(tmp_path: Path) -> None:
    """A TCP port 161 seen open on a host whose SNMP agent (UDP) is declared on 161: EVD-001
    passed it as "declared by services/results-snmp", matching the port by number whatever
    the transport; it is an undeclared TCP service."""
    decl = write(tmp_path / "decl", {"svc.yaml": SNMP})
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    scan = evidence / "scan-external.xml"
    text = (REPO / EVIDENCE / "scan-external.xml").read_text()
    scan.write_text(text.replace('portid="21"', 'portid="161"'))
    scan.with_name("scan-external.xml.evidence").write_text("vantage: external\n")
    code, report, err = check(str(decl), "--evidence", str(evidence))
    assert code == 1, err
    tcp = by_rule(report, "EVD-001")[
        ("EVD-001", "evidence_ports/ftp.biolab-rhone.example:161/tcp@external")
    ]
    assert tcp["status"] == "fail"
    assert tcp["message"].startswith("port 161/tcp is open on ftp.biolab-rhone.example (ftp")
    assert "a protocol that runs on tcp" in tcp["remediation"]


def test_one_scan_given_under_two_vantage_points_is_refused(tmp_path: Path) -> None:
    """The lab's external scan copied as an internal one was read as two observations: the
    internal services "seen from inside" by a scan of the Internet side. It is refused at the
    copy's <nmaprun>, naming the file it duplicates; a re-saved copy (other bytes, same run)
    too, since the same run is the same start and command line."""
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    original = (REPO / EVIDENCE / "scan-external.xml").read_text()
    (evidence / "a-external.xml").write_text(original)
    (evidence / "a-external.xml.evidence").write_text("vantage: external\n")
    for copy in (original, original.replace("<verbose", "\n<verbose")):
        (evidence / "b-internal.xml").write_text(copy)
        (evidence / "b-internal.xml.evidence").write_text("vantage: internal\n")
        result = run_cli(["check", LAB, "--evidence", str(evidence), "--as-of", AS_OF])
        assert result.exit_code == 2 and result.stdout == ""
        where, message = result.stderr.strip().split(":5:1: ")
        assert Path(where).resolve() == (evidence / "b-internal.xml").resolve()
        assert message.startswith("the same nmap scan as ")
        assert "a-external.xml (started 2026-11-20T07:12:05Z, same command line), " in message
        assert message.endswith(
            "given here as internal and there as external: a scan has one vantage point; "
            "remove this copy (or its sidecar), and give the scan really made from the "
            "internal vantage point"
        )
    # The same file under the same vantage point twice changes nothing: accepted.
    (evidence / "b-internal.xml.evidence").write_text("vantage: external\n")
    result = run_cli(["check", LAB, "--evidence", str(evidence), "--as-of", AS_OF])
    assert result.exit_code == 1, result.stderr


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("truncated.xml", "truncated.xml:7:94: XML mal formé ("),
        ("interrupted.xml", "interrupted.xml:10: le scan ne s'est pas terminé"),
        (
            "kev-cut.json",
            "kev-cut.json:1: pas le schéma du catalogue KEV de la CISA que lit hdsguard",
        ),
        ("not-nmap.xml", "XML dont la racine est <report>, pas un scan nmap (<nmaprun>)"),
    ],
)
def test_bad_evidence_is_refused_in_the_runs_language(
    name: str, expected: str, tmp_path: Path
) -> None:
    """The evidence readers' errors were English in a French run (--lang fr), unlike every
    other validation error: they go through the catalogue too (docs/translations.md)."""
    shutil.copy(FIXTURES / name, tmp_path / name)
    (tmp_path / f"{name}.evidence").write_text("vantage: external\n")
    result = run_cli(
        ["check", LAB, "--evidence", str(tmp_path / name), "--as-of", AS_OF, "--lang", "fr"]
    )
    assert result.exit_code == 2 and result.stdout == ""
    assert expected in result.stderr, result.stderr
    english = run_cli(["check", LAB, "--evidence", str(tmp_path / name), "--as-of", AS_OF])
    assert english.stderr != result.stderr  # every one of them says it in French


def test_a_sidecar_without_its_scan_is_refused_in_french(tmp_path: Path) -> None:
    (tmp_path / "gone.xml.evidence").write_text("vantage: external\n")
    (tmp_path / "x.pem").write_bytes(
        pem(certificate("a.example", not_before=D(2026, 1, 1), not_after=D(2026, 12, 31)))
    )
    result = run_cli(["check", LAB, "--evidence", str(tmp_path), "--as-of", AS_OF, "--lang", "fr"])
    assert result.exit_code == 2
    assert (
        "gone.xml.evidence:1:1: fichier .evidence de gone.xml, qui n'est pas dans ce répertoire"
        in (result.stderr)
    )


def test_a_wildcard_certificate_matches_the_more_specific_subject_declared(
    tmp_path: Path,
) -> None:
    """The portal presents its wildcard certificate *.example.org, declared by the name it
    serves (www.example.org): EVD-008 failed it as "matches no declared certificate"."""
    decl = write(tmp_path / "decl", {"certs.yaml": """
        certificates:
          - id: www
            subject: www.example.org
            not_before: 2026-09-01
            not_after: 2027-08-31
        """})  # fmt: skip
    seen = tmp_path / "seen"
    seen.mkdir()
    wild = certificate(
        "*.example.org", not_before=D(2026, 9, 1), not_after=D(2027, 8, 31),
        sans=("*.example.org",),
    )  # fmt: skip
    (seen / "wild.pem").write_bytes(pem(wild))
    code, report, err = check(str(decl), "--evidence", str(seen))
    assert code in (0, 1), err
    (evd8,) = [f for f in report["findings"] if f["rule"] == "EVD-008"]
    assert (evd8["status"], evd8["message"]) == ("pass", "declared as certificates/www")


SSL_CERT_START = 'start="1796433838"'  # tests/fixtures/evidence/ssl-cert.xml: 2026-12-05

PORTAL_CERT_DECL = """
certificates:
  - {id: portal-cert, subject: portal.test, not_before: 2026-11-25, not_after: %s, issuer: Test CA}
services:
  - id: portal
    host: 127.0.0.1
    port: 39671
    protocol: https
    exposure: internal
    tls: {certificate: portal-cert}
"""


def _ssl_cert_scan(folder: Path, name: str, day: str, text: str | None = None) -> None:
    """nmap's ssl-cert output (the portal.test certificate on 127.0.0.1:39671), or ``text``,
    started on ``day`` (01:23:58 UTC), as an internal scan in ``folder``."""
    folder.mkdir(exist_ok=True)
    when = datetime.datetime.fromisoformat(f"{day}T01:23:58+00:00")
    text = text or (FIXTURES / "ssl-cert.xml").read_text()
    (folder / name).write_text(text.replace(SSL_CERT_START, f'start="{int(when.timestamp())}"'))
    (folder / f"{name}.evidence").write_text("vantage: internal\n")


def test_a_certificate_only_a_stale_scan_presented_backs_no_pass(tmp_path: Path) -> None:
    """The certificate nmap's ssl-cert printed carried no date: a two-year-old scan made
    EVD-006, EVD-007 and EVD-008 pass ("has the declared dates", "declared as ...") while
    EVD-004 failed the scan. It is dated by its scan now: no pass on a stale one, and what a
    stale one shows wrong still fails, said stale."""
    cert_rules = [
        ("EVD-006", "certificates/portal-cert"),
        ("EVD-007", "certificates/portal-cert"),
    ]
    decl = write(tmp_path / "decl", {"d.yaml": PORTAL_CERT_DECL % "2027-01-24"})
    for day, status in (("2026-11-20", "pass"), ("2024-11-20", "not_applicable")):
        evidence = tmp_path / f"evidence-{day}"
        _ssl_cert_scan(evidence, "scan.xml", day)
        code, report, err = check(str(decl), "--evidence", str(evidence))
        assert code in (0, 1), err
        evd = by_rule(report, "EVD-")
        (evd8,) = [f for (rule, _), f in evd.items() if rule == "EVD-008"]
        assert [evd[key]["status"] for key in cert_rules] + [evd8["status"]] == [status] * 3, day
    limit = "older than EVD-004's limit of 30 days"
    assert evd[("EVD-007", "certificates/portal-cert")]["message"].startswith(
        f"only scans {limit} presented a certificate matching this declaration ("
    )
    assert evd[("EVD-007", "certificates/portal-cert")]["message"].endswith(
        "scan.xml#localhost:39671, internal scan of 2024-11-20): a stale scan backs no pass; "
        "scan again with --script ssl-cert"
    )
    assert evd8["message"] == (
        f"only the internal scan of 2024-11-20 presented this certificate, {limit}: a stale "
        "scan backs no pass; scan again with --script ssl-cert"
    )
    # What the stale scan shows wrong still fails: a certificate ending before the declared day.
    decl = write(tmp_path / "later", {"d.yaml": PORTAL_CERT_DECL % "2027-06-01"})
    code, report, err = check(str(decl), "--evidence", str(tmp_path / "evidence-2024-11-20"))
    earlier = by_rule(report, "EVD-007")[("EVD-007", "certificates/portal-cert")]
    assert earlier["status"] == "fail", earlier
    assert earlier["message"].endswith(
        f"(portal.test), valid until 2027-01-24 (internal scan of 2024-11-20, stale: {limit})"
    )


def test_the_newest_scan_that_printed_a_certificate_stands_for_its_port(tmp_path: Path) -> None:
    """Two scans printed a certificate on the same host and port: the newest stands for it, as
    for the port itself. The same certificate in a stale and in a current scan was kept from
    the file whose name sorts first (the stale one: no pass); a certificate since renewed
    kept failing EVD-007 on the stale scan; a port a newer scan found closed kept its old
    certificate."""
    decl = write(tmp_path / "decl", {"d.yaml": PORTAL_CERT_DECL % "2027-01-24"})
    evidence = tmp_path / "evidence"
    _ssl_cert_scan(evidence, "a-old.xml", "2024-11-20")
    _ssl_cert_scan(evidence, "b-new.xml", "2026-11-20")
    code, report, err = check(str(decl), "--evidence", str(evidence))
    assert code in (0, 1), err
    certs = {
        (rule, target.rpartition("/")[2]): f["status"]
        for (rule, target), f in by_rule(report, "EVD-00").items()
        if rule in CERT_RULES
    }
    assert certs == {
        ("EVD-006", "portal-cert"): "pass",
        ("EVD-007", "portal-cert"): "pass",
        ("EVD-008", "b-new.xml#localhost:39671"): "pass",
    }
    # Renewed since the stale scan: the current scan's certificate is the one judged.
    fixture = (FIXTURES / "ssl-cert.xml").read_text()
    start = fixture.index('<elem key="pem">') + len('<elem key="pem">')
    end = fixture.index("</elem>", start)
    renewed = certificate(
        "portal.test", not_before=D(2026, 11, 25), not_after=D(2027, 6, 1), issuer="Test CA",
        sans=("portal.test",),
    )  # fmt: skip
    _ssl_cert_scan(evidence, "b-new.xml", "2026-11-20",
                   fixture[:start] + pem(renewed).decode() + fixture[end:])  # fmt: skip
    decl = write(tmp_path / "renewed", {"d.yaml": PORTAL_CERT_DECL % "2027-06-01"})
    code, report, err = check(str(decl), "--evidence", str(evidence))
    assert code in (0, 1), err
    evd = by_rule(report, "EVD-00")
    assert evd[("EVD-007", "certificates/portal-cert")]["status"] == "pass"
    assert evd[("EVD-007", "certificates/portal-cert")]["message"] == (
        "the certificate presented is valid until 2027-06-01, as declared or later"
    )
    # The port found closed by the current scan presents nothing now.
    opened = '<state state="open" reason="syn-ack" reason_ttl="0"/>'
    script = fixture.index("<script "), fixture.index("</script>") + len("</script>")
    closed = fixture[: script[0]] + fixture[script[1] :]
    _ssl_cert_scan(evidence, "b-new.xml", "2026-11-20",
                   closed.replace(opened, opened.replace("open", "closed")))  # fmt: skip
    code, report, err = check(str(decl), "--evidence", str(evidence))
    assert code in (0, 1), err
    evd = by_rule(report, "EVD-00")
    assert not [key for key in evd if key[0] == "EVD-008"]
    assert evd[("EVD-007", "certificates/portal-cert")]["message"] == (
        "no certificate given as evidence matches this declaration"
    )


def test_a_certificate_renewed_after_the_scan_is_neither_passed_nor_failed(
    tmp_path: Path,
) -> None:
    """The declaration names the certificate renewed on 27 November; the scan of the 26th
    saw its predecessor (valid from the 25th). EVD-006 failed "is valid from another day" and
    EVD-007 "expires earlier", though nothing contradicts the renewal: the scan predates it.
    Not a pass either (the renewal is not confirmed): not applicable, "scan again". A scan
    after the renewal that still sees the old certificate fails, as before."""
    decl = write(tmp_path / "decl", {"d.yaml": PORTAL_CERT_DECL.replace(
        "not_before: 2026-11-25", "not_before: 2026-11-27") % "2027-02-25"})  # fmt: skip
    keys = [("EVD-006", "certificates/portal-cert"), ("EVD-007", "certificates/portal-cert")]
    for day, status in (("2026-11-26", "not_applicable"), ("2026-11-28", "fail")):
        evidence = tmp_path / f"evidence-{day}"
        _ssl_cert_scan(evidence, "scan.xml", day)
        code, report, err = check(str(decl), "--evidence", str(evidence))
        assert code == 1, err
        evd = by_rule(report, "EVD-")
        assert [evd[key]["status"] for key in keys] == [status] * 2, (day, evd[keys[0]])
        (evd8,) = [f for (rule, _), f in evd.items() if rule == "EVD-008"]
        assert evd8["status"] == "pass"  # the old certificate is still the declared one's
    evidence = tmp_path / "evidence-2026-11-26"
    _, report, _ = check(str(decl), "--evidence", str(evidence))
    said = by_rule(report, "EVD-")[keys[1]]["message"]
    assert said.startswith(
        "the scans that presented a certificate matching this declaration predate it ("
    ), said
    assert said.endswith(
        "scan.xml#localhost:39671, internal scan of 2026-11-26, valid from 2026-11-25; declared "
        "valid from 2026-11-27): they saw the certificate it renewed, and nothing of this one; "
        "scan again with --script ssl-cert"
    ), said
    french = run_cli(["check", str(decl), "--evidence", str(evidence), "--as-of", AS_OF,
                      "--format", "json", "--no-config", "--lang", "fr"])  # fmt: skip
    (evd6,) = [f for f in json.loads(french.stdout)["findings"] if f["rule"] == "EVD-006"]
    assert "lui sont antérieurs (" in evd6["message"], evd6["message"]
    assert evd6["message"].endswith(
        "scan interne du 26 novembre 2026, valide à partir du 25 novembre 2026 ; déclaré valide "
        "à partir du 27 novembre 2026) : ils ont vu le certificat qu'il a renouvelé, et rien de "
        "celui-ci ; scanner à nouveau avec --script ssl-cert"
    ), evd6["message"]


def test_a_scan_made_on_the_declared_first_day_that_saw_the_old_certificate_is_set_aside(
    tmp_path: Path,
) -> None:
    """The renewal is declared from 27 November, a day: its hour is not declared. The scan
    started on the 27th at 01:23 UTC saw the predecessor (valid from the 25th): it may have run
    before the renewal was installed that day. It was compared, and EVD-006 and EVD-007 failed
    a renewal made that afternoon; it is set aside like a scan of the day before, said so. A
    scan of that day that saw the renewed certificate is compared (docs/evidence.md)."""
    decl = write(tmp_path / "decl", {"d.yaml": PORTAL_CERT_DECL.replace(
        "not_before: 2026-11-25", "not_before: 2026-11-27") % "2027-02-25"})  # fmt: skip
    keys = [("EVD-006", "certificates/portal-cert"), ("EVD-007", "certificates/portal-cert")]
    evidence = tmp_path / "evidence"
    _ssl_cert_scan(evidence, "scan.xml", "2026-11-27")
    code, report, err = check(str(decl), "--evidence", str(evidence))
    assert code == 1, err
    evd = by_rule(report, "EVD-")
    assert [evd[key]["status"] for key in keys] == ["not_applicable"] * 2, evd[keys[0]]
    said = evd[keys[1]]["message"]
    assert said.startswith(
        "the scans that presented a certificate matching this declaration were made before it "
        "or on the day it begins, and a scan of that day may have run before the renewal was "
        "installed ("
    ), said
    assert said.endswith(
        "scan.xml#localhost:39671, internal scan of 2026-11-27 (its first day), "
        "valid from 2026-11-25; declared valid from 2026-11-27): they saw the certificate it "
        "renewed, and nothing of this one; scan again with --script ssl-cert"
    )
    # The same scan, the declared start being the certificate it saw: compared, and passed.
    same = write(tmp_path / "same", {"d.yaml": PORTAL_CERT_DECL % "2027-01-24"})
    _ssl_cert_scan(evidence, "scan.xml", "2026-11-25")
    code, report, err = check(str(same), "--evidence", str(evidence))
    assert [by_rule(report, "EVD-")[key]["status"] for key in keys] == ["pass"] * 2, err


CERT_RULES = ("EVD-006", "EVD-007", "EVD-008")


def test_an_internet_service_passes_evd_002_only_on_a_current_external_scan(
    tmp_path: Path,
) -> None:
    """EVD-002 passed every service declared `exposure: internet` ("declared Internet-exposed")
    as soon as any external scan was given: a two-year-old one, or one of other hosts. Its pass
    now says what a current external scan saw there; without one it is not applicable."""
    decl = write(tmp_path / "decl", {"svc.yaml": STALE_DECL + ELSEWHERE})
    key, elsewhere = ("EVD-002", "services/results-ftp"), ("EVD-002", "services/elsewhere")
    _, report, err = check(str(decl), "--evidence", str(_lab_scan_started(tmp_path, "2026-11-20")))
    evd = by_rule(report, "EVD-002")
    assert (evd[key]["status"], evd[key]["message"]) == (
        "pass",
        "declared Internet-exposed; the external scan of 2026-11-20 saw "
        "ftp.biolab-rhone.example:21 open",
    ), err
    assert (evd[elsewhere]["status"], evd[elsewhere]["message"]) == (
        "not_applicable",
        "no external scan covered www.elsewhere.example:443 (the host is in no external scan): "
        "its reachability from the Internet is not known",
    )
    _, report, err = check(str(decl), "--evidence", str(_lab_scan_started(tmp_path, "2024-11-20")))
    evd = by_rule(report, "EVD-002")
    assert (evd[key]["status"], evd[key]["message"]) == (
        "not_applicable",
        "only the external scan of 2024-11-20 covered ftp.biolab-rhone.example:21, older than "
        "EVD-004's limit of 30 days: a stale scan backs no pass; scan again from outside",
    ), err


ELSEWHERE = """\
  - id: elsewhere
    host: www.elsewhere.example
    port: 443
    protocol: https
    exposure: internet
"""


def test_a_udp_port_nmap_could_not_tell_from_open_backs_no_evd_002_pass(tmp_path: Path) -> None:
    """An SNMP agent declared internal, scanned from outside with -sU: nmap got no answer on
    its port (`open|filtered`, what an open agent ignoring the probe's community gives too),
    and EVD-002 passed it "covered and did not see it open". Not covered: not applicable. The
    port nmap found closed (an ICMP port unreachable) still backs a pass."""
    decl = write(tmp_path / "decl", {"d.yaml": """
        services:
          - {id: snmp-agent, host: 127.0.0.1, port: 16161, protocol: snmp, exposure: internal}
          - {id: snmp-gone, host: 127.0.0.1, port: 16162, protocol: snmp, exposure: internal}
        """})  # fmt: skip
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    text = (FIXTURES / "udp-open-filtered.xml").read_text()
    (evidence / "udp.xml").write_text(text.replace('start="1796534415"', 'start="1795158725"'))
    (evidence / "udp.xml.evidence").write_text("vantage: external\n")
    code, report, err = check(str(decl), "--evidence", str(evidence))
    assert code in (0, 1), err
    evd = by_rule(report, "EVD-002")
    agent, gone = evd[("EVD-002", "services/snmp-agent")], evd[("EVD-002", "services/snmp-gone")]
    assert agent["status"] == "not_applicable", agent["message"]
    assert agent["message"].startswith("no external scan covered 127.0.0.1:16161")
    assert (gone["status"], gone["message"]) == (
        "pass",
        "declared internal; the external scan of 2026-11-20 covered 127.0.0.1:16162 and did not "
        "see it open",
    )


PATCHED_FIREWALL = """
    firewalls:
      - {id: fw-edge-1, vendor: Fortinet, firmware: {product: FortiOS}, last_patch: 2026-09-01}
"""


def test_a_stale_kev_catalogue_backs_no_evd_009_pass(tmp_path: Path) -> None:
    """EVD-009 passed "no CISA KEV entry for Fortinet FortiOS left unreviewed since the last
    patch" on a catalogue of any age, though a catalogue cannot show what CISA added after its
    release: a pass resting on a two-year-old download. Past EVD-009's `max_catalogue_age_days`
    (14) it is not applicable, saying the catalogue's date and the limit."""
    decl = write(tmp_path / "decl", {"fw.yaml": PATCHED_FIREWALL})
    kev = str(FIXTURES / "kev.json")  # released 2026-11-26
    for as_of, status in (("2026-12-10", "pass"), ("2026-12-11", "not_applicable")):
        result = run_cli(["check", str(decl), "--evidence", kev, "--as-of", as_of,
                          "--format", "json", "--no-config"])  # fmt: skip
        assert result.exit_code in (0, 1), result.stderr
        (evd,) = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "EVD-009"]
        assert evd["status"] == status, (as_of, evd["message"])
    assert evd["message"] == (
        "the CISA KEV catalogue given was released on 2026-11-26, older than EVD-009's limit of "
        "14 days: the entries CISA added since are not in it, and a stale catalogue backs no "
        "pass; download it again from cisa.gov"
    )
    # An empty catalogue is no evidence either, and not "no catalogue given".
    empty = tmp_path / "empty.json"
    data = json.loads((FIXTURES / "kev.json").read_text())
    empty.write_text(json.dumps({**data, "count": 0, "vulnerabilities": []}))
    _, report, err = check(str(decl), "--evidence", str(empty))
    (evd,) = [f for f in report["findings"] if f["rule"] == "EVD-009"]
    assert (evd["status"], evd["message"]) == (
        "not_applicable",
        "the CISA KEV catalogue given lists no entry: an empty catalogue is no evidence; "
        "download it again from cisa.gov",
    ), err


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # The FortiOS entry listed again, added later: PAT-003's deadline would count from
        # whichever entry came first.
        (
            lambda entries: [*entries, {**entries[0], "dateAdded": "2026-11-20"}],
            "kev.json:49: CVE-2024-21762 is listed twice (line 8 and here): a catalogue CISA "
            "released lists a CVE once; download it again from cisa.gov",
        ),
        # An entry dated after the catalogue's release.
        (
            lambda entries: [{**entries[0], "dateAdded": "2026-12-01"}, *entries[1:]],
            "kev.json:8: CVE-2024-21762 was added on 2026-12-01, after the catalogue's release "
            "on 2026-11-26 (`dateReleased`): a catalogue lists no entry from its future; "
            "download it again from cisa.gov",
        ),
    ],
)
def test_an_implausible_kev_catalogue_is_refused(
    tmp_path: Path, change: Any, expected: str
) -> None:
    data = json.loads((FIXTURES / "kev.json").read_text())
    entries = change(data["vulnerabilities"])
    kev = tmp_path / "kev.json"
    data = {**data, "count": len(entries), "vulnerabilities": entries}
    kev.write_text(json.dumps(data, indent=2))
    decl = write(tmp_path / "decl", {"fw.yaml": PATCHED_FIREWALL})
    code, _, err = check(str(decl), "--evidence", str(kev))
    assert code == 2
    assert err.strip().endswith(expected), err


def test_a_scan_that_probed_no_port_passes_no_evd_004(tmp_path: Path) -> None:
    """An external scan of an empty target list (no <host>) passed EVD-004, "the external scan
    ran on 2026-11-20": a green monthly exposure scan (CaRE D1) that looked at nothing. So did
    a ping scan (-sn). Both fail now, saying why."""
    import re

    evidence = tmp_path / "ev"
    evidence.mkdir()
    text = (REPO / EVIDENCE / "scan-external.xml").read_text()
    (evidence / "empty.xml").write_text(re.sub(r"<host[ >].*?</host>\s*", "", text, flags=re.S))
    (evidence / "empty.xml.evidence").write_text("vantage: external\n")
    (evidence / "ping-sn.xml").write_bytes((FIXTURES / "ping-sn.xml").read_bytes())
    (evidence / "ping-sn.xml.evidence").write_text("vantage: internal\n")
    code, report, err = check(LAB, "--evidence", str(evidence))
    assert code == 1, err
    evd4 = {f["target"].rpartition("/")[2]: f for f in report["findings"] if f["rule"] == "EVD-004"}
    assert {name: f["status"] for name, f in evd4.items()} == {
        "empty.xml": "fail",
        "ping-sn.xml": "fail",
    }
    assert evd4["empty.xml"]["message"] == (
        "the external scan of 2026-11-20 probed no port of any host (0 in it, none up with a "
        "port whose state nmap could tell: an empty target list, a ping scan -sn, every host "
        "down or given up on): it shows nothing of what is exposed; check its targets and scan "
        "again"
    )
    assert evd4["ping-sn.xml"]["message"].startswith(
        "the internal scan of 2026-11-25 probed no port of any host (1 in it,"
    )


def test_a_host_nmap_gave_up_on_covers_no_port(tmp_path: Path) -> None:
    """tests/fixtures/evidence/host-timeout.xml: nmap 7.93's own `-sT -Pn -p 1-65535
    --host-timeout 50ms` of 127.0.0.1, which gave up on the host (`<host timedout="true">`,
    no port listed). The host counted as covering 1-65535 and as scanned: EVD-002 passed an
    internal database "covered and did not see it open", EVD-005 "was scanned", EVD-004 the
    scan. None of them passes now."""
    decl = write(tmp_path / "decl", {"d.yaml": """
        services:
          - {id: db, host: 127.0.0.1, port: 5432, protocol: postgresql, exposure: internal}
        """})  # fmt: skip
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    text = (FIXTURES / "host-timeout.xml").read_text()
    (evidence / "scan.xml").write_text(text.replace('start="1796535087"', 'start="1795158725"'))
    (evidence / "scan.xml.evidence").write_text("vantage: external\n")
    code, report, err = check(str(decl), "--evidence", str(evidence))
    assert code == 1, err
    statuses = {f["rule"]: f["status"] for f in report["findings"] if f["rule"] < "EVD-006"}
    assert {r: statuses[r] for r in ("EVD-002", "EVD-004", "EVD-005")} == {
        "EVD-002": "not_applicable",
        "EVD-004": "fail",
        "EVD-005": "fail",
    }
    (evd5,) = [f for f in report["findings"] if f["rule"] == "EVD-005"]
    assert evd5["message"] == (
        "127.0.0.1 appears only in scans that probed none of its ports (external scan of "
        "2026-11-20, nmap gave up on the host (--host-timeout)): a ping scan (-sn) or a host "
        "that did not answer says nothing of what it exposes"
    )


def test_stale_certificates_are_judged_alike_by_warm_cold_and_cacheless_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same declarations and ssl-cert scan evaluated on two dates, one cache kept across
    them: whether the scan is stale depends on the evaluation date and EVD-004's limit, never
    on what a previous run left in the cache."""
    decl = write(tmp_path / "decl", {"d.yaml": PORTAL_CERT_DECL % "2027-01-24"})
    evidence = tmp_path / "evidence"
    _ssl_cert_scan(evidence, "scan.xml", "2026-11-20")
    cache = tmp_path / "cache"
    outputs: dict[str, list[str]] = {}
    for as_of in ("2026-11-28", "2027-01-10", "2026-11-28"):
        args = ["check", str(decl), "--evidence", str(evidence), "--as-of", as_of,
                "--format", "json", "--no-config"]  # fmt: skip
        use_cache(monkeypatch, None)
        expected = run_cli(args).stdout
        use_cache(monkeypatch, cache)
        runs = [run_cli(args).stdout, run_cli(args).stdout]  # cold or kept, then warm
        assert runs == [expected, expected], as_of
        outputs.setdefault(as_of, []).append(expected)
    statuses = {
        as_of: {f["rule"]: f["status"] for f in json.loads(out[0])["findings"]
                if f["rule"] in CERT_RULES}
        for as_of, out in outputs.items()
    }  # fmt: skip
    assert statuses == {
        "2026-11-28": dict.fromkeys(CERT_RULES, "pass"),
        "2027-01-10": dict.fromkeys(CERT_RULES, "not_applicable"),
    }


OTHER_MACHINE = (
    " (a scan found the name localhost at 127.0.0.1, not among the addresses the service "
    "declares (127.0.0.2): that scan reached another machine, or `addresses` is out of date; "
    "correct `addresses`, or scan the declared address)"
)


def test_a_scan_of_the_name_at_an_undeclared_address_is_another_machine(
    tmp_path: Path,
) -> None:
    """A service declared `host: localhost` at `addresses: [127.0.0.2]`; the scan of the name
    found it at 127.0.0.1 (the scanner's DNS sent it to another machine, or the declared
    address is out of date). Every rule passed on that other machine: EVD-005 "localhost was
    scanned", EVD-003 "nginx as declared", EVD-001 "declared by services/portal". What a scan
    saw at an address the service does not declare is not the service: no match, and each
    finding says why (tests/fixtures/evidence/ptr-name.xml, the name given as scanned)."""
    text = BY_ADDRESS.replace("host: portal.test", "host: localhost").replace(
        "addresses: [127.0.0.1]", "addresses: [127.0.0.2]"
    )
    decl = write(tmp_path / "decl", {"svc.yaml": text})
    ev = tmp_path / "ev"
    ev.mkdir()
    by_name = (FIXTURES / "ptr-name.xml").read_text().replace('type="PTR"', 'type="user"')
    (ev / "scan.xml").write_text(by_name)
    (ev / "scan.xml.evidence").write_text("vantage: internal\n")
    code, report, err = check(str(decl), "--evidence", str(ev))
    assert code == 1, err
    evd = by_rule(report, "EVD-")
    coverage = evd[("EVD-005", "services/portal")]
    assert coverage["status"] == "fail"
    # "appears in none of the scans (…) (a scan found localhost …)" contradicted itself.
    said = coverage["message"]
    assert said.startswith(
        "localhost appears at none of its declared addresses (127.0.0.2) in the scans ("
    ), said
    assert said.endswith(f"/ev/scan.xml, internal, 2026-11-25){OTHER_MACHINE}"), said
    software = evd[("EVD-003", "services/portal")]
    assert software["status"] == "not_applicable" and software["message"].endswith(OTHER_MACHINE)
    port = evd[("EVD-001", "evidence_ports/localhost:18021/tcp@internal")]
    assert (port["status"], port["message"]) == (
        "fail",
        "port 18021/tcp is open on localhost (ftp vsftpd 3.0.3), seen from the internal scan of "
        "2026-11-25; no declared service has this host and port (services/portal declares this "
        "host name and port at 127.0.0.2, not at 127.0.0.1: the scanner reached another "
        "machine, or `addresses` is out of date)",
    )
    french = run_cli(["check", str(decl), "--evidence", str(ev), "--as-of", AS_OF, "--format",
                      "json", "--no-config", "--lang", "fr"])  # fmt: skip
    (evd5,) = [f for f in json.loads(french.stdout)["findings"]
               if (f["rule"], f["target"]) == ("EVD-005", "services/portal")]  # fmt: skip
    assert evd5["message"].startswith(
        "localhost ne figure à aucune de ses adresses déclarées (127.0.0.2) dans les scans ("
    ), evd5["message"]
    assert evd5["message"].endswith(
        "/ev/scan.xml, scan interne du 25 novembre 2026) (un scan a trouvé le nom "
        "localhost à l'adresse 127.0.0.1, hors des adresses que déclare le service (127.0.0.2) : "
        "ce scan a atteint une autre machine, ou `addresses` n'est plus à jour ; corriger "
        "`addresses`, ou scanner l'adresse déclarée)"
    ), evd5["message"]
    # The address declared among others: the scan is of the service, as before.
    text = text.replace("addresses: [127.0.0.2]", "addresses: [127.0.0.2, 127.0.0.1]")
    decl = write(tmp_path / "decl2", {"svc.yaml": text})
    code, report, err = check(str(decl), "--evidence", str(ev))
    evd = by_rule(report, "EVD-")
    assert evd[("EVD-005", "services/portal")]["message"] == (
        "localhost was scanned (internal scan of 2026-11-25)"
    ), err
    assert evd[("EVD-001", "evidence_ports/localhost:18021/tcp@internal")]["status"] == "pass"
