"""GitHub Actions workflow commands: annotations on the declaration files of a pull request.

``::error file=…,line=…,col=…,title=RULE-ID title::message`` for a ``fail`` or an ``error``
finding, ``::warning …`` for a ``warn``, ``::notice …`` for a baselined failure and for each
report notice; then a one-line summary. This is the default format
when ``GITHUB_ACTIONS=true`` and no ``--format`` is given. GitHub shows at most 10 errors and
10 warnings per step as annotations (all of them stay in the log), so they come most severe
first (critical, then high…, each by rule and target); add
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
    # Most severe first, then by rule and target: GitHub shows only the first 10 errors and 10
    # warnings of a step as annotations, which must not be mediums while a critical is hidden.
    shown = sorted(
        sorted_findings(f for f in report.findings if f.status in _COMMAND),
        key=lambda f: -f.severity.rank,
    )
    known: dict[tuple[str, ...], str] = {}
    # New problems first, for the same reason.
    for f in shown:
        if not f.baselined:
            out(annotation(report, f, known) + "\n")
    for f in shown:
        if f.baselined:
            out(annotation(report, f, known) + "\n")
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


def annotation(report: Report, f: Finding, known: dict[tuple[str, ...], str] | None = None) -> str:
    """The workflow command of one finding. ``known``: the escaped properties that findings
    share (a file's, a rule's title at a severity), which the writer keeps between calls."""
    known = {} if known is None else known
    props: list[str] = []
    if f.file is not None:
        props.append(_shared(known, "file", f.file))
        if f.line is not None:
            props.append("line=" + _number(f.line))
        if f.column is not None:
            props.append("col=" + _number(f.column))
    title = known.get(("title", f.rule, f.severity))
    if title is None:
        info = report.rules.get(f.rule)
        text = f"{f.rule} {info.title}" if info and info.title else f.rule
        title = known["title", f.rule, f.severity] = _property(
            "title", f"{text} [{f.severity.value}]"
        )
    props.append(title)
    lines = [f"{f.target}: {f.message}" + (" " + _("(baselined)") if f.baselined else "")]
    if f.related:
        lines.append(_("See also: {related}").format(related=related_text(f)))
    if f.remediation and f.status is not Status.ERROR:
        lines.append(_("Remediation: {hint}").format(hint=f.remediation))
    # Line by line: both escapes go character by character and a line break becomes %0A,
    # and each line is usually printable (document_text returns it as it is), the whole never.
    text = "%0A".join([escape_data(document_text(line)) for line in lines])
    command = "notice" if f.baselined else _COMMAND[f.status]
    return f"::{command} {','.join(props)}::{text}"


def _property(key: str, value: str) -> str:
    return f"{key}={escape_property(document_text(value))}"


def _shared(known: dict[tuple[str, ...], str], key: str, value: str) -> str:
    found = known.get((key, value))
    if found is None:
        found = known[key, value] = _property(key, value)
    return found


def _number(value: int) -> str:
    """A line or column: the digits of an int need no escaping."""
    return int.__repr__(value) if type(value) is int else escape_property(document_text(str(value)))
