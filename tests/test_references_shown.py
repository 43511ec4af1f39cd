"""The regulatory references behind a rule, shown where people read the result: the text
output, the Markdown summary and the HTML audit report (the JSON, SARIF and JUnit reports
carried them already), in the run's language, escaped like every other text a policy brings."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from hdsguard.findings import Report, Status
from hdsguard.formatters import RenderOptions
from hdsguard.formatters.markdown import md
from hdsguard.formatters.markdown import render as markdown
from hdsguard.formatters.text import render as text
from tests.format_samples import AS_OF, RULES, finding, sample_report
from tests.helpers import REPO, run_cli
from tests.test_audit_report import _page
from tests.test_fmt_markdown import PARSER, tables

LAB = ["check", "examples/lab-group", "--as-of", AS_OF, "--no-config"]
# The separator of a list in prose, and the label, per language.
JOIN = {"en": "; ", "fr": " ; "}
TEXT_LABEL = {"en": "  ref: ", "fr": "  réf. : "}
MD_LABEL = {"en": "<br>**Ref:** ", "fr": "<br>**Réf. :** "}
HTML_LABEL = {"en": "References: ", "fr": "Références : "}
Tree = Callable[[dict[str, str]], Path]


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # relative paths, as in the README


def _references(lang: str) -> dict[str, list[str]]:
    """The references of each rule that has a finding, as the JSON report of the example
    gives them in ``lang``."""
    report = json.loads(run_cli([*LAB, "--format", "json", "--lang", lang]).stdout)
    return {f["rule"]: f["references"] for f in report["findings"]}


def _block(out: str, head: str) -> list[str]:
    """The lines of the text output's block that starts with ``head``, up to its blank line."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(head))
    end = lines.index("", start)
    return lines[start:end]


@pytest.mark.usefixtures("in_repo")
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_text_ends_a_failing_rule_with_its_references_in_the_runs_language(lang: str) -> None:
    refs, english = _references(lang), _references("en")
    assert refs["HDS-001"] != _references("fr" if lang == "en" else "en")["HDS-001"]
    out = run_cli([*LAB, "--lang", lang]).stdout
    block = _block(out, "FAIL HDS-001 ")
    # Two targets with their own fixes, then the rule's references once.
    assert [line for line in block if line.startswith(TEXT_LABEL[lang])] == [block[-1]]
    assert block[-1] == TEXT_LABEL[lang] + JOIN[lang].join(refs["HDS-001"])
    # Every failing rule's block ends so, with the references of the run's language.
    heads = [line for line in out.splitlines() if line.startswith("FAIL ")]
    assert len(heads) > 20
    for head in heads:
        rule = head.split()[1]
        assert _block(out, head)[-1] == TEXT_LABEL[lang] + JOIN[lang].join(refs[rule]), rule
        if lang == "fr" and rule.startswith(("BKP", "EXP", "IAM")):
            assert refs[rule] != english[rule]


def test_text_prints_the_references_once_per_rule_whatever_the_number_of_targets() -> None:
    many = tuple(
        finding("SMP-001", Status.FAIL, f"firewalls/fw-{i}", ("fw.yaml", i, 5), f"fw-{i} old")
        for i in range(1, 41)
    )
    out = text(Report("t", AS_OF, many, RULES), RenderOptions())
    assert out.count("ref:") == 1
    assert "  ref: ISO/IEC 27001:2022 Annex A 8.1\n" in out


def test_text_shows_references_where_action_is_needed_and_keeps_passes_terse() -> None:
    out = text(sample_report(), RenderOptions(verbose=True))
    for head in ("FAIL SMP-002 ", "FAIL SMP-004 ", "ERROR SMP-005 ", "WARN SMP-003 "):
        assert _block(out, head)[-1].startswith("  ref: "), head
    for head in ("WAIVED SMP-001 ", "PASS SMP-001 ", "N/A SMP-004 "):
        assert not any("ref:" in line for line in _block(out, head)), head
    # The baselined failure still needs action some day: its rule's references too.
    lines = out.splitlines()
    known = lines.index("    baselined: known failure, does not fail the gate")
    assert lines[known + 1] == "  ref: ISO/IEC 27001:2022 Annex A 8.1"


def test_text_references_cannot_forge_a_line_nor_drive_the_terminal() -> None:
    (f,) = [f for f in sample_report().findings if f.rule == "SMP-002"]
    forged = f._replace(references=("A\nFAIL FAKE-001 [critical] forged", "\x1b[31mred"))
    out = text(Report("t", AS_OF, (forged,), RULES), RenderOptions())
    assert "\x1b" not in out
    assert not any(line.startswith("FAIL FAKE") for line in out.splitlines())
    assert "  ref: A FAIL FAKE-001 [critical] forged; \\x1b[31mred\n" in out


@pytest.mark.usefixtures("in_repo")
def test_text_wraps_the_reference_line_like_the_others() -> None:
    whole = _block(run_cli(LAB).stdout, "FAIL BKP-003 ")[-1]
    block = _block(run_cli([*LAB, "--width", "60"]).stdout, "FAIL BKP-003 ")
    at = next(i for i, line in enumerate(block) if line.startswith("  ref: "))
    assert all(len(line) <= 60 for line in block)
    assert len(block[at:]) > 1 and all(line.startswith("    ") for line in block[at + 1 :])
    assert " ".join(block[at:]).split() == whole.split()


@pytest.mark.usefixtures("in_repo")
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_markdown_rows_end_with_their_rules_references_after_the_fix(lang: str) -> None:
    refs, other = _references(lang), _references("fr" if lang == "en" else "en")
    out = run_cli([*LAB, "--format", "markdown", "--lang", lang]).stdout
    rows = [line for line in out.splitlines() if line.startswith("| **fail**")]
    assert len(rows) > 20
    rules = [row.split("[", 1)[1].split("]", 1)[0] for row in rows]
    assert rules.count("HDS-001") == 2  # two targets: their rule cited on the first row only
    fix = "<br>**Fix:** " if lang == "en" else "<br>**Correction :** "
    for i, (rule, row) in enumerate(zip(rules, rows, strict=True)):
        cell = row.rsplit(" | ", 1)[1]
        if i and rules[i - 1] == rule:
            assert MD_LABEL[lang] not in row, row
            continue
        assert cell.endswith(MD_LABEL[lang] + md(JOIN[lang].join(refs[rule])) + " |"), row
        assert cell.index(fix) < cell.index(MD_LABEL[lang]), row  # after the fix
        if refs[rule] != other[rule]:
            assert md(JOIN["en"].join(other[rule])) not in row, row


def test_markdown_cites_a_rules_references_on_its_first_row_only() -> None:
    many = tuple(
        finding("SMP-001", Status.FAIL, f"firewalls/fw-{i}", ("fw.yaml", i, 5), f"fw-{i} old")
        for i in range(1, 41)
    )
    out = markdown(Report("t", AS_OF, many, RULES), RenderOptions())
    rows = [line for line in out.splitlines() if line.startswith("| **fail**")]
    assert len(rows) == 40 and out.count("**Ref:**") == 1
    assert rows[0].endswith("<br>**Fix:** Fix fw-1.<br>**Ref:** ISO/IEC 27001:2022 Annex A 8.1 |")
    out = markdown(sample_report(), RenderOptions())
    # Every action row (the error's too, which has no fix) cites its rule.
    assert out.count("**Ref:** ISO/IEC 27001:2022 Annex A 8.1 |") == 2  # new and baselined
    assert out.count("**Ref:**") == 6
    assert "| expires on 2026-12-10, in 12 days<br>**Fix:** Fix portal.<br>**Ref:** " in out
    # Waived and evidence tables are not action tables: no references there.
    assert "Ref:" not in out.split("<summary>1 waived</summary>", 1)[1]


# A user's policy whose references hold what breaks documents: a pipe (a table cell), markup,
# emphasis, backticks, a link, an ampersand, a mention; French ones as hostile.
HOSTILE_EN = "ACME | 4.2 <script>alert(1)</script> *star* `code` [l](u) & @admin"
HOSTILE_FR = "Politique ACME | 4.2 <b>gras</b> *étoile* `code` & <img src=x>"
POLICY = f"""
id: ACME-001
title: Firewall patched this quarter
severity: high
applies_to: firewalls
description: The last patch is at most 90 days old.
rationale: Our own rule.
remediation: Patch {{{{ self.id }}}}.
references: [{json.dumps(HOSTILE_EN)}, "ACME 2"]
requires: [last_patch]
field: last_patch
condition: days_since(self.last_patch) <= 90
message: last patched {{{{ self.last_patch }}}}
translations:
  fr:
    title: Pare-feu corrigé ce trimestre
    references: [{json.dumps(HOSTILE_FR)}, "ACME 2 (fr)"]
    description: Le dernier correctif date d'au plus 90 jours.
    rationale: Notre propre règle.
    remediation: Corriger {{{{ self.id }}}}.
    message: dernier correctif le {{{{ self.last_patch }}}}
tests:
  - name: old
    as_of: 2026-11-28
    declarations: {{firewalls: [{{id: f, last_patch: 2025-06-02}}]}}
    expect: fail
  - name: recent
    as_of: 2026-11-28
    declarations: {{firewalls: [{{id: f, last_patch: 2026-11-01}}]}}
    expect: pass
"""
DECLARATIONS = "firewalls:\n  - {id: fw-1, last_patch: 2025-06-02}\n"
HOSTILE = {"en": f"{HOSTILE_EN}; ACME 2", "fr": f"{HOSTILE_FR} ; ACME 2 (fr)"}


def _user_policy(tree: Tree, *args: str) -> str:
    tree({"decl/firewalls.yaml": DECLARATIONS, "pol/p.yaml": POLICY})
    result = run_cli(["check", "decl", "--policies", "pol", "--as-of", AS_OF, *args])
    assert result.exit_code == 1, result.stderr
    return result.stdout


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_markdown_escapes_a_user_policys_references(tree: Tree, lang: str) -> None:
    out = _user_policy(tree, "--format", "markdown", "--lang", lang)
    (row,) = [line for line in out.splitlines() if "ACME-001" in line]
    (table,) = [t for t in tables(out) if any("ACME-001" in r[1] for r in t)]
    (cells,) = [r for r in table if r[1] == "ACME-001"]
    assert len(cells) == 6  # the pipe did not split the cell
    label = "Ref: " if lang == "en" else "Réf. : "
    assert cells[5].endswith(label + HOSTILE[lang]), cells[5]  # shown as written, as text
    assert "<script" not in row and "<b>" not in row and "<img" not in row
    # Parsed, the cell holds no emphasis, code, link or markup of the reference's making:
    # only the labels' bold and the line breaks between message, fix and references.
    parsed = PARSER.parse(out)
    (inline,) = [
        t for t in parsed if t.type == "inline" and "<br>" in t.content and "ACME" in t.content
    ]
    kinds = {c.type for c in inline.children or []}
    assert not kinds & {"em_open", "code_inline", "link_open"}, kinds
    markup = {c.content for c in inline.children or [] if c.type == "html_inline"}
    assert markup == {"<br>"}


def _report(args: list[str], out: Path) -> str:
    result = run_cli(["report", *args, "-o", str(out)])
    assert result.exit_code == 1, result.stderr
    return out.read_text(encoding="utf-8")


@pytest.mark.usefixtures("in_repo")
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_html_report_shows_each_findings_rule_references(lang: str, tmp_path: Path) -> None:
    refs, english = _references(lang), _references("en")
    html = _report([*LAB[1:], "--lang", lang], tmp_path / "audit.html")
    # The findings per target: status, rule, severity, message (its references last), where.
    rows = [r for r in _page(html).rows[""] if len(r) == 5]
    assert len(rows) > 40
    for row in rows:
        rule = row[1]
        expected = HTML_LABEL[lang] + JOIN[lang].join(refs[rule])
        assert row[3].endswith(" ".join(expected.split())), row
        if lang == "fr" and refs[rule] != english[rule]:
            assert JOIN["en"].join(english[rule]) not in html
    # One note per shown finding; the folded passes carry none (their data holds no reference).
    assert html.count('<div class="ref-note">') == len(rows)
    folded = html.split('<script type="application/json" id="folded-data">', 1)[1]
    assert HTML_LABEL[lang] not in folded and "ISO/IEC 27001" not in folded


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_html_report_escapes_a_user_policys_references(
    tree: Tree, tmp_path: Path, lang: str
) -> None:
    tree({"decl/firewalls.yaml": DECLARATIONS, "pol/p.yaml": POLICY})
    args = ["decl", "--policies", "pol", "--as-of", AS_OF, "--lang", lang]
    html = _report(args, tmp_path / "audit.html")
    (row,) = [r for r in _page(html).rows[""] if r[1] == "ACME-001"]
    assert row[3].endswith(HTML_LABEL[lang] + " ".join(HOSTILE[lang].split())), row
    # Shown as text: the report's own two script elements, no element of the policy's.
    assert html.count("<script") == 2 and "<b>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "&lt;b&gt;gras" in html
