"""The GitHub Action (action.yml), the GitLab CI template and the Dockerfile: validated
against their schemas where one exists, and their scripts run as CI would run them.

The action's steps and the template's script are real bash run on a copy of an example: the
`hdsguard check` step must write the SARIF file the upload step reads and the job summary,
record the exit code, and the gate step must end with it. Installing (pip from the action's
own directory, or from git in GitLab) is not repeated here: the test environment has hdsguard
installed, and tests/test_precommit.py installs it from a commit with pip already.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import AS_OF, REPO
from tests.test_docs_ci import schema_check
from tests.test_outputs import validate

ACTION = REPO / "action.yml"
GITLAB = REPO / "ci" / "gitlab" / "hdsguard.gitlab-ci.yml"
DOCKERFILE = REPO / "Dockerfile"


def action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return data


def step(name: str) -> dict[str, Any]:
    steps: list[dict[str, Any]] = action()["runs"]["steps"]
    return next(s for s in steps if s.get("name") == name or s.get("id") == name)


def bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    assert "${{" not in script, "inputs reach scripts through env, never by substitution"
    full = {**os.environ, **env}
    full["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{full['PATH']}"
    full.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        ["bash", "-e", "-c", script], cwd=cwd, env=full, capture_output=True, text=True
    )


@pytest.fixture
def infra(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "examples" / "lab-group", tmp_path / "infra")
    return tmp_path


def test_action_is_valid(tmp_path: Path) -> None:
    schema_check("vendor.github-actions", ACTION.read_text(encoding="utf-8"), tmp_path)
    assert action()["runs"]["using"] == "composite"


def test_action_installs_itself_from_its_own_checkout() -> None:
    install = step("Install hdsguard")
    assert install["env"]["HDSGUARD_SOURCE"] == "${{ github.action_path }}"
    assert '"$HDSGUARD_SOURCE"' in install["run"]


@pytest.mark.parametrize(("example", "code"), [("lab-group", "1"), ("hospital", "0")])
def test_action_checks_annotates_summarises_and_gates(
    tmp_path: Path, example: str, code: str
) -> None:
    shutil.copytree(REPO / "examples" / example, tmp_path / "infra")
    output, summary = tmp_path / "output.txt", tmp_path / "summary.md"
    env = {
        "HDSGUARD_PATHS": "infra/",
        "HDSGUARD_ARGS": f"--as-of {AS_OF}",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    check = bash(step("check")["run"], tmp_path, env)
    assert check.returncode == 0, check.stderr  # the gate is a later step: SARIF uploads first
    assert output.read_text() == f"exit-code={code}\n"
    assert check.stdout.splitlines()[-1].startswith(f"hdsguard {AS_OF}: ")
    if code == "1":
        assert check.stdout.startswith("::error file=infra/")  # annotations
    sarif = tmp_path / step("Upload to code scanning")["with"]["sarif_file"]
    validate("sarif", sarif.read_text(encoding="utf-8"))
    assert summary.read_text(encoding="utf-8").startswith("### hdsguard: ")
    gate = bash(step("Gate")["run"], tmp_path, {"HDSGUARD_EXIT": code})
    assert gate.returncode == int(code)


def test_action_passes_paths_and_args_as_lists(infra: Path) -> None:
    env = {
        "HDSGUARD_PATHS": "infra/firewalls.yaml infra/organisation.yaml",
        "HDSGUARD_ARGS": f"--as-of {AS_OF} --fail-on critical",
        "GITHUB_OUTPUT": str(infra / "o"),
        "GITHUB_STEP_SUMMARY": str(infra / "s"),
    }
    assert bash(step("check")["run"], infra, env).returncode == 0
    assert (infra / "o").read_text() in ("exit-code=0\n", "exit-code=1\n")


def test_gitlab_template_is_valid_and_its_script_runs(infra: Path) -> None:
    text = GITLAB.read_text(encoding="utf-8")
    schema_check("vendor.gitlab-ci", text, infra)
    template = yaml.safe_load(text)
    job = template[".hdsguard"]
    assert template["hdsguard"]["extends"] == ".hdsguard"
    assert any("pip install" in line and "${HDSGUARD_REF}" in line for line in job["before_script"])
    env = {"HDSGUARD_PATHS": "infra/", "HDSGUARD_ARGS": f"--as-of {AS_OF}"}
    for line in job["script"]:
        done = bash(line, infra, env)
        assert done.returncode == 1, done.stderr  # the lab group fails: the job fails
    validate("junit", (infra / job["artifacts"]["reports"]["junit"]).read_text(encoding="utf-8"))
    for name in job["artifacts"]["paths"]:
        assert (infra / name).is_file()


def test_dockerfile_copies_what_exists() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("COPY ") and "--from" not in line:
            for source in line.split()[1:-1]:
                assert (REPO / source).exists(), source
    assert 'ENTRYPOINT ["hdsguard"]' in text


def _docker_reason() -> str | None:
    if shutil.which("docker") is None:
        return "no docker client on this machine"
    if subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        return "no Docker daemon running here (docker info fails)"
    base = re.search(r"^FROM (\S+)", DOCKERFILE.read_text(encoding="utf-8"), re.M)
    assert base is not None
    image = subprocess.run(["docker", "image", "inspect", base[1]], capture_output=True)
    if image.returncode != 0:
        return f"base image {base[1]} not present and no registry reachable to pull it"
    return None


def test_docker_image_builds_and_checks() -> None:
    reason = _docker_reason()
    if reason is not None:
        pytest.skip(reason)
    tag = "hdsguard-test:latest"
    build = subprocess.run(["docker", "build", "-t", tag, str(REPO)], capture_output=True)
    assert build.returncode == 0, build.stderr.decode()
    hospital = REPO / "examples" / "hospital"
    run = subprocess.run(
        ["docker", "run", "--rm", "-v", f"{hospital}:/work:ro", tag, "check", "--as-of", AS_OF],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
