"""The hdsguard process leaves through os._exit (cli.run): exit codes, output on the standard
streams and in files, and a reader that goes away, all as a normal exit would leave them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import AS_OF, REPO, write

sys.path.insert(0, str(REPO / "bench"))
from generate import generate

HOSPITAL = str(REPO / "examples" / "hospital")  # every rule passes
LAB = str(REPO / "examples" / "lab-group")  # rules fail


def hdsguard(*args: str, cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, HDSGUARD_CACHE_DIR=str(cwd / "cache"))
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "hdsguard", *args], cwd=cwd, env=env, check=False, **kwargs
    )


def test_exit_codes_and_complete_output(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    done = hdsguard(
        "check", LAB, "--as-of", AS_OF, "--format", "text", "--format", f"json={report}",
        cwd=tmp_path, capture_output=True,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    lines = done.stdout.decode().splitlines()
    assert lines and any(line.startswith("FAIL ") for line in lines)
    assert "fail" in lines[-1]  # the summary, last: nothing left in a buffer
    assert json.loads(report.read_text("utf-8"))["findings"]
    assert done.stderr == b""

    passing = hdsguard("check", HOSPITAL, "--as-of", AS_OF, cwd=tmp_path, capture_output=True)
    assert passing.returncode == 0, passing.stderr
    assert b" 0 fail" in passing.stdout

    for args in (["--version"], ["--help"]):
        shown = hdsguard(*args, cwd=tmp_path, capture_output=True)
        assert shown.returncode == 0 and shown.stdout


def test_invalid_input_exits_2_with_located_messages(tmp_path: Path) -> None:
    bad = write(tmp_path / "decl", {"systems.yaml": "systems:\n  - id: [unclosed\n"})
    done = hdsguard("check", str(bad), "--as-of", AS_OF, cwd=tmp_path, capture_output=True)
    assert done.returncode == 2
    err = done.stderr.decode()
    assert "systems.yaml:" in err and "Traceback" not in err
    usage = hdsguard("check", "--no-such-option", cwd=tmp_path, capture_output=True)
    assert usage.returncode == 2 and b"No such option" in usage.stderr


def test_a_reader_that_goes_away_changes_nothing_else(tmp_path: Path) -> None:
    generate(300, tmp_path / "estate")
    env = dict(os.environ, HDSGUARD_CACHE_DIR=str(tmp_path / "cache"))
    command = [sys.executable, "-m", "hdsguard", "check", str(tmp_path / "estate")]
    proc = subprocess.Popen(  # well over a pipe's buffer: the writer meets a closed pipe
        [*command, "--as-of", AS_OF, "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()  # `| head -c 10`
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 1
    assert b"Traceback" not in err and b"Exception ignored" not in err
