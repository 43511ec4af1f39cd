"""Greens that lied: dangerous declarations that passed rules, as a hostile or careless user
writes them (engineer A3's audit, session 13). Each case fails, or is refused, now; the
rules' inline cases hold the wording, these check the verdict end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from hdsguard.policies.celenv import is_placeholder
from tests.helpers import check_declaration, only_finding

check = check_declaration
finding = only_finding


# ------------------------------------------------------------------ placeholders


@pytest.mark.parametrize(
    "text", ["", "  ", "N/A", "n.a.", "TBD", "tbc", "-", "?", "...", "none", "None", "(none)",
             "xxx", "À définir", "a definir", "à compléter", "Néant", "inconnu", "Unknown"],
)  # fmt: skip
def test_placeholders_are_recognised(text: str) -> None:
    assert is_placeholder(text)


@pytest.mark.parametrize(
    "text", ["HDS-2025-0193", "Direction du numérique", "US: CLOUD Act", "Nadia", "NA1"]
)
def test_values_are_not_placeholders(text: str) -> None:
    assert not is_placeholder(text)


PLACEHOLDERS = """
organisation:
  name: CH Valmont
  security_officer: {name: "N/A", email: rssi@ch-valmont.example}
providers:
  - id: p1
    name: Host
    hds: {certificate: "TBD", valid_until: 2027-12-31, transparency_url: "https://h.example/t"}
    storage_countries: [FR]
    remote_access_countries: [FR, IN]
    transfer_mechanism: scc
    third_country_laws: ["none"]
systems:
  - {id: s1, name: S, health_data: true, hosted_by: p1}
  - {id: s2, name: S2, health_data: true, backup: {encrypted: true, provider: p1}}
services:
  - {id: web, protocol: https, exposure: internet, owner: "TBD", purpose: " n/a "}
vendors:
  - id: v1
    name: V
    processes_personal_data: true
    stores_health_data: true
    hds: {certificate: "", valid_until: 2027-12-31}
    subprocessors: [{name: "-", country: FR, authorised: true}]
  - {id: v2, name: W, stores_health_data: true, hosted_by: p1}
"""


@pytest.mark.parametrize(
    ("rule", "target", "says"),
    [
        ("HDS-001", "providers/p1", '`hds.certificate` is "TBD", a placeholder'),
        ("VND-002", "vendors/v1", "`hds.certificate` is blank"),
        ("HDS-008", "providers/p1", 'its `third_country_laws` is ["none"], which names no law'),
        ("EXP-006", "services/web", '`owner` is "TBD", a placeholder'),
        ("GOV-002", "organisation", 'name is "N/A" (`security_officer.name`), a placeholder'),
        ("VND-004", "vendors/v1", '`name: "-"`, a placeholder, in FR'),
        # A certificate numbered "TBD" was quoted as "HDS certificate TBD is valid until…".
        ("HDS-002", "providers/p1", '`hds.certificate` is "TBD", a placeholder'),
        ("HDS-003", "providers/p1", '`hds.certificate` is "TBD", a placeholder'),
        ("HDS-004", "providers/p1", '`hds.certificate` is "TBD", a placeholder'),
        ("HDS-005", "providers/p1", '`hds.certificate` is "TBD", a placeholder'),
        ("HDS-003", "vendors/v1", "`hds.certificate` is blank: no HDS certificate of V"),
        ("BKP-005", "systems/s2", 'Host does not count: its number `hds.certificate` is "TBD"'),
        ("VND-002", "vendors/v2", 'Host does not count: its number `hds.certificate` is "TBD"'),
    ],
)
def test_a_placeholder_is_not_evidence(tmp_path: Path, rule: str, target: str, says: str) -> None:
    result = check(tmp_path, PLACEHOLDERS)
    found = finding(result, rule, target)
    assert found["status"] == "fail", found
    assert says in found["message"]


@pytest.mark.parametrize(
    ("rule", "target", "says"),
    [
        ("HDS-003", "providers/p1", "`hds.certificate` vaut « TBD », une valeur d'attente"),
        ("BKP-005", "systems/s2", "Host ne vaut pas : son numéro `hds.certificate` vaut « TBD »"),
        ("VND-002", "vendors/v2", "Host ne vaut pas : son numéro `hds.certificate` vaut « TBD »"),
    ],
)
def test_a_placeholder_number_is_no_certificate_in_french_too(
    tmp_path: Path, rule: str, target: str, says: str
) -> None:
    found = finding(check(tmp_path, PLACEHOLDERS, "--lang", "fr"), rule, target)
    assert found["status"] == "fail", found
    assert says in found["message"]


# ------------------------------------------------------------------ contacts that reach nobody


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("tbd@tbd", "its local part or domain is a placeholder"),
        ("x@example.com", "its local part or domain is a placeholder"),
        ("rssi@n/a", "its local part or domain is a placeholder"),
        ("rssi@intranet", "its domain has no dot"),
        ("rssi@localhost", "its domain is reserved"),
        ("rssi@ch.localhost", "its domain is reserved"),
        ("rssi@ch-valmont.invalid", "its domain is reserved"),
        ("rssi@ch-valmont.test", "its domain is reserved"),
    ],
)
def test_an_address_that_reaches_nobody_is_no_contact(
    tmp_path: Path, address: str, why: str
) -> None:
    text = f"""
organisation:
  name: CH Valmont
  kind: hospital
  security_officer: {{name: Claire Dumesnil, email: "{address}"}}
  dpo: {{name: Thomas Leroux, email: "{address}"}}
  gdpr: {{public_body: true, large_scale_health_data: true, record_of_processing: 2026-06-30}}
"""
    result = check(tmp_path, text)
    for rule, says in [
        ("GOV-002", f"{address} (`security_officer.email`), which reaches nobody: {why}"),
        ("GOV-009", f"`dpo.email` is {address}, which reaches nobody: {why}"),
    ]:
        found = finding(result, rule, "organisation")
        assert found["status"] == "fail", found
        assert says in found["message"]
    french = finding(check(tmp_path, text, "--lang", "fr"), "GOV-002", "organisation")
    assert f"est {address} (`security_officer.email`), qui ne joint personne" in french["message"]


@pytest.mark.parametrize("address", ["rssi@ch-valmont.fr", "rssi@ch-valmont.example"])
def test_an_ordinary_address_is_a_contact(tmp_path: Path, address: str) -> None:
    text = f"organisation: {{name: O, security_officer: {{name: Claire, email: {address}}}}}"
    assert finding(check(tmp_path, text), "GOV-002", "organisation")["status"] == "pass"


# ------------------------------------------------------------------ the ARS report, by kind


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("health_software_vendor", "pass"),
        ("other", "pass"),
        ("hospital", "fail"),
        ("medical_laboratory", "fail"),
        ("medico_social", "fail"),
        (None, "fail"),
    ],
)
def test_the_ars_report_is_asked_of_care_organisations_only(
    tmp_path: Path, kind: str | None, status: str
) -> None:
    # A software editor was asked for the ARS / CERT Santé report (CSP L.1111-8-2 binds
    # health establishments and care organisations); the CNIL part stays asked of every kind.
    line = f"\n  kind: {kind}" if kind else ""
    text = f"""
organisation:
  name: O{line}
  incident_procedure: {{ars_cert_sante: false, cnil_72h: true, register: true}}
"""
    found = finding(check(tmp_path, text), "GOV-004", "organisation")
    assert found["status"] == status, found
    cnil = text.replace("cnil_72h: true", "cnil_72h: false")
    found = finding(check(tmp_path, cnil), "GOV-004", "organisation")
    assert found["status"] == "fail"
    assert "(`incident_procedure.cnil_72h: false`)" in found["message"]


# ------------------------------------------------------------------ off-site at the same site


OFFSITE = """
providers:
  - {id: cloud, name: Cloud Santé}
  - {id: bk, name: Backup Co}
systems:
  - {id: same, name: S, health_data: true, hosted_by: cloud, site: Paris-1,
     backup: {offline_or_immutable: true, offsite: true, provider: cloud, site: " PARIS-1"}}
  - {id: elsewhere, name: E, health_data: true, hosted_by: cloud, site: Paris-1,
     backup: {offline_or_immutable: true, offsite: true, provider: cloud, site: Roubaix}}
  - {id: word, name: W, health_data: true, hosted_by: cloud,
     backup: {offline_or_immutable: true, offsite: true, provider: cloud}}
  - {id: other, name: O, health_data: true, hosted_by: cloud,
     backup: {offline_or_immutable: true, offsite: true, provider: bk}}
"""


def test_a_copy_at_the_systems_own_site_is_not_off_site(tmp_path: Path) -> None:
    result = check(tmp_path, OFFSITE)
    same = finding(result, "BKP-003", "systems/same")
    assert same["status"] == "fail", same
    says = "is kept at PARIS-1 (`backup.site`), the very site where the system runs"
    assert says in same["message"]
    assert same["line"] == 6  # the copy's `site`, what to fix
    elsewhere = finding(result, "BKP-003", "systems/elsewhere")
    assert elsewhere["status"] == "pass"
    assert "at Roubaix, not at Paris-1 where the system runs" in elsewhere["message"]
    # Nothing disproves `offsite: true` here: the pass says what it rests on.
    word = finding(result, "BKP-003", "systems/word")
    assert word["status"] == "pass"
    says = "on the declaration's word alone, since the copy is kept by providers/cloud, the"
    assert says in word["message"]
    other = finding(result, "BKP-003", "systems/other")
    assert other["status"] == "pass"
    assert "declaration's word" not in other["message"]
    french = finding(check(tmp_path, OFFSITE, "--lang", "fr"), "BKP-003", "systems/word")
    assert "sur la seule foi de la déclaration" in french["message"]


# ------------------------------------------------------------------ MFA without authentication


MFA_WITHOUT_AUTHENTICATION = """
services:
  - {id: admin, protocol: ssh, exposure: internet, via: bastion, role: admin,
     authentication: none, mfa: true}
  - {id: vpn, protocol: openvpn, exposure: internet, role: remote_access,
     authentication: anonymous, mfa: true}
"""


@pytest.mark.parametrize(
    ("rule", "target"),
    [("EXP-004", "services/admin"), ("EXP-005", "services/admin"), ("EXP-005", "services/vpn")],
)
def test_mfa_beside_no_authentication_is_no_mfa(tmp_path: Path, rule: str, target: str) -> None:
    found = finding(check(tmp_path, MFA_WITHOUT_AUTHENTICATION), rule, target)
    assert found["status"] == "fail", found
    assert "declares `mfa: true` but `authentication:" in found["message"]


def test_site_to_site_peers_spelled_loosely_restrict_nothing(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        """
        services:
          - {id: t1, protocol: ipsec, exposure: partner, role: site_to_site,
             authentication: certificate, peers: [" any "]}
          - {id: t2, protocol: ipsec, exposure: partner, role: site_to_site,
             authentication: certificate, peers: [""]}
        """,
    )
    assert finding(result, "EXP-005", "services/t1")["status"] == "fail"
    assert finding(result, "EXP-005", "services/t2")["status"] == "fail"


# ------------------------------------------------------------------ firewall rules


@pytest.mark.parametrize(
    "rule",
    [
        '{from: " any", to: all, port: 0-65535, action: allow}',
        '{from: "ANY ", to: "0/0", action: allow}',
        "{from: any4, to: any6, action: allow}",
        '{from: "0.0.0.0/0.0.0.0", to: "::0/0", action: allow}',
        '{from: "", to: any, action: allow}',
    ],
)
def test_an_any_to_any_rule_however_spelled_fails(tmp_path: Path, rule: str) -> None:
    result = check(tmp_path, f"firewalls:\n  - id: fw\n    rules:\n      - {rule}\n")
    assert finding(result, "FW-004", "firewalls/fw")["status"] == "fail"


# ------------------------------------------------------------------ zero delays


def test_zero_hours_or_days_in_a_contract_bound_nothing(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        """
        providers:
          - {id: p1, name: Host, contract: {breach_notice_hours: 0}}
        vendors:
          - {id: v1, name: Editor, supplies_software: true, processes_personal_data: false,
             contract: {patch_sla: {critical_days: 0, high_days: 30}}}
        """,
    )
    assert finding(result, "VND-006", "providers/p1")["status"] == "fail"
    assert finding(result, "VND-008", "vendors/v1")["status"] == "fail"


# ------------------------------------------------------------------ organisation-wide MFA


def test_a_declared_service_without_mfa_disproves_the_identity_statement(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        """
        identity: {mfa_admin: true, mfa_remote: true}
        services:
          - {id: vcenter, protocol: https, exposure: internal, role: admin, mfa: false}
          - {id: vpn, protocol: wireguard, exposure: partner, mfa: false}
        """,
    )
    found = finding(result, "IAM-001", "identity")
    assert found["status"] == "fail", found
    assert "the administration service services/vcenter declares `mfa: false`" in found["message"]
    assert "the remote access service services/vpn (wireguard, partner)" in found["message"]


def test_zero_hours_in_the_nis2_procedure_bound_nothing(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        """
        organisation:
          name: CH Valmont
          kind: hospital
          incident_procedure: {ars_cert_sante: true}
          nis2: {category: essential, registered: 2025-11-03, early_warning_hours: 0,
                 notification_hours: 72, final_report_days: 30}
        """,
    )
    found = finding(result, "GOV-008", "organisation")
    assert found["status"] == "fail", found
    assert "`nis2.early_warning_hours` is 0" in found["message"]
