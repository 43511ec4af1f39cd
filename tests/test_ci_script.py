"""CI proves the README's test command: .ci/run runs it (with what CI adds: --durations)."""

from __future__ import annotations

import re
import shlex

from tests.helpers import REPO


def pytest_args(line: str) -> list[str]:
    words = shlex.split(line)
    return words[words.index(".venv/bin/pytest") + 1 :]


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    (command,) = re.findall(r"^python3 -m venv \.venv && .*pytest.*$", readme, re.MULTILINE)
    documented = pytest_args(command.split("&&")[-1])
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    (run,) = re.findall(r"^\.venv/bin/pytest\b.*$", script, re.MULTILINE)
    ran = pytest_args(run)
    assert ran[: len(documented)] == documented
    assert all(arg.startswith("--durations") for arg in ran[len(documented) :])
    assert "-n" in documented  # the suite runs on every CPU,
    assert documented[documented.index("--dist") + 1] == "loadgroup"  # xdist_group kept
