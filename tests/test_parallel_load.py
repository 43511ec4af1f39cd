"""Declaration files parsed in helper processes (declarations/parallel.py) give exactly what a
serial run gives: the same sources, positions, problems, cache entries and report; a helper
that dies or sends garbage changes nothing but speed; HDSGUARD_JOBS=1 and small sets never
fork; an interrupted parent leaves no helper behind."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from hdsguard import forkjobs
from hdsguard.declarations import load, parallel
from hdsguard.declarations.cache import SUBDIR, DeclarationCache
from hdsguard.declarations.merge import DeclarationSet
from hdsguard.declarations.yamlsource import flatten
from hdsguard.errors import InputError, Problem
from tests.helpers import AS_OF, REPO, forbid_forks, record_forks, run_cli, text_of

sys.path.insert(0, str(REPO / "bench"))
from generate import generate

OBJECTS = 600  # 8 files, 280 KiB: a few of them per process once the threshold is lowered


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Forking made worth it for small sets; the pid of every helper started, in order."""
    monkeypatch.setattr(parallel, "MIN_BYTES_PER_JOB", 1)
    monkeypatch.setattr(forkjobs, "usable_cpus", lambda: 2)
    monkeypatch.delenv("HDSGUARD_NO_CACHE", raising=False)
    monkeypatch.delenv(parallel.ENV_JOBS, raising=False)
    return record_forks(monkeypatch)


@pytest.fixture
def parsed_here(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The displayed path of every file the parent process itself parsed."""
    calls: list[str] = []
    real = load._parse_one
    parent = os.getpid()

    def counting(raw: bytes, display: str) -> parallel.Outcome:
        if os.getpid() == parent:
            calls.append(display)
        return real(raw, display)

    monkeypatch.setattr(load, "_parse_one", counting)
    return calls


def loaded(
    target: str, jobs: str, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> DeclarationSet | InputError:
    with monkeypatch.context() as m:
        m.setenv(parallel.ENV_JOBS, jobs)
        m.setenv("HDSGUARD_CACHE_DIR", str(cache))
        try:
            return load.load_declarations([target])
        except InputError as exc:
            return exc


def assert_same_set(got: DeclarationSet | InputError, want: DeclarationSet | InputError) -> None:
    assert isinstance(got, DeclarationSet) and isinstance(want, DeclarationSet)
    assert [s.path for s in got.sources] == [s.path for s in want.sources]
    for a, b in zip(got.sources, want.sources, strict=True):
        assert repr(a.data) == repr(b.data)  # types and key order too
        assert a.positions == b.positions
        assert list(flatten(a.positions)) == list(flatten(b.positions))
        assert text_of(a) == text_of(b)  # from a helper, a JSON file keeps its bytes
        assert a.nulls == b.nulls
    assert got.digests == want.digests


def cache_entries(cache: Path) -> dict[str, bytes]:
    folder = cache / SUBDIR
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.marshal"))}


@pytest.mark.parametrize("as_json", [False, True], ids=["yaml", "json"])
def test_parallel_load_equals_serial(
    as_json: bool,
    tmp_path: Path,
    forks: list[int],
    parsed_here: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    files = generate(OBJECTS, tmp_path / "decl", as_json=as_json)
    serial = loaded("decl", "1", tmp_path / "serial", monkeypatch)
    assert forks == []
    assert len(parsed_here) == len(files)
    parsed_here.clear()
    both = loaded("decl", "2", tmp_path / "parallel", monkeypatch)
    assert len(forks) == 1
    assert 0 < len(parsed_here) < len(files)  # the helper parsed the others
    assert_same_set(both, serial)
    # The entries a helper wrote are those a serial run writes, byte for byte.
    assert cache_entries(tmp_path / "parallel") == cache_entries(tmp_path / "serial")
    assert len(cache_entries(tmp_path / "serial")) == len(files)
    # And they are found again: a warm run parses nothing and gives the same set.
    parsed_here.clear()
    assert_same_set(loaded("decl", "2", tmp_path / "parallel", monkeypatch), serial)
    assert parsed_here == []
    assert len(forks) == 1


def test_parallel_without_cache_equals_serial(
    tmp_path: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    generate(OBJECTS, tmp_path / "decl")
    monkeypatch.setenv("HDSGUARD_NO_CACHE", "1")
    serial = loaded("decl", "1", tmp_path / "c", monkeypatch)
    both = loaded("decl", "2", tmp_path / "c", monkeypatch)
    assert forks
    assert_same_set(both, serial)
    assert both.digests == {}  # type: ignore[union-attr]
    assert not (tmp_path / "c").exists()


def report(
    args: Sequence[str], jobs: str, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    monkeypatch.setenv(parallel.ENV_JOBS, jobs)
    monkeypatch.setenv("HDSGUARD_CACHE_DIR", str(cache))
    result = run_cli(["check", *args, "--no-config", "--as-of", AS_OF])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("as_json", [False, True], ids=["yaml", "json"])
def test_cli_output_is_identical(
    as_json: bool, tmp_path: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    generate(OBJECTS, tmp_path / "decl", as_json=as_json)
    args = ["decl", "--format", "json"]
    serial = report(args, "1", tmp_path / "serial", monkeypatch)
    assert forks == []
    both = report(args, "2", tmp_path / "parallel", monkeypatch)
    assert forks
    assert serial[0] == 1 and '"findings"' in serial[1]  # the set has defects to report
    assert both == serial


BROKEN = {
    # Syntax, model, version and encoding problems, spread over every file of the set.
    0: lambda text: text + "\nsystems: [\n",
    1: lambda text: text.replace("version: 1", "version: 2", 1),
    2: lambda text: text + "\nsytems: []\n",
    3: lambda text: "",
    5: lambda text: text.replace("id:", "id: [1, 2]\n    name2:", 1),
}


def break_files(files: list[Path]) -> list[Path]:
    broken = []
    for number, path in enumerate(files):
        edit = BROKEN.get(number % 6)
        if edit is not None:
            path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
            broken.append(path)
    with files[-1].open("ab") as handle:
        handle.write(b"\n# caf\xe9\n")  # not UTF-8
    return sorted({*broken, files[-1]})


def test_problems_found_by_a_helper_are_reported_as_serial(
    tmp_path: Path, forks: list[int], parsed_here: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    files = generate(OBJECTS, tmp_path / "decl")
    broken = break_files(files)
    serial = loaded("decl", "1", tmp_path / "serial", monkeypatch)
    parsed_here.clear()
    both = loaded("decl", "2", tmp_path / "parallel", monkeypatch)
    assert forks
    assert isinstance(serial, InputError) and isinstance(both, InputError)
    assert both.problems == serial.problems
    assert str(both) == str(serial)
    helper_files = {f"decl/{p.relative_to(tmp_path / 'decl').as_posix()}" for p in files}
    helper_files -= set(parsed_here)
    reported = {p.file for p in serial.problems}
    assert helper_files & reported  # some problems came from the helper's share
    assert reported == {f"decl/{p.relative_to(tmp_path / 'decl').as_posix()}" for p in broken}
    # Files with problems are never cached, whoever parsed them.
    assert cache_entries(tmp_path / "parallel") == cache_entries(tmp_path / "serial")
    assert len(cache_entries(tmp_path / "serial")) == len(files) - len(reported)


def test_problems_through_the_cli_are_identical(
    tmp_path: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    break_files(generate(OBJECTS, tmp_path / "decl"))
    serial = report(["decl"], "1", tmp_path / "serial", monkeypatch)
    both = report(["decl"], "2", tmp_path / "parallel", monkeypatch)
    assert forks
    assert serial[0] == 2 and "decl/" in serial[2]
    assert both == serial


def _exit_3(*args: Any) -> None:
    os._exit(3)


def _garbage(
    files: Sequence[parallel.Pending],
    parse_one: parallel.ParseOne,
    cache: DeclarationCache | None,
    send: Callable[[bytes], None],
) -> None:
    send(b"\x00\x00\x00\x00\x00\x00\x00\x05\xffjunk and more junk")


def _frames_garbled(
    files: Sequence[parallel.Pending],
    parse_one: parallel.ParseOne,
    cache: DeclarationCache | None,
    send: Callable[[bytes], None],
) -> None:
    """Results damaged in transit, after framing: one flipped bit in each. (In the helper:
    the patch never reaches the parent.)"""
    real = forkjobs.frame

    def damaged(result: bytes) -> bytes:
        framed = real(result)
        return framed[:-20] + bytes([framed[-20] ^ 1]) + framed[-19:]

    forkjobs.frame = damaged  # type: ignore[assignment]
    REAL_WORK(files, parse_one, cache, send)


def _truncated(
    files: Sequence[parallel.Pending],
    parse_one: parallel.ParseOne,
    cache: DeclarationCache | None,
    send: Callable[[bytes], None],
) -> None:
    """All results but the last, and half of that one; then a normal exit."""
    frames: list[bytes] = []
    REAL_WORK(files, parse_one, cache, frames.append)
    for frame in frames[:-1]:
        send(frame)
    send(frames[-1][: len(frames[-1]) // 2])


def _parse_fails(
    files: Sequence[parallel.Pending],
    parse_one: parallel.ParseOne,
    cache: DeclarationCache | None,
    send: Callable[[bytes], None],
) -> None:
    def failing(raw: bytes, display: str) -> parallel.Outcome:
        raise RuntimeError("only in the helper")

    REAL_WORK(files, failing, cache, send)


REAL_WORK = parallel.work


@pytest.mark.parametrize(
    "work", [_exit_3, _garbage, _frames_garbled, _truncated, _parse_fails], ids=lambda f: f.__name__
)
@pytest.mark.parametrize("broken", [False, True], ids=["valid", "broken"])
def test_a_failing_helper_changes_nothing(
    work: Callable[..., None],
    broken: bool,
    tmp_path: Path,
    forks: list[int],
    parsed_here: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    files = generate(OBJECTS, tmp_path / "decl")
    if broken:
        break_files(files)
    serial = loaded("decl", "1", tmp_path / "serial", monkeypatch)
    parsed_here.clear()
    monkeypatch.setattr(parallel, "work", work)
    both = loaded("decl", "2", tmp_path / "parallel", monkeypatch)
    assert forks
    if isinstance(serial, InputError):
        assert isinstance(both, InputError) and both.problems == serial.problems
    else:
        assert_same_set(both, serial)
    if work is not _truncated:
        assert sorted(parsed_here) == sorted(set(parsed_here))
        assert len(parsed_here) == len(files)  # the parent parsed the helper's files itself
    else:
        assert len(files) - len(parsed_here) >= 1  # what arrived whole was used
    assert cache_entries(tmp_path / "parallel") == cache_entries(tmp_path / "serial")


def test_jobs_1_never_forks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    generate(OBJECTS, tmp_path / "decl")
    monkeypatch.setattr(parallel, "MIN_BYTES_PER_JOB", 1)
    monkeypatch.setattr(forkjobs, "usable_cpus", lambda: 4)

    forbid_forks(monkeypatch)
    result = loaded("decl", "1", tmp_path / "c", monkeypatch)
    assert isinstance(result, DeclarationSet) and result.sources
    with pytest.raises(AssertionError, match="forked"):
        loaded("decl", "2", tmp_path / "other", monkeypatch)


def test_small_sets_never_fork(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The examples (what the start-up gate measures) are far under the threshold."""
    monkeypatch.setattr(forkjobs, "usable_cpus", lambda: 8)
    monkeypatch.delenv(parallel.ENV_JOBS, raising=False)

    forbid_forks(monkeypatch)
    for example in ("hospital", "lab-group", "minimal"):
        result = loaded(str(REPO / "examples" / example), "", tmp_path / example, monkeypatch)
        assert isinstance(result, DeclarationSet)


AUTO = -1  # the default: as many processes as CPUs, at most MAX_JOBS


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", AUTO),
        ("0", AUTO),
        ("1", 1),
        ("3", 3),
        ("64", 6),  # never more than the CPUs
        (" 2 ", 2),
        ("abc", AUTO),
        ("-2", AUTO),
        ("2.5", AUTO),
    ],
)
def test_jobs_setting(value: str, expected: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forkjobs, "usable_cpus", lambda: 6)
    monkeypatch.setenv(parallel.ENV_JOBS, value)
    assert parallel.jobs() == (min(6, parallel.MAX_JOBS) if expected == AUTO else expected)


def test_invalid_jobs_setting_is_no_error(
    tmp_path: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    generate(OBJECTS, tmp_path / "decl")
    expected = report(["decl"], "1", tmp_path / "serial", monkeypatch)
    assert report(["decl"], "lots", tmp_path / "other", monkeypatch) == expected
    assert forks  # the default held


def test_no_fork_while_another_thread_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forkjobs, "usable_cpus", lambda: 4)
    monkeypatch.delenv(parallel.ENV_JOBS, raising=False)
    assert parallel.jobs() == 4
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert parallel.jobs() == 1
    finally:
        stop.set()
        thread.join()


@pytest.fixture
def slow_helper(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def sleeping(*args: Any) -> None:
        time.sleep(60)

    monkeypatch.setattr(parallel, "work", sleeping)
    yield


def test_an_interrupted_parent_kills_and_reaps_its_helpers(
    tmp_path: Path, forks: list[int], slow_helper: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    generate(OBJECTS, tmp_path / "decl")
    monkeypatch.setattr(forkjobs, "usable_cpus", lambda: 3)

    def interrupted(*args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(parallel, "_parse_here", interrupted)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        loaded("decl", "3", tmp_path / "c", monkeypatch)
    assert time.monotonic() - started < 30  # the sleeping helpers were killed
    assert len(forks) == 2
    for pid in forks:
        with pytest.raises(ChildProcessError):  # already reaped: no zombie left
            os.waitpid(pid, os.WNOHANG)


def test_plan_balances_bytes() -> None:
    sizes = [90_000, 80_000, 70_000, 60_000, 50_000, 40_000, 30_000, 20_000, 10_000, 5_000]
    with pytest.MonkeyPatch.context() as m:
        m.setattr(parallel, "MIN_BYTES_PER_JOB", 100_000)
        assert parallel.plan(sizes, 1) == [list(range(10))]
        assert parallel.plan(sizes[-3:], 8) == [[0, 1, 2]]  # 35 kB: not worth a fork
        shares = parallel.plan(sizes, 2)
        assert len(shares) == 2
        assert sorted(i for share in shares for i in share) == list(range(10))
        loads = [sum(sizes[i] for i in share) for share in shares]
        assert abs(loads[0] / (1 - parallel.DECODE_COST) - loads[1]) <= max(sizes)
        # Four CPUs, but bytes enough for four processes only: 455 kB.
        assert len(parallel.plan(sizes, 8)) == 4


def test_problems_round_trip() -> None:
    problems = [Problem("a.yaml", 3, 1, "bad"), Problem("a.yaml", None, None, "worse")]
    item = tuple((p.file, p.line, p.column, p.message) for p in problems)
    assert parallel._problems(item) == problems
    assert parallel._problems(((1, 2, 3, 4),)) is None
    assert parallel._problems(()) is None
