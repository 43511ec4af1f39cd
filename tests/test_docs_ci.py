"""The copy-paste snippets of docs/ci.md work: each one is parsed, validated with the real
tool's schema where one exists here, and its hdsguard command lines are run.

- pre-commit: the config is read by pre-commit's own loader; its hooks exist in
  .pre-commit-hooks.yaml; each hook's entry + args is run (test_precommit.py runs pre-commit
  itself);
- GitHub Actions and GitLab CI: validated against the workflow and .gitlab-ci.yml schemas that
  check-jsonschema ships (from SchemaStore), then every ``hdsguard`` line is run on a copy of
  examples/hospital as ``infra/``, and the files the next steps read (SARIF upload, job summary,
  JUnit report) must have been written and be valid.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pre_commit.clientlib import load_config

from tests.format_samples import FIXTURE
from tests.helpers import AS_OF, REPO, run_cli
from tests.test_outputs import validate
from tests.test_precommit import hooks

DOC = REPO / "docs" / "ci.md"
FORMAT_OF_SUFFIX = {".sarif": "sarif", ".xml": "junit", ".md": "markdown"}


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def snippets() -> dict[str, tuple[str, Any]]:
    """'pre-commit', 'github', 'gitlab', 'github-action' (a workflow that uses action.yml)
    and 'gitlab-include' (the template included) snippets: (text, parsed YAML)."""
    out: dict[str, tuple[str, Any]] = {}
    for text in blocks("yaml"):
        data = yaml.safe_load(text)
        kind = "pre-commit" if "repos" in data else "github" if "jobs" in data else "gitlab"
        if kind == "github" and "uses: hdsguard/hdsguard@" in text:
            kind = "github-action"
        if kind == "gitlab" and "include" in data:
            kind = "gitlab-include"
        out[kind] = (text, data)
    return out


def hdsguard_lines(text: str) -> list[list[str]]:
    """Each ``hdsguard …`` command in a shell script (folded ``>-`` scalars already joined)."""
    return [
        shlex.split(line.strip())
        for line in text.splitlines()
        if line.strip().startswith("hdsguard ")
    ]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(REPO / "examples" / "hospital", tmp_path / "infra")
    shutil.copytree(FIXTURE / "policies", tmp_path / "policies")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def run_hdsguard(argv: list[str], workdir: Path) -> list[Path]:
    """Run one documented command (pinned to the examples' date); return the files it wrote."""
    assert argv[0] == "hdsguard"
    args = argv[1:]
    if args[0] == "check":
        args = [*args, "--as-of", AS_OF]
    result = run_cli(args)
    assert result.exit_code == 0, f"{shlex.join(argv)}\n{result.output}"
    written = [
        workdir / item.split("=", 1)[1] for item in args if "=" in item and not item.startswith("-")
    ]
    for path in written:
        text = path.read_text(encoding="utf-8")
        validate(FORMAT_OF_SUFFIX[path.suffix], text)
    return written


def schema_check(schema: str, text: str, tmp_path: Path) -> None:
    path = tmp_path / "snippet.yml"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_doc_has_the_three_snippets() -> None:
    assert set(snippets()) == {
        "pre-commit",
        "github",
        "gitlab",
        "github-action",
        "gitlab-include",
    }


SHA = re.compile(r"^[0-9a-f]{40}$")


def test_every_pinned_version_is_a_full_commit_sha() -> None:
    """No release tag exists yet (docs/install.md): a `rev`, `ref` or `@` pin is a full sha."""
    text = DOC.read_text(encoding="utf-8")
    pins = re.findall(r"(?:rev|ref|HDSGUARD_REF): (\S+)|hdsguard/hdsguard@(\S+)", text)
    values = [a or b for a, b in pins if (a or b) != '${HDSGUARD_REF}"']
    assert len(values) >= 5
    assert all(SHA.match(v) for v in values), values
    assert "pip install hdsguard\n" not in text


def test_action_snippet_uses_the_action_inputs(tmp_path: Path) -> None:
    text, workflow = snippets()["github-action"]
    schema_check("vendor.github-workflows", text, tmp_path)
    (job,) = workflow["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    used = next(s for s in job["steps"] if s.get("uses", "").startswith("hdsguard/hdsguard@"))
    inputs = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))["inputs"]
    assert set(used["with"]) <= set(inputs)


def test_gitlab_include_snippet_names_the_template(tmp_path: Path) -> None:
    text, pipeline = snippets()["gitlab-include"]
    schema_check("vendor.gitlab-ci", text, tmp_path)
    (include,) = pipeline["include"]
    assert (REPO / include["file"]).is_file()
    template = yaml.safe_load((REPO / include["file"]).read_text(encoding="utf-8"))
    assert set(pipeline["variables"]) <= set(template["variables"])


def test_pre_commit_snippet(workdir: Path) -> None:
    text, _ = snippets()["pre-commit"]
    (workdir / ".pre-commit-config.yaml").write_text(text, encoding="utf-8")
    config = load_config(str(workdir / ".pre-commit-config.yaml"))
    published = hooks()
    for repo in config["repos"]:
        assert repo["repo"] == "https://github.com/hdsguard/hdsguard"
        for hook in repo["hooks"]:
            assert hook["id"] in published
            argv = shlex.split(published[hook["id"]]["entry"]) + hook["args"]
            run_hdsguard(argv, workdir)


def test_github_actions_snippet(workdir: Path, tmp_path: Path) -> None:
    text, workflow = snippets()["github"]
    schema_check("vendor.github-workflows", text, tmp_path)
    (job,) = workflow["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    steps = job["steps"]
    written: list[Path] = []
    for step in steps:
        for argv in hdsguard_lines(step.get("run", "")):
            written += run_hdsguard(argv, workdir)
    names = {path.name for path in written}
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload"))
    assert upload["with"]["sarif_file"] in names
    assert upload["if"] == "always()"
    summary = next(s for s in steps if "GITHUB_STEP_SUMMARY" in s.get("run", ""))
    assert shlex.split(summary["run"])[1] in names
    assert "--format github" in text


def test_gitlab_ci_snippet(workdir: Path, tmp_path: Path) -> None:
    text, pipeline = snippets()["gitlab"]
    schema_check("vendor.gitlab-ci", text, tmp_path)
    (job,) = pipeline.values()
    written: list[Path] = []
    for line in job["script"]:
        for argv in hdsguard_lines(line):
            written += run_hdsguard(argv, workdir)
    names = {path.name for path in written}
    assert job["artifacts"]["reports"]["junit"] in names
    assert job["artifacts"]["when"] == "always"
    assert set(job["artifacts"]["paths"]) <= names


def test_shell_examples(workdir: Path) -> None:
    for text in blocks("sh"):
        for argv in hdsguard_lines(text):
            run_hdsguard(argv, workdir)
