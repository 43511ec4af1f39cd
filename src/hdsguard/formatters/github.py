"""GitHub Actions workflow commands: annotations on the declaration files of a pull request.

``::error file=…,line=…,col=…,title=RULE-ID title::message`` for a ``fail`` or an ``error``
finding, ``::warning …`` for a ``warn``, ``::notice …`` for a baselined failure and for each
report notice; then a one-line summary. This is the default format
when ``GITHUB_ACTIONS=true`` and no ``--format`` is given. GitHub shows at most 10 errors and
10 warnings per step as annotations (all of them stay in the log): add
``--format markdown=…`` for the job summary or ``--format sarif=…`` for code scanning.

Escaping follows the Actions runner: in the message ``%``, CR and LF become ``%25``, ``%0D``,
``%0A`` (so a value from a declaration can never start a new command line); in properties
``:`` and ``,`` also become ``%3A`` and ``%2C``. Control characters such as ESC are shown as
``\\xNN``. ``file`` is relative to the current directory: run hdsguard from the repository root.
"""

from __future__ import annotations

from hdsguard.findings import STATUS_ORDER, Finding, Report, Status, sorted_findings
from hdsguard.formatters import RenderOptions, Write, collect
from hdsguard.formatters.escape import document_text
from hdsguard.formatters.text import fail_detail, related_text, status_count
from hdsguard.i18n import _, current
from hdsguard.l10n import long_date

_COMMAND = {Status.FAIL: "error", Status.ERROR: "error", Status.WARN: "warning"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def write(report: Report, options: RenderOptions, out: Write) -> None:
    shown = sorted_findings(f for f in report.findings if f.status in _COMMAND)
    # New problems first: GitHub shows only the first 10 errors of a step as annotations.
    for f in shown:
        if not f.baselined:
            out(annotation(report, f) + "\n")
    for f in shown:
        if f.baselined:
            out(annotation(report, f) + "\n")
    for n in report.notices:
        out(f"::notice title=hdsguard::{escape_data(document_text(n))}\n")
    counts = report.summary()
    items = []
    for status in STATUS_ORDER:
        item = status_count(status, counts[status.value])
        if status is Status.FAIL and counts["fail"]:
            item += f" ({fail_detail(report)})"
        items.append(item)
    parts = ", ".join(items)
    out(_("hdsguard {date}: ").format(date=long_date(report.as_of, current())) + parts + "\n")


def render(report: Report, options: RenderOptions) -> str:
    return collect(write, report, options)


def annotation(report: Report, f: Finding) -> str:
    info = report.rules.get(f.rule)
    title = f"{f.rule} {info.title}" if info and info.title else f.rule
    props: list[tuple[str, str]] = []
    if f.file is not None:
        props.append(("file", f.file))
        if f.line is not None:
            props.append(("line", str(f.line)))
        if f.column is not None:
            props.append(("col", str(f.column)))
    props.append(("title", f"{title} [{f.severity.value}]"))
    text = f"{f.target}: {f.message}" + (" " + _("(baselined)") if f.baselined else "")
    if f.related:
        text += "\n" + _("See also: {related}").format(related=related_text(f))
    if f.remediation and f.status is not Status.ERROR:
        text += "\n" + _("Remediation: {hint}").format(hint=f.remediation)
    rendered = ",".join(f"{key}={escape_property(document_text(value))}" for key, value in props)
    command = "notice" if f.baselined else _COMMAND[f.status]
    return f"::{command} {rendered}::{escape_data(document_text(text))}"
