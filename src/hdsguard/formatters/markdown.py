"""A Markdown summary for a CI job summary or a merge-request comment.

A header with the counts (failures by severity, new and baselined), a table of what needs
action (fail, error, warn; critical first), each row with its fix, and the first row of each
rule with the rule's references (the regulatory texts behind it, in the run's language; the
rows of a rule follow each other), then collapsed ``<details>`` sections for the baselined
failures, the waived findings and the evidence (passes, not applicable).
Each table stops after ``MAX_ROWS`` rows and says how many more the JSON report holds.

Everything taken from declarations is escaped: a pipe cannot split a table cell, backticks,
brackets, ``<script>`` or an ``@mention`` render as text, and newlines and control characters
cannot break a row. GitHub and GitLab both render this (GitHub Flavored Markdown with
``<details>`` and ``<br>``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from hdsguard.findings import STATUS_ORDER, Finding, Report, Severity, Status
from hdsguard.formatters import RenderOptions, Write, collect
from hdsguard.formatters.escape import document_line
from hdsguard.formatters.text import fail_detail, related_text, status_count
from hdsguard.i18n import _, current, labelled
from hdsguard.l10n import long_date
from hdsguard.undeclared import notes, shorten

_ACTION = (Status.FAIL, Status.ERROR, Status.WARN)
_EVIDENCE = (Status.PASS, Status.NOT_APPLICABLE)
# ASCII punctuation that means something inline in GFM; `@` stops mentions in comments.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~@])")
_SAFE_URI = re.compile(r"^https?://[^\s()<>\\]+$")
# Rows per table, so that a summary stays readable and within what CI accepts (a GitHub job
# summary holds 1 MiB, a GitLab comment 1,000,000 characters, a GitHub comment 65,536).
MAX_ROWS = 100


def md(text: str) -> str:
    """One line of user text, safe inside a table cell or a paragraph."""
    escaped = _MD_SPECIAL.sub(r"\\\1", document_line(text))
    return escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write(report: Report, options: RenderOptions, out: Write) -> None:
    lines = _header(report)
    action = [f for f in report.findings if f.status in _ACTION]
    action.sort(key=_action_order)
    # An undeclared singleton section is said once, before the table of what needs action.
    noted = notes(f for f in action[:MAX_ROWS] if f.file is None)
    if noted:
        note = _("- Note: {note}")
        lines += ["", *(note.format(note=md(n)) for n in noted.values())]
    head = [
        _("| Status | Rule | Severity | Target | Location | Message |"),
        "|---|---|---|---|---|---|",
    ]
    refs: dict[str, str] = {}  # each rule's references as a cell shows them, escaped once
    new = [f for f in action if not f.baselined]
    if new:
        lines += ["", *head]
        lines += _action_rows(report, new[:MAX_ROWS], refs, noted)
        lines += _more(len(new))
    else:
        lines += ["", _("No new failing or warning finding.")]
    known = [f for f in action if f.baselined]
    if known:
        title = _("{n} baselined (known failures, not failing the gate)").format(n=len(known))
        rows = _action_rows(report, known[:MAX_ROWS], refs, noted)
        lines += _details(len(known), title, [*head, *rows])
    waived = [f for f in report.findings if f.status is Status.WAIVED]
    if waived:
        title = status_count(Status.WAIVED, len(waived))
        lines += _details(len(waived), title, _waived_table(report, waived))
    evidence = [f for f in report.findings if f.status in _EVIDENCE]
    if evidence:
        counts = report.summary()
        title = _("{passed} passed, {na} not applicable").format(
            passed=counts["pass"], na=counts["not_applicable"]
        )
        lines += _details(len(evidence), title, _evidence_table(report, evidence))
    # At most a few hundred lines whatever the estate's size (tables stop at MAX_ROWS).
    for line in lines:
        out(line + "\n")


def render(report: Report, options: RenderOptions) -> str:
    return collect(write, report, options)


def _action_order(f: Finding) -> tuple[int, int, str, str]:
    """Fail, error, warn; critical first within each; then rule and target."""
    return _ACTION.index(f.status), _SEVERITIES.index(f.severity), f.rule, f.target


_SEVERITIES = tuple(Severity)


def _header(report: Report) -> list[str]:
    counts = report.summary()
    parts = [status_count(s, counts[s.value]) for s in _ACTION]
    if counts["fail"]:
        parts[0] += f" ({fail_detail(report)})"
    head = ", ".join(parts)
    rest = ", ".join(status_count(s, counts[s.value]) for s in STATUS_ORDER if s not in _ACTION)
    evaluated = _("{rest}. Evaluated as of {date} by hdsguard {version}.")
    lines = [
        "### " + labelled("hdsguard", head),
        "",
        evaluated.format(
            rest=rest,
            date=long_date(report.as_of, current()),
            version=md(report.tool_version),
        ),
    ]
    if report.notices:
        notice = _("- Notice: {notice}")
        lines += ["", *(notice.format(notice=md(n)) for n in report.notices)]
    return lines


def _details(rows: int, summary: str, table: list[str]) -> list[str]:
    """A collapsed table of ``rows`` rows, of which ``table`` holds (at least) the first
    ``MAX_ROWS`` after its two header lines."""
    body = [*table[: 2 + MAX_ROWS], *_more(rows)]
    return ["", "<details>", f"<summary>{summary}</summary>", "", *body, "", "</details>"]


def _more(rows: int) -> list[str]:
    if rows <= MAX_ROWS:
        return []
    more = _("… and {n} more: see the JSON report (`--format json`).")
    return ["", more.format(n=rows - MAX_ROWS)]


def _rule(report: Report, rule: str) -> str:
    info = report.rules.get(rule)
    if info is not None and _SAFE_URI.match(info.help_uri):
        return f"[{md(rule)}]({info.help_uri})"
    return md(rule)


def _where(f: Finding) -> str:
    if f.file is None:
        return _("(not declared)")
    return md(f"{f.file}:{f.line or 1}:{f.column or 1}")


def _action_rows(
    report: Report, findings: list[Finding], refs: dict[str, str], noted: Mapping[str, str]
) -> list[str]:
    """The rows of an action table, the references on the first row of each rule only: a
    rule failing on 40 targets cites its texts once, not 40 times (a comment has 65,536
    characters). ``noted``: the undeclared sections a note before the table names."""
    rows: list[str] = []
    previous: tuple[str, Status, bool] | None = None
    for f in findings:
        first = (f.rule, f.status, f.baselined) != previous
        rows.append(_action_row(report, f, refs if first else None, noted))
        previous = (f.rule, f.status, f.baselined)
    return rows


def _action_row(
    report: Report, f: Finding, refs: dict[str, str] | None, noted: Mapping[str, str]
) -> str:
    """One row; with ``refs`` (the rules' references, kept by the writer), the references
    of its rule after its fix; the fields its section misses when a note names it."""
    message = md(shorten(f, noted) if noted and f.file is None else f.message)
    if f.related:
        message += "<br>" + _("**See also:** {related}").format(related=md(related_text(f)))
    if f.remediation and f.status is not Status.ERROR:
        message += "<br>" + _("**Fix:** {hint}").format(hint=md(f.remediation))
    if refs is not None:
        message += _references(f, refs)
    cells = [
        f"**{f.status.value}**" + (" " + _("(baselined)") if f.baselined else ""),
        _rule(report, f.rule),
        f.severity.value,
        md(f.target),
        _where(f),
        message,
    ]
    return "| " + " | ".join(cells) + " |"


def _references(f: Finding, refs: dict[str, str]) -> str:
    """``<br>**Ref:** …``: the references of ``f``'s rule in the run's language (the engine
    stamps the translated ones), escaped once per rule for the whole summary; nothing for a
    rule without references."""
    cell = refs.get(f.rule)
    if cell is None:
        joined = md(_("; ").join(f.references))
        cell = refs[f.rule] = (
            "<br>" + _("**Ref:** {references}").format(references=joined) if f.references else ""
        )
    return cell


def _waived_table(report: Report, findings: list[Finding]) -> list[str]:
    rows = [_("| Rule | Target | Justification | Approver | Expires |"), "|---|---|---|---|---|"]
    for f in findings[:MAX_ROWS]:  # the rest is only counted
        w = f.waiver
        why, approver, expires = (
            (md(w.justification), md(w.approver), md(w.expires)) if w else (md(f.message), "", "")
        )
        rows.append(
            f"| {_rule(report, f.rule)} | {md(f.target)} | {why} | {approver} | {expires} |"
        )
    return rows


def _evidence_table(report: Report, findings: list[Finding]) -> list[str]:
    rows = [_("| Status | Rule | Target | Message |"), "|---|---|---|---|"]
    for f in findings[:MAX_ROWS]:  # the rest is only counted: no escaping of 70k messages
        status = f.status.value.replace("_", " ")
        rows.append(f"| {status} | {_rule(report, f.rule)} | {md(f.target)} | {md(f.message)} |")
    return rows
