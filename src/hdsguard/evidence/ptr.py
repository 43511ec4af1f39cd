"""Say when a scan finding rests on a reverse DNS name.

A declared service is matched to a scanned host by its names and addresses, and nmap names a
host scanned by address with its PTR record (`<hostname type="PTR">`). That match counts (an
owner's decision: an estate scanned from a list of addresses would otherwise have every
service "not covered"), but it is weaker than a match on the name or address scanned: a PTR
record is whatever the address's owner wrote, and a stale one names a host that moved. So a
finding of a scan rule whose match rests on a PTR name says so, in every status that
concludes something (pass, fail, warn): "matched by its reverse DNS name (PTR) at
127.0.0.1". Computed here once for every rule, with the same matching the rules use
(:mod:`hdsguard.evidence.match`), rather than in each rule's messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from hdsguard.declarations.merge import DeclarationSet
from hdsguard.evidence import match
from hdsguard.evidence.scannotes import with_scan_notes
from hdsguard.findings import Finding, Status
from hdsguard.i18n import _

_CONCLUDED = frozenset({Status.PASS, Status.FAIL, Status.WARN})


def with_ptr_notes(
    findings: Sequence[Finding], decl: DeclarationSet, rules: Mapping[str, Iterable[str]]
) -> list[Finding]:
    """``findings`` with the note added to those of the rules tagged ``scan`` (``rules``:
    rule id -> its tags) whose target was matched to a scan through a PTR name only."""
    data = decl.as_data()
    if not any(item.get("ptr") for item in data.get("evidence_hosts") or ()):
        return list(findings)  # no PTR name in any scan: nothing to say
    return with_scan_notes(findings, rules, _CONCLUDED, lambda t: _note(t, decl, data))


def _note(target: str, decl: DeclarationSet, data: Mapping[str, Any]) -> str:
    """The note for ``target``, "" for none. The note is computed per target, not per rule:
    which of a target's scan matches a rule's verdict rests on is not known here (EVD-002
    reads the external scans only, EVD-005 any). When every match rests on a PTR name, the
    finding does too; when another match rests on the name or address scanned, the note
    says that one of them is a PTR match, never that the finding rests on it."""
    section, _sep, ident = target.partition("/")
    obj = decl.get(section, ident)
    if not isinstance(obj, dict):
        return ""
    if section == "services":
        seen = [*match.ports_of(obj, data), *match.hosts_of(obj, data)]
        addresses = match.ptr_addresses(obj, seen)
        mixed = _(
            "one of the scans matched it by its reverse DNS name (PTR) at {addresses}, "
            "another by the name or address scanned"
        )
        return _wording(addresses, bool(match.ptr_addresses(obj, seen, direct=True)), mixed)
    if section == "evidence_ports":
        found: list[str] = []
        direct = False
        for service in match.services_at(obj, data):
            found += [a for a in match.ptr_addresses(service, [obj]) if a not in found]
            direct = direct or bool(match.ptr_addresses(service, [obj], direct=True))
        mixed = _(
            "matched to a declared service by its reverse DNS name (PTR) at {addresses}, "
            "to another by the name or address scanned"
        )
        return _wording(found, direct, mixed)
    return ""


def _wording(addresses: list[str], direct: bool, mixed: str) -> str:
    """The note for PTR matches at ``addresses`` ("" for none): ``mixed`` when another match
    rests on the name or address scanned (``direct``)."""
    if not addresses:
        return ""
    template = mixed if direct else _("matched by its reverse DNS name (PTR) at {addresses}")
    return template.format(addresses=", ".join(addresses))
