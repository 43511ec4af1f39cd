"""Evidence as rules see it: read-only sections beside the declared ones.

The one way evidence reaches the rules: each kind of evidence becomes a list section of the
declaration set (``evidence_ports``, ``evidence_certificates``…), whose items remember where
they were read (``at``: ``file:line``). Rules read them through ``decl`` like any other
section, take them as targets (``applies_to: [evidence_ports]``), and the engine locates their
findings in the evidence file. Inline tests give these sections under ``evidence:``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from hdsguard.declarations.located import SourceFile
from hdsguard.declarations.merge import DeclarationSet, Origin
from hdsguard.evidence.load import EvidenceSet
from hdsguard.evidence.nmapmodel import Host

if TYPE_CHECKING:
    from hdsguard.evidence.certs import ObservedCertificate

# Section name -> what its items are. Always present (empty without evidence), so that a rule
# reads `decl.evidence_ports` without guarding it.
SECTIONS: dict[str, str] = {
    "evidence_files": "every evidence file read: kind, sha256, timestamp",
    "evidence_scans": "nmap scans: date, vantage point",
    "evidence_hosts": "hosts a scan covered (up or not): names, addresses, vantage point",
    "evidence_ports": "open ports a scan saw: host, port, service, product, version",
    "evidence_certificates": "certificates servers presented (the first of each file)",
    "evidence_kev": "CISA KEV entries, by CVE id",
    "evidence_hds_registry": "entries of the ANS HDS registry snapshot, by certificate number",
}


def sections(evidence: EvidenceSet) -> dict[str, list[dict[str, Any]]]:
    """The evidence sections of ``evidence`` (items in a stable order, ids unique)."""
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in SECTIONS}
    out["evidence_files"] = [
        {"id": f.path, "kind": f.kind, "sha256": f.sha256, "timestamp": f.timestamp,
         "at": f"{f.path}:1"}
        for f in evidence.files
    ]  # fmt: skip
    _scans(out, evidence)
    out["evidence_certificates"] = _certificates(evidence, out["evidence_ports"])
    kev: dict[str, dict[str, Any]] = {}
    # A CVE two catalogues list is the newest catalogue's entry (then the first path's).
    by_path = sorted(evidence.kevs, key=lambda c: c.path)
    for cat in sorted(by_path, key=lambda c: c.released, reverse=True):
        for e in cat.entries:
            at = f"{cat.path}:{e.line}"
            kev.setdefault(e.cve, {"id": e.cve, "cve": e.cve, "vendor": e.vendor,
                                   "product": e.product, "name": e.name,
                                   "date_added": e.date_added, "at": at})  # fmt: skip
    out["evidence_kev"] = [kev[k] for k in sorted(kev)]
    registry: dict[str, dict[str, Any]] = {}
    # A certificate two snapshots list is the newest snapshot's row (then the first path's):
    # its state as last read, and the date EVD-010 judges the snapshot's age by.
    registries = sorted(evidence.registries, key=lambda r: r.path)
    for reg in sorted(registries, key=lambda r: r.snapshot, reverse=True):
        for r in reg.entries:
            registry.setdefault(r.certificate, {"id": r.certificate, "holder": r.holder,
                                                "certifier": r.certifier,
                                                "activities": list(r.activities),
                                                "valid_from": r.valid_from,
                                                "valid_until": r.valid_until,
                                                "snapshot": reg.snapshot,
                                                "at": f"{reg.path}:{r.line}"})  # fmt: skip
    out["evidence_hds_registry"] = [registry[k] for k in sorted(registry)]
    return out


def _certificates(evidence: EvidenceSet, ports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The servers' own certificates (the first of each file: the chain is read, not a
    target), in the order of their files and lines.

    A certificate nmap's ssl-cert script printed stands for its host and port as the newest
    scan from its vantage point that printed one there saw it, as a port is the newest
    scan's: an older scan's certificate there (the one since renewed) is not kept, and none
    is when a newer scan covered the port without seeing it open (``ports``, the section
    ``evidence_ports``, no longer holds it). Each keeps its scan's date (``scan_date``): a
    stale scan backs no pass (docs/evidence.md, "Stale scans"). A file's certificate has none.
    """
    first = [c for c in evidence.certificates if c[0].position == 0]
    # Which scan stands for each (host, address, port, vantage): the newest, then the first
    # path. A scanned certificate's names end with the host's address (load.py).
    newest: dict[tuple[str, str, int, str], str] = {}
    open_ports = (
        {(p["host"], (p["addresses"] or [""])[0], p["port"], p["vantage"]) for p in ports}
        if any(c.port for c, _host in first)
        else set()
    )
    by_path = sorted(first, key=lambda c: c[0].path)
    for cert, served_by in sorted(by_path, key=lambda c: c[0].scan_start, reverse=True):
        if cert.port:
            newest.setdefault(_slot(cert, served_by), cert.path)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for cert, served_by in sorted(first, key=lambda c: (c[0].path, c[0].line)):
        if cert.port:
            slot = _slot(cert, served_by)
            if newest[slot] != cert.path:
                continue  # a newer scan printed the certificate this port presents now
            if slot not in open_ports:
                continue  # a newer scan found the port no longer open
        key = f"{cert.sha256}{served_by}:{cert.port}"
        if key in seen:
            continue
        seen.add(key)
        # A file's id is its path; a scan's certificate is the scan's, on one host and port.
        ident = f"{cert.path}#{served_by}:{cert.port}" if cert.port else cert.path
        names = list(cert.names) if cert.names else [served_by] if served_by else []
        out.append(
            {"id": ident, "sha256": cert.sha256, "subject": cert.subject,
             "sans": list(cert.sans), "issuer": cert.issuer, "not_before": cert.not_before,
             "not_after": cert.not_after, "signature_algorithm": cert.signature_algorithm,
             "host": served_by or "", "names": names, "port": cert.port,
             "scan_date": cert.scan_start[:10], "vantage": cert.vantage,
             "at": f"{cert.path}:{cert.line}"}
        )  # fmt: skip
    return out


def _slot(cert: ObservedCertificate, served_by: str | None) -> tuple[str, str, int, str]:
    return (served_by or "", cert.names[-1] if cert.names else "", cert.port, cert.vantage)


def _scans(out: dict[str, list[dict[str, Any]]], evidence: EvidenceSet) -> None:
    """Scans, the hosts they covered and the open ports they saw. A host or port seen by
    several scans from the same vantage point is kept once, as the newest scan saw it; but
    its ``tls_versions`` come from the newest scan that listed them (a TLS scan with
    ssl-enum-ciphers, an inventory scan without it). A port is open when the newest scan
    that covered it (the host in it, the port in its ranges) saw it open: a port an older
    scan saw open and a newer one found closed or filtered is closed now."""
    hosts, ports = out["evidence_hosts"], out["evidence_ports"]
    seen: set[str] = set()
    # Ports kept without TLS versions yet, by id: an older scan may list them.
    unlisted: dict[str, dict[str, Any]] = {}
    # The port ranges of the newer scans that saw each host (by host id), with their path.
    covering: dict[str, list[tuple[str, dict[str, list[tuple[int, int]]]]]] = {}
    # The address of the host that holds each plain host id (`name@vantage`).
    owners: dict[str, str] = {}
    for scan, vantage in sorted(evidence.scans, key=lambda s: (-s[0].start.timestamp(), s[0].path)):
        date = scan.start.date().isoformat()
        # probed: its hosts up with a port whose state nmap could tell (EVD-004: a scan that
        # probed none shows nothing).
        scanned = {"id": scan.path, "date": date, "vantage": vantage, "hosts": len(scan.hosts),
                   "probed": 0, "at": f"{scan.path}:1"}  # fmt: skip
        out["evidence_scans"].append(scanned)
        probed = 0
        tcp = [[lo, hi] for lo, hi in scan.ranges.get("tcp", [])]
        udp = [[lo, hi] for lo, hi in scan.ranges.get("udp", [])]
        path = scan.path
        # One dict literal per host: a sweep has 10,000 of them (docs/performance.md).
        for host in scan.hosts:
            names, addresses = host.names, host.addresses
            name = names[0] if names else addresses[0] if addresses else "?"
            # A host is its name and address: two addresses under one name (a name moved to
            # another address between two scans, a PTR name several addresses share) are two
            # hosts, the one the newest scan saw keeping the plain id, so that a scan of the
            # new address does not close what an older one saw open on the old.
            address = addresses[0] if addresses else ""
            label = host_id = f"{name}@{vantage}"
            if owners.setdefault(host_id, address) == address:
                label = name
            else:
                label = f"{name}[{address}]"
                host_id = f"{label}@{vantage}"
            ident = host_id
            # The ports it covered: those probed, less those nmap could not tell from open.
            ranges, host_tcp, host_udp = scan.ranges, tcp, udp
            if host.folded or any(p.state.startswith("open|") for p in host.ports):
                ranges = _decided(scan.ranges, host)
                host_tcp = [[lo, hi] for lo, hi in ranges.get("tcp", [])]
                host_udp = [[lo, hi] for lo, hi in ranges.get("udp", [])]
            # A host nmap found down had no port probed; one it gave up on (--host-timeout)
            # not all of them: neither covers a port.
            probing = host.state != "down" and not host.timedout
            if ident not in seen:
                seen.add(ident)
                hosts.append({"id": ident, "names": names, "addresses": addresses, "host": name,
                              "ptr": host.ptr,
                              "vantage": vantage, "scan_date": date,
                              "state": "timedout" if host.timedout else host.state,
                              "tcp_ranges": host_tcp if probing else [],
                              "udp_ranges": host_udp if probing else [],
                              "at": f"{path}:{host.line}"})  # fmt: skip
            newer = covering.get(host_id)
            for port in host.ports:
                ident = f"{label}:{port.port}/{port.protocol}@{vantage}"
                if port.state != "open":
                    continue
                if ident in seen:
                    kept = unlisted.get(ident)
                    if kept is not None and port.tls_versions:
                        kept["tls_versions"] = list(port.tls_versions)
                        kept["tls_date"] = date  # the versions' own scan, for stale()
                        del unlisted[ident]
                    continue
                if newer is not None and _covered(newer, path, port.protocol, port.port):
                    continue  # a newer scan covered it and did not see it open
                seen.add(ident)
                item = {
                    "id": ident,
                    "names": names,
                    "addresses": addresses,
                    "host": name,
                    "ptr": host.ptr,
                    "vantage": vantage,
                    "scan_date": date,
                    "port": port.port,
                    "protocol": port.protocol,
                    "service": port.service,
                    "product": port.product,
                    "version": port.version,
                    "tunnel": port.tunnel,
                    "method": port.method,
                    "tls_versions": list(port.tls_versions),
                    "tls_date": date,
                    "at": f"{path}:{port.line}",
                }
                ports.append(item)
                if not port.tls_versions:
                    unlisted[ident] = item
            if probing:
                covering.setdefault(host_id, []).append((path, ranges))
                probed += any(ranges.values())
        scanned["probed"] = probed
    by_id = itemgetter("id")  # every id here is a string
    for name in ("evidence_scans", "evidence_hosts", "evidence_ports"):
        out[name].sort(key=by_id)


def _decided(
    ranges: dict[str, list[tuple[int, int]]], host: Host
) -> dict[str, list[tuple[int, int]]]:
    """``ranges`` (a scan's, per protocol) less the ports of ``host`` nmap could not tell open
    from filtered (`open|filtered`: no answer, which an open UDP service that ignores nmap's
    probe gives too): listed so, or folded into an `<extraports>` of that state (every port
    of every protocol when its `<extrareasons>` do not list them all). Such a port was not
    covered: its absence from the open ports says nothing (docs/evidence.md)."""
    holes: dict[str, list[tuple[int, int]]] = {}
    for port in host.ports:
        if port.state.startswith("open|"):
            holes.setdefault(port.protocol, []).append((port.port, port.port))
    for folded in host.folded:
        if folded.count < 0 or folded.listed != folded.count:
            return {protocol: [] for protocol in ranges}
        for protocol, listed in folded.ranges.items():
            holes.setdefault(protocol, []).extend(listed)
    return {protocol: _minus(spans, holes.get(protocol, [])) for protocol, spans in ranges.items()}


def _minus(spans: list[tuple[int, int]], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The ports of ``spans`` outside ``holes``, as ranges."""
    out = list(spans)
    for a, b in holes:
        cut = []
        for lo, hi in out:
            if b < lo or hi < a:
                cut.append((lo, hi))
                continue
            if lo < a:
                cut.append((lo, a - 1))
            if b < hi:
                cut.append((b + 1, hi))
        out = cut
    return out


def _covered(
    scans: list[tuple[str, dict[str, list[tuple[int, int]]]]], path: str, protocol: str, port: int
) -> bool:
    """Whether a scan of ``scans`` other than ``path`` covered ``port``/``protocol``."""
    return any(
        lo <= port <= hi
        for other, ranges in scans
        if other != path
        for lo, hi in ranges.get(protocol, ())
    )


class EvidenceOrigin(Origin):
    """Where an evidence item was read: a file and a line (the column is the line's start)."""

    __slots__ = ("line",)

    def __init__(self, source: SourceFile, line: int) -> None:
        # Not Anchor's __init__: its other fields serve the YAML lookups that locate()
        # replaces, and a sweep makes 10,000 of these.
        self.source = source
        self.path = ()
        self.line = line

    def locate(self, field: Sequence[str | int] = (), *, value: bool = False) -> tuple[int, int]:
        return (self.line, 1)


def attach(decl: DeclarationSet, evidence: dict[str, list[dict[str, Any]]]) -> None:
    """Add the evidence sections to ``decl``: data rules read, targets located in the files.

    Each section's look-up by id and locations are made on its first look-up (a sweep's
    10,000 hosts are read as a list by the matching, never one by one by a built-in rule)."""
    files: dict[str, SourceFile] = {}  # one per evidence file: 10k scanned hosts share their scan's
    for name, items in evidence.items():
        if name not in SECTIONS:
            raise ValueError(f"unknown evidence section {name!r}; known: {', '.join(SECTIONS)}")
        decl.lists[name] = items
        decl.pending[name] = partial(_index, decl, name, items, files)


def _index(
    decl: DeclarationSet, name: str, items: list[dict[str, Any]], files: dict[str, SourceFile]
) -> None:
    by_id = decl.by_id.setdefault(name, {})
    origins = decl.origins
    for item in items:
        ident = str(item.get("id", ""))
        by_id[ident] = item
        at = str(item.get("at", "<evidence>:1"))
        file, _, line = at.rpartition(":")
        file = file or at
        source = files.get(file)
        if source is None:
            source = files[file] = SourceFile(file, None, {})
        origins[(name, ident)] = EvidenceOrigin(source, int(line) if line.isdigit() else 1)
