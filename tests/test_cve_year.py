"""``cve_year(cve)``: the year of a CVE id, 0 for anything else. PAT-002 and PAT-003 compare it
with the year of ``published`` (an id of a later year is a contradiction) in one call, where
``cve_key(v.cve).matches("^CVE-[0-9]{4}-[0-9]+$") && int(cve_key(v.cve).substring(4, 8))``
compiled its pattern at each evaluation (≈ 109 µs in cel-expr-python 0.1.3)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hdsguard.policies.celenv import CelRuntime, evaluate
from hdsguard.policies.placeholders import cve_year
from tests.helpers import REPO

RUNTIME = CelRuntime()
WRITTEN = (
    'cve_key(self.cve).matches("^CVE-[0-9]{4}-[0-9]+$") '
    "&& int(cve_key(self.cve).substring(4, 8)) > self.year"
)


@pytest.mark.parametrize(
    ("cve", "year"),
    [
        ("CVE-2026-1234", 2026),
        ("cve-2026-1234", 2026),
        ("2026-1234", 2026),
        (" CVE-2019-0708 ", 2019),
        ("CVE-2024-123456", 2024),
        ("GHSA-xxxx-yyyy-zzzz", 0),
        ("FG-IR-24-015", 0),
        ("CVE-26-1234", 0),
        ("CVE-2026-", 0),
        ("CVE-2026-12a", 0),
        ("CVE-２０２６-1", 0),  # full-width digits: not the catalogue's ids (RE2's [0-9])
        ("", 0),
    ],
)
def test_the_year_of_a_cve_id(cve: str, year: int) -> None:
    assert cve_year(cve) == year


@settings(max_examples=300, deadline=None)
@given(
    cve=st.one_of(
        st.from_regex(r"(?i)(cve-)?[0-9]{2,5}-[0-9a-z]{0,6}", fullmatch=True),
        st.text(max_size=12),
    ),
    year=st.integers(1999, 2030),
)
def test_it_decides_as_the_expression_it_replaced(cve: str, year: int) -> None:
    activation = RUNTIME.activation({"self": {"cve": cve, "year": year}, "now": "2026-11-28"})
    expected, expected_error = evaluate(RUNTIME.compile(WRITTEN), activation)
    value, error = evaluate(RUNTIME.compile("cve_year(self.cve) > self.year"), activation)
    assert expected_error is None and error is None
    assert value == expected


@pytest.mark.parametrize("rule", ["PAT-002", "PAT-003"])
def test_the_rules_compare_the_year_in_one_call(rule: str) -> None:
    text = (REPO / "policies" / f"{rule}.yaml").read_text(encoding="utf-8")
    assert "cve_year(v.cve)" in text
    assert ".matches(" not in text
