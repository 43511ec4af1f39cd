"""The second location of an evidence finding: the evidence line that contradicts a declared
object, or the declarations an observed item contradicts.

Which items relate is a matter of matching (:mod:`hdsguard.evidence.match`), the same for
every rule: computed here, and attached to the findings of the rules tagged ``evidence`` that
need action (a pass needs no second place to look).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from hdsguard.declarations.merge import DeclarationSet
from hdsguard.evidence import match
from hdsguard.findings import Finding, Status

Place = tuple[str, int, int]
_ACTION = frozenset({Status.FAIL, Status.WARN, Status.ERROR})


def with_related(
    findings: Sequence[Finding], decl: DeclarationSet, rules: Mapping[str, Iterable[str]]
) -> list[Finding]:
    """``findings`` with ``related`` set on those of ``rules`` (rule id -> its tags) that need
    action. A service's related evidence is what its rule reads, by the rule's tags: the
    scans for a rule tagged ``scan``, the KEV entries for one tagged ``kev`` (both for a rule
    tagged neither): a scan finding's "see also" pointed at the KEV catalogue too."""
    related = _Related(decl)
    kinds = {rule: _kinds(frozenset(tags)) for rule, tags in rules.items()}
    out = []
    for f in findings:
        wanted = kinds.get(f.rule)
        if wanted is not None and f.status in _ACTION:
            here = (f.file, f.line)
            found = related.of(f.target, wanted)
            places = tuple(dict.fromkeys(p for p in found if p[:2] != here))
            if places:
                f = f._replace(related=places)
        out.append(f)
    return out


def _kinds(tags: frozenset[str]) -> frozenset[str]:
    kinds = tags & {"scan", "kev"}
    return kinds or frozenset({"scan", "kev"})


def _at(item: dict[str, Any]) -> Place:
    file, _, line = str(item.get("at", "")).rpartition(":")
    return (file, int(line) if line.isdigit() else 1, 1)


class _Related:
    def __init__(self, decl: DeclarationSet) -> None:
        self.decl = decl
        self.data = decl.as_data()
        self.by_section: dict[str, Callable[[dict[str, Any], frozenset[str]], list[Place]]] = {
            "evidence_ports": self._port,
            "evidence_certificates": self._observed_certificate,
            "services": self._service,
            "certificates": self._certificate,
            "firewalls": self._firewall,
            "providers": self._hds,
            "vendors": self._hds,
        }

    def of(self, target: str, kinds: frozenset[str]) -> list[Place]:
        section, _, ident = target.partition("/")
        how = self.by_section.get(section)
        obj = self.decl.get(section, ident)
        return how(obj, kinds) if how is not None and obj is not None else []

    def _declared(self, section: str, objs: Iterable[dict[str, Any]], field: str) -> list[Place]:
        out = []
        for obj in objs:
            origin = self.decl.origin(section, str(obj.get("id")))
            if origin is not None:
                line, column = origin.locate((field,) if field in obj else ())
                out.append((origin.source.path, line, column))
        return out

    def _port(self, port: dict[str, Any], kinds: frozenset[str]) -> list[Place]:
        # The services it contradicts: those of the same host and port, else of the same host.
        same_host = match.services_on(port, self.data)
        exact = match.on_port(same_host, port)  # services_at, without a second look-up
        return self._declared("services", exact or same_host, "port")

    def _observed_certificate(self, cert: dict[str, Any], kinds: frozenset[str]) -> list[Place]:
        services = [s for s in self.data.get("services", []) if match.served_at(cert, s)]
        return self._declared(
            "certificates", match.declared_certificates(cert, self.data), "subject"
        ) + self._declared("services", services, "host")

    def _service(self, service: dict[str, Any], kinds: frozenset[str]) -> list[Place]:
        places = []
        if "scan" in kinds:
            seen = match.ports_of(service, self.data) or match.hosts_of(service, self.data)
            places = [_at(i) for i in seen or self.data["evidence_scans"]]
        if "kev" in kinds:
            places += self._kev((service.get("software") or {}).get("name"))
        return places

    def _certificate(self, cert: dict[str, Any], kinds: frozenset[str]) -> list[Place]:
        return [_at(c) for c in match.certificates_matching(cert, self.data)]

    def _hds(self, holder: dict[str, Any], kinds: frozenset[str]) -> list[Place]:
        number = (holder.get("hds") or {}).get("certificate")
        return [_at(e) for e in self.data["evidence_hds_registry"] if e["id"] == number]

    def _firewall(self, firewall: dict[str, Any], kinds: frozenset[str]) -> list[Place]:
        product = (firewall.get("firmware") or {}).get("product")
        return [_at(e) for e in match.kev_entries_of(firewall.get("vendor"), product, self.data)]

    def _kev(self, name: Any) -> list[Place]:
        return [_at(e) for e in match.kev_entries(name, self.data)]
