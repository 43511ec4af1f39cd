"""The compiled-catalogue cache keeps the last few catalogues used, not one per language:
two policy directories sharing one cache directory, taking turns, each read their own entry;
one catalogue run from many directories is one entry; the entries kept are still checked on
every read."""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hdsguard.api import load_policies
from hdsguard.policies import load
from hdsguard.speed import catalogue_cache
from tests.helpers import AS_OF, REPO, run_cli, use_cache

Run = tuple[int, str, str]
FIXTURES = REPO / "tests" / "fixtures" / "formats" / "policies"
NOW = time.time() - 3600  # the fake entries' times are before anything a test writes


@contextlib.contextmanager
def running_in(cwd: Path, cache: Path | None) -> Iterator[None]:
    """The current directory ``cwd``, and ``cache`` as the cache directory (None: off)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(cwd)
        mp.delenv("GITHUB_ACTIONS", raising=False)
        use_cache(mp, cache)
        yield


def hdsguard(cwd: Path, cache: Path | None, *args: str) -> Run:
    """One JSON check of ``decl`` from ``cwd``, in this process, with ``cache`` (None: off)."""
    with running_in(cwd, cache):
        result = run_cli(
            ["check", "decl", "--no-config", "--as-of", AS_OF, "--format", "json", *args]
        )
    return result.exit_code, result.stdout, result.stderr


def no_compiling(mp: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the catalogue was compiled again instead of read from the cache")

    mp.setattr(load, "load_policy", refuse)


def entries(cache: Path) -> dict[str, int]:
    """Each catalogue entry's name and inode (a rewritten entry is a new file: a rename)."""
    return {p.name: p.stat().st_ino for p in cache.glob("catalogue-*")}


def checkout(root: Path) -> Path:
    shutil.copytree(REPO / "examples" / "lab-group", root / "decl")
    return root


def catalogue_files(cwd: Path, cache: Path | None) -> dict[str, str]:
    """Each policy's file as the loaded catalogue displays it from ``cwd`` (with ``cache``,
    read from the cache when it holds the catalogue)."""
    with running_in(cwd, cache):
        return {pid: p.file for pid, p in load_policies()[1].items()}


SIX = ("one", "a/two", "a/b/three", "a/b/c/four", "a/b/c/d/five", "a/b/c/d/e/six")


def test_six_directories_compile_the_catalogue_once(tmp_path: Path) -> None:
    """The key held the policy files' paths as displayed, relative to the current directory:
    at six depths, six catalogues, more than the cache keeps, so every run compiled. The
    entry now holds the absolute paths and displays them from where it is read."""
    places = [checkout(tmp_path / where) for where in SIX]
    expected = {w: hdsguard(w, None) for w in places}
    shown = {w: catalogue_files(w, None) for w in places}
    assert expected[places[0]][0] == 1
    assert len({tuple(files.values()) for files in shown.values()}) == len(SIX)
    cache = tmp_path / "cache"
    assert hdsguard(places[0], cache) == expected[places[0]]  # compiled, stored
    assert len(entries(cache)) == 1
    # The library's load, without a language (the command's run has the run's): its own.
    assert catalogue_files(places[0], cache) == shown[places[0]]
    stored = entries(cache)
    assert len(stored) == 2
    with pytest.MonkeyPatch.context() as mp:
        no_compiling(mp)
        for where in (*places, *reversed(places)):
            assert hdsguard(where, cache) == expected[where]  # byte-identical, read back
            assert catalogue_files(where, cache) == shown[where]
    assert entries(cache) == stored  # read, never rewritten


def test_two_policy_directories_taking_turns_each_read_their_own_entry(tmp_path: Path) -> None:
    work = checkout(tmp_path / "work")
    dirs = [tmp_path / "a", tmp_path / "b"]
    for folder, name in zip(dirs, ("FMT-001.yaml", "FMT-002.yaml"), strict=True):
        folder.mkdir()
        shutil.copy(FIXTURES / name, folder / name)
    expected = {d: hdsguard(work, None, "--policies", str(d)) for d in dirs}
    cache = tmp_path / "cache"
    for folder in dirs:
        assert hdsguard(work, cache, "--policies", str(folder)) == expected[folder]
    stored = entries(cache)
    with pytest.MonkeyPatch.context() as mp:
        no_compiling(mp)
        for folder in (*dirs, *dirs):
            assert hdsguard(work, cache, "--policies", str(folder)) == expected[folder]
    assert entries(cache) == stored


def _fake(cache: Path, language: str, n: int, age: int) -> Path:
    """An entry's name (never read here), ``age`` seconds old."""
    path = cache / f"catalogue-{language}-{n:064x}.marshal"
    path.write_bytes(b"an entry")
    when = NOW - age
    os.utime(path, (when, when))
    return path


def test_prune_keeps_the_entry_written_and_the_most_recently_used_others(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    fakes = [_fake(cache, ("en", "fr", "default")[n % 3], n, age=10 * n) for n in range(7)]
    older_naming = cache / f"catalogue-{'0' * 64}.pickle"
    older_naming.write_bytes(b"pickle")
    writing = cache / ".catalogue-en-x.marshal.tmp123"  # another run's entry, being written
    writing.write_bytes(b"half")
    kept = fakes[-1]  # the oldest by its time, but the one just written
    catalogue_cache.prune(cache, kept.name)
    left = sorted(p.name for p in cache.iterdir())
    newest = [p.name for p in fakes[: catalogue_cache.KEEP - 1]]
    assert left == sorted([writing.name, kept.name, *newest])


def test_an_entry_read_is_kept_before_older_ones(tmp_path: Path) -> None:
    work = checkout(tmp_path / "work")
    mine = tmp_path / "mine"
    mine.mkdir()
    shutil.copy(FIXTURES / "FMT-001.yaml", mine)
    cache = tmp_path / "cache"
    first = hdsguard(work, cache)
    (used,) = entries(cache)
    others = [_fake(cache, "en", n, age=100 + n) for n in range(1, catalogue_cache.KEEP)]
    when = NOW - 1000  # older than every other entry
    os.utime(cache / used, (when, when))
    assert hdsguard(work, cache) == first  # read back: now the most recently used
    hdsguard(work, cache, "--policies", str(mine))  # a new entry: one must go
    left = set(entries(cache))
    assert used in left
    assert len(left) == catalogue_cache.KEEP
    assert others[-1].name not in left  # the oldest of the others
    with pytest.MonkeyPatch.context() as mp:
        no_compiling(mp)
        assert hdsguard(work, cache) == first


def test_an_entry_copied_over_another_is_refused_and_rewritten(tmp_path: Path) -> None:
    work = checkout(tmp_path / "work")
    mine = tmp_path / "mine"
    mine.mkdir()
    shutil.copy(FIXTURES / "FMT-001.yaml", mine)
    one: tuple[str, ...] = ()
    two = ("--policies", str(mine))  # another catalogue: the built-in one and FMT-001
    cache = tmp_path / "cache"
    expected = {w: hdsguard(work, None, *w) for w in (one, two)}
    hdsguard(work, cache, *one)
    (name_one,) = entries(cache)
    hdsguard(work, cache, *two)
    (name_two,) = set(entries(cache)) - {name_one}
    # Sealed and whole, but another catalogue's: its own key inside does not match.
    forged = (cache / name_one).read_bytes()
    (cache / name_two).write_bytes(forged)
    assert hdsguard(work, cache, *two) == expected[two]
    assert (cache / name_two).read_bytes() != forged
    # A flipped bit is refused the same way; the other entry stays, and is read.
    blob = bytearray((cache / name_one).read_bytes())
    blob[len(blob) // 2] ^= 0x01
    (cache / name_one).write_bytes(bytes(blob))
    assert hdsguard(work, cache, *one) == expected[one]
    assert (cache / name_one).read_bytes() != bytes(blob)
    with pytest.MonkeyPatch.context() as mp:
        no_compiling(mp)
        assert hdsguard(work, cache, *two) == expected[two]
        assert hdsguard(work, cache, *one) == expected[one]
