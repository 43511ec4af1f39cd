"""pre-commit: the published hooks (.pre-commit-hooks.yaml), this project's own config, and a
real ``pre-commit run --all-files`` in a temporary git repository that uses this project.

The end-to-end test commits a snapshot of the working tree (tracked and untracked files, minus
what .gitignore excludes) to a throwaway repository, because pre-commit installs a hook from a
repository and a commit. pre-commit then builds a virtualenv and pip-installs hdsguard into it
(its dependencies and build backend come from PyPI): about 10 seconds here, with or without a
pip cache. One PRE_COMMIT_HOME is shared by the whole module, so the hook is installed once.
"""

from __future__ import annotations

import json
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

# One worker under xdist: the hook's virtualenv is built once, in the module's PRE_COMMIT_HOME.
pytestmark = pytest.mark.xdist_group("pre-commit")

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


def test_check_hook_runs_on_every_commit() -> None:
    # The verdict depends on the config, waivers, baseline and policies too, named anything:
    # issue 12, point 6 (a waiver-only commit skipped the gate).
    hook = hooks()["hdsguard"]
    assert hook["always_run"] is True
    assert hook["files"] == ""  # nothing to narrow: it would be ignored anyway


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
def hook_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict[str, str]]:
    """A snapshot of this project, its commit, and an environment for git and pre-commit with
    one PRE_COMMIT_HOME: pre-commit builds the hook's virtualenv (pip-installs hdsguard, about
    7 s) once for the module, as for a developer whose hooks are installed already. Each
    test still makes its own infrastructure repository."""
    if not (REPO / ".git").exists() or shutil.which("git") is None:
        pytest.skip("needs git and a git checkout of hdsguard")
    base = tmp_path_factory.mktemp("pre-commit")
    source = base / "hdsguard-src"
    source.mkdir()
    rev = snapshot(source)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "VIRTUAL_ENV"))}
    env["PRE_COMMIT_HOME"] = str(base / "pre-commit-home")
    env.pop("GITHUB_ACTIONS", None)
    return source, rev, env


@pytest.fixture(scope="module")
def infra(
    tmp_path_factory: pytest.TempPathFactory, hook_source: tuple[Path, str, dict[str, str]]
) -> Iterator[InfraRepo]:
    source, rev, env = hook_source
    root = tmp_path_factory.mktemp("pre-commit-infra") / "infra-repo"
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


# --- issue 12, point 6: the documented snippets gate governance-only commits ----------------


def documented_snippets() -> list[tuple[str, dict[str, Any]]]:
    """Every `.pre-commit-config.yaml` snippet of the README and docs that uses hdsguard."""
    found = []
    for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        text = doc.read_text(encoding="utf-8")
        for block in re.findall(r"```yaml\n(.*?)```", text, re.DOTALL):
            if "hdsguard/hdsguard" in block and "hooks:" in block:
                found.append((doc.name, yaml.safe_load(block)))
    return found


def test_the_docs_show_pre_commit_snippets() -> None:
    assert {name for name, _ in documented_snippets()} >= {"README.md", "ci.md"}


GOVERNANCE_CONFIG = """\
declarations: [infra/]
policies: [policies/]
baseline: .hdsguard-baseline.json
waiver_policy:
  forbidden: [FW-001]
"""

FORBIDDEN_WAIVER = """\
version: 1
waivers:
  - rule: FW-001
    target: firewalls/fw-perimetre-1
    justification: not now
    owner: someone
    approver: someone else
    created: 2026-11-01
    expires: 2026-12-31
"""


@pytest.fixture(scope="module")
def governed(hook_source: tuple[Path, str, dict[str, str]]) -> tuple[Path, dict[str, str]]:
    """The snapshot of this project and the environment (its PRE_COMMIT_HOME) for git commits."""
    source, _rev, env = hook_source
    return source, env


def _governed_repo(root: Path, source: Path, snippet: dict[str, Any], env: dict[str, str]) -> None:
    """An infra repository using ``snippet`` (its hdsguard repo pointed at ``source``, and
    an evaluation date added to the check's args), committed clean."""
    config = json.loads(json.dumps(snippet))
    (repo,) = config["repos"]
    repo["repo"] = str(source)
    repo["rev"] = git(source, "rev-parse", "HEAD")
    for hook in repo["hooks"]:
        if hook["id"] == "hdsguard":
            hook["args"] = ["--as-of", "2026-11-28", *hook.get("args", [])]
    shutil.copytree(REPO / "examples" / "hospital", root / "infra")
    (root / "policies").mkdir()
    (root / "policies" / "ACME-001.yaml").write_text(POLICY, encoding="utf-8")
    (root / ".hdsguard.yaml").write_text(GOVERNANCE_CONFIG, encoding="utf-8")
    (root / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "infra")
    baseline = subprocess.run(
        [sys.executable, "-m", "hdsguard", "baseline", "--as-of", "2026-11-28"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert baseline.returncode == 0, baseline.stderr
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "baseline")
    installed = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"], cwd=root, env=env, capture_output=True
    )
    assert installed.returncode == 0


def _edit(root: Path, name: str, change: Any) -> None:
    path = root / name
    if callable(change):
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        path.write_text(change, encoding="utf-8")


GOVERNANCE_COMMITS: list[tuple[str, str, Any]] = [
    ("a waiver of a forbidden rule", "waivers.yaml", FORBIDDEN_WAIVER),
    (
        "a tighter threshold in the config",
        ".hdsguard.yaml",
        lambda t: t + "params:\n  FW-001: {max_patch_age_days: 1}\n",
    ),
    ("a broken baseline", ".hdsguard-baseline.json", "{not json"),
    (
        "a policy that now fails",
        "policies/ACME-001.yaml",
        POLICY.replace('self.vendor != ""', 'self.vendor == "Nobody"').replace(
            "Stormshield", "Nobody"
        ),
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(documented_snippets())))
def test_a_governance_only_commit_runs_the_documented_hook(
    governed: tuple[Path, dict[str, str]], tmp_path: Path, index: int
) -> None:
    source, env = governed
    doc, snippet = documented_snippets()[index]
    root = tmp_path / "infra-repo"
    _governed_repo(root, source, snippet, env)
    clean = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--color=never"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert clean.returncode == 0, clean.stdout + clean.stderr
    for what, name, change in GOVERNANCE_COMMITS:
        head = git(root, "rev-parse", "HEAD")
        _edit(root, name, change)
        git(root, "add", "-A")
        commit = subprocess.run(
            ["git", *GIT_ID, "commit", "-m", what],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        out = commit.stdout + commit.stderr
        assert commit.returncode != 0, f"{doc}: {what} was committed: {out}"
        assert re.search(r"hdsguard check\.+Failed", out), f"{doc}: {what}: {out}"
        assert git(root, "rev-parse", "HEAD") == head
        git(root, "reset", "-q", "--hard", head)
        git(root, "clean", "-qfd")
