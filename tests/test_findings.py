"""The report owns the exit code: thresholds, errors, waived and baselined findings."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hdsguard.findings import Finding, Report, Severity, Status, Waiver


def finding(status: Status, severity: Severity, **extra: object) -> Finding:
    base = Finding("X-001", status, severity, "firewalls/a", "f.yaml", 1, 1, "m", "r", ("ref",))
    return base._replace(**extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("findings", "threshold", "code"),
    [
        ([finding(Status.FAIL, Severity.HIGH)], Severity.LOW, 1),
        ([finding(Status.FAIL, Severity.HIGH)], Severity.HIGH, 1),
        ([finding(Status.FAIL, Severity.HIGH)], Severity.CRITICAL, 0),
        ([finding(Status.WARN, Severity.CRITICAL)], Severity.LOW, 0),
        ([finding(Status.PASS, Severity.CRITICAL)], Severity.INFO, 0),
        ([finding(Status.ERROR, Severity.LOW)], Severity.CRITICAL, 1),
        ([finding(Status.NOT_APPLICABLE, Severity.CRITICAL)], Severity.LOW, 0),
        (
            [finding(Status.WAIVED, Severity.CRITICAL, waiver=Waiver("j", "o", "a", "2027-01-01"))],
            Severity.LOW,
            0,
        ),
    ],
)
def test_exit_code(findings: list[Finding], threshold: Severity, code: int) -> None:
    assert Report("0", "2026-11-28", tuple(findings)).exit_code(threshold) == code


def test_summary_counts_every_status_in_contract_order() -> None:
    report = Report(
        "0",
        "2026-11-28",
        (finding(Status.FAIL, Severity.LOW), finding(Status.PASS, Severity.LOW)),
    )
    assert report.summary() == {
        "pass": 1,
        "fail": 1,
        "warn": 0,
        "waived": 0,
        "not_applicable": 0,
        "error": 0,
    }


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.builds(
            finding,
            st.sampled_from(list(Status)),
            st.sampled_from(list(Severity)),
            baselined=st.booleans(),
        ),
        max_size=12,
    ),
    st.sampled_from(list(Severity)),
)
def test_the_exit_code_is_whether_a_finding_breaks_the_gate(
    findings: list[Finding], threshold: Severity
) -> None:
    """The exit code stops at the first finding that breaks the gate: it is 1 exactly when
    the list of those findings is not empty, whatever their order."""
    report = Report("0", "2026-11-28", tuple(findings))
    breaking = report.failing(threshold)
    assert report.exit_code(threshold) == (1 if breaking else 0)
    rank = threshold.rank
    assert breaking == [
        f
        for f in findings
        if not f.baselined
        and (f.status is Status.ERROR or (f.status is Status.FAIL and f.severity.rank >= rank))
    ]
