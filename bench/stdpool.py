"""The fork pool against the standard library's process pool, on first runs (issue 17).

    python bench/stdpool.py DATA_DIR [--formats text,json] [--reps 5]
    python bench/stdpool.py --run check DIR --format json ...   # hdsguard on the executor

:func:`share_out` is :func:`hdsguard.speed.forkjobs.share_out` rebuilt on
``concurrent.futures.ProcessPoolExecutor`` with a fork context, behind the same interface: the
parent does the first share itself, each other share is one task of a helper the executor
forks, and whatever a helper does not deliver (it died, raised, stayed stuck past its patience,
or sent what ``decode`` refuses) the parent does itself. ``--run`` runs the hdsguard command
line with it in place of the fork pool (``tests/test_parallel_eval.py`` passes that way too:
swap it in with ``monkeypatch``).

The comparison runs ``hdsguard check DATA_DIR --format F`` with each pool, interleaved, every
run with an empty cache (a first run, the only one that forks at 10k objects), and prints the
median wall and CPU time (``wait4``, helpers included) and the median peak proportional set
size of all processes (``/proc``, sampled every 20 ms in one more untimed run, as
``bench/run.py`` does). It measures the installed hdsguard (run it from the environment to
compare). The outputs of both are compared byte for byte.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from run import _pss_kib, _tree

from hdsguard.speed import forkjobs

T = TypeVar("T")
AS_OF = "2026-11-28"

# What the helpers run, set before the executor forks them: they inherit it, so that only a
# share's index is pickled to them (the work is a closure over the evaluation).
_JOB: tuple[Callable[[list[int], forkjobs.Send], None], list[list[int]]] | None = None


def share_out(
    shares: Sequence[Sequence[int]],
    here: Callable[[int], T],
    work: Callable[[list[int], forkjobs.Send], None],
    decode: Callable[[int, bytes], T | None],
) -> dict[int, T]:
    """What :func:`hdsguard.speed.forkjobs.share_out` gives, the helpers run by the standard
    library's process pool."""
    global _JOB
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    outcomes: dict[int, T] = {}
    mine = list(shares[0])
    theirs = [list(share) for share in shares[1:]]
    pool: Any = None
    futures: list[Any] = []
    clean = False  # every helper delivered: let them exit, kill none
    try:
        if theirs:
            _JOB = (work, theirs)
            with contextlib.suppress(OSError):  # the system refuses a fork: done here
                pool = ProcessPoolExecutor(
                    max_workers=len(theirs),
                    mp_context=get_context("fork"),
                    initializer=_helper_start,
                )
                futures = [pool.submit(_run, i) for i in range(len(theirs))]
        started = time.monotonic()
        for index in mine:
            outcomes[index] = here(index)
        deadline = time.monotonic() + forkjobs.patience(time.monotonic() - started)
        delivered: list[Any] = []
        for i in range(len(theirs)):
            results: Any = None
            if i < len(futures):
                try:
                    results = futures[i].result(timeout=max(0.0, deadline - time.monotonic()))
                except Exception:  # died, raised, stuck or refused: none of it is used
                    _stop(pool, kill=True)
            delivered.append(results)
        # The helpers end before their results are decoded (the executor keeps an idle worker
        # alive until shut down; decoding beside it cost 12-24 MiB more at 10k objects).
        if pool is not None:
            _stop(pool, kill=False)
        for share, results in zip(theirs, delivered, strict=True):
            if type(results) is not list or len(results) != len(share):
                results = [None] * len(share)
            for index, result in zip(share, results, strict=True):
                outcome = decode(index, result) if type(result) is bytes else None
                outcomes[index] = outcome if outcome is not None else here(index)
        clean = True
    finally:
        _JOB = None
        if pool is not None:
            _stop(pool, kill=not clean)
    return outcomes


def _helper_start() -> None:
    """In a helper, first: standard streams at /dev/null, the inherited objects kept away
    from the collector (as the fork pool's helpers)."""
    forkjobs._silence()
    gc.freeze()


def _run(index: int) -> list[bytes]:
    """In a helper: the results of share ``index``, one per item."""
    assert _JOB is not None
    work, theirs = _JOB
    results: list[bytes] = []
    work(theirs[index], results.append)
    return results


def _stop(pool: Any, *, kill: bool) -> None:
    """Shut the executor down, its processes reaped and its threads joined; ``kill``: kill
    its helpers first (no public way to before Python 3.14)."""
    if kill:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            with contextlib.suppress(Exception):
                process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


def _command(pool: str, data: str, fmt: str) -> list[str]:
    args = ["check", data, "--as-of", AS_OF, "--format", fmt]
    if pool == "executor":
        return [sys.executable, __file__, "--run", *args]
    return [sys.executable, "-m", "hdsguard", *args]


def _once(argv: list[str], out: Any, *, sampled: bool) -> tuple[float, float, float]:
    """Wall and CPU seconds, or (when ``sampled``) the peak PSS of all processes in MiB, of
    one run with an empty cache."""
    cache = tempfile.mkdtemp()
    env = {**os.environ, "HDSGUARD_CACHE_DIR": cache}
    try:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, env=env)
        if not sampled:
            _, _, usage = os.wait4(proc.pid, 0)
            return time.perf_counter() - started, usage.ru_utime + usage.ru_stime, 0.0
        peak = 0
        while proc.poll() is None:
            peak = max(peak, sum(_pss_kib(pid) for pid in _tree(proc.pid)))
            time.sleep(0.02)
        return 0.0, 0.0, peak / 1024
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def compare(data: str, formats: list[str], reps: int) -> None:
    pools = ("fork pool", "executor")
    seen: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    with tempfile.TemporaryDirectory() as outs:
        for _ in range(reps):
            for fmt in formats:
                for pool in pools:
                    argv = _command(pool, data, fmt)
                    with open(os.path.join(outs, f"{pool}.{fmt}"), "wb") as out:
                        wall, cpu, _ = _once(argv, out, sampled=False)
                    _, _, peak = _once(argv, subprocess.DEVNULL, sampled=True)
                    seen.setdefault((fmt, pool), []).append((wall, cpu, peak))
        for fmt in formats:
            with (
                open(os.path.join(outs, f"{pools[0]}.{fmt}"), "rb") as a,
                open(os.path.join(outs, f"{pools[1]}.{fmt}"), "rb") as b,
            ):
                same = a.read() == b.read()
            base: tuple[float, ...] = ()
            for pool in pools:
                runs = seen[(fmt, pool)]
                median = tuple(statistics.median(r[k] for r in runs) for k in range(3))
                base = base or median
                print(
                    f"{fmt:8} {pool:9}  wall {median[0]:6.3f} s ({median[0] / base[0]:.3f})"
                    f"  CPU {median[1]:6.3f} s ({median[1] / base[1]:.3f})"
                    f"  peak, all processes {median[2]:6.1f} MiB ({median[2] - base[2]:+.1f})"
                )
            print(f"{fmt:8} outputs {'identical' if same else 'DIFFER'}")


def main() -> None:
    if sys.argv[1:2] == ["--run"]:
        forkjobs.share_out = share_out  # evalsplit looks it up on each run
        from hdsguard.cli import main as hdsguard

        sys.argv = ["hdsguard", *sys.argv[2:]]
        hdsguard()
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help="a declaration set (bench/generate.py)")
    parser.add_argument("--formats", default="text,json")
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    compare(args.data, args.formats.split(","), args.reps)


if __name__ == "__main__":
    main()
