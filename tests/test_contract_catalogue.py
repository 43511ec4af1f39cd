"""The rule catalogue read as its outside tester reads it: one test per statement of the
product contract (the declaration format and the catalogue's table) that hdsguard once read
otherwise, run end to end through the command line with a declaration written from scratch.
docs/fidelity.md ("Where the contract reads two ways") records each reading."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers import AS_OF, findings_of, run_cli, write


def check(tmp_path: Path, text: str) -> Any:
    write(tmp_path, {"decl.yaml": text})
    return run_cli(["check", str(tmp_path / "decl.yaml"), "--as-of", AS_OF, "--format", "json"])


def status(result: Any, rule: str, target: str) -> str:
    found = [f for f in findings_of(result) if f["rule"] == rule and f["target"] == target]
    assert len(found) == 1, (rule, target, result.stdout)
    return str(found[0]["status"])


def test_tls_002_warns_30_days_before_not_after(tmp_path: Path) -> None:
    # Catalogue: TLS-002 "Certificate not expired; warn 30 days before". On 2026-11-28 a
    # certificate whose last valid day is 2026-12-28 is 30 days before its expiry.
    result = check(
        tmp_path,
        """
        certificates:
          - {id: at-30, not_before: 2026-10-01, not_after: 2026-12-28}
          - {id: at-31, not_before: 2026-10-01, not_after: 2026-12-29}
        """,
    )
    assert status(result, "TLS-002", "certificates/at-30") == "warn"
    assert status(result, "TLS-002", "certificates/at-31") == "pass"


# ------------------------------------------ partner exposure: reachable from the Internet

PARTNER = """
services:
  - id: partner-admin
    protocol: https
    exposure: partner
    via: direct
    role: admin
    authentication: password
    mfa: true
  - id: hl7-in
    protocol: hl7
    exposure: partner
    via: direct
    role: api
    authentication: certificate
    vulnerabilities_reviewed: 2026-11-25
    vulnerabilities: [{cve: CVE-2026-8002, cvss: 9.1, published: 2026-11-12, kev: false}]
"""


def test_exp_004_an_admin_interface_partners_reach_directly_is_reachable_from_the_internet(
    tmp_path: Path,
) -> None:
    # Catalogue: EXP-004 "No administration interface reachable from the Internet … deny
    # unless via vpn/bastion with MFA". A partner reaches it over the Internet (EXP-001 and
    # EXP-003 already read `partner` so); it was "not applicable".
    result = check(tmp_path, PARTNER)
    assert status(result, "EXP-004", "services/partner-admin") == "fail"


def test_exp_006_every_exposed_service_partner_exposed_included_has_an_owner(
    tmp_path: Path,
) -> None:
    # Catalogue: EXP-006 "Every exposed service has an owner and purpose".
    result = check(tmp_path, PARTNER)
    assert status(result, "EXP-006", "services/hl7-in") == "fail"


def test_pat_003_a_partner_service_outside_a_vpn_is_internet_facing(tmp_path: Path) -> None:
    # Catalogue: PAT-003 "Internet-facing critical within 15 days": a CVSS 9.1 open 16 days on
    # a service partners reach directly over the Internet.
    result = check(tmp_path, PARTNER)
    assert status(result, "PAT-003", "services/hl7-in") == "fail"


# ------------------------------- the catalogue's evidence suffices; more is read when declared

CLEAN_AS_THE_CATALOGUE_WRITES_IT = """
identity: {mfa_admin: true}
logging: {centralised: true, ntp: true, transport_encrypted: true}
providers:
  - {id: host, name: Host, contract: {hds_clauses: true}}
systems:
  - {id: dpi, name: DPI, health_data: true, hosted_by: host}
vendors:
  - {id: scribe, name: Scribe, processes_personal_data: true, contract: {dpa: true}}
"""


def test_iam_001_passes_on_mfa_for_administrative_access(tmp_path: Path) -> None:
    # Catalogue: IAM-001 "MFA for all administrative access | identity | required".
    result = check(tmp_path, CLEAN_AS_THE_CATALOGUE_WRITES_IT)
    assert status(result, "IAM-001", "identity") == "pass"


def test_log_001_passes_on_centralised_synchronised_encrypted_logs(tmp_path: Path) -> None:
    # Catalogue: LOG-001 "Logs centralised, time-synchronised, encrypted in transit".
    result = check(tmp_path, CLEAN_AS_THE_CATALOGUE_WRITES_IT)
    assert status(result, "LOG-001", "logging") == "pass"


def test_hds_009_passes_on_contract_hds_clauses(tmp_path: Path) -> None:
    # Catalogue: HDS-009 "Hosting contract holds the R.1111-11 clauses | `contract.hds_clauses`".
    result = check(tmp_path, CLEAN_AS_THE_CATALOGUE_WRITES_IT)
    assert status(result, "HDS-009", "providers/host") == "pass"


def test_vnd_001_passes_on_contract_dpa(tmp_path: Path) -> None:
    # Catalogue: VND-001 "Vendor processing personal data has a GDPR art. 28 contract |
    # `contract.dpa`".
    result = check(tmp_path, CLEAN_AS_THE_CATALOGUE_WRITES_IT)
    assert status(result, "VND-001", "vendors/scribe") == "pass"


def test_the_extra_clauses_and_traces_still_fail_when_declared_missing(tmp_path: Path) -> None:
    # What the rules read beyond the catalogue's evidence is a declared weakness when false.
    result = check(
        tmp_path,
        """
        identity: {mfa_admin: true, mfa_remote: false}
        logging: {centralised: true, ntp: true, transport_encrypted: true,
                  remote_access_traces_centralised: false}
        providers:
          - {id: host, name: Host, contract: {hds_clauses: true, reversibility: false}}
        systems:
          - {id: dpi, name: DPI, health_data: true, hosted_by: host}
        vendors:
          - {id: scribe, name: Scribe, processes_personal_data: true,
             contract: {dpa: true, audit_right: false}}
        """,
    )
    assert status(result, "IAM-001", "identity") == "fail"
    assert status(result, "LOG-001", "logging") == "fail"
    assert status(result, "HDS-009", "providers/host") == "fail"
    assert status(result, "VND-001", "vendors/scribe") == "fail"


# --------------------------------- PAT-002 / PAT-003: the inventory is the evidence (domain.md)


def test_pat_002_a_critical_vulnerability_exactly_30_days_old_passes(tmp_path: Path) -> None:
    # Catalogue: PAT-002 "Critical vulnerabilities (CVSS ≥ 9) fixed within 30 days of
    # publication"; format.md: an age limit of N days holds at exactly N days. The declared
    # inventory is the evidence ("an absent inventory … is missing evidence"), with or without
    # the date of the review behind it.
    result = check(
        tmp_path,
        """
        services:
          - id: at-30
            protocol: https
            exposure: internal
            vulnerabilities: [{cve: CVE-2026-1, cvss: 9.8, published: 2026-10-29, kev: false}]
          - id: at-31
            protocol: https
            exposure: internal
            vulnerabilities: [{cve: CVE-2026-2, cvss: 9.8, published: 2026-10-28, kev: false}]
          - {id: nothing-open, protocol: https, exposure: internal, vulnerabilities: []}
          - {id: no-inventory, protocol: https, exposure: internal}
        """,
    )
    assert status(result, "PAT-002", "services/at-30") == "pass"
    assert status(result, "PAT-002", "services/at-31") == "fail"
    assert status(result, "PAT-002", "services/nothing-open") == "pass"
    assert status(result, "PAT-002", "services/no-inventory") == "fail"


def test_pat_003_a_kev_entry_exactly_14_days_after_listing_passes(tmp_path: Path) -> None:
    # Catalogue: PAT-003 "Known-exploited vulnerabilities fixed within 14 days of KEV listing".
    result = check(
        tmp_path,
        """
        services:
          - id: at-14
            protocol: https
            exposure: internal
            vulnerabilities: [{cve: CVE-2026-3, cvss: 7.5, published: 2026-09-01, kev: true,
                               kev_added: 2026-11-14}]
          - id: at-15
            protocol: https
            exposure: internal
            vulnerabilities: [{cve: CVE-2026-4, cvss: 7.5, published: 2026-09-01, kev: true,
                               kev_added: 2026-11-13}]
          - id: stale-review
            protocol: https
            exposure: internal
            vulnerabilities: []
            vulnerabilities_reviewed: 2026-10-01
        """,
    )
    assert status(result, "PAT-003", "services/at-14") == "pass"
    assert status(result, "PAT-003", "services/at-15") == "fail"
    # The date of the review, when declared, is read: a stale one fails.
    assert status(result, "PAT-003", "services/stale-review") == "fail"


# ------------------------------- VND-002: "keeps it at a certified provider", down the chain

VENDOR_AT = """
providers:
  - id: host
    name: SantéCloud
{services}
    hds: {{certificate: HDS-2025-0193, certifier: LNE, activities: {activities}, referential: v2,
           valid_from: 2025-03-01, valid_until: 2028-02-28}}
vendors:
  - {{id: scribe, name: Scribe, country: FR, stores_health_data: true, hosted_by: host}}
"""


def vendor_at(tmp_path: Path, activities: str, services: str = "") -> Any:
    return check(tmp_path, VENDOR_AT.format(activities=activities, services=services))


def test_vnd_002_passes_a_vendor_kept_at_a_provider_certified_for_every_activity(
    tmp_path: Path,
) -> None:
    # Catalogue: VND-002 "Vendor storing health data is HDS-certified or keeps it at a
    # certified provider". A host certified for the six activities hosts it all, whether or
    # not it says what is bought from it (HDS-002 asks the host for its `services`).
    assert status(vendor_at(tmp_path, "[1, 2, 3, 4, 5, 6]"), "VND-002", "vendors/scribe") == "pass"
    for bought in ("[saas]", "[managed_services]", "[iaas, paas, managed_services, backup]"):
        result = vendor_at(tmp_path, "[1, 2, 3, 4, 5, 6]", f"    services: {bought}")
        assert status(result, "VND-002", "vendors/scribe") == "pass", bought


def test_vnd_002_still_fails_a_vendor_that_operates_on_an_infrastructure_host(
    tmp_path: Path,
) -> None:
    # Issue 11: nobody certified operates the application (activity 5) on an IaaS.
    result = vendor_at(tmp_path, "[1, 2, 3]")
    assert status(result, "VND-002", "vendors/scribe") == "fail"
    assert status(result, "HDS-002", "providers/host") == "fail"  # its `services` are missing
    result = vendor_at(tmp_path, "[1, 2, 3, 4, 5, 6]", "    services: [iaas]")
    assert status(result, "VND-002", "vendors/scribe") == "fail"


def test_vnd_002_follows_the_chain_below_the_host(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        """
        providers:
          - {id: msp, name: InfoSanté, services: [managed_services], hosted_by: iaas,
             hds: {certificate: HDS-M, certifier: LNE, activities: [5, 6], valid_until: 2028-01-01}}
          - {id: iaas, name: CloudSanté, services: [iaas, paas],
             hds: {certificate: HDS-I, certifier: LNE, activities: [1, 2, 3, 4],
                   valid_until: 2028-01-01}}
        vendors:
          - {id: scribe, name: Scribe, stores_health_data: true, hosted_by: msp}
        """,
    )
    assert status(result, "VND-002", "vendors/scribe") == "pass"
