"""Terminal output: problems first, grouped by rule, then a one-line summary."""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby

from hdsguard.findings import STATUS_ORDER, Finding, Report, Status
from hdsguard.formatters import RenderOptions, Write, collect
from hdsguard.formatters.escape import name, one_line
from hdsguard.i18n import _, current, ngettext
from hdsguard.l10n import long_date

# Order of the sections of the output: what needs action first.
_SHOWN = (Status.FAIL, Status.ERROR, Status.WARN, Status.WAIVED)
_VERBOSE = (Status.PASS, Status.NOT_APPLICABLE)
_LABEL = {
    Status.FAIL: "FAIL",
    Status.ERROR: "ERROR",
    Status.WARN: "WARN",
    Status.WAIVED: "WAIVED",
    Status.PASS: "PASS",
    Status.NOT_APPLICABLE: "N/A",
}
_COLOUR = {
    Status.FAIL: "31",
    Status.ERROR: "35",
    Status.WARN: "33",
    Status.WAIVED: "36",
    Status.PASS: "32",
    Status.NOT_APPLICABLE: "2",
}


def _paint(text: str, status: Status, colour: bool) -> str:
    return f"\x1b[{_COLOUR[status]}m{text}\x1b[0m" if colour else text


def _where(f: Finding) -> str:
    if f.file is None:
        return _("(not declared)")
    return f"{name(f.file)}:{f.line}:{f.column}"


def related_text(f: Finding) -> str:
    """The other locations of a finding (evidence or declaration), comma-separated."""
    return ", ".join(f"{name(p)}:{line}:{col}" for p, line, col in f.related)


def write(report: Report, options: RenderOptions, out: Write) -> None:
    statuses = _SHOWN + (_VERBOSE if options.verbose else ())
    shown: dict[Status, list[Finding]] = {status: [] for status in statuses}
    for finding in report.findings:  # one pass, not one per status: 74k findings at 10k
        bucket = shown.get(finding.status)
        if bucket is not None:
            bucket.append(finding)
    for status in statuses:
        chosen = shown[status]
        for rule, group in groupby(chosen, key=lambda f: f.rule):
            items = list(group)
            first = items[0]
            info = report.rules.get(rule)
            title = f" {one_line(info.title)}" if info else ""
            label = _paint(_LABEL[status], status, options.colour)
            out(f"{label} {rule} [{first.severity.value}]{title}\n")
            for f in items:
                out(f"  {_where(f)}  {name(f.target)}\n    {one_line(f.message)}\n")
                if f.related:
                    out("    " + _("see also: {related}").format(related=related_text(f)) + "\n")
                if status in (Status.FAIL, Status.WARN, Status.ERROR) and f.remediation:
                    out("    " + _("fix: {hint}").format(hint=one_line(f.remediation)) + "\n")
                if f.waiver is not None:
                    waived = _("waived until {expires} by {approver}: {justification}")
                    text = waived.format(
                        expires=long_date(f.waiver.expires, current()),
                        approver=name(f.waiver.approver),
                        justification=one_line(f.waiver.justification),
                    )
                    out(f"    {text}\n")
                if f.baselined:
                    out("    " + _("baselined: known failure, does not fail the gate") + "\n")
            out("\n")
    for n in report.notices:
        out(_("notice: {notice}").format(notice=name(n)) + "\n")
    if report.notices:
        out("\n")
    out(_summary(report, options) + "\n")


def render(report: Report, options: RenderOptions) -> str:
    return collect(write, report, options)


def status_count(status: Status, n: int) -> str:
    """``33 fail``, ``25 not applicable``: a count of one status, in the run's language."""
    return _COUNTS[status](n).format(n=n)


# One ngettext call per status, written out so that the extractor finds each message.
_COUNTS: dict[Status, Callable[[int], str]] = {
    Status.PASS: lambda n: ngettext("{n} pass", "{n} pass", n),
    Status.FAIL: lambda n: ngettext("{n} fail", "{n} fail", n),
    Status.WARN: lambda n: ngettext("{n} warn", "{n} warn", n),
    Status.WAIVED: lambda n: ngettext("{n} waived", "{n} waived", n),
    Status.NOT_APPLICABLE: lambda n: ngettext("{n} not applicable", "{n} not applicable", n),
    Status.ERROR: lambda n: ngettext("{n} error", "{n} error", n),
}


def _summary(report: Report, options: RenderOptions) -> str:
    counts = report.summary()
    parts = []
    for status in STATUS_ORDER:
        n = counts[status.value]
        text = status_count(status, n)
        parts.append(_paint(text, status, options.colour) if n and status in _COLOUR else text)
    baselined = sum(1 for f in report.findings if f.baselined)
    if baselined:
        parts.append(ngettext("{n} baselined", "{n} baselined", baselined).format(n=baselined))
    hidden = "" if options.verbose else " " + _("(use --verbose to list passes)")
    head = _("hdsguard {date}: ").format(date=long_date(report.as_of, current()))
    return head + ", ".join(parts) + hidden
