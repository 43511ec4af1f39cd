"""The policy files of a first run compiled by two processes.

With an empty cache (a CI runner, the first run after an upgrade), compiling the catalogue's
CEL is the longest part of starting: about 0.17 s for the 53 built-in policies, one process,
while a second CPU waits. cel-expr-python holds the GIL, so threads cannot share it; a forked
helper (:mod:`hdsguard.forkjobs`) compiles a share of the files, balanced by size, while the
parent compiles the rest, and sends each policy back serialized as the catalogue cache stores
it (:func:`.cache.dumps`), which the parent deserializes five times faster than it would
compile. A file the helper could not load, or whose result does not arrive intact, the parent
loads itself, so problems and their order are those of one process.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from hdsguard import forkjobs
from hdsguard.errors import InputError, Problem
from hdsguard.policies import cache
from hdsguard.policies.celenv import CelRuntime
from hdsguard.policies.load import CompiledPolicy

# Bytes of policy files each process must have for a fork to pay (the built-in catalogue:
# 53 files, about 400 KiB; forking and deserializing cost a few ms).
MIN_BYTES_PER_JOB = 64 * 1024
# The parent's share, relative to the helper's. The parent then deserializes what the helper
# sent (about 9 ms for the built-ins), but the helper is slower still (it copies the pages
# it touches, and shares the machine): with equal shares the parent waited 12-32 ms for it;
# with this, it seldom waits. The built-in catalogue: 0.17 s -> 0.12 s on 2 CPUs.
PARENT_CAPACITY = 1.1

Load = Callable[[Path, bool], CompiledPolicy]
Outcome = CompiledPolicy | list[Problem]


def load_files(
    files: Sequence[tuple[Path, bool]], load: Load, runtime: CelRuntime, *, shared: bool
) -> list[Outcome]:
    """The outcome of ``load`` for each (path, built-in) of ``files``, in order: the policy,
    or the problems of its file; in this process alone unless ``shared``."""
    shares = forkjobs.plan(
        [_size(path) for path, _ in files],
        forkjobs.jobs(2) if shared else 1,
        min_per_job=MIN_BYTES_PER_JOB,
        parent_capacity=PARENT_CAPACITY,
    )
    outcomes = forkjobs.share_out(
        shares,
        lambda index: _here(files[index], load),
        lambda share, send: _work([files[i] for i in share], load, send),
        lambda index, result: _decode(result, runtime) if result else None,
    )
    return [outcomes[index] for index in range(len(files))]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # the parent meets the error when it reads it


def _here(file: tuple[Path, bool], load: Load) -> Outcome:
    try:
        return load(*file)
    except InputError as exc:
        return list(exc.problems)


def _work(files: Sequence[tuple[Path, bool]], load: Load, send: forkjobs.Send) -> None:
    """In the helper: each file's policy, serialized; empty for a file with problems."""
    for file in files:
        outcome = _here(file, load)
        blob = None if isinstance(outcome, list) else cache.dumps([outcome])
        send(blob or b"")  # empty: the parent loads the file itself


def _decode(result: bytes, runtime: CelRuntime) -> CompiledPolicy | None:
    try:
        (policy,) = cache.loads(runtime, result)
    except Exception:  # garbled: the parent loads the file itself
        return None
    return policy if isinstance(policy, CompiledPolicy) else None
