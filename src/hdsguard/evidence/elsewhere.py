"""Say when a scan found a service's host name at none of the addresses it declares.

A service that declares ``addresses`` says where it is. A scanned host that carries its
``host`` name at other addresses (the scanner's DNS answered with another machine: a stale
record, a split-horizon resolver, an old server left running; or the declared addresses are
out of date) is not matched to it (:func:`hdsguard.evidence.match.elsewhere`): a pass on
another machine is not earned. The rules then see no scan of the service, and of the port
they see no declared service, so their findings would say "appears in none of the scans" or
"no declared service has this host and port" and stop there. Each finding of a rule tagged
``scan`` on such a service or port says why, in every status but error: "a scan found the name
localhost at 127.0.0.1, not among the addresses the service declares (127.0.0.2)…". EVD-005 then
says the host "appears at none of its declared addresses", not "in none of the scans", which
the note contradicted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from hdsguard.declarations.merge import DeclarationSet
from hdsguard.evidence import match
from hdsguard.evidence.scannotes import with_scan_notes
from hdsguard.findings import Finding, Status
from hdsguard.i18n import _

_NOT_ERROR = frozenset(Status) - {Status.ERROR}


def with_elsewhere_notes(
    findings: Sequence[Finding], decl: DeclarationSet, rules: Mapping[str, Iterable[str]]
) -> list[Finding]:
    """``findings`` with the note added to those of the rules tagged ``scan`` (``rules``:
    rule id -> its tags) whose service or scanned port is in that case."""
    data = decl.as_data()
    if not any(match.declared_addresses(s) for s in data.get("services") or ()):
        return list(findings)  # no service declares addresses: nothing to say
    return with_scan_notes(findings, rules, _NOT_ERROR, lambda t: _note(t, decl, data))


def _note(target: str, decl: DeclarationSet, data: Mapping[str, Any]) -> str:
    section, _sep, ident = target.partition("/")
    obj = decl.get(section, ident)
    if not isinstance(obj, dict):
        return ""
    if section == "services":
        hosts = match.named_elsewhere(obj, data)
        if not hosts:
            return ""
        return _(
            "a scan found the name {host} at {found}, not among the addresses the service "
            "declares ({declared}): that scan reached another machine, or `addresses` is out "
            "of date; correct `addresses`, or scan the declared address"
        ).format(
            host=obj.get("host"),
            found=", ".join(_addresses(hosts)),
            declared=", ".join(sorted(match.declared_addresses(obj))),
        )
    if section == "evidence_ports":
        services = match.elsewhere_at(obj, data)
        if not services:
            return ""
        return _(
            "{services} declares this host name and port at {declared}, not at {found}: the "
            "scanner reached another machine, or `addresses` is out of date"
        ).format(
            services=", ".join(f"services/{s.get('id')}" for s in services),
            declared=", ".join(sorted({a for s in services for a in match.declared_addresses(s)})),
            found=", ".join(obj.get("addresses") or ()),
        )
    return ""


def _addresses(hosts: Iterable[Any]) -> list[str]:
    out: list[str] = []
    for host in hosts:
        out += [a for a in host.get("addresses") or () if a not in out]
    return out
