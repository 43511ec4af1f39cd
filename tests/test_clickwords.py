"""click's own usage errors in French: "No such option", "Missing argument", "Invalid value"…"""

from __future__ import annotations

import inspect
import subprocess
import sys

import click
import pytest

from hdsguard import clickwords
from hdsguard.i18n import language
from tests.helpers import REPO, cache_env, run_cli


def _click_source() -> str:
    modules = [sys.modules[name] for name in clickwords.MODULES]
    return "\n".join(inspect.getsource(module) for module in modules)


def test_every_listed_message_is_still_clicks_own() -> None:
    source = _click_source()
    listed = set(clickwords.MESSAGES) | {m for pair in clickwords.PLURALS for m in pair}
    missing = [m for m in sorted(listed) if repr(m) not in source and f'"{m}"' not in source]
    assert not missing, f"click no longer words these (update clickwords): {missing}"


@pytest.mark.parametrize(
    ("args", "english", "french"),
    [
        (
            ["check", "--bogus"],
            ["Error: No such option '--bogus'. Did you mean '--verbose'?"],
            ["Erreur : Option inconnue '--bogus'. Vouliez-vous dire '--verbose' ?"],
        ),
        (
            ["check", "--fail-on", "hihg"],
            [
                "Error: Invalid value for '--fail-on': 'hihg' is not one of 'critical', 'high', "
                "'medium', 'low', 'info'."
            ],
            [
                "Erreur : Valeur invalide pour '--fail-on' : 'hihg' ne fait pas partie des "
                "valeurs 'critical', 'high', 'medium', 'low', 'info'."
            ],
        ),
        (
            ["policies", "explain"],
            ["Error: Missing argument 'POLICY_ID'."],
            ["Erreur : Argument manquant 'POLICY_ID'."],
        ),
        (
            ["chek"],
            ["Error: No such command 'chek'. (Did you mean one of: 'check', 'schema'?)"],
            [
                "Erreur : Commande inconnue 'chek'. (Vouliez-vous dire l'un de ceux-ci : "
                "'check', 'schema' ?)"
            ],
        ),
        (
            ["check", "--as-of", "2026-13-01"],
            [
                "Error: Invalid value for '--as-of': expected an ISO 8601 date (YYYY-MM-DD), got "
                "'2026-13-01': month must be in 1..12"
            ],
            [
                "Erreur : Valeur invalide pour '--as-of' : date ISO 8601 attendue (AAAA-MM-JJ), "
                "reçu '2026-13-01' : le mois doit être compris entre 1 et 12"
            ],
        ),
        (
            # As a French user writes it: the same hint as for a declared date.
            ["check", "--as-of", "06/12/2026"],
            [
                "Error: Invalid value for '--as-of': expected an ISO 8601 date (YYYY-MM-DD), got "
                "'06/12/2026': write `2026-12-06` (read day first)"
            ],
            [
                "Erreur : Valeur invalide pour '--as-of' : date ISO 8601 attendue (AAAA-MM-JJ), "
                "reçu '06/12/2026' : écrivez `2026-12-06` (lu jour en premier)"
            ],
        ),
    ],
)
def test_usage_errors_in_both_languages(
    args: list[str], english: list[str], french: list[str]
) -> None:
    for lang, expected in (("en", english), ("fr", french)):
        # --lang after the bad option too: click fails while parsing, before --lang's callback
        result = run_cli([*args, "--lang", lang])
        assert result.exit_code == 2
        lines = result.stderr.splitlines()
        assert lines[-len(expected) :] == expected
        usage, hint = lines[0], lines[1]
        if lang == "en":
            assert usage.startswith("Usage: ") and hint.startswith("Try '")
        else:
            assert usage.startswith("Usage : ") and hint.startswith("Essayez '")
            assert hint.endswith("--help' pour obtenir de l'aide.")


def test_the_locale_variables_make_usage_errors_french() -> None:
    env = cache_env(None, {"PATH": "/usr/bin:/bin", "LANG": "fr_FR.UTF-8"})
    result = subprocess.run(
        [sys.executable, "-m", "hdsguard", "check", "--bogus"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        check=False,
    )
    assert result.returncode == 2
    assert "Erreur : Option inconnue '--bogus'." in result.stderr


def test_english_and_unlisted_messages_are_clicks_own() -> None:
    clickwords.install()
    assert click.exceptions._ is clickwords.click_gettext  # type: ignore[attr-defined]
    with language("en"):
        assert clickwords.click_gettext("No such option {name!r}.") == "No such option {name!r}."
    with language("fr"):
        assert clickwords.click_gettext("Not a message of ours") == "Not a message of ours"
        assert clickwords.click_ngettext("{a}", "{b}", 2) == "{b}"
        assert clickwords.click_ngettext(*clickwords.PLURALS[0], 2).startswith("(Vouliez-vous")


def test_option_defaults_in_help_follow_the_language() -> None:
    english = run_cli(["report", "--help"]).stdout
    french = run_cli(["--lang", "fr", "report", "--help"]).stdout
    assert "[default: 180;" in english
    assert "[par défaut : 180;" in french
    assert "default:" not in french
