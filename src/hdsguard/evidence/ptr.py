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
from hdsguard.findings import Finding, Status
from hdsguard.i18n import _

_CONCLUDED = frozenset({Status.PASS, Status.FAIL, Status.WARN})


def with_ptr_notes(
    findings: Sequence[Finding], decl: DeclarationSet, rules: Mapping[str, Iterable[str]]
) -> list[Finding]:
    """``findings`` with the note added to those of the rules tagged ``scan`` (``rules``:
    rule id -> its tags) whose target was matched to a scan through a PTR name only."""
    scan_rules = {rule for rule, tags in rules.items() if "scan" in tags}
    data = decl.as_data()
    if not any(item.get("ptr") for item in data.get("evidence_hosts") or ()):
        return list(findings)  # no PTR name in any scan: nothing to say
    memo: dict[str, list[str]] = {}
    out = []
    for f in findings:
        if f.rule in scan_rules and f.status in _CONCLUDED:
            addresses = memo.get(f.target)
            if addresses is None:
                addresses = memo[f.target] = _ptr_addresses(f.target, decl, data)
            if addresses:
                note = _("matched by its reverse DNS name (PTR) at {addresses}").format(
                    addresses=", ".join(addresses)
                )
                f = f._replace(message=f"{f.message} ({note})")
        out.append(f)
    return out


def _ptr_addresses(target: str, decl: DeclarationSet, data: Mapping[str, Any]) -> list[str]:
    section, _sep, ident = target.partition("/")
    obj = decl.get(section, ident)
    if not isinstance(obj, dict):
        return []
    if section == "services":
        seen = [*match.ports_of(obj, data), *match.hosts_of(obj, data)]
        return match.ptr_addresses(obj, seen)
    if section == "evidence_ports":
        found: list[str] = []
        for service in match.services_at(obj, data):
            found += [a for a in match.ptr_addresses(service, [obj]) if a not in found]
        return found
    return []
