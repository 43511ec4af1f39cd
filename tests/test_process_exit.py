"""The hdsguard process leaves through os._exit (cli.run): exit codes, output on the standard
streams and in files, and a reader that goes away, all as a normal exit would leave them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import AS_OF, REPO, cache_env, write

sys.path.insert(0, str(REPO / "bench"))
from generate import generate

HOSPITAL = str(REPO / "examples" / "hospital")  # every rule passes
LAB = str(REPO / "examples" / "lab-group")  # rules fail


def hdsguard(*args: str, cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    env = cache_env(cwd / "cache")
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
    env = cache_env(tmp_path / "cache")
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
    assert b"internal error" not in err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("example", [LAB, HOSPITAL])
def test_a_full_disk_is_an_error_not_a_silent_loss(example: str, tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        done = hdsguard(
            "check", example, "--as-of", AS_OF, cwd=tmp_path, stdout=full, stderr=subprocess.PIPE
        )
    assert done.returncode == 2  # not 0 or 1: the report was not written
    assert done.stderr.decode().strip() == (
        "<standard output>: cannot write: No space left on device"
    )


class _Exited(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


class _Stdout:
    def __init__(self, error: OSError) -> None:
        self.error = error

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        raise self.error


@pytest.mark.parametrize(
    ("error", "main_status", "status", "told"),
    [
        (OSError(28, "No space left on device"), 1, 2, True),
        (OSError(28, "No space left on device"), 2, 2, False),  # told already
        (BrokenPipeError(32, "Broken pipe"), 1, 1, False),
    ],
)
def test_the_last_flush_is_checked(
    error: OSError,
    main_status: int,
    status: int,
    told: bool,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from hdsguard import cli

    def main(**kwargs: object) -> None:
        raise SystemExit(main_status)

    def exit_(code: int) -> None:
        raise _Exited(code)

    monkeypatch.setattr(cli, "main", main)
    monkeypatch.setattr(os, "_exit", exit_)
    monkeypatch.setattr(sys, "stdout", _Stdout(error))
    with pytest.raises(_Exited) as exited:
        cli.run()
    assert exited.value.status == status
    message = "<standard output>: cannot write: No space left on device"
    assert (message in capsys.readouterr().err) == told


def test_a_closed_standard_output_is_an_error_not_a_crash(tmp_path: Path) -> None:
    """Started with standard output closed (`hdsguard check >&-`): the report cannot be
    written, which must not pass; a report written to a file is fine."""

    def close_stdout() -> None:
        os.close(1)

    report = tmp_path / "report.json"
    for extra, status in (([], 2), (["--format", f"json={report}"], 1)):
        done = hdsguard(
            "check", LAB, "--as-of", AS_OF, *extra, cwd=tmp_path, stderr=subprocess.PIPE,
            preexec_fn=close_stdout,
        )  # fmt: skip
        err = done.stderr.decode()
        assert done.returncode == status, err
        assert "Traceback" not in err and "internal error" not in err
    assert err == ""
    assert json.loads(report.read_text("utf-8"))["findings"]
    assert "<standard output>: cannot write: it is closed" in hdsguard(
        "check", LAB, "--as-of", AS_OF, cwd=tmp_path, stderr=subprocess.PIPE,
        preexec_fn=close_stdout,
    ).stderr.decode()  # fmt: skip


_KEPT = """
import os, sys, weakref
from hdsguard import api, cli
made = []
check = api.check
def kept(*args, **kwargs):
    report = check(*args, **kwargs)
    made.append(weakref.ref(report))
    return report
api.check = kept
leave = os._exit
def out(code):
    sys.stderr.write(f"report alive at exit: {made[0]() is not None}\\n")
    sys.stderr.flush()
    leave(code)
os._exit = out
sys.argv = ["hdsguard", *sys.argv[1:]]
cli.run()
"""


def test_the_report_is_kept_until_the_process_leaves(tmp_path: Path) -> None:
    """Freeing the report when the command's frame unwinds only costs time before os._exit:
    it is kept, and the exit code and output are those of the run; called as a library
    function (tests, CliRunner), the command keeps nothing."""
    env = cache_env(tmp_path / "cache")
    argv = ["check", LAB, "--as-of", AS_OF, "--format", "json"]
    done = subprocess.run(
        [sys.executable, "-c", _KEPT, *argv], cwd=tmp_path, env=env, capture_output=True
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr == b"report alive at exit: True\n"
    plain = hdsguard(*argv, cwd=tmp_path, capture_output=True)
    assert (plain.returncode, plain.stdout) == (1, done.stdout)

    from hdsguard import cli
    from tests.helpers import run_cli

    assert run_cli(argv).exit_code == 1
    assert cli._until_exit is None
