"""The catalogue's rows HDS-001…HDS-009, VND-001…VND-008 and GOV-001…GOV-006 as their outside
tester first reads them, written from the row's text (domain.md section 3) and the field list of
format.md only, never from the policies. For each row: (a) a clean, fully evidenced target that
passes; (b) the plain violation the row names, which fails; (c) the evidence absent, which does
not pass ("a pass must be earned": present); (d) a green that lies (a future date for a past
event, a duration the referential bounds, a partial decision taken as whole: plausible); (e) a
target the row's scope excludes, not applicable.

Targets that cannot interfere share one declaration set, so the whole matrix is a handful of
command-line runs (``check DIR --no-config --as-of 2026-11-28 --format json``); the organisation
being a singleton, the GOV cases need one run per organisation."""

from __future__ import annotations

import copy
import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import AS_OF, run_cli

PASS = frozenset({"pass"})
FAIL = frozenset({"fail"})
WARN = frozenset({"warn"})
NOT_APPLICABLE = frozenset({"not_applicable"})
# Missing evidence: a failure, or a warning where the contract allows one; never a pass and
# never "not applicable" (that would be a silent pass).
NOT_PASS = frozenset({"fail", "warn"})

DROP = object()  # a change that removes the field


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def changed(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``base`` with each dotted path of ``changes`` set (or removed, for DROP)."""
    out = copy.deepcopy(base)
    for path, value in changes.items():
        *parents, last = path.split(".")
        node = out
        for key in parents:
            node = node.setdefault(key, {})
        if value is DROP:
            node.pop(last, None)
        else:
            node[last] = copy.deepcopy(value)
    return out


# ------------------------------------------------------------------ the clean, full evidence

HDS_BLOCK: dict[str, Any] = {
    "certificate": "HDS-2025-0193",
    "certifier": "LNE",
    "activities": [1, 2, 3, 4, 5, 6],
    "referential": "v2",
    "valid_from": day("2025-03-01"),
    "valid_until": day("2028-02-28"),
    "last_surveillance_audit": day("2026-03-10"),
    "transparency_url": "https://www.santecloud.fr/hds/transparence",
}

CLEAN_PROVIDER: dict[str, Any] = {
    "name": "SantéCloud",
    "services": ["iaas", "paas", "managed_services", "backup"],
    "hds": HDS_BLOCK,
    "iso27001": {"certificate": "ISO27001-2025-0455", "valid_until": day("2028-02-28")},
    "secnumcloud": False,
    "storage_countries": ["FR"],
    "remote_access_countries": ["FR"],
    "third_country_laws": [],
    "contract": {
        "signed": day("2025-03-15"),
        "dpa": True,
        "breach_notice_hours": 24,
        "audit_right": True,
        "reversibility": True,
        "hds_clauses": True,
        "objection_days": 30,
    },
}

CLEAN_VENDOR: dict[str, Any] = {
    "name": "Scribe Santé",
    "service": "DPI software editor: maintenance and transcription",
    "country": "FR",
    "critical": True,
    "processes_personal_data": True,
    "health_data_access": True,
    "stores_health_data": True,
    "hosted_by": "p-clean",
    "systems": ["sys-p-clean"],
    "subprocessors": [{"name": "Transcripteurs Associés", "country": "FR", "authorised": True}],
    "last_audit": day("2026-06-15"),
    "audit_kind": "on_site",
    "remote_access": {"via_gateway": True, "mfa": True, "time_bounded": True, "nominative": True},
    "contract": {
        "signed": day("2025-01-10"),
        "dpa": True,
        "breach_notice_hours": 24,
        "audit_right": True,
        "reversibility": True,
        "objection_days": 30,
        "patch_sla": {"critical_days": 30, "high_days": 90},
    },
}

NO_PERSONAL_DATA = {
    "processes_personal_data": False,
    "health_data_access": False,
    "stores_health_data": False,
    "hosted_by": DROP,
}

CLEAN_ORGANISATION: dict[str, Any] = {
    "name": "Centre Hospitalier de Valmont",
    "kind": "hospital",
    "finess": {"ej": "760003988", "et": ["760027417", "760051839"]},
    "security_officer": {"name": "Claire Dumesnil", "email": "rssi@ch-valmont.fr"},
    "dpo": {"name": "Thomas Leroux", "email": "dpo@ch-valmont.fr"},
    "security_policy_reviewed": day("2025-09-15"),
    "risk_analysis": day("2026-06-10"),
    "last_security_audit": day("2026-04-20"),
    "last_pentest": day("2026-09-14"),
    "last_exposure_scan": day("2026-11-16"),
    "continuity_plan": {
        "exists": True,
        "business_impact_analysis": True,
        "last_test": day("2026-10-08"),
    },
    "incident_procedure": {"ars_cert_sante": True, "cnil_72h": True, "register": True},
}


# ----------------------------------------------------------------- providers (one run)

# id -> (changes to the clean provider, whether a health-data system is hosted by it)
PROVIDERS: dict[str, tuple[dict[str, Any], bool]] = {
    "p-clean": ({}, True),
    "p-no-health": (
        {
            "hds": DROP,
            "storage_countries": ["US"],
            "remote_access_countries": ["MA"],
            "transfer_mechanism": "none",
            "third_country_laws": DROP,
            "contract.hds_clauses": DROP,
        },
        False,
    ),
    # HDS-001
    "p-nocert": ({"hds": DROP}, True),
    "p-iso-only": ({"hds": DROP, "secnumcloud": True}, True),
    "p-vendor-store": ({"hds": DROP}, False),  # a vendor keeps health data there
    # HDS-002
    "p-iaas-123": ({"services": ["iaas"], "hds.activities": [1, 2, 3]}, True),
    "p-iaas-12": ({"services": ["iaas"], "hds.activities": [1, 2]}, True),
    "p-iaas-backup-123": ({"services": ["iaas", "backup"], "hds.activities": [1, 2, 3]}, True),
    "p-no-services": ({"services": DROP}, True),
    "p-no-activities": ({"hds.activities": DROP}, True),
    "p-saas-5": ({"services": ["saas"], "hds.activities": [5]}, True),
    # HDS-003
    "p-expired": ({"hds.valid_until": day("2026-10-31")}, True),
    "p-expiring": ({"hds.valid_until": day("2027-01-15")}, True),
    "p-no-valid-until": ({"hds.valid_until": DROP}, True),
    "p-not-yet": (
        {"hds.valid_from": day("2027-01-01"), "hds.valid_until": day("2029-12-31")},
        True,
    ),
    # HDS-004
    "p-audit-old": ({"hds.last_surveillance_audit": day("2025-09-01")}, True),
    "p-no-audit": ({"hds.last_surveillance_audit": DROP}, True),
    # HDS-005
    "p-v11": ({"hds.referential": "v1.1"}, True),
    "p-no-referential": ({"hds.referential": DROP}, True),
    # HDS-006
    "p-eea": ({"storage_countries": ["DE", "NO"]}, True),
    "p-us-storage": ({"storage_countries": ["FR", "US"]}, True),
    "p-ch-storage": ({"storage_countries": ["CH"]}, True),
    "p-no-storage": ({"storage_countries": DROP}, True),
    "p-empty-storage": ({"storage_countries": []}, True),
    # HDS-007
    "p-ma-scc": (
        {
            "remote_access_countries": ["FR", "MA"],
            "transfer_mechanism": "scc",
            "third_country_laws": ["MA: requests from Moroccan authorities to the support desk"],
        },
        True,
    ),
    "p-ch-adequacy": (
        {
            "remote_access_countries": ["CH"],
            "transfer_mechanism": "adequacy",
            "third_country_laws": ["CH: requests from Swiss authorities to the support desk"],
        },
        True,
    ),
    "p-ma-none": ({"remote_access_countries": ["MA"], "transfer_mechanism": "none"}, True),
    "p-in-adequacy": (
        {"remote_access_countries": ["IN"], "transfer_mechanism": "adequacy"},
        True,
    ),
    "p-no-remote": ({"remote_access_countries": DROP}, True),
    "p-ma-no-mechanism": ({"remote_access_countries": ["MA"]}, True),
    "p-us-adequacy": (
        {
            "remote_access_countries": ["US"],
            "transfer_mechanism": "adequacy",
            "third_country_laws": ["US: CLOUD Act, FISA 702"],
        },
        True,
    ),
    "p-ma-derogation": (
        {"remote_access_countries": ["MA"], "transfer_mechanism": "derogation"},
        True,
    ),
    # HDS-008
    "p-no-url": ({"hds.transparency_url": DROP}, True),
    "p-no-laws": ({"third_country_laws": DROP}, True),
    "p-laws-and-page-only": ({"storage_countries": DROP, "remote_access_countries": DROP}, True),
    "p-ma-scc-no-laws": (
        {"remote_access_countries": ["FR", "MA"], "transfer_mechanism": "scc"},
        True,
    ),
    # HDS-009 and VND-006 on providers
    "p-no-clauses": ({"contract.hds_clauses": False}, True),
    "p-no-contract": ({"contract": DROP}, True),
    "p-clauses-unknown": ({"contract.hds_clauses": DROP}, True),
    "p-notice-72": ({"contract.breach_notice_hours": 72}, True),
    "p-no-notice": ({"contract.breach_notice_hours": DROP}, True),
    "p-notice-0": ({"contract.breach_notice_hours": 0}, True),
}

# ------------------------------------------------------------------- vendors (same run)

OWN_HDS = {"hosted_by": DROP, "hds": HDS_BLOCK}

VENDORS: dict[str, dict[str, Any]] = {
    "v-clean": {},
    "v-no-personal": {**NO_PERSONAL_DATA, "country": "US", "transfer_mechanism": "none"},
    # VND-001
    "v-no-dpa": {"contract.dpa": False},
    "v-no-contract": {"contract": DROP},
    "v-dpa-unknown": {"contract.dpa": DROP},
    "v-personal-unknown": {
        "processes_personal_data": DROP,
        "health_data_access": DROP,
        "stores_health_data": DROP,
        "hosted_by": DROP,
        "contract.dpa": DROP,
    },
    "v-health-not-personal": {
        "processes_personal_data": False,
        "stores_health_data": False,
        "hosted_by": DROP,
        "contract.dpa": False,
    },
    # VND-002 (and HDS-006 for vendors)
    "v-own-hds": OWN_HDS,
    "v-no-cert": {"hosted_by": DROP},
    "v-at-uncertified": {"hosted_by": "p-vendor-store"},
    "v-store-unknown": {"stores_health_data": DROP, "hosted_by": DROP},
    "v-own-expired": {**OWN_HDS, "hds.valid_until": day("2026-10-31")},
    "v-at-expired": {"hosted_by": "p-expired"},
    "v-no-store": {"stores_health_data": False, "hosted_by": DROP},
    "v-own-ma": {**OWN_HDS, "country": "MA", "transfer_mechanism": "scc"},
    "v-at-us-storage": {"hosted_by": "p-us-storage"},
    "v-nowhere": {**OWN_HDS, "country": DROP},
    # VND-003
    "v-ma-scc": {
        "country": "MA",
        "transfer_mechanism": "scc",
        "stores_health_data": False,
        "hosted_by": DROP,
    },
    "v-ch-adequacy": {
        "country": "CH",
        "transfer_mechanism": "adequacy",
        "stores_health_data": False,
        "hosted_by": DROP,
    },
    "v-ma-none": {
        "country": "MA",
        "transfer_mechanism": "none",
        "stores_health_data": False,
        "hosted_by": DROP,
    },
    "v-sub-in-none": {
        "transfer_mechanism": "none",
        "subprocessors": [{"name": "Offshore Typing", "country": "IN", "authorised": True}],
    },
    "v-derogation": {
        "country": "MA",
        "transfer_mechanism": "derogation",
        "health_data_access": False,
        "stores_health_data": False,
        "hosted_by": DROP,
    },
    "v-derogation-health": {
        "country": "MA",
        "transfer_mechanism": "derogation",
        "stores_health_data": False,
        "hosted_by": DROP,
    },
    "v-ma-no-mechanism": {"country": "MA", "stores_health_data": False, "hosted_by": DROP},
    "v-no-country": {"country": DROP},
    "v-no-subs": {"subprocessors": DROP},
    "v-us-adequacy": {
        "country": "US",
        "transfer_mechanism": "adequacy",
        "stores_health_data": False,
        "hosted_by": DROP,
    },
    "v-sub-ma-adequacy": {
        "transfer_mechanism": "adequacy",
        "subprocessors": [{"name": "Rabat Support", "country": "MA", "authorised": True}],
    },
    "v-in-adequacy": {
        "country": "IN",
        "transfer_mechanism": "adequacy",
        "stores_health_data": False,
        "hosted_by": DROP,
    },
    # VND-004
    "v-subs-empty": {"subprocessors": []},
    "v-sub-unauthorised": {
        "subprocessors": [
            {"name": "Transcripteurs Associés", "country": "FR", "authorised": True},
            {"name": "Dictée Express", "country": "FR", "authorised": False},
        ]
    },
    "v-sub-authorised-unknown": {
        "subprocessors": [{"name": "Dictée Express", "country": "FR"}],
    },
    # VND-005
    "v-not-critical-545": {"critical": False, "last_audit": day("2025-06-01")},
    "v-critical-old": {"last_audit": day("2025-06-01")},
    "v-not-critical-old": {"critical": False, "last_audit": day("2024-06-01")},
    "v-no-audit": {"last_audit": DROP, "audit_kind": DROP},
    "v-critical-unknown": {"critical": DROP, "last_audit": day("2025-06-01")},
    "v-stores-no-access": {"health_data_access": False, "last_audit": DROP, "audit_kind": DROP},
    "v-no-health": {
        "health_data_access": False,
        "stores_health_data": False,
        "hosted_by": DROP,
        "last_audit": DROP,
        "audit_kind": DROP,
    },
    # VND-006
    "v-notice-72": {"contract.breach_notice_hours": 72},
    "v-no-notice": {"contract.breach_notice_hours": DROP},
    "v-notice-0": {"contract.breach_notice_hours": 0},
    # VND-007
    "v-remote-no-mfa": {"remote_access.mfa": False},
    "v-remote-direct": {"remote_access.via_gateway": False},
    "v-remote-partial": {"remote_access.time_bounded": DROP},
    "v-remote-unknown": {"remote_access": DROP},  # reaches sys-p-clean, on site
    "v-no-systems": {
        **NO_PERSONAL_DATA,
        "service": "Printing of appointment letters",
        "systems": DROP,
        "remote_access": DROP,
        "contract.patch_sla": DROP,
    },
    # VND-008
    "v-sla-critical-60": {"contract.patch_sla.critical_days": 60},
    "v-sla-high-120": {"contract.patch_sla.high_days": 120},
    "v-no-sla": {"contract.patch_sla": DROP},
    "v-sla-partial": {"contract.patch_sla.high_days": DROP},
    "v-sla-zero": {"contract.patch_sla.critical_days": 0},
}


def main_set() -> dict[str, Any]:
    providers, systems = [], []
    for pid, (changes, hosts_health_data) in PROVIDERS.items():
        providers.append({"id": pid, **changed(CLEAN_PROVIDER, changes)})
        systems.append(
            {
                "id": f"sys-{pid}",
                "name": f"System at {pid}",
                "health_data": hosts_health_data,
                "criticality": "high",
                "hosted_by": pid,
            }
        )
    vendors = [{"id": vid, **changed(CLEAN_VENDOR, ch)} for vid, ch in VENDORS.items()]
    return {
        "organisation": CLEAN_ORGANISATION,
        "providers": providers,
        "systems": systems,
        "vendors": vendors,
    }


# -------------------------------------------------------- organisations (one run each)

ORGANISATIONS: dict[str, dict[str, Any]] = {
    # the plain violations, one per rule
    "org-violations": {
        "finess.ej": "760003989",
        "security_officer": DROP,
        "security_policy_reviewed": day("2024-06-01"),
        "incident_procedure.cnil_72h": False,
        "continuity_plan.exists": False,
        "last_security_audit": day("2025-06-01"),
        "last_pentest": day("2025-05-01"),
    },
    # the other plain violations
    "org-violations-2": {
        "finess.et": ["760027417", "760051838"],
        "security_officer.name": "TBD",
        "risk_analysis": day("2025-06-01"),
        "incident_procedure.ars_cert_sante": False,
        "continuity_plan.last_test": day("2025-06-01"),
        "last_security_audit": day("2025-06-01"),
    },
    # nothing but the name and the kind
    "org-bare": {key: DROP for key in CLEAN_ORGANISATION if key not in ("name", "kind", "dpo")},
    # a field missing inside each block, a pentest alone
    "org-partial": {
        "finess.ej": DROP,
        "security_officer.email": DROP,
        "incident_procedure.cnil_72h": DROP,
        "continuity_plan.last_test": DROP,
        "last_security_audit": DROP,
        "last_pentest": day("2026-04-01"),
    },
    # the catalogue's evidence for GOV-004 and GOV-005, no more
    "org-catalogue": {
        "incident_procedure.register": DROP,
        "continuity_plan.business_impact_analysis": DROP,
    },
    # what the rules read beyond it, declared false
    "org-declared-false": {
        "incident_procedure.register": False,
        "continuity_plan.business_impact_analysis": False,
    },
    # both too old, the pentest the more recent: GOV-006 is decided by it
    "org-pentest-latest": {
        "last_security_audit": day("2024-06-01"),
        "last_pentest": day("2025-06-01"),
    },
    # a software vendor: no FINESS, no ARS report
    "org-vendor": {
        "kind": "health_software_vendor",
        "finess": DROP,
        "incident_procedure.ars_cert_sante": False,
    },
}


def organisation_set(name: str) -> dict[str, Any]:
    return {"organisation": changed(CLEAN_ORGANISATION, ORGANISATIONS[name])}


# CaRE D2.P1, evaluated on 2024-01-10: a policy reviewed within 24 months, but before 2022-07-16
BEFORE_CARE = {
    "security_policy_reviewed": day("2022-06-01"),
    "risk_analysis": day("2023-06-01"),
    "last_security_audit": day("2023-09-01"),
    "last_pentest": DROP,
    "last_exposure_scan": day("2023-12-20"),
    "continuity_plan.last_test": day("2023-10-01"),
}

RUNS: dict[str, tuple[Callable[[], dict[str, Any]], str]] = {
    "main": (main_set, AS_OF),
    **{name: (partial(organisation_set, name), AS_OF) for name in ORGANISATIONS},
    "org-2024": (
        partial(dict, organisation=changed(CLEAN_ORGANISATION, BEFORE_CARE)),
        "2024-01-10",
    ),
}


# ------------------------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Case:
    rule: str
    letter: str  # a clean · b violation · c evidence absent · d green that lies · e out of scope
    target: str
    expected: frozenset[str]
    run: str = "main"

    def __str__(self) -> str:
        return f"{self.rule}-{self.letter}-{self.target.split('/')[-1]}"


def p(rule: str, letter: str, pid: str, expected: frozenset[str]) -> Case:
    return Case(rule, letter, f"providers/{pid}", expected)


def v(rule: str, letter: str, vid: str, expected: frozenset[str]) -> Case:
    return Case(rule, letter, f"vendors/{vid}", expected)


def o(rule: str, letter: str, run: str, expected: frozenset[str]) -> Case:
    return Case(rule, letter, "organisation", expected, run)


CASES = [
    # HDS-001 A provider hosting health data holds an HDS certificate
    p("HDS-001", "a", "p-clean", PASS),
    p("HDS-001", "b", "p-nocert", FAIL),
    p("HDS-001", "b", "p-vendor-store", FAIL),  # a vendor keeps health data there
    p("HDS-001", "d", "p-expired", FAIL),  # a certificate is held while valid
    p("HDS-001", "d", "p-not-yet", FAIL),
    p("HDS-001", "d", "p-iso-only", FAIL),  # ISO 27001 and SecNumCloud are not HDS
    p("HDS-001", "e", "p-no-health", NOT_APPLICABLE),
    # HDS-002 to HDS-005 read a certificate: without one, HDS-001 fails the provider
    p("HDS-002", "e", "p-nocert", NOT_APPLICABLE),
    p("HDS-003", "e", "p-nocert", NOT_APPLICABLE),
    p("HDS-004", "e", "p-nocert", NOT_APPLICABLE),
    p("HDS-005", "e", "p-nocert", NOT_APPLICABLE),
    p("HDS-008", "c", "p-nocert", NOT_PASS),  # no certificate, so no transparency page known
    # HDS-002 The certificate covers the activities of the services bought
    p("HDS-002", "a", "p-clean", PASS),
    p("HDS-002", "a", "p-iaas-123", PASS),
    p("HDS-002", "b", "p-iaas-12", FAIL),
    p("HDS-002", "b", "p-iaas-backup-123", FAIL),
    p("HDS-002", "c", "p-no-services", NOT_PASS),
    p("HDS-002", "c", "p-no-activities", NOT_PASS),
    p("HDS-002", "d", "p-saas-5", NOT_PASS),  # saas → 5 "+ what they run on"
    p("HDS-002", "e", "p-no-health", NOT_APPLICABLE),
    # HDS-003 The HDS certificate is valid on the evaluation date
    p("HDS-003", "a", "p-clean", PASS),
    p("HDS-003", "b", "p-expired", FAIL),
    p("HDS-003", "b", "p-expiring", WARN),
    p("HDS-003", "c", "p-no-valid-until", NOT_PASS),
    p("HDS-003", "d", "p-not-yet", FAIL),
    p("HDS-003", "e", "p-no-health", NOT_APPLICABLE),
    # HDS-004 Yearly surveillance audit evidenced
    p("HDS-004", "a", "p-clean", PASS),
    p("HDS-004", "b", "p-audit-old", FAIL),
    p("HDS-004", "c", "p-no-audit", NOT_PASS),
    p("HDS-004", "e", "p-no-health", NOT_APPLICABLE),
    # HDS-005 Certificate issued under referential v2
    p("HDS-005", "a", "p-clean", PASS),
    p("HDS-005", "b", "p-v11", FAIL),
    p("HDS-005", "c", "p-no-referential", NOT_PASS),
    p("HDS-005", "e", "p-no-health", NOT_APPLICABLE),
    # HDS-006 Health data stored only in the EEA (providers, vendors storing health data)
    p("HDS-006", "a", "p-clean", PASS),
    p("HDS-006", "a", "p-eea", PASS),
    p("HDS-006", "b", "p-us-storage", FAIL),
    p("HDS-006", "b", "p-ch-storage", FAIL),  # adequate is not the EEA
    p("HDS-006", "c", "p-no-storage", NOT_PASS),
    p("HDS-006", "d", "p-empty-storage", NOT_PASS),
    p("HDS-006", "e", "p-no-health", NOT_APPLICABLE),
    v("HDS-006", "a", "v-clean", PASS),
    v("HDS-006", "a", "v-own-hds", PASS),
    v("HDS-006", "b", "v-own-ma", FAIL),
    v("HDS-006", "b", "v-at-us-storage", FAIL),
    v("HDS-006", "c", "v-nowhere", NOT_PASS),
    v("HDS-006", "e", "v-no-store", NOT_APPLICABLE),
    # HDS-007 Remote access from outside the EEA has adequacy or SCC/BCR
    p("HDS-007", "a", "p-clean", PASS),
    p("HDS-007", "a", "p-ma-scc", PASS),
    p("HDS-007", "a", "p-ch-adequacy", PASS),
    p("HDS-007", "b", "p-ma-none", FAIL),
    p("HDS-007", "b", "p-in-adequacy", FAIL),
    p("HDS-007", "c", "p-no-remote", NOT_PASS),
    p("HDS-007", "c", "p-ma-no-mechanism", NOT_PASS),
    p("HDS-007", "d", "p-us-adequacy", NOT_PASS),  # the US decision covers DPF members only
    p("HDS-007", "d", "p-ma-derogation", FAIL),  # art. 49 never covers systematic transfers
    p("HDS-007", "e", "p-no-health", NOT_APPLICABLE),
    # HDS-008 Non-EU law exposure disclosed; transparency page URL known
    p("HDS-008", "a", "p-clean", PASS),
    p("HDS-008", "a", "p-ma-scc", PASS),
    # the row's evidence suffices: the countries are HDS-006's and HDS-007's, which fail
    p("HDS-008", "a", "p-laws-and-page-only", PASS),
    p("HDS-006", "c", "p-laws-and-page-only", NOT_PASS),
    p("HDS-007", "c", "p-laws-and-page-only", NOT_PASS),
    p("HDS-008", "b", "p-no-url", FAIL),
    p("HDS-008", "c", "p-no-laws", NOT_PASS),
    p("HDS-008", "d", "p-ma-scc-no-laws", NOT_PASS),  # a Moroccan desk, "no exposure"
    p("HDS-008", "e", "p-no-health", NOT_APPLICABLE),
    # HDS-009 Hosting contract holds the R.1111-11 clauses
    p("HDS-009", "a", "p-clean", PASS),
    p("HDS-009", "b", "p-no-clauses", FAIL),
    p("HDS-009", "c", "p-no-contract", NOT_PASS),
    p("HDS-009", "c", "p-clauses-unknown", NOT_PASS),
    p("HDS-009", "e", "p-no-health", NOT_APPLICABLE),
    # VND-001 Vendor processing personal data has a GDPR art. 28 contract
    v("VND-001", "a", "v-clean", PASS),
    v("VND-001", "b", "v-no-dpa", FAIL),
    v("VND-001", "c", "v-no-contract", NOT_PASS),
    v("VND-001", "c", "v-dpa-unknown", NOT_PASS),
    v("VND-001", "c", "v-personal-unknown", NOT_PASS),
    v("VND-001", "d", "v-health-not-personal", FAIL),  # health data are personal data
    v("VND-001", "e", "v-no-personal", NOT_APPLICABLE),
    # VND-002 Vendor storing health data is HDS-certified or keeps it at a certified provider
    v("VND-002", "a", "v-clean", PASS),
    v("VND-002", "a", "v-own-hds", PASS),
    v("VND-002", "b", "v-no-cert", FAIL),
    v("VND-002", "b", "v-at-uncertified", FAIL),
    v("VND-002", "c", "v-store-unknown", NOT_PASS),
    v("VND-002", "d", "v-own-expired", FAIL),
    v("VND-002", "d", "v-at-expired", FAIL),
    v("VND-002", "e", "v-no-store", NOT_APPLICABLE),
    # VND-003 Vendor or sub-processor outside the EEA and not adequate has SCC/BCR
    v("VND-003", "a", "v-clean", PASS | NOT_APPLICABLE),
    v("VND-003", "a", "v-ma-scc", PASS),
    v("VND-003", "a", "v-ch-adequacy", PASS),
    v("VND-003", "b", "v-ma-none", FAIL),
    v("VND-003", "b", "v-sub-in-none", FAIL),
    v("VND-003", "b", "v-derogation", WARN),
    v("VND-003", "b", "v-derogation-health", FAIL),  # kept decision: health-data access
    v("VND-003", "c", "v-ma-no-mechanism", NOT_PASS),
    v("VND-003", "c", "v-no-country", NOT_PASS),
    v("VND-003", "c", "v-no-subs", NOT_PASS),
    v("VND-003", "d", "v-us-adequacy", NOT_PASS),  # the US decision covers DPF members only
    v("VND-003", "d", "v-sub-ma-adequacy", FAIL),
    v("VND-003", "d", "v-in-adequacy", FAIL),
    v("VND-003", "e", "v-no-personal", NOT_APPLICABLE),
    # VND-004 Sub-processors listed and authorised
    v("VND-004", "a", "v-clean", PASS),
    v("VND-004", "a", "v-subs-empty", PASS),
    v("VND-004", "b", "v-sub-unauthorised", FAIL),
    v("VND-004", "c", "v-no-subs", NOT_PASS),
    v("VND-004", "c", "v-sub-authorised-unknown", NOT_PASS),
    v("VND-004", "e", "v-no-personal", NOT_APPLICABLE),
    # VND-005 Vendor with health-data access audited recently (365 critical / 730)
    v("VND-005", "a", "v-clean", PASS),
    v("VND-005", "a", "v-not-critical-545", PASS),
    v("VND-005", "b", "v-critical-old", FAIL),
    v("VND-005", "b", "v-not-critical-old", FAIL),
    v("VND-005", "c", "v-no-audit", NOT_PASS),
    v("VND-005", "c", "v-critical-unknown", NOT_PASS),
    v("VND-005", "d", "v-stores-no-access", NOT_PASS),  # storing health data is access
    v("VND-005", "e", "v-no-health", NOT_APPLICABLE),
    # VND-006 Breach notification clause ≤ 48 h (vendors, providers)
    v("VND-006", "a", "v-clean", PASS),
    v("VND-006", "b", "v-notice-72", FAIL),
    v("VND-006", "c", "v-no-notice", NOT_PASS),
    v("VND-006", "c", "v-no-contract", NOT_PASS),
    v("VND-006", "d", "v-notice-0", FAIL),
    v("VND-006", "e", "v-no-personal", NOT_APPLICABLE),
    p("VND-006", "a", "p-clean", PASS),
    p("VND-006", "b", "p-notice-72", FAIL),
    p("VND-006", "c", "p-no-notice", NOT_PASS),
    p("VND-006", "c", "p-no-contract", NOT_PASS),
    p("VND-006", "d", "p-notice-0", FAIL),
    # VND-007 Vendor remote access through the gateway, time-bounded, nominative, with MFA
    v("VND-007", "a", "v-clean", PASS),
    v("VND-007", "b", "v-remote-no-mfa", FAIL),
    v("VND-007", "b", "v-remote-direct", FAIL),
    v("VND-007", "c", "v-remote-partial", NOT_PASS),
    # The block is absent when the vendor has no remote access (docs/fidelity.md), even for a
    # vendor that reaches systems (on site): VND-008 still reads those as supplied software.
    v("VND-007", "e", "v-remote-unknown", NOT_APPLICABLE),
    v("VND-007", "e", "v-no-systems", NOT_APPLICABLE),
    # VND-008 Contractual patch deadlines for supplied software (30 / 90 days)
    v("VND-008", "a", "v-clean", PASS),
    v("VND-008", "b", "v-sla-critical-60", FAIL),
    v("VND-008", "b", "v-sla-high-120", FAIL),
    v("VND-008", "c", "v-no-sla", NOT_PASS),
    v("VND-008", "c", "v-sla-partial", NOT_PASS),
    v("VND-008", "d", "v-sla-zero", FAIL),
    v("VND-008", "e", "v-no-systems", NOT_APPLICABLE),
    # GOV-001 FINESS numbers well-formed (Luhn)
    o("GOV-001", "a", "main", PASS),
    o("GOV-001", "b", "org-violations", FAIL),
    o("GOV-001", "b", "org-violations-2", FAIL),  # one establishment's number is wrong
    o("GOV-001", "c", "org-bare", NOT_PASS),
    o("GOV-001", "c", "org-partial", NOT_PASS),
    o("GOV-001", "e", "org-vendor", NOT_APPLICABLE),
    # GOV-002 Security officer appointed
    o("GOV-002", "a", "main", PASS),
    o("GOV-002", "b", "org-violations", FAIL),
    o("GOV-002", "c", "org-bare", NOT_PASS),
    o("GOV-002", "c", "org-partial", NOT_PASS),
    o("GOV-002", "d", "org-violations-2", FAIL),  # "TBD" is nobody
    # GOV-003 Security policy ≤ 24 months and since 2022-07-16; risk analysis ≤ 12 months
    o("GOV-003", "a", "main", PASS),
    o("GOV-003", "b", "org-violations", FAIL),
    o("GOV-003", "b", "org-violations-2", FAIL),
    o("GOV-003", "b", "org-2024", FAIL),
    o("GOV-003", "c", "org-bare", NOT_PASS),
    # GOV-004 Incident procedure covers ARS / CERT Santé and CNIL 72 h
    o("GOV-004", "a", "main", PASS),
    o("GOV-004", "a", "org-vendor", PASS),  # no ARS report asked of a software vendor
    o("GOV-004", "a", "org-catalogue", PASS),
    o("GOV-004", "b", "org-violations", FAIL),
    o("GOV-004", "b", "org-declared-false", FAIL),
    o("GOV-004", "b", "org-violations-2", FAIL),
    o("GOV-004", "c", "org-bare", NOT_PASS),
    o("GOV-004", "c", "org-partial", NOT_PASS),
    # GOV-005 Continuity plan exists and tested within a year
    o("GOV-005", "a", "main", PASS),
    o("GOV-005", "a", "org-catalogue", PASS),
    o("GOV-005", "b", "org-violations", FAIL),
    o("GOV-005", "b", "org-declared-false", FAIL),
    o("GOV-005", "b", "org-violations-2", FAIL),
    o("GOV-005", "c", "org-bare", NOT_PASS),
    o("GOV-005", "c", "org-partial", NOT_PASS),
    # GOV-006 Independent audit or pentest within a year
    o("GOV-006", "a", "main", PASS),
    o("GOV-006", "a", "org-partial", PASS),  # a pentest alone
    o("GOV-006", "b", "org-violations", FAIL),
    o("GOV-006", "b", "org-pentest-latest", FAIL),
    o("GOV-006", "c", "org-bare", NOT_PASS),
]


@cache
def report(run: str, root: Path, lang: str = "en") -> dict[str, Any]:
    build, as_of = RUNS[run]
    folder = root / f"{run}-{lang}"
    folder.mkdir()
    (folder / "decl.yaml").write_text(
        yaml.safe_dump(build(), sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    result = run_cli(
        ["check", str(folder), "--no-config", "--as-of", as_of, "--format", "json", "--lang", lang]
    )
    assert result.exit_code in (0, 1), result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rows")


def finding(root: Path, case: Case, lang: str = "en") -> dict[str, Any]:
    found = [
        f
        for f in report(case.run, root, lang)["findings"]
        if f["rule"] == case.rule and f["target"] == case.target
    ]
    assert len(found) == 1, (str(case), found)
    only: dict[str, Any] = found[0]
    return only


@pytest.mark.parametrize("case", CASES, ids=str)
def test_row(root: Path, case: Case) -> None:
    got = finding(root, case)
    assert got["status"] in case.expected, (str(case), got["status"], got["message"])


# ------------------------------------------------------------------------- the messages


@pytest.mark.parametrize(
    ("lang", "says"),
    [
        (
            "en",
            "Scribe Santé uses a sub-processor not declared as authorised by the organisation"
            " (`authorised: true` only after its written authorisation): Dictée Express (FR)"
            " — `authorised` not declared",
        ),
        (
            "fr",
            "Scribe Santé recourt à un sous-traitant ultérieur dont l'autorisation par"
            " l'établissement n'est pas déclarée (`authorised: true` seulement après son"
            " autorisation écrite) : Dictée Express (FR) — `authorised` non déclaré",
        ),
    ],
)
def test_vnd_004_an_undeclared_authorisation_is_not_called_a_refusal(
    root: Path, lang: str, says: str
) -> None:
    # It read "uses a sub-processor the organisation has not authorised", of an authorisation
    # nobody declared either way.
    case = v("VND-004", "c", "v-sub-authorised-unknown", NOT_PASS)
    assert finding(root, case, lang)["message"] == says


@pytest.mark.parametrize(
    ("run", "field"),
    [("org-violations", "last_security_audit"), ("org-pentest-latest", "last_pentest")],
)
def test_gov_006_points_at_the_most_recent_of_audit_and_pentest(
    root: Path, run: str, field: str
) -> None:
    # format.md: line and column point at the field that decides the finding. It pointed at
    # `last_security_audit` when the (more recent) pentest decided, or at the organisation
    # when no audit was declared.
    got = finding(root, o("GOV-006", "b", run, FAIL))
    lines = (root / f"{run}-en" / "decl.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[got["line"] - 1][got["column"] - 1 :].startswith(f"{field}:"), got


# ------------------------------- (d) greens that lie, refused as input errors (exit 2)

# A date recording something that happened, after the evaluation date, and a certificate longer
# than the referential's three years are refused before any rule runs (domain.md: plausible),
# each named at its field with its value; the run reports them all at once.
SIX_YEARS = {"hds.valid_from": day("2024-01-01"), "hds.valid_until": day("2029-12-31")}
AUDITED_LATER = {"hds.last_surveillance_audit": day("2027-01-10")}
SIGNED_LATER = {"contract.signed": day("2027-01-05")}
LYING: dict[str, Any] = {
    "organisation": changed(
        CLEAN_ORGANISATION,
        {
            "risk_analysis": day("2027-01-01"),
            "last_pentest": day("2027-01-10"),
            "continuity_plan.last_test": day("2027-02-01"),
        },
    ),
    "providers": [
        {"id": "p-clean", **CLEAN_PROVIDER},
        {"id": "p-six-years", **changed(CLEAN_PROVIDER, SIX_YEARS)},
        {"id": "p-audit-future", **changed(CLEAN_PROVIDER, AUDITED_LATER)},
        {"id": "p-contract-future", **changed(CLEAN_PROVIDER, SIGNED_LATER)},
    ],
    "systems": [{"id": "sys-p-clean", "name": "DPI", "health_data": True, "hosted_by": "p-clean"}],
    "vendors": [
        {"id": "v-contract-future", **changed(CLEAN_VENDOR, SIGNED_LATER)},
        {"id": "v-audit-future", **changed(CLEAN_VENDOR, {"last_audit": day("2027-01-10")})},
    ],
}

FUTURE = "is after the evaluation date 2026-11-28"
REFUSED = [
    ("HDS-003", "providers/p-six-years.hds.valid_until", "longer than 3 years"),
    ("HDS-004", "providers/p-audit-future.hds.last_surveillance_audit", f"2027-01-10 {FUTURE}"),
    ("HDS-009", "providers/p-contract-future.contract.signed", f"2027-01-05 {FUTURE}"),
    ("VND-001", "vendors/v-contract-future.contract.signed", f"2027-01-05 {FUTURE}"),
    ("VND-005", "vendors/v-audit-future.last_audit", f"2027-01-10 {FUTURE}"),
    ("GOV-003", "organisation.risk_analysis", f"2027-01-01 {FUTURE}"),
    ("GOV-005", "organisation.continuity_plan.last_test", f"2027-02-01 {FUTURE}"),
    ("GOV-006", "organisation.last_pentest", f"2027-01-10 {FUTURE}"),
]


@pytest.fixture(scope="module")
def refused(root: Path) -> tuple[list[str], dict[str, str]]:
    """The declaration's lines and the error message at each field path."""
    folder = root / "lying"
    folder.mkdir()
    text = yaml.safe_dump(LYING, sort_keys=False, allow_unicode=True)
    (folder / "decl.yaml").write_text(text, encoding="utf-8")
    result = run_cli(["check", str(folder), "--no-config", "--as-of", AS_OF, "--format", "json"])
    assert result.exit_code == 2, result.output
    assert not result.stdout
    errors = {}
    for line in result.stderr.splitlines():
        location, path, message = line.split(": ", 2)
        errors[path] = f"{location}: {message}"
    return text.splitlines(), errors


@pytest.mark.parametrize(("rule", "path", "says"), REFUSED, ids=[r[1] for r in REFUSED])
def test_a_green_that_lies_is_refused_at_its_field(
    refused: tuple[list[str], dict[str, str]], rule: str, path: str, says: str
) -> None:
    lines, errors = refused
    assert path in errors, (rule, sorted(errors))
    location, message = errors[path].split(": ", 1)
    assert says in message
    line, column = (int(n) for n in location.rsplit(":", 2)[1:])
    # the line of the field, the column of its value
    key, value = lines[line - 1][: column - 1].strip(), lines[line - 1][column - 1 :]
    assert key == path.rsplit(".", 1)[1] + ":", errors[path]
    assert value in message, errors[path]
