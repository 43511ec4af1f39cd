"""The catalogue compiled by a forked helper while the parent reads the declarations.

A first run (empty cache, or hdsguard just upgraded) compiles the catalogue, ≈ 0.5 s, then
reads the declarations, ≈ 0.6 s at 10k objects: one after the other, on one CPU while the
machine has two. When the catalogue cache holds no entry for the catalogue this run loads, a
second CPU is usable and the declarations are large enough for it to pay, a helper is forked
that compiles the catalogue into the cache while the parent reads; the parent then loads
the catalogue as a warm run does.

Trust: the helper does what an earlier run would have done, nothing more. It stores the
compiled catalogue in the catalogue cache, and the parent loads it from there checked as
every entry is (its key, its checksum, :mod:`hdsguard.speed.catalogue_cache`); nothing else
goes from helper to parent. When there is no sound entry (the helper failed, could not
store it, was killed for being slow, or a policy does not compile), the parent compiles the
catalogue itself, with every message, as without this.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from hdsguard.declarations.files import discover
from hdsguard.errors import InputError
from hdsguard.policies.load import catalogue_cached
from hdsguard.speed import forkjobs

# Below this many bytes of declarations, reading is shorter than loading the catalogue back
# from the cache (≈ 60 ms, its expressions deserialised): the parent compiles it itself.
MIN_BYTES = 1 << 20


class Ahead:
    """A helper compiling the catalogue, and when it started."""

    def __init__(self, helper: forkjobs.Helper) -> None:
        self.helper = helper
        self.started = time.monotonic()

    def finish(self) -> None:
        """Wait for the helper to end (killed if stuck: the parent then compiles)."""
        self.helper.results(forkjobs.patience(time.monotonic() - self.started))


def start(
    compile_catalogue: Callable[[], object],
    policy_dirs: Sequence[Path],
    lang: str | None,
    paths: Sequence[str],
    exclude: Iterable[Path],
) -> Ahead | None:
    """A helper running ``compile_catalogue`` (which stores the catalogue in its cache), or
    None when it would not pay or cannot be: no second CPU, no fork, few declarations, no
    cache, or the catalogue already cached."""
    if forkjobs.jobs(2) < 2 or not _at_least(MIN_BYTES, paths, exclude):
        return None
    if catalogue_cached(policy_dirs, lang=lang) is not False:
        return None

    def work(send: forkjobs.Send) -> None:
        compile_catalogue()
        send(b"")

    helper = forkjobs.start(work, 1, [])
    return None if helper is None else Ahead(helper)


def _at_least(size: int, paths: Sequence[str], exclude: Iterable[Path]) -> bool:
    """Whether the declaration files ``paths`` name hold ``size`` bytes or more (a missing
    path or an unreadable file counts as empty: reading reports it)."""
    try:
        files = discover(paths, exclude)
    except InputError:
        return False
    total = 0
    for path in files:
        with contextlib.suppress(OSError):
            total += os.stat(path).st_size
            if total >= size:
                return True
    return False
