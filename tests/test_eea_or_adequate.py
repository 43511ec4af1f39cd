"""``eea_or_adequate_for(country, recipient)``: VND-003's test of each recipient, held once
(its condition, messages and remediation repeated ``in_eea(c) || is_adequate_for(c, r)``)."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hdsguard.policies.celenv import CelRuntime, evaluate
from hdsguard.policies.inline import inline_helpers
from tests.helpers import REPO

RUNTIME = CelRuntime()
COUNTRIES = st.one_of(
    st.sampled_from(["FR", "DE", "RE", "US", "CH", "JP", "CA", "MA", "", "us"]),
    st.integers(0, 9),
    st.none(),
)


def test_it_compiles_to_the_two_calls_it_names() -> None:
    """The program is the one the two calls gave: the same verdicts, memory and speed."""
    one = inline_helpers("eea_or_adequate_for(self.?country.orValue(''), self)")
    two = inline_helpers(
        "in_eea(self.?country.orValue('')) || is_adequate_for(self.?country.orValue(''), self)"
    )
    assert one == f"({two})"


@settings(max_examples=200, deadline=None)
@given(country=COUNTRIES, certified=st.one_of(st.booleans(), st.none()))
def test_the_helper_and_its_rewrite_give_the_two_tests_value(country: Any, certified: Any) -> None:
    recipient: dict[str, Any] = {"country": country}
    if certified is not None:
        recipient["dpf_certified"] = certified
    activation = RUNTIME.activation({"self": recipient, "now": "2026-11-28"})
    written = RUNTIME.env.compile("in_eea(self.country) || is_adequate_for(self.country, self)")
    expected, expected_error = evaluate(written, activation)
    for expr in (
        RUNTIME.compile("eea_or_adequate_for(self.country, self)"),  # rewritten
        RUNTIME.env.compile("eea_or_adequate_for(self.country, self)"),  # the helper
    ):
        value, error = evaluate(expr, activation)
        assert value == expected
        assert (error is None) == (expected_error is None)


def test_vnd_003_names_the_test_once() -> None:
    text = (REPO / "policies" / "VND-003.yaml").read_text(encoding="utf-8")
    assert "is_adequate_for(" not in text.replace("eea_or_adequate_for(", "")


# The test written out, or its negation (HDS-007 wrote both five times).
_WRITTEN_OUT = re.compile(
    r"(?<![\w.])in_eea\((?P<c>[^()]*)\)\s*\|\|\s*is_adequate_for\((?P=c),"
    r"|!\s*in_eea\((?P<n>[^()]*)\)\s*&&\s*!\s*is_adequate_for\((?P=n),"
)


def test_no_rule_writes_the_test_out() -> None:
    for path in sorted((REPO / "policies").glob("*.yaml")):
        found = _WRITTEN_OUT.search(path.read_text(encoding="utf-8"))
        assert found is None, f"{path.name}: {found and found.group(0)}: eea_or_adequate_for"
