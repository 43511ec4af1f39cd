"""Upcoming deadlines: the first day, within a horizon, on which a rule that holds today fails.

Nothing here knows what a certificate or a surveillance audit is. The rules already encode
every date limit (``days_since(x) <= params.max_age_days``, ``valid_until >= now``…), so the
deadlines are found by evaluating the same rules on later dates: a (rule, target) pair that
passes (or warns) today and fails at the end of the horizon fails from some day in between,
found by bisection. A new rule with a date parameter gets its deadlines without a line of
code here, and a hand-kept list cannot drift from what ``check`` decides.

The projection runs without waivers or baseline (they hide the rule's own verdict); a waiver
that expires within the horizon is a deadline of its own: the day after its last valid day.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from hdsguard.findings import Finding, Report, Status

if TYPE_CHECKING:
    from hdsguard.api import CheckOptions

DEFAULT_HORIZON_DAYS = 180

Pair = tuple[str, str]  # (rule, target)
# The findings of a run at a date, restricted to some rules: what the bisection asks.
Evaluator = Callable[[datetime.date, frozenset[str]], Mapping[Pair, Finding]]


class Deadline(NamedTuple):
    date: datetime.date  # the first day the rule fails (the day after a last valid day)
    kind: str  # "rule": a date limit of the rule; "waiver": the waiver's end
    rule: str
    target: str
    severity: str
    message: str  # the failure message on that day, or the waiver's justification
    file: str | None
    line: int | None


def evaluator(paths: Sequence[str], options: CheckOptions) -> Evaluator:
    """Runs ``check`` as on another date, without waivers nor baseline, on some rules."""
    from hdsguard.api import check

    # The waiver and baseline files stay excluded from the declarations they are not.
    extra = tuple(p for p in (options.waivers_file, options.baseline_file) if p is not None)
    raw = dataclasses.replace(
        options,
        waivers_file=None,
        baseline_file=None,
        exclude=(*options.exclude, *extra),
        evidence=False,
    )

    def run(day: datetime.date, rules: frozenset[str]) -> Mapping[Pair, Finding]:
        report = check(paths, dataclasses.replace(raw, as_of=day, only=rules))
        return {(f.rule, f.target): f for f in report.findings}

    return run


def project(
    evaluate: Evaluator,
    as_of: datetime.date,
    report: Report,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> list[Deadline]:
    """Every deadline in ``(as_of, as_of + horizon_days]``, sorted by date, rule, target."""
    deadlines = _waiver_deadlines(report, as_of, horizon_days)
    if horizon_days <= 0:
        return sorted(deadlines)
    rules = frozenset(report.rules)
    today = evaluate(as_of, rules)
    holding = {pair for pair, f in today.items() if f.status in (Status.PASS, Status.WARN)}
    end = evaluate(as_of + datetime.timedelta(days=horizon_days), rules)
    # Each pair's interval: lo holds (offset in days), hi fails.
    open_ = {
        pair: (0, horizon_days)
        for pair in sorted(holding)
        if pair in end and end[pair].status is Status.FAIL
    }
    failing_at: dict[Pair, Finding] = {pair: end[pair] for pair in open_}
    runs: dict[int, tuple[frozenset[str], Mapping[Pair, Finding]]] = {}
    while any(hi - lo > 1 for lo, hi in open_.values()):
        mids: dict[int, set[str]] = defaultdict(set)
        for (rule, _), (lo, hi) in open_.items():
            if hi - lo > 1:
                mids[(lo + hi) // 2].add(rule)
        for offset in sorted(mids):
            done, _ = runs.get(offset, (frozenset(), {}))
            if not mids[offset] <= done:
                wanted = done | mids[offset]
                day = as_of + datetime.timedelta(days=offset)
                runs[offset] = (wanted, evaluate(day, wanted))
        for pair, (lo, hi) in list(open_.items()):
            if hi - lo <= 1:
                continue
            mid = (lo + hi) // 2
            found = runs[mid][1].get(pair)
            if found is not None and found.status is Status.FAIL:
                open_[pair] = (lo, mid)
                failing_at[pair] = found
            else:
                open_[pair] = (mid, hi)
    for pair, (_, hi) in open_.items():
        f = failing_at[pair]
        deadlines.append(
            Deadline(
                as_of + datetime.timedelta(days=hi),
                "rule",
                f.rule,
                f.target,
                f.severity.value,
                f.message,
                f.file,
                f.line,
            )
        )
    return sorted(deadlines)


def _waiver_deadlines(report: Report, as_of: datetime.date, horizon: int) -> list[Deadline]:
    out = []
    last = as_of + datetime.timedelta(days=horizon)
    for f in report.findings:
        if f.waiver is None:
            continue
        ends = datetime.date.fromisoformat(f.waiver.expires) + datetime.timedelta(days=1)
        if as_of < ends <= last:
            out.append(
                Deadline(ends, "waiver", f.rule, f.target, f.severity.value,
                         f.waiver.justification, f.file, f.line)
            )  # fmt: skip
    return out
