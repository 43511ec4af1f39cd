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

import datetime
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from hdsguard.findings import Finding, Report, Status

if TYPE_CHECKING:
    from hdsguard.api import CheckOptions

DEFAULT_HORIZON_DAYS = 180

Pair = tuple[str, str]  # (rule, target)
# The findings of a run at a date, restricted to some rules: what the bisection asks. Passes
# and not-applicable pairs are only counted (no evidence): a pair missing from it holds.
Evaluator = Callable[[datetime.date, Collection[Pair]], Mapping[Pair, Finding]]


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
    """Evaluates (rule, target) pairs as on another date, without waivers nor baseline: the
    findings of those that fail, warn or error (the others pass or do not apply).

    The declarations and the catalogue are loaded once, as ``check`` loads them; each date
    then runs the engine on the targets asked about only, with the run's parameters and
    severities: a bisection over 180 days of a 10k-object estate evaluates each pair about
    eight times, not the whole estate eight times per distinct date.
    """
    from hdsguard import i18n
    from hdsguard.api import load_policies, read_declarations, selected
    from hdsguard.engine import Evaluation

    # In the run's language, as `check` loads it: a deadline's message is the rule's own on
    # that day, and a French report said it in English.
    runtime, catalogue = load_policies(options.policy_dirs, lang=options.lang or i18n.current())
    policies = {p.id: p for p in selected(catalogue, options)}
    decl, _ = read_declarations(paths, options)  # exactly the data `check` evaluated
    sections = sorted({s for p in policies.values() for s in p.meta.applies_to})
    where = {
        target: (section, index)
        for section in sections
        for index, (target, _, _) in enumerate(decl.targets(section))
    }

    def run_at(day: datetime.date, pairs: Collection[Pair]) -> Mapping[Pair, Finding]:
        chosen = [policies[r] for r in sorted({rule for rule, _ in pairs}) if r in policies]
        evaluation = Evaluation(runtime, chosen, decl, day, options.params, options.severities,
                                evidence=False, with_reasons=False)  # fmt: skip
        found: dict[Pair, Finding] = {}
        for section, index in sorted({where[t] for _, t in pairs if t in where}):
            if section in evaluation.by_section:
                # Passes are only counted (evidence=False): a pair not found holds.
                for f in evaluation.evaluate((section, index, index + 1))[0]:
                    found[(f.rule, f.target)] = f
        return found

    return run_at


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
    # Today's verdicts are the report's (a waived finding fails, a baselined one too).
    holding = {
        (f.rule, f.target) for f in report.findings if f.status in (Status.PASS, Status.WARN)
    }
    end = evaluate(as_of + datetime.timedelta(days=horizon_days), holding)
    # Each pair's interval: lo holds (offset in days), hi fails.
    open_ = {
        pair: (0, horizon_days)
        for pair in sorted(holding)
        if pair in end and end[pair].status is Status.FAIL
    }
    failing_at: dict[Pair, Finding] = {pair: end[pair] for pair in open_}
    runs: dict[int, dict[Pair, Finding]] = defaultdict(dict)
    while any(hi - lo > 1 for lo, hi in open_.values()):
        mids: dict[int, set[Pair]] = defaultdict(set)
        for pair, (lo, hi) in open_.items():
            if hi - lo > 1 and pair not in runs[(lo + hi) // 2]:
                mids[(lo + hi) // 2].add(pair)
        for offset in sorted(mids):
            day = as_of + datetime.timedelta(days=offset)
            runs[offset].update(evaluate(day, sorted(mids[offset])))
        for pair, (lo, hi) in list(open_.items()):
            if hi - lo <= 1:
                continue
            mid = (lo + hi) // 2
            found = runs[mid].get(pair)
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
