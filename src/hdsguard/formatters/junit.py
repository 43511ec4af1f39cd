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
from collections.abc import Iterable, Iterator, Sequence
from itertools import groupby

from hdsguard.findings import Finding, Report, RuleInfo, Severity, Status, sorted_findings
from hdsguard.formatters import RenderOptions, Write, collect
from hdsguard.formatters.escape import document_line as xml_line
from hdsguard.formatters.escape import document_text as xml_text
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
    # Each suite's findings and counts first: the root's counts are their sums (counting
    # the whole report again cost as much as counting every suite).
    found = report.findings if report.ordered else sorted_findings(report.findings)
    groups = groupby(found, key=_RULE)
    suites = [(rule, found, _counts(found)) for rule, found in ((r, list(g)) for r, g in groups)]
    totals = [sum(counts[i] for *_, counts in suites) for i in range(4)]
    root = _start("testsuites", [("name", "hdsguard"), *_attributes(totals)])
    if not suites:
        out(root + " />\n")
        return
    out(root + ">")
    memo = _Memo()
    for rule, group, counts in suites:
        out(_SUITE)
        _suite(rule, group, counts, report.rules.get(rule), out, memo)
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
    messages) is returned after a few C calls, without the escaping functions' calls (a
    substring test is a memchr, a tenth of a regular expression's search)."""
    if text.isprintable() and not ('"' in text or "&" in text or "<" in text or ">" in text):
        return text  # (\r, \n and \t are not printable)
    return _attribute(xml_line(text))


def _around(template: str, field: str) -> tuple[str, str] | None:
    """The text before and after the one ``{field}`` of ``template`` when it has no other
    braces: then ``template.format(field=x)`` is ``before + x + after``."""
    before, found, after = template.partition("{" + field + "}")
    if not found or any(brace in before + after for brace in "{}"):
        return None
    return before, after


def _text(text: str) -> str:
    """``_cdata(xml_text(text))``: a printable text without markup as it is."""
    if text.isprintable() and not ("&" in text or "<" in text or ">" in text):
        return text
    return _cdata(xml_text(text))


def _cdata(text: str) -> str:
    """ElementTree's character data escaping (``_escape_cdata``)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Finding's items
_RULE, _STATUS, _BASELINED = map(operator.itemgetter, (0, 1, 11))


Counts = tuple[int, int, int, int]


def _counts(findings: list[Finding]) -> Counts:
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
        statuses = list(map(_STATUS, findings))
        failures, errors = statuses.count(Status.FAIL), statuses.count(Status.ERROR)
        skipped = statuses.count(Status.NOT_APPLICABLE) + statuses.count(Status.WAIVED)
    return len(findings), failures, errors, skipped


def _attributes(counts: Sequence[int]) -> list[tuple[str, str]]:
    """The counts as a suite's attributes, in ElementTree's order."""
    names = ("tests", "failures", "errors", "skipped")
    return [*zip(names, map(str, counts), strict=True), ("time", "0")]


def _suite(
    rule: str,
    findings: list[Finding],
    counts: Counts,
    info: RuleInfo | None,
    out: Write,
    memo: _Memo,
) -> None:
    out(_start("testsuite", [("name", rule), *_attributes(counts)]) + ">")
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
    memo.next_suite()
    for cases in _cases(findings, _attribute(rule), memo):
        out(cases)
    out(_SUITE + "</testsuite>")


# Test cases joined into one piece of the output: one call of the output's chunks (a Python
# method) per case cost a sixth of the writing; 8 cases stay a few KB (the streaming test
# holds every piece under 10,000 characters).
_BATCH = 8


def _cases(findings: list[Finding], classname: str, memo: _Memo) -> Iterator[str]:
    """Each ``<testcase …>`` after its line break, :data:`_BATCH` at a time. Its attributes
    are written out in ElementTree's order (name, classname, file, line, time). The usual
    cases (passed, not applicable, failed, located, not baselined) are written in this loop
    with what it reads in locals, and what they repeat escaped once (:class:`_Memo`); the
    others by :func:`_case`. ``classname``: the rule escaped."""
    passed, not_applicable, failed = Status.PASS, Status.NOT_APPLICABLE, Status.FAIL
    warned = Status.WARN
    names, skips, failure = memo.names, memo.skips, memo.failure
    warning = failure.warning
    opening = f'{_CASE}<testcase name="'

    # Per file of this suite: the attributes between the name and the line number.
    middles: dict[str, str] = {}
    batch: list[str] = []
    put = batch.append
    for start in range(0, len(findings), _BATCH):
        for f in findings[start : start + _BATCH]:
            (
                _rule, status, _severity, target, file, line, _column, message, _remediation,
                _references, _waiver, baselined, _related, _reason, _undeclared,
            ) = f  # fmt: skip
            name = names.get(target)
            if name is None:
                name = names[target] = _line_attribute(target)
            if type(line) is not int or file is None or baselined:
                put(_case(f, name, classname, memo))
            else:
                middle = middles.get(file)
                if middle is None:
                    middle = middles[file] = f'" classname="{classname}"{memo.file(file)} line="'
                # The most frequent first: at 10k objects, 61,424 not applicable, 37,289
                # passed, 25,705 failed, 4,604 warned.
                if status is not_applicable:
                    end = skips.get(message)
                    if end is None:  # the reason, the end of the case
                        end = skips[message] = _inside(_child(f))
                    put(f"{opening}{name}{middle}{line}{end}")
                elif status is passed:  # nothing inside
                    put(f'{opening}{name}{middle}{line}" time="0" />')
                elif status is failed:
                    put(f"{opening}{name}{middle}{line}{failure.ending(f)}")
                elif status is warned:
                    put(f"{opening}{name}{middle}{line}{_inside(warning(f))}")
                else:
                    put(f"{opening}{name}{middle}{line}{_inside(_child(f))}")
        yield "".join(batch)
        batch.clear()


# A case's end after its line attribute, around the element inside it; a failed case's
# opens its <failure> element too (_Failures.ending).
_OPEN, _END = f'" time="0">{_CHILD}', f"{_CASE}</testcase>"
_FAILURE = f'{_OPEN}<failure message="'


def _inside(child: str | None) -> str:
    """A case's end after its line attribute: with ``child`` inside, or empty."""
    return f"{_OPEN}{child}{_END}" if child else '" time="0" />'


def _case(f: Finding, name: str, classname: str, memo: _Memo) -> str:
    """A case :func:`_cases` does not write itself: not located, a line that is not an
    int, or baselined. ``name``: the target escaped."""
    head = f'{_CASE}<testcase name="{name}" classname="{classname}"{memo.file(f.file)}'
    if f.file is not None and f.line is not None:
        head += f' line="{_attribute(str(f.line))}"'
    child = memo.failure(f) if f.status is Status.FAIL and not f.baselined else _child(f)
    return f'{head} time="0">{_CHILD}{child}{_CASE}</testcase>' if child else head + ' time="0" />'


class _Memo:
    """What the cases repeat, escaped once: for the whole report, each target's ``name``
    attribute (a target is checked by many rules) and each file's ``file`` attribute; for a
    suite, each not-applicable reason's element with the end of its case (a rule's skipped
    cases give one of a few), and the failures' pieces (:class:`_Failures`). Keyed by the
    strings themselves: bounded by the report's distinct targets and files, and by a rule's
    distinct messages (a message is a rule's own: kept for the whole report, at 100k objects
    they would be hundreds of thousands of strings)."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.files: dict[str | None, str] = {}
        self.skips: dict[str, str] = {}
        self.failure = _Failures()

    def next_suite(self) -> None:
        self.skips.clear()
        self.failure.messages.clear()

    def file(self, file: str | None) -> str:
        place = self.files.get(file)
        if place is None:
            place = self.files[file] = "" if file is None else f' file="{_line_attribute(file)}"'
        return place


# A rule's pieces of its failures: the type attribute up to the details, the last lines and
# the end, the last lines alone.
_RulePieces = tuple[str, str, str]


class _Failures:
    """``<failure>`` of a failing finding that is not baselined, as :func:`_child` writes it.
    Every escaping used here replaces characters one by one (:func:`xml_text`, then
    :func:`_cdata`), so the details can be escaped piece by piece: each target and file once
    for the report, each message once for its suite, the words around the remediation and
    the location once, each rule's last lines (severity, references) once; per finding only
    the remediation (most are written for their target) is looked at, and the line and
    column numbers, which need no escaping, put in. Findings with related locations, or with
    a translation of the details' words that is not plain text around its one field, take
    the general path (:meth:`general`)."""

    def __init__(self) -> None:
        self.remediation = _("Remediation: {hint}")
        self.location = _("Location: {where}")
        self.language = current()
        hint, where = _around(self.remediation, "hint"), _around(self.location, "where")
        # The escaped words around the remediation and after the location, the raw words
        # before the location (escaped with each file): None sends every finding the
        # general way.
        self.words = (
            None
            if hint is None or where is None
            else (
                *(_cdata(xml_text(words)) for words in hint),
                where[0],
                _cdata(xml_text(where[1])),
            )
        )
        self.unplaced = _cdata(xml_text(self.location.format(where=_("(not declared)"))))
        # message: (attribute, details), for one suite (:meth:`_Memo.next_suite`)
        self.messages: dict[str, tuple[str, str]] = {}
        self.texts: dict[str, str] = {}  # target: details
        self.places: dict[str, str] = {}  # file: the location line up to the line number
        # (severity, references): the type attribute up to the details, the end
        self.rules: dict[tuple[Severity, tuple[str, ...]], _RulePieces] = {}
        self.last: tuple[Severity, tuple[str, ...], _RulePieces] | None = None

    def __call__(self, f: Finding) -> str:
        parts = self.parts(f)
        if parts is None:
            return self.general(f)
        known, rule, details = parts
        return f'<failure message="{known[0]}{rule[0]}{details}{rule[1]}'

    def ending(self, f: Finding) -> str:
        """``_inside(self(f))``: a failed case's end after its line attribute (25,705 at 10k
        objects: one call each, not three)."""
        parts = self.parts(f)
        if parts is None:
            return _inside(self.general(f))
        known, rule, details = parts
        return f"{_FAILURE}{known[0]}{rule[0]}{details}{rule[1]}{_END}"

    def warning(self, f: Finding) -> str | None:
        """``<system-out>`` of a warning that is not baselined, as :func:`_child` writes it:
        the same details as a failure's (4,604 warnings at 10k objects, a tenth of the
        writing when each was worded line by line)."""
        parts = self.parts(f)
        if parts is None:
            return _child(f)
        _known, rule, details = parts
        return f"<system-out>WARN {details}{rule[2]}</system-out>"

    def parts(self, f: Finding) -> tuple[tuple[str, str], _RulePieces, str] | None:
        """The message's pieces (attribute, text), the rule's (:meth:`rule`) and the details
        up to their last lines, escaped; None for a finding the general path writes."""
        (
            _rule, _status, severity, target, file, line, column, message, remediation,
            references, _waiver, _baselined, related, _reason, _undeclared,
        ) = f  # fmt: skip
        words = self.words
        if related or words is None:
            return None
        if file is not None and (type(line) is not int or type(column) is not int):
            return None
        known = self.messages.get(message)
        if known is None:
            known = self.messages[message] = (_line_attribute(message), _text(message))
        text = self.texts.get(target)
        if text is None:
            text = self.texts[target] = _text(target)
        # A suite is one rule: its findings share severity and references (the same objects).
        last = self.last
        if last is not None and last[0] is severity and last[1] is references:
            rule = last[2]
        else:
            found = self.rules.get((severity, references))
            if found is None:
                found = self.rules[severity, references] = self.rule(severity.value, references)
            rule = found
            self.last = (severity, references, rule)
        hint = f"\n{words[0]}{_text(remediation)}{words[1]}" if remediation else ""
        if file is None:
            where = self.unplaced
        else:
            place = self.places.get(file)
            if place is None:
                place = self.places[file] = _cdata(xml_text(f"{words[2]}{file}:"))
            where = f"{place}{line or 1}:{column or 1}{words[3]}"
        return known, rule, f"{text}: {known[1]}{hint}\n{where}"

    def rule(self, severity: str, references: tuple[str, ...]) -> _RulePieces:
        """The pieces of a failure a rule's findings share: the type attribute up to the
        details, the last lines and the end; and the last lines alone (a warning's)."""
        tail = _cdata(_tail(severity, references, self.language))
        return f'" type="{_attribute(severity)}">', f"\n{tail}</failure>", f"\n{tail}"

    def general(self, f: Finding) -> str:
        severity = f.severity.value
        lines = [xml_text(f"{f.target}: {f.message}")]
        if f.remediation:
            lines.append(xml_text(self.remediation.format(hint=f.remediation)))
        lines.append(xml_text(self.location.format(where=_where(f))))
        if f.related:
            lines.append(xml_text(_("See also: {related}").format(related=_related(f))))
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
        lines.append(_("See also: {related}").format(related=_related(f)))
    # Line by line: xml_text escapes character by character and leaves line breaks alone,
    # and each line is usually printable (returned as it is), the whole text never. The
    # tail is escaped already.
    lines = [*map(xml_text, lines), _tail(f.severity.value, f.references, current())]
    return "\n".join(lines)


def _related(f: Finding) -> str:
    """The related locations, as text words them: imported here, as only findings from
    evidence have any (the text formatter, textwrap and the rest: ≈ 4 ms of every run)."""
    from hdsguard.formatters.text import related_text

    return related_text(f)


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
