"""pre-commit: the published hooks (.pre-commit-hooks.yaml), this project's own config, and a
real ``pre-commit run --all-files`` in a temporary git repository that uses this project.

The end-to-end test commits a snapshot of the working tree (tracked and untracked files, minus
what .gitignore excludes) to a throwaway repository, because pre-commit installs a hook from a
repository and a commit. pre-commit then builds a virtualenv and pip-installs hdsguard into it
(its dependencies and build backend come from PyPI): about 10 seconds here, with or without a
pip cache. One PRE_COMMIT_HOME is shared by the whole module, so the hook is installed once.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pre_commit.clientlib import load_config, load_manifest

from tests.helpers import REPO

HOOKS = REPO / ".pre-commit-hooks.yaml"
CONFIG = REPO / ".pre-commit-config.yaml"
GIT_ID = ["-c", "user.email=tests@hdsguard.invalid", "-c", "user.name=hdsguard tests"]


def hooks() -> dict[str, dict[str, Any]]:
    return {hook["id"]: hook for hook in load_manifest(str(HOOKS))}


def test_published_hooks_are_a_valid_manifest() -> None:
    assert set(hooks()) == {"hdsguard", "hdsguard-policies"}
    check, policies = hooks()["hdsguard"], hooks()["hdsguard-policies"]
    assert check["entry"] == "hdsguard check"
    assert policies["entry"] == "hdsguard policies test"
    for hook in (check, policies):
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False  # the whole set is needed for references


@pytest.mark.parametrize(
    ("path", "runs"),
    [
        ("infra/firewalls.yaml", True),
        ("infra/vendors/tana.yml", True),
        ("infra/systems.json", True),
        ("src/app.py", False),
        ("README.md", False),
        ("infra/notes.yaml.bak", False),
    ],
)
def test_check_hook_runs_when_a_declaration_file_changes(path: str, runs: bool) -> None:
    assert bool(re.search(hooks()["hdsguard"]["files"], path)) is runs


def test_policies_hook_runs_when_a_policy_file_changes() -> None:
    pattern = hooks()["hdsguard-policies"]["files"]
    assert re.search(pattern, "policies/ACME-001.yaml")
    assert not re.search(pattern, "policies/README.md")


def test_own_config_runs_ruff_mypy_and_hdsguard_offline() -> None:
    config = load_config(str(CONFIG))
    (repo,) = config["repos"]
    assert repo["repo"] == "local"
    entries = {hook["id"]: hook["entry"] for hook in repo["hooks"]}
    assert entries["ruff-check"] == "ruff check"
    assert entries["ruff-format"] == "ruff format --check"
    assert entries["mypy"] == "mypy src"
    assert entries["hdsguard-examples"] == "hdsguard check examples/hospital --as-of 2026-11-28"
    # pre-commit 4.4 renamed `system` to `unsupported` and still reads the old name.
    assert {hook["language"] for hook in repo["hooks"]} <= {"system", "unsupported"}
    assert "language: system" in CONFIG.read_text(encoding="utf-8")


# --- the real thing ---------------------------------------------------------------------------

POLICY = """\
id: ACME-001
title: Firewall vendor declared
severity: low
applies_to: firewalls
description: Every firewall names its vendor.
rationale: Vendor advisories can only be followed for a known vendor.
remediation: Declare the vendor of {{ self.id }}.
references: [ACME security policy, section 4]
requires: [vendor]
field: vendor
condition: self.vendor != ""
message: no vendor declared
tests:
  - name: vendor declared
    as_of: 2026-11-28
    declarations: {firewalls: [{id: fw-1, vendor: Stormshield}]}
    expect: pass
  - name: vendor missing
    as_of: 2026-11-28
    declarations: {firewalls: [{id: fw-1}]}
    expect: fail
"""


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *GIT_ID, *args], cwd=cwd, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def snapshot(dest: Path) -> str:
    """Commit the working tree of this project (tracked + untracked, not ignored) to ``dest``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file() and not name.startswith("tests/"):
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "snapshot for the pre-commit test")
    return git(dest, "rev-parse", "HEAD")


class InfraRepo:
    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root = root
        self.env = env

    def write(self, name: str, text: str) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        git(self.root, "add", "-A")

    def run(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color=never"],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=900,
        )


@pytest.fixture(scope="module")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InfraRepo]:
    if not (REPO / ".git").exists() or shutil.which("git") is None:
        pytest.skip("needs git and a git checkout of hdsguard")
    base = tmp_path_factory.mktemp("pre-commit")
    source = base / "hdsguard-src"
    source.mkdir()
    rev = snapshot(source)
    root = base / "infra-repo"
    shutil.copytree(REPO / "examples" / "hospital", root / "infra")
    config = {
        "repos": [
            {
                "repo": str(source),
                "rev": rev,
                "hooks": [
                    {
                        "id": "hdsguard",
                        "args": ["--as-of", "2026-11-28", "--policies", "policies/", "infra/"],
                        "files": "^(infra|policies)/",
                    },
                    {"id": "hdsguard-policies", "args": ["policies/"], "files": "^policies/"},
                ],
            }
        ]
    }
    git(root, "init", "-q")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "VIRTUAL_ENV"))}
    env["PRE_COMMIT_HOME"] = str(base / "pre-commit-home")
    env.pop("GITHUB_ACTIONS", None)
    repo = InfraRepo(root, env)
    repo.write(".pre-commit-config.yaml", yaml.safe_dump(config, sort_keys=False))
    repo.write("policies/ACME-001.yaml", POLICY)
    yield repo


def hospital_network(last_patch: str) -> str:
    text = (REPO / "examples" / "hospital" / "network.yaml").read_text(encoding="utf-8")
    patched, count = re.subn(
        r"(- id: fw-perimetre-1\n(?:    .*\n)*?    last_patch: )\S+", rf"\g<1>{last_patch}", text
    )
    assert count == 1
    return patched


@pytest.mark.slow
def test_pre_commit_blocks_a_failing_declaration_and_passes_a_fixed_one(
    infra: InfraRepo,
) -> None:
    infra.write("infra/network.yaml", hospital_network("2025-06-02"))
    failing = infra.run()
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "FW-001" in failing.stdout
    assert "firewalls/fw-perimetre-1" in failing.stdout
    assert re.search(r"hdsguard check\.+Failed", failing.stdout)
    assert re.search(r"hdsguard policies test\.+Passed", failing.stdout)

    infra.write("infra/network.yaml", hospital_network("2026-10-13"))
    fixed = infra.run()
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert re.search(r"hdsguard check\.+Passed", fixed.stdout)


@pytest.mark.slow
def test_pre_commit_runs_the_inline_tests_of_the_repository_policies(infra: InfraRepo) -> None:
    infra.write("infra/network.yaml", hospital_network("2026-10-13"))
    wrong = POLICY.replace("[{id: fw-1}]", "[{id: fw-1, vendor: Fortinet}]")  # now passes
    infra.write("policies/ACME-001.yaml", wrong)
    broken = infra.run()
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert re.search(r"hdsguard policies test\.+Failed", broken.stdout)
    assert "FAIL ACME-001" in broken.stdout

    infra.write("policies/ACME-001.yaml", POLICY)
    assert infra.run().returncode == 0
