"""Policies evaluated by several processes on a large first run.

At 10k objects the evaluation (about 74,000 policy-target pairs) is the longest phase of a
first run, and every pair is independent of the others. When there are enough pairs for a fork
to pay, the engine's work is cut into units (a slice of a section's targets), shared out by
number of pairs, and helper processes (:mod:`hdsguard.speed.forkjobs`) evaluate theirs while the
parent evaluates its own. A helper sends each unit's findings as plain tuples, with the
unit's counted outcomes (``marshal``, compressed: :func:`pack`); the parent keeps its own
units' results packed the same way while the helpers work, and rebuilds every unit's findings
once they have ended.
A unit whose results do not arrive intact is evaluated by the parent, so the findings and
counts are always those of a serial run, which the final sort orders the same way whatever
process produced them.
"""

from __future__ import annotations

import contextlib
import marshal
import zlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

from hdsguard.findings import (
    Finding,
    Stamps,
    Tally,
    add_tally,
    checked_tally,
    from_rows,
    to_rows,
)
from hdsguard.speed.heap import trim

if TYPE_CHECKING:
    from hdsguard.speed import forkjobs

Unit = tuple[str, int, int]  # a section and a slice of its targets
# What evaluating some units gives: findings, and the outcomes only counted (engine.run).
Batch = tuple[list[Finding], Tally]


class Evaluation(Protocol):
    """What the engine's evaluation offers to be shared out (:class:`.engine.Evaluation`)."""

    def units(self, size: int) -> list[tuple[Unit, int]]: ...

    def evaluate(self, unit: Unit) -> Batch: ...


# Pairs each process must have for a fork to pay. A pair costs about 13 us on this project's
# 2-CPU machines; a helper costs a few ms to start and its findings about 1.5 us each for the
# parent to rebuild. The 1k-object benchmark set (7,400 pairs) and the examples stay serial.
MIN_PAIRS_PER_JOB = 8_000
# The parent's share, relative to a helper's. A helper evaluates more slowly than the parent
# (every object it reads is a page it copies on write), about as much as the parent spends
# rebuilding its findings: measured at 10k objects on 2 CPUs, equal shares end together.
PARENT_CAPACITY = 1.0
MAX_JOBS = 4
# Memory: a helper copies every page of the parent's objects it touches (reference counts are
# writes). Measured at 100k objects (740,000 pairs) on 2 CPUs, with declarations kept small
# (yamlsource.Where, interned keys): 11.0 s and 782 MiB (proportional set size, all processes)
# shared out, against 13.4 s and 678 MiB in one process. At 10k: 0.5 s against 0.9 s.
UNIT_TARGETS = 250


def evaluate_all(evaluation: Evaluation, stamps: Stamps) -> Batch:
    """The findings of every unit of ``evaluation``, unit after unit, and their counts."""
    weighted = evaluation.units(UNIT_TARGETS)
    units = [unit for unit, _ in weighted]
    pairs = sum(weight for _, weight in weighted)
    if pairs < 2 * MIN_PAIRS_PER_JOB:
        # No fork can pay (a pre-commit hook's case: not even the means to fork are loaded).
        return _joined(evaluation.evaluate(unit) for unit in units)
    from hdsguard.speed import catalogue_cache, forkjobs

    shares = forkjobs.plan(
        [weight for _, weight in weighted],
        forkjobs.jobs(MAX_JOBS),
        min_per_job=MIN_PAIRS_PER_JOB,
        parent_capacity=PARENT_CAPACITY,
    )
    if len(shares) < 2:
        return _joined(evaluation.evaluate(unit) for unit in units)

    def here(index: int) -> bytes | Batch:
        # A first run's peak over all processes is the end of the helpers' work, both
        # processes at their largest. So the parent keeps its own units' findings packed like
        # a helper's results until the helpers have ended, and rebuilds every unit's only
        # then: at 10k objects (failing shape, cold, all processes) text 151.5 -> 140.4 MiB,
        # JSON 168.4 -> 150.5 MiB, for ~2 % more CPU (~3 us a finding packed and rebuilt).
        findings, tally = evaluation.evaluate(units[index])
        packed = pack((to_rows(findings), tally))
        del findings  # before the trim: their large strings are in the C heap
        trim()
        return packed

    def theirs(index: int, result: bytes) -> bytes | Batch | None:
        return decode(result, stamps)

    # Every expression deserialised once, before the helpers fork, rather than in each of
    # them (they share the parent's pages). Not in an os.register_at_fork hook, as it was: a
    # Ctrl-C landing there was printed as "Exception ignored … Traceback" and lost, the run
    # going on to its end. An expression that cannot be read is the evaluation's error.
    with contextlib.suppress(Exception):
        catalogue_cache.materialise()
    results = forkjobs.share_out(
        shares,
        here,
        lambda share, send: work(evaluation, [units[i] for i in share], send),
        theirs,
    )
    # Every unit is evaluated: the compiled programs (21 MiB of C heap for the built-in
    # catalogue) go before the parent holds every finding, the peak of a first run over all
    # processes (10k objects, failing shape, JSON: see docs/performance.md). A unit whose
    # results did not arrive deserializes what it needs again.
    catalogue_cache.release()
    trim()
    joined = _joined(_unpacked(results[i], units[i], evaluation, stamps) for i in range(len(units)))
    trim()
    return joined


def _unpacked(
    result: bytes | Batch,
    unit: Unit,
    evaluation: Evaluation,
    stamps: Stamps,
) -> Batch:
    """A unit's findings and counts from what :func:`evaluate_all` kept of it."""
    if not isinstance(result, bytes):
        return result
    batch = decode(result, stamps)
    return batch if batch is not None else evaluation.evaluate(unit)


def _joined(batches: Iterable[Batch]) -> Batch:
    findings: list[Finding] = []
    tally: Tally = {}
    for found, counted in batches:
        findings += found
        add_tally(tally, counted)
    return findings, tally


def work(evaluation: Evaluation, units: list[Unit], send: forkjobs.Send) -> None:
    """In a helper: evaluate ``units`` and send each one's findings and counts as soon as it
    has them."""
    for unit in units:
        result: Any
        try:
            findings, tally = evaluation.evaluate(unit)
            result = (to_rows(findings), tally)
        except Exception:  # the parent evaluates it again, and meets the error itself
            result = None
        send(pack(result))
        del result
        trim()


def pack(value: Any) -> bytes:
    """``value`` as a helper sends it: marshal, compressed. The parent holds every result of
    a helper until the helper has ended (its findings are decoded only then, being larger than
    the bytes): 9.7 MB at 10k objects with passes, 1.0 MB compressed, at the moment both
    processes are largest. Level 1: 58 ms to compress those in the helper, 32 ms to expand
    them in the parent."""
    return zlib.compress(marshal.dumps(value, 4), 1)


def decode(result: bytes, stamps: Stamps) -> Batch | None:
    """A helper's findings and counts for one unit, or None when they are not usable."""
    try:
        rows, tally = marshal.loads(zlib.decompress(result))
        return from_rows(rows, stamps), checked_tally(tally)
    except Exception:  # garbled or None: the parent evaluates the unit itself
        return None
