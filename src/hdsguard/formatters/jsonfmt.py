"""The JSON report of format.md: sorted, stable, byte-identical for the same inputs.

Written as it is encoded (:mod:`hdsguard.formatters.jsonstream`): one finding at a time."""

from __future__ import annotations

from typing import Any

from hdsguard.findings import Finding, Report
from hdsguard.formatters import RenderOptions, Write, collect
from hdsguard.formatters.escape import utf8_name
from hdsguard.formatters.jsonstream import Streamed, dump


def finding_dict(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": f.rule,
        "status": f.status.value,
        "severity": f.severity.value,
        "target": f.target,
        "file": utf8_name(f.file) if f.file else f.file,
        "line": f.line,
        "column": f.column,
        "message": f.message,
        "remediation": f.remediation,
        "references": list(f.references),
    }
    if f.waiver is not None:
        out["waiver"] = f.waiver._asdict()
    if f.baselined:
        out["baselined"] = True
    if f.related:
        out["related"] = [
            {"file": utf8_name(p), "line": line, "column": col} for p, line, col in f.related
        ]
    return out


def report_dict(report: Report, *, streamed: bool = False) -> dict[str, Any]:
    """The whole report; ``streamed``: its findings as a :class:`Streamed` list, each built
    only when it is written."""
    findings = map(finding_dict, report.findings)
    out: dict[str, Any] = {
        "tool": {"name": "hdsguard", "version": report.tool_version},
        "as_of": report.as_of,
        "summary": report.summary(),
        "findings": Streamed(findings) if streamed else list(findings),
    }
    if report.data_versions:
        out["data"] = dict(sorted(report.data_versions.items()))
    if report.notices:
        out["notices"] = list(report.notices)
    if report.evidence:
        out["evidence"] = [e._replace(path=utf8_name(e.path))._asdict() for e in report.evidence]
    return out


def write(report: Report, options: RenderOptions, out: Write) -> None:
    dump(report_dict(report, streamed=True), out)
    out("\n")


def render(report: Report, options: RenderOptions) -> str:
    return collect(write, report, options)
