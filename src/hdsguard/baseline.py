"""Baselines: accept today's failures so that a CI gate only fails on new ones.

A baseline lists the failing findings of one run keyed by (rule, target), never by file or line,
so that edits which move lines do not resurface old findings, each with why it failed: its
reason (:mod:`hdsguard.reasons`: the checks that did not hold, their field, the values their
message quotes less those the passing of days changes), and what it said (its message, in the
language of the run, for a person to read). ``check --baseline FILE`` marks the findings still
failing that it lists as ``baselined``: they keep status ``fail`` but do not fail the gate.
A finding whose reason is not the one recorded fails for another reason than the one accepted:
it is not baselined, and a notice says what was accepted (an FTP service accepted while
anonymous FTP was refused, now exposing telnet, stayed hidden; found by HB). Reasons do not
depend on the run's language nor on a message's wording: a baseline survives `--lang` and a
new version's rewording, and a declared duration that changes (an SLA from 60 to 120 days) is a
new reason. A baseline written before reasons were recorded compares messages, its dates and
durations aside (:func:`reason`), in the language it was written in. Entries that no longer
fail are reported as "fixed since baseline" notices.

A baseline is read without importing pydantic when it is certainly valid (what ``hdsguard
baseline`` writes: :func:`hdsguard.speed.baselinecheck.plain_baseline`, the model's values);
on any doubt the pydantic model, :class:`hdsguard.baselinemodel.BaselineFile` (the source of
truth for the schema and every message about a baseline in error), validates it as before.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from hdsguard.declarations.files import display_path, read_text
from hdsguard.declarations.reader import parse
from hdsguard.errors import InputError, Problem
from hdsguard.findings import Finding, Report, Status
from hdsguard.i18n import _, current, ngettext
from hdsguard.l10n import long_date

if TYPE_CHECKING:
    from hdsguard.baselinemodel import BaselineFile

BASELINE_NAME = ".hdsguard-baseline.json"
BASELINE_VERSION = 1


@dataclass(frozen=True)
class Baseline:
    path: str
    as_of: datetime.date
    keys: frozenset[tuple[str, str]]
    # What each entry said when it was written (None: a baseline written before hdsguard
    # recorded it), in the language `lang` (None: not recorded).
    messages: dict[tuple[str, str], str | None] = field(default_factory=dict)
    lang: str | None = None
    # Why each entry failed (hdsguard.reasons; None: a baseline written before hdsguard
    # recorded it, whose messages are compared instead).
    reasons: dict[tuple[str, str], str | None] = field(default_factory=dict)


def baseline_text(report: Report) -> str:
    """The baseline of ``report``: its ``fail`` findings with why each fails and what it
    says, in the run's language, sorted, deterministic JSON."""
    said = {(f.rule, f.target): f for f in report.findings if f.status is Status.FAIL}
    data = {
        "version": BASELINE_VERSION,
        "tool": {"name": "hdsguard", "version": report.tool_version},
        "as_of": report.as_of,
        "lang": current(),
        "findings": [
            {
                "rule": rule,
                "target": target,
                "message": said[(rule, target)].message,
                "reason": said[(rule, target)].reason,
            }
            for rule, target in sorted(said)
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def load_baseline(path: Path) -> Baseline:
    """Read and validate a baseline file; raise InputError naming the file when it is bad."""
    display = display_path(path)
    if not path.exists() and not path.is_symlink():
        # The usual first run of a CI gate: the config names the baseline before anyone
        # wrote it. Say how to write it, not only that it cannot be read.
        message = _(
            "no such baseline file: write it with `hdsguard baseline` (it records the findings "
            "failing today; `--output` names the file), or stop naming it (`--baseline`, "
            "`baseline:` in the config)"
        )
        raise InputError([Problem(display, None, None, message)])
    text = read_text(path, display)
    # Certainly valid (what `hdsguard baseline` writes): its values, read with json alone,
    # without positions or pydantic (start-up time). On any doubt the locating reader reads
    # it, and the model validates it and words its problems.
    from hdsguard.speed.baselinecheck import PlainBaselineFile, json_baseline, plain_baseline

    try:
        model: PlainBaselineFile | BaselineFile | None = json_baseline(text, display)
    except json.JSONDecodeError as exc:
        from hdsguard.jsonwords import json_reason  # only a broken file needs it

        other = _other_kind(text, display)  # a waiver file or a config, in YAML
        if other is not None:
            raise InputError([Problem(display, None, None, other)]) from None
        message = _("not a valid baseline: {detail}").format(detail=json_reason(exc))
        problem = Problem(display, exc.lineno, exc.colno, message)
        raise InputError([problem]) from None
    if model is None:
        source = parse(text, display)
        model = plain_baseline(source.data)
        if model is None:
            from hdsguard.baselinemodel import BaselineFile
            from hdsguard.modelfile import validate_model

            model = validate_model(source, BaselineFile, "baseline")
    messages = {(e.rule, e.target): e.message for e in model.findings}
    reasons = {(e.rule, e.target): e.reason for e in model.findings}
    return Baseline(display, model.as_of, frozenset(messages), messages, model.lang, reasons)


def _other_kind(text: str, display: str) -> str | None:
    """What a file that is not JSON is, when it has the shape of another of hdsguard's files."""
    from hdsguard.declarations.shapes import misplaced

    try:
        data = parse(text, display).data
    except InputError:
        return None
    return misplaced(data, "baseline", display)


# Baselines written before reasons were recorded compare messages (:func:`reason`).
# What changes in a message from one day to the next while its reason stays: the evaluation
# date, and the durations counted from it ("expired on 2026-09-30, 59 days before
# 2026-11-28"). Every other word and number (a protocol, a port, a CVE, a score, a date
# declared) is the reason, and a change to it is a new reason.
_DURATION = re.compile(
    r"\b\d+(?:[\s\u00a0]+(?:and|et)[\s\u00a0]+\d+)?[\s\u00a0]+"
    r"(days?|jours?|months?|mois|years?|ans?|années?)\b"
)


def reason(message: str, as_of: datetime.date, lang: str) -> str:
    """``message`` without what the passing of days changes in it: the evaluation date
    ``as_of`` (as the messages of ``lang`` write it) and the durations in days, months or
    years (``59 days``, ``14 months``): two messages with the same reason on different
    days have the same reason."""
    for day in _day_texts(as_of, lang):
        message = message.replace(day, "{now}")
    return _DURATION.sub(lambda m: "# " + m.group(1).rstrip("s"), message)


@lru_cache(maxsize=8)
def _day_texts(as_of: datetime.date, lang: str) -> tuple[str, ...]:
    """How the messages of ``lang`` write ``as_of``: once per run, not once per finding (a
    French date is formatted by Babel)."""
    return tuple(dict.fromkeys((as_of.isoformat(), long_date(as_of, lang))))


def apply_baseline(
    findings: Sequence[Finding], baseline: Baseline, as_of: datetime.date | None = None
) -> tuple[list[Finding], list[str]]:
    """Mark the failing findings the baseline lists, when they fail for the reason it
    accepted (its recorded reason; in a baseline that records none, its message, compared on
    ``as_of``, this run's evaluation date, by :func:`reason`); notices for the others, and
    for entries that no longer fail."""
    lang = current()
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    waived: set[tuple[str, str]] = set()
    changed: list[tuple[str, str, str]] = []
    foreign = unrecorded = 0
    for f in findings:
        key = (f.rule, f.target)
        if f.status is Status.FAIL and key in baseline.keys:
            seen.add(key)
            accepted = baseline.messages.get(key)
            why = baseline.reasons.get(key)
            if why is not None:  # whatever the language and wording of either message
                if why == f.reason:
                    f = f._replace(baselined=True)
                else:
                    changed.append((f.rule, f.target, accepted or why))
            elif accepted is None:  # written before messages were recorded: as then
                unrecorded += 1
                f = f._replace(baselined=True)
            elif (baseline.lang or lang) != lang:
                foreign += 1
            elif reason(accepted, baseline.as_of, lang) == reason(
                f.message, as_of or baseline.as_of, lang
            ):
                f = f._replace(baselined=True)
            else:
                changed.append((f.rule, f.target, accepted))
        elif f.status is Status.WAIVED:
            waived.add(key)
        out.append(f)
    fixed = _(
        "{file}: {rule} on {target} no longer fails (fixed since baseline of {date}): run "
        "`hdsguard baseline` to drop it"
    )
    # Still failing, but a waiver now covers it: "fixed" would be false.
    now_waived = _(
        "{file}: {rule} on {target} is now waived, not fixed (baseline of {date}): the waiver "
        "governs it; run `hdsguard baseline` to drop it from the baseline"
    )
    date = long_date(baseline.as_of, current())
    notices = [
        (now_waived if (rule, target) in waived else fixed).format(
            file=baseline.path, rule=rule, target=target, date=date
        )
        for rule, target in sorted(baseline.keys - seen)
    ]
    if foreign:
        # Messages in another language cannot be compared: none is taken as the same reason.
        notices.append(
            ngettext(
                "{file}: the baseline of {date} records its messages in {theirs}, this run "
                "writes them in {ours}: whether the {count} finding it lists still fails for "
                "the reason it accepted cannot be told, so it counts as new; run `check` with "
                "`--lang {theirs}`, or write the baseline again",
                "{file}: the baseline of {date} records its messages in {theirs}, this run "
                "writes them in {ours}: whether the {count} findings it lists still fail for "
                "the reason it accepted cannot be told, so they count as new; run `check` with "
                "`--lang {theirs}`, or write the baseline again",
                foreign,
            ).format(file=baseline.path, date=date, theirs=baseline.lang, ours=lang, count=foreign)
        )
    if unrecorded:
        notices.append(
            ngettext(
                "{file}: the baseline of {date} records no message for {count} finding (written "
                "before hdsguard recorded them): it is matched by rule and target alone, so a "
                "new reason to fail would stay hidden; run `hdsguard baseline` to record it",
                "{file}: the baseline of {date} records no message for {count} findings "
                "(written before hdsguard recorded them): they are matched by rule and target "
                "alone, so a new reason to fail would stay hidden; run `hdsguard baseline` to "
                "record them",
                unrecorded,
            ).format(file=baseline.path, date=date, count=unrecorded)
        )
    another = _(
        "{file}: {rule} on {target} fails for another reason than the one the baseline of "
        "{date} accepted, so it counts as new; it accepted: {accepted}. To accept the new "
        "reason, run `hdsguard baseline`"
    )
    notices += [
        another.format(file=baseline.path, rule=rule, target=target, date=date, accepted=said)
        for rule, target, said in sorted(changed)
    ]
    return out, notices


def new_only(report: Report) -> Report:
    """``report`` without its baselined findings (``--new-only``), with a notice saying how
    many were left out, so that a short report never looks like a clean estate."""
    kept = tuple(f for f in report.findings if not f.baselined)
    hidden = len(report.findings) - len(kept)
    if not hidden:
        return report
    notice = ngettext(
        "{n} baselined failure not shown (--new-only)",
        "{n} baselined failures not shown (--new-only)",
        hidden,
    ).format(n=hidden)
    return replace(report, findings=kept, notices=(*report.notices, notice))
