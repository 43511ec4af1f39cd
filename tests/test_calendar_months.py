"""GOV-003 counts its limits in calendar months, as domain.md writes them ("reviewed ≤ 24
months", "risk analysis ≤ 12 months"), not as 730 and 365 days: a date exactly N months
before the evaluation date passes, the day before fails, whatever 29 February does."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from hdsguard.policies.celenv import months_before, months_since
from tests.helpers import findings_of, run_cli, write


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2026-11-28", 24, "2024-11-28"),
        ("2026-02-28", 12, "2025-02-28"),
        ("2026-02-28", 24, "2024-02-28"),  # 2024-02-29 exists, but the 28th is the same day
        ("2025-02-28", 12, "2024-02-28"),  # 366 days
        ("2024-02-29", 12, "2023-02-28"),  # no 29 February in 2023: the month's last day
        ("2024-03-31", 1, "2024-02-29"),
        ("2025-03-31", 1, "2025-02-28"),
        ("2026-12-31", 1, "2026-11-30"),
        ("2026-01-15", 1, "2025-12-15"),  # across a year
        ("2026-01-15", 0, "2026-01-15"),
    ],
)
def test_months_before_clamps_to_the_months_last_day(day: str, months: int, expected: str) -> None:
    result = months_before(datetime.date.fromisoformat(day), months)
    assert result.isoformat() == expected


def gov003(tmp_path: Path, as_of: str, reviewed: str, risk: str, *config: str) -> Any:
    write(
        tmp_path,
        {
            "org.yaml": f"organisation:\n  name: CH\n  security_policy_reviewed: {reviewed}\n"
            f"  risk_analysis: {risk}\n",
            "hdsguard.yaml": "".join(config) or "fail_on: low\n",
        },
    )
    args = ["check", str(tmp_path / "org.yaml"), "--as-of", as_of, "--format", "json"]
    result = run_cli([*args, "--config", str(tmp_path / "hdsguard.yaml")])
    found = [f for f in findings_of(result) if f["rule"] == "GOV-003"]
    assert len(found) == 1, result.output
    return found[0]


@pytest.mark.parametrize(
    ("as_of", "reviewed", "risk", "status"),
    [
        # Exactly 24 / 12 months: pass; one day more: fail.
        ("2026-11-28", "2024-11-28", "2025-11-28", "pass"),
        ("2026-11-28", "2024-11-27", "2025-11-28", "fail"),
        ("2026-11-28", "2024-11-28", "2025-11-27", "fail"),
        # Across 29 February 2024: 24 months are 731 days, 12 months 366 days.
        ("2025-12-01", "2023-12-01", "2024-12-01", "pass"),
        ("2025-12-01", "2023-11-30", "2024-12-01", "fail"),
        ("2025-02-28", "2024-06-01", "2024-02-28", "pass"),
        ("2025-02-28", "2024-06-01", "2024-02-27", "fail"),
        # Evaluated on 29 February: 12 months before is 28 February 2023 (no 29th then).
        ("2024-02-29", "2023-01-10", "2023-02-28", "pass"),
        ("2024-02-29", "2023-01-10", "2023-02-27", "fail"),
        # Reviewed on 29 February, evaluated 24 months later: the 28th is the limit.
        ("2026-02-28", "2024-02-29", "2025-06-01", "pass"),
        ("2026-03-01", "2024-02-29", "2025-06-01", "fail"),
    ],
)
def test_gov003_counts_calendar_months(
    tmp_path: Path, as_of: str, reviewed: str, risk: str, status: str
) -> None:
    assert gov003(tmp_path, as_of, reviewed, risk)["status"] == status


def test_the_message_names_the_first_date_that_passes(tmp_path: Path) -> None:
    finding = gov003(tmp_path, "2025-02-28", "2024-06-01", "2024-02-27")
    assert finding["message"] == (
        "risk analysis last updated 2024-02-27, 12 months and 1 day before 2025-02-28; the "
        "limit is 12 months (an update on or after 2024-02-28)"
    )
    assert (finding["line"], finding["column"]) == (4, 3)


def test_a_limit_in_days_of_an_earlier_configuration_still_applies(tmp_path: Path) -> None:
    # Configurations written when the limits were in days keep their meaning.
    config = (
        "params:\n  GOV-003:\n    max_policy_age_days: 730\n    max_risk_analysis_age_days: 365\n"
    )
    finding = gov003(tmp_path, "2025-12-01", "2023-12-01", "2024-12-01", config)
    assert finding["status"] == "fail"
    assert "731 days before 2025-12-01; the limit is 730 days" in finding["message"]
    finding = gov003(tmp_path, "2025-02-28", "2024-06-01", "2024-02-28", config)
    assert "366 days before 2025-02-28; the limit is 365 days" in finding["message"]


def test_a_limit_in_months_can_be_tuned(tmp_path: Path) -> None:
    config = "params:\n  GOV-003:\n    max_policy_age_months: 12\n"
    finding = gov003(tmp_path, "2026-11-28", "2025-11-27", "2026-06-01", config)
    assert finding["status"] == "fail"
    assert "the limit is 12 months (a review on or after 2025-11-28)" in finding["message"]
    assert gov003(tmp_path, "2026-11-28", "2025-11-28", "2026-06-01", config)["status"] == "pass"


@pytest.mark.parametrize(
    ("day", "today", "expected"),
    [
        ("2024-11-28", "2026-11-28", 24),  # exactly 24 months
        ("2024-11-27", "2026-11-28", 24),  # and a day: over a 24-month limit, 24 whole months
        ("2024-11-29", "2026-11-28", 23),
        ("2024-02-29", "2025-02-28", 11),  # months_before(2025-02-28, 12) is 2024-02-28
        ("2023-02-28", "2024-02-29", 12),
        ("2024-01-31", "2024-02-29", 0),
        ("2026-11-28", "2026-11-28", 0),
        ("2026-12-05", "2026-11-28", -1),
    ],
)
def test_months_since_counts_whole_months_as_months_before_does(
    day: str, today: str, expected: int
) -> None:
    start, end = datetime.date.fromisoformat(day), datetime.date.fromisoformat(today)
    months = months_since(start, end)
    assert months == expected
    assert months_before(end, months) >= start > months_before(end, months + 1)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            "security policy reviewed 2025-09-15, 14 months and 13 days before 2026-11-28 (limit"
            " 24 months); risk analysis 2026-06-10, 5 months and 18 days before 2026-11-28"
            " (limit 12 months)",
        ),
        (
            "fr",
            "PSSI revue le 15 septembre 2025, 14 mois et 13 jours avant le 28 novembre 2026"
            " (limite de 24 mois) ; analyse de risques du 10 juin 2026, 5 mois et 18 jours avant"
            " le 28 novembre 2026 (limite de 12 mois)",
        ),
    ],
)
def test_the_pass_message_counts_in_months_as_the_limits_do(
    tmp_path: Path, lang: str, expected: str
) -> None:
    # It said "439 days before" against limits in months.
    finding = gov003(tmp_path, "2026-11-28", "2025-09-15", "2026-06-10", f"lang: {lang}\n")
    assert finding["status"] == "pass"
    assert finding["message"] == expected


def test_a_limit_in_months_beyond_the_calendar_is_refused_where_it_is_written(
    tmp_path: Path,
) -> None:
    # 100000 months gave an `error` finding (months_before out of the calendar) at every run.
    write(
        tmp_path,
        {
            "org.yaml": "organisation: {name: CH}\n",
            "hdsguard.yaml": "params:\n  GOV-003:\n    max_policy_age_months: 100000\n",
        },
    )
    args = ["check", str(tmp_path / "org.yaml"), "--config", str(tmp_path / "hdsguard.yaml")]
    result = run_cli(args)
    assert result.exit_code == 2
    assert "hdsguard.yaml:3:28: params.GOV-003.max_policy_age_months: must be at most 1200," in (
        result.stderr
    )
