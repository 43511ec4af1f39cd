"""The second location of an evidence finding: the evidence line that contradicts a declared
object, or the declarations an observed item contradicts.

Which items relate is a matter of matching (host and port, fingerprint or name, CVE id,
certificate number), the same for every rule: computed here once, and attached to the findings
of the rules tagged ``evidence`` that need action.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from hdsguard.declarations.merge import DeclarationSet
from hdsguard.findings import Finding, Status

Place = tuple[str, int, int]
_ACTION = frozenset({Status.FAIL, Status.WARN, Status.ERROR})


def with_related(
    findings: Sequence[Finding], decl: DeclarationSet, rules: set[str]
) -> list[Finding]:
    """``findings`` with ``related`` set on those of ``rules`` that need action."""
    if not rules:
        return list(findings)
    matcher = _Matcher(decl)
    out = []
    for f in findings:
        if f.rule in rules and f.status in _ACTION:
            places = tuple(dict.fromkeys(p for p in matcher.related(f.target) if p[0] != f.file
                                         or p[1] != f.line))  # fmt: skip
            if places:
                f = f._replace(related=places)
        out.append(f)
    return out


def _at(item: dict[str, Any]) -> Place:
    file, _, line = str(item.get("at", "")).rpartition(":")
    return (file, int(line) if line.isdigit() else 1, 1)


def host_matches(host: Any, item: dict[str, Any]) -> bool:
    if not isinstance(host, str):
        return False
    return host.lower() in item.get("names", ()) or host in item.get("addresses", ())


class _Matcher:
    def __init__(self, decl: DeclarationSet) -> None:
        self.decl = decl
        self.data = decl.as_data()

    def _declared(self, section: str, objs: Iterable[dict[str, Any]], field: str) -> list[Place]:
        out = []
        for obj in objs:
            origin = self.decl.origin(section, str(obj.get("id")))
            if origin is not None:
                line, column = origin.locate((field,) if field in obj else ())
                out.append((origin.source.path, line, column))
        return out

    def related(self, target: str) -> list[Place]:
        section, _, ident = target.partition("/")
        obj = self.decl.get(section, ident) or {}
        method = getattr(self, f"_{section}", None)
        return method(obj) if method is not None else []

    def _evidence_ports(self, port: dict[str, Any]) -> list[Place]:
        same = [s for s in self.data.get("services", []) if host_matches(s.get("host"), port)]
        exact = [s for s in same if s.get("port") == port.get("port")]
        return self._declared("services", exact or same, "port")

    def _evidence_certificates(self, cert: dict[str, Any]) -> list[Place]:
        names = {cert.get("subject", "").lower(), *cert.get("sans", ())}
        certs = [
            c
            for c in self.data.get("certificates", [])
            if c.get("sha256", "").lower() == cert.get("sha256")
            or str(c.get("subject", "")).lower() in names
        ]
        host = cert.get("host")
        services = [s for s in self.data.get("services", []) if host and s.get("host") == host]
        return self._declared("certificates", certs, "subject") + self._declared(
            "services", services, "host"
        )

    def _services(self, service: dict[str, Any]) -> list[Place]:
        host = service.get("host")
        ports = [
            p
            for p in self.data["evidence_ports"]
            if host_matches(host, p) and p.get("port") == service.get("port")
        ]
        hosts = [h for h in self.data["evidence_hosts"] if host_matches(host, h)]
        places = [_at(i) for i in ports or hosts or self.data["evidence_scans"]]
        return places + self._kev(_names(service.get("software", {}).get("name")))

    def _certificates(self, cert: dict[str, Any]) -> list[Place]:
        from hdsguard.evidence.match import observed_certificates

        return [_at(c) for c in observed_certificates(cert, self.data)]

    def _firewalls(self, firewall: dict[str, Any]) -> list[Place]:
        return self._kev(_names(firewall.get("vendor")))

    def _providers(self, provider: dict[str, Any]) -> list[Place]:
        number = (provider.get("hds") or {}).get("certificate")
        return [_at(e) for e in self.data["evidence_hds_registry"] if e.get("id") == number]

    _vendors = _providers

    def _kev(self, names: set[str]) -> list[Place]:
        if not names:
            return []
        return [
            _at(e)
            for e in self.data["evidence_kev"]
            if e["product"].lower() in names or e["vendor"].lower() in names
        ]


def _names(value: Any) -> set[str]:
    return {value.lower()} if isinstance(value, str) and value else set()
