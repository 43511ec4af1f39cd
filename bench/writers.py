"""Time each output format's writer alone, in process, on one declaration set (issue 17).

    python bench/writers.py DATA_DIR [--reps N] [--formats text,json,...] [--out DIR]

The set is checked once per kind of report (passes hidden: text, SARIF, annotations; passes
included: JSON, JUnit, Markdown, and text with ``--verbose``, named ``text-verbose``), as the
command line would; then each writer runs once untimed (its first run fills the caches, as in
a real run), then ``--reps`` times into ``os.devnull`` through the chunks of ``output.py``.
Printed: the best wall and CPU time of the repetitions. ``--out DIR`` also writes each
output to ``DIR/<format>``, to compare the bytes of two versions with ``cmp``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import time
from pathlib import Path

from hdsguard import api
from hdsguard.findings import Report
from hdsguard.formatters import Chunks, RenderOptions, Writer, writer

ALL = ("text", "sarif", "github", "json", "junit", "markdown", "text-verbose")
_WITH_PASSES = frozenset({"json", "junit", "markdown", "text-verbose"})
AS_OF = datetime.date(2026, 11, 28)


def _write(write: Writer, report: Report, options: RenderOptions, path: str) -> None:
    # surrogateescape: as output.py writes files (names that are not UTF-8 keep their bytes).
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        chunks = Chunks(f.write)
        write(report, options, chunks)
        chunks.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--formats", default=",".join(ALL))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    reports: dict[bool, Report] = {}
    for fmt in args.formats.split(","):
        passes = fmt in _WITH_PASSES
        if passes not in reports:
            options = api.CheckOptions(as_of=AS_OF, evidence=passes)
            reports[passes] = api.check([str(args.data)], options)
        report = reports[passes]
        write = writer(fmt.removesuffix("-verbose"))
        render = RenderOptions(verbose=fmt == "text-verbose")
        if args.out is not None:
            args.out.mkdir(parents=True, exist_ok=True)
        _write(write, report, render, str(args.out / fmt) if args.out else os.devnull)
        wall = cpu = float("inf")
        for _ in range(args.reps):
            start, start_cpu = time.perf_counter(), time.process_time()
            _write(write, report, render, os.devnull)
            wall = min(wall, time.perf_counter() - start)
            cpu = min(cpu, time.process_time() - start_cpu)
        n = len(report.findings)
        print(f"{fmt:13} {n:7} findings  write {wall:.3f} s  cpu {cpu:.3f} s", flush=True)


if __name__ == "__main__":
    main()
