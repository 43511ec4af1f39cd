"""The bundled example in French, one golden file per format; only the prose differs from
the English run (same exit code, same JSON keys, ids and statuses: tests/test_i18n.py).

Regenerate with ``HDSGUARD_UPDATE_GOLDENS=1 pytest tests/test_fmt_*.py`` and review the diff.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.helpers import AS_OF, REPO, run_cli

FORMATS = {
    "text": "txt",
    "json": "json",
    "sarif": "sarif",
    "junit": "junit.xml",
    "markdown": "md",
    "github": "github.txt",
}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_lab_group_in_french(fmt: str, golden: Callable[[str, str], None]) -> None:
    args = ["check", "examples/lab-group", "--as-of", AS_OF, "--format", fmt, "--no-config"]
    french = run_cli([*args, "--lang", "fr"])
    english = run_cli([*args, "--lang", "en"])
    assert french.exit_code == english.exit_code == 1
    golden(f"lab-group.fr.{FORMATS[fmt]}", french.stdout)


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # relative paths in the reports, as in the README


def test_references_follow_the_language_in_sarif_and_json() -> None:
    # A French run printed the rules' references in English (SARIF help and tags, JSON
    # findings): "ANSSI hygiene guide, measure 21" where the guide's title is French.
    args = ["check", "examples/lab-group", "--as-of", AS_OF, "--no-config"]
    english_ref = "ISO/IEC 27001:2022 Annex A 8.13 (information backup)"
    french_ref = "ISO/IEC 27001:2022 annexe A 8.13 (sauvegarde des informations)"
    for fmt in ("sarif", "json"):
        french = run_cli([*args, "--format", fmt, "--lang", "fr"]).stdout
        english = run_cli([*args, "--format", fmt, "--lang", "en"]).stdout
        assert french_ref in french and english_ref not in french, fmt
        assert english_ref in english and french_ref not in english, fmt
    sarif = json.loads(run_cli([*args, "--format", "sarif", "--lang", "fr"]).stdout)
    (rule,) = [r for r in sarif["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "BKP-001"]
    assert french_ref in rule["properties"]["tags"]
    assert f"- {french_ref}" in rule["help"]["text"]
    assert f"## Références\n\n- {french_ref}" in rule["help"]["markdown"]
