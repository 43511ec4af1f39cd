"""A check's report comes in the writers' order, and says so: JUnit and SARIF do not sort it
again (≈ 20 ms of a warm JUnit run at 10k objects); a report built otherwise is sorted."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from hdsguard.api import CheckOptions, check
from hdsguard.findings import Report, sorted_findings
from hdsguard.formatters import RenderOptions, renderer
from tests.helpers import REPO

AS_OF = datetime.date(2026, 11, 28)


def _reports() -> list[Report]:
    waivers = REPO / "examples" / "config" / "waivers.yaml"
    return [
        check(
            [str(REPO / "examples" / "hospital")], CheckOptions(as_of=AS_OF, waivers_file=waivers)
        ),
        # Evidence beside the declarations: the scan notes and related locations added after.
        check([str(REPO / "examples" / "lab-group")], CheckOptions(as_of=AS_OF)),
    ]


def test_a_checks_report_is_in_the_writers_order_and_says_so() -> None:
    for report in _reports():
        assert report.ordered
        assert list(report.findings) == sorted_findings(report.findings)
        assert len({f.rule for f in report.findings}) > 1


@pytest.mark.parametrize("fmt", ["junit", "sarif"])
def test_a_report_not_known_ordered_is_sorted_by_the_writer(fmt: str) -> None:
    render = renderer(fmt)
    options = RenderOptions()
    for report in _reports():
        shuffled = dataclasses.replace(
            report, findings=tuple(reversed(report.findings)), ordered=False
        )
        assert render(shuffled, options) == render(report, options)
