"""The compiled-catalogue cache keeps the last few catalogues used, not one per language:
two checkouts (or two policy directories) sharing one cache directory, taking turns, each
read their own entry; the entries kept are still checked on every read."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from hdsguard.policies import load
from hdsguard.speed import catalogue_cache
from tests.helpers import AS_OF, REPO, run_cli

Run = tuple[int, str, str]
FIXTURES = REPO / "tests" / "fixtures" / "formats" / "policies"
NOW = time.time() - 3600  # the fake entries' times are before anything a test writes


def hdsguard(cwd: Path, cache: Path | None, *args: str) -> Run:
    """One JSON check of ``decl`` from ``cwd``, in this process, with ``cache`` (None: off)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(cwd)
        mp.delenv("GITHUB_ACTIONS", raising=False)
        if cache is None:
            mp.setenv("HDSGUARD_NO_CACHE", "1")
        else:
            mp.delenv("HDSGUARD_NO_CACHE", raising=False)
            mp.setenv("HDSGUARD_CACHE_DIR", str(cache))
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


def test_two_checkouts_taking_turns_each_read_their_own_entry(tmp_path: Path) -> None:
    # At different depths, the built-in policies' paths display differently (relative to
    # the current directory, as in every message): two catalogues, two keys.
    one = checkout(tmp_path / "one")
    two = checkout(tmp_path / "deeper" / "still" / "two")
    expected = {w: hdsguard(w, None) for w in (one, two)}
    assert expected[one][0] == expected[two][0] == 1
    cache = tmp_path / "cache"
    for where in (one, two):
        assert hdsguard(where, cache) == expected[where]  # compiled, stored
    stored = entries(cache)
    assert len(stored) == 2
    with pytest.MonkeyPatch.context() as mp:
        no_compiling(mp)
        for where in (one, two, one, two, one):
            assert hdsguard(where, cache) == expected[where]  # byte-identical, read back
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
    one = checkout(tmp_path / "one")
    two = checkout(tmp_path / "deeper" / "two")
    cache = tmp_path / "cache"
    expected = {w: hdsguard(w, None) for w in (one, two)}
    hdsguard(one, cache)
    (name_one,) = entries(cache)
    hdsguard(two, cache)
    (name_two,) = set(entries(cache)) - {name_one}
    # Sealed and whole, but another catalogue's: its own key inside does not match.
    forged = (cache / name_one).read_bytes()
    (cache / name_two).write_bytes(forged)
    assert hdsguard(two, cache) == expected[two]
    assert (cache / name_two).read_bytes() != forged
    # A flipped bit is refused the same way; the other entry stays, and is read.
    blob = bytearray((cache / name_one).read_bytes())
    blob[len(blob) // 2] ^= 0x01
    (cache / name_one).write_bytes(bytes(blob))
    assert hdsguard(one, cache) == expected[one]
    assert (cache / name_one).read_bytes() != bytes(blob)
    with pytest.MonkeyPatch.context() as mp:
        no_compiling(mp)
        assert hdsguard(two, cache) == expected[two]
        assert hdsguard(one, cache) == expected[one]
