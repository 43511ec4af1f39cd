"""Fixtures shared by the test suite (plain helpers live in tests/helpers.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import write


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, str]], Path]:
    """Write a declaration tree in a temporary directory and chdir there (relative paths)."""
    monkeypatch.chdir(tmp_path)

    def make(files: dict[str, str]) -> Path:
        return write(tmp_path, files)

    return make
