"""Certificate matching through the services index gives what the matching rule says."""

from __future__ import annotations

import random
from typing import Any

import pytest

from hdsguard.evidence import match


def _naive(cert: dict[str, Any], data: dict[str, Any]) -> list[Any]:
    """The rule of evidence/match.py's docstring, written out pair by pair."""
    seen = data.get("evidence_certificates", [])
    fingerprint = cert.get("sha256")
    if fingerprint:
        return [c for c in seen if c["sha256"] == fingerprint.lower().replace(":", "")]
    places = [s for s in data["services"] if (s.get("tls") or {}).get("certificate") == cert["id"]]
    by_host = [c for c in seen if any(match.served_at(c, s) for s in places)]
    if by_host:
        return by_host
    name = cert["subject"].lower()
    return [c for c in seen if c["subject"].lower() == name or name in c.get("sans", ())]


def _estate(rng: random.Random) -> dict[str, Any]:
    hosts = [f"h{i}.example" for i in range(6)]
    certs = [{"id": f"c{i}", "subject": rng.choice(hosts)} for i in range(8)]
    services = [
        {
            "id": f"s{i}",
            "host": rng.choice(hosts),
            "port": rng.choice((443, 8443)),
            **({"tls": {"certificate": rng.choice(certs)["id"]}} if rng.random() < 0.7 else {}),
        }
        for i in range(12)
    ]
    seen = [
        {
            "id": f"o{i}",
            "sha256": f"{i:064x}",
            "subject": rng.choice(hosts),
            "sans": rng.sample(hosts, 2),
            "host": rng.choice(hosts),
            "names": [],
            "port": rng.choice((0, 443, 8443)),
        }
        for i in range(rng.randrange(0, 6))
    ]
    return {"certificates": certs, "services": services, "evidence_certificates": seen}


def test_indexed_matching_is_the_pairwise_rule() -> None:
    rng = random.Random(17)
    for _ in range(200):
        data = _estate(rng)
        for cert in data["certificates"]:
            assert match.observed_certificates(cert, data) == _naive(cert, data)


def test_a_fingerprint_match_ignores_case_and_colons() -> None:
    data = _estate(random.Random(3))
    data["evidence_certificates"] = [{**data["evidence_certificates"][0], "sha256": "ab" * 32}]
    cert = {"id": "x", "subject": "nowhere", "sha256": ":".join(["AB"] * 32)}
    assert match.observed_certificates(cert, data) == data["evidence_certificates"]


def test_nothing_observed_matches_nothing() -> None:
    data = _estate(random.Random(5))
    data["evidence_certificates"] = []
    assert all(match.observed_certificates(c, data) == [] for c in data["certificates"])
    del data["evidence_certificates"]
    assert all(match.observed_certificates(c, data) == [] for c in data["certificates"])


@pytest.mark.parametrize(
    ("subject", "sans", "name", "names"),
    [
        ("www.example", [], "WWW.example", True),  # no DNS name: the common name counts
        ("www.example", ["intranet.example"], "www.example", False),  # DNS names only
        ("x", ["*.example.org"], "www.example.org", True),
        ("x", ["*.example.org"], "example.org", False),  # one label, not none
        ("x", ["*.example.org"], "a.www.example.org", False),  # one label, not two
        ("x", ["*.example.org"], "www.example.org.", True),  # a fully qualified name
        ("x", ["www.example.org", "192.0.2.8"], "192.0.2.8", True),
    ],
)
def test_a_certificate_names_a_host_as_a_client_checks_it(
    subject: str, sans: list[str], name: str, names: bool
) -> None:
    assert match.names_host({"subject": subject, "sans": sans}, name) is names


@pytest.mark.parametrize(
    ("product", "name", "same"),
    [
        ("PostgreSQL DB", "SQL", False),  # a part of a word names nothing (was a substring match)
        ("MySQL", "SQL", False),
        ("PostgreSQL DB", "PostgreSQL", True),
        ("OpenSSH", "OpenSSH", True),
        ("OpenSSH", "openssh 9.2p1", True),  # the product's words are a run of the name's
        ("OpenSSL s_server -www httpd", "OpenSSL", True),
        ("Microsoft IIS httpd", "Microsoft-IIS", True),
        ("Apache httpd", "Apache Tomcat", False),
        ("Apache Tomcat/Coyote JSP engine", "tomcat", True),
        ("nginx", "", False),
    ],
)
def test_a_product_is_named_by_whole_words(product: str, name: str, same: bool) -> None:
    assert match.names_product(product, name) is same


@pytest.mark.parametrize(
    "declared",
    ["2001:db8::1", "2001:DB8::1", "2001:db8:0:0:0:0:0:1", "2001:0db8::0001", "Portal.Example."],
)
def test_a_declared_host_is_matched_in_the_form_scans_write_it(declared: str) -> None:
    """nmap writes an IPv6 address in its canonical form (`2001:db8::1`) and a name without a
    final dot: a service declared `2001:db8:0:0:0:0:0:1` matched no scan, so nothing was
    concluded about it (EVD-005 failed "appears in none of the scans") while EVD-001 reported
    its port as undeclared."""
    port = {"names": ["portal.example"], "addresses": ["2001:db8::1"], "port": 443,
            "protocol": "tcp", "id": "p"}  # fmt: skip
    host = {"names": ["portal.example"], "addresses": ["2001:db8::1"], "id": "h"}
    service = {"id": "s", "host": declared, "port": 443, "protocol": "https"}
    data = {"evidence_ports": [port], "evidence_hosts": [host], "services": [service]}
    assert match.ports_of(service, data) == [port]
    assert match.hosts_of(service, data) == [host]
    assert match.services_at(port, data) == [service]
    seen = {"host": "portal.example", "names": ["portal.example", "2001:db8::1"], "port": 443}
    assert match.served_at(seen, service)
