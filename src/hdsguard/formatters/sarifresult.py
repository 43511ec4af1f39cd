"""One SARIF result: as a dict (:func:`result`, the document built whole) and as its JSON text
written straight away (:class:`ResultEncoder`, the streamed document). See
:mod:`hdsguard.formatters.sarif` for what a result holds."""

from __future__ import annotations

import hashlib
import os
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any
from urllib.parse import quote

from hdsguard.findings import Finding, Severity, Status
from hdsguard.formatters.escape import document_text
from hdsguard.formatters.jsonstream import encode
from hdsguard.i18n import _

FINGERPRINT_KEY = "hdsguard/ruleTarget/v1"
FAIL_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "warning",
    Severity.INFO: "note",
}


def level(f: Finding) -> str:
    """The SARIF level of a reported finding (the table of :mod:`hdsguard.formatters.sarif`)."""
    if f.status is Status.ERROR:
        return "error"
    if f.status is Status.WARN:
        return "warning"
    return FAIL_LEVEL[f.severity]


def message_text(f: Finding, remediation: str) -> str:
    """The result's message: target, message, and the fix (``remediation``: the translated
    "Remediation: {hint}") unless the rule could not be evaluated."""
    # Escaped piece by piece (document_text escapes character by character, and leaves the
    # line break alone): each piece is usually printable, returned as it is, where the whole
    # text, holding a line break, would go through its patterns.
    text = document_text(f"{f.target}: {f.message}" if f.message else f.target)
    if f.remediation and f.status is not Status.ERROR:
        text += "\n" + document_text(remediation.format(hint=f.remediation))
    return text


def result(f: Finding, rule_index: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": level(f),
        "message": {"text": message_text(f, _("Remediation: {hint}"))},
        "locations": [_location(f)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(f)},
        "properties": {
            "status": f.status.value,
            "severity": f.severity.value,
            "target": document_text(f.target),
        },
    }
    out.update(_extras(f))
    return out


def _extras(f: Finding) -> dict[str, Any]:
    """The keys that only some results have, in their order."""
    out: dict[str, Any] = {}
    if f.status is Status.WAIVED:
        out["suppressions"] = [_suppression(f)]
    if f.baselined:
        out["baselineState"] = "unchanged"
    if f.related:
        out["relatedLocations"] = [
            {"id": i, "physicalLocation": {"artifactLocation": artifact(p),
                                           "region": {"startLine": line, "startColumn": col}}}
            for i, (p, line, col) in enumerate(f.related)
        ]  # fmt: skip
    return out


def fingerprint(f: Finding) -> str:
    """Stable across line moves and runs: only the rule and the target's name count."""
    key = f"{f.rule}\0{f.target}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(key).hexdigest()


def _location(f: Finding) -> dict[str, Any]:
    name = document_text(f.target)
    logical = [{"name": name, "fullyQualifiedName": name, "kind": "object"}]
    if f.file is None:
        return {"logicalLocations": logical}
    physical: dict[str, Any] = {"artifactLocation": artifact(f.file)}
    if f.line is not None:
        region = {"startLine": f.line}
        if f.column is not None:
            region["startColumn"] = f.column
        physical["region"] = region
    return {"physicalLocation": physical, "logicalLocations": logical}


def artifact(file: str) -> dict[str, str]:
    """A relative path becomes a URI under ``%SRCROOT%``; an absolute one a ``file:`` URI.

    The URI quotes the name's bytes as the file system holds them, so a name that is not
    UTF-8 (read back with surrogate escapes) gets its real percent-encoded bytes; any other
    lone surrogate, which no file system name decodes to, its code unit's bytes.
    """
    path = Path(file)
    name = path.as_posix()
    try:
        raw = os.fsencode(name)
    except UnicodeEncodeError:
        raw = name.encode("utf-8", "surrogatepass")
    if path.is_absolute():
        return {"uri": "file://" + quote(raw)}
    return {"uri": quote(raw), "uriBaseId": "%SRCROOT%"}


def _suppression(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": "external", "status": "accepted"}
    if f.waiver is None:
        return out
    w = f.waiver
    ticket = _(", ticket {ticket}").format(ticket=w.ticket) if w.ticket else ""
    # A machine format: the date stays ISO 8601 in both languages.
    out["justification"] = document_text(
        _(
            "{justification} (owner {owner}, approved by {approver}, expires {expires}{ticket})"
        ).format(
            justification=w.justification,
            owner=w.owner,
            approver=w.approver,
            expires=w.expires,
            ticket=ticket,
        )
    )
    out["properties"] = {k: document_text(v) for k, v in w._asdict().items() if v is not None}
    return out


# Encoded once: the fingerprint's key, each status and severity.
_FINGERPRINT_KEY = encode_basestring(FINGERPRINT_KEY)
_ENCODED: dict[str, str] = {
    member: encode_basestring(member.value) for member in (*Status, *Severity)
}


def _number(value: Any, nl: str) -> str:
    return int.__repr__(value) if type(value) is int else encode(value, nl)


class ResultEncoder:
    """``encode(result(f, index[f.rule]), nl)``, written out for a result's fixed shape.

    The general encoder walked each result's nested dicts twice (whether a streamed list was
    below, then the text): most of a 10k-object SARIF report's time. Here the strings go
    straight to the C string encoder, and what results share is encoded once: a rule's head
    (id and index), a file's artifact location. The rare parts (suppressions, related
    locations) still go through the general encoder. ``tests/test_streaming.py`` checks the
    bytes against ``json.dumps`` of the document built whole, on generated findings."""

    def __init__(self, index: dict[str, int]) -> None:
        self._index = index
        self._heads: dict[tuple[str, str], str] = {}
        self._artifacts: dict[tuple[str, str], str] = {}
        self._remediation = _("Remediation: {hint}")

    def __call__(self, f: Finding, nl: str) -> str:
        # One f-string: the result's text is built at once, not through ~40 intermediate
        # strings (a third of the encoder's time).
        k = nl + "  "
        k2 = k + "  "
        target = encode_basestring(document_text(f.target))
        head = self._heads.get((f.rule, nl))
        if head is None:
            head = self._head(f.rule, k)
            self._heads[f.rule, nl] = head
        message = encode_basestring(message_text(f, self._remediation))
        rare = ""
        if f.status is Status.WAIVED or f.baselined or f.related:
            rare = "".join(f",{k}{encode_basestring(key)}: {encode(value, k)}"
                           for key, value in _extras(f).items())  # fmt: skip
        return (
            f"{{{k}{head}{encode_basestring(level(f))},"
            f'{k}"message": {{{k2}"text": {message}{k}}},'
            f'{k}"locations": [{k2}{self._location(f, target, k2)}{k}],'
            f'{k}"partialFingerprints": {{{k2}{_FINGERPRINT_KEY}: "{fingerprint(f)}"{k}}},'
            f'{k}"properties": {{{k2}"status": {_ENCODED[f.status]},'
            f'{k2}"severity": {_ENCODED[f.severity]},{k2}"target": {target}{k}}}'
            f"{rare}{nl}}}"
        )

    def _head(self, rule: str, k: str) -> str:
        """``"ruleId": …, "ruleIndex": …, "level": `` of every result of ``rule``."""
        index = _number(self._index[rule], k)
        return f'"ruleId": {encode_basestring(rule)},{k}"ruleIndex": {index},{k}"level": '

    def _location(self, f: Finding, target: str, nl: str) -> str:
        """The one location, as ``encode(_location(f), nl)``; ``target``: its name encoded."""
        k = nl + "  "
        k2 = k + "  "
        k3 = k2 + "  "
        logical = (
            f'"logicalLocations": [{k2}{{{k3}"name": {target},'
            f'{k3}"fullyQualifiedName": {target},{k3}"kind": "object"{k2}}}{k}]'
        )
        if f.file is None:
            return f"{{{k}{logical}{nl}}}"
        where = self._artifacts.get((f.file, k2))
        if where is None:
            where = encode(artifact(f.file), k2)
            self._artifacts[f.file, k2] = where
        region = ""
        if f.line is not None:
            column = "" if f.column is None else f',{k3}"startColumn": {_number(f.column, k3)}'
            region = f',{k2}"region": {{{k3}"startLine": {_number(f.line, k3)}{column}{k2}}}'
        physical = f'{{{k2}"artifactLocation": {where}{region}{k}}}'
        return f'{{{k}"physicalLocation": {physical},{k}{logical}{nl}}}'
