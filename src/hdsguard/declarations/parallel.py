"""Parse and validate the files the declaration cache did not hold in several processes.

A first run (or one after an upgrade) at 10,000 objects spends over a second composing YAML
and validating it, one file after another, on machines that have two cores or more. When the
files to parse are large enough to pay for it, the parent forks helper processes (``os.fork``:
they start at once, with the parser, the schema and the files' bytes already in memory),
gives each a share of the files balanced by size, and parses a share itself.

A helper sends each file's result as soon as it has it (:mod:`hdsguard.forkjobs` carries it
behind its size and CRC-32): the file's declaration-cache entry (:func:`.cache.encode`:
checksummed, the very bytes it also writes to the cache), or the file's problems as plain
tuples, or None when parsing failed in an unexpected way, ``marshal``-ed. The parent decodes
them as it decodes cache entries. A helper that dies or exits non-zero has none of its results
used; a result that is cut short, damaged or None is not used either: the parent parses those
files itself, and so meets the very errors a serial run would.

``HDSGUARD_JOBS`` (:mod:`hdsguard.forkjobs`) caps the processes; at most :data:`MAX_JOBS`.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hdsguard import forkjobs
from hdsguard.declarations.cache import DeclarationCache, decode, encode
from hdsguard.declarations.yamlsource import SourceFile
from hdsguard.errors import Problem
from hdsguard.forkjobs import ENV_JOBS, usable_cpus

__all__ = ["ENV_JOBS", "MAX_JOBS", "Pending", "jobs", "parse_all", "plan", "usable_cpus", "work"]

# Uncached bytes each process must have for a fork to pay. A fork has fixed costs (about 2 ms
# to fork and start, then pages copied on write in both processes) and the parent decodes what
# a helper sends: measured on 2 CPUs, two processes break even at about 150 KiB of YAML in all
# and gain 5-12 % at 184 KiB, 22 % at 460 KiB (docs/performance.md). Over twice the break-even
# leaves room for a slower machine or a busy second CPU. The examples (23-28 KiB) never fork.
MIN_BYTES_PER_JOB = 192 * 1024
# What decoding a helper's results costs the parent, relative to the helper's parsing them,
# net of the helper's own slowness (its every write copies a page of the parent's memory):
# unmarshalling the data and positions of the 10k-object set takes 0.1 s against 0.4 s to
# parse and validate, but measured on 2 CPUs a larger cost left the parent waiting up to
# 0.1 s for the helper. The parent's share is smaller by that much per helper, and:
DECODE_COST = 0.05
# the CPUs seen are often those of a large host rather than what a container may use.
MAX_JOBS = 4

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
    outcomes = forkjobs.share_out(
        shares,
        lambda index: _parse_here(files[index], parse_one, cache),
        lambda share, send: work([files[i] for i in share], parse_one, cache, send),
        lambda index, result: _outcome(result, files[index]),
    )
    theirs = [i for share in shares[1:] for i in share]
    if cache is not None and any(
        files[i].key and isinstance(outcomes[i], SourceFile) for i in theirs
    ):
        cache.prune()  # what the first write of a serial run does: helpers wrote entries
    return [outcomes[index] for index in range(len(files))]


def jobs() -> int:
    """How many processes may parse (see :func:`hdsguard.forkjobs.jobs`)."""
    return forkjobs.jobs(MAX_JOBS)


def plan(sizes: Sequence[int], processes: int) -> list[list[int]]:
    """Indices of the files each process parses, the parent's share first (see
    :func:`hdsguard.forkjobs.plan`): balanced by bytes."""
    capacity = 1 - DECODE_COST * (min(processes, len(sizes)) - 1)
    return forkjobs.plan(sizes, processes, min_per_job=MIN_BYTES_PER_JOB, parent_capacity=capacity)


def _parse_here(file: Pending, parse_one: ParseOne, cache: DeclarationCache | None) -> Outcome:
    outcome = parse_one(file.raw, file.display)
    if cache is not None and isinstance(outcome, SourceFile):
        cache.put(file.key, outcome)
    return outcome


def _outcome(result: bytes, file: Pending) -> Outcome | None:
    """A helper's result for ``file``, or None when it is not usable."""
    try:
        item = marshal.loads(result)
        if type(item) is bytes:
            return decode(item, file.key, file.display, file.raw)
        if type(item) is tuple:
            return _problems(item)
    except Exception:  # garbled: the parent parses the file itself
        pass
    return None


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
        send(marshal.dumps(item, 4))


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
