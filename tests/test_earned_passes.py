"""Issue 11: a pass must be earned. End-to-end checks of the classes of false passes closed
(the rules' own inline cases hold the per-rule pass / fail / boundary cases)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import AS_OF, findings_of, run_cli, write


def check(tmp_path: Path, text: str, as_of: str = AS_OF) -> Any:
    write(tmp_path, {"decl.yaml": text})
    return run_cli(["check", str(tmp_path / "decl.yaml"), "--as-of", as_of, "--format", "json"])


def status(result: Any, rule: str, target: str) -> str:
    found = [f for f in findings_of(result) if f["rule"] == rule and f["target"] == target]
    assert len(found) == 1, (rule, target, result.stdout)
    return str(found[0]["status"])


# ------------------------------------------------------------------ (10) country codes


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        ("UK", "did you mean 'GB' (United Kingdom)?"),
        ("EL", "did you mean 'GR' (Greece)?"),
        ("fr", "did you mean 'FR' (France)?"),
        # ISO 3166-1 alpha-3 codes and country names, English or French (CLDR), any case,
        # accents and punctuation aside: a hint, never a silent conversion.
        ("FRA", "did you mean 'FR' (France)?"),
        ("mar", "did you mean 'MA' (Morocco)?"),
        ("France", "did you mean 'FR' (France)?"),
        ("Maroc", "did you mean 'MA' (Morocco)?"),
        ("Morocco", "did you mean 'MA' (Morocco)?"),
        ("Royaume-Uni", "did you mean 'GB' (United Kingdom)?"),
        ("Etats-Unis", "did you mean 'US' (United States)?"),
        ("Allemagne", "did you mean 'DE' (Germany)?"),
        ("EU", "'EU' is not a country"),
        ("XX", "'XX' is not an officially assigned ISO 3166-1 alpha-2 country code"),
        ("XK", "'XK' is not an officially assigned"),
    ],
)
def test_country_codes_are_iso_3166_alpha_2(tmp_path: Path, code: str, hint: str) -> None:
    result = check(
        tmp_path,
        f"""
        vendors:
          - id: v1
            name: V
            country: {code}
        """,
    )
    assert result.exit_code == 2
    assert f"decl.yaml:4:14: vendors/v1.country: '{code}' is not" in result.stderr
    assert hint in result.stderr
    assert "Traceback" not in result.stderr


def test_country_names_get_a_hint_in_french_runs(tmp_path: Path) -> None:
    write(tmp_path, {"decl.yaml": "vendors:\n  - {id: v1, name: V, country: Tunisie}\n"})
    args = ["check", str(tmp_path / "decl.yaml"), "--as-of", AS_OF, "--lang", "fr"]
    result = run_cli(args)
    assert result.exit_code == 2
    assert "decl.yaml:2:32: vendors/v1.country" in result.stderr
    assert "vouliez-vous dire 'TN' (Tunisie) ?" in result.stderr


def test_country_codes_in_lists_and_sub_processors_are_checked(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        """
        providers:
          - {id: p, name: P, storage_countries: [FR, UK], remote_access_countries: [XX]}
        vendors:
          - {id: v, name: V, country: FR, subprocessors: [{name: S, country: EU}]}
        """,
    )
    assert result.exit_code == 2
    assert "providers/p.storage_countries[1]: 'UK'" in result.stderr
    assert "providers/p.remote_access_countries[0]: 'XX'" in result.stderr
    assert "vendors/v.subprocessors[0].country: 'EU' is not a country" in result.stderr


def test_a_real_country_code_is_accepted(tmp_path: Path) -> None:
    result = check(tmp_path, "vendors: [{id: v, name: V, country: GB}]\n")
    assert result.exit_code in (0, 1), result.stderr


# ------------------------------------------------------------------ (8) exposure


@pytest.mark.parametrize(
    ("service", "rule", "expected"),
    [
        ("{id: s, protocol: ftp, exposure: partner, via: direct}", "EXP-001", "fail"),
        ("{id: s, protocol: ftp, exposure: partner, via: vpn}", "EXP-001", "not_applicable"),
        ("{id: s, protocol: rsync, exposure: internet}", "EXP-001", "fail"),
        ("{id: s, protocol: nfs, exposure: internet, via: direct}", "EXP-003", "fail"),
        (
            "{id: s, protocol: smb, exposure: internet, via: reverse_proxy,"
            " authentication: password, mfa: false}",
            "EXP-003",
            "fail",
        ),
        (
            "{id: s, protocol: smb, exposure: internet, via: reverse_proxy,"
            " authentication: password, mfa: true}",
            "EXP-003",
            "pass",
        ),
        ("{id: s, protocol: rdp, exposure: partner, via: direct}", "EXP-003", "fail"),
        ("{id: s, protocol: ftp, exposure: partner, authentication: anonymous}", "EXP-002", "fail"),
    ],
)
def test_partner_exposure_and_proxies(
    tmp_path: Path, service: str, rule: str, expected: str
) -> None:
    result = check(tmp_path, f"services:\n  - {service}\n")
    assert status(result, rule, "services/s") == expected


# ------------------------------------------------------------------ (9) strong authentication


def test_internet_access_to_health_data_with_a_password_alone_fails(tmp_path: Path) -> None:
    text = """
    systems: [{id: portal, name: Portal, health_data: true}]
    services:
      - {id: web, system: portal, protocol: https, exposure: internet,
         authentication: password, mfa: %s}
    """
    assert status(check(tmp_path, text % "false"), "EXP-007", "services/web") == "fail"
    assert status(check(tmp_path, text % "true"), "EXP-007", "services/web") == "pass"


# ------------------------------------------------------------------ false fail: site-to-site


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("authentication: certificate, peers: [198.51.100.7/32]", "pass"),
        ("authentication: password, peers: [198.51.100.7/32]", "fail"),
        ("authentication: certificate, peers: [any]", "fail"),
        ("authentication: certificate", "fail"),
    ],
)
def test_site_to_site_ipsec_needs_certificates_and_peers_not_mfa(
    tmp_path: Path, fields: str, expected: str
) -> None:
    result = check(
        tmp_path,
        f"services:\n  - {{id: t, protocol: ipsec, exposure: internet, role: site_to_site,"
        f" {fields}}}\n",
    )
    assert status(result, "EXP-005", "services/t") == expected


# ------------------------------------------------------------------ (2) vulnerability inventories


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("", "fail"),  # no inventory at all: missing evidence, not "nothing to report"
        # The declared list is the evidence domain.md asks for; the review date is read when
        # declared (docs/fidelity.md, "Where the contract reads two ways").
        ("vulnerabilities: []", "pass"),
        ("vulnerabilities: [], vulnerabilities_reviewed: 2026-11-14", "pass"),  # 14 days
        ("vulnerabilities: [], vulnerabilities_reviewed: 2026-11-13", "fail"),  # 15 days (PAT-003)
    ],
)
def test_an_internet_facing_gateway_declares_its_vulnerability_status(
    tmp_path: Path, fields: str, expected: str
) -> None:
    extra = f", {fields}" if fields else ""
    result = check(
        tmp_path,
        f"firewalls: [{{id: fortigate, internet_facing: true, last_patch: 2026-11-01{extra}}}]\n",
    )
    assert status(result, "PAT-003", "firewalls/fortigate") == expected
    if expected == "pass":
        assert status(result, "PAT-002", "firewalls/fortigate") == "pass"


# ------------------------------------------------------------------ (4), (5) transfers


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("country: US", "fail"),
        ("country: US, dpf_certified: false", "fail"),
        ("country: US, dpf_certified: true", "pass"),
        ("country: US, transfer_mechanism: scc", "pass"),
        ("country: MA, health_data_access: true, transfer_mechanism: derogation", "fail"),
        ("country: MA, transfer_frequency: occasional, transfer_mechanism: derogation", "warn"),
        # Art. 49 never covers systematic transfers: declared so, or routine processing of
        # health data (storing it, or having access to it), whatever frequency is declared.
        ("country: MA, transfer_frequency: systematic, transfer_mechanism: derogation", "fail"),
        ("country: MA, stores_health_data: true, transfer_mechanism: derogation", "fail"),
        (
            "country: MA, health_data_access: true, transfer_frequency: occasional,"
            " transfer_mechanism: derogation",
            "fail",
        ),
        # Nothing says the transfers are systematic: the derogation may hold, so a warning,
        # neither a pass nor a failure (domain.md: "`derogation` warns").
        ("country: MA, transfer_mechanism: derogation", "warn"),
        ("country: MA, health_data_access: false, transfer_mechanism: derogation", "warn"),
    ],
)
def test_partial_adequacy_and_derogations(tmp_path: Path, fields: str, expected: str) -> None:
    result = check(
        tmp_path,
        f"vendors: [{{id: v, name: V, processes_personal_data: true, subprocessors: [],"
        f" {fields}}}]\n",
    )
    assert status(result, "VND-003", "vendors/v") == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            "rely on a GDPR art. 49 derogation, which covers only occasional transfers:"
            " `transfer_frequency` is not declared, so nothing shows they are occasional;"
            " declare it on vendors/v (`occasional` or `systematic`); put standard contractual"
            " clauses or binding corporate rules in place",
        ),
        (
            "fr",
            "reposent sur une dérogation de l'art. 49 du RGPD, qui ne couvre que des transferts"
            " occasionnels : `transfer_frequency` n'est pas déclaré, rien ne montre donc qu'ils"
            " sont occasionnels ; déclarez-le pour vendors/v (`occasional` ou `systematic`) ;"
            " mettez en place des clauses contractuelles types",
        ),
    ],
)
def test_a_derogation_of_undeclared_frequency_says_what_to_declare(
    tmp_path: Path, lang: str, expected: str
) -> None:
    write(
        tmp_path,
        {
            "decl.yaml": "vendors: [{id: v, name: V, country: MA, processes_personal_data: true,"
            " subprocessors: [], transfer_mechanism: derogation}]\n"
        },
    )
    path = str(tmp_path / "decl.yaml")
    result = run_cli(["check", path, "--as-of", AS_OF, "--format", "json", "--lang", lang])
    [finding] = [f for f in findings_of(result) if f["rule"] == "VND-003"]
    assert finding["status"] == "warn"
    assert expected in finding["message"]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("country: FR", "fail"),  # in the EEA, but its sub-processors may not be
        ("country: CH, transfer_mechanism: none", "fail"),
        ("country: MA, transfer_mechanism: scc", "pass"),  # SCC cover any transfer
        ("country: FR, transfer_mechanism: bcr", "pass"),
    ],
)
def test_an_undeclared_subprocessor_list_is_missing_evidence(
    tmp_path: Path, fields: str, expected: str
) -> None:
    # "Vendor or sub-processor outside the EEA": without the list, a pass would be unearned.
    result = check(
        tmp_path, f"vendors: [{{id: v, name: V, processes_personal_data: true, {fields}}}]\n"
    )
    assert status(result, "VND-003", "vendors/v") == expected


def test_us_remote_access_of_a_host_needs_dpf_certification(tmp_path: Path) -> None:
    text = """
    providers:
      - {id: p, name: P, remote_access_countries: [US]%s}
    systems: [{id: s, name: S, health_data: true, hosted_by: p}]
    """
    assert status(check(tmp_path, text % ""), "HDS-007", "providers/p") == "fail"
    assert (
        status(check(tmp_path, text % ", dpf_certified: true"), "HDS-007", "providers/p") == "pass"
    )


# ------------------------------------------------------------------ (6), (7) certificate holders


VENDOR_HDS = """
vendors:
  - id: v
    name: Télé-Consult
    stores_health_data: true
    hds: {certificate: HDS-V, certifier: LNE, activities: [1, 2, 3, 4, 5, 6], referential: "%s",
          valid_from: 2024-10-01, valid_until: 2027-09-30%s}
"""


@pytest.mark.parametrize(
    ("referential", "extra", "rule", "expected"),
    [
        ("v1.1", "", "HDS-005", "fail"),
        ("v2", "", "HDS-005", "pass"),
        ("v2", "", "HDS-004", "fail"),  # no surveillance audit in the two years since 2024-10-01
        ("v2", ", last_surveillance_audit: 2026-10-01", "HDS-004", "pass"),
        ("v2", "", "HDS-008", "fail"),  # no transparency page
        ("v2", ", transparency_url: 'https://t.example/hds'", "HDS-008", "pass"),
        ("v2", "", "HDS-003", "pass"),
        ("v2", "", "HDS-002", "pass"),
    ],
)
def test_a_vendors_own_certificate_gets_every_hds_check(
    tmp_path: Path, referential: str, extra: str, rule: str, expected: str
) -> None:
    result = check(tmp_path, VENDOR_HDS % (referential, extra))
    assert status(result, rule, "vendors/v") == expected


@pytest.mark.parametrize(
    ("hds", "expected"),
    [
        ("{certificate: H, certifier: LNE, valid_until: 2026-11-28}", "pass"),  # last valid day
        ("{certificate: H, valid_until: 2026-11-27}", "fail"),  # expired: not held any more
        ("{certificate: H, valid_from: 2026-11-29, valid_until: 2029-11-28}", "fail"),
        ("{certificate: H}", "fail"),  # validity unknown: nothing shows it is held
    ],
)
def test_a_certificate_is_held_only_while_valid(tmp_path: Path, hds: str, expected: str) -> None:
    # HDS-001 said "holds an HDS certificate" of an expired one while HDS-003 failed it; the
    # same holder's two verdicts now agree, and a vendor's own certificate is read the same
    # way by VND-002.
    text = f"providers: [{{id: p, name: P, hds: {hds}}}]\n"
    text += "systems: [{id: s, name: S, health_data: true, hosted_by: p}]\n"
    text += f"vendors: [{{id: v, name: V, stores_health_data: true, hds: {hds}}}]\n"
    result = check(tmp_path, text)
    assert status(result, "HDS-001", "providers/p") == expected
    assert status(result, "VND-002", "vendors/v") == expected
    # HDS-003 warns on the last valid day (fewer than 90 days left): still held.
    validity = "warn" if expected == "pass" else "fail"
    assert status(result, "HDS-003", "providers/p") == validity
    assert status(result, "HDS-003", "vendors/v") == validity
    if expected == "pass":
        [finding] = [f for f in findings_of(result) if f["rule"] == "HDS-001"]
        assert "holds HDS certificate H (LNE), valid until 2026-11-28, for" in finding["message"]


def test_an_expired_certificate_says_when_and_points_at_hds_003(tmp_path: Path) -> None:
    text = "providers: [{id: p, name: P, hds: {certificate: H, valid_until: 2026-09-30}}]\n"
    text += "systems: [{id: s, name: S, health_data: true, hosted_by: p}]\n"
    [finding] = [f for f in findings_of(check(tmp_path, text)) if f["rule"] == "HDS-001"]
    assert finding["message"].startswith(
        "HDS certificate H of P expired on 2026-09-30, 59 days before 2026-11-28: an expired"
        " certificate is not held, so P hosts health data for the organisation without"
        " certification: system s (hosted) (see HDS-003"
    )
    assert finding["line"] == 1  # at hds.valid_until, the field that decides


def test_hosting_chains_follow_what_each_party_does(tmp_path: Path) -> None:
    iaas = "{id: iaas, name: I, services: [iaas], hds: {certificate: H, activities: [1, 2, 3],"
    iaas += " valid_until: 2028-01-01}}"
    saas = "{id: s, name: S, stores_health_data: true, hosted_by: iaas}"
    result = check(tmp_path, f"providers: [{iaas}]\nvendors: [{saas}]\n")
    assert status(result, "VND-002", "vendors/s") == "fail"  # nobody certified for 4, 5, 6
    msp = "{id: msp, name: M, services: [managed_services], hds: {certificate: H, activities: [5]}}"
    backed = "{id: lims, name: L, health_data: true, backup: {provider: msp}}"
    result = check(tmp_path, f"providers: [{msp}]\nsystems: [{backed}]\n")
    assert status(result, "HDS-002", "providers/msp") == "fail"  # backups are activity 6


# ------------------------------------------------------------------ NIS2 and the ARS


NIS2 = "nis2: {category: %s, registered: 2025-11-03, early_warning_hours: 24,"
NIS2 += " notification_hours: 72, final_report_days: 30}"


@pytest.mark.parametrize(
    ("kind", "category", "procedure", "expected"),
    [
        # CSP L.1111-8-2 binds health and medico-social establishments, not software vendors.
        ("health_software_vendor", "important", "", "pass"),
        ("health_software_vendor", "important", "incident_procedure: {ars_cert_sante: false}",
         "pass"),
        ("other", "important", "", "pass"),
        ("medical_laboratory", "important", "", "fail"),  # evidence missing
        ("medico_social", "important", "incident_procedure: {ars_cert_sante: false}", "fail"),
        ("", "important", "", "fail"),  # kind unknown: asked
        ("hospital", "essential", "incident_procedure: {ars_cert_sante: true}", "pass"),
        # `not_concerned` is taken at its word only where it can hold.
        ("hospital", "not_concerned", "incident_procedure: {ars_cert_sante: true}", "fail"),
        ("ght", "not_concerned", "incident_procedure: {ars_cert_sante: true}", "fail"),
        ("imaging_centre", "not_concerned", "", "not_applicable"),
        ("health_software_vendor", "not_concerned", "", "not_applicable"),
    ],
)  # fmt: skip
def test_nis2_reporting_follows_the_obligation_of_the_kind(
    tmp_path: Path, kind: str, category: str, procedure: str, expected: str
) -> None:
    lines = ["organisation:", "  name: O", f"  {NIS2 % category}"]
    lines += [f"  kind: {kind}"] if kind else []
    lines += [f"  {procedure}"] if procedure else []
    result = check(tmp_path, "\n".join(lines) + "\n")
    assert status(result, "GOV-008", "organisation") == expected


# ------------------------------------------------------------------ implausible delays


@pytest.mark.parametrize(
    ("days", "expected"), [(0, "fail"), (1, "pass"), (90, "pass"), (91, "fail")]
)
def test_inactive_accounts_disabled_after_0_days_is_not_a_pass(
    tmp_path: Path, days: int, expected: str
) -> None:
    # 0 is the strictest value on paper, but in many directory tools it means "never disable".
    result = check(tmp_path, f"identity: {{inactive_disable_days: {days}}}")
    assert status(result, "IAM-004", "identity") == expected
    (finding,) = [f for f in findings_of(result) if f["rule"] == "IAM-004"]
    assert (finding["line"], finding["column"]) == (1, 12)
    if days == 0:
        assert "`identity.inactive_disable_days` is 0: not a plausible delay" in finding["message"]
        assert '0 means "never disable"' in finding["message"]
        assert "at most 90" in finding["message"]


# ------------------------------------------------------------------ an empty firewall rule set


def test_an_empty_firewall_rule_set_is_not_a_pass(tmp_path: Path) -> None:
    # `rules: []` shows no rule at all: FW-004 cannot tell that no any-to-any rule exists,
    # like an absent rule set, rather than passing with "0 rules declared, none allows...".
    result = check(
        tmp_path,
        """
        firewalls:
          - id: fw-1
            rules: []
        """,
    )
    assert status(result, "FW-004", "firewalls/fw-1") == "fail"
    assert "the rule set is declared empty (`rules: []`)" in result.stdout


# ------------------------------------------------------------------ a protocol declared `other`


@pytest.mark.parametrize(
    ("port", "tls", "expected"),
    [
        (8021, "", "fail"),
        (8021, ', tls: {min_version: "1.2"}', "pass"),
        (21, "", "fail"),
        # On the port of ftp, imap or pop3, TLS may be the explicit, optional upgrade: warn.
        (21, ', tls: {min_version: "1.2"}', "warn"),
        # On the port of telnet or http, `other` with TLS contradicts the port.
        (23, ', tls: {min_version: "1.2"}', "fail"),
        (80, ', tls: {min_version: "1.2"}', "fail"),
    ],
)
def test_an_internet_service_declared_other_is_no_evidence_of_encryption(
    tmp_path: Path, port: int, tls: str, expected: str
) -> None:
    # EXP-001 passed `protocol: other` on port 21 "over other, which is not a cleartext
    # protocol": `other` says nothing of encryption; only a declared `tls` block does. Then
    # it passed `other` with a `tls` block on port 23 or 80: the port says what answers.
    result = check(
        tmp_path,
        f"""
        services:
          - {{id: legacy, protocol: other, exposure: internet, port: {port}{tls}}}
        """,
    )
    assert status(result, "EXP-001", "services/legacy") == expected
