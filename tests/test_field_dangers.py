"""Every field of the format contract (format.md), its dangerous value, a verdict that moves.

``tests/test_fields_read.py`` checks that a field's NAME appears in some policy: a name can
appear and still decide nothing (read in an applicability condition only, compared with the
wrong value, read on one section and not on another that has the same field). Here each field
of the contract gets the value the regulatory brief makes dangerous (false where true is
required, an old date, a future date for a past event, a missing block, a non-EEA country,
``none`` / ``derogation``, a weak TLS version, a long duration…), applied to an otherwise clean
and fully evidenced target of ``examples/hospital`` (which passes every rule), and the test
asserts that the rules listed for it leave ``pass`` (or ``not_applicable``) for ``fail`` or
``warn`` on that target, or that the input is refused with a located error (exit 2,
``file:line:column``). A field with no dangerous value is listed in :data:`NO_DANGER` with why.

A row's ``moves`` is the EXACT set of rules that leave pass on its target, so that rows can
share a run: a list item is cloned under a fresh id (``portail-patient-https-d7``) and changed
there, next to an unchanged control clone (``…-c7``, its context applied) that must move
nothing; the singletons and the two providers are changed in place, and rows on one target
share a run only when their rule sets are disjoint (one row can then not hide another's
unread field). ``HDSGUARD_FIELD_DANGERS_ALONE=1`` runs every row alone instead, to check the
sets (the packing relies on them).
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from hdsguard.declarations.model import DeclarationFile
from tests.helpers import AS_OF, REPO, run_cli
from tests.test_fields_read import fields

pytestmark = pytest.mark.xdist_group("field_dangers")

HOSPITAL = REPO / "examples" / "hospital"
OLD = "2024-01-10"  # older than every age limit of the catalogue
FUTURE = "2026-12-20"  # after the evaluation date (2026-11-28)
DROP = object()  # a patch value: remove the key


@dataclass(frozen=True)
class Row:
    """One field, its dangerous value and the rules it moves on its target."""

    place: str  # the field, as format.md places it (section.block.field)
    section: str
    base: str | None  # the list item cloned, or None for a singleton
    patch: dict[str, Any]  # dotted path (list indexes as numbers) -> value, or DROP
    moves: frozenset[str] = frozenset()  # exact; empty when the input is refused
    context: dict[str, Any] = field(default_factory=dict)  # applied to both clones first
    add: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # extra items, {n}
    target: str | None = None  # another target than the clone ({n}: the row's number)
    refused: str | None = None  # a word the located error names (exit 2)


def r(
    place: str,
    base: str | None,
    patch: dict[str, Any],
    moves: str = "",
    **kw: Any,
) -> Row:
    return Row(place, place.split(".")[0], base, patch, frozenset(moves.split()), **kw)


PORTAL = "portail-patient-https"  # internet, https, via reverse_proxy, role web
DICOM = "pacs-dicom"  # partner, dicom, via vpn
VPN = "vpn-nomade"  # internet, ipsec, remote_access
DPI_WEB = "dpi-web"  # internal https
EDGE = "fw-perimetre-1"  # internet-facing firewall
CORE = "fw-coeur-1"  # internal firewall
EDITOR = "editeur-dpi"  # personal data, health data access, no storage; TN and US subprocessors
TRANSCRIPTION = "transcription-seine"  # stores health data at santecloud
TELECONSULT = "teleconsult"  # stores health data under its own hds block
SANTECLOUD = "santecloud"  # hosts dpi's backups, gam, portail-patient
IMAGERIE = "imagerie-cloud"  # remote access from MA under SCC
CRITICAL_VULN = {"cve": "CVE-2026-9001", "cvss": 9.8, "published": "2026-09-01", "kev": False}
NEW_CRITICAL = {"cve": "CVE-2026-9002", "cvss": 9.8, "published": "2026-11-08", "kev": False}
NO_HDS_PROVIDER = {
    "id": "bare-{n}",
    "name": "Bare",
    "services": ["backup", "iaas"],
    "storage_countries": ["FR"],
}
EXPIRED_CERT = {
    "id": "old-cert-{n}",
    "subject": "old.example",
    "not_before": "2025-10-01",
    "not_after": "2026-10-31",
    "public": True,
    "signature_algorithm": "sha256WithRSAEncryption",
}
HDS_BLOCKS = (  # section, holder, its name, and what no / a void / a lapsed certificate moves
    (
        "providers",
        SANTECLOUD,
        "SantéCloud France",
        "HDS-001 HDS-008",
        "HDS-001 HDS-002 HDS-003 HDS-004 HDS-005 HDS-008",
        "HDS-001 HDS-002 HDS-003 HDS-008",
    ),
    (
        "vendors",
        TELECONSULT,
        "TéléSanté Normandie",
        "VND-002",
        "HDS-002 HDS-003 HDS-004 HDS-005 VND-002",
        "HDS-002 HDS-003 VND-002",
    ),
)
CONTRACTS = (  # section, holder, what no contract / a missing clause / no objection delay moves
    ("providers", SANTECLOUD, "HDS-009 VND-006", "HDS-009", "HDS-009"),
    ("vendors", EDITOR, "VND-001 VND-006 VND-008", "VND-001", "VND-004"),
)


def _hds_rows() -> Iterator[Row]:
    """The `hds` block, field by field, on a provider AND on a vendor holding its own."""
    for section, base, holder, gone, void, lapsed in HDS_BLOCKS:
        place = f"{section}.hds"
        yield r(place, base, {"hds": DROP}, gone)
        yield r(f"{place}.certificate", base, {"hds.certificate": DROP}, void)
        # Whether a body is accredited cannot be checked offline (EVD-010 reads the ANS
        # registry): the dangerous values are a missing certifier and the holder itself.
        yield r(f"{place}.certifier", base, {"hds.certifier": DROP}, void)
        yield r(f"{place}.certifier", base, {"hds.certifier": holder}, void)
        # A vendor's own certificate short of the six activities fails VND-002 too: both
        # rules read the same need (activities_needed), twentieth session.
        scope = "HDS-002" if section == "providers" else "HDS-002 VND-002"
        yield r(f"{place}.activities", base, {"hds.activities": [1, 2]}, scope)
        yield r(f"{place}.referential", base, {"hds.referential": "v1.1"}, "HDS-005")
        yield r(f"{place}.valid_from", base, {"hds.valid_from": "2024-01-01"}, refused="valid_from")
        yield r(f"{place}.valid_until", base, {"hds.valid_until": "2026-11-01"}, lapsed)
        yield r(
            f"{place}.last_surveillance_audit",
            base,
            {"hds.last_surveillance_audit": "2025-06-01"},
            "HDS-004",
        )
        yield r(f"{place}.transparency_url", base, {"hds.transparency_url": DROP}, "HDS-008")


def _contract_rows() -> Iterator[Row]:
    """The `contract` block, field by field, on a provider AND on a vendor."""
    for section, base, gone, clause, objection in CONTRACTS:
        place = f"{section}.contract"
        yield r(place, base, {"contract": DROP}, gone)
        yield r(f"{place}.signed", base, {"contract.signed": FUTURE}, refused="signed")
        yield r(f"{place}.dpa", base, {"contract.dpa": False}, clause)
        yield r(
            f"{place}.breach_notice_hours", base, {"contract.breach_notice_hours": 96}, "VND-006"
        )
        yield r(f"{place}.audit_right", base, {"contract.audit_right": False}, clause)
        yield r(f"{place}.reversibility", base, {"contract.reversibility": False}, clause)
        if section == "providers":
            yield r(f"{place}.hds_clauses", base, {"contract.hds_clauses": False}, "HDS-009")
        yield r(f"{place}.objection_days", base, {"contract.objection_days": 0}, objection)
        yield r(
            f"{place}.patch_sla.critical_days",
            base,
            {"contract.patch_sla": {"critical_days": 120, "high_days": 60}},
            "VND-008",
        )
        yield r(
            f"{place}.patch_sla.high_days",
            base,
            {"contract.patch_sla": {"critical_days": 15, "high_days": 365}},
            "VND-008",
        )
    # A vendor that stores health data under its own certificate is a host (CSP R.1111-11).
    yield r("vendors.contract.hds_clauses", TELECONSULT, {"contract.hds_clauses": False}, "VND-002")


def _vulnerability_rows() -> Iterator[Row]:
    """`vulnerabilities` on services AND on firewalls."""
    # A critical flaw open past 15 days also fails PAT-003 on the Internet-facing portal.
    for section, base, moved in (
        ("services", PORTAL, "PAT-002 PAT-003"),
        ("firewalls", CORE, "PAT-002"),
    ):
        place = f"{section}.vulnerabilities"
        yield r(place, base, {"vulnerabilities": DROP}, "PAT-002 PAT-003")
        yield r(
            f"{place}.cvss",
            base,
            {"vulnerabilities.0.cvss": 9.8},
            moved,
            context={"vulnerabilities": [{**CRITICAL_VULN, "cvss": 7.5}]},
        )
        yield r(
            f"{place}.published",
            base,
            {"vulnerabilities.0.published": "2026-08-01"},
            moved,
            context={"vulnerabilities": [{**CRITICAL_VULN, "published": "2026-11-20"}]},
        )
        yield r(
            f"{place}.published",
            base,
            {"vulnerabilities.0.published": FUTURE},
            refused="published",
            context={"vulnerabilities": [CRITICAL_VULN]},
        )
        yield r(
            f"{place}.kev",
            base,
            {"vulnerabilities.0.kev": True, "vulnerabilities.0.kev_added": "2026-10-01"},
            "PAT-003",
            context={"vulnerabilities": [{**CRITICAL_VULN, "cvss": 6.5}]},
        )
        yield r(
            f"{place}.kev_added",
            base,
            {"vulnerabilities.0.kev_added": "2026-10-01"},
            "PAT-003",
            context={
                "vulnerabilities": [
                    {**CRITICAL_VULN, "cvss": 6.5, "kev": True, "kev_added": "2026-11-25"}
                ]
            },
        )


ROWS: tuple[Row, ...] = (
    # ---- organisation ----
    r("organisation.finess.ej", None, {"finess.ej": "760003989"}, "GOV-001"),
    r("organisation.finess.et", None, {"finess.et.1": "760051838"}, "GOV-001"),
    r("organisation.security_officer", None, {"security_officer": DROP}, "GOV-002"),
    r("organisation.security_officer.name", None, {"security_officer.name": DROP}, "GOV-002"),
    r("organisation.security_officer.email", None, {"security_officer.email": DROP}, "GOV-002"),
    r("organisation.dpo", None, {"dpo": DROP}, "GOV-009"),
    r("organisation.dpo.name", None, {"dpo.name": DROP}, "GOV-009"),
    r("organisation.dpo.email", None, {"dpo.email": DROP}, "GOV-009"),
    r(
        "organisation.security_policy_reviewed",
        None,
        {"security_policy_reviewed": "2022-05-02"},
        "GOV-003",
    ),
    r("organisation.risk_analysis", None, {"risk_analysis": "2025-06-01"}, "GOV-003"),
    r(
        "organisation.last_security_audit",
        None,
        {"last_security_audit": FUTURE},
        refused="last_security_audit",
    ),
    r("organisation.last_pentest", None, {"last_pentest": FUTURE}, refused="last_pentest"),
    r(
        "organisation.last_security_audit",
        None,
        {"last_security_audit": OLD, "last_pentest": OLD},
        "GOV-006",
    ),
    r("organisation.last_exposure_scan", None, {"last_exposure_scan": "2026-08-01"}, "EXP-006"),
    r("organisation.continuity_plan", None, {"continuity_plan": DROP}, "GOV-005"),
    r("organisation.continuity_plan.exists", None, {"continuity_plan.exists": False}, "GOV-005"),
    r(
        "organisation.continuity_plan.business_impact_analysis",
        None,
        {"continuity_plan.business_impact_analysis": False},
        "GOV-005",
    ),
    r(
        "organisation.continuity_plan.last_test",
        None,
        {"continuity_plan.last_test": OLD},
        "GOV-005",
    ),
    r("organisation.incident_procedure", None, {"incident_procedure": DROP}, "GOV-004 GOV-008"),
    r(
        "organisation.incident_procedure.ars_cert_sante",
        None,
        {"incident_procedure.ars_cert_sante": False},
        "GOV-004 GOV-008",
    ),
    r(
        "organisation.incident_procedure.cnil_72h",
        None,
        {"incident_procedure.cnil_72h": False},
        "GOV-004",
    ),
    r(
        "organisation.incident_procedure.register",
        None,
        {"incident_procedure.register": False},
        "GOV-004",
    ),
    # ---- identity ----
    r("identity.mfa_admin", None, {"mfa_admin": False}, "IAM-001"),
    r("identity.mfa_remote", None, {"mfa_remote": False}, "IAM-001"),
    r(
        "identity.default_credentials_changed",
        None,
        {"default_credentials_changed": False},
        "IAM-003",
    ),
    r(
        "identity.admin_workstations_internet",
        None,
        {"admin_workstations_internet": True},
        "IAM-006",
    ),
    r("identity.admin_accounts", None, {"admin_accounts": DROP}, "IAM-002"),
    r("identity.admin_accounts.dedicated", None, {"admin_accounts.dedicated": False}, "IAM-002"),
    r("identity.admin_accounts.individual", None, {"admin_accounts.individual": False}, "IAM-002"),
    r("identity.inactive_disable_days", None, {"inactive_disable_days": 180}, "IAM-004"),
    r("identity.active_directory", None, {"active_directory": DROP}, "IAM-005 IAM-007"),
    r(
        "identity.active_directory.krbtgt_last_reset",
        None,
        {"active_directory.krbtgt_last_reset": "2025-09-01"},
        "IAM-005",
    ),
    r("identity.active_directory.ads_level", None, {"active_directory.ads_level": 2}, "IAM-005"),
    r(
        "identity.active_directory.ads_level",
        None,
        {"active_directory.ads_level": 6},
        refused="ads_level",
    ),
    # ---- logging ----
    r("logging.centralised", None, {"centralised": False}, "LOG-001"),
    r("logging.ntp", None, {"ntp": False}, "LOG-001"),
    r("logging.transport_encrypted", None, {"transport_encrypted": False}, "LOG-001"),
    r("logging.health_data_access_logged", None, {"health_data_access_logged": False}, "LOG-003"),
    r(
        "logging.remote_access_traces_centralised",
        None,
        {"remote_access_traces_centralised": False},
        "LOG-001",
    ),
    r("logging.retention_days", None, {"retention_days": 90}, "LOG-002"),
    r("logging.retention_days", None, {"retention_days": 200}, "LOG-002"),
    r("logging.last_access_review", None, {"last_access_review": OLD}, "LOG-003"),
    # ---- providers (changed in place: their rules read the systems they host) ----
    r(
        "providers.services",
        IMAGERIE,
        {"services": ["saas", "backup", "colocation"]},
        "HDS-002",
        context={"hds.activities": [3, 4, 5, 6]},
    ),
    *_hds_rows(),
    r(
        "providers.storage_countries",
        SANTECLOUD,
        {"storage_countries": ["FR", "US"]},
        "HDS-006 HDS-008",
    ),
    r("providers.storage_countries", SANTECLOUD, {"storage_countries": DROP}, "HDS-006"),
    r(
        "providers.remote_access_countries",
        SANTECLOUD,
        {"remote_access_countries": ["FR", "IN"]},
        "HDS-007 HDS-008",
    ),
    r("providers.transfer_mechanism", IMAGERIE, {"transfer_mechanism": "none"}, "HDS-007"),
    r("providers.transfer_mechanism", IMAGERIE, {"transfer_mechanism": "derogation"}, "HDS-007"),
    r("providers.third_country_laws", IMAGERIE, {"third_country_laws": []}, "HDS-008"),
    *_contract_rows(),
    # ---- systems ----
    r("systems.health_data", "infra-acces", {"health_data": True}, "GOV-010 IAM-009"),
    r(
        "systems.criticality",
        "infra-acces",
        {"criticality": "critical"},
        "BKP-001 BKP-002 BKP-003 BKP-004",
        context={"criticality": "low", "backup": DROP},
    ),
    r(
        "systems.hosted_by",
        "gam",
        {"hosted_by": "bare-{n}"},
        "HDS-001 HDS-007 HDS-008 HDS-009 VND-006",
        add={"providers": [NO_HDS_PROVIDER]},
        target="providers/bare-{n}",
    ),
    r("systems.end_of_support", "dpi", {"end_of_support": "2026-10-31"}, "PAT-001"),
    r("systems.backup", "dpi", {"backup": DROP}, "BKP-001 BKP-002 BKP-003 BKP-004 BKP-005"),
    r("systems.backup.last_success", "dpi", {"backup.last_success": "2026-11-20"}, "BKP-001"),
    r(
        "systems.backup.last_restore_test",
        "dpi",
        {"backup.last_restore_test": "2025-10-01"},
        "BKP-002",
    ),
    r("systems.backup.monitored", "dpi", {"backup.monitored": False}, "BKP-001"),
    r(
        "systems.backup.offline_or_immutable",
        "dpi",
        {"backup.offline_or_immutable": False},
        "BKP-003",
    ),
    r("systems.backup.offsite", "dpi", {"backup.offsite": False}, "BKP-003"),
    r("systems.backup.encrypted", "dpi", {"backup.encrypted": False}, "BKP-005"),
    r("systems.backup.auth_independent", "dpi", {"backup.auth_independent": False}, "BKP-004"),
    r("systems.backup.mfa", "dpi", {"backup.mfa": False}, "BKP-004"),
    r("systems.backup.isolated", "dpi", {"backup.isolated": False}, "BKP-004"),
    r(
        "systems.backup.provider",
        "dpi",
        {"backup.provider": "bare-{n}"},
        "BKP-005",
        add={"providers": [NO_HDS_PROVIDER]},
    ),
    # ---- services ----
    r("services.protocol", PORTAL, {"protocol": "http", "tls": DROP}, "EXP-001"),
    r("services.exposure", "dpi-hl7", {"exposure": "internet"}, "EXP-003 EXP-007 IAM-008"),
    r("services.via", DICOM, {"via": "direct"}, "EXP-003", context={"exposure": "internet"}),
    r("services.role", PORTAL, {"role": "admin"}, "EXP-004"),
    r("services.role", DICOM, {"role": "remote_access"}, "EXP-005"),
    r("services.authentication", PORTAL, {"authentication": "none"}, "EXP-002 EXP-007"),
    r("services.authentication", PORTAL, {"authentication": "anonymous"}, "EXP-002 EXP-007"),
    r("services.mfa", VPN, {"mfa": False}, "EXP-005"),
    r("services.owner", PORTAL, {"owner": DROP}, "EXP-006"),
    r("services.purpose", PORTAL, {"purpose": DROP}, "EXP-006"),
    r("services.tls", PORTAL, {"tls": DROP}, "TLS-001 TLS-004"),
    r("services.tls.min_version", PORTAL, {"tls.min_version": "1.0"}, "TLS-001"),
    r("services.tls.min_version", PORTAL, {"tls.min_version": "1.1"}, "TLS-001"),
    r("services.tls.min_version", PORTAL, {"tls.min_version": 1.2}, refused="min_version"),
    r(
        "services.tls.certificate",
        PORTAL,
        {"tls.certificate": "old-cert-{n}"},
        "TLS-004",
        add={"certificates": [EXPIRED_CERT]},
    ),
    r("services.tls.certificate", PORTAL, {"tls.certificate": DROP}, "TLS-004"),
    r("services.software", PORTAL, {"software": DROP}, "PAT-001"),
    r(
        "services.software.end_of_support",
        PORTAL,
        {"software.end_of_support": "2026-11-27"},
        "PAT-001",
    ),
    r(
        "services.software.end_of_support",
        PORTAL,
        {"software.end_of_support": "2027-01-31"},
        "PAT-001",
    ),
    *_vulnerability_rows(),
    # ---- firewalls ----
    r(
        "firewalls.internet_facing",
        CORE,
        {"internet_facing": True},
        "PAT-003",
        context={"vulnerabilities": [NEW_CRITICAL]},
    ),
    r("firewalls.firmware", EDGE, {"firmware": DROP}, "FW-002"),
    r(
        "firewalls.firmware.end_of_support",
        EDGE,
        {"firmware.end_of_support": "2026-11-01"},
        "FW-002",
    ),
    r("firewalls.last_patch", EDGE, {"last_patch": "2026-08-01"}, "FW-001"),
    r("firewalls.last_patch", EDGE, {"last_patch": FUTURE}, refused="last_patch"),
    r("firewalls.last_rule_review", EDGE, {"last_rule_review": "2026-04-01"}, "FW-003"),
    r("firewalls.management_exposed", EDGE, {"management_exposed": True}, "EXP-004"),
    r("firewalls.rules", EDGE, {"rules": DROP}, "FW-004"),
    r(
        "firewalls.rules.from",
        CORE,
        {"rules.3.from": "any"},
        "FW-004",
        context={"rules.3": {"from": "care-lan", "to": "any", "port": "any", "action": "allow"}},
    ),
    r(
        "firewalls.rules.to",
        CORE,
        {"rules.3.to": "any"},
        "FW-004",
        context={"rules.3": {"from": "any", "to": "dmz", "port": "any", "action": "allow"}},
    ),
    r(
        "firewalls.rules.port",
        CORE,
        {"rules.3.port": "any"},
        "FW-004",
        context={"rules.3": {"from": "any", "to": "any", "port": 443, "action": "allow"}},
    ),
    r("firewalls.rules.action", CORE, {"rules.3.action": "allow"}, "FW-004"),
    # ---- vendors ----
    r(
        "vendors.country",
        EDITOR,
        {
            "country": "IN",
            "transfer_mechanism": DROP,
            "subprocessors": [{"name": "S", "country": "FR", "authorised": True}],
        },
        "VND-003",
        context={"subprocessors": [{"name": "S", "country": "FR", "authorised": True}]},
    ),
    # TELECONSULT declares `storage_countries` (read instead of `country` by HDS-006): the
    # country where it operates from is then a transfer only (VND-003).
    r("vendors.country", TELECONSULT, {"country": "MA"}, "VND-003"),
    r(
        "vendors.country",
        TELECONSULT,
        {"country": "MA"},
        "HDS-006 VND-003",
        context={"storage_countries": DROP},
    ),
    r("vendors.storage_countries", TELECONSULT, {"storage_countries": ["FR", "US"]}, "HDS-006"),
    r(
        "vendors.critical",
        "transcription-seine",
        {"critical": True},
        "VND-005",
        context={"last_audit": "2025-06-01"},
    ),
    r(
        "vendors.processes_personal_data",
        EDITOR,
        {"processes_personal_data": True},
        "VND-001",
        context={
            "processes_personal_data": False,
            "health_data_access": False,
            "contract.dpa": False,
        },
    ),
    r(
        "vendors.health_data_access",
        EDITOR,
        {"health_data_access": True},
        "VND-005",
        context={"health_data_access": False, "critical": False, "last_audit": "2024-06-01"},
    ),
    # The editor's TN and US sub-processors do not say they store the health data: they are
    # VND-003's transfers, not HDS-006's storage locations.
    r("vendors.stores_health_data", EDITOR, {"stores_health_data": True}, "VND-002"),
    r(
        "vendors.hosted_by",
        TRANSCRIPTION,
        {"hosted_by": "bare-{n}"},
        "VND-002",
        add={"providers": [NO_HDS_PROVIDER]},
    ),
    # Reaching systems, or remotely, makes a vendor a software supplier held to patch deadlines.
    r(
        "vendors.systems",
        EDITOR,
        {"systems": ["dpi"]},
        "VND-008",
        context={"systems": DROP, "remote_access": DROP, "contract.patch_sla": DROP},
    ),
    r("vendors.transfer_mechanism", EDITOR, {"transfer_mechanism": "none"}, "VND-003"),
    r("vendors.transfer_mechanism", EDITOR, {"transfer_mechanism": "derogation"}, "VND-003"),
    # An absent list is VND-004's missing evidence (and VND-003's), not repeated by HDS-006.
    r("vendors.subprocessors", TELECONSULT, {"subprocessors": DROP}, "VND-003 VND-004"),
    # The sub-processor keeps the health data (`stores_health_data: true`): EXI 28 too.
    r(
        "vendors.subprocessors.country",
        TELECONSULT,
        {"subprocessors.0.country": "IN"},
        "HDS-006 VND-003",
    ),
    r(
        "vendors.subprocessors.stores_health_data",
        TELECONSULT,
        {"subprocessors.0.stores_health_data": True},
        "HDS-006",
        context={
            "transfer_mechanism": "scc",
            "subprocessors.0.country": "IN",
            "subprocessors.0.stores_health_data": False,
        },
    ),
    r(
        "vendors.subprocessors.authorised",
        TELECONSULT,
        {"subprocessors.0.authorised": False},
        "VND-004",
    ),
    r(
        "vendors.subprocessors.dpf_certified",
        EDITOR,
        {"subprocessors.0.dpf_certified": False},
        "VND-003",
        context={
            "transfer_mechanism": DROP,
            "subprocessors": [
                {
                    "name": "DeskFlow Inc.",
                    "country": "US",
                    "authorised": True,
                    "dpf_certified": True,
                }
            ],
        },
    ),
    r("vendors.last_audit", EDITOR, {"last_audit": "2025-06-01"}, "VND-005"),
    r("vendors.last_audit", EDITOR, {"last_audit": FUTURE}, refused="last_audit"),
    # An absent block declares no remote access (VND-007 is then not applicable): its
    # presence is what obliges, here to patch deadlines.
    r(
        "vendors.remote_access",
        EDITOR,
        {
            "remote_access": {
                "via_gateway": True,
                "mfa": True,
                "time_bounded": True,
                "nominative": True,
            }
        },
        "VND-008",
        context={"systems": DROP, "remote_access": DROP, "contract.patch_sla": DROP},
    ),
    r("vendors.remote_access.via_gateway", EDITOR, {"remote_access.via_gateway": False}, "VND-007"),
    r("vendors.remote_access.mfa", EDITOR, {"remote_access.mfa": False}, "VND-007"),
    r(
        "vendors.remote_access.time_bounded",
        EDITOR,
        {"remote_access.time_bounded": False},
        "VND-007",
    ),
    r("vendors.remote_access.nominative", EDITOR, {"remote_access.nominative": False}, "VND-007"),
    # ---- certificates ----
    r("certificates.not_before", "cert-portail", {"not_before": "2026-01-05"}, "TLS-003"),
    r("certificates.not_after", "cert-portail", {"not_after": "2026-11-27"}, "TLS-002"),
    r("certificates.not_after", "cert-portail", {"not_after": "2026-12-10"}, "TLS-002"),
    r("certificates.public", "cert-dpi", {"public": True}, "TLS-003"),
    r(
        "certificates.signature_algorithm",
        "cert-dpi",
        {"signature_algorithm": "sha1WithRSA"},
        "TLS-003",
    ),
)

# Fields of the contract with no dangerous value, and why.
NO_DANGER = {
    "organisation.name": "a label; required by the schema",
    "organisation.kind": "scopes the sector rules (BIO-001 reads it); no kind is weaker",
    "providers.id": "an identifier",
    "providers.name": "a label",
    "providers.iso27001": "informational in the model: HDS v2 already requires an ISO 27001 "
    "ISMS, checked through the HDS certificate",
    "providers.iso27001.certificate": "informational (see providers.iso27001)",
    "providers.iso27001.valid_until": "informational (see providers.iso27001)",
    "providers.secnumcloud": "informational in the model: not required of health-data hosts",
    "systems.id": "an identifier",
    "systems.name": "a label",
    "services.id": "an identifier",
    "services.system": "a reference, checked to exist (an unknown id is refused)",
    "services.host": "a name; matched with scan evidence (EVD rules), no value is weaker",
    "services.port": "a number; what is reachable is decided by protocol and exposure",
    "services.software.name": "a label",
    "services.software.version": "informational: a version cannot be compared offline",
    "services.vulnerabilities.cve": "an identifier; the rules read the score and dates",
    "firewalls.vulnerabilities.cve": "an identifier; the rules read the score and dates",
    "firewalls.id": "an identifier",
    "firewalls.vendor": "informational: identifies the product",
    "firewalls.model": "informational: identifies the product",
    "firewalls.firmware.version": "informational: a version cannot be compared offline",
    "vendors.id": "an identifier",
    "vendors.name": "a label",
    "vendors.service": "informational: a description",
    "vendors.subprocessors.name": "a label",
    "vendors.audit_kind": "informational: VND-005 checks that an audit took place",
    "certificates.id": "an identifier",
    "certificates.subject": "informational: identifies the certificate",
}


def _key(step: str) -> str | int:
    return int(step) if step.isdigit() else step


def _set(obj: Any, path: str, value: Any, n: int) -> None:
    steps = [_key(s) for s in path.split(".")]
    for step in steps[:-1]:
        obj = obj[step]
    if value is DROP:
        del obj[steps[-1]]
    else:
        obj[steps[-1]] = _fill(copy.deepcopy(value), n)


def _fill(value: Any, n: int) -> Any:
    if isinstance(value, str):
        return value.replace("{n}", str(n))
    if isinstance(value, dict):
        return {k: _fill(v, n) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, n) for v in value]
    return value


def _hospital() -> dict[str, dict[str, Any]]:
    return {
        p.name: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(HOSPITAL.glob("*"))
    }


def _home(files: dict[str, dict[str, Any]], section: str) -> dict[str, Any]:
    return next(data for data in files.values() if section in data)


def _apply(files: dict[str, dict[str, Any]], n: int, row: Row) -> list[tuple[str, set[str]]]:
    """Apply row ``n`` to the estate; the (target, exact rules) it expects to move."""
    home = _home(files, row.section)
    for section, items in row.add.items():
        _home(files, section)[section].extend(_fill(copy.deepcopy(items), n))
    if row.base is None:
        for path, value in row.patch.items():
            _set(home[row.section], path, value, n)
        return [(row.section, set(row.moves))]
    items = home[row.section]
    original = next(item for item in items if item["id"] == row.base)
    if row.section == "providers":  # in place: a provider's rules read what it hosts
        for path, value in {**row.context, **row.patch}.items():
            _set(original, path, value, n)
        return [(row.target or f"providers/{row.base}", set(row.moves))]
    danger, control = copy.deepcopy(original), copy.deepcopy(original)
    danger["id"], control["id"] = f"{row.base}-d{n}", f"{row.base}-c{n}"
    for item in (danger, control):
        for path, value in row.context.items():
            _set(item, path, value, n)
    for path, value in row.patch.items():
        _set(danger, path, value, n)
    items.extend([danger, control])
    target = row.target.replace("{n}", str(n)) if row.target else f"{row.section}/{danger['id']}"
    return [(target, set(row.moves)), (f"{row.section}/{control['id']}", set())]


def _in_place(row: Row) -> bool:
    return row.base is None or row.section == "providers"


def _runs() -> list[list[int]]:
    """Row numbers grouped in runs: refused rows alone; in-place rows (singletons, providers)
    apart from cloned ones; in-place rows on one object only when they change different keys
    and move disjoint rule sets (one row can then not hide another's unread field)."""
    if os.environ.get("HDSGUARD_FIELD_DANGERS_ALONE"):
        return [[n] for n in range(len(ROWS))]
    runs: list[list[int]] = []
    taken: list[dict[str, set[str]]] = []
    for n, row in enumerate(ROWS):
        if row.refused:
            runs.append([n])
            taken.append({"*": set()})
            continue
        where = _object(row)
        claims = set(row.moves) | {"key:" + path.split(".")[0] for path in _paths(row)}
        for run, used in zip(runs, taken, strict=True):
            if "*" in used or _in_place(ROWS[run[0]]) != _in_place(row):
                continue
            if not _in_place(row) or not used.get(where, set()) & claims:
                run.append(n)
                used.setdefault(where, set()).update(claims)
                break
        else:
            runs.append([n])
            taken.append({where: claims})
    return runs


def _object(row: Row) -> str:
    return row.section if row.base is None else f"{row.section}/{row.base}"


def _paths(row: Row) -> list[str]:
    return [*row.context, *row.patch]


RUNS = _runs()


def _moved(report: dict[str, Any], target: str) -> set[str]:
    return {
        f["rule"]
        for f in report["findings"]
        if f["target"] == target and f["status"] in ("fail", "warn", "error")
    }


@pytest.mark.parametrize("run", RUNS, ids=lambda run: ROWS[run[0]].place)
def test_each_dangerous_value_moves_a_verdict(
    run: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _hospital()
    expected: dict[str, set[str]] = {}
    for n in run:
        for target, moves in _apply(files, n, ROWS[n]):
            expected.setdefault(target, set()).update(moves)
    for name, data in files.items():
        (tmp_path / name).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run_cli(["check", ".", "--no-config", "--as-of", AS_OF, "--format", "json"])
    first = ROWS[run[0]]
    if first.refused:
        assert result.exit_code == 2, (first.place, result.stdout[-2000:])
        assert re.search(rf"\.yaml:\d+:\d+: .*{first.refused}", result.stderr), result.stderr
        return
    assert result.exit_code in (0, 1), (first.place, result.stderr)
    report = json.loads(result.stdout)
    got = {target: _moved(report, target) for target in expected}
    wrong = {
        f"{t} ({', '.join(ROWS[n].place for n in run)})": (sorted(got[t]), sorted(expected[t]))
        for t in expected
        if got[t] != expected[t]
    }
    assert wrong == {}, "target: (moved, expected)"


_FORMAT_TEXT = """
organisation.name organisation.kind organisation.finess.ej organisation.finess.et
organisation.security_officer organisation.security_officer.name
organisation.security_officer.email organisation.dpo organisation.dpo.name
organisation.dpo.email organisation.security_policy_reviewed organisation.risk_analysis
organisation.last_security_audit organisation.last_pentest organisation.last_exposure_scan
organisation.continuity_plan organisation.continuity_plan.exists
organisation.continuity_plan.business_impact_analysis organisation.continuity_plan.last_test
organisation.incident_procedure organisation.incident_procedure.ars_cert_sante
organisation.incident_procedure.cnil_72h organisation.incident_procedure.register
identity.mfa_admin identity.mfa_remote identity.default_credentials_changed
identity.admin_workstations_internet identity.admin_accounts identity.admin_accounts.dedicated
identity.admin_accounts.individual identity.inactive_disable_days identity.active_directory
identity.active_directory.krbtgt_last_reset identity.active_directory.ads_level
logging.centralised logging.ntp logging.transport_encrypted logging.health_data_access_logged
logging.remote_access_traces_centralised logging.retention_days logging.last_access_review
providers.id providers.name providers.services providers.hds providers.hds.certificate
providers.hds.certifier providers.hds.activities providers.hds.referential
providers.hds.valid_from providers.hds.valid_until providers.hds.last_surveillance_audit
providers.hds.transparency_url providers.iso27001 providers.iso27001.certificate
providers.iso27001.valid_until providers.secnumcloud providers.storage_countries
providers.remote_access_countries providers.transfer_mechanism providers.third_country_laws
providers.contract providers.contract.signed providers.contract.dpa
providers.contract.breach_notice_hours providers.contract.audit_right
providers.contract.reversibility providers.contract.hds_clauses providers.contract.objection_days
providers.contract.patch_sla.critical_days providers.contract.patch_sla.high_days
systems.id systems.name systems.health_data systems.criticality systems.hosted_by
systems.end_of_support systems.backup systems.backup.last_success
systems.backup.last_restore_test systems.backup.monitored systems.backup.offline_or_immutable
systems.backup.offsite systems.backup.encrypted systems.backup.auth_independent
systems.backup.mfa systems.backup.isolated systems.backup.provider
services.id services.system services.host services.port services.protocol services.exposure
services.via services.role services.authentication services.mfa services.owner
services.purpose services.tls services.tls.min_version services.tls.certificate
services.software services.software.name services.software.version
services.software.end_of_support services.vulnerabilities services.vulnerabilities.cve
services.vulnerabilities.cvss services.vulnerabilities.published services.vulnerabilities.kev
services.vulnerabilities.kev_added
firewalls.id firewalls.vendor firewalls.model firewalls.internet_facing firewalls.firmware
firewalls.firmware.version firewalls.firmware.end_of_support firewalls.last_patch
firewalls.last_rule_review firewalls.management_exposed firewalls.vulnerabilities
firewalls.vulnerabilities.cve firewalls.vulnerabilities.cvss firewalls.vulnerabilities.published
firewalls.vulnerabilities.kev
firewalls.vulnerabilities.kev_added firewalls.rules firewalls.rules.from firewalls.rules.to
firewalls.rules.port firewalls.rules.action
vendors.id vendors.name vendors.service vendors.country vendors.critical
vendors.processes_personal_data vendors.health_data_access vendors.stores_health_data
vendors.hosted_by vendors.hds vendors.hds.certificate vendors.hds.certifier
vendors.hds.activities vendors.hds.referential vendors.hds.valid_from vendors.hds.valid_until
vendors.hds.last_surveillance_audit vendors.hds.transparency_url vendors.systems
vendors.transfer_mechanism vendors.subprocessors vendors.subprocessors.name
vendors.subprocessors.country vendors.subprocessors.authorised vendors.last_audit
vendors.audit_kind vendors.remote_access vendors.remote_access.via_gateway
vendors.remote_access.mfa vendors.remote_access.time_bounded vendors.remote_access.nominative
vendors.contract vendors.contract.signed vendors.contract.dpa vendors.contract.breach_notice_hours
vendors.contract.audit_right vendors.contract.reversibility vendors.contract.hds_clauses
vendors.contract.objection_days vendors.contract.patch_sla.critical_days
vendors.contract.patch_sla.high_days
certificates.id certificates.subject certificates.not_before certificates.not_after
certificates.public certificates.signature_algorithm
"""
FORMAT_FIELDS = _FORMAT_TEXT.split()


def test_every_contract_field_has_a_row_or_a_reason() -> None:
    covered = {row.place for row in ROWS} | set(NO_DANGER)
    assert sorted(set(FORMAT_FIELDS) - covered) == []
    assert sorted(covered - set(FORMAT_FIELDS)) == sorted(
        {
            "vendors.subprocessors.dpf_certified",
            "vendors.subprocessors.stores_health_data",
            "vendors.storage_countries",
        }
    )
    # The names are the model's: a renamed field would leave its row testing nothing.
    model = {place for place, _key, _info in fields(DeclarationFile)}
    assert sorted(p for p in FORMAT_FIELDS if p not in model) == []


def test_rows_sharing_a_run_cannot_hide_each_other() -> None:
    # Had `mfa_admin` gone unread, the `mfa_remote` row could not have moved IAM-001 for it
    # in a shared run: rows changed in place on one object share neither a rule nor a key.
    for run in RUNS:
        seen: dict[str, set[str]] = {}
        for n in run:
            row = ROWS[n]
            if _in_place(row) and not row.refused:
                claims = set(row.moves) | {"key:" + p.split(".")[0] for p in _paths(row)}
                assert not seen.get(_object(row), set()) & claims, (row.place, run)
                seen.setdefault(_object(row), set()).update(claims)
