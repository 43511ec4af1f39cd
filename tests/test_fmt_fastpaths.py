"""The writers' fast paths give, finding by finding, the bytes of the general encoders they
bypass (issue 17, writer speed), on generated findings: any Unicode, control characters, lone
surrogates, quotes and markup in every text field, every status, waivers, baselines, findings
without a file, line or column, related locations."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hdsguard.findings import Finding
from hdsguard.formatters.jsonstream import encode
from hdsguard.formatters.sarifresult import ResultEncoder, result
from tests.test_streaming import findings

_INDENTS = st.sampled_from(["\n", "\n  ", "\n      "])


@settings(max_examples=400, deadline=None)
@given(st.lists(findings(related=True), min_size=1, max_size=6), _INDENTS)
def test_sarif_result_encoder_gives_the_general_encoding(found: list[Finding], nl: str) -> None:
    """Several findings through one encoder: what it keeps per rule and per file is reused."""
    index = {rule: i for i, rule in enumerate(sorted({f.rule for f in found}))}
    encoder = ResultEncoder(index)
    for f in found:
        assert encoder(f, nl) == encode(result(f, index[f.rule]), nl)
