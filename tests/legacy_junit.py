"""The JUnit formatter as it was before it streamed (one ``xml.etree`` tree, indented and
serialised whole), kept as the oracle of tests/test_streaming.py: ElementTree's escaping and
indentation are the reference the streaming writer must reproduce byte for byte. Only the
tree building is copied here; if the JUnit layout changes on purpose, change it the same way.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby

from hdsguard.findings import Finding, Report, RuleInfo, Status
from hdsguard.formatters.escape import document_line as xml_line
from hdsguard.formatters.escape import document_text as xml_text
from hdsguard.formatters.text import related_text

_SKIPPED = (Status.NOT_APPLICABLE, Status.WAIVED)


def render(report: Report) -> str:
    root = ET.Element("testsuites", name="hdsguard")
    findings = sorted(report.findings, key=lambda f: (f.rule, f.target))
    for rule, group in groupby(findings, key=lambda f: f.rule):
        root.append(_suite(rule, list(group), report.rules.get(rule)))
    _count(root, findings)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _count(element: ET.Element, findings: list[Finding]) -> None:
    element.set("tests", str(len(findings)))
    gate = [f for f in findings if not f.baselined]
    element.set("failures", str(sum(f.status is Status.FAIL for f in gate)))
    element.set("errors", str(sum(f.status is Status.ERROR for f in gate)))
    skipped = sum(f.baselined or f.status in _SKIPPED for f in findings)
    element.set("skipped", str(skipped))
    element.set("time", "0")


def _suite(rule: str, findings: list[Finding], info: RuleInfo | None) -> ET.Element:
    suite = ET.Element("testsuite", name=rule)
    _count(suite, findings)
    if info is not None:
        props = ET.SubElement(suite, "properties")
        for name, value in (
            ("title", info.title),
            ("severity", info.severity.value),
            ("help_uri", info.help_uri),
        ):
            if value:
                ET.SubElement(props, "property", name=name, value=xml_line(value))
    for f in findings:
        suite.append(_case(f))
    return suite


def _case(f: Finding) -> ET.Element:
    case = ET.Element("testcase", name=xml_line(f.target), classname=f.rule)
    if f.file is not None:
        case.set("file", xml_line(f.file))
        if f.line is not None:
            case.set("line", str(f.line))
    case.set("time", "0")
    if f.baselined:
        ET.SubElement(case, "skipped", message=xml_line(f"baselined: {f.message}"))
    elif f.status is Status.FAIL:
        child = ET.SubElement(case, "failure", message=xml_line(f.message), type=f.severity.value)
        child.text = _details(f)
    elif f.status is Status.ERROR:
        child = ET.SubElement(case, "error", message=xml_line(f.message), type="error")
        child.text = _details(f)
    elif f.status is Status.NOT_APPLICABLE:
        ET.SubElement(case, "skipped", message=xml_line(f"not applicable: {f.message}"))
    elif f.status is Status.WAIVED:
        ET.SubElement(case, "skipped", message=xml_line(_waived(f)))
    elif f.status is Status.WARN:
        ET.SubElement(case, "system-out").text = "WARN " + _details(f)
    return case


def _details(f: Finding) -> str:
    lines = [f"{f.target}: {f.message}"]
    if f.remediation and f.status is not Status.ERROR:
        lines.append(f"Remediation: {f.remediation}")
    lines.append(f"Location: {_where(f)}")
    if f.related:  # added after the writer streamed, the same way in both
        lines.append(f"See also: {related_text(f)}")
    lines.append(f"Severity: {f.severity.value}")
    lines.extend(f"Reference: {r}" for r in f.references)
    return xml_text("\n".join(lines))


def _where(f: Finding) -> str:
    if f.file is None:
        return "(not declared)"
    return f"{f.file}:{f.line or 1}:{f.column or 1}"


def _waived(f: Finding) -> str:
    if f.waiver is None:
        return f"waived: {f.message}"
    w = f.waiver
    return f"waived: {w.justification} (approved by {w.approver}, until {w.expires})"
