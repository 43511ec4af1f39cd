"""Issue 12, point 7: no declaration is skipped without a word.

Symbolic links to directories inside the walked tree are followed (a loop ends), links to
files or directories outside it are refused, located, and never read; hidden files and
directories holding declarations are announced.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import Result

from tests.helpers import AS_OF, run_cli, write

FAILING = """
firewalls:
  - id: fw-old
    vendor: Fortinet
    internet_facing: true
    last_patch: 2024-01-01
    last_rule_review: 2026-11-01
"""

ORG = """
organisation:
  name: Test
  kind: medical_laboratory
"""


def check(*paths: str) -> Result:
    return run_cli(["check", *paths, "--as-of", AS_OF, "--format", "json", "--no-config"])


def rules_failing(result: Result) -> set[tuple[str, str]]:
    return {
        (f["rule"], f["target"])
        for f in json.loads(result.stdout)["findings"]
        if f["status"] == "fail"
    }


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"infra/org.yaml": ORG})
    return tmp_path


def test_a_symlinked_directory_inside_the_tree_is_followed(here: Path) -> None:
    write(here, {"infra/.releases/v2/fw.yaml": FAILING})
    os.symlink(".releases/v2", here / "infra" / "current")
    result = check("infra")
    assert result.exit_code == 1, result.output
    assert ("FW-001", "firewalls/fw-old") in rules_failing(result)
    (finding,) = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "FW-001"]
    assert finding["file"] == "infra/current/fw.yaml"


def test_a_symlink_loop_of_directories_ends(here: Path) -> None:
    write(here, {"infra/sub/fw.yaml": FAILING})
    os.symlink("..", here / "infra" / "sub" / "up")
    os.symlink(".", here / "infra" / "self")
    result = check("infra")
    assert result.exit_code == 1, result.output
    # each file read once, under its first path: no duplicate-id error
    assert rules_failing(result) >= {("FW-001", "firewalls/fw-old")}


def test_a_symlinked_directory_outside_the_tree_is_refused(here: Path) -> None:
    write(here, {"shared/fw.yaml": FAILING})
    os.symlink("../shared", here / "infra" / "shared")
    result = check("infra")
    assert result.exit_code == 2, result.output
    assert "infra/shared: symbolic link to a directory outside infra: not read" in result.stderr


def test_a_symlinked_file_outside_the_tree_is_never_read(here: Path) -> None:
    (here / "secret.yaml").write_text("firewalls: hunter2-s3cr3t\n", encoding="utf-8")
    os.symlink("../secret.yaml", here / "infra" / "fw.yaml")
    result = check("infra")
    assert result.exit_code == 2, result.output
    assert "infra/fw.yaml: symbolic link to a file outside infra: not read" in result.stderr
    assert "hunter2" not in result.output
    assert "hunter2" not in result.stderr


def test_a_symlinked_file_inside_the_tree_is_read_once(here: Path) -> None:
    write(here, {"infra/all/fw.yaml": FAILING})
    os.symlink("all/fw.yaml", here / "infra" / "fw.yaml")
    result = check("infra")
    assert result.exit_code == 1, result.output
    assert ("FW-001", "firewalls/fw-old") in rules_failing(result)


def test_a_file_named_on_the_command_line_is_read_wherever_it_points(here: Path) -> None:
    write(here, {"shared/fw.yaml": FAILING})
    os.symlink("../shared/fw.yaml", here / "infra" / "fw.yaml")
    result = check("infra/org.yaml", "infra/fw.yaml")
    assert result.exit_code == 1, result.output


@pytest.mark.parametrize(
    ("name", "notice"),
    [
        (".legacy/fw.yaml", "infra/.legacy: hidden directory, not read (1 declaration file)"),
        (".bad.yaml", "infra/.bad.yaml: hidden file, not read"),
    ],
)
def test_hidden_declarations_are_announced(here: Path, name: str, notice: str) -> None:
    write(here, {f"infra/{name}": FAILING})
    result = check("infra")
    assert notice in result.stderr
    assert any(notice in n for n in json.loads(result.stdout)["notices"])
    assert ("FW-001", "firewalls/fw-old") not in rules_failing(result)


def test_version_control_directories_are_neither_read_nor_announced(here: Path) -> None:
    before = check("infra")
    write(here, {"infra/.git/config.yaml": FAILING})
    result = check("infra")
    assert (result.exit_code, result.stdout) == (before.exit_code, before.stdout)
    assert ".git" not in result.stderr
