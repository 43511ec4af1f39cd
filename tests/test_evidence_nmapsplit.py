"""A sweep's hosts with no port are read from the bytes (evidence/nmapsplit.py): the scan read
must be exactly the one the element-by-element reading gives, whatever the file holds."""

from __future__ import annotations

import importlib.util

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hdsguard.errors import InputError
from hdsguard.evidence import nmapsplit
from hdsguard.evidence.nmap import _checked, read_exact, read_scan
from hdsguard.evidence.nmapmodel import Host
from tests.helpers import REPO

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE nmaprun>\n'
    "<!-- Nmap 7.93 scan initiated as: nmap -oX - <host> -->\n"
    '<nmaprun scanner="nmap" args="nmap -sT -Pn -p 22,443" start="1795158725" version="7.93">\n'
    '<scaninfo type="connect" protocol="tcp" numservices="2" services="22,443"/>\n'
)
TAIL = (
    '<runstats><finished time="1795158821" exit="success"/><hosts up="1" down="0" total="1"/>\n'
    "</runstats>\n</nmaprun>\n"
)
# A host with nothing open, as nmap writes it (the shape the bytes reading takes).
PLAIN = (
    '<host starttime="1" endtime="2"><status state="up" reason="user-set" reason_ttl="0"/>\n'
    '<address addr="198.18.0.{i}" addrtype="ipv4"/>\n<hostnames>\n'
    '<hostname name="Host-{i}.Example" type="user"/>\n</hostnames>\n'
    '<ports><extraports state="filtered" count="2">\n'
    '<extrareasons reason="no-response" count="2" proto="tcp" ports="22,443"/>\n'
    "</extraports>\n</ports>\n"
    '<times srtt="11034" rttvar="2107" to="100000"/>\n</host>\n'
)
OPEN_443 = '<port protocol="tcp" portid="443"><state state="open"/></port>\n'
ATTLIST = '<!DOCTYPE nmaprun [<!ATTLIST status state CDATA "default">]>'
SERVICE = (
    '<port protocol="tcp" portid="22"><state state="open" reason="syn-ack" reason_ttl="0"/>'
    '<service name="ssh" product="OpenSSH" version="9.6p1" extrainfo="Ubuntu" method="probed" '
    'conf="10"><cpe>cpe:/a:openbsd:openssh:9.6p1</cpe><cpe>cpe:/o:linux</cpe></service></port>\n'
)
# An HTTPS server as `nmap -sV` writes it: the service found through TLS.
SSL = (
    '<port protocol="tcp" portid="8443"><state state="open" reason="syn-ack" reason_ttl="0"/>'
    '<service name="http" product="SimpleHTTPServer" version="0.6" extrainfo="Python" '
    'tunnel="ssl" method="probed" conf="10"><cpe>cpe:/a:python:simplehttpserver:0.6</cpe>'
    "</service></port>\n"
)
# Ports written as nmap writes them (read from the bytes too), and otherwise.
PORTS = [
    OPEN_443,
    SERVICE,
    SERVICE.replace(' product="OpenSSH" version="9.6p1"', ""),
    SERVICE.replace(' version="9.6p1"', ""),
    SERVICE.replace(' product="OpenSSH"', ""),
    SERVICE.replace(
        '"><cpe>cpe:/a:openbsd:openssh:9.6p1</cpe><cpe>cpe:/o:linux</cpe></service>', '"/>'
    ),
    SERVICE.replace(' version="9.6p1"', "").replace('conf="10"', 'version="9.6p1" conf="10"'),
    SERVICE.replace(' product="OpenSSH"', "").replace('conf="10"', 'conf="10" product="X"'),
    SERVICE.replace('extrainfo="Ubuntu"', 'extrainfo="a product=b"'),
    SERVICE.replace('protocol="tcp" portid="22"', 'portid="22" protocol="tcp"'),
    SERVICE.replace('protocol="tcp"', 'protocol="udp"'),
    SERVICE.replace('portid="22"', 'portid="0022"'),
    SERVICE.replace('state="open"', 'state="open|filtered"'),
    SERVICE.replace("</service>", '</service><script id="ssh-hostkey" output="k"/>'),
    SERVICE.replace('version="9.6p1"', 'version="9.6&amp;p1"'),
    SERVICE.replace("<cpe>", "<cpe>\n"),
    OPEN_443.replace("<state", '<service name="https"/><state'),
    OPEN_443.replace('<state state="open"/>', ""),
    # How -sV reached the service (EVD-011 reads both): as nmap writes them, and otherwise.
    SSL,
    SSL.replace(' method="probed"', ""),
    SSL.replace('method="probed"', 'method="table"'),
    SSL.replace(' tunnel="ssl"', ""),
    SSL.replace('tunnel="ssl"', 'tunnel="s&amp;l"'),
    SSL.replace('tunnel="ssl"', 'tunnel = "ssl"'),
    SSL.replace('tunnel="ssl"', "tunnel='ssl'"),
    SSL.replace('extrainfo="Python"', "extrainfo='a tunnel=\"x\" b'").replace(' tunnel="ssl"', ""),
    SSL.replace('extrainfo="Python"', 'extrainfo="it\'s"'),
    SSL.replace('extrainfo="Python"', 'extrainfo="a>b"'),
    SSL.replace('extrainfo="Python"', 'extrainfo="x tunnel=y"').replace(' tunnel="ssl"', ""),
    SSL.replace(' tunnel="ssl"', "").replace('name="http"', 'name="http" tunnel="ssl"'),
    SSL.replace('<service name="http"', '<service tunnel="ssl" name="http"').replace(
        ' tunnel="ssl" method', " method"
    ),
]
# Hosts written otherwise: each must come out as the exact reading gives it.
OTHERS = [
    PLAIN.replace("<hostnames>\n<hostname", "<hostnames>\n<!-- x -->\n<hostname"),
    PLAIN.replace("<hostname name=", '<hostname type="user" name=').replace(' type="user"/>', "/>"),
    PLAIN.replace('Host-{i}.Example"', 'a&amp;b-{i}.example"'),
    PLAIN.replace('Host-{i}.Example"', 'tab\there-{i}"'),
    PLAIN.replace('state="up"', 'state="up\nagain"'),
    PLAIN.replace('addr="198.18.0.{i}" addrtype="ipv4"', 'addrtype="ipv4" addr="198.18.0.{i}"'),
    PLAIN.replace(
        "/>\n<hostnames>",
        '/>\n<address addr="AA:BB:CC:00:00:{i}" addrtype="mac" vendor="X"/>\n<hostnames>',
    ),
    PLAIN.replace(
        "/>\n<hostnames>", '/>\n<address addr="2001:DB8::{i}" addrtype="ipv6"/>\n<hostnames>'
    ),
    PLAIN.replace('<hostname name="Host-{i}.Example" type="user"/>\n', ""),
    PLAIN.replace("<hostnames>\n", "<hostnames>\n" + '<hostname name="alias-{i}" type="PTR"/>\n'),
    PLAIN.replace("</ports>", OPEN_443 + "</ports>"),
    PLAIN.replace(
        "</ports>",
        '<port protocol="tcp" portid="22"><state state="open"/><service name="ssh" '
        'product="OpenSSH" version="9.6p1"/></port>\n</ports>',
    ),
    PLAIN.replace("<times", '<os><osmatch name="Linux" accuracy="90"/></os>\n<times'),
    PLAIN.replace("<times", '<status state="down"/>\n<times'),
    PLAIN.replace("</host>", "</host >"),
    PLAIN.replace('<host starttime="1" endtime="2">', "<host>"),
    PLAIN.replace("<status", '<hostscript><script id="x" output="y"/></hostscript><status'),
    # Ports nmap could not tell from open, folded (the exact reader records them), listed or
    # not, or their state spelled with a reference.
    PLAIN.replace('state="filtered" count="2"', 'state="open|filtered" count="2"'),
    PLAIN.replace('state="filtered" count="2"', 'state="open|filtered" count="2"').replace(
        ' proto="tcp" ports="22,443"', ""
    ),
    PLAIN.replace('state="filtered" count="2"', 'state="open&#124;filtered" count="2"'),
    PLAIN.replace('state="filtered" count="2"', 'count="2" state="open|filtered"'),
    # A host nmap gave up on (--host-timeout): none of its ports is covered.
    PLAIN.replace('endtime="2">', 'endtime="2" timedout="true">'),
    PLAIN.replace('<host starttime="1"', '<host timedout="true" starttime="1"'),
]
# What may stand between two hosts.
BETWEEN = [
    "",
    "\n\n",
    '<hosthint><status state="up"/><address addr="10.0.0.9" addrtype="ipv4"/>\n'
    "<hostnames>\n</hostnames>\n</hosthint>\n",
    '<address addr="10.9.9.9" addrtype="ipv4"/>\n',  # a stray address: the previous host's
    '<status state="weird"/>\n',
    "text between hosts\n",
    "<!-- a comment between hosts -->\n",
]


def scan_text(parts: list[str]) -> bytes:
    return (HEAD + "".join(parts) + TAIL).encode()


def read_both(text: bytes) -> None:
    assert read_scan("s.xml", text) == read_exact("s.xml", text)


def test_the_bytes_reading_reads_nmaps_port_less_hosts_and_gives_the_exact_reading() -> None:
    scripted = PLAIN.replace("</ports>", PORTS[13] + "</ports>")
    text = scan_text([PLAIN.format(i=i) for i in range(5)] + [scripted.format(i=9)])
    body = _checked("s.xml", text)
    assert body is not None
    found = nmapsplit.split(text, body)
    assert found.hosts[:5] == [
        Host(6 + 11 * i, "up", [f"198.18.0.{i}"], [f"host-{i}.example"], []) for i in range(5)
    ]
    assert found.hosts[5] is None  # with a script: the exact reading's
    assert found.rest.count(b"\n") == text.count(b"\n") and b"198.18.0.4" not in found.rest
    assert read_scan("s.xml", text) == read_exact("s.xml", text)
    assert [h.line for h in read_scan("s.xml", text).hosts] == [6, 17, 28, 39, 50, 61]


def test_the_bytes_reading_reads_a_tls_service_s_tunnel_and_method() -> None:
    """An HTTPS port as nmap writes it is read from the bytes, tunnel and method included (a
    plain HTTP port reads tunnel "": what EVD-011 tells apart); written otherwise, the exact
    reading reads it."""
    ports = SSL + SSL.replace(' tunnel="ssl"', "").replace("8443", "80")
    text = scan_text([PLAIN.replace("</ports>", ports + "</ports>").format(i=1)])
    body = _checked("s.xml", text)
    assert body is not None
    (host,) = nmapsplit.split(text, body).hosts
    assert host is not None  # read from the bytes
    assert [(p.port, p.service, p.tunnel, p.method) for p in host.ports] == [
        (8443, "http", "ssl", "probed"),
        (80, "http", "", "probed"),
    ]
    assert read_scan("s.xml", text) == read_exact("s.xml", text)
    quoted = PLAIN.replace("</ports>", SSL.replace('tunnel="ssl"', "tunnel='ssl'") + "</ports>")
    text = scan_text([quoted.format(i=1)])
    body = _checked("s.xml", text)
    assert body is not None
    assert nmapsplit.split(text, body).hosts == [None]
    assert read_scan("s.xml", text).hosts[0].ports[0].tunnel == "ssl"


@pytest.mark.parametrize("other", range(len(OTHERS)))
def test_a_host_written_otherwise_is_read_as_the_exact_reading_reads_it(other: int) -> None:
    parts = [PLAIN.format(i=1), OTHERS[other].format(i=2), PLAIN.format(i=3)]
    read_both(scan_text(parts))


@pytest.mark.parametrize("port", range(len(PORTS)))
def test_a_port_is_read_as_the_exact_reading_reads_it(port: int) -> None:
    with_ports = PLAIN.replace("</ports>", PORTS[port] + SERVICE + "</ports>")
    read_both(scan_text([PLAIN.format(i=1), with_ports.format(i=2), PLAIN.format(i=3)]))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([PLAIN] * 4 + OTHERS), st.sampled_from([""] * 4 + BETWEEN)),
        max_size=12,
    )
)
def test_any_mix_of_hosts_is_read_as_the_exact_reading_reads_it(
    hosts: list[tuple[str, str]],
) -> None:
    read_both(scan_text([h.format(i=i) + b for i, (h, b) in enumerate(hosts)]))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PORTS), max_size=4), min_size=1, max_size=8))
def test_any_mix_of_ports_is_read_as_the_exact_reading_reads_it(ports: list[list[str]]) -> None:
    parts = [
        PLAIN.replace("</ports>", "".join(p) + "</ports>").format(i=i) for i, p in enumerate(ports)
    ]
    read_both(scan_text(parts))


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.replace("\n", "\r\n"),
        lambda t: t.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'),
        lambda t: t.replace("<!DOCTYPE nmaprun>", ATTLIST),
        lambda t: t.replace("<scaninfo", "<!-- <host> --><?pi <host>?><![CDATA[<host>]]><scaninfo"),
    ],
)
def test_line_endings_encodings_and_dtds_are_read_as_the_exact_reading_reads_them(
    change: object,
) -> None:
    parts = [PLAIN.format(i=i) for i in range(4)]
    text = change(HEAD + "".join(parts) + TAIL)  # type: ignore[operator]
    data = text.encode("latin-1" if "ISO-8859-1" in text else "utf-8")
    read_both(data)


def test_a_non_ascii_name_is_decoded_as_the_exact_reading_decodes_it() -> None:
    parts = [PLAIN.replace("Host-{i}", "Hôte-É{i}").format(i=i) for i in range(3)]
    text = scan_text(parts)
    read_both(text)
    assert read_scan("s.xml", text).hosts[0].names == ["hôte-é0.example"]


def test_an_error_after_hosts_read_from_the_bytes_is_located_in_the_file() -> None:
    bad = PLAIN.replace("</ports>", '<port protocol="tcp" portid="x"/>\n</ports>')
    text = scan_text([PLAIN.format(i=i) for i in range(5)] + [bad.format(i=5)])
    with pytest.raises(InputError) as split:
        read_scan("s.xml", text)
    with pytest.raises(InputError) as exact:
        read_exact("s.xml", text)
    assert str(split.value.problems[0]) == str(exact.value.problems[0])
    assert str(split.value.problems[0]).startswith("s.xml:69:1:")


def test_a_damaged_host_among_plain_ones_is_malformed_xml() -> None:
    text = scan_text([PLAIN.format(i=i) for i in range(5)]).replace(b"</hostnames>", b"", 1)
    with pytest.raises(InputError) as exc:
        read_scan("s.xml", text)
    assert "malformed XML" in str(exc.value.problems[0])


def test_the_bench_sweep_and_the_examples_are_read_as_the_exact_reading_reads_them() -> None:
    spec = importlib.util.spec_from_file_location("bench_scan", REPO / "bench" / "scan.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    sweep = bench.scan(300, 7).encode()
    body = _checked("sweep.xml", sweep)
    assert body is not None
    assert nmapsplit.split(sweep, body).hosts.count(None) == 0  # every one from the bytes
    read_both(sweep)
    for path in [*(REPO / "examples").glob("*/evidence/*.xml"),
                 *(REPO / "tests" / "fixtures" / "evidence").glob("ssl-cert*.xml")]:  # fmt: skip
        read_both(path.read_bytes())
