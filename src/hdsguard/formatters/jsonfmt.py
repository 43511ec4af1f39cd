"""The JSON report of format.md: sorted, stable, byte-identical for the same inputs.

Written as it is encoded (:mod:`hdsguard.formatters.jsonstream`): one finding at a time."""

from __future__ import annotations

import functools
from json.encoder import encode_basestring
from typing import Any

from hdsguard.findings import Finding, Report
from hdsguard.formatters import RenderOptions, Write, collect
from hdsguard.formatters.escape import utf8_name
from hdsguard.formatters.jsonstream import Streamed, dump, encode


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


def finding_json(f: Finding, nl: str, known: dict[Any, str] | None = None) -> str:
    """``encode(finding_dict(f), nl)``, written out for a finding's fixed shape: strings go
    straight to the C string encoder (the general encoder walked each finding's dict twice:
    most of a 10k-object JSON report's time). ``known``: the encoded references by
    (references, nl), which every finding of a rule shares."""
    text = encode_basestring
    inner = nl + "  "
    references = f.references
    refs = None if known is None else known.get((references, nl))
    if refs is None:
        refs = encode(list(references), inner)
        if known is not None:
            known[references, nl] = refs
    line, column = f.line, f.column
    parts = [
        '"rule": ' + text(f.rule),
        '"status": ' + text(f.status.value),
        '"severity": ' + text(f.severity.value),
        '"target": ' + text(f.target),
        '"file": ' + (text(utf8_name(f.file)) if f.file else encode(f.file, inner)),
        '"line": ' + (int.__repr__(line) if type(line) is int else encode(line, inner)),
        '"column": ' + (int.__repr__(column) if type(column) is int else encode(column, inner)),
        '"message": ' + text(f.message),
        '"remediation": ' + text(f.remediation),
        '"references": ' + refs,
    ]
    if f.waiver is not None:
        parts.append('"waiver": ' + encode(f.waiver._asdict(), inner))
    if f.baselined:
        parts.append('"baselined": true')
    if f.related:
        related = [
            {"file": utf8_name(p), "line": line, "column": col} for p, line, col in f.related
        ]
        parts.append('"related": ' + encode(related, inner))
    return "{" + inner + ("," + inner).join(parts) + nl + "}"


def report_dict(report: Report, *, streamed: bool = False) -> dict[str, Any]:
    """The whole report; ``streamed``: its findings as a :class:`Streamed` list, each built
    only when it is written."""
    findings: Any = (
        Streamed(report.findings, functools.partial(finding_json, known={}))
        if streamed
        else list(map(finding_dict, report.findings))
    )
    out: dict[str, Any] = {
        "tool": {"name": "hdsguard", "version": report.tool_version},
        "as_of": report.as_of,
        "summary": report.summary(),
        "findings": findings,
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
