"""The JSON report of format.md: sorted, stable, byte-identical for the same inputs.

Written as it is encoded (:mod:`hdsguard.formatters.jsonstream`): one finding at a time."""

from __future__ import annotations

from json.encoder import encode_basestring
from typing import Any

from hdsguard.findings import Finding, Report, Severity, Status
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
    out.update(_rare(f))
    return out


def _rare(f: Finding) -> dict[str, Any]:
    """The keys only some findings have, in their order."""
    out: dict[str, Any] = {}
    if f.waiver is not None:
        out["waiver"] = f.waiver._asdict()
    if f.baselined:
        out["baselined"] = True
    if f.related:
        out["related"] = [
            {"file": utf8_name(p), "line": line, "column": col} for p, line, col in f.related
        ]
    return out


# Each status and severity as JSON text: a dict lookup per finding, not ``.value`` and the
# string encoder.
_ENCODED: dict[str, str] = {
    member: encode_basestring(member.value) for member in (*Status, *Severity)
}


class FindingEncoder:
    """``encode(finding_dict(f), nl)``, written out for a finding's fixed shape: strings go
    straight to the C string encoder (the general encoder walked each finding's dict twice:
    most of a 10k-object JSON report's time), in one string built at once. What findings
    share is encoded once: the head of a (rule, status, severity), a file's name, a rule's
    references. The rare parts (waiver, related locations) go through the general encoder.
    ``tests/test_fmt_fastpaths.py`` checks it against the general encoding."""

    def __init__(self) -> None:
        self._heads: dict[tuple[str, str, str, str], str] = {}
        self._files: dict[str, str] = {}
        self._references: dict[tuple[tuple[str, ...], str], str] = {}

    def __call__(self, f: Finding, nl: str) -> str:
        text = encode_basestring
        inner = nl + "  "
        sep = "," + inner
        head = self._heads.get((f.rule, f.status, f.severity, nl))
        if head is None:
            head = self._heads[f.rule, f.status, f.severity, nl] = (
                f'{{{inner}"rule": {text(f.rule)}{sep}"status": {_ENCODED[f.status]}'
                f'{sep}"severity": {_ENCODED[f.severity]}{sep}"target": '
            )
        file = self._file(f.file, inner)
        references = self._references.get((f.references, nl))
        if references is None:
            references = encode(list(f.references), inner)
            self._references[f.references, nl] = references
        line, column = f.line, f.column
        line_text = int.__repr__(line) if type(line) is int else encode(line, inner)
        column_text = int.__repr__(column) if type(column) is int else encode(column, inner)
        rare = ""
        if f.waiver is not None or f.baselined or f.related:
            rare = "".join(
                f"{sep}{text(key)}: {encode(value, inner)}" for key, value in _rare(f).items()
            )
        return (
            f'{head}{text(f.target)}{sep}"file": {file}{sep}"line": {line_text}'
            f'{sep}"column": {column_text}{sep}"message": {text(f.message)}'
            f'{sep}"remediation": {text(f.remediation)}{sep}"references": {references}'
            f"{rare}{nl}}}"
        )

    def _file(self, file: str | None, inner: str) -> str:
        if not file:
            return encode(file, inner)
        found = self._files.get(file)
        if found is None:
            found = self._files[file] = encode_basestring(utf8_name(file))
        return found


def report_dict(report: Report, *, streamed: bool = False) -> dict[str, Any]:
    """The whole report; ``streamed``: its findings as a :class:`Streamed` list, each built
    only when it is written."""
    findings: Any = (
        Streamed(report.findings, FindingEncoder())
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
