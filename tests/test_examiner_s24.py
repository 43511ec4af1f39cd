"""The examiner's twenty-fourth session: messages that asserted what the declaration does not
say, and what probing organisations not tried before (a GHT, a health software vendor, JSON
declaration sets) found. Each case here failed, or read otherwise, before its fix; the cases
that pin a verdict found right say why."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import check_declaration, findings_of, only_finding

check = check_declaration
finding = only_finding


# ------------------------------------ EXP-*: a partner service is not "over the Internet"

# A partner link on a private address: nothing in it says the Internet carries it. The
# verdicts follow the catalogue (partner exposure outside a VPN counts as Internet exposure);
# the messages say what is declared: partners, outside a VPN, and how they reach it.
PARTNER = """
services:
  - {id: ftp-lab, protocol: ftp, host: 10.0.5.3, port: 21, exposure: partner, via: direct,
     role: file_transfer, authentication: password}
  - {id: admin, protocol: https, host: 10.0.5.4, port: 443, exposure: partner, via: direct,
     role: admin, authentication: password, mfa: false}
  - {id: admin-vpn, protocol: https, host: 10.0.5.5, port: 443, exposure: partner, via: vpn,
     role: admin, authentication: password, mfa: true}
  - {id: pacs, protocol: dicom, host: 10.0.5.6, port: 104, exposure: partner, via: direct,
     role: other, authentication: certificate}
"""


def _messages(tmp_path: Path, *lang: str) -> dict[tuple[str, str], str]:
    result = check(tmp_path, PARTNER, *lang)
    # A not-applicable finding says why the rule is out of scope ("not reachable from the
    # Internet": partners through a VPN), which is true.
    findings = [f for f in findings_of(result) if f["status"] != "not_applicable"]
    return {(f["rule"], f["target"]): f["message"] for f in findings}


def test_partner_messages_do_not_say_the_internet(tmp_path: Path) -> None:
    found = _messages(tmp_path)
    for (rule, target), message in found.items():
        if rule.startswith("EXP-") and target.startswith("services/"):
            assert "over the Internet" not in message, (rule, target, message)
            assert "from the Internet" not in message, (rule, target, message)
    assert found["EXP-001", "services/ftp-lab"] == (
        "ftp is a cleartext protocol and the service is exposed to partners outside a VPN "
        "(10.0.5.3, port 21, reached directly): credentials and data travel unencrypted over "
        "networks the organisation does not control"
    )
    assert found["EXP-004", "services/admin"].startswith(
        "the administration interface (https on 10.0.5.4) is reached by partners directly; it "
        "may be reached by partners only through a VPN or through a bastion; the "
        "administration interface (https on 10.0.5.4) is reachable by partners without"
    )
    assert found["EXP-004", "services/admin-vpn"] == (
        "administration interface reached by partners only through a VPN, with MFA"
    )
    assert found["EXP-003", "services/pacs"].startswith(
        "dicom is a high-risk protocol and the service is exposed to partners directly "
        "(10.0.5.6, port 104); it may be reached by partners only through"
    )
    assert found["EXP-002", "services/pacs"].startswith(
        "exposed to partners outside a VPN with `authentication: certificate`"
    )
    assert found["EXP-007", "services/pacs"].startswith(
        "dicom service reachable by partners outside a VPN gives access to health data"
    )


def test_partner_messages_do_not_say_the_internet_in_french(tmp_path: Path) -> None:
    found = _messages(tmp_path, "--lang", "fr")
    for (rule, target), message in found.items():
        if rule.startswith("EXP-") and target.startswith("services/"):
            assert "à travers Internet" not in message, (rule, target, message)
            assert "depuis Internet" not in message, (rule, target, message)
    assert found["EXP-001", "services/ftp-lab"] == (
        "ftp est un protocole en clair et le service est exposé aux partenaires hors VPN "
        "(10.0.5.3, port 21, joint directement) : identifiants et données traversent sans "
        "chiffrement des réseaux que l'organisation ne maîtrise pas"
    )
    assert found["EXP-004", "services/admin-vpn"] == (
        "interface d'administration joignable par des partenaires uniquement par un VPN, avec "
        "authentification multifacteur"
    )


@pytest.mark.parametrize("rule", ["EXP-001", "EXP-004"])
def test_internet_exposure_keeps_its_words(tmp_path: Path, rule: str) -> None:
    # Pinned: only the partner wording changed.
    text = PARTNER.replace("exposure: partner", "exposure: internet")
    target = "services/ftp-lab" if rule == "EXP-001" else "services/admin"
    found = finding(check(tmp_path, text), rule, target)
    assert "the Internet" in found["message"], found


# ---------------------------------------------- VND-003: the evidence a pass rests on, art. 49

VENDORS = """
vendors:
  - {id: dicta, name: DictaCloud Inc, country: US, processes_personal_data: true,
     dpf_certified: true, subprocessors: []}
  - {id: scribe, name: Scribe, country: FR, processes_personal_data: true,
     transfer_mechanism: scc, subprocessors: [{name: CloudCo, country: US, dpf_certified: true},
     {name: Typist, country: MA}]}
  - {id: maroc, name: Scribe Maroc, country: MA, processes_personal_data: true,
     transfer_mechanism: none, subprocessors: []}
  - {id: inde, name: Scribe Inde, country: IN, processes_personal_data: true, subprocessors: []}
  - {id: tunis, name: Scribe Tunis, country: TN, processes_personal_data: true,
     transfer_mechanism: derogation, subprocessors: []}
"""


def test_vnd003_a_pass_on_the_us_decision_names_the_data_privacy_framework(
    tmp_path: Path,
) -> None:
    # Passed as "processes the data in the EEA or in countries with an adequacy decision":
    # the US decision covers only DPF-certified recipients, the evidence the pass rests on.
    found = finding(check(tmp_path, VENDORS), "VND-003", "vendors/dicta")
    assert found["status"] == "pass"
    assert found["message"] == (
        "DictaCloud Inc (US) processes the data in the EEA or in countries with an adequacy "
        "decision; the US adequacy decision covers DictaCloud Inc only as certified under the "
        "EU-US Data Privacy Framework (`dpf_certified: true`)"
    )
    found = finding(check(tmp_path, VENDORS), "VND-003", "vendors/scribe")
    assert found["status"] == "pass"
    assert found["message"].endswith(
        "; the US adequacy decision covers sub-processor CloudCo only as certified under the "
        "EU-US Data Privacy Framework (`dpf_certified: true`)"
    ), found["message"]
    french = finding(check(tmp_path, VENDORS, "--lang", "fr"), "VND-003", "vendors/dicta")
    assert french["message"].endswith(
        " ; la décision d'adéquation (US) ne couvre DictaCloud Inc qu'au titre de sa "
        "certification Data Privacy Framework UE–États-Unis (`dpf_certified: true`)"
    ), french["message"]


@pytest.mark.parametrize(
    ("target", "status", "art49"),
    [("maroc", "fail", False), ("inde", "fail", False), ("tunis", "warn", True)],
)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_vnd003_remediation_names_art49_only_for_a_declared_derogation(
    tmp_path: Path, target: str, status: str, art49: bool, lang: str
) -> None:
    # The remediation told every vendor "While a GDPR art. 49 derogation is relied on…",
    # untrue of one that declares `none` or no mechanism.
    found = finding(check(tmp_path, VENDORS, "--lang", lang), "VND-003", f"vendors/{target}")
    assert found["status"] == status, found
    assert ("art. 49" in found["remediation"]) is art49, found["remediation"]


# ------------------------------- VND-005, GOV-011: what an undeclared field is counted as

MINIMAL = """
organisation: {name: Clinique du Parc, kind: clinic}
systems:
  - {id: dpi, name: DPI}
  - {id: paie, name: Paie, health_data: false}
vendors:
  - {id: scribe, name: Scribe}
"""


def test_vnd005_does_not_say_an_undeclared_access_is_one(tmp_path: Path) -> None:
    # Read "although it can access health data" of a vendor that does not say whether it can.
    found = finding(check(tmp_path, MINIMAL), "VND-005", "vendors/scribe")
    assert found["status"] == "fail"
    assert "although it may access health data;" in found["message"], found["message"]
    assert "can access health data;" not in found["message"].split("; no audit")[1]
    french = finding(check(tmp_path, MINIMAL, "--lang", "fr"), "VND-005", "vendors/scribe")
    assert "alors qu'il peut avoir accès à des données de santé ;" in french["message"]


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        (
            "en",
            "2 systems declared, 1 of them holding health data or counted so (1 does not declare "
            "`health_data`)",
        ),
        (
            "fr",
            "2 systèmes déclarés, dont 1 détenant des données de santé ou comptés comme tels (1 "
            "ne déclare pas `health_data`)",
        ),
    ],
)
def test_gov011_says_which_systems_only_count_as_holding_health_data(
    tmp_path: Path, lang: str, message: str
) -> None:
    # Read "1 of them holding health data" of a system that does not say it holds any: it
    # counts as holding it (every rule reads it so), which the pass now says.
    found = finding(check(tmp_path, MINIMAL, "--lang", lang), "GOV-011", "organisation")
    assert found["status"] == "pass"
    assert found["message"] == message, found["message"]


def test_gov011_a_partner_service_speaking_tls_is_not_said_to_be_on_the_internet(
    tmp_path: Path,
) -> None:
    # Read "1 service reachable from the Internet speaks TLS" of a partner link.
    text = MINIMAL + (
        "services:\n  - {id: api, system: dpi, protocol: https, host: 10.0.5.3,"
        " exposure: partner, via: direct}\n"
    )
    found = finding(check(tmp_path, text), "GOV-011", "organisation")
    assert found["status"] == "fail"
    assert (
        "yet 1 service reachable from the Internet or by partners outside a VPN speaks TLS "
        "(services/api)" in found["message"]
    ), found["message"]


# ---------------------------- PAT-003: a failure names the contradictions of its own dates

VULNERABLE = """
services:
  - id: lab-link
    protocol: https
    host: 10.0.5.3
    exposure: partner
    via: direct
    vulnerabilities:
      - {cve: CVE-2026-1234, cvss: 9.8, published: 2026-11-01, kev: false}
      - {cve: CVE-2027-0001, cvss: 9.1, published: 2026-11-01, kev: true, kev_added: 2026-10-01}
"""


def test_pat003_failure_names_the_contradicted_dates_it_counts_from(tmp_path: Path) -> None:
    # The failure said "CVE-2027-0001 (CVSS 9.1), published 2026-11-01, is still open … 27
    # days later" and nothing of the contradictions, whose warning a failure hides: a reader
    # fixing it took the dates for sound.
    found = finding(check(tmp_path, VULNERABLE), "PAT-003", "services/lab-link")
    assert found["status"] == "fail"
    message = found["message"]
    assert (
        "CVE-2027-0001, known exploited (added to the CISA KEV catalogue 2026-10-01; declared "
        "before its `published` 2026-11-01: one of the two dates is wrong; its id is of 2027, "
        "after its `published` 2026-11-01: the id or the date is wrong), is still open"
    ) in message, message
    assert (
        "CVE-2027-0001 (CVSS 9.1), published 2026-11-01 (a date its `kev_added` 2026-10-01 "
        "precedes and its id, of 2027, follows: the deadline runs from a date that may be "
        "wrong), is still open"
    ) in message, message
    # Pinned: the sound entry reads as before.
    assert "CVE-2026-1234 (CVSS 9.8), published 2026-11-01, is still open" in message
    # A partner link is not said to face the Internet (the catalogue's reading stays).
    assert "service exposed to partners outside a VPN: CVE-2026-1234" in message
    assert "Internet" not in message


def test_pat003_failure_names_the_contradicted_dates_in_french(tmp_path: Path) -> None:
    found = finding(check(tmp_path, VULNERABLE, "--lang", "fr"), "PAT-003", "services/lab-link")
    assert (
        "publiée le 1er novembre 2026 (une date que précède son `kev_added` (1er octobre 2026) "
        "et que suit l'année de son identifiant (2027) : le délai court à partir d'une date "
        "peut-être fausse)"
    ) in found["message"], found["message"]
    assert "service exposé aux partenaires hors VPN : CVE-2026-1234" in found["message"]
