"""The JSON report of format.md: sorted, stable, byte-identical for the same inputs.

Written as it is encoded (:mod:`hdsguard.formatters.jsonstream`): one finding at a time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring
from typing import Any

from hdsguard.findings import EvidenceFileInfo, Finding, Report, Severity, Status
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
        # Per indentation: heads by (rule, status, severity), a rule's references (with the
        # key before them) by their tuple. Files by name: their text does not depend on it.
        self._known: dict[str, tuple[dict[tuple[str, str, str], str], dict[Any, str]]] = {}
        self._files: dict[str | None, str] = {}

    def __call__(self, f: Finding, nl: str) -> str:
        return "".join(self.items((f,), nl, 1))

    def items(self, findings: Iterable[Finding], nl: str, size: int = 8) -> Iterator[str]:
        """The findings at the indentation whose line break is ``nl``, ``size`` at a time,
        each after the separator from the one before it (``,`` and ``nl``): the text of a JSON
        array's items. One loop with everything it reads held in locals: a call per finding,
        and its attribute reads, were a quarter of writing a 114,723-finding report."""
        text = encode_basestring
        inner = nl + "  "
        sep = "," + inner
        heads, tails = self._known.setdefault(nl, ({}, {}))
        files = self._files
        encoded = _ENCODED
        k_file, k_line, k_column = f'{sep}"file": ', f'{sep}"line": ', f'{sep}"column": '
        k_message, k_remediation = f'{sep}"message": ', f'{sep}"remediation": '
        k_references, end = f'{sep}"references": ', nl + "}"
        empty = text("")
        lead, between = "", "," + nl
        # A rule's messages repeat (a pass or not-applicable message names no target): each
        # encoded once while its rule's findings follow each other, then forgotten.
        messages: dict[str, str] = {}
        last_rule = None
        # The findings come sorted by rule: most follow one of the same rule, status and
        # severity (the same head) and references (the same tail), checked by identity
        # before any tuple is built and hashed.
        last_status = last_severity = last_references = None
        head = tail_base = ""
        batch: list[str] = []
        put = batch.append
        for f in findings:
            (
                rule, status, severity, target, file, line, column, message, remediation,
                references, waiver, baselined, related, _reason, _undeclared,
            ) = f  # fmt: skip
            if rule is not last_rule:
                messages.clear()
                last_rule = rule
                last_status = None  # a new head
            message_text = messages.get(message)
            if message_text is None:
                message_text = messages[message] = text(message)
            if status is not last_status or severity is not last_severity:
                last_status, last_severity = status, severity
                known = heads.get((rule, status, severity))
                if known is None:
                    known = heads[rule, status, severity] = (
                        f'{{{inner}"rule": {text(rule)}{sep}"status": {encoded[status]}'
                        f'{sep}"severity": {encoded[severity]}{sep}"target": '
                    )
                head = known
            file_text = files.get(file)
            if file_text is None:
                file_text = files[file] = text(utf8_name(file)) if file else encode(file, inner)
            if references is not last_references:
                last_references = references
                known = tails.get(references)
                if known is None:
                    known = tails[references] = k_references + encode(list(references), inner)
                tail_base = known
            tail = tail_base
            if waiver is not None or baselined or related:
                tail += "".join(
                    f"{sep}{text(key)}: {encode(value, inner)}" for key, value in _rare(f).items()
                )
            put(
                f"{lead}{head}{text(target)}{k_file}{file_text}"
                f"{k_line}{line if type(line) is int else encode(line, inner)}"
                f"{k_column}{column if type(column) is int else encode(column, inner)}"
                f"{k_message}{message_text}{k_remediation}"
                f"{text(remediation) if remediation else empty}{tail}{end}"
            )
            lead = between
            if len(batch) == size:
                yield "".join(batch)
                batch.clear()
        if batch:
            yield "".join(batch)


def report_dict(report: Report, *, streamed: bool = False) -> dict[str, Any]:
    """The whole report; ``streamed``: its findings as a :class:`Streamed` list, each built
    only when it is written."""
    encoder = FindingEncoder()
    findings: Any = (
        Streamed(report.findings, encoder, encoder.items)
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
        out["evidence"] = [_evidence_file(e) for e in report.evidence]
    return out


def write(report: Report, options: RenderOptions, out: Write) -> None:
    dump(report_dict(report, streamed=True), out)
    out("\n")


def render(report: Report, options: RenderOptions) -> str:
    return collect(write, report, options)


def _evidence_file(info: EvidenceFileInfo) -> dict[str, Any]:
    """An evidence file as the report lists it; its sidecar (``{path, sha256}``) only when one
    was read, so that a report without sidecars keeps its keys."""
    out: dict[str, Any] = {
        "path": utf8_name(info.path),
        "kind": info.kind,
        "sha256": info.sha256,
        "timestamp": info.timestamp,
    }
    if info.sidecar is not None:
        out["sidecar"] = {"path": utf8_name(info.sidecar), "sha256": info.sidecar_sha256}
    return out
