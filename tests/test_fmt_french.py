"""The bundled example in French, one golden file per format; only the prose differs from
the English run (same exit code, same JSON keys, ids and statuses: tests/test_i18n.py).

Regenerate with ``HDSGUARD_UPDATE_GOLDENS=1 pytest tests/test_fmt_*.py`` and review the diff.
"""

from __future__ import annotations

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
