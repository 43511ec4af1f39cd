"""Plausible evidence (issue 11, class 1): a date recording something that happened after
the evaluation date, or an HDS certificate valid longer than three years, is a located input
problem (exit 2) whatever rule would read it, never a pass."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import Result

from hdsguard.declarations.plausible import END_DATES, START_DATES, event_dates
from tests.helpers import findings_of, run_cli, write


def check(tmp_path: Path, text: str, as_of: str = "2026-11-28") -> Result:
    write(tmp_path, {"decl.yaml": text})
    return run_cli(["check", str(tmp_path / "decl.yaml"), "--as-of", as_of, "--format", "json"])


def test_every_event_date_of_the_format_is_checked() -> None:
    dates = event_dates()
    expected = {
        "firewalls": {("last_patch",), ("last_rule_review",), ("vulnerabilities_reviewed",)},
        "systems": {("backup", "last_success"), ("backup", "last_restore_test")},
        "providers": {("hds", "last_surveillance_audit"), ("contract", "signed")},
        "vendors": {("last_audit",), ("hds", "last_surveillance_audit"), ("contract", "signed")},
        "organisation": {("last_pentest",), ("continuity_plan", "last_test")},
        "identity": {("active_directory", "krbtgt_last_reset")},
        "logging": {("last_access_review",)},
        "services": {("vulnerabilities", "*", "published"), ("vulnerabilities", "*", "kev_added")},
    }
    for section, paths in expected.items():
        assert paths <= set(dates[section]), section
    every = {p[-1] for paths in dates.values() for p in paths}
    assert every.isdisjoint(END_DATES | START_DATES)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (
            "firewalls: [{id: fw-1, last_patch: 2027-10-13}]",
            "decl.yaml:1:36: firewalls/fw-1.last_patch: 2027-10-13 is after the evaluation "
            "date 2026-11-28",
        ),
        (
            "systems:\n  - id: s\n    name: S\n    backup: {last_restore_test: 2026-11-29}\n",
            "decl.yaml:4:33: systems/s.backup.last_restore_test: 2026-11-29 is after",
        ),
        (
            "organisation: {name: O, last_pentest: 2030-01-01}",
            "organisation.last_pentest: 2030-01-01 is after",
        ),
        (
            "services:\n  - id: s\n    protocol: https\n    exposure: internal\n"
            "    vulnerabilities: [{cve: CVE-1, published: 2027-01-01}]\n",
            "services/s.vulnerabilities[0].published: 2027-01-01 is after",
        ),
        (
            "vendors: [{id: v, name: V, hds: {last_surveillance_audit: 2027-02-01}}]",
            "vendors/v.hds.last_surveillance_audit: 2027-02-01 is after",
        ),
    ],
)
def test_a_date_from_the_future_is_a_located_input_problem(
    tmp_path: Path, text: str, where: str
) -> None:
    result = check(tmp_path, text)
    assert result.exit_code == 2
    assert where in result.stderr
    assert "cannot lie in the future" in result.stderr


def test_the_evaluation_date_itself_is_plausible(tmp_path: Path) -> None:
    result = check(tmp_path, "firewalls: [{id: fw-1, last_patch: 2026-11-28}]")
    assert result.exit_code in (0, 1)
    fw001 = [f for f in findings_of(result) if f["rule"] == "FW-001"]
    assert fw001[0]["status"] == "pass"


def test_end_dates_may_lie_ahead(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        "firewalls: [{id: fw-1, last_patch: 2026-11-01, firmware: {end_of_support: 2030-01-01}}]",
    )
    assert result.exit_code in (0, 1), result.stderr


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "ok"),
    [
        ("2024-05-16", "2027-05-16", True),  # exactly three years
        ("2024-05-16", "2027-05-17", False),  # one day more
        ("2024-05-16", "2029-05-15", False),
        ("2025-01-01", "2024-12-31", False),  # ends before it begins
    ],
)
def test_hds_certificates_last_at_most_three_years(
    tmp_path: Path, valid_from: str, valid_until: str, ok: bool
) -> None:
    for section in ("providers", "vendors"):
        result = check(
            tmp_path,
            f"{section}: [{{id: h, name: H, hds: {{valid_from: {valid_from},"
            f" valid_until: {valid_until}}}}}]",
        )
        if ok:
            assert result.exit_code in (0, 1), result.stderr
        else:
            assert result.exit_code == 2
            assert f"{section}/h.hds.valid_until:" in result.stderr


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (
            "systems: [{id: s, name: S, health_data: false, end_of_support: 9999-12-31}]",
            "decl.yaml:1:64: systems/s.end_of_support: 9999-12-31 is more than 100 years",
        ),
        (
            "firewalls: [{id: fw-1, firmware: {end_of_support: 2999-12-31}}]",
            "firewalls/fw-1.firmware.end_of_support: 2999-12-31 is more than 100 years",
        ),
        (
            "services:\n  - id: s\n    protocol: ssh\n    exposure: internal\n"
            "    software: {name: OpenSSH, end_of_support: 9999-01-01}\n",
            "services/s.software.end_of_support: 9999-01-01 is more than 100 years",
        ),
    ],
)
def test_an_end_of_support_a_century_ahead_is_a_placeholder(
    tmp_path: Path, text: str, where: str
) -> None:
    # "Supported until 9999-12-31" passed PAT-001 and FW-002 (an error before: CEL overflow).
    result = check(tmp_path, text)
    assert result.exit_code == 2
    assert where in result.stderr
    assert 'what a form writes for "no end date"' in result.stderr


def test_far_end_dates_within_the_horizon_or_of_certificates_are_read(tmp_path: Path) -> None:
    # 2099-12-31, a fixture's "well ahead", is read; a certificate's 9999-12-31 is RFC 5280's
    # "no expiration", and its rules give verdicts, not an error.
    result = check(
        tmp_path,
        "systems: [{id: s, name: S, health_data: false, end_of_support: 2099-12-31}]\n"
        "certificates: [{id: c, subject: x, not_before: 2026-01-01, not_after: 9999-12-31,"
        " public: false, signature_algorithm: sha256WithRSAEncryption}]\n",
    )
    assert result.exit_code in (0, 1), result.stderr
    status = {(f["rule"], f["target"]): f["status"] for f in findings_of(result)}
    assert status[("PAT-001", "systems/s")] == "pass"
    assert status[("TLS-002", "certificates/c")] == "pass"
    assert status[("TLS-003", "certificates/c")] == "pass"


def test_a_certificate_cannot_end_before_it_begins(tmp_path: Path) -> None:
    result = check(
        tmp_path, "certificates: [{id: c, not_before: 2026-06-01, not_after: 2026-05-01}]"
    )
    assert result.exit_code == 2
    assert "certificates/c.not_after: `not_after` 2026-05-01 is before" in result.stderr


@pytest.mark.parametrize(
    ("valid_until", "ok"),
    [
        (
            "2029-11-28",
            True,
        ),  # three years after the evaluation date: issued that day at the latest
        ("2029-11-29", False),  # one day more: could not be valid on the evaluation date
        ("2035-12-31", False),
    ],
)
def test_an_hds_certificate_without_start_ends_within_three_years(
    tmp_path: Path, valid_until: str, ok: bool
) -> None:
    # Without `valid_from`, an end date more than three years ahead is as implausible as a
    # declared duration over three years: HDS-003 must not pass a certificate "valid until 2035".
    for section in ("providers", "vendors"):
        result = check(
            tmp_path, f"{section}: [{{id: h, name: H, hds: {{valid_until: {valid_until}}}}}]"
        )
        if ok:
            assert result.exit_code in (0, 1), result.stderr
        else:
            assert result.exit_code == 2
            assert (
                f"{section}/h.hds.valid_until: `valid_until` {valid_until} is more than 3 years "
                "after the evaluation date 2026-11-28" in result.stderr
            )
            assert "`valid_from` is not declared" in result.stderr


# ------------------------------------------------------------------ implausibly old dates


@pytest.mark.parametrize(
    ("text", "where"),
    [
        # A private certificate "issued" in 1900 passed TLS-003.
        (
            "certificates: [{id: c, not_before: 1900-01-01, not_after: 2027-01-01,"
            " public: false, signature_algorithm: sha256WithRSAEncryption}]",
            "decl.yaml:1:36: certificates/c.not_before: 1900-01-01 is before 1990-01-01",
        ),
        (
            "firewalls: [{id: fw-1, last_patch: 1970-01-01}]",
            "firewalls/fw-1.last_patch: 1970-01-01 is before 1990-01-01",
        ),
        (
            "organisation: {name: O, crisis_exercise: {date: 1970-01-01}}",
            "organisation.crisis_exercise.date: 1970-01-01 is before 1990-01-01",
        ),
        (
            "vendors: [{id: v, name: V, last_audit: 1989-12-31, contract: {signed: 1900-01-01}}]",
            "vendors/v.last_audit: 1989-12-31 is before 1990-01-01",
        ),
        (
            "services:\n  - id: s\n    protocol: https\n    exposure: internal\n"
            "    vulnerabilities: [{cve: CVE-1, cvss: 9.8, published: 2026-01-01, kev: true,"
            " kev_added: 1970-01-01}]\n",
            "services/s.vulnerabilities[0].kev_added: 1970-01-01 is before 1990-01-01",
        ),
    ],
)
def test_a_date_before_1990_is_a_located_input_problem(
    tmp_path: Path, text: str, where: str
) -> None:
    result = check(tmp_path, text)
    assert result.exit_code == 2
    assert where in result.stderr
    assert 'what a form writes for "no date"' in result.stderr


def test_every_implausibly_old_date_is_reported_in_one_run(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        "vendors: [{id: v, name: V, last_audit: 1989-12-31, contract: {signed: 1900-01-01}}]\n"
        "firewalls: [{id: fw-1, last_patch: 2027-01-01, last_rule_review: 1970-01-01}]\n",
    )
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert sum("is before 1990-01-01" in line for line in lines) == 3
    assert sum("cannot lie in the future" in line for line in lines) == 1


@pytest.mark.parametrize("section", ["providers", "vendors"])
def test_an_hds_certificate_from_before_the_scheme_is_a_finding_not_an_input_error(
    tmp_path: Path, section: str
) -> None:
    # Issued before HDS certification began (2018-04-01): expired, which HDS-003 fails; no
    # floor turns that finding into an input error.
    hds = "{certificate: HDS-1, valid_from: 2017-06-01, valid_until: 2020-05-31}"
    result = check(tmp_path, f"{section}: [{{id: h, name: H, hds: {hds}}}]")
    assert result.exit_code in (0, 1), result.stderr


@pytest.mark.parametrize(
    "text",
    [
        "firewalls: [{id: fw-1, last_patch: 1990-01-01}]",  # the floor itself
        # An end date far back is no placeholder problem: the rule reading it fails it.
        "firewalls: [{id: fw-1, firmware: {end_of_support: 1970-01-01}}]",
        "certificates: [{id: c, not_before: 1990-01-01, not_after: 1990-06-01}]",
        # The NVD dates a few CVEs before 1990; an old publication only tightens deadlines.
        "services:\n  - id: s\n    protocol: https\n    exposure: internal\n"
        "    vulnerabilities: [{cve: CVE-1999-0095, cvss: 10, published: 1988-10-01}]\n",
        # A certificate's first day may lie ahead (the validity rules fail it, not the reader).
        "certificates: [{id: c, not_before: 2027-01-01, not_after: 2027-06-01}]",
    ],
)
def test_dates_without_a_floor_or_on_it_are_read(tmp_path: Path, text: str) -> None:
    result = check(tmp_path, text)
    assert result.exit_code in (0, 1), result.stderr


def test_an_implausibly_old_date_is_refused_in_french_too(tmp_path: Path) -> None:
    write(tmp_path, {"decl.yaml": "firewalls: [{id: fw-1, last_patch: 1970-01-01}]"})
    result = run_cli(
        ["check", str(tmp_path / "decl.yaml"), "--as-of", "2026-11-28", "--lang", "fr"]
    )
    assert result.exit_code == 2
    assert (
        "firewalls/fw-1.last_patch : 1970-01-01 est antérieur au 1990-01-01, ce qui n'est pas "
        "plausible" in result.stderr
    )
