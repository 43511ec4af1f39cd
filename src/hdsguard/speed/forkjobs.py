"""Helper processes for evaluating a large estate: forked, fed by inheritance, heard through
a pipe.

Its users are :mod:`hdsguard.speed.evalsplit` (the policies evaluated by several processes)
and :mod:`hdsguard.speed.ahead` (the catalogue compiled while a first run reads). A helper is
forked (``os.fork``: it starts at once with what the parent holds, for the evaluation the
compiled catalogue and the declarations), does a share of the work while the parent does its
own, and sends its results back through a pipe.

A helper sends results one by one, each behind its size and CRC-32, so that a result cut short
or damaged in transit is never read as another. A helper that dies or exits non-zero has none
of its results used. Whatever the caller does not get intact it does itself, so a failed
helper costs time, never correctness.

``HDSGUARD_JOBS``: 1 never forks; N uses at most N processes (the parent included); unset, 0
or not a whole number: as many as the usable CPUs, at most the caller's maximum.
"""

from __future__ import annotations

import contextlib
import gc
import os
import select
import signal
import struct
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from functools import partial
from typing import TypeVar

from hdsguard.speed.heap import trim

try:
    import fcntl
except ImportError:  # Windows: no fork either
    fcntl = None  # type: ignore[assignment]

ENV_JOBS = "HDSGUARD_JOBS"
_PIPE_BYTES = 1 << 20  # the most Linux grants an unprivileged process by default
_CHUNK = 1 << 20
_HEADER = struct.Struct(">QI")  # size and CRC-32 of the result that follows

Send = Callable[[bytes], None]
T = TypeVar("T")


def jobs(most: int) -> int:
    """How many processes may work: ``HDSGUARD_JOBS`` within the usable CPUs and ``most``, or
    1 when forking is not possible or not safe (another thread could hold a lock the copy
    needs)."""
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return 1
    limit = most
    wanted = os.environ.get(ENV_JOBS, "").strip()
    if wanted.isdigit() and int(wanted) > 0:  # anything else is ignored: the default holds
        limit = int(wanted)
    return max(1, min(limit, usable_cpus()))


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the system has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # macOS has no affinity
        return os.cpu_count() or 1


def plan(
    weights: Sequence[int], processes: int, *, min_per_job: int, parent_capacity: float
) -> list[list[int]]:
    """Indices of the items each process does, the parent's share first; one share when a
    fork would not pay (less than ``min_per_job`` of weight per process). Shares are balanced
    by weight, the heaviest items placed first; the parent's is scaled by ``parent_capacity``
    (what it can do while a helper does 1: less when it must also rebuild the helpers'
    results, more when helpers are slowed by copying the pages they touch)."""
    total = sum(weights)
    if min_per_job > 0:
        processes = min(processes, total // min_per_job)
    processes = min(processes, len(weights))
    if processes < 2:
        return [list(range(len(weights)))]
    capacity = [max(0.25, parent_capacity)] + [1.0] * (processes - 1)
    shares: list[list[int]] = [[] for _ in range(processes)]
    loads = [0] * processes
    for index in sorted(range(len(weights)), key=lambda i: (-weights[i], i)):
        weight = weights[index]
        best = min(range(processes), key=lambda p: ((loads[p] + weight) / capacity[p], p))
        shares[best].append(index)
        loads[best] += weight
    return [sorted(share) for share in shares if share]


def patience(own_seconds: float) -> float:
    """How long to wait for a helper once the parent did its own share in ``own_seconds``:
    shares are balanced, so a helper ten times slower than the parent is stuck, not slow."""
    return max(30.0, 10 * own_seconds)


class Helper:
    """The parent's end of a helper process: its pid, its pipe, and the results it sent."""

    def __init__(self, pid: int, fd: int, expected: int) -> None:
        self.pid = pid
        self.fd = fd
        self.expected = expected
        self.status: int | None = None
        self._buffer = bytearray()
        self._results: list[bytes | None] = []

    def receive(self, *, block: bool) -> None:
        """Read what the helper sent (until it closes the pipe when ``block``, else what is
        there now) and split it into results."""
        if self.fd < 0:
            return
        os.set_blocking(self.fd, block)
        while True:
            try:
                chunk = os.read(self.fd, _CHUNK)
            except BlockingIOError:
                break
            if not chunk:
                self.close()
                break
            self._buffer += chunk
            self._split()

    def _split(self) -> None:
        buffer = self._buffer
        start = 0
        while len(buffer) - start >= _HEADER.size and len(self._results) < self.expected:
            size, crc = _HEADER.unpack_from(buffer, start)
            end = start + _HEADER.size + size
            if len(buffer) < end:
                break
            result = bytes(buffer[start + _HEADER.size : end])
            self._results.append(result if zlib.crc32(result) == crc else None)
            start = end
        del buffer[:start]

    def results(self, patience: float = 60.0) -> list[bytes | None]:
        """Wait for the helper to end; then one item per expected result, None for any it
        did not deliver intact. Nothing of a helper that did not end normally is trusted.

        A helper still not done after ``patience`` seconds is killed (a library that does
        not survive a fork could leave it stuck): the caller then does its work itself."""
        deadline = time.monotonic() + patience
        while self.fd >= 0:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                self.stop()
                break
            self.receive(block=False)
        if self.status is None:
            _, self.status = os.waitpid(self.pid, 0)
        if self.status != 0:
            return [None] * self.expected
        return self._results + [None] * (self.expected - len(self._results))

    def close(self) -> None:
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = -1

    def stop(self) -> None:
        """Close the pipe; kill and reap the helper unless it was reaped already (the parent
        was interrupted or failed): no helper outlives the work, none is left a zombie."""
        self.close()
        if self.status is None:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.status = -1


def share_out(
    shares: Sequence[Sequence[int]],
    here: Callable[[int], T],
    work: Callable[[list[int], Send], None],
    decode: Callable[[int, bytes], T | None],
) -> dict[int, T]:
    """The outcome of every item of ``shares`` (indices, the parent's share first: see
    :func:`plan`), by index. The parent does its own share with ``here``; for each other
    share a forked helper runs ``work(share, send)``, which sends one result per item, and
    ``decode`` turns a result back into an outcome (None: not usable). Whatever a helper does
    not deliver intact, or cannot be forked for, the parent does with ``here``: the outcomes
    are always those of doing every item here."""
    outcomes: dict[int, T] = {}
    mine = list(shares[0])
    helpers: list[tuple[Helper, list[int]]] = []
    if len(shares) > 1:
        # A first run's compilation and parsing leave about 1.6 MiB of free C heap at 10k
        # objects: pages both processes would otherwise carry, and copy when either reuses them.
        trim()
    try:
        for share in shares[1:]:
            theirs = list(share)
            helper = start(partial(work, theirs), len(theirs), [h for h, _ in helpers])
            if helper is None:  # the system refuses a fork now: do it here
                mine.extend(theirs)
            else:
                helpers.append((helper, theirs))
        started = time.monotonic()
        for index in mine:
            outcomes[index] = here(index)
            for helper, _ in helpers:  # empty the pipes while the helpers still work
                helper.receive(block=False)
        wait = patience(time.monotonic() - started)
        for helper, theirs in helpers:
            for index, result in zip(theirs, helper.results(wait), strict=True):
                outcome = decode(index, result) if result is not None else None
                outcomes[index] = outcome if outcome is not None else here(index)
    finally:
        for helper, _ in helpers:
            helper.stop()
    return outcomes


def start(work: Callable[[Send], None], expected: int, running: Sequence[Helper]) -> Helper | None:
    """Fork a helper that runs ``work(send)``, each ``send(result)`` reaching the parent as
    one of ``expected`` results; None when the system refuses a fork (the caller does the
    work itself)."""
    try:
        read_fd, write_fd = os.pipe()
    except OSError:
        return None
    _widen(write_fd)
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return None
    if pid == 0:  # the helper: never returns
        status = 1
        try:
            os.close(read_fd)
            for other in running:
                os.close(other.fd)
            _silence()
            # The inherited objects are never garbage: keep the collector off them, so that
            # it neither spends time on them nor copies their pages by touching them.
            gc.freeze()
            work(lambda result: _write(write_fd, frame(result)))
            status = 0
        finally:
            os._exit(status)  # no atexit handler, no flushing of the parent's buffers
    os.close(write_fd)
    return Helper(pid, read_fd, expected)


def frame(result: bytes) -> bytes:
    """A result as it travels: behind its size and CRC-32."""
    return _HEADER.pack(len(result), zlib.crc32(result)) + result


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _widen(fd: int) -> None:
    """Let a pipe hold several results (Linux: 64 KiB by default, less than one result at
    10k objects), so that a helper seldom waits for the parent to read."""
    option = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if option is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, option, _PIPE_BYTES)


def _silence() -> None:
    """Point the helper's standard streams at /dev/null: whatever a library prints there is
    printed once, by the parent, if ever."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
