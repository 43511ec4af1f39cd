"""The commands other than check are imported only when named: a pre-commit hook pays none."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import REPO, run_cli

_PROBE = """
import sys
from hdsguard.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(" ".join(sorted(m for m in sys.modules if m.startswith("hdsguard.cli_"))))
"""


def _cli_modules(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, cwd=REPO, check=True
    )
    return done.stdout.split("\n")[-2].split()


def test_check_imports_no_other_command() -> None:
    assert _cli_modules("check", "examples/minimal", "--as-of", "2026-11-28") == []


def test_a_named_command_is_imported_and_runs() -> None:
    assert _cli_modules("policies", "list") == ["hdsguard.cli_policies"]
    result = run_cli(["verify-pack", "--help"])
    assert result.exit_code == 0 and "PACK" in result.stdout


def test_help_lists_every_command() -> None:
    result = run_cli(["--help"])
    names = [line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines()
             if line.startswith("  ") and not line.startswith("   ")]  # fmt: skip
    assert names == sorted(
        ["baseline", "calendar", "check", "init", "policies", "report", "schema", "verify-pack"]
    )
