"""One SARIF result: as a dict (:func:`result`, the document built whole) and as its JSON text
written straight away (:class:`ResultEncoder`, the streamed document). See
:mod:`hdsguard.formatters.sarif` for what a result holds."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
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
    return _level(f.status, f.severity)


def _level(status: Status, severity: Severity) -> str:
    if status is Status.ERROR:
        return "error"
    if status is Status.WARN:
        return "warning"
    return FAIL_LEVEL[severity]


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
    return _fingerprint(f.rule, f.target)


def _fingerprint(rule: str, target: str) -> str:
    return hashlib.sha256(f"{rule}\0{target}".encode("utf-8", "surrogatepass")).hexdigest()


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
    straight to the C string encoder, in one loop over the results with what it reads in
    locals (:meth:`items`: a call per result, and its attribute reads, were half of the
    writing), and what results share is encoded once with the keys around it (:class:`_Known`):
    the pieces of a (rule, status, severity), a target's name and logical location, a file's
    artifact location, a message's visible text. The rare parts (suppressions, related
    locations) still go through the general encoder. ``tests/test_streaming.py`` and
    ``tests/test_fmt_fastpaths.py`` check the bytes against ``json.dumps`` of the document
    built whole, on generated findings."""

    def __init__(self, index: dict[str, int]) -> None:
        self._index = index
        self._remediation = _("Remediation: {hint}")
        self._known: dict[str, _Known] = {}  # per indentation of the results

    def __call__(self, f: Finding, nl: str) -> str:
        return "".join(self.items((f,), nl, 1))

    def items(self, findings: Iterable[Finding], nl: str, size: int = 4) -> Iterator[str]:
        """The results at the indentation whose line break is ``nl``, ``size`` at a time, each
        after the separator from the one before it: the text of the results array's items."""
        k = nl + "  "
        k3 = k + "    "
        k4, k5 = k3 + "  ", k3 + "    "
        known = self._known.get(nl)
        if known is None:
            known = self._known[nl] = _Known()
        heads, targets, places, messages = known.heads, known.targets, known.places, known.messages
        text, remediation_words, error, waived = (
            encode_basestring,
            self._remediation,
            Status.ERROR,
            Status.WAIVED,
        )
        fingerprint_of, shown = _fingerprint, document_text
        lead, between = "", "," + nl
        batch: list[str] = []
        put = batch.append
        for f in findings:
            (
                rule, status, severity, target, file, line, column, message, remediation,
                _references, _waiver, baselined, related, _reason, _undeclared,
            ) = f  # fmt: skip
            head = heads.get((rule, status, severity))
            if head is None:
                head = heads[rule, status, severity] = self._pieces(rule, status, severity, k)
            name = targets.get(target)
            if name is None:
                name = targets[target] = _names(target, k3)
            words = messages.get(message)
            if words is None:
                words = messages[message] = shown(message)
            said = f"{name[0]}: {words}" if message else name[0]
            if remediation and status is not error:
                said = f"{said}\n{shown(remediation_words.format(hint=remediation))}"
            if file is None:
                location = name[2]
            else:
                place = places.get(file)
                if place is None:
                    place = places[file] = (
                        f'{{{k3}"physicalLocation": {{{k4}"artifactLocation": '
                        f"{encode(artifact(file), k4)}"
                    )
                if line is None:
                    region = ""
                else:
                    start = line if type(line) is int else _number(line, k5)
                    if column is None:
                        region = f',{k4}"region": {{{k5}"startLine": {start}{k4}}}'
                    else:
                        at = column if type(column) is int else _number(column, k5)
                        region = (
                            f',{k4}"region": {{{k5}"startLine": {start},'
                            f'{k5}"startColumn": {at}{k4}}}'
                        )
                location = f"{place}{region}{k3}}}{name[3]}"
            if status is waived or baselined or related:
                rare = "".join(f",{k}{text(key)}: {encode(value, k)}"
                               for key, value in _extras(f).items())  # fmt: skip
            else:
                rare = ""
            fingerprint = fingerprint_of(rule, target)
            put(
                f"{lead}{head[0]}{text(said)}{head[1]}{location}{head[2]}{fingerprint}{head[3]}"
                f"{name[1]}{k}}}{rare}{nl}}}"
            )
            lead = between
            if len(batch) == size:
                yield "".join(batch)
                batch.clear()
        if batch:
            yield "".join(batch)

    def _pieces(
        self, rule: str, status: Status, severity: Severity, k: str
    ) -> tuple[str, str, str, str]:
        """What every result of a (rule, status, severity) holds around its message, location,
        fingerprint and target, at the indentation ``k`` of the result's keys."""
        k2 = k + "  "
        index = _number(self._index[rule], k)
        level = encode_basestring(_level(status, severity))
        return (
            f'{{{k}"ruleId": {encode_basestring(rule)},{k}"ruleIndex": {index},'
            f'{k}"level": {level},{k}"message": {{{k2}"text": ',
            f'{k}}},{k}"locations": [{k2}',
            f'{k}],{k}"partialFingerprints": {{{k2}{_FINGERPRINT_KEY}: "',
            f'"{k}}},{k}"properties": {{{k2}"status": {_ENCODED[status]},'
            f'{k2}"severity": {_ENCODED[severity]},{k2}"target": ',
        )


def _names(target: str, k3: str) -> tuple[str, str, str, str]:
    """A target as a result shows it (``k3``: the line break of a location's keys): its
    visible text, that text encoded, its location when it has no file, and the end of its
    location after the physical one (its logical location)."""
    k2, k4 = k3[:-2], k3 + "  "
    k5 = k4 + "  "
    name = document_text(target)
    encoded = encode_basestring(name)
    logical = (
        f'"logicalLocations": [{k4}{{{k5}"name": {encoded},'
        f'{k5}"fullyQualifiedName": {encoded},{k5}"kind": "object"{k4}}}{k3}]'
    )
    return name, encoded, f"{{{k3}{logical}{k2}}}", f",{k3}{logical}{k2}}}"


class _Known:
    """What a :class:`ResultEncoder` has encoded at one indentation: the pieces of each
    (rule, status, severity), each target's names (:func:`_names`), each file's physical
    location up to its region, each message's visible text. Keyed by the values: bounded by
    the report's distinct rules, targets, files and messages."""

    __slots__ = ("heads", "messages", "places", "targets")

    def __init__(self) -> None:
        self.heads: dict[tuple[str, Status, Severity], tuple[str, str, str, str]] = {}
        self.targets: dict[str, tuple[str, str, str, str]] = {}
        self.places: dict[str, str] = {}
        self.messages: dict[str, str] = {}
