"""The first hour of a newcomer, read from the outside: what `hdsguard check` says to someone
who has not declared anything yet must say what is wrong, where, and how to go on."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import AS_OF, run_cli


def test_a_directory_without_declarations_says_how_to_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli(["check", "--no-config", "--as-of", AS_OF])
    assert result.exit_code == 2
    assert result.stderr.startswith(".: no declaration file (.yaml, .yml, .json) found here: ")
    assert "run `hdsguard init`" in result.stderr
    assert "Traceback" not in result.output
