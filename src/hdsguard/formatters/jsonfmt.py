"""The JSON report of format.md: sorted, stable, byte-identical for the same inputs."""

from __future__ import annotations

import json
from typing import Any

from hdsguard.findings import Finding, Report
from hdsguard.formatters import RenderOptions


def finding_dict(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": f.rule,
        "status": f.status.value,
        "severity": f.severity.value,
        "target": f.target,
        "file": f.file,
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
    return out


def report_dict(report: Report) -> dict[str, Any]:
    out: dict[str, Any] = {
        "tool": {"name": "hdsguard", "version": report.tool_version},
        "as_of": report.as_of,
        "summary": report.summary(),
        "findings": [finding_dict(f) for f in report.findings],
    }
    if report.data_versions:
        out["data"] = dict(sorted(report.data_versions.items()))
    if report.notices:
        out["notices"] = list(report.notices)
    return out


def render(report: Report, options: RenderOptions) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"
