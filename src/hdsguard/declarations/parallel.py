"""Parse and validate the files the declaration cache did not hold in several processes.

A first run (or one after an upgrade) at 10,000 objects spends over a second composing YAML
and validating it, one file after another, on machines that have two cores or more. When the
files to parse are large enough to pay for it, the parent forks helper processes (``os.fork``:
they start at once, with the parser, the schema and the files' bytes already in memory),
gives each a share of the files balanced by size, and parses a share itself.

A helper sends each file's result through a pipe as soon as it has it, ``marshal``-ed behind
its size and CRC-32: the file's declaration-cache entry (:func:`.cache.encode`: checksummed,
the very bytes it also writes to the cache), or the file's problems as plain tuples, or None
when parsing failed in an unexpected way. Between its own files, and then until the helpers
are done, the parent decodes what arrived, as it decodes cache entries. A helper that dies or
exits non-zero has none of its results used; a result that is cut short, damaged or None is
not used either: the parent parses those files itself, and so meets the very errors a serial
run would.

``HDSGUARD_JOBS``: 1 never forks; N uses at most N processes (the parent included); unset, 0
or not a whole number: as many as the usable CPUs, at most :data:`MAX_JOBS`.
"""

from __future__ import annotations

import contextlib
import gc
import marshal
import os
import signal
import struct
import threading
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hdsguard.declarations.cache import DeclarationCache, decode, encode
from hdsguard.declarations.yamlsource import SourceFile
from hdsguard.errors import Problem

try:
    import fcntl
except ImportError:  # Windows: no fork either
    fcntl = None  # type: ignore[assignment]

# Uncached bytes each process must have for a fork to pay. A fork has fixed costs (about 2 ms
# to fork and start, then pages copied on write in both processes) and the parent decodes what
# a helper sends: measured on 2 CPUs, two processes break even at about 150 KiB of YAML in all
# and gain 5-12 % at 184 KiB, 22 % at 460 KiB (docs/performance.md). Over twice the break-even
# leaves room for a slower machine or a busy second CPU. The examples (23-28 KiB) never fork.
MIN_BYTES_PER_JOB = 192 * 1024
# What decoding a helper's results costs the parent, relative to the helper's parsing them:
# unmarshalling the data and positions of the 10k-object set takes 0.1 s, against 0.4 s to
# parse and validate it. The parent's share is smaller by that much per helper, and:
DECODE_COST = 0.25
# past 1 + 1 / DECODE_COST processes the parent, decoding, is the bottleneck; at 4 its share is
# already a quarter of a helper's. The CPUs seen are also often those of a large host rather
# than what a container may use.
MAX_JOBS = 4
ENV_JOBS = "HDSGUARD_JOBS"
_PIPE_BYTES = 1 << 20  # the most Linux grants an unprivileged process by default
_CHUNK = 1 << 20
# Before each marshal-ed result: its size and CRC-32, so that a result cut short or damaged
# is never decoded as another (a file's problems carry no checksum of their own).
_HEADER = struct.Struct(">QI")

Outcome = SourceFile | list[Problem]
ParseOne = Callable[[bytes, str], Outcome]


@dataclass(frozen=True, slots=True)
class Pending:
    """A file to parse: its displayed path, bytes, cache key ("" without a cache), and its
    place among the caller's files."""

    display: str
    raw: bytes
    key: str
    index: int


def parse_all(
    files: Sequence[Pending], parse_one: ParseOne, cache: DeclarationCache | None
) -> list[Outcome]:
    """The outcome of ``parse_one`` for each file, in order; valid files written to the cache.

    The same outcomes, problems and cache entries as parsing the files one after another.
    """
    shares = plan([len(f.raw) for f in files], jobs())
    outcomes: dict[int, Outcome] = {}
    helpers: list[_Helper] = []
    try:
        for share in shares[1:]:
            helper = _start(share, files, parse_one, cache, helpers)
            if helper is None:  # cannot fork now (process limit, memory): do it here
                shares[0].extend(share)
            else:
                helpers.append(helper)
        for index in shares[0]:
            outcomes[index] = _parse_here(files[index], parse_one, cache)
            for helper in helpers:  # decode what is ready while the helpers still parse
                helper.receive(files, block=False)
        for helper in helpers:
            helper.receive(files, block=True)
            helper.reap()
            for index, outcome in zip(helper.share, helper.results(), strict=True):
                if outcome is None:  # the helper died, or sent nothing usable for it
                    outcome = _parse_here(files[index], parse_one, cache)
                outcomes[index] = outcome
        if cache is not None and any(h.wrote for h in helpers):
            cache.prune()  # what the first write of a serial run does
    finally:
        for helper in helpers:
            helper.stop()
    return [outcomes[index] for index in range(len(files))]


def jobs() -> int:
    """How many processes may parse: ``HDSGUARD_JOBS`` within the usable CPUs, or 1 when
    forking is not possible or not safe (another thread could hold a lock the copy needs)."""
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return 1
    limit = MAX_JOBS
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


def plan(sizes: Sequence[int], processes: int) -> list[list[int]]:
    """Indices of the files each process parses, the parent's share first; one share when a
    fork would not pay. Shares are balanced by bytes, the largest files placed first, and the
    parent's is smaller by what decoding the helpers' results costs it (:data:`DECODE_COST`)."""
    total = sum(sizes)
    if MIN_BYTES_PER_JOB > 0:
        processes = min(processes, total // MIN_BYTES_PER_JOB)
    processes = min(processes, len(sizes))
    if processes < 2:
        return [list(range(len(sizes)))]
    capacity = [max(0.25, 1 - DECODE_COST * (processes - 1))] + [1.0] * (processes - 1)
    shares: list[list[int]] = [[] for _ in range(processes)]
    loads = [0] * processes
    for index in sorted(range(len(sizes)), key=lambda i: (-sizes[i], i)):
        size = sizes[index]
        best = min(range(processes), key=lambda p: ((loads[p] + size) / capacity[p], p))
        shares[best].append(index)
        loads[best] += size
    return [sorted(share) for share in shares if share]


def _parse_here(file: Pending, parse_one: ParseOne, cache: DeclarationCache | None) -> Outcome:
    outcome = parse_one(file.raw, file.display)
    if cache is not None and isinstance(outcome, SourceFile):
        cache.put(file.key, outcome)
    return outcome


class _Helper:
    """The parent's end of a helper process: its pid, its pipe, and what it sent so far."""

    def __init__(self, pid: int, fd: int, share: list[int]) -> None:
        self.pid = pid
        self.fd = fd
        self.share = share
        self.wrote = False  # it wrote cache entries: the parent prunes, as a serial run would
        self.status: int | None = None
        self._buffer = bytearray()
        self._decoded: list[Outcome | None] = []

    def receive(self, files: Sequence[Pending], *, block: bool) -> None:
        """Read what the helper sent (until it closes the pipe when ``block``, else what is
        there now) and decode every complete result."""
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
            self._decode(files)

    def _decode(self, files: Sequence[Pending]) -> None:
        buffer = self._buffer
        start = 0
        while len(buffer) - start >= _HEADER.size:
            size, crc = _HEADER.unpack_from(buffer, start)
            end = start + _HEADER.size + size
            if len(buffer) < end or len(self._decoded) >= len(self.share):
                break
            file = files[self.share[len(self._decoded)]]
            frame = bytes(buffer[start + _HEADER.size : end])
            self._decoded.append(self._outcome(frame, file) if zlib.crc32(frame) == crc else None)
            start = end
        del buffer[:start]

    def _outcome(self, frame: bytes, file: Pending) -> Outcome | None:
        try:
            item = marshal.loads(frame)
            if type(item) is bytes:
                source = decode(item, file.key, file.display, file.raw)
                self.wrote = self.wrote or (source is not None and bool(file.key))
                return source
            if type(item) is tuple:
                return _problems(item)
        except Exception:  # garbled: the parent parses the file itself
            pass
        return None

    def reap(self) -> None:
        _, self.status = os.waitpid(self.pid, 0)

    def results(self) -> list[Outcome | None]:
        """Per file of the share, in order: its outcome, or None for the parent to parse it.
        Nothing of a helper that did not end normally is trusted."""
        if self.status != 0:
            return [None] * len(self.share)
        return self._decoded + [None] * (len(self.share) - len(self._decoded))

    def close(self) -> None:
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = -1

    def stop(self) -> None:
        """Close the pipe; kill and reap the helper unless it was reaped already (the parent
        was interrupted or failed): no helper outlives the parent's parsing, none is left a
        zombie."""
        self.close()
        if self.status is None:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.status = -1


def _start(
    share: list[int],
    files: Sequence[Pending],
    parse_one: ParseOne,
    cache: DeclarationCache | None,
    running: Sequence[_Helper],
) -> _Helper | None:
    try:
        read_fd, write_fd = os.pipe()
    except OSError:
        return None
    _widen(write_fd)
    try:
        pid = os.fork()
    except BaseException as exc:
        os.close(read_fd)
        os.close(write_fd)
        if isinstance(exc, OSError):
            return None
        raise
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
            work([files[i] for i in share], parse_one, cache, lambda data: _send(write_fd, data))
            status = 0
        finally:
            os._exit(status)  # no atexit handler, no flushing of the parent's buffers
    os.close(write_fd)
    return _Helper(pid, read_fd, share)


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


def work(
    files: Sequence[Pending],
    parse_one: ParseOne,
    cache: DeclarationCache | None,
    send: Callable[[bytes], None],
) -> None:
    """In a helper: parse and validate ``files``, write the valid ones to the cache, and send
    each file's result as soon as it has it (see the module's docstring)."""
    if cache is not None:
        cache.pruned = True  # the parent prunes, once
    for file in files:
        item: bytes | tuple[tuple[str, int | None, int | None, str], ...] | None
        try:
            outcome = parse_one(file.raw, file.display)
        except Exception:  # the parent parses it again, and meets the error itself
            item = None
        else:
            if isinstance(outcome, SourceFile):
                item = encode(file.key, outcome)
                if item is not None and cache is not None:
                    cache.write(file.key, item, prune=False)
            else:
                item = tuple((p.file, p.line, p.column, p.message) for p in outcome)
        frame = marshal.dumps(item, 4)
        send(_HEADER.pack(len(frame), zlib.crc32(frame)) + frame)


def _send(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _problems(item: tuple[object, ...]) -> list[Problem] | None:
    problems = []
    for entry in item:
        if type(entry) is not tuple or len(entry) != 4:
            return None
        file, line, column, message = entry
        if not (
            type(file) is str
            and type(message) is str
            and (line is None or type(line) is int)
            and (column is None or type(column) is int)
        ):
            return None
        problems.append(Problem(file, line, column, message))
    return problems or None  # a file without problems is a source, never an empty list
