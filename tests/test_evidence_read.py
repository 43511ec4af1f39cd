"""Evidence readers: every kind read whole, or a located error (never half-read evidence)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from hdsguard.errors import InputError
from hdsguard.evidence.certs import read_der, read_pem
from hdsguard.evidence.kev import read_kev
from hdsguard.evidence.load import EvidenceSpec, load_evidence
from hdsguard.evidence.nmap import read_exact, read_scan
from hdsguard.evidence.registry import read_registry
from tests.evidence_support import certificate, der, pem, sha1_signed
from tests.helpers import REPO

FIXTURES = REPO / "tests" / "fixtures" / "evidence"
LAB = REPO / "examples" / "lab-group" / "evidence"
D = datetime.date


def problem(exc: pytest.ExceptionInfo[InputError]) -> str:
    (only,) = exc.value.problems
    return str(only)


def test_a_scan_is_read_with_the_line_of_each_host_and_port() -> None:
    scan = read_scan("ext.xml", (LAB / "scan-external.xml").read_bytes())
    assert scan.start == datetime.datetime(2026, 11, 20, 7, 12, 5, tzinfo=datetime.UTC)
    assert scan.ranges == {"tcp": [(21, 22), (80, 80), (443, 443), (1194, 1194), (3389, 3389)]}
    hosts = {h.names[0]: h for h in scan.hosts}
    portal = hosts["resultats.biolab-rhone.example"]
    assert portal.addresses == ["203.0.113.20"] and portal.line == 9
    assert [(p.port, p.state, p.product, p.version, p.line) for p in portal.ports] == [
        (21, "open", "vsftpd", "3.0.3", 17),
        (443, "open", "", "", 18),
    ]


def test_a_name_nmap_prints_twice_is_one_name(tmp_path: Path) -> None:
    """Scanned by name, a host whose PTR record gives the same name is named twice by nmap
    (type "user", then "PTR"); it was matched twice, and every evidence message listed each
    port and scan date twice ("vsftpd 3.0.3, vsftpd 3.0.3")."""
    from hdsguard.evidence.match import ports_of
    from hdsguard.evidence.view import sections

    user = b'<hostname name="resultats.biolab-rhone.example" type="user"/>'
    ptr = b'\n<hostname name="Resultats.Biolab-Rhone.example" type="PTR"/>'
    lab = (LAB / "scan-external.xml").read_bytes().replace(user, user + ptr)
    scan = read_scan("ext.xml", lab)
    assert scan.hosts[0].names == ["resultats.biolab-rhone.example"]
    (tmp_path / "ext.xml").write_bytes(lab)
    (tmp_path / "ext.xml.evidence").write_text("vantage: external\n")
    ports = sections(load_evidence([EvidenceSpec(tmp_path)]))["evidence_ports"]
    ftp = {"id": "ftp", "host": "resultats.biolab-rhone.example", "port": 21}
    assert len(ports_of(ftp, {"evidence_ports": ports})) == 1


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("truncated.xml", "truncated.xml:7:"),
        ("billion-laughs.xml", "billion-laughs.xml:3:"),
        ("external-entity.xml", "external-entity.xml:3:"),
        ("interrupted.xml", "interrupted.xml:10:"),
        ("not-nmap.xml", "not-nmap.xml:2:"),
    ],
)
def test_a_damaged_or_hostile_scan_is_a_located_error(name: str, expected: str) -> None:
    with pytest.raises(InputError) as exc:
        read_scan(name, (FIXTURES / name).read_bytes())
    assert problem(exc).startswith(expected), problem(exc)


def test_hostile_xml_says_why_it_is_refused() -> None:
    with pytest.raises(InputError) as exc:
        read_scan("b.xml", (FIXTURES / "billion-laughs.xml").read_bytes())
    assert "declares entities or external references (EntitiesForbidden)" in problem(exc)
    with pytest.raises(InputError) as exc:
        read_scan("t.xml", (FIXTURES / "truncated.xml").read_bytes())
    assert "malformed XML" in problem(exc)
    with pytest.raises(InputError) as exc:
        read_scan("i.xml", (FIXTURES / "interrupted.xml").read_bytes())
    assert "the scan did not finish" in problem(exc)


def test_the_certificate_of_nmaps_ssl_cert_script_is_read_with_its_host_and_port(
    tmp_path: Path,
) -> None:
    # tests/fixtures/evidence/ssl-cert.xml: nmap 7.93's own output (-sT -Pn --script ssl-cert
    # -oX) against a loopback HTTPS server the nmap test starts.
    text = (FIXTURES / "ssl-cert.xml").read_bytes()
    (port,) = read_scan("s.xml", text).hosts[0].ports
    ((line, pem_text),) = port.certificates
    assert line == 39 and pem_text.startswith("-----BEGIN CERTIFICATE-----\nMIIC0DCC")
    (tmp_path / "s.xml").write_bytes(text)
    (tmp_path / "s.xml.evidence").write_text("vantage: internal\n")
    ((cert, host),) = load_evidence([EvidenceSpec(tmp_path)]).certificates
    assert host == "localhost"
    assert (cert.port, cert.names, cert.line, cert.subject) == (
        39671,
        ("localhost", "127.0.0.1"),
        39,
        "portal.test",
    )
    assert (cert.not_before, cert.not_after, cert.issuer) == ("2026-11-25", "2027-01-24", "Test CA")


def test_the_versions_of_nmaps_ssl_enum_ciphers_script_are_read_with_their_port() -> None:
    # tests/fixtures/evidence/ssl-enum-ciphers.xml: nmap 7.93's own output (-sT -Pn --script
    # ssl-enum-ciphers -oX) against a loopback HTTPS server accepting TLS 1.0 to 1.3. Its
    # nested tables (ciphers, compressors) are not versions.
    (port,) = read_scan("s.xml", (FIXTURES / "ssl-enum-ciphers.xml").read_bytes()).hosts[0].ports
    assert port.tls_versions == ["TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
    # Only that script's tables name versions, and only inside a port.
    text = (FIXTURES / "ssl-enum-ciphers.xml").read_bytes()
    other = text.replace(b'id="ssl-enum-ciphers"', b'id="some-other-script"')
    assert read_scan("s.xml", other).hosts[0].ports[0].tls_versions == []


def test_a_newer_inventory_scan_keeps_the_versions_an_older_tls_scan_listed(
    tmp_path: Path,
) -> None:
    """Two scans of the same port from the same vantage point: the newest gives the port, but
    its TLS versions come from the newest scan that listed them (docs/evidence.md)."""
    from hdsguard.evidence.view import sections

    tls = (FIXTURES / "ssl-enum-ciphers.xml").read_bytes()
    start, end = tls.index(b'<script id="ssl-enum-ciphers"'), tls.index(b"</script>") + 9
    inventory = tls[:start] + tls[end:]
    inventory = inventory.replace(b'start="1796508538"', b'start="1796594938"')  # a day later
    (tmp_path / "tls.xml").write_bytes(tls)
    (tmp_path / "inventory.xml").write_bytes(inventory)
    for name in ("tls.xml", "inventory.xml"):
        (tmp_path / f"{name}.evidence").write_text("vantage: internal\n")
    (port,) = sections(load_evidence([EvidenceSpec(tmp_path)]))["evidence_ports"]
    assert port["at"].endswith("inventory.xml:14")  # the newest scan's port
    assert port["tls_versions"] == ["TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"]


def _two_external_scans(tmp_path: Path, newer: bytes) -> list[dict[str, object]]:
    """The open ports of the lab's external scan and of ``newer``, a day later."""
    from hdsguard.evidence.view import sections

    older = (LAB / "scan-external.xml").read_bytes()
    newer = newer.replace(b'start="1795158725"', b'start="1795245125"')  # a day later
    for name, text in (("older.xml", older), ("newer.xml", newer)):
        (tmp_path / name).write_bytes(text)
        (tmp_path / f"{name}.evidence").write_text("vantage: external\n")
    return sections(load_evidence([EvidenceSpec(tmp_path)]))["evidence_ports"]


def test_a_port_a_newer_scan_covered_and_found_closed_is_not_open(tmp_path: Path) -> None:
    """The newest scan that covered a port decides: the FTP port of the results portal, open
    on the 20th, closed on the 21st, is not an open port (EVD-001 would still report it, and
    EVD-005 would not see that an Internet service is gone)."""
    lab = (LAB / "scan-external.xml").read_bytes()
    opened = b'<port protocol="tcp" portid="21"><state state="open"'
    closed = lab.replace(opened, b'<port protocol="tcp" portid="21"><state state="closed"', 1)
    ports = {str(p["id"]): p for p in _two_external_scans(tmp_path, closed)}
    assert "resultats.biolab-rhone.example:21/tcp@external" not in ports
    assert str(ports["ftp.biolab-rhone.example:21/tcp@external"]["at"]).endswith("newer.xml:30")
    # Covered by a newer scan that no longer lists it at all (nmap folds closed and filtered
    # ports into <extraports>): closed too.
    folded = lab[: lab.index(opened)] + lab[lab.index(b"</port>", lab.index(opened)) + 7 :]
    ports = {str(p["id"]): p for p in _two_external_scans(tmp_path, folded)}
    assert "resultats.biolab-rhone.example:21/tcp@external" not in ports


def test_a_port_a_newer_scan_did_not_cover_stays_open(tmp_path: Path) -> None:
    lab = (LAB / "scan-external.xml").read_bytes()
    # The newer scan looked at port 443 only: what it says of port 21 is nothing.
    only_443 = lab.replace(b'services="21-22,80,443,1194,3389"', b'services="443"').replace(
        b'<port protocol="tcp" portid="21"><state state="open"',
        b'<port protocol="tcp" portid="21"><state state="closed"',
    )
    ports = {str(p["id"]): p for p in _two_external_scans(tmp_path, only_443)}
    portal = ports["resultats.biolab-rhone.example:21/tcp@external"]
    assert str(portal["at"]).endswith("older.xml:17")


def test_a_host_found_down_covers_no_port(tmp_path: Path) -> None:
    from hdsguard.evidence.view import sections

    lab = (LAB / "scan-external.xml").read_bytes()
    down = lab.replace(
        b'<status state="up" reason="user-set"', b'<status state="down" reason="no-response"'
    )
    (tmp_path / "down.xml").write_bytes(down)
    (tmp_path / "down.xml.evidence").write_text("vantage: external\n")
    hosts = sections(load_evidence([EvidenceSpec(tmp_path)]))["evidence_hosts"]
    assert [(h["state"], h["tcp_ranges"]) for h in hosts] == [("down", [])] * 3


def test_a_damaged_certificate_in_a_scan_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "s.xml").write_bytes((FIXTURES / "ssl-cert-damaged.xml").read_bytes())
    (tmp_path / "s.xml.evidence").write_text("vantage: internal\n")
    with pytest.raises(InputError) as exc:
        load_evidence([EvidenceSpec(tmp_path)])
    # Located at the <elem key="pem"> of the scan; the rest is cryptography's own words.
    assert (
        "s.xml:39: the certificate nmap's ssl-cert script printed is damaged: damaged PEM "
        "certificate block: " in problem(exc)
    ), problem(exc)


def test_a_pem_chain_is_read_with_lines_dates_names_and_algorithm() -> None:
    leaf = certificate(
        "www.example", not_before=D(2026, 9, 1), not_after=D(2026, 11, 30),
        issuer="R11", sans=("www.example", "192.0.2.8"),
    )  # fmt: skip
    leaf = sha1_signed(leaf)
    ca = certificate("R11", not_before=D(2024, 3, 13), not_after=D(2027, 3, 12), issuer="Root")
    text = pem(leaf) + b"\n" + pem(ca)
    first, second = read_pem("chain.pem", text)
    assert (first.line, first.position, second.position) == (1, 0, 1)
    assert second.line == pem(leaf).count(b"\n") + 2
    assert (first.subject, first.issuer, first.sans) == (
        "www.example",
        "R11",
        ("www.example", "192.0.2.8"),
    )
    assert (first.not_before, first.not_after) == ("2026-09-01", "2026-11-30")
    assert first.signature_algorithm == "sha1WithRSAEncryption"
    assert read_der("c.der", der(leaf))[0].sha256 == first.sha256


def test_a_pem_with_garbage_is_a_located_error() -> None:
    good = pem(certificate("a.example", not_before=D(2026, 1, 1), not_after=D(2026, 12, 31)))
    with pytest.raises(InputError) as exc:
        read_pem("g.pem", good + b"depth=0 CN = a.example\n" + good)
    line = good.count(b"\n") + 1
    assert problem(exc).startswith(f"g.pem:{line}:1: text outside a certificate block")
    damaged = good.replace(good.splitlines()[3], b"A" * 64)
    with pytest.raises(InputError) as exc:
        read_pem("d.pem", damaged)
    assert problem(exc).startswith("d.pem:1:1: damaged PEM certificate block")


def test_a_character_changed_in_a_pem_is_located_where_it_was_changed() -> None:
    """Two characters typed over the base64 of the sixth line: the error named the block's
    BEGIN line, 1:1, and the reader had 20 lines of base64 to search."""
    good = pem(certificate("a.example", not_before=D(2026, 1, 1), not_after=D(2026, 12, 31)))
    lines = good.splitlines(keepends=True)
    lines[5] = lines[5][:10] + b"!!" + lines[5][12:]
    with pytest.raises(InputError) as exc:
        read_pem("d.pem", b"".join(lines))
    assert problem(exc).startswith(
        "d.pem:6:11: damaged PEM certificate block: its base64 text is broken"
    ), problem(exc)


@pytest.mark.parametrize(
    ("block", "where", "why"),
    [
        (b"MIIB!!!", "2:5", "son texte base64 est endommagé"),
        (b"AAAA", "1:1", "son contenu n'est pas un certificat X.509 lisible"),
    ],
)
def test_a_damaged_pem_is_explained_in_the_runs_language(
    block: bytes, where: str, why: str
) -> None:
    """cryptography's English (`ParseError { kind: … }`, `Unable to load PEM file`) was the
    whole explanation, in a French run too."""
    from hdsguard.i18n import language

    damaged = b"-----BEGIN CERTIFICATE-----\n" + block + b"\n-----END CERTIFICATE-----\n"
    with language("fr"), pytest.raises(InputError) as exc:
        read_pem("d.pem", damaged)
    says = problem(exc)
    assert says.startswith(f"d.pem:{where}: bloc de certificat PEM endommagé : {why}"), says
    assert "ParseError" not in says and "Unable" not in says
    assert says.endswith("exportez à nouveau le certificat")
    with language("fr"), pytest.raises(InputError) as exc:
        read_der("c.der", b"abc")
    assert problem(exc).startswith("c.der: pas un certificat X.509 DER : son contenu n'est pas")


def test_the_kev_catalogue_is_read_in_its_published_schema() -> None:
    kev = read_kev("kev.json", (FIXTURES / "kev.json").read_bytes())
    assert (kev.version, kev.released) == ("2026.11.26", "2026-11-26")
    assert [(e.cve, e.product, e.date_added, e.line) for e in kev.entries] == [
        ("CVE-2024-21762", "FortiOS", "2024-02-09", 8),
        ("CVE-2026-24858", "Multiple Products", "2026-07-28", 21),
        ("CVE-2026-30001", "FortiWeb", "2026-08-14", 34),
    ]


@pytest.mark.parametrize("name", ["kev-other-schema.json", "kev-cut.json"])
def test_a_kev_file_of_another_schema_or_cut_is_refused(name: str) -> None:
    with pytest.raises(InputError) as exc:
        read_kev(name, (FIXTURES / name).read_bytes())
    assert problem(exc).startswith(f"{name}:1: not the CISA KEV catalogue schema hdsguard reads")


def test_the_registry_snapshot_is_read() -> None:
    registry = read_registry("r.csv", (FIXTURES / "hds-registry.csv").read_bytes())
    assert registry.snapshot == "2026-11-20"
    assert [(e.certificate, e.holder, e.activities, e.line) for e in registry.entries] == [
        ("HDS-2024-0001", "OVH SAS", (1, 2, 3, 4, 5, 6), 3),
        ("HDS-2025-0042", "Cloud Parent SA", (1, 2), 4),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"certificate,holder\n", "r.csv:1:1: the first line must be"),
        (
            b"# ANS HDS registry snapshot 2026-11-20\ncertificate,holder\n",
            "r.csv:2:1: the second line",
        ),
        (
            b"# ANS HDS registry snapshot 2026-11-20\n"
            b"certificate,holder,certifier,activities,valid_from,valid_until\n"
            b"HDS-1,OVH SAS,LNE,1;7,2024-03-01,2027-02-28\n",
            "r.csv:3: activities '1;7'",
        ),
    ],
)
def test_a_bad_registry_is_a_located_error(text: bytes, expected: str) -> None:
    with pytest.raises(InputError) as exc:
        read_registry("r.csv", text)
    assert problem(exc).startswith(expected), problem(exc)


def test_files_are_recognised_by_content_and_unknown_ones_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("open ports: 21\n")
    with pytest.raises(InputError) as exc:
        load_evidence([EvidenceSpec(tmp_path)])
    assert "notes.txt:1:1: not a known kind of evidence" in problem(exc)


def test_a_scan_needs_its_vantage_point(tmp_path: Path) -> None:
    scan = tmp_path / "scan.xml"
    scan.write_bytes((LAB / "scan-external.xml").read_bytes())
    with pytest.raises(InputError) as exc:
        load_evidence([EvidenceSpec(scan)])
    assert "scan.xml:1:1: the scan's vantage point is not declared" in problem(exc)
    assert "scan.xml.evidence" in problem(exc)
    (tmp_path / "scan.xml.evidence").write_text("vantage: outside\n")
    with pytest.raises(InputError) as exc:
        load_evidence([EvidenceSpec(scan)])
    assert "scan.xml.evidence:1:1: vantage 'outside'" in problem(exc)
    (tmp_path / "scan.xml.evidence").write_text("vantage: internal\n")
    assert load_evidence([EvidenceSpec(scan)]).scans[0][1] == "internal"
    # Declared with the path (the config's way), it needs no sidecar and wins over one.
    assert load_evidence([EvidenceSpec(scan, vantage="external")]).scans[0][1] == "external"


def test_an_evidence_directory_without_evidence_is_an_error(tmp_path: Path) -> None:
    """Given on purpose, a directory a scan job wrote nothing into left every evidence rule
    not applicable ("no scan given"), as if no evidence had been asked for."""
    (tmp_path / "README.md").write_text("# scans\n")
    with pytest.raises(InputError) as exc:
        load_evidence([EvidenceSpec(tmp_path)])
    assert problem(exc).endswith(
        ": no evidence file in this directory (hidden files, README.md and .evidence sidecars "
        "are skipped); skipped here: README.md: see docs/evidence.md"
    )


def test_a_sidecar_without_its_file_is_a_located_error(tmp_path: Path) -> None:
    """A scan renamed after its sidecar was written: the sidecar was silently ignored (and the
    scan refused for want of a vantage point, pointing at the wrong fix)."""
    (tmp_path / "ext-2026-11-20.xml").write_bytes((LAB / "scan-external.xml").read_bytes())
    (tmp_path / "ext-2026-11-20.xml.evidence").write_text("vantage: external\n")
    (tmp_path / "ext.xml.evidence").write_text("vantage: external\n")
    with pytest.raises(InputError) as exc:
        load_evidence([EvidenceSpec(tmp_path)])
    assert problem(exc).endswith(
        "ext.xml.evidence:1:1: sidecar of ext.xml, which is not in this directory: name it after "
        "its evidence file (scan.xml -> scan.xml.evidence), or remove it"
    )


def test_a_misspelt_sidecar_key_is_named_at_its_line_with_a_hint(tmp_path: Path) -> None:
    """`vantgae: external` was "a sidecar is a mapping with `vantage` and/or `host` only" at
    1:1: no word of which key, nor of what was meant (declarations give both)."""
    (tmp_path / "ext.xml").write_bytes((LAB / "scan-external.xml").read_bytes())
    (tmp_path / "ext.xml.evidence").write_text("# from the probe\nvantgae: external\n")
    with pytest.raises(InputError) as exc:
        load_evidence([EvidenceSpec(tmp_path)])
    assert problem(exc).endswith(
        "ext.xml.evidence:2:1: unknown key 'vantgae' in a sidecar (it holds `vantage` and/or "
        "`host`); did you mean 'vantage'?"
    )


@pytest.mark.parametrize(
    ("sidecar", "expected"),
    [
        # libyaml's report was quoted whole: "<unicode string>", its line breaks escaped.
        (
            "vantage: [external\n",
            "ext.xml.evidence:1:10: YAML syntax error: the '[' opened here is never closed, "
            "or two of its items have no ',' between them: add the ']' or the ','",
        ),
        # A misspelt value said what to write, not what was meant, and at 1:1.
        (
            "# from the probe\nvantage: extrenal\n",
            "ext.xml.evidence:2:1: vantage 'extrenal': write `external` or `internal`; did you "
            "mean 'external'?",
        ),
    ],
)
def test_a_broken_sidecar_is_explained_at_its_place(
    tmp_path: Path, sidecar: str, expected: str
) -> None:
    (tmp_path / "ext.xml").write_bytes((LAB / "scan-external.xml").read_bytes())
    (tmp_path / "ext.xml.evidence").write_text(sidecar)
    with pytest.raises(InputError) as exc:
        load_evidence([EvidenceSpec(tmp_path)])
    assert problem(exc).split("/")[-1].startswith(expected), problem(exc)


UDP = (FIXTURES / "udp-open-filtered.xml").read_bytes()
# tests/fixtures/evidence/udp-open-filtered.xml: nmap 7.93's own output (-sU -Pn -p
# 16161,16162 -oX) against 127.0.0.1, a UDP socket bound on 16161 that never answers
# (open|filtered, "no-response") and nothing on 16162 (closed, "port-unreach").
_UDP_PORTS = UDP[UDP.index(b"<ports>") + 7 : UDP.index(b"</ports>")]


def _udp_host(tmp_path: Path, text: bytes) -> dict[str, object]:
    from hdsguard.evidence.view import sections

    (tmp_path / "udp.xml").write_bytes(text)
    (tmp_path / "udp.xml.evidence").write_text("vantage: external\n")
    (host,) = sections(load_evidence([EvidenceSpec(tmp_path)]))["evidence_hosts"]
    return host


@pytest.mark.parametrize(
    ("ports", "covered"),
    [
        # Listed one by one: 16161 nmap could not tell from open, 16162 closed.
        (_UDP_PORTS, [[16162, 16162]]),
        # Folded into an <extraports> whose <extrareasons> list the ports (nmap 7.90 on).
        (
            b'<extraports state="open|filtered" count="1">\n<extrareasons reason="no-response" '
            b'count="1" proto="udp" ports="16161"/>\n</extraports>\n'
            + _UDP_PORTS[_UDP_PORTS.index(b'<port protocol="udp" portid="16162"') :],
            [[16162, 16162]],
        ),
        # Folded with no list of ports (an older nmap): none of them is known.
        (
            b'<extraports state="open|filtered" count="2">\n<extrareasons reason="no-response" '
            b'count="2"/>\n</extraports>\n',
            [],
        ),
        # Folded as closed or filtered: not open, covered.
        (b'<extraports state="closed" count="2">\n</extraports>\n', [[16161, 16162]]),
    ],
)
def test_a_port_nmap_could_not_tell_from_open_is_not_covered(
    tmp_path: Path, ports: bytes, covered: list[list[int]]
) -> None:
    """An open UDP service that ignores nmap's probe gives no answer, which nmap reports as
    `open|filtered`: such a port was counted covered and not open, so EVD-002 passed an
    internal SNMP agent "covered and did not see it open" on a scan that could not tell."""
    text = UDP.replace(_UDP_PORTS, ports)
    host = _udp_host(tmp_path, text)
    assert host["udp_ranges"] == covered
    assert read_scan("s.xml", text) == read_exact("s.xml", text)  # both readings agree


def test_a_cve_two_catalogues_list_is_the_newest_catalogues(tmp_path: Path) -> None:
    """Two catalogues given (last month's and today's) that disagree on a CVE's `dateAdded`:
    the entry of the file whose name sorted first was kept, whatever its age; the newest
    catalogue's now, as the newest scan's port."""
    import json

    from hdsguard.evidence.view import sections

    data = json.loads((FIXTURES / "kev.json").read_text())  # released 2026-11-26
    entry = {**data["vulnerabilities"][0], "dateAdded": "2024-02-19"}
    older = {**data, "dateReleased": "2026-10-01T10:00:00.0000Z", "count": 1,
             "vulnerabilities": [entry]}  # fmt: skip
    (tmp_path / "a-old.json").write_text(json.dumps(older))
    (tmp_path / "b-new.json").write_bytes((FIXTURES / "kev.json").read_bytes())
    kev = sections(load_evidence([EvidenceSpec(tmp_path)]))["evidence_kev"]
    entry = next(e for e in kev if e["cve"] == "CVE-2024-21762")
    assert entry["date_added"] == "2024-02-09"
    assert str(entry["at"]).endswith("/b-new.json:8")


def test_a_newer_scan_of_another_address_under_the_same_name_closes_nothing(
    tmp_path: Path,
) -> None:
    """The results portal's name pointed to 203.0.113.20 on the 20th, where FTP was open, and
    to 203.0.113.99 on the 21st, where it is closed. Hosts were told apart by their first name
    alone: the scan of the new address closed the FTP port seen open on the old one, which
    then vanished from the report (EVD-001 no longer named the undeclared FTP server). A host
    is its name and its address: the newest keeps the plain id."""
    lab = (LAB / "scan-external.xml").read_bytes()
    opened = b'<port protocol="tcp" portid="21"><state state="open"'
    moved = lab.replace(opened, b'<port protocol="tcp" portid="21"><state state="closed"', 1)
    moved = moved.replace(b'addr="203.0.113.20"', b'addr="203.0.113.99"')
    ports = {str(p["id"]): p for p in _two_external_scans(tmp_path, moved)}
    assert "resultats.biolab-rhone.example:21/tcp@external" not in ports  # the new address
    old = ports["resultats.biolab-rhone.example[203.0.113.20]:21/tcp@external"]
    assert (old["host"], old["addresses"], str(old["at"]).rsplit("/", 1)[1]) == (
        "resultats.biolab-rhone.example",
        ["203.0.113.20"],
        "older.xml:17",
    )
    assert ports["resultats.biolab-rhone.example:443/tcp@external"]["addresses"] == ["203.0.113.99"]


def test_a_fifo_or_a_device_among_the_evidence_is_refused_not_read(tmp_path: Path) -> None:
    """A FIFO in an evidence directory hung the run (a pre-commit hook, a CI job) forever, a
    link to /dev/zero filled the memory, and /dev/zero given by name was "not found"."""
    import os

    (tmp_path / "fifo.xml").parent.mkdir(exist_ok=True)
    os.mkfifo(tmp_path / "fifo.xml")
    (tmp_path / "zero.xml").symlink_to("/dev/zero")
    with pytest.raises(InputError) as exc:
        load_evidence([EvidenceSpec(tmp_path)])
    assert sorted(str(p).rsplit("/", 1)[-1] for p in exc.value.problems) == [
        "fifo.xml: not a regular file (FIFO or device?)",
        "zero.xml: not a regular file (FIFO or device?)",
    ]
    with pytest.raises(InputError) as exc:
        load_evidence([EvidenceSpec(Path("/dev/zero"))])
    assert problem(exc).endswith("dev/zero: not a regular file (FIFO or device?)")


def test_an_evidence_file_over_the_limit_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hdsguard.evidence import load

    monkeypatch.setattr(load, "MAX_EVIDENCE_BYTES", 1024 * 1024)
    big = tmp_path / "scan.xml"
    with big.open("wb") as handle:
        handle.write((LAB / "scan-external.xml").read_bytes())
        handle.truncate(3 * 1024 * 1024)  # sparse: no 3 MiB written
    with pytest.raises(InputError) as exc:
        load_evidence([EvidenceSpec(big, vantage="external")])
    assert problem(exc).endswith("scan.xml: file is 3 MiB, over the 1 MiB limit: split it")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # fromtimestamp raised OverflowError, then ValueError: "internal error", unlocated.
        ('start="1795158725"', 'start="99999999999999999999"', "x.xml:5:1: <nmaprun> start "),
        ('start="1795158725"', 'start="253402300800"', "x.xml:5:1: <nmaprun> start "),
        # Accepted: an "open port 99999", and a range that covers nothing.
        ('portid="21"', 'portid="99999"', "x.xml:17:1: <port> with portid '99999', not a port"),
        ('services="21-22,', 'services="22-21,', "x.xml:6:1: <scaninfo> services '22-21,"),
        ('services="21-22,', 'services="21-65536,', "x.xml:6:1: <scaninfo> services '21-65536,"),
    ],
)
def test_numbers_nmap_never_writes_are_located_errors(old: str, new: str, expected: str) -> None:
    text = (LAB / "scan-external.xml").read_text(encoding="utf-8")
    assert old in text
    for read in (read_scan, read_exact):  # from the bytes and element by element alike
        with pytest.raises(InputError) as exc:
            read("x.xml", text.replace(old, new, 1).encode())
        assert problem(exc).startswith(expected), problem(exc)
