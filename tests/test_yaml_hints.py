"""A YAML syntax error says what the mistake is, where it was made and how to fix it, in the
run's language (hdsguard.declarations.yamlhints), not only libyaml's words."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run_cli

CASES = [
    # (file text, where, what the message must say)
    ("organisation:\n\tname: A\n", "3:1", "a tab cannot indent YAML: indent with spaces"),
    # A tab in place of a list item's indentation: libyaml words it otherwise.
    ("firewalls:\n  - id: fw1\n\tvendor: x\n", "4:1", "a tab cannot indent YAML"),
    ("organisation:\n  name: @lac\n", "3:9", "a value cannot start with '@' unless it is quoted"),
    ("organisation:\n  name: Clinique: du Lac\n", "3:17", "a second ': ' on one line"),
    ("organisation:\n  name: A\n  kind:clinic\n", "4:3", "a key without ':' here"),
    (
        "organisation:\n  name: A\n security_officer: {name: B}\n",
        "4:2",
        "this line is indented like no key of the mapping that starts at line 1",
    ),
    (
        "firewalls:\n  - id: a\n    vendor: x\n   - id: b\n",
        "5:4",
        "this line is indented like no item of the list that starts at line 3",
    ),
    # Unclosed quotes and brackets: where they were opened, not where libyaml gave up.
    ('organisation:\n  name: "A\n  kind: clinic\n', "3:9", "the quote opened here is never closed"),
    ('organisation:\n  finess: {ej: "1"\n', "3:11", "the '{' opened here is never closed"),
    # Closed by the next value's opening quote, lines below: where it was opened, not there.
    (
        'services:\n  - id: web\n    owner: "Equipe SI\n    exposure: internet\n'
        '    host: "portal.example.org"\n',
        "4:12",
        "the quote opened here is not closed on its line, so the value runs on to the next "
        "quote, at line 6",
    ),
    # A '"' inside a single-quoted text opens nothing: the usual hint.
    (
        "organisation:\n  name: 'A \"B'\n security_officer: {name: B}\n",
        "4:2",
        "this line is indented like no key of the mapping that starts at line 1",
    ),
    ('organisation:\n  finess: {et: ["1" "2"]}\n', "3:16", "the '[' opened here is never closed"),
    # Two documents in one file: the second is never silently dropped, and the fix is said.
    (
        "organisation: {name: A}\n---\nfirewalls: [{id: fw-1}]\n",
        "3:1",
        "a declaration file holds one YAML document: move what follows this '---'",
    ),
]


@pytest.mark.parametrize(("text", "where", "says"), CASES)
def test_a_syntax_error_says_what_to_fix_where_it_was_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, where: str, says: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("decl.yaml").write_text("version: 1\n" + text, encoding="utf-8")
    result = run_cli(["check", "decl.yaml", "--as-of", "2026-11-28"])
    assert result.exit_code == 2, result.output
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"decl.yaml:{where}: YAML syntax error: {says}"), first
    assert "Traceback" not in result.output


def test_the_hint_is_in_french_and_libyaml_s_words_stay_for_searching(tmp_path: Path) -> None:
    path = tmp_path / "decl.yaml"
    path.write_text("version: 1\norganisation:\n\tname: A\n", encoding="utf-8")
    result = run_cli(["--lang", "fr", "check", str(path), "--as-of", "2026-11-28"])
    assert result.exit_code == 2
    assert "une tabulation ne peut pas indenter du YAML : indentez avec des espaces" in (
        result.stderr
    )
    assert "(while scanning for the next token" in result.stderr


def test_an_unknown_syntax_error_keeps_libyaml_s_words(tmp_path: Path) -> None:
    path = tmp_path / "decl.yaml"
    path.write_text("version: 1\n? [a\n", encoding="utf-8")
    result = run_cli(["check", str(path), "--as-of", "2026-11-28"])
    assert result.exit_code == 2
    assert "YAML syntax error: " in result.stderr
    assert "Traceback" not in result.output
