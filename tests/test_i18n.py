"""French as well as English: the code's catalogue, the language of a run, French prose."""

from __future__ import annotations

import json
import string
import subprocess
import sys
from pathlib import Path

import pytest

from hdsguard import i18n
from hdsguard.i18n import catalogue_path, read_catalogue
from hdsguard.i18n_extract import expected_messages
from hdsguard.l10n import long_date
from hdsguard.policies.template import to_text
from tests.helpers import AS_OF, REPO, cache_env, run_cli

# Words that are the same in both languages (a heading in capitals, click's "Options", the
# audit report's column headings).
SAME_IN_FRENCH = frozenset(
    {
        "CONDITIONS",
        "TESTS",
        "Options",
        "Configuration",
        "Date",
        "date",
        "Justification",
        "Message",
        "SHA-256",
        "Total",
    }
)


def _catalogue() -> dict[str | tuple[str, str], str | tuple[str, ...]]:
    return read_catalogue(catalogue_path("fr"), "fr")


def _fields(text: str) -> list[str]:
    # str.format's own parser: '{{' and '}}' are literal braces, not a field.
    return sorted(
        f"{{{name}}}"
        for _lit, name, _spec, _conv in string.Formatter().parse(text)
        if name is not None
    )


def test_every_message_of_the_code_has_french_text() -> None:
    french = _catalogue()
    missing = []
    for key, where in expected_messages().items():
        found = french.get(key)
        if isinstance(key, tuple):
            complete = isinstance(found, tuple) and all(found)
        else:
            complete = isinstance(found, str) and bool(found)
            if complete and found == key and key not in SAME_IN_FRENCH:
                complete = False  # identical to the English: not translated
        if not complete:
            missing.append(f"{where[0]}: {key!r}")
    assert not missing, "run python -m hdsguard.i18n_extract, then translate:\n" + "\n".join(
        missing
    )


def test_the_catalogue_holds_no_message_the_code_no_longer_has() -> None:
    stale = set(_catalogue()) - set(expected_messages())
    assert not stale, f"run python -m hdsguard.i18n_extract (stale: {sorted(map(str, stale))})"


def test_placeholders_are_the_same_in_both_languages() -> None:
    for key, found in _catalogue().items():
        if isinstance(key, tuple):
            assert isinstance(found, tuple)
            for form in found:
                assert _fields(form) == _fields(key[1]), (key, form)
        else:
            assert isinstance(found, str)
            assert _fields(found) == _fields(key), (key, found)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, None),
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "fr_CA.UTF-8"}, "fr"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "POSIX"}, "en"),
        ({"LANG": "en_GB.UTF-8", "LC_MESSAGES": "fr_FR"}, "fr"),
        ({"LANG": "fr_FR.UTF-8", "LC_ALL": "C"}, "en"),
        ({"LC_ALL": "", "LANG": "fr_BE@euro"}, "fr"),
    ],
)
def test_the_environment_names_the_language(environ: dict[str, str], expected: str) -> None:
    assert i18n.from_environment(environ) == expected


def _summary(result_stdout: str) -> str:
    return result_stdout.strip().splitlines()[-1]


def test_lang_option_config_and_environment_in_that_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    decl = str(REPO / "examples" / "minimal")
    monkeypatch.chdir(tmp_path)
    assert _summary(run_cli(["check", decl, "--as-of", AS_OF]).stdout).startswith(
        "hdsguard 2026-11-28: "
    )
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    french = "hdsguard, 28 novembre 2026 : "
    assert _summary(run_cli(["check", decl, "--as-of", AS_OF]).stdout).startswith(french)
    (tmp_path / ".hdsguard.yaml").write_text("lang: en\n", encoding="utf-8")
    assert _summary(run_cli(["check", decl, "--as-of", AS_OF]).stdout).startswith("hdsguard 20")
    result = run_cli(["check", decl, "--as-of", AS_OF, "--lang", "fr"])
    assert _summary(result.stdout).startswith(french)
    # The group option works too, and a later run in the same process starts afresh.
    assert _summary(run_cli(["--lang", "fr", "check", decl, "--as-of", AS_OF]).stdout).startswith(
        french
    )
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert _summary(run_cli(["check", decl, "--as-of", AS_OF]).stdout).startswith("hdsguard 20")


def test_a_bad_language_is_a_usage_error() -> None:
    result = run_cli(["check", "--lang", "de"])
    assert result.exit_code == 2
    assert "'de' is not one of 'en', 'fr'" in result.stderr


def test_help_is_french_with_lang_fr() -> None:
    result = run_cli(["check", "--lang", "fr", "--help"])
    assert result.exit_code == 0
    assert "Usage : main check [OPTIONS]" in result.stdout  # CliRunner names it main
    assert "Contrôle les déclarations de PATHS" in result.stdout
    assert "Évaluer à cette date (AAAA-MM-JJ)" in result.stdout
    assert "Codes de sortie : 0 aucune non-conformité" in result.stdout
    top = run_cli(["--lang", "fr", "--help"])
    assert "Commandes" in top.stdout
    assert "Liste, explique, teste et documente les règles" in top.stdout


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-28", "28 novembre 2026"),
        ("2025-06-01", "1er juin 2025"),
        ("2026-02-30", "2026-02-30"),  # not a date: quoted as declared
        ("fw-edge-1", "fw-edge-1"),
        (9.8, "9,8"),
        (8443, "8443"),  # ports and counts of days are written plainly
        (True, "oui"),
        (None, "aucun"),
        (["FR", "MA"], "FR, MA"),
    ],
)
def test_values_in_french_text(value: object, expected: str) -> None:
    assert to_text(value, "fr") == expected


def test_values_in_english_text_are_unchanged() -> None:
    assert to_text("2026-11-28", "en") == "2026-11-28"
    assert to_text(9.8, "en") == "9.8"
    assert long_date("2026-11-28", "en") == "2026-11-28"


def _report(lang: str) -> dict[str, object]:
    lab = str(REPO / "examples" / "lab-group")
    result = run_cli(["check", lab, "--as-of", AS_OF, "--format", "json", "--lang", lang])
    assert result.exit_code == 1
    report: dict[str, object] = json.loads(result.stdout)
    return report


def _shape(value: object) -> object:
    """Keys, ids, statuses, locations: everything but the prose."""
    if isinstance(value, dict):
        # `references` are prose too: a French run cites the documents by their French titles
        # (translations.fr.references), one for one, so their count is kept.
        prose = {"message", "remediation", "title", "description", "rationale"}
        if isinstance(value.get("references"), list):
            value = {**value, "references": len(value["references"])}
        # `notices` are prose; a French run may add one (policies without French text).
        return {k: (None if k in prose else _shape(v)) for k, v in value.items() if k != "notices"}
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return value


def test_only_prose_changes_with_the_language() -> None:
    english, french = _report("en"), _report("fr")
    assert _shape(english) == _shape(french)
    assert french["as_of"] == "2026-11-28"  # machine fields keep ISO dates


def test_an_english_run_does_not_import_babel() -> None:
    code = (
        "import sys\n"
        "from hdsguard.cli import main\n"
        "try:\n"
        "    main(['check', 'examples/minimal', '--as-of', '2026-11-28'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('babel' in sys.modules)\n"
    )
    env = cache_env(None, {"LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"})
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert out.stdout.strip().splitlines()[-1] == "False", out.stderr


@pytest.mark.parametrize(
    ("rendered", "expected"),
    [
        ("0 jours avant", "0 jour avant"),
        ("il y a 1 jours ; dans 1 heures", "il y a 1 jour ; dans 1 heure"),
        ("10 jours, 21 jours, 100 heures", "10 jours, 21 jours, 100 heures"),
        ("1,0 jours", "1,0 jours"),  # a decimal keeps its plural
    ],
)
def test_french_counts_0_and_1_in_the_singular(rendered: str, expected: str) -> None:
    from hdsguard.policies.template import _grammar

    assert _grammar(rendered, "fr") == expected
    assert _grammar(rendered, "en") == rendered  # English: only 1, which its messages spell


def test_a_backup_of_today_is_0_jour_old_in_french(tmp_path: Path) -> None:
    decl = tmp_path / "d.yaml"
    decl.write_text(
        "systems:\n  - {id: dpi, name: DPI, health_data: true,\n"
        "     backup: {last_success: 2026-11-28, monitored: true}}\n",
        encoding="utf-8",
    )
    args = ["check", str(decl), "--as-of", "2026-11-28", "--format", "json", "--no-config"]
    for lang, expected in (("fr", "0 jour avant"), ("en", "0 days before")):
        result = run_cli(["--lang", lang, *args])
        [bkp] = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "BKP-001"]
        assert expected in bkp["message"], bkp["message"]
