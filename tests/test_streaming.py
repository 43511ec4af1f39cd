"""Every format is written piece by piece, and the pieces are byte for byte the whole document
the formats produced before they streamed (issue 17).

JSON and SARIF are compared with ``json.dumps(..., indent=2, ensure_ascii=False)`` of the same
document built whole; JUnit with the ElementTree tree it was serialised from
(tests/legacy_junit.py). Reports are generated: any Unicode, control characters, lone
surrogates, quotes and markup in every text field, every status, waivers, baselines, findings
without a file, rules without a description.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hdsguard.findings import STATUS_ORDER, Finding, Report, RuleInfo, Severity, Waiver
from hdsguard.formatters import FORMATS, Chunks, RenderOptions, collect, writer
from hdsguard.formatters.jsonfmt import report_dict
from hdsguard.formatters.jsonstream import Streamed, dump, encode
from hdsguard.formatters.sarif import sarif_log
from tests import legacy_junit
from tests.format_samples import empty_report, nasty_report, sample_report

# Any code point (surrogates included), with the troublesome ones made likely.
_SPECIAL = st.sampled_from(list('\x00\x1b\x7f\x85\t\n\r"\\<>&%:,|`@]\ud800\ufffe\u2028é漢😀'))
text = st.lists(st.one_of(_SPECIAL, st.characters()), max_size=12).map("".join)
paths = text
rule_ids = st.sampled_from(["R-1", "R-2", "R&<3>", 'R"4'])


@st.composite
def findings(draw: st.DrawFn, related: bool = False) -> Finding:
    """A finding; ``related``: with second locations (other locations of the finding)."""
    located = draw(st.booleans())
    line = draw(st.none() | st.integers(1, 10**6)) if located else None
    waiver = draw(st.none() | st.builds(Waiver, text, text, text, text, st.none() | text))
    return Finding(
        draw(rule_ids),
        draw(st.sampled_from(STATUS_ORDER)),
        draw(st.sampled_from(list(Severity))),
        draw(text),
        draw(paths) if located else None,
        line,
        draw(st.none() | st.integers(1, 500)) if located else None,
        draw(text),
        draw(text),
        tuple(draw(st.lists(text, max_size=2))),
        waiver,
        draw(st.booleans()),
        tuple(draw(st.lists(st.tuples(paths, st.integers(1, 10**6), st.integers(1, 500)),
                            max_size=2 if related else 0))),
    )  # fmt: skip


@st.composite
def reports(draw: st.DrawFn, related: bool = False) -> Report:
    found = draw(st.lists(findings(related), max_size=12))
    rules = {
        rule: RuleInfo(rule, *draw(st.tuples(text, st.sampled_from(list(Severity)), text, text,
                                             text, st.lists(text, max_size=2).map(tuple),
                                             st.lists(text, max_size=2).map(tuple), text)))
        for rule in draw(st.lists(rule_ids, max_size=3, unique=True))
    }  # fmt: skip
    return Report(
        tool_version=draw(text),
        as_of="2026-11-28",
        findings=tuple(found),
        rules=rules,
        data_versions=draw(st.dictionaries(text, text, max_size=2)),
        notices=tuple(draw(st.lists(text, max_size=2))),
    )


def whole_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def streamed(fmt: str, report: Report, options: RenderOptions | None = None) -> str:
    return collect(writer(fmt), report, options or RenderOptions())


@settings(max_examples=150, deadline=None)
@given(reports(related=True))
def test_json_streams_the_bytes_of_the_whole_document(report: Report) -> None:
    assert streamed("json", report) == whole_json(report_dict(report))


@settings(max_examples=150, deadline=None)
@given(reports(related=True))
def test_sarif_streams_the_bytes_of_the_whole_document(report: Report) -> None:
    assert streamed("sarif", report) == whole_json(sarif_log(report))


@settings(max_examples=300, deadline=None)
@given(reports(related=True))
def test_junit_streams_the_bytes_of_the_elementtree_document(report: Report) -> None:
    assert streamed("junit", report) == legacy_junit.render(report)


@pytest.mark.parametrize("make", [sample_report, nasty_report, empty_report])
def test_junit_streams_the_bytes_of_the_elementtree_document_on_samples(make: Any) -> None:
    assert streamed("junit", make()) == legacy_junit.render(make())


def _texts(items: Iterable[Any], nl: str) -> Iterator[str]:
    """Items encoded two at a time, each after its separator, as ``Streamed.texts`` gives."""
    texts = [encode(item, nl) for item in items]
    for i in range(0, len(texts), 2):
        yield ("," + nl if i else "") + ("," + nl).join(texts[i : i + 2])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | text,
    lambda children: (
        st.lists(children, max_size=3)
        | st.tuples(children, children)
        | st.dictionaries(text, children, max_size=3)
        | st.dictionaries(st.integers(), children, max_size=2)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(json_values, st.booleans())
def test_any_value_is_dumped_as_json_dumps_would(value: Any, stream_lists: bool) -> None:
    """The encoder behind JSON and SARIF, on any JSON value (floats, NaN, non-string keys
    included), with its lists streamed or not."""

    def lazy(v: Any) -> Any:
        if isinstance(v, list) and stream_lists:
            # Lists with an item encoder (SARIF's results), with one writing every item at
            # once (the findings' way), or with neither.
            items = iter([lazy(x) for x in v])
            if len(v) % 3 == 1:
                return Streamed(items, encode)
            if len(v) % 3 == 2:
                return Streamed(items, encode, _texts)
            return Streamed(items)
        if isinstance(v, dict) and all(type(k) is str for k in v):
            return {k: lazy(x) for k, x in v.items()}
        return v

    pieces: list[str] = []
    dump({"top": lazy(value), "after": [1]}, pieces.append)
    assert "".join(pieces) == json.dumps({"top": value, "after": [1]}, indent=2, ensure_ascii=False)


def many_findings(n: int) -> Report:
    base = sample_report()
    found = [
        f._replace(target=f"{f.target}-{i:05d}", message=f"{f.message} é {i}")
        for i in range(n)
        for f in base.findings
    ]
    return Report(base.tool_version, base.as_of, tuple(found), base.rules, base.data_versions)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_no_format_hands_over_the_whole_document_at_once(fmt: str) -> None:
    """A writer gives many small pieces: the output is never built as one string first."""
    report = many_findings(500)  # 5,000 findings
    pieces: list[str] = []
    writer(fmt)(report, RenderOptions(verbose=True), pieces.append)
    whole = "".join(pieces)
    assert whole == streamed(fmt, report, RenderOptions(verbose=True))
    if fmt == "markdown":  # a summary: its tables stop at MAX_ROWS whatever the size
        assert len(whole) < 100_000
    else:  # JSON hands its findings over 8 at a time, SARIF its results 4 at a time
        assert len(pieces) > 500
    assert max(map(len, pieces)) < 10_000


@pytest.mark.parametrize("size", [1, 7, 4096])
def test_chunks_pass_every_piece_on_in_order(size: int) -> None:
    got: list[str] = []
    chunks = Chunks(got.append, size)
    pieces = [f"piece {i} é\n" for i in range(1000)]
    for piece in pieces:
        chunks(piece)
    chunks.flush()
    assert "".join(got) == "".join(pieces)
    assert all(len(chunk) < size + 20 for chunk in got)  # at most one piece over the size
    assert len(got) >= len("".join(pieces)) // (size + 20)


@pytest.mark.parametrize(
    ("name", "fmt", "options"),
    [
        ("sample.json", "json", RenderOptions()),
        ("sample.txt", "text", RenderOptions()),
        ("sample.verbose-colour.txt", "text", RenderOptions(colour=True, verbose=True)),
    ],
)
def test_golden(golden: Any, name: str, fmt: str, options: RenderOptions) -> None:
    """The formats that had no golden file: the bytes they wrote before streaming."""
    golden(name, streamed(fmt, sample_report(), options))


@settings(max_examples=200, deadline=None)
@given(st.lists(findings(), max_size=30))
def test_findings_sort_by_rule_then_target_stably(found: list[Finding]) -> None:
    """Two passes on string keys order findings as one sort on (rule, target) tuples does,
    ties kept in their order."""
    from hdsguard.findings import sorted_findings

    assert sorted_findings(found) == sorted(found, key=lambda f: (f.rule, f.target))


@settings(max_examples=200, deadline=None)
@given(
    pairs=st.lists(
        st.tuples(
            st.sampled_from(["B-2", "A-1", "A-10", "C"]), st.sampled_from(["t/b", "t/a", "u"])
        ),
        max_size=40,
    )
)
def test_findings_sort_by_rule_then_target_keeping_equal_pairs_in_order(
    pairs: list[tuple[str, str]],
) -> None:
    from hdsguard.findings import Status, sort_findings

    findings = [
        Finding(rule, Status.FAIL, Severity.LOW, target, None, None, None, str(i), "", ())
        for i, (rule, target) in enumerate(pairs)
    ]
    expected = sorted(findings, key=lambda f: (f.rule, f.target))  # stable: i in order
    sort_findings(findings)
    assert findings == expected
