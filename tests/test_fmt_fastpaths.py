"""The writers' fast paths give, finding by finding, the bytes of the general encoders they
bypass (issue 17, writer speed), on generated findings: any Unicode, control characters, lone
surrogates, quotes and markup in every text field, every status, waivers, baselines, findings
without a file, line or column, related locations."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hdsguard.findings import Finding, Report, Status
from hdsguard.formatters.escape import document_text
from hdsguard.formatters.github import annotation, escape_data, escape_property
from hdsguard.formatters.jsonfmt import FindingEncoder, finding_dict
from hdsguard.formatters.jsonstream import encode
from hdsguard.formatters.sarifresult import ResultEncoder, result
from hdsguard.formatters.text import related_text
from tests.test_streaming import findings, reports

_INDENTS = st.sampled_from(["\n", "\n  ", "\n      "])


@settings(max_examples=400, deadline=None)
@given(st.lists(findings(related=True), min_size=1, max_size=6), _INDENTS)
def test_sarif_result_encoder_gives_the_general_encoding(found: list[Finding], nl: str) -> None:
    """Several findings through one encoder: what it keeps per rule and per file is reused."""
    index = {rule: i for i, rule in enumerate(sorted({f.rule for f in found}))}
    encoder = ResultEncoder(index)
    for f in found:
        assert encoder(f, nl) == encode(result(f, index[f.rule]), nl)


def _annotation_as_before(report: Report, f: Finding) -> str:
    """The annotation as it was written before its shared properties were kept and its text
    escaped line by line (the oracle of the test below)."""
    info = report.rules.get(f.rule)
    title = f"{f.rule} {info.title}" if info and info.title else f.rule
    props: list[tuple[str, str]] = []
    if f.file is not None:
        props.append(("file", f.file))
        if f.line is not None:
            props.append(("line", str(f.line)))
        if f.column is not None:
            props.append(("col", str(f.column)))
    props.append(("title", f"{title} [{f.severity.value}]"))
    text = f"{f.target}: {f.message}" + (" (baselined)" if f.baselined else "")
    if f.related:
        text += "\n" + f"See also: {related_text(f)}"
    if f.remediation and f.status is not Status.ERROR:
        text += "\n" + f"Remediation: {f.remediation}"
    rendered = ",".join(f"{key}={escape_property(document_text(value))}" for key, value in props)
    command = (
        "notice"
        if f.baselined
        else {"fail": "error", "error": "error"}.get(f.status.value, "warning")
    )
    return f"::{command} {rendered}::{escape_data(document_text(text))}"


@settings(max_examples=300, deadline=None)
@given(reports(related=True))
def test_annotations_give_what_they_gave_before(report: Report) -> None:
    """Through one ``known`` dict, as the writer does: what it keeps is reused."""
    known: dict[tuple[str, ...], str] = {}
    for f in report.findings:
        if f.status in (Status.FAIL, Status.ERROR, Status.WARN):
            assert annotation(report, f, known) == _annotation_as_before(report, f)


@settings(max_examples=400, deadline=None)
@given(st.lists(findings(related=True), min_size=1, max_size=6), _INDENTS)
def test_json_finding_encoder_gives_the_general_encoding(found: list[Finding], nl: str) -> None:
    """Several findings through one encoder: what it keeps per rule, file and references is
    reused."""
    encoder = FindingEncoder()
    for f in found:
        assert encoder(f, nl) == encode(finding_dict(f), nl)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(findings(related=True), max_size=20),
    _INDENTS,
    st.integers(min_value=1, max_value=9),
)
def test_json_findings_in_batches_give_the_general_encoding(
    found: list[Finding], nl: str, size: int
) -> None:
    """The items of the findings array, ``size`` findings per piece: the pieces joined are
    the general encodings joined by the array's separator, and each piece holds ``size``
    findings but the last."""
    pieces = list(FindingEncoder().items(found, nl, size))
    expected = [encode(finding_dict(f), nl) for f in found]
    assert "".join(pieces) == ("," + nl).join(expected)
    assert len(pieces) == -(-len(found) // size)
