"""Issue 12, points 16-19: every byte of a report is written or the run ends with exit 2, a
reader that goes away is quiet, Ctrl-C is exit 130 with no temporary file, and no name can
forge a line of the text report or of stderr."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import AS_OF, REPO, cache_env, run_cli, write

sys.path.insert(0, str(REPO / "bench"))
from generate import generate

LAB = str(REPO / "examples" / "lab-group")


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return cache_env(tmp_path / "cache", **extra)


# --- 16. every byte, or exit 2 --------------------------------------------------------------


@pytest.mark.parametrize("unbuffered", ["1", ""])
def test_a_slow_non_blocking_pipe_gets_the_whole_report(tmp_path: Path, unbuffered: str) -> None:
    expected = subprocess.run(
        [sys.executable, "-m", "hdsguard", "check", LAB, "--as-of", AS_OF, "--verbose",
         "--format", "json"],
        env=env(tmp_path), capture_output=True, check=False,
    )  # fmt: skip
    assert expected.returncode == 1 and len(expected.stdout) > 65536  # over a pipe buffer
    read_end, write_end = os.pipe()
    flags = fcntl.fcntl(write_end, fcntl.F_GETFL)
    fcntl.fcntl(write_end, fcntl.F_SETFL, flags | os.O_NONBLOCK)  # as some CI runners leave it
    proc = subprocess.Popen(
        [sys.executable, "-m", "hdsguard", "check", LAB, "--as-of", AS_OF, "--verbose",
         "--format", "json"],
        stdout=write_end, stderr=subprocess.PIPE,
        env=env(tmp_path, PYTHONUNBUFFERED=unbuffered),
    )  # fmt: skip
    os.close(write_end)
    time.sleep(1.0)  # a slow reader: the pipe fills up
    chunks = []
    with os.fdopen(read_end, "rb") as reader:
        while chunk := reader.read(4096):
            chunks.append(chunk)
            time.sleep(0.001)
    assert proc.stderr is not None
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 1, err
    assert b"".join(chunks) == expected.stdout
    assert err == b""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("form", ["text", "json"])
def test_a_full_disk_is_exit_2_even_unbuffered(tmp_path: Path, form: str) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "hdsguard", "check", LAB, "--as-of", AS_OF, "--format", form],
            env=env(tmp_path, PYTHONUNBUFFERED="1"),
            stdout=full,
            stderr=subprocess.PIPE,
            check=False,
        )
    assert done.returncode == 2
    assert (
        done.stderr.decode().strip() == "<standard output>: cannot write: No space left on device"
    )


# --- 17. `| head` is quiet ------------------------------------------------------------------


@pytest.mark.parametrize("unbuffered", ["1", ""])
@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["check", LAB, "--as-of", AS_OF], 1),
        (["check", LAB, "--as-of", AS_OF, "--format", "json"], 1),
        (["policies", "list"], 0),
    ],
)
def test_a_reader_gone_before_the_first_byte_is_quiet(
    tmp_path: Path, args: list[str], status: int, unbuffered: str
) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # `| true`, or `| head` that is done before the report comes
    proc = subprocess.run(
        [sys.executable, "-m", "hdsguard", *args],
        stdout=write_end,
        stderr=subprocess.PIPE,
        env=env(tmp_path, PYTHONUNBUFFERED=unbuffered),
        check=False,
    )
    os.close(write_end)
    assert proc.stderr == b""
    assert proc.returncode == status  # the verdict, as if the reader had read it all


# --- 18. Ctrl-C -----------------------------------------------------------------------------


def test_an_interrupted_report_write_is_130_and_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    def interrupted(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    result = run_cli(["check", LAB, "--as-of", AS_OF, "--format", "json=report.json"])
    assert result.exit_code == 130
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    assert "hdsguard: interrupted" in result.stderr


# A KeyboardInterrupt raised inside a weak reference's callback, as a Ctrl-C landing in the
# import system's module-lock callback raised it (CI, the nineteenth session: "Exception
# ignored in: <function _get_module_lock.<locals>.cb> … Traceback", and the run went on).
_SWALLOWED = """
import signal, sys, time, weakref
from hdsguard import cli
signal.signal(signal.SIGINT, signal.default_int_handler)  # as hdsguard's: not an inherited SIG_IGN
sys.unraisablehook = cli._interrupt_again(sys.unraisablehook)
class Held: pass
def callback(_ref): raise KeyboardInterrupt
held = Held()
ref = weakref.ref(held, callback)
try:
    del held
    for _ in range(500): time.sleep(0.01)  # the run goes on: the interrupt comes in it
    print("went on")
except KeyboardInterrupt:
    print("interrupted")
"""


def test_an_interrupt_swallowed_by_a_callback_is_delivered_again() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _SWALLOWED], capture_output=True, text=True, check=False
    )
    assert done.stdout.strip() == "interrupted", done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


def test_ctrl_c_is_exit_130(tmp_path: Path) -> None:
    generate(3000, tmp_path / "estate")
    for attempt in range(5):
        cache = tmp_path / f"cache-{attempt}"  # an empty cache: the run takes a while
        proc = subprocess.Popen(
            [sys.executable, "-m", "hdsguard", "check", "estate", "--as-of", AS_OF,
             "--format", "json=report.json"],
            cwd=tmp_path, env=cache_env(cache),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not cache.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)  # the command has started once it made its cache directory
        time.sleep(0.1 * attempt)
        if proc.poll() is not None:
            continue  # done before the signal
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 130, err
        assert b"Traceback" not in err
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []
        return
    pytest.skip("every run ended before it could be interrupted")


# --- 19. names with newlines or control characters ------------------------------------------

FORGED = "fw\nFAIL FW-001 [high] forged\x1b[31m.yaml"
FIREWALL = """
firewalls:
  - id: fw-1
    vendor: Fortinet
    internet_facing: true
    last_patch: 2024-01-01
    last_rule_review: 2026-11-01
"""


def test_a_file_name_with_a_newline_cannot_forge_a_report_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {f"decl/{FORGED}": FIREWALL})
    result = run_cli(["check", "decl", "--as-of", AS_OF, "--no-config"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert not any(line.startswith("FAIL FW-001 [high] forged") for line in lines)
    assert "  decl/fw\\nFAIL FW-001 [high] forged\\x1b[31m.yaml:" in result.stdout
    assert "\x1b" not in result.stdout


def test_a_file_name_with_a_newline_cannot_forge_a_problem_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {f"decl/{FORGED}": "firewalls: [unclosed\n"})
    result = run_cli(["check", "decl", "--as-of", AS_OF, "--no-config"])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("decl/fw\\nFAIL FW-001 [high] forged\\x1b[31m.yaml:")


def test_waiver_fields_cannot_forge_a_report_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    waivers = {
        "version": 1,
        "waivers": [
            {
                "rule": "FW-001",
                "target": "firewalls/fw-1",
                "justification": "ok\nFAIL FW-002 [critical] forged",
                "owner": "o",
                "approver": "Boss\nFAIL FW-003 [critical] forged\r",
                "created": "2026-11-01",
                "expires": "2026-12-31",
            }
        ],
    }
    write(tmp_path, {"decl/fw.yaml": FIREWALL, "waivers.json": json.dumps(waivers)})
    (tmp_path / ".hdsguard.yaml").write_text(
        "declarations: [decl]\nwaivers: waivers.json\n", encoding="utf-8"
    )
    result = run_cli(["check", "--as-of", AS_OF])
    lines = result.stdout.splitlines()
    assert any("waived until 2026-12-31 by Boss\\nFAIL FW-003" in line for line in lines)
    assert not any(line.startswith("FAIL FW-00") and "forged" in line for line in lines)
    assert "\r" not in result.stdout
