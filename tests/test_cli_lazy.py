"""The commands other than check are imported only when named: a pre-commit hook pays none."""

from __future__ import annotations

import subprocess
import sys

import pytest

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
        [
            "baseline",
            "calendar",
            "check",
            "init",
            "policies",
            "report",
            "schema",
            "verify-pack",
            "waivers",
        ]
    )


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("group", [[], ["policies"]])
def test_the_command_lists_say_each_command_in_full(group: list[str], lang: str) -> None:
    # Click cuts a command's first help sentence at about 60 characters and ends it with
    # "...": `hdsguard --help` showed "Record the current failing findings of PATHS, keyed by
    # (rule,...". Each command has a short help of its own, in both languages.
    result = run_cli([*group, "--lang", lang, "--help"])
    assert result.exit_code == 0
    heading = "Commands:" if lang == "en" else "Commandes :"
    listing = result.stdout.split(heading)[1]
    assert listing.strip() and "..." not in listing and "…" not in listing
    # French puts a space before the colon of every heading, as "Usage :" (it wrote
    # "Options:" and "Commandes:" beside it).
    assert ("\nOptions:\n" if lang == "en" else "\nOptions :\n") in result.stdout


def test_the_policies_group_takes_lang_like_every_command() -> None:
    result = run_cli(["policies", "--lang", "fr", "explain", "FW-001"])
    assert result.exit_code == 0, result.stderr
    assert "Micrologiciel des pare-feu à jour des correctifs" in result.stdout
