"""Governed waivers (dérogations): justified, approved, time-limited exceptions to a rule.

A waiver names a rule and a target (exact ``section/id``, or an ``fnmatch`` pattern such as
``firewalls/*``). It applies to the fail, warn and error findings it matches while the evaluation
date is on or before ``expires`` (the last valid day, inclusive). States, and how they surface:

- active: the finding becomes ``waived`` and carries the waiver; it never fails the gate;
- expiring (at most ``warn_days`` before ``expires``): still waived, plus a report notice;
- expired: it stops applying; the finding keeps its status, its message ends with
  "(waiver expired on DATE)", and a notice says so;
- orphan (matches no fail, warn or error finding): a notice, the exit code is unchanged;
- long critical (a critical rule waived for more than :data:`CRITICAL_REVIEW_DAYS` days while
  the config sets no ``waiver_policy.max_days.critical``): a notice, never an error. A waiver
  file valid under the declaration contract must not stop every run, nor break an existing
  long waiver on upgrade; the config's cap is what enforces a limit.

Unknown rules, forbidden rules and waivers longer than the configured cap are input errors.

This module reads a waiver file (:func:`load_waivers`), checks it and applies it without
importing pydantic: a file certainly valid is read in plain Python
(:func:`hdsguard.speed.waivercheck.plain_waivers`, the same values as the model's); on any
doubt the pydantic model, :class:`hdsguard.waivers.WaiverFile` (the source of truth for the
schema and every message about a waiver file in error), validates the file as it always did.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from hdsguard.declarations.located import SourceFile
from hdsguard.declarations.sections import SECTIONS
from hdsguard.declarations.validate import did_you_mean, did_you_mean_rule
from hdsguard.errors import Problem
from hdsguard.findings import Finding, Severity, Status, Waiver
from hdsguard.i18n import _, current, ngettext
from hdsguard.l10n import long_date
from hdsguard.modelfile import at, read_source

if TYPE_CHECKING:
    from hdsguard.config import WaiverPolicyValues
    from hdsguard.policies.load import CompiledPolicy
    from hdsguard.speed.waivercheck import PlainWaiverEntry
    from hdsguard.waivers import WaiverEntry

    # One waiver: the model's, or the same values read without it (load_waivers).
    WaiverValues: TypeAlias = WaiverEntry | PlainWaiverEntry

WAIVABLE = frozenset({Status.FAIL, Status.WARN, Status.ERROR})
_GLOB = frozenset("*?[")
# How long a critical risk is usually accepted before it is reviewed again: a quarter (the
# cap `examples/config` sets). Past it, with no cap configured, a waiver gets a notice.
CRITICAL_REVIEW_DAYS = 90


@dataclass(frozen=True)
class WaiverSet:
    source: SourceFile
    entries: tuple[WaiverValues, ...]
    # (index of the waiver, notice) for each long critical waiver (:func:`review_notices`),
    # found when the file is checked against the catalogue and the config.
    reviews: tuple[tuple[int, str], ...] = ()

    def where(self, index: int) -> str:
        line, column = self.source.locate(("waivers", index))
        return f"{self.source.path}:{line}:{column}"


def load_waivers(path: Path) -> WaiverSet:
    """The waivers of the file at ``path``; raises InputError with every problem of the file."""
    from hdsguard.speed.waivercheck import plain_waivers

    source = read_source(path)
    # Certainly valid (most files): its waivers, without importing pydantic (start-up time).
    plain = plain_waivers(source.data)
    if plain is not None:
        return WaiverSet(source, plain)
    from hdsguard.modelfile import validate_model
    from hdsguard.waivers import WaiverFile

    return WaiverSet(source, tuple(validate_model(source, WaiverFile, "waiver").waivers))


def waiver_problems(
    waivers: WaiverSet,
    catalogue: Mapping[str, CompiledPolicy],
    severities: Mapping[str, Severity],
    policy: WaiverPolicyValues,
    as_of: datetime.date,
    config_name: str,
) -> list[Problem]:
    """Unknown or forbidden rules, unknown sections, inverted dates, waivers over the cap."""
    problems: list[Problem] = []
    for index, entry in enumerate(waivers.entries):

        def add(key: str, message: str, index: int = index) -> None:
            problems.append(at(waivers.source, ("waivers", index, key), message))

        if entry.rule not in catalogue:
            hint = did_you_mean_rule(entry.rule, sorted(catalogue))
            add("rule", _("unknown rule '{rule}'").format(rule=entry.rule) + hint)
            continue
        if entry.rule in policy.forbidden:
            add(
                "rule",
                _("waivers for {rule} are forbidden (waiver_policy.forbidden in {config})").format(
                    rule=entry.rule, config=config_name
                ),
            )
        section = entry.target.split("/", 1)[0]
        if not _GLOB & set(section) and section not in SECTIONS:
            hint = did_you_mean(section, list(SECTIONS))
            add("target", _("unknown section '{section}'").format(section=section) + hint)
        if entry.created is not None and entry.created > entry.expires:
            message = _("created {created} is after expires {expires}")
            add("created", message.format(created=entry.created, expires=entry.expires))
        elif entry.created is not None and entry.created > as_of:
            # A waiver dated in the future would measure the cap from that date and apply
            # from today: the cap could be escaped by the dates one writes.
            add(
                "created",
                _(
                    "created {created} is after the evaluation date {as_of}: a waiver cannot "
                    "be granted in the future; write the date it was approved"
                ).format(created=entry.created, as_of=as_of),
            )
        for j, item in enumerate(entry.accepts or ()):
            unknown = _unknown_check(str(item.check), catalogue[entry.rule])
            if unknown:
                problems.append(
                    at(waivers.source, ("waivers", index, "accepts", j, "check"), unknown)
                )
        severity = severities.get(entry.rule, Severity(catalogue[entry.rule].meta.severity))
        cap = getattr(policy.max_days, severity.value)
        over = _over_cap(entry, severity, cap, as_of, config_name)
        if over:
            add("expires", over)
    return problems


def _unknown_check(key: str, policy: CompiledPolicy) -> str | None:
    """What is wrong with ``key`` as a check of ``policy`` in a waiver's ``accepts``, or None."""
    from hdsguard.reasons import APPLICABLE_IF

    keys = [c.key for c in policy.checks]
    if key in keys or key == APPLICABLE_IF:
        return None
    return _("{rule} has no check `{key}`{hint}; its checks are: {keys}").format(
        rule=policy.id,
        key=key,
        hint=did_you_mean(key, keys),
        keys=", ".join(f"`{k}`" for k in keys),
    )


def _span(entry: WaiverValues, as_of: datetime.date) -> tuple[datetime.date, str, int]:
    """When a waiver's duration counts from, how a message names that start ("" or ", the
    evaluation date"), and the duration in days."""
    # From when it was granted, never later than the evaluation date (from which it applies).
    if entry.created is not None and entry.created <= as_of:
        start, named = entry.created, ""
    else:
        start, named = as_of, _(", the evaluation date")
    return start, named, (entry.expires - start).days


def _over_cap(
    entry: WaiverValues, severity: Severity, cap: int | None, as_of: datetime.date, config: str
) -> str | None:
    start, named, duration = _span(entry, as_of)
    if cap is None or duration <= cap:
        return None
    return _(
        "waiver lasts {duration} days (from {start}{named}, to {expires}), over the "
        "{cap}-day cap for {severity} findings (waiver_policy.max_days.{severity} in {config})"
    ).format(
        duration=duration,
        start=start,
        named=named,
        expires=entry.expires,
        cap=cap,
        severity=severity.value,
        config=config,
    )


def review_notices(
    waivers: WaiverSet,
    catalogue: Mapping[str, CompiledPolicy],
    severities: Mapping[str, Severity],
    policy: WaiverPolicyValues,
    as_of: datetime.date,
) -> tuple[tuple[int, str], ...]:
    """A notice for each waiver still in force that accepts a critical risk (the rule's
    severity after the config's overrides) for more than :data:`CRITICAL_REVIEW_DAYS` days,
    when the config caps no critical waiver (``waiver_policy.max_days.critical``); each with
    its waiver's index. ``waivers`` is assumed checked (:func:`waiver_problems`)."""
    if policy.max_days.critical is not None:
        return ()  # the cap decides, as an error past it
    found: list[tuple[int, str]] = []
    for index, entry in enumerate(waivers.entries):
        known = catalogue.get(entry.rule)
        if known is None or as_of > entry.expires:  # an expired waiver accepts nothing now
            continue
        if severities.get(entry.rule, Severity(known.meta.severity)) is not Severity.CRITICAL:
            continue
        start, named, duration = _span(entry, as_of)
        if duration <= CRITICAL_REVIEW_DAYS:
            continue
        what = _("{where}: waiver for {rule} on {target}").format(
            where=waivers.where(index), rule=entry.rule, target=entry.target
        )
        lang = current()
        notice = _(
            "{what} accepts a critical risk for {duration} days (from {start}{named}, to "
            "{expires}): a critical risk is usually reviewed every {review} days. Review it "
            "sooner (a shorter `expires`, renewed after the review), or cap critical waivers "
            "in the config: `waiver_policy.max_days.critical: {review}` (none is set)"
        ).format(
            what=what,
            duration=duration,
            start=long_date(start, lang),
            named=named,
            expires=long_date(entry.expires, lang),
            review=CRITICAL_REVIEW_DAYS,
        )
        found.append((index, notice))
    return tuple(found)


def apply_waivers(
    findings: Sequence[Finding], waivers: WaiverSet, as_of: datetime.date, warn_days: int
) -> tuple[list[Finding], list[str]]:
    """Findings with waivers applied, and the notices about the waivers' states."""
    matched: set[int] = set()
    # Waivers matching a finding that stays unwaived: an expired one "counts again" only there.
    unwaived: set[int] = set()
    # Waivers in force matching a finding whose reason their `accepts` does not cover: each
    # with those findings, as they end (waived by another waiver, or not).
    refused: dict[int, list[Finding]] = {}
    out: list[Finding] = []
    for finding in findings:
        hits = _matching(finding, waivers.entries) if finding.status in WAIVABLE else []
        if hits:
            hits, refusing = _by_accepts(finding, hits, as_of)
        else:
            refusing = []
        matched.update(i for i, _ in hits)
        applied = _apply(finding, [w for _, w in hits], as_of)
        if applied.status is not Status.WAIVED:
            unwaived.update(i for i, _ in hits)
        for i in refusing:
            refused.setdefault(i, []).append(applied)
        out.append(applied)
    by_rule: dict[str, list[str]] | None = None

    def failing(found: Sequence[Finding]) -> Mapping[str, list[str]]:
        nonlocal by_rule  # made once, for the first orphan
        if by_rule is None:
            by_rule = {}
            for f in found:
                if f.status in WAIVABLE:
                    by_rule.setdefault(f.rule, []).append(f.target)
        return by_rule

    reviews = dict(waivers.reviews)
    notices: list[str] = []
    for index, entry in enumerate(waivers.entries):
        state = _notice(
            waivers.where(index),
            entry,
            index in matched,
            as_of,
            warn_days,
            replaced=index not in unwaived,
            meant=None if index in matched else _meant(entry, failing(out)),
        )
        if index in refused and index not in matched:
            state = None  # not an orphan: what it matched fails for another reason
        notices += [n for n in (state, reviews.get(index)) if n]
        notices += [_refused_notice(waivers.where(index), entry, f) for f in refused.get(index, ())]
    return out, notices


def _by_accepts(
    finding: Finding, hits: list[tuple[int, WaiverValues]], as_of: datetime.date
) -> tuple[list[tuple[int, WaiverValues]], list[int]]:
    """``hits`` less the waivers in force whose ``accepts`` does not cover the finding's
    reason, and those waivers' indices. An expired waiver accepts nothing any more: it stays
    a hit, and says it expired."""
    from hdsguard.waiveraccepts import covers

    kept: list[tuple[int, WaiverValues]] = []
    refusing: list[int] = []
    for i, w in hits:
        if w.accepts and as_of <= w.expires and not covers(w.accepts, finding.reason):
            refusing.append(i)
        else:
            kept.append((i, w))
    return kept, refusing


def _refused_notice(where: str, entry: WaiverValues, finding: Finding) -> str:
    from hdsguard.waiveraccepts import changes

    what = _("{where}: waiver for {rule} on {target}").format(
        where=where, rule=entry.rule, target=entry.target
    )
    changed = changes(entry.accepts or (), finding.reason)
    if finding.status is Status.WAIVED:
        message = _(
            "{what} does not accept why the finding on {found} does not pass ({changed}); "
            "another waiver waives it. If this one should accept it too, update its `accepts` "
            "(`hdsguard waivers suggest` prints it)"
        )
    else:
        message = _(
            "{what} does not accept why the finding on {found} does not pass ({changed}): "
            "the finding keeps its status `{status}`. If this reason is accepted too, update the "
            "waiver's `accepts` (`hdsguard waivers suggest` prints it)"
        )
    return message.format(
        what=what,
        found=finding.target,
        changed=changed,
        status=finding.status.value,
    )


def _meant(entry: WaiverValues, failing: Mapping[str, list[str]]) -> str | None:
    """The target of an unwaived failing finding of the waiver's rule (``failing``: their
    targets by rule) that its target, a plain name, is likely a typo of
    (`providers/sauvegarde-oest`): "remove it" would be the wrong advice there."""
    if any(ch in entry.target for ch in "*?["):
        return None
    import difflib

    targets = sorted(set(failing.get(entry.rule, ())))
    close = difflib.get_close_matches(entry.target, targets, n=1, cutoff=0.8)
    return close[0] if close else None


def _matching(finding: Finding, entries: Iterable[WaiverValues]) -> list[tuple[int, WaiverValues]]:
    hits = [
        (i, w)
        for i, w in enumerate(entries)
        if w.rule == finding.rule and fnmatchcase(finding.target, w.target)
    ]
    # An exact target is more specific than a pattern: it is preferred, then file order.
    return sorted(hits, key=lambda hit: (hit[1].target != finding.target, hit[0]))


def _apply(finding: Finding, hits: Sequence[WaiverValues], as_of: datetime.date) -> Finding:
    active = [w for w in hits if as_of <= w.expires]
    if active:
        w = active[0]
        record = Waiver(w.justification, w.owner, w.approver, w.expires.isoformat(), w.ticket)
        return finding._replace(status=Status.WAIVED, waiver=record)
    if hits:
        last = max(w.expires for w in hits)
        ended = _(" (waiver expired on {date})").format(date=long_date(last, current()))
        return finding._replace(message=finding.message + ended)
    return finding


def _notice(
    where: str,
    entry: WaiverValues,
    matched: bool,
    as_of: datetime.date,
    warn_days: int,
    *,
    replaced: bool = False,
    meant: str | None = None,
) -> str | None:
    """``replaced``: every finding the waiver matched is waived by another one; ``meant``:
    the target an orphan's was likely a typo of."""
    what = _("{where}: waiver for {rule} on {target}").format(
        where=where, rule=entry.rule, target=entry.target
    )
    if not matched and meant is not None:
        return _(
            "{what} matches no fail, warn or error finding (orphan): did you mean `{meant}`, "
            "whose {rule} finding it would waive? Correct the target, or remove the waiver"
        ).format(what=what, meant=meant, rule=entry.rule)
    if not matched:
        return _("{what} matches no fail, warn or error finding (orphan): remove it").format(
            what=what
        )
    left = (entry.expires - as_of).days
    expires = long_date(entry.expires, current())
    if left < 0 and replaced:
        return _(
            "{what} expired on {date}, and another waiver covers what it matched: remove it"
        ).format(what=what, date=expires)
    if left < 0:
        return _("{what} expired on {date}: the finding counts again").format(
            what=what, date=expires
        )
    if left <= warn_days:
        when = (
            _("today is its last day")
            if left == 0
            else ngettext("{n} day left", "{n} days left", left).format(n=left)
        )
        return _("{what} expires on {date} ({when}): renew it or fix the finding").format(
            what=what, date=expires, when=when
        )
    return None
