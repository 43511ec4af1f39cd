"""Shared helpers for the test suite."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from hdsguard.cli import main

REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-28"


def write(root: Path, files: dict[str, str]) -> Path:
    """Create files (dedented) under root and return root."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def run_cli(args: Sequence[str]) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def findings_of(result: Result) -> list[dict[str, Any]]:
    report: dict[str, Any] = json.loads(result.stdout)
    findings: list[dict[str, Any]] = report["findings"]
    return findings
