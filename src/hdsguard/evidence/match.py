"""Matching observations to declarations: the same rules for every policy and report.

- a port or host seen by a scan is a declared service's when the service's ``host``, or one of
  its declared ``addresses``, is one of the scanned host's names or addresses (ignoring case;
  addresses in their canonical form), but never at an address a service declaring
  ``addresses`` does not declare (:func:`elsewhere`), and (for a port) the port numbers
  are equal and the port's transport is one the service's ``protocol`` runs on
  (:func:`hdsguard.data.transports`: an SNMP agent declared on 161 is not a TCP port 161);
- a certificate seen is a declared certificate's when its SHA-256 fingerprint is the declared
  ``sha256``, else when a service declaring that certificate runs on the host that served it
  (and on its port, for a certificate read from a scan), else when the declared ``subject``
  is its common name or one of its DNS names, or a name it is valid for (a wildcard
  ``*.example.org`` for a declared ``www.example.org``, as :func:`names_host` checks it);
- a KEV entry is a service software's when its ``product`` or ``vendorProject`` is the
  declared name (ignoring case); a firewall's when its ``vendorProject`` is the firewall's
  ``vendor`` and its ``product`` names the declared ``firmware.product`` (the words of one
  are a run of the other's, ignoring case, as :func:`names_product` says: "FortiOS" names
  "FortiOS and FortiProxy", "Forti" names nothing) or is "Multiple Products";
  with no product declared, every entry of the vendor (a wider list to review, never a pass
  on an unchecked product).

Lookups go through indexes built once per declaration set: a scan of 10k hosts checked
against 10k services must not compare every pair.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from hdsguard.data import transports

Data = Mapping[str, Any]


class _Index:
    """Items of the evidence and service sections by host key (a lower-case name or address),
    each table built on first use and kept while its section is the very same list."""

    def __init__(self) -> None:
        self.data: Data = {}
        self.built: dict[str, tuple[Any, dict[Any, list[Any]]]] = {}

    def get(self, name: str) -> dict[Any, list[Any]]:
        # Only the section the table is made of is read: a helper may read no other
        # (hdsguard.policies.celenv.SECTIONS_READ).
        section, build = _TABLES[name]
        items = self.data.get(section)
        known = self.built.get(name)
        if known is not None and known[0] is items:
            return known[1]
        table = build(items or ())
        self.built[name] = (items, table)
        return table


def _ports(items: Iterable[Any]) -> dict[Any, list[Any]]:
    return _by(((k, p["port"]), p) for p in items for k in _keys(p))


def _hosts(items: Iterable[Any]) -> dict[Any, list[Any]]:
    # _by over _keys, unrolled: a sweep has 10,000 hosts.
    out: dict[Any, list[Any]] = {}
    for host in items:
        for key in host.get("names", ()):
            out.setdefault(key, []).append(host)
        for key in host.get("addresses", ()):
            out.setdefault(key, []).append(host)
    return out


def _services(items: Iterable[Any]) -> dict[Any, list[Any]]:
    return _by((key, s) for s in items for key in service_keys(s))


def _serving(items: Iterable[Any]) -> dict[Any, list[Any]]:
    # Services by the id of the certificate they declare (None: they declare none).
    return _by(((s.get("tls") or {}).get("certificate"), s) for s in items)


def _kev(items: Iterable[Any]) -> dict[Any, list[Any]]:
    return _by(
        (name.lower(), e) for e in items for name in dict.fromkeys((e["product"], e["vendor"]))
    )


_TABLES: dict[str, tuple[str, Callable[[Iterable[Any]], dict[Any, list[Any]]]]] = {
    "ports": ("evidence_ports", _ports),
    "hosts": ("evidence_hosts", _hosts),
    "services": ("services", _services),
    "serving": ("services", _serving),
    "kev": ("evidence_kev", _kev),
}

# One index for the process: a run binds one declaration set (the helpers' and the report's);
# a table is reused for the very same list, whatever mapping holds it
# (``DeclarationSet.as_data()`` builds a new mapping of the same lists on each call, and an
# index built twice cost a 10k-host scan ≈ 0.1 s).
_INDEX = _Index()


def _index(data: Data) -> _Index:
    _INDEX.data = data
    return _INDEX


def _by(pairs: Iterable[tuple[Any, Any]]) -> dict[Any, list[Any]]:
    out: dict[Any, list[Any]] = {}
    for key, item in pairs:
        out.setdefault(key, []).append(item)
    return out


def _keys(item: dict[str, Any]) -> tuple[str, ...]:
    # The scan reader lower-cases names and addresses (IPv6 hex digits) already.
    return (*item.get("names", ()), *item.get("addresses", ()))


def _host(obj: Any) -> str | None:
    host = obj.get("host") if isinstance(obj, dict) else None
    return host_key(host) if isinstance(host, str) and host else None


def service_keys(service: Any) -> tuple[str, ...]:
    """The host keys a declared service is observed under: its ``host``, then its declared
    ``addresses`` (a service declared by name and scanned by address, whose address has no
    PTR record naming it, is still the service scanned), each once."""
    if not isinstance(service, dict):
        return ()
    host = _host(service)
    listed = service.get("addresses")
    if not isinstance(listed, list) or not listed:
        return (host,) if host is not None else ()
    keys = [host] if host is not None else []
    keys += [host_key(a) for a in listed if isinstance(a, str) and a]
    return tuple(dict.fromkeys(keys))


def host_key(text: str) -> str:
    """A host as the scans write it: names in lower case without a final dot, addresses in
    their canonical form (nmap writes ``2001:db8::1``; a declared ``2001:DB8:0:0::1`` is the
    same address, not another host no scan covered)."""
    key = text.strip().lower().rstrip(".")
    if ":" in key or key[-1:].isdigit():
        try:
            return ipaddress.ip_address(key).compressed
        except ValueError:
            pass
    return key


def declared_addresses(service: Any) -> frozenset[str]:
    """The addresses ``service`` declares itself at: its ``addresses``, and its ``host`` when
    that is an address (none: it declares a name only, and any address of it will do)."""
    if not isinstance(service, dict):
        return frozenset()
    listed = service.get("addresses")
    if not isinstance(listed, list) or not listed:
        return frozenset()
    host = service.get("host")
    return _declared(
        host if isinstance(host, str) else "",
        tuple(a for a in listed if isinstance(a, str) and a),
    )


# Cached: every matcher asks it of every service on every call (a 10,000-host scan checked
# against 10,000 services declaring addresses: 270,000 calls, 8 s of address parsing).
@functools.lru_cache(maxsize=1 << 16)
def _declared(host: str, listed: tuple[str, ...]) -> frozenset[str]:
    keys = {host_key(a) for a in listed}
    if host and _is_address(host_key(host)):
        keys.add(host_key(host))
    return frozenset(keys)


def elsewhere(service: Any, item: Any) -> bool:
    """Whether the scanned ``item`` (a host or port) carries ``service``'s host name but none
    of the addresses the service declares: the scanner's DNS sent it to another machine (a
    stale record, a split-horizon resolver, an old server left running), or the declared
    ``addresses`` are out of date. Either way what the scan saw there is not the service: no
    match, so that no rule passes on another machine (evidence/elsewhere.py says why)."""
    declared = declared_addresses(service)
    if not declared or not isinstance(item, dict):
        return False
    addresses = item.get("addresses") or ()
    return bool(addresses) and declared.isdisjoint(addresses)


def _is_address(key: str) -> bool:
    try:
        ipaddress.ip_address(key)
    except ValueError:
        return False
    return True


def ports_of(service: Any, data: Data) -> list[Any]:
    keys = service_keys(service)
    if not keys:
        return []
    table = _index(data).get("ports")
    number = service.get("port")
    found = _once(table.get((key, number), ()) for key in keys)
    return (
        [p for p in found if _same_transport(service, p) and not elsewhere(service, p)]
        if found
        else []
    )


def hosts_of(service: Any, data: Data) -> list[Any]:
    table = _index(data).get("hosts")
    found = _once(table.get(key, ()) for key in service_keys(service))
    return [h for h in found if not elsewhere(service, h)] if found else found


def named_elsewhere(service: Any, data: Data) -> list[Any]:
    """The scanned hosts that carry ``service``'s host name at none of its declared
    addresses (:func:`elsewhere`): what its findings name when no scan matched it."""
    if not declared_addresses(service):
        return []
    table = _index(data).get("hosts")
    found = _once(table.get(key, ()) for key in service_keys(service))
    return [h for h in found if elsewhere(service, h)]


def ptr_addresses(service: Any, items: Iterable[Any], direct: bool = False) -> list[str]:
    """The addresses of those ``items`` (scanned hosts or ports matched to ``service``) that
    match it only through a name nmap had from reverse DNS (a PTR record), not through the
    name or the address scanned: a weaker match, which findings say (evidence/ptr.py). With
    ``direct``, the addresses of the items that match it through the name or address
    scanned instead."""
    keys = set(service_keys(service))
    out: list[str] = []
    for item in items:
        if not isinstance(item, dict) or not keys:
            continue
        through = keys.intersection(_keys(item))
        if not through:
            continue
        by_ptr = through <= set(item.get("ptr") or ())
        if by_ptr != direct:
            out += [a for a in (item.get("addresses") or sorted(through))[:1] if a not in out]
    return out


def _once(groups: Iterable[Iterable[Any]]) -> list[Any]:
    """The items of ``groups`` in order, each once (a host seen under its name and under a
    declared address is one host)."""
    out: list[Any] = []
    seen: set[int] = set()
    for group in groups:
        for item in group:
            if id(item) not in seen:
                seen.add(id(item))
                out.append(item)
    return out


def services_on(item: Any, data: Data) -> list[Any]:
    """Declared services whose host is the scanned host of ``item``, in declaration order."""
    if not isinstance(item, dict):
        return []
    table = _index(data).get("services")
    hits = [table[k] for k in _keys(item) if k in table]
    if len(hits) <= 1:
        return [s for s in hits[0] if not elsewhere(s, item)] if hits else []
    found = {id(s): s for group in hits for s in group if not elsewhere(s, item)}
    order = {id(s): i for i, s in enumerate(data.get("services", ()))} if len(found) > 1 else {}
    return sorted(found.values(), key=lambda s: order.get(id(s), 0))


def elsewhere_at(port: Any, data: Data) -> list[Any]:
    """The declared services on ``port``'s number and transport that carry the scanned host's
    name but declare none of its addresses (:func:`elsewhere`): not matched to it."""
    if not isinstance(port, dict):
        return []
    table = _index(data).get("services")
    found = _once(table.get(k, ()) for k in port.get("names", ()))
    return [s for s in on_port(found, port) if elsewhere(s, port)]


def services_at(port: Any, data: Data) -> list[Any]:
    if not isinstance(port, dict):
        return []
    return on_port(services_on(port, data), port)


def on_port(services: list[Any], port: dict[str, Any]) -> list[Any]:
    """Those of ``services`` (of the scanned host of ``port``) declared on its port."""
    return [s for s in services if s.get("port") == port.get("port") and _same_transport(s, port)]


def _same_transport(service: dict[str, Any], port: dict[str, Any]) -> bool:
    """Whether ``port`` (tcp or udp) is on a transport ``service``'s protocol runs on."""
    protocol = service.get("protocol")
    return port.get("protocol", "tcp") in transports(protocol if isinstance(protocol, str) else "")


def observed_certificates(cert: Any, data: Data) -> list[Any]:
    """The certificates seen that are evidence about ``cert``: those matching it, less those
    a scan saw before ``cert`` began (:func:`predating_certificates`)."""
    return [c for c in certificates_matching(cert, data) if not _predates(c, cert)]


def predating_certificates(cert: Any, data: Data) -> list[Any]:
    """The certificates matching ``cert`` that a scan printed before the declared
    ``not_before``, other than ``cert`` itself (another start date, no matching
    fingerprint): the certificate was renewed after the scan, which saw its predecessor and
    says nothing of it. Neither a pass (the renewal is not confirmed) nor a failure (nothing
    contradicts it): EVD-006 and EVD-007 say to scan again. A file carries no date."""
    return [c for c in certificates_matching(cert, data) if _predates(c, cert)]


def _predates(observed: Any, cert: Any) -> bool:
    """Whether the scan that printed ``observed`` says nothing of ``cert``
    (:func:`before_change`): made before its declared first day, or on that day while it saw
    an earlier certificate. One that saw a certificate starting that day is compared, and so
    is one made earlier that saw it (the declared day is the certificate's, not the scan's)."""
    start = cert.get("not_before")
    scanned = observed.get("scan_date") or ""
    if not start or not scanned or _fingerprint(cert):
        return False
    start, seen = str(start), str(observed.get("not_before") or "")
    if seen == start:
        return False
    return before_change(str(scanned), start, bool(seen) and seen < start)


def before_change(scanned: str, day: str, saw_previous: bool) -> bool:
    """Whether a scan made on ``scanned`` (the UTC day it started) says nothing of a change
    the declarations date ``day``: a certificate's renewal (its `not_before`, EVD-006 and
    EVD-007), a software patch (`software.last_patch`, EVD-003). Made before that day, it saw
    what the change replaced. Made on that day, it may have run before the change was
    installed: the declaration gives the day, not the hour. So a scan of that day that saw
    the previous state (``saw_previous``: an earlier certificate, an older version than
    declared) is neither a pass nor a failure (a same-day scan compared failed a renewal made
    that afternoon); one that saw the new state is compared. No day declared, or a scan
    without a date (a certificate file): compared."""
    if not day or not scanned:
        return False
    return scanned < day or (scanned == day and saw_previous)


def predates_patch(port: Any, software: Any) -> bool:
    """Whether the scan that identified ``port``'s version says nothing of ``software`` as
    declared (:func:`before_change`): made before its `last_patch`, or on that day while it
    identified an older version than the declared `version` (the one the patch replaced)."""
    if not isinstance(port, dict) or not isinstance(software, dict):
        return False
    from hdsguard.evidence.versions import version_order  # imports packaging: only when used

    seen, declared = str(port.get("version") or ""), str(software.get("version") or "")
    older = bool(seen and declared) and version_order(seen, declared) == "older"
    day = str(software.get("last_patch") or "")
    return before_change(str(port.get("scan_date") or ""), day, older)


def _fingerprint(cert: Any) -> str:
    fingerprint = cert.get("sha256")
    return fingerprint.lower().replace(":", "") if isinstance(fingerprint, str) else ""


def certificates_matching(cert: Any, data: Data) -> list[Any]:
    """Every certificate seen that matches declared ``cert``, whenever it was seen."""
    if not isinstance(cert, dict):
        return []
    seen = data.get("evidence_certificates") or []
    if not seen:
        # Nothing observed: no need to look for the services that serve it (this ran for
        # every declared certificate of every run, evidence or not, over every service).
        return []
    fingerprint = _fingerprint(cert)
    if fingerprint:
        return [c for c in seen if c["sha256"] == fingerprint]
    # Indexed: a pass over every service for each declared certificate cost a 10k-object
    # estate about a second.
    places = _index(data).get("serving").get(cert.get("id"), ())
    by_host = [c for c in seen if any(served_at(c, s) for s in places)]
    if by_host:
        return by_host
    subject = cert.get("subject")
    if not isinstance(subject, str) or not subject:
        return []
    name = subject.lower()
    # A wildcard certificate serves the more specific names it covers: the one declared for
    # www.example.org may be *.example.org (RFC 6125, one left-most label).
    return [
        c
        for c in seen
        if c["subject"].lower() == name or name in c.get("sans", ()) or names_host(c, name)
    ]


def served_at(observed: Any, service: Any) -> bool:
    """Whether ``observed`` (a certificate seen) was presented by ``service``'s host, and its
    port when the certificate was read from a scan (nmap's ssl-cert script knows it)."""
    hosts = service_keys(service)
    if not hosts or not isinstance(observed, dict):
        return False
    keys = {host_key(str(k)) for k in (observed.get("host"), *observed.get("names", ())) if k}
    port = observed.get("port") or 0
    return any(h in keys for h in hosts) and (not port or port == service.get("port"))


def names_product(product: Any, name: Any) -> bool:
    """Whether the product nmap identified names the declared software ``name``, or the
    reverse: the words of one (runs of letters and digits, ignoring case) are a run of the
    words of the other. ``OpenSSH`` names ``OpenSSH``, ``Apache httpd`` names ``Apache httpd``,
    ``OpenSSL`` names ``OpenSSL s_server -www httpd`` and ``Microsoft-IIS`` names ``Microsoft
    IIS httpd``; ``SQL`` does not name ``PostgreSQL DB``, a part of a word being no name."""
    if not isinstance(product, str) or not isinstance(name, str):
        return False
    seen, declared = _words(product), _words(name)
    return bool(seen and declared) and (_within(declared, seen) or _within(seen, declared))


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.casefold()))


# Letters and digits of any script; `_` and punctuation separate words (nmap's `s_server`).
_WORD = re.compile(r"[^\W_]+")


def _within(part: tuple[str, ...], whole: tuple[str, ...]) -> bool:
    size = len(part)
    return any(whole[i : i + size] == part for i in range(len(whole) - size + 1))


def names_host(observed: Any, name: Any) -> bool:
    """Whether the certificate ``observed`` is valid for the host ``name``, as a client checks
    it (RFC 6125 6.4): by its subject alternative names when it has any, the common name
    counting only without them; a wildcard stands for exactly one left-most label
    (``*.example.org`` names ``www.example.org``, not ``example.org`` nor ``a.b.example.org``)."""
    if not isinstance(observed, dict) or not isinstance(name, str) or not name:
        return False
    wanted = name.lower().rstrip(".")
    sans = observed.get("sans") or ()
    presented = sans if sans else (str(observed.get("subject", "")),)
    return any(_name_matches(str(n).lower().rstrip("."), wanted) for n in presented)


def _name_matches(pattern: str, name: str) -> bool:
    if not pattern.startswith("*."):
        return pattern == name
    label, dot, rest = name.partition(".")
    return bool(label and dot and rest == pattern[2:])


def declared_certificates(observed: Any, data: Data) -> list[Any]:
    ident = observed.get("id") if isinstance(observed, dict) else None
    return [
        c
        for c in data.get("certificates", [])
        # A certificate a scan saw before the declared one began is its predecessor: still
        # declared (EVD-008), though no evidence about the renewal (EVD-006, EVD-007).
        if any(o.get("id") == ident for o in certificates_matching(c, data))
    ]


def kev_entries(name: Any, data: Data) -> list[Any]:
    if not isinstance(name, str) or not name:
        return []
    return list(_index(data).get("kev").get(name.lower(), ()))


def kev_entries_of(vendor: Any, product: Any, data: Data) -> list[Any]:
    """KEV entries of ``vendor`` (ignoring case) naming ``product`` (see above)."""
    if not isinstance(vendor, str) or not vendor:
        return []
    wanted = product.lower() if isinstance(product, str) else ""
    return [
        e
        for e in _index(data).get("kev").get(vendor.lower(), ())
        if e["vendor"].lower() == vendor.lower() and _names(e["product"].lower(), wanted)
    ]


def _names(listed: str, wanted: str) -> bool:
    # Whole words, as EVD-003 names software: a declared "Forti" names no "FortiOS".
    return not wanted or listed == "multiple products" or names_product(listed, wanted)
