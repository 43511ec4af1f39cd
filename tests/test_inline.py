"""Date helpers are compiled to plain CEL: same values as the Python definition, same errors."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hdsguard.policies.celenv import CelRuntime, evaluate
from hdsguard.policies.inline import inline_date_helpers

RUNTIME = CelRuntime()
DATES = st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2060, 12, 31))


@settings(max_examples=200, deadline=None)
@given(day=DATES, now=DATES, other=DATES)
def test_inlined_helpers_compute_whole_days(
    day: datetime.date, now: datetime.date, other: datetime.date
) -> None:
    expr = RUNTIME.compile("[days_since(self.d), days_until(self.d), days_between(self.d, self.e)]")
    variables = {"self": {"d": day.isoformat(), "e": other.isoformat()}, "now": now.isoformat()}
    value, error = evaluate(expr, RUNTIME.activation(variables))
    assert error is None
    assert value == [(now - day).days, (day - now).days, (other - day).days]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("days_since(a > b ? a : b) <= 3", "timestamp((a > b ? a : b) + "),
        ('"days_since(x)" + self.id', None),  # inside a string literal: untouched
        ("self.days_since(x)", None),  # a method or field, not the helper
        ("days_between(self.a, get(self, 'b', 'c'))", "timestamp((get(self, 'b', 'c'))"),
    ],
)
def test_rewrite(source: str, expected: str | None) -> None:
    rewritten = inline_date_helpers(source)
    if expected is None:
        assert rewritten == source
    else:
        assert expected in rewritten
        assert "days_" not in rewritten


def test_a_bad_date_is_still_an_error_not_a_value() -> None:
    expr = RUNTIME.compile("days_since(self.d) > 0")
    value, error = evaluate(
        expr, RUNTIME.activation({"self": {"d": "2026-02-30"}, "now": "2026-11-28"})
    )
    assert value is None and error


def test_compile_errors_quote_what_the_author_wrote() -> None:
    with pytest.raises(ValueError, match=r"days_since\(self\.d\) >"):
        RUNTIME.compile("days_since(self.d) > ")
