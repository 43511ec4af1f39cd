"""``published_contradicted_by(v, fields)``: PAT-002's and PAT-003's tests of a vulnerability
whose declared `published` date its own `kev_added` (a KEV listing before publication) or
`cve` (an id of a later year) contradicts, held once where their locations, conditions and
messages, English and French, each wrote them out."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hdsguard.policies.celenv import CelRuntime, evaluate
from hdsguard.policies.inline import inline_helpers
from tests.helpers import REPO

RUNTIME = CelRuntime()
# The tests as the rules wrote them before the helper (twenty-third session).
KEV_ADDED = (
    "v.?kev_added.hasValue() && v.?published.hasValue()"
    " && string(v.kev_added) < string(v.published)"
)
CVE = (
    "v.?cve.hasValue() && v.?published.hasValue()"
    " && cve_year(v.cve) > int(string(v.published).substring(0, 4))"
)
WRITTEN = {"kev_added": KEV_ADDED, "cve": CVE}
FIELDS = [["kev_added", "cve"], ["cve", "kev_added"], ["kev_added"], ["cve"]]


def _call(fields: list[str], argument: str = "v") -> str:
    return f"published_contradicted_by({argument}, [{', '.join(repr(f) for f in fields)}])"


@pytest.mark.parametrize("fields", FIELDS)
def test_it_compiles_to_the_tests_the_rules_wrote(fields: list[str]) -> None:
    """The program is the one the written tests gave: the same calls (cve_year, not made
    once a test before it holds), the same memory."""
    written = " || ".join(f"({WRITTEN[f]})" for f in fields)
    assert inline_helpers(_call(fields)) == f"({inline_helpers(written)})"


def test_another_argument_is_bound_once() -> None:
    rewritten = inline_helpers(_call(["cve"], "self.vulnerabilities[0]"))
    assert rewritten.startswith("(cel.bind(hds_pc_v, self.vulnerabilities[0], ")
    assert rewritten.count("self.vulnerabilities[0]") == 1


@pytest.mark.parametrize(
    "source",
    ["published_contradicted_by(v, fields)", "published_contradicted_by(v, ['kev'])",
     "published_contradicted_by(v, [])", "published_contradicted_by(v)"],
)  # fmt: skip
def test_other_fields_are_left_to_the_helper(source: str) -> None:
    assert inline_helpers(source) == source


DATES = st.dates().map(lambda d: d.isoformat())
VULNERABILITY = st.fixed_dictionaries(
    {},
    optional={
        "cve": st.one_of(
            st.from_regex(r"(?i)(cve-)?[0-9]{4}-[0-9a-z]{0,6}", fullmatch=True),
            st.sampled_from(["CVE-2026-1234", "cve-2030-1", "FG-IR-24-015", "TBD", ""]),
        ),
        "published": DATES,
        "kev_added": DATES,
        "kev": st.booleans(),
        "cvss": st.floats(0, 10),
    },
)


@settings(max_examples=300, deadline=None)
@given(vulnerability=VULNERABILITY, fields=st.sampled_from(FIELDS))
def test_the_helper_and_its_rewrite_decide_as_the_written_tests(
    vulnerability: dict[str, Any], fields: list[str]
) -> None:
    """On maps of the declarations' schema (`cve` a text, the dates ISO dates)."""
    activation = RUNTIME.activation({"self": {"v": vulnerability}, "now": "2026-11-28"})
    written = " || ".join(f"({WRITTEN[f]})" for f in fields).replace("v.", "self.v.")
    expected, expected_error = evaluate(RUNTIME.compile(written), activation)
    call = _call(fields, "self.v")
    for expr in (RUNTIME.compile(call), RUNTIME.env.compile(call)):  # rewritten, the helper
        assert evaluate(expr, activation) == (expected, None)
    assert expected_error is None


def test_anything_but_a_map_is_an_error() -> None:
    activation = RUNTIME.activation({"self": {"v": "CVE-2026-1"}, "now": "2026-11-28"})
    call = _call(["kev_added", "cve"], "self.v")
    for expr in (RUNTIME.compile(call), RUNTIME.env.compile(call)):
        assert evaluate(expr, activation)[1] is not None


@pytest.mark.parametrize("rule", ["PAT-002", "PAT-003"])
def test_the_rules_write_the_tests_once(rule: str) -> None:
    text = (REPO / "policies" / f"{rule}.yaml").read_text(encoding="utf-8")
    assert "published_contradicted_by(v, [" in text
    assert "string(v.kev_added) < string(v.published)" not in text
    assert "cve_year(v.cve) >" not in text
