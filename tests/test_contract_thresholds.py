"""Every numbered threshold of the rule catalogue, at its boundary, as its outside tester reads
it: written from the catalogue's table (domain.md section 3) and the date semantics of the
declaration format (format.md), not from the policies. Each case is a minimal organisation run
through the command line (``check DIR --no-config --as-of … --format json``), and the status
of one rule's finding on one target is asserted on each side of every boundary.

format.md: an end date (`valid_until`, `not_after`, `end_of_support`) is the last valid day,
inclusive; an age limit of N days holds when the date is at most N days before the evaluation
date (N days old passes, N + 1 fails). "warn < N days" (HDS-003, FW-002, PAT-001) warns while
fewer than N days are left; "warn 30 days before" (TLS-002) warns from 30 days left, as
docs/fidelity.md reads it. Months (GOV-003) are calendar months (docs/fidelity.md)."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import AS_OF, run_cli, write

TODAY = datetime.date.fromisoformat(AS_OF)


def ago(days: int, as_of: str = AS_OF) -> str:
    """The date ``days`` days before ``as_of``."""
    return (datetime.date.fromisoformat(as_of) - datetime.timedelta(days=days)).isoformat()


def ahead(days: int, as_of: str = AS_OF) -> str:
    """The date ``days`` days after ``as_of``."""
    return (datetime.date.fromisoformat(as_of) + datetime.timedelta(days=days)).isoformat()


@dataclass(frozen=True)
class Case:
    rule: str
    name: str
    target: str
    declaration: str
    expected: str
    as_of: str = AS_OF


def status_of(tmp_path: Path, case: Case) -> tuple[str, str]:
    """(status, message) of ``case.rule`` on ``case.target``, the declaration in a directory."""
    write(tmp_path / "decl", {"org.yaml": case.declaration})
    result = run_cli(
        ["check", str(tmp_path / "decl"), "--no-config", "--as-of", case.as_of, "--format", "json"]
    )
    assert result.exit_code in (0, 1), result.output
    found = [
        f
        for f in json.loads(result.stdout)["findings"]
        if f["rule"] == case.rule and f["target"] == case.target
    ]
    assert len(found) == 1, (case, result.stdout)
    return str(found[0]["status"]), str(found[0]["message"])


# ---------------------------------------------------------------- declarations, one per rule


def provider(hds: str) -> str:
    return (
        "providers:\n  - {id: host, name: Host, "
        f"hds: {{certificate: HDS-1, certifier: LNE, {hds}}}}}\n"
    )


def hds003(valid_until: str) -> str:
    return provider(f"valid_until: {valid_until}")


def hds004(audit: str) -> str:
    return provider(
        f"valid_from: 2024-06-01, valid_until: 2027-05-31, last_surveillance_audit: {audit}"
    )


def hds005(referential: str) -> str:
    return provider(
        f"referential: '{referential}', valid_from: 2024-01-10, valid_until: 2027-01-09"
    )


def exp006(scan: str) -> str:
    # `services: []`: the inventory declared (absent, it fails as missing evidence).
    return f"organisation: {{name: CH, last_exposure_scan: {scan}}}\nservices: []\n"


def firewall(fields: str) -> str:
    return f"firewalls:\n  - {{id: fw-1, {fields}}}\n"


def service_software(end: str) -> str:
    return (
        "services:\n  - {id: web, protocol: https, exposure: internal,"
        f" software: {{name: nginx, version: '1.26', end_of_support: {end}}}}}\n"
    )


def system_support(end: str) -> str:
    return f"systems:\n  - {{id: dpi, name: DPI, health_data: false, end_of_support: {end}}}\n"


def cve(cvss: float, published: int, kev_added: int | None = None) -> str:
    """A vulnerability published ``published`` days before the evaluation date, listed in the
    CISA KEV catalogue ``kev_added`` days before it (not listed when None)."""
    kev = "kev: false" if kev_added is None else f"kev: true, kev_added: {ago(kev_added)}"
    return f"{{cve: CVE-2026-1, cvss: {cvss}, published: {ago(published)}, {kev}}}"


def vulnerable(exposure: str, vulnerability: str) -> str:
    return (
        f"services:\n  - {{id: web, protocol: https, exposure: {exposure}, via: direct,"
        f" vulnerabilities: [{vulnerability}]}}\n"
    )


def vulnerable_firewall(vulnerability: str) -> str:
    return (
        f"firewalls:\n  - {{id: fw-1, internet_facing: true, vulnerabilities: [{vulnerability}]}}\n"
    )


def vnd005(critical: bool, audit: str) -> str:
    return (
        "vendors:\n  - {id: v, name: Maint, health_data_access: true,"
        f" critical: {str(critical).lower()}, last_audit: {audit}}}\n"
    )


def breach(section: str, hours: int) -> str:
    extra = ", processes_personal_data: true" if section == "vendors" else ""
    return (
        f"{section}:\n  - {{id: x, name: X{extra}, contract: {{breach_notice_hours: {hours}}}}}\n"
    )


def vnd008(critical_days: int, high_days: int) -> str:
    return (
        "vendors:\n  - {id: v, name: Editor,"
        f" contract: {{patch_sla: {{critical_days: {critical_days}, high_days: {high_days}}}}}}}\n"
    )


def backup(fields: str) -> str:
    return f"systems:\n  - {{id: dpi, name: DPI, health_data: true, backup: {{{fields}}}}}\n"


def identity(fields: str) -> str:
    return f"identity: {{{fields}}}\n"


def logging(fields: str) -> str:
    return f"logging: {{{fields}}}\n"


def organisation(fields: str) -> str:
    return f"organisation: {{name: CH, {fields}}}\n"


def certificate(not_before: str, not_after: str, public: bool = True) -> str:
    return (
        f"certificates:\n  - {{id: c, subject: www.example.org, not_before: {not_before},"
        f" not_after: {not_after}, public: {str(public).lower()},"
        " signature_algorithm: sha256WithRSAEncryption}\n"
    )


def lifetime(issued: str, days: int) -> str:
    """A public certificate issued on ``issued``, ``not_after - not_before`` = ``days``."""
    return certificate(issued, ahead(days, issued))


# ------------------------------------------------------------------------------ the matrix

P, W, F = "pass", "warn", "fail"
PROV, FW, WEB, DPI = "providers/host", "firewalls/fw-1", "services/web", "systems/dpi"

CASES = [
    # HDS-003: "fail expired; warn < 90 days"; valid_until is the last valid day.
    Case("HDS-003", "last valid day is the evaluation date", PROV, hds003(AS_OF), W),
    Case("HDS-003", "expired the day before", PROV, hds003(ago(1)), F),
    Case("HDS-003", "89 days left", PROV, hds003(ahead(89)), W),
    Case("HDS-003", "90 days left", PROV, hds003(ahead(90)), P),
    # HDS-004: surveillance audit ≤ 395 days.
    Case("HDS-004", "audit 395 days old", PROV, hds004(ago(395)), P),
    Case("HDS-004", "audit 396 days old", PROV, hds004(ago(396)), F),
    # HDS-005: v2 required from 2026-05-16.
    Case("HDS-005", "v1.1 the day before the deadline", PROV, hds005("v1.1"), P, "2026-05-15"),
    Case("HDS-005", "v1.1 on the deadline", PROV, hds005("v1.1"), F, "2026-05-16"),
    Case("HDS-005", "v2 on the deadline", PROV, hds005("v2"), P, "2026-05-16"),
    # EXP-006: exposure scan ≤ 31 days (warn beyond), ≤ 92 days (fail beyond).
    Case("EXP-006", "scan 31 days old", "organisation", exp006(ago(31)), P),
    Case("EXP-006", "scan 32 days old", "organisation", exp006(ago(32)), W),
    Case("EXP-006", "scan 92 days old", "organisation", exp006(ago(92)), W),
    Case("EXP-006", "scan 93 days old", "organisation", exp006(ago(93)), F),
    # FW-001: last_patch ≤ 90 days (format.md's own example).
    Case("FW-001", "patch exactly 90 days old", FW, firewall(f"last_patch: {ago(90)}"), P),
    Case("FW-001", "patch 91 days old", FW, firewall(f"last_patch: {ago(91)}"), F),
    # FW-002: fail past end of support; warn < 180 days.
    *(
        Case("FW-002", name, FW, firewall(f"firmware: {{end_of_support: {end}}}"), expected)
        for name, end, expected in [
            ("last supported day is the evaluation date", AS_OF, W),
            ("support ended the day before", ago(1), F),
            ("179 days left", ahead(179), W),
            ("180 days left", ahead(180), P),
        ]
    ),
    # FW-003: rule review ≤ 180 days.
    Case("FW-003", "review 180 days old", FW, firewall(f"last_rule_review: {ago(180)}"), P),
    Case("FW-003", "review 181 days old", FW, firewall(f"last_rule_review: {ago(181)}"), F),
    # PAT-001: services (software) and systems; fail past; warn < 180 days.
    *(
        Case("PAT-001", f"{kind}: {name}", target, make(end), expected)
        for kind, target, make in [
            ("service", WEB, service_software),
            ("system", DPI, system_support),
        ]
        for name, end, expected in [
            ("last supported day is the evaluation date", AS_OF, W),
            ("support ended the day before", ago(1), F),
            ("179 days left", ahead(179), W),
            ("180 days left", ahead(180), P),
        ]
    ),
    # PAT-002: CVSS ≥ 9 fixed within 30 days of publication; 8.9 is out of scope.
    Case("PAT-002", "CVSS 9.0 published 30 days ago", WEB, vulnerable("internal", cve(9.0, 30)), P),
    Case("PAT-002", "CVSS 9.0 published 31 days ago", WEB, vulnerable("internal", cve(9.0, 31)), F),
    Case("PAT-002", "CVSS 8.9 published 31 days ago", WEB, vulnerable("internal", cve(8.9, 31)), P),
    Case("PAT-002", "CVSS 8.9 a year ago", WEB, vulnerable("internal", cve(8.9, 365)), P),
    Case("PAT-002", "firewall, CVSS 9.8 30 days", FW, vulnerable_firewall(cve(9.8, 30)), P),
    Case("PAT-002", "firewall, CVSS 9.8 31 days", FW, vulnerable_firewall(cve(9.8, 31)), F),
    # PAT-003: KEV within 14 days of kev_added; Internet-facing CVSS ≥ 9 within 15 days.
    Case("PAT-003", "KEV listed 14 days ago", WEB, vulnerable("internal", cve(7.5, 60, 14)), P),
    Case("PAT-003", "KEV listed 15 days ago", WEB, vulnerable("internal", cve(7.5, 60, 15)), F),
    Case("PAT-003", "Internet, CVSS 9.0, 15 days", WEB, vulnerable("internet", cve(9.0, 15)), P),
    Case("PAT-003", "Internet, CVSS 9.0, 16 days", WEB, vulnerable("internet", cve(9.0, 16)), F),
    Case("PAT-003", "Internet, CVSS 8.9, 16 days", WEB, vulnerable("internet", cve(8.9, 16)), P),
    Case("PAT-003", "internal, CVSS 9.0, 16 days", WEB, vulnerable("internal", cve(9.0, 16)), P),
    Case(
        "PAT-003", "Internet firewall, CVSS 9.8, 15 days", FW, vulnerable_firewall(cve(9.8, 15)), P
    ),
    Case(
        "PAT-003", "Internet firewall, CVSS 9.8, 16 days", FW, vulnerable_firewall(cve(9.8, 16)), F
    ),
    Case(
        "PAT-003", "firewall, KEV listed 14 days ago", FW, vulnerable_firewall(cve(7.5, 60, 14)), P
    ),
    Case(
        "PAT-003", "firewall, KEV listed 15 days ago", FW, vulnerable_firewall(cve(7.5, 60, 15)), F
    ),
    # VND-005: audit ≤ 365 days for a critical vendor, ≤ 730 otherwise.
    Case("VND-005", "critical, audit 365 days old", "vendors/v", vnd005(True, ago(365)), P),
    Case("VND-005", "critical, audit 366 days old", "vendors/v", vnd005(True, ago(366)), F),
    Case("VND-005", "not critical, audit 730 days old", "vendors/v", vnd005(False, ago(730)), P),
    Case("VND-005", "not critical, audit 731 days old", "vendors/v", vnd005(False, ago(731)), F),
    # VND-006: breach notice ≤ 48 h, vendors and providers.
    Case("VND-006", "vendor, 48 h", "vendors/x", breach("vendors", 48), P),
    Case("VND-006", "vendor, 49 h", "vendors/x", breach("vendors", 49), F),
    Case("VND-006", "provider, 48 h", "providers/x", breach("providers", 48), P),
    Case("VND-006", "provider, 49 h", "providers/x", breach("providers", 49), F),
    # VND-008: critical ≤ 30 days, high ≤ 90 days.
    Case("VND-008", "critical 30, high 90", "vendors/v", vnd008(30, 90), P),
    Case("VND-008", "critical 31", "vendors/v", vnd008(31, 90), F),
    Case("VND-008", "high 91", "vendors/v", vnd008(30, 91), F),
    # BKP-001: last success ≤ 1 day.
    Case("BKP-001", "backup today", DPI, backup(f"monitored: true, last_success: {AS_OF}"), P),
    Case("BKP-001", "backup 1 day old", DPI, backup(f"monitored: true, last_success: {ago(1)}"), P),
    Case(
        "BKP-001", "backup 2 days old", DPI, backup(f"monitored: true, last_success: {ago(2)}"), F
    ),
    # BKP-002: restore test ≤ 365 days.
    Case("BKP-002", "restore test 365 days old", DPI, backup(f"last_restore_test: {ago(365)}"), P),
    Case("BKP-002", "restore test 366 days old", DPI, backup(f"last_restore_test: {ago(366)}"), F),
    # IAM-004: inactive accounts disabled within 90 days.
    Case("IAM-004", "90 days", "identity", identity("inactive_disable_days: 90"), P),
    Case("IAM-004", "91 days", "identity", identity("inactive_disable_days: 91"), F),
    # IAM-005: krbtgt reset ≤ 365 days; ANSSI AD level ≥ 3.
    *(
        Case(
            "IAM-005",
            name,
            "identity",
            identity(f"active_directory: {{krbtgt_last_reset: {reset}, ads_level: {level}}}"),
            expected,
        )
        for name, reset, level, expected in [
            ("krbtgt reset 365 days ago", ago(365), 3, P),
            ("krbtgt reset 366 days ago", ago(366), 3, F),
            ("AD level 2", ago(10), 2, F),
            ("AD level 3", ago(10), 3, P),
        ]
    ),
    # LOG-002: retention ≥ 180 days (fail below), warn < 365.
    *(
        Case(
            "LOG-002",
            f"retention {days} days",
            "logging",
            logging(f"retention_days: {days}"),
            expected,
        )
        for days, expected in [(179, F), (180, W), (364, W), (365, P)]
    ),
    # LOG-003: access review ≤ 365 days.
    Case(
        "LOG-003",
        "review 365 days old",
        "logging",
        logging(f"health_data_access_logged: true, last_access_review: {ago(365)}"),
        P,
    ),
    Case(
        "LOG-003",
        "review 366 days old",
        "logging",
        logging(f"health_data_access_logged: true, last_access_review: {ago(366)}"),
        F,
    ),
    # GOV-003: policy ≤ 24 months and on or after 2022-07-16; risk analysis ≤ 12 months,
    # in calendar months (docs/fidelity.md).
    *(
        Case(
            "GOV-003",
            name,
            "organisation",
            organisation(f"security_policy_reviewed: {policy}, risk_analysis: {risk}"),
            expected,
            as_of,
        )
        for name, policy, risk, expected, as_of in [
            ("policy exactly 24 months old", "2024-11-28", "2026-01-10", P, AS_OF),
            ("policy 24 months and a day old", "2024-11-27", "2026-01-10", F, AS_OF),
            ("risk analysis exactly 12 months old", "2026-01-10", "2025-11-28", P, AS_OF),
            ("risk analysis 12 months and a day old", "2026-01-10", "2025-11-27", F, AS_OF),
            ("policy reviewed on 2022-07-16", "2022-07-16", "2022-12-01", P, "2023-01-01"),
            ("policy reviewed on 2022-07-15", "2022-07-15", "2022-12-01", F, "2023-01-01"),
        ]
    ),
    # GOV-005: continuity plan tested within 365 days.
    *(
        Case(
            "GOV-005",
            f"plan tested {days} days ago",
            "organisation",
            organisation(
                "continuity_plan: {exists: true, business_impact_analysis: true,"
                f" last_test: {ago(days)}}}"
            ),
            expected,
        )
        for days, expected in [(365, P), (366, F)]
    ),
    # GOV-006: independent audit or pentest within 365 days.
    Case(
        "GOV-006",
        "audit 365 days old",
        "organisation",
        organisation(f"last_security_audit: {ago(365)}"),
        P,
    ),
    Case(
        "GOV-006",
        "audit 366 days old",
        "organisation",
        organisation(f"last_security_audit: {ago(366)}"),
        F,
    ),
    Case(
        "GOV-006",
        "pentest 365 days old",
        "organisation",
        organisation(f"last_pentest: {ago(365)}"),
        P,
    ),
    Case(
        "GOV-006",
        "pentest 366 days old",
        "organisation",
        organisation(f"last_pentest: {ago(366)}"),
        F,
    ),
    # TLS-002: fail once expired (not_after is the last valid day); warn 30 days before.
    *(
        Case(
            "TLS-002",
            name,
            "certificates/c",
            certificate("2026-10-01", not_after, public=False),
            expected,
        )
        for name, not_after, expected in [
            ("last valid day is the evaluation date", AS_OF, W),
            ("expired the day before", ago(1), F),
            ("30 days left", ahead(30), W),
            ("31 days left", ahead(31), P),
        ]
    ),
    # TLS-003: public lifetime by issue date (CA/B BR 6.3.2, ballot SC-081v3): 398 days
    # before 2026-03-15, 200 from it, 100 from 2027-03-15, 47 from 2029-03-15; the lifetime
    # is not_after - not_before in days (docs/fidelity.md).
    *(
        Case(
            "TLS-003",
            f"issued {issued}, {days} days",
            "certificates/c",
            lifetime(issued, days),
            expected,
            issued,
        )
        for issued, days, expected in [
            ("2026-03-14", 398, P),
            ("2026-03-14", 399, F),
            ("2026-03-15", 200, P),
            ("2026-03-15", 201, F),
            ("2027-03-14", 200, P),
            ("2027-03-14", 201, F),
            ("2027-03-15", 100, P),
            ("2027-03-15", 101, F),
            ("2029-03-14", 100, P),
            ("2029-03-14", 101, F),
            ("2029-03-15", 47, P),
            ("2029-03-15", 48, F),
        ]
    ),
    Case(
        "TLS-003",
        "private, 825 days",
        "certificates/c",
        certificate("2026-04-01", ahead(825, "2026-04-01"), public=False),
        P,
        "2026-04-01",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.rule} {c.name}" for c in CASES])
def test_threshold(tmp_path: Path, case: Case) -> None:
    status, message = status_of(tmp_path, case)
    assert status == case.expected, message


@pytest.mark.parametrize(("days", "expected"), [(90, P), (91, F)])
def test_the_evaluation_date_defaults_to_today(tmp_path: Path, days: int, expected: str) -> None:
    # format.md: "The evaluation date is `--as-of`, default today": FW-001 without --as-of.
    today = datetime.date.today()
    write(
        tmp_path / "decl", {"fw.yaml": firewall(f"last_patch: {today - datetime.timedelta(days)}")}
    )
    result = run_cli(["check", str(tmp_path / "decl"), "--no-config", "--format", "json"])
    report = json.loads(result.stdout)
    assert report["as_of"] == today.isoformat()
    (finding,) = [f for f in report["findings"] if f["rule"] == "FW-001"]
    assert finding["status"] == expected, finding["message"]


# ------------------------------------------- PAT-003: a vulnerability that does not declare kev

# CISA lists a flaw after it is published, never before: one published at most 14 days before
# the evaluation date cannot be past the 14-day KEV deadline, whatever `kev` would say, nor past
# the 15-day Internet-facing one. Older, or without `published`, it needs `kev`.


def without_kev(exposure: str, published: str | None, cvss: float = 7.5) -> str:
    date = "" if published is None else f", published: {published}"
    return vulnerable(exposure, f"{{cve: CVE-2026-6001, cvss: {cvss}{date}}}")


@pytest.mark.parametrize(
    ("exposure", "published", "cvss", "expected"),
    [
        ("internal", ago(14), 7.5, P),
        ("internal", ago(15), 7.5, F),
        ("internal", AS_OF, 7.5, P),
        ("internal", None, 7.5, F),
        # Internet-facing and critical: 14 days old cannot be late on either deadline; 15 days
        # old is within the Internet-facing one, but may be 15 days after a KEV listing.
        ("internet", ago(14), 9.8, P),
        ("internet", ago(15), 9.8, F),
    ],
)
def test_pat_003_needs_kev_once_published_more_than_14_days_ago(
    tmp_path: Path, exposure: str, published: str | None, cvss: float, expected: str
) -> None:
    case = Case("PAT-003", "no kev", WEB, without_kev(exposure, published, cvss), expected)
    status, message = status_of(tmp_path, case)
    assert status == expected, message


@pytest.mark.parametrize(
    ("lang", "published", "expected"),
    [
        (
            "en",
            ago(14),
            "1 open vulnerability declared; none is declared known exploited; CVE-2026-6001"
            " (published 2026-11-14, 14 days ago) does not declare `kev`: published within the"
            " 14-day KEV deadline, it cannot be late yet",
        ),
        (
            "en",
            ago(15),
            "evidence missing: CVE-2026-6001 does not declare `kev` (whether CISA lists it as"
            " known exploited): published 2026-11-13, 15 days before 2026-11-28, it may have"
            " been listed more than 14 days ago",
        ),
        (
            "en",
            None,
            "evidence missing: CVE-2026-6001 does not declare `kev` (whether CISA lists it as"
            " known exploited) nor `published`, which would show whether it can be past the"
            " 14-day KEV deadline",
        ),
        (
            "fr",
            ago(14),
            "1 vulnérabilité ouverte déclarée ; aucune n'est déclarée comme exploitée ;"
            " CVE-2026-6001 (publiée le 14 novembre 2026, il y a 14 jours) ne déclare pas `kev` :"
            " publiée dans le délai KEV de 14 jours, elle ne peut pas encore être en retard",
        ),
        (
            "fr",
            ago(15),
            "preuve manquante : CVE-2026-6001 ne déclare pas `kev` (si la CISA la répertorie"
            " comme exploitée) : publiée le 13 novembre 2026, 15 jours avant le 28 novembre"
            " 2026, elle a pu être inscrite au catalogue KEV il y a plus de 14 jours",
        ),
        (
            "fr",
            None,
            "preuve manquante : CVE-2026-6001 ne déclare pas `kev` (si la CISA la répertorie"
            " comme exploitée) ni `published`, qui montrerait si elle peut avoir dépassé le"
            " délai KEV de 14 jours",
        ),
    ],
)
def test_pat_003_says_why_kev_is_or_is_not_needed(
    tmp_path: Path, lang: str, published: str | None, expected: str
) -> None:
    write(tmp_path / "decl", {"org.yaml": without_kev("internal", published)})
    args = ["check", str(tmp_path / "decl"), "--no-config", "--as-of", AS_OF]
    result = run_cli([*args, "--format", "json", "--lang", lang])
    (finding,) = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "PAT-003"]
    assert expected in finding["message"]
