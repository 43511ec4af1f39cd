"""Progress on standard error: on a terminal only (a real pty), never in pipes or CI logs."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys

import pytest

from tests.helpers import AS_OF, REPO

ARGS = [sys.executable, "-m", "hdsguard", "check", "examples/hospital", "--as-of", AS_OF]


def run_with_tty_stderr(env: dict[str, str]) -> tuple[int, bytes, bytes]:
    """Run hdsguard with stderr on a new pty and stdout on a pipe; what each received."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        ARGS, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=follower, stdin=subprocess.DEVNULL
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the pty
            break
        if not chunk:
            break
        seen += chunk
    stdout = proc.stdout.read() if proc.stdout else b""
    code = proc.wait(timeout=120)
    os.close(leader)
    return code, stdout, seen


@pytest.fixture
def env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("CI", "HDSGUARD_NO_PROGRESS")}
    clean.pop("GITHUB_ACTIONS", None)
    return clean


def test_a_terminal_sees_each_stage_then_a_clean_line(env: dict[str, str]) -> None:
    code, stdout, seen = run_with_tty_stderr(env)
    assert code == 0
    assert seen.startswith(b"\r\x1b[Khdsguard: loading policies\xe2\x80\xa6")
    text = seen.decode()
    files = len(list((REPO / "examples" / "hospital").glob("*.yaml")))
    assert f"\r\x1b[Khdsguard: reading {files} declaration files…" in text
    assert re.search("\r\x1b\\[Khdsguard: evaluating [0-9]+ rules on [0-9]+ targets…", text)
    assert text.endswith("\r\x1b[K")  # erased: nothing stays on screen
    assert stdout.decode().startswith(f"hdsguard {AS_OF}: ")  # the report itself is untouched


@pytest.mark.parametrize("variable", ["CI", "HDSGUARD_NO_PROGRESS"])
def test_never_in_ci_or_when_turned_off(env: dict[str, str], variable: str) -> None:
    code, _, seen = run_with_tty_stderr({**env, variable: "1"})
    assert code == 0
    assert seen == b""


def test_never_in_a_pipe(env: dict[str, str]) -> None:
    done = subprocess.run(ARGS, cwd=REPO, env=env, capture_output=True)
    assert done.returncode == 0
    assert done.stderr == b""
