"""JUnit XML for CI test reports (GitLab ``artifacts:reports:junit``, Jenkins, Azure DevOps).

Layout: one ``<testsuite name="RULE-ID">`` per rule that has findings, inside one
``<testsuites name="hdsguard">``; one ``<testcase classname="RULE-ID" name="TARGET">`` per
(rule, target). GitLab lists cases with ``classname`` as their suite and ``name`` as the test,
and shows ``file``; Jenkins groups cases by ``classname``: either way each rule reads as a
group whose tests are the targets it checked.

=================  ===========================================================
finding            test case
=================  ===========================================================
pass               passed
warn               passed, the warning in ``<system-out>``
fail               ``<failure>``: message, remediation, file:line:column
error              ``<error>``: the rule could not be evaluated
not_applicable     ``<skipped message="not applicable: …">``
waived             ``<skipped message="waived: …">`` with the justification
baselined          ``<skipped message="baselined: …">``: a known failure, not the gate's
=================  ===========================================================

Written test case by test case, byte for byte what ``xml.etree`` gives for the whole tree
indented with two spaces (:func:`xml.etree.ElementTree.indent`): markup is escaped as it
escapes it; characters that XML 1.0 cannot carry (control characters, lone surrogates) are
written as visible ``\\xNN`` escapes. No timestamps or durations: the same report always
gives the same bytes.
"""

from __future__ import annotations

import functools
import operator
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import groupby

from hdsguard.findings import Finding, Report, RuleInfo, Status, sorted_findings
from hdsguard.formatters import RenderOptions, Write, collect
from hdsguard.formatters.escape import document_line as xml_line
from hdsguard.formatters.escape import document_text as xml_text
from hdsguard.formatters.text import related_text
from hdsguard.i18n import _, current
from hdsguard.l10n import long_date

_SKIPPED = (Status.NOT_APPLICABLE, Status.WAIVED)
# Indentation of ElementTree.indent(space="  "): a line break, then two spaces per level.
_ROOT, _SUITE, _CASE, _CHILD = "\n", "\n  ", "\n    ", "\n      "

Attributes = Iterable[tuple[str, str]]
# What ElementTree escapes in an attribute value.
_ATTRIBUTE_SPECIAL = re.compile('[&<>"\r\n\t]')


def write(report: Report, options: RenderOptions, out: Write) -> None:
    out('<?xml version="1.0" encoding="UTF-8"?>\n')
    findings = sorted_findings(report.findings)
    root = _start("testsuites", [("name", "hdsguard"), *_counts(findings)])
    if not findings:
        out(root + " />\n")
        return
    out(root + ">")
    for rule, group in groupby(findings, key=lambda f: f.rule):
        out(_SUITE)
        _suite(rule, list(group), report.rules.get(rule), out)
    out(_ROOT + "</testsuites>\n")


def render(report: Report, options: RenderOptions) -> str:
    return collect(write, report, options)


def _start(tag: str, attributes: Attributes) -> str:
    """An opening tag without its ``>``, as ElementTree writes it."""
    return f"<{tag}" + "".join([f' {name}="{_attribute(value)}"' for name, value in attributes])


def _element(tag: str, attributes: Attributes, text: str | None = None) -> str:
    """A leaf element: with text, else empty (``<tag … />``)."""
    if text:
        return f"{_start(tag, attributes)}>{_cdata(text)}</{tag}>"
    return _start(tag, attributes) + " />"


def _attribute(text: str) -> str:
    """ElementTree's attribute escaping (``_escape_attrib``)."""
    if _ATTRIBUTE_SPECIAL.search(text) is None:  # most values: one search, not 7 replaces
        return text
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;")
    return text.replace("\t", "&#09;")


def _line_attribute(text: str) -> str:
    """``_attribute(xml_line(text))``: a printable text without markup (most targets and
    messages) is returned after a few C calls, without the escaping functions' calls."""
    if text.isprintable() and _ATTRIBUTE_SPECIAL.search(text) is None:
        return text
    return _attribute(xml_line(text))


def _cdata(text: str) -> str:
    """ElementTree's character data escaping (``_escape_cdata``)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_STATUS, _BASELINED = operator.itemgetter(1), operator.itemgetter(11)  # Finding's items


def _counts(findings: list[Finding]) -> list[tuple[str, str]]:
    """Tests, failures and errors that fail the gate (not baselined), skipped (baselined, not
    applicable, waived): counted at C speed when nothing is baselined (most reports)."""
    if any(map(_BASELINED, findings)):
        failures = errors = skipped = 0
        for f in findings:
            if f.baselined or f.status in _SKIPPED:
                skipped += 1
            elif f.status is Status.FAIL:
                failures += 1
            elif f.status is Status.ERROR:
                errors += 1
    else:
        by_status = Counter(map(_STATUS, findings))
        failures, errors = by_status[Status.FAIL], by_status[Status.ERROR]
        skipped = by_status[Status.NOT_APPLICABLE] + by_status[Status.WAIVED]
    return [
        ("tests", str(len(findings))),
        ("failures", str(failures)),
        ("errors", str(errors)),
        ("skipped", str(skipped)),
        ("time", "0"),
    ]


def _suite(rule: str, findings: list[Finding], info: RuleInfo | None, out: Write) -> None:
    out(_start("testsuite", [("name", rule), *_counts(findings)]) + ">")
    if info is not None:
        props = [
            _CHILD + _element("property", [("name", name), ("value", xml_line(value))])
            for name, value in (
                ("title", info.title),
                ("severity", info.severity.value),
                ("help_uri", info.help_uri),
            )
            if value
        ]
        out(
            _CASE
            + (
                "<properties>" + "".join(props) + _CASE + "</properties>"
                if props
                else "<properties />"
            )
        )
    # What the cases of a suite share, escaped once: the rule, each file's attribute, each
    # not-applicable reason (most of a rule's skipped cases give one of a few).
    classname, files, skips = _attribute(rule), dict[str | None, str](), dict[str, str]()
    for cases in _cases(findings, classname, files, skips):
        out(cases)
    out(_SUITE + "</testsuite>")


def _cases(
    findings: list[Finding], classname: str, files: dict[str | None, str], skips: dict[str, str]
) -> Iterator[str]:
    """Each ``<testcase …>`` after its line break, 8 at a time (one call of the output's
    chunks, a Python method, per case cost a sixth of the writing; 8 cases stay a few KB).
    Its attributes are written out in ElementTree's order (name, classname, file, line,
    time), in one loop with what it reads in locals, not a call per case. ``classname``: the
    rule escaped; ``files``: each file's ``file`` attribute, escaped once for the suite;
    ``skips``: each not-applicable reason's element."""
    special, passed, not_applicable = _ATTRIBUTE_SPECIAL.search, Status.PASS, Status.NOT_APPLICABLE
    failure = _Failures()
    batch: list[str] = []
    put = batch.append
    for f in findings:
        (
            _rule, status, _severity, target, file, line, _column, message, _remediation,
            _references, _waiver, baselined, _related,
        ) = f  # fmt: skip
        if target.isprintable() and special(target) is None:
            name = target
        else:
            name = _attribute(xml_line(target))
        place = files.get(file)
        if place is None:
            place = files[file] = "" if file is None else f' file="{_line_attribute(file)}"'
        if file is None or line is None:
            head = f'{_CASE}<testcase name="{name}" classname="{classname}"{place}'
        elif type(line) is int:
            head = f'{_CASE}<testcase name="{name}" classname="{classname}"{place} line="{line}"'
        else:
            where = f'{place} line="{_attribute(str(line))}"'
            head = f'{_CASE}<testcase name="{name}" classname="{classname}"{where}'
        if status is passed and not baselined:  # most cases: nothing inside
            child = ""
        elif status is not_applicable and not baselined:
            skipped = skips.get(message)
            if skipped is None:
                skipped = skips[message] = _child(f) or ""
            child = skipped
        elif status is Status.FAIL and not baselined:
            child = failure(f)
        else:
            child = _child(f) or ""
        put(
            f'{head} time="0">{_CHILD}{child}{_CASE}</testcase>' if child else head + ' time="0" />'
        )
        if len(batch) == 8:
            yield "".join(batch)
            batch.clear()
    if batch:
        yield "".join(batch)


class _Failures:
    """``<failure>`` of a failing finding that is not baselined, as :func:`_child` writes it,
    with the words of its details looked up once and its last lines (severity, references)
    escaped once per rule (:func:`_tail`)."""

    def __init__(self) -> None:
        self.remediation = _("Remediation: {hint}")
        self.location = _("Location: {where}")
        self.language = current()

    def __call__(self, f: Finding) -> str:
        severity = f.severity.value
        lines = [xml_text(f"{f.target}: {f.message}")]
        if f.remediation:
            lines.append(xml_text(self.remediation.format(hint=f.remediation)))
        lines.append(xml_text(self.location.format(where=_where(f))))
        if f.related:
            lines.append(xml_text(_("See also: {related}").format(related=related_text(f))))
        lines.append(_tail(severity, f.references, self.language))
        details = _cdata("\n".join(lines))
        return (
            f'<failure message="{_line_attribute(f.message)}" type="{_attribute(severity)}">'
            f"{details}</failure>"
        )


def _child(f: Finding) -> str | None:
    if f.status is Status.PASS and not f.baselined:  # most cases: nothing inside
        return None
    if f.baselined:
        return _skipped(_("baselined: {message}").format(message=f.message))
    if f.status is Status.FAIL:
        return _with_details("failure", f, f.severity.value)
    if f.status is Status.ERROR:
        return _with_details("error", f, "error")
    if f.status is Status.NOT_APPLICABLE:
        return _skipped(_("not applicable: {message}").format(message=f.message))
    if f.status is Status.WAIVED:
        return _skipped(_waived(f))
    if f.status is Status.WARN:
        return _element("system-out", [], "WARN " + _details(f))
    return None


def _skipped(message: str) -> str:
    return f'<skipped message="{_line_attribute(message)}" />'


def _with_details(tag: str, f: Finding, kind: str) -> str:
    """``<failure>`` or ``<error>``: the message, a type, the details (never empty)."""
    message = _line_attribute(f.message)
    return f'<{tag} message="{message}" type="{_attribute(kind)}">{_cdata(_details(f))}</{tag}>'


def _details(f: Finding) -> str:
    lines = [f"{f.target}: {f.message}"]
    if f.remediation and f.status is not Status.ERROR:
        lines.append(_("Remediation: {hint}").format(hint=f.remediation))
    lines.append(_("Location: {where}").format(where=_where(f)))
    if f.related:
        lines.append(_("See also: {related}").format(related=related_text(f)))
    # Line by line: xml_text escapes character by character and leaves line breaks alone,
    # and each line is usually printable (returned as it is), the whole text never. The
    # tail is escaped already.
    lines = [*map(xml_text, lines), _tail(f.severity.value, f.references, current())]
    return "\n".join(lines)


@functools.lru_cache(maxsize=256)
def _tail(severity: str, references: tuple[str, ...], language: str) -> str:
    """The last lines of the details (severity, references), escaped: the same for every
    finding of a rule, so built once per rule and language."""
    lines = [_("Severity: {severity}").format(severity=severity)]
    lines.extend(_("Reference: {reference}").format(reference=r) for r in references)
    return "\n".join(map(xml_text, lines))


def _where(f: Finding) -> str:
    if f.file is None:
        return _("(not declared)")
    return f"{f.file}:{f.line or 1}:{f.column or 1}"


def _waived(f: Finding) -> str:
    if f.waiver is None:
        return _("waived: {message}").format(message=f.message)
    w = f.waiver
    return _("waived: {justification} (approved by {approver}, until {expires})").format(
        justification=w.justification,
        approver=w.approver,
        expires=long_date(w.expires, current()),
    )
