"""Markdown summary: golden file, and parsed by markdown-it-py (CommonMark + GFM tables).

The parser proves that hostile text (pipes, backticks, ``<script>``, newlines, ESC) cannot add
a table cell, a row or raw HTML. Regenerate the golden file after an intended change with
``pytest --update-goldens`` (or ``HDSGUARD_UPDATE_GOLDENS=1``) and review
``git diff tests/golden``.
"""

from __future__ import annotations

from typing import Any

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from hdsguard.findings import Report
from hdsguard.formatters import RenderOptions
from hdsguard.formatters.markdown import MAX_ROWS, md, render
from tests.format_samples import NASTY, empty_report, fixture_report, nasty_report, sample_report

# GitHub and GitLab render raw HTML (sanitised); "commonmark" keeps it, so a leak would show.
PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def tables(text: str) -> list[list[list[str]]]:
    """Each table as rows of cell texts (inline content, after Markdown parsing)."""
    out: list[list[list[str]]] = []
    row: list[str] | None = None
    for token in PARSER.parse(text):
        if token.type == "table_open":
            out.append([])
        elif token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(_plain(token))
        elif token.type == "tr_close" and row is not None:
            out[-1].append(row)
            row = None
    return out


def _plain(token: Token) -> str:
    return "".join(child.content for child in token.children or [] if child.type != "html_inline")


def html_blocks(text: str) -> list[str]:
    return [t.content for t in PARSER.parse(text) if t.type == "html_block"]


def test_golden(golden: Any) -> None:
    golden("sample.md", render(sample_report(), RenderOptions()))


def test_header_counts() -> None:
    lines = render(sample_report(), RenderOptions()).splitlines()
    assert lines[0] == (
        "### hdsguard: 4 fail (3 new: 1 critical, 1 high, 1 low; 1 baselined), 1 error, 1 warn"
    )
    assert lines[2] == (
        "2 pass, 1 waived, 1 not applicable. Evaluated as of 2026-11-28 by hdsguard 0.0.0-test."
    )
    assert lines[4] == "- Notice: waiver SMP-001 firewalls/fw-dmz-1 expires in 64 days"


def test_action_table_then_collapsed_waived_and_evidence() -> None:
    text = render(sample_report(), RenderOptions())
    action, known, waived, evidence = tables(text)
    assert action[0] == ["Status", "Rule", "Severity", "Target", "Location", "Message"]
    # New problems only, critical first; the baselined failure in its own collapsed table.
    assert [(r[0], r[1], r[3]) for r in action[1:]] == [
        ("fail", "SMP-002", "identity"),
        ("fail", "SMP-001", "firewalls/fw-edge-1"),
        ("fail", "SMP-004", "vendors/tana"),
        ("error", "SMP-005", "firewalls/fw-edge-1"),
        ("warn", "SMP-003", "certificates/portal"),
    ]
    assert action[2][4] == "infra/firewalls.yaml:6:17"
    assert action[1][4] == "(not declared)"
    assert [(r[0], r[3]) for r in known[1:]] == [("fail (baselined)", "firewalls/fw-old-1")]
    assert "<summary>1 baselined (known failures, not failing the gate)</summary>" in text
    assert [r[1] for r in waived[1:]] == ["firewalls/fw-dmz-1"]
    assert [(r[0], r[2]) for r in evidence[1:]] == [
        ("pass", "firewalls/fw-core-1"),
        ("pass", "certificates/intranet"),
        ("not applicable", "vendors/cleaning"),
    ]
    assert "<summary>1 waived</summary>" in text
    assert "<summary>2 passed, 1 not applicable</summary>" in text


def test_rules_link_to_their_documentation() -> None:
    text = render(sample_report(), RenderOptions())
    assert "[SMP-001](https://github.com/hdsguard/hdsguard/blob/main/docs/policies.md#smp-001)" in (
        text
    )


def test_nothing_to_do() -> None:
    text = render(empty_report(), RenderOptions())
    assert "No new failing or warning finding." in text
    assert tables(text) == []


def test_hostile_text_cannot_break_the_tables() -> None:
    text = render(nasty_report(), RenderOptions())
    assert "\x1b" not in text and "<script>" not in text
    for table in tables(text):
        width = len(table[0])
        assert all(len(row) == width for row in table), table
    action = tables(text)[0]
    assert len(action) == 1 + 3  # header + fail, error, warn
    message = action[1][5]
    assert "a|b `code` <script>alert(1)</script> 100% ::error::x ::warning::y" in message
    assert "\\x1b[31mred" in message
    assert action[1][3] == "firewalls/fw|`<b>`,:%\\x1b[31m"
    assert "\\@admin" in text  # no mention in a merge-request comment
    assert [b.strip() for b in html_blocks(text) if "script" in b] == []


@pytest.mark.parametrize("text", [NASTY, "|", "`", "<", "a\nb", "x\r\ny", "\\|"])
def test_md_escapes_into_one_literal_cell(text: str) -> None:
    doc = f"| a |\n|---|\n| {md(text)} |\n"
    (table,) = tables(doc)
    assert len(table) == 2 and len(table[1]) == 1


def test_fixture_tree_through_the_library() -> None:
    action = tables(render(fixture_report(), RenderOptions()))[0]
    assert [(r[0], r[1], r[3]) for r in action[1:]] == [
        ("fail", "FMT-004", "identity"),
        ("fail", "FMT-001", "firewalls/fw-edge-1"),
        ("fail", "FMT-003", "vendors/transcription-tana"),
        ("error", "FMT-005", "firewalls/fw-edge-1"),
        ("warn", "FMT-002", "certificates/cert-portal"),
    ]
    assert action[2][4].endswith("tests/fixtures/formats/declarations/network.yaml:12:5")


def test_long_tables_stop_with_a_count_so_a_comment_fits() -> None:
    base = sample_report()
    fail, ok = base.findings[2], base.findings[0]
    many = tuple(
        f._replace(target=f"firewalls/fw-{n:04d}") for n in range(MAX_ROWS + 7) for f in (fail, ok)
    )
    text = render(Report(base.tool_version, base.as_of, many, base.rules), RenderOptions())
    action, evidence = tables(text)
    assert len(action) == len(evidence) == 1 + MAX_ROWS
    assert text.count("… and 7 more: see the JSON report") == 2
    assert len(text) < 65_536
