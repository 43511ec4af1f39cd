"""The regulatory references behind a rule, shown where people read the result: the text
output and the Markdown summary (the JSON, SARIF and JUnit reports carried them already), in
the run's language, escaped like every other text a policy brings."""

from __future__ import annotations

import json

import pytest

from hdsguard.findings import Report, Status
from hdsguard.formatters import RenderOptions
from hdsguard.formatters.text import render as text
from tests.format_samples import AS_OF, RULES, finding, sample_report
from tests.helpers import REPO, run_cli

LAB = ["check", "examples/lab-group", "--as-of", AS_OF, "--no-config"]
# The separator of a list in prose, and the label, per language.
JOIN = {"en": "; ", "fr": " ; "}
TEXT_LABEL = {"en": "  ref: ", "fr": "  réf. : "}


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
