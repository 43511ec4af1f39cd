"""Matching observations to declarations: the same rules for every policy and report.

- a port or host seen by a scan is a declared service's when the service's ``host`` is one of
  the scanned host's names (case-insensitive) or addresses, and the ports are equal;
- a certificate seen is a declared certificate's when its SHA-256 fingerprint is the declared
  ``sha256``, else when a service declaring that certificate runs on the host that served it,
  else when the declared ``subject`` is its common name or one of its DNS names;
- a KEV entry is a product's when its ``product`` or ``vendorProject`` is the declared name
  (case-insensitive).
"""

from __future__ import annotations

from typing import Any


def _host_matches(host: Any, item: dict[str, Any]) -> bool:
    if not isinstance(host, str) or not host:
        return False
    return host.lower() in item.get("names", ()) or host in item.get("addresses", ())


def on_host(service: Any, item: dict[str, Any]) -> bool:
    """Whether a declared service's ``host`` is the scanned host of ``item``."""
    return isinstance(service, dict) and _host_matches(service.get("host"), item)


def ports_of(service: Any, data: dict[str, Any]) -> list[Any]:
    if not isinstance(service, dict):
        return []
    host, port = service.get("host"), service.get("port")
    return [
        p for p in data.get("evidence_ports", []) if p["port"] == port and _host_matches(host, p)
    ]


def hosts_of(service: Any, data: dict[str, Any]) -> list[Any]:
    host = service.get("host") if isinstance(service, dict) else None
    return [h for h in data.get("evidence_hosts", []) if _host_matches(host, h)]


def services_at(port: Any, data: dict[str, Any]) -> list[Any]:
    if not isinstance(port, dict):
        return []
    return [
        s
        for s in data.get("services", [])
        if s.get("port") == port.get("port") and _host_matches(s.get("host"), port)
    ]


def observed_certificates(cert: Any, data: dict[str, Any]) -> list[Any]:
    if not isinstance(cert, dict):
        return []
    seen = data.get("evidence_certificates", [])
    fingerprint = cert.get("sha256")
    if isinstance(fingerprint, str) and fingerprint:
        return [c for c in seen if c["sha256"] == fingerprint.lower().replace(":", "")]
    hosts = {
        s.get("host")
        for s in data.get("services", [])
        if (s.get("tls") or {}).get("certificate") == cert.get("id") and s.get("host")
    }
    by_host = [c for c in seen if c.get("host") in hosts]
    if by_host:
        return by_host
    subject = cert.get("subject")
    if not isinstance(subject, str) or not subject:
        return []
    name = subject.lower()
    return [c for c in seen if c["subject"].lower() == name or name in c.get("sans", ())]


def declared_certificates(observed: Any, data: dict[str, Any]) -> list[Any]:
    ident = observed.get("id") if isinstance(observed, dict) else None
    return [
        c
        for c in data.get("certificates", [])
        if any(o.get("id") == ident for o in observed_certificates(c, data))
    ]


def kev_entries(name: Any, data: dict[str, Any]) -> list[Any]:
    if not isinstance(name, str) or not name:
        return []
    key = name.lower()
    return [
        e
        for e in data.get("evidence_kev", [])
        if e["product"].lower() == key or e["vendor"].lower() == key
    ]
