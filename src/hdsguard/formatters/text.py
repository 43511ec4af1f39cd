"""Terminal output: what needs action first, grouped by rule, then a one-line summary.

Order: new failures (critical first, then by rule), errors, warnings, waived findings, then
the baselined failures (known, they do not fail the gate), and with ``--verbose`` the passes
and not-applicable findings. When every target of a rule shares the same fix, it is printed
once under the rule, not once per target. A rule's references (the regulatory texts behind
it, in the run's language) close each block that needs action, once per block (``ref:``).
Lines are wrapped to ``RenderOptions.width`` when one is given (a terminal, or ``--width``);
otherwise never, so pipes get the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import groupby

from hdsguard.findings import STATUS_ORDER, Finding, Report, Severity, Status
from hdsguard.formatters import RenderOptions, Write, collect
from hdsguard.formatters.escape import name, one_line, printable
from hdsguard.i18n import _, current, labelled, ngettext
from hdsguard.l10n import long_date
from hdsguard.undeclared import notes, shorten
from hdsguard.wrapping import wrap

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
_NEEDS_FIX = (Status.FAIL, Status.WARN, Status.ERROR)
_SEVERITIES = tuple(Severity)  # critical first
# Where each kind of finding is shown: what needs a decision first, known failures after it,
# the evidence (``--verbose``) last.
_PLACE_SHORT = {Status.FAIL: 0, Status.ERROR: 1, Status.WARN: 2, Status.WAIVED: 3}
_BASELINED_PLACE = 4
_PLACE = {**_PLACE_SHORT, Status.PASS: 5, Status.NOT_APPLICABLE: 6}


def _paint(text: str, status: Status, colour: bool) -> str:
    return f"\x1b[{_COLOUR[status]}m{text}\x1b[0m" if colour else text


def _where(f: Finding, places: dict[str, str]) -> str:
    if f.file is None:
        return _("(not declared)")
    place = places.get(f.file)
    if place is None:
        place = places[f.file] = name(f.file)
    return f"{place}:{f.line}:{f.column}"


def related_text(f: Finding) -> str:
    """The other locations of a finding (evidence or declaration), comma-separated."""
    return ", ".join(f"{name(p)}:{line}:{col}" for p, line, col in f.related)


def _blocks(report: Report, verbose: bool) -> list[list[Finding]]:
    """The findings to show, in the order they are shown: one list per (status, rule)."""
    shown = _PLACE if verbose else _PLACE_SHORT
    picked = [f for f in report.findings if f.status in shown]  # they come by rule, target
    groups = [list(g) for _, g in groupby(picked, key=lambda f: (f.status, f.baselined, f.rule))]

    def key(group: list[Finding]) -> tuple[int, int, str]:
        first = group[0]
        place = _BASELINED_PLACE if first.baselined else _PLACE[first.status]
        severity = _SEVERITIES.index(first.severity) if first.status in _NEEDS_FIX else 0
        return place, severity, first.rule

    return sorted(groups, key=key)


def write(report: Report, options: RenderOptions, out: Write) -> None:
    places: dict[str, str] = {}  # each file's name as shown, escaped once for the report
    refs: dict[str, str] = {}  # each rule's reference line, rendered once for the report
    blocks = _blocks(report, options.verbose)
    # An undeclared singleton section is said once, after the findings (failures come first).
    noted = notes(f for items in blocks for f in items if f.file is None)
    for items in blocks:
        for piece in _block(report, items, options, places, refs, noted):
            out(piece)
        out("\n")
    for note in noted.values():
        out(_wrap(_("note: {note}").format(note=one_line(note)), "  ", options) + "\n")
    if noted:
        out("\n")
    for n in report.notices:
        out(_wrap(_("notice: {notice}").format(notice=name(n)), "  ", options) + "\n")
    if report.notices:
        out("\n")
    out(_wrap(summary(report, options.colour, options.verbose), "  ", options) + "\n")


def render(report: Report, options: RenderOptions) -> str:
    return collect(write, report, options)


def _block(
    report: Report,
    items: list[Finding],
    options: RenderOptions,
    places: dict[str, str],
    refs: dict[str, str],
    noted: Mapping[str, str],
) -> Iterator[str]:
    """The lines of one (status, rule), each finding's lines as one piece (one call of the
    output per finding, not per line). ``places``: the files' names as shown, ``refs``: the
    rules' reference lines, both kept by the writer; ``noted``: the undeclared sections a
    note after the findings names (their findings say only the fields they miss)."""
    first = items[0]
    status = first.status
    info = report.rules.get(first.rule)
    title = f" {one_line(info.title)}" if info else ""
    label = _paint(_LABEL[status], status, options.colour)
    yield _wrap(f"{label} {first.rule} [{first.severity.value}]{title}", "  ", options) + "\n"
    shared = _shared_fix(items) if status in _NEEDS_FIX and len(items) > 1 else None
    for f in items:
        lines = [
            _wrap(f"  {_where(f, places)}  {name(f.target)}", "    ", options),
            _wrap(f"    {one_line(_message(f, noted))}", "      ", options),
        ]
        if f.related:
            also = _("see also: {related}").format(related=related_text(f))
            lines.append(_wrap(f"    {also}", "      ", options))
        if status in _NEEDS_FIX and f.remediation and shared is None:
            fix = _("fix: {hint}").format(hint=one_line(f.remediation))
            lines.append(_wrap(f"    {fix}", "      ", options))
        if f.waiver is not None:
            waived = _("waived until {expires} by {approver}: {justification}").format(
                expires=long_date(f.waiver.expires, current()),
                approver=name(f.waiver.approver),
                justification=one_line(f.waiver.justification),
            )
            lines.append(_wrap(f"    {waived}", "      ", options))
        if f.baselined:
            note = _("baselined: known failure, does not fail the gate")
            lines.append(_wrap(f"    {note}", "      ", options))
        lines.append("")
        yield "\n".join(lines)
    if shared is not None:
        fix = _("fix (each of the {n}): {hint}").format(n=len(items), hint=shared)
        yield _wrap(f"  {fix}", "    ", options) + "\n"
    if status in _NEEDS_FIX and first.references:
        yield _reference_line(first, options, refs)


def _message(f: Finding, noted: Mapping[str, str]) -> str:
    """``f``'s message, cut to the fields it misses when a note says its section is absent."""
    return shorten(f, noted) if noted and f.file is None else f.message


def _reference_line(f: Finding, options: RenderOptions, refs: dict[str, str]) -> str:
    """``  ref: CSP L.1111-8; CSP L.1115-1``: the references of ``f``'s rule (in the run's
    language: the engine stamps the translated ones), once per rule and block, not per
    finding; rendered once per rule for the whole report (a rule fails, warns and is
    baselined in separate blocks)."""
    line = refs.get(f.rule)
    if line is None:
        ref = _("ref: {references}").format(references=one_line(_("; ").join(f.references)))
        line = refs[f.rule] = _wrap(f"  {ref}", "    ", options) + "\n"
    return line


def _shared_fix(items: list[Finding]) -> str | None:
    """The one fix of every target of a rule, when they differ at most by the target's own
    id (written ``<id>`` then); None when the fixes really differ."""
    texts = set()
    for f in items:
        if not f.remediation:
            return None
        ident = f.target.rsplit("/", 1)[-1]
        texts.add(one_line(f.remediation).replace(printable(ident), "<id>") if ident else "")
    return texts.pop() if len(texts) == 1 else None


def _wrap(line: str, indent: str, options: RenderOptions) -> str:
    """``line`` cut at word boundaries to the width, continuation lines indented."""
    if options.width is None or len(line) <= options.width:
        return line
    lead = line[: len(line) - len(line.lstrip(" "))]
    return "\n".join(
        wrap(
            line.lstrip(" "),
            max(options.width, len(indent) + 20),
            initial_indent=lead,
            subsequent_indent=indent,
        )
    )


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
_SEVERITY_COUNTS: dict[Severity, Callable[[int], str]] = {
    Severity.CRITICAL: lambda n: ngettext("{n} critical", "{n} critical", n),
    Severity.HIGH: lambda n: ngettext("{n} high", "{n} high", n),
    Severity.MEDIUM: lambda n: ngettext("{n} medium", "{n} medium", n),
    Severity.LOW: lambda n: ngettext("{n} low", "{n} low", n),
    Severity.INFO: lambda n: ngettext("{n} info", "{n} info", n),
}


def severity_counts(findings: Iterable[Finding]) -> str:
    """``1 critical, 2 high``: the failures of each severity, critical first, zeros left out."""
    tally = {s: 0 for s in _SEVERITIES}
    for f in findings:
        tally[f.severity] += 1
    return ", ".join(_SEVERITY_COUNTS[s](n).format(n=n) for s, n in tally.items() if n)


def summary(report: Report, colour: bool = False, verbose: bool = False) -> str:
    """``hdsguard DATE: 98 pass, 33 fail (3 new: 1 critical, 2 high; 30 baselined), …``."""
    counts = report.summary()
    parts = []
    for status in STATUS_ORDER:
        n = counts[status.value]
        text = status_count(status, n)
        if status is Status.FAIL and n:
            text += f" ({fail_detail(report)})"
        parts.append(_paint(text, status, colour) if n else text)
    hidden = "" if verbose else " " + _("(use --verbose to list passes)")
    head = _("hdsguard {date}: ").format(date=long_date(report.as_of, current()))
    return head + ", ".join(parts) + hidden


def fail_detail(report: Report) -> str:
    """``2 critical, 1 high``, or with a baseline ``3 new: 2 critical, 1 high; 30 baselined``."""
    fails = [f for f in report.findings if f.status is Status.FAIL]
    new = [f for f in fails if not f.baselined]
    known = len(fails) - len(new)
    if not known:
        return severity_counts(new)
    detail = ngettext("{n} new", "{n} new", len(new)).format(n=len(new))
    if new:
        detail = labelled(detail, severity_counts(new))
    baselined = ngettext("{n} baselined", "{n} baselined", known).format(n=known)
    # French puts a space before the colon and the semicolon ("3 nouveaux : … ; 30 déjà connus").
    return _("{new}; {baselined}").format(new=detail, baselined=baselined)
