"""Real nmap (the Debian package that .ci/run installs) against servers this test starts on
127.0.0.1 — never any other address — then the XML imported and the findings asserted."""

from __future__ import annotations

import datetime
import http.server
import json
import shutil
import ssl
import subprocess
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.evidence_support import certificate, ftp_banner_server, key_pem, pem
from tests.helpers import run_cli, write

NMAP = shutil.which("nmap")
pytestmark = pytest.mark.skipif(NMAP is None, reason="nmap is not installed (.ci/run installs it)")
LOOPBACK = "127.0.0.1"
TODAY = datetime.date.today()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass  # nmap's probes would fill the test output


@contextmanager
def https_server(tmp_path: Path, oldest: ssl.TLSVersion | None = None) -> Iterator[int]:
    """An HTTPS server on 127.0.0.1 presenting a certificate generated for the test; with
    ``oldest``, accepting protocol versions down to it (OpenSSL's security level 0 lets it
    complete TLS 1.0 and 1.1 handshakes)."""
    cert = certificate(
        "portal.test", not_before=TODAY - datetime.timedelta(days=10),
        not_after=TODAY + datetime.timedelta(days=50), issuer="Test CA", sans=("portal.test",),
    )  # fmt: skip
    (tmp_path / "server.pem").write_bytes(pem(cert) + key_pem())
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "server.pem")
    if oldest is not None:
        with warnings.catch_warnings():  # an old version on purpose: the server under test
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = oldest
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    server = http.server.ThreadingHTTPServer((LOOPBACK, 0), _Quiet)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with _serving(server) as port:
        yield port


@contextmanager
def _serving(server: http.server.ThreadingHTTPServer) -> Iterator[int]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def loopback_probes(tmp_path: Path) -> list[str]:
    """nmap options that make ``-sV`` wait 1 s, not 5 to 11, for each probe's answer.

    A service scan waits for every probe's answer up to the probe's ``totalwaitms`` (6 s for
    the banner a server may send first, 5 s by default): on a TLS port, which answers neither
    the banner wait nor the plain-text lines, a scan took 17.5 s, with nothing to receive.
    Timing templates (``-T4``/``-T5``) do not shorten these waits; only the probe database
    does. A copy of nmap's own database with every wait at 1 s, read through ``--datadir``
    (nmap's other data files still come from its install), gives the same XML: the servers
    here answer on loopback at once. Where the database cannot be found: nmap's own waits."""
    assert NMAP is not None
    installed = Path(NMAP).resolve().parent.parent / "share" / "nmap" / "nmap-service-probes"
    if not installed.is_file():
        return []
    lines = []
    for line in installed.read_text(encoding="latin-1").splitlines():
        if line.startswith(("totalwaitms ", "tcpwrappedms ")):
            continue  # replaced below (tcpwrappedms must stay under totalwaitms)
        lines.append(line)
        if line.startswith("Probe "):
            lines.append("totalwaitms 1000")
    datadir = tmp_path / "nmap-data"
    datadir.mkdir()
    (datadir / "nmap-service-probes").write_text("\n".join(lines) + "\n", encoding="latin-1")
    return ["--datadir", str(datadir)]


def scan_with_nmap(tmp_path: Path, ports: str, options: list[str], vantage: str) -> Path:
    """``nmap -sT -Pn -p PORTS OPTIONS -oX`` of 127.0.0.1 into an evidence directory, with the
    sidecar that declares its vantage point; the path of the scan's XML."""
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    scan = evidence / "scan.xml"
    assert NMAP is not None
    subprocess.run(
        [NMAP, "-sT", "-Pn", "-p", ports, *options, "-oX", str(scan), LOOPBACK],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (evidence / "scan.xml.evidence").write_text(f"vantage: {vantage}\n")
    return scan


def checked(decl: Path, evidence: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """The JSON findings of ``check DECL --evidence EVIDENCE`` by (rule, target); it fails."""
    result = run_cli(["check", str(decl), "--evidence", str(evidence), "--format", "json",
                      "--no-config"])  # fmt: skip
    assert result.exit_code == 1, result.stderr
    return {(f["rule"], f["target"]): f for f in json.loads(result.stdout)["findings"]}


def test_real_nmap_finds_the_undeclared_ftp_and_the_served_certificate(tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    scan = evidence / "scan.xml"
    with ftp_banner_server() as ftp, https_server(tmp_path) as https:
        assert NMAP is not None
        subprocess.run(
            [NMAP, "-sT", "-sV", *loopback_probes(tmp_path), "-Pn", "-p", f"{ftp},{https}",
             "-oX", str(scan), LOOPBACK],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        served = ssl.get_server_certificate((LOOPBACK, https))  # what openssl s_client shows
    (evidence / "scan.xml.evidence").write_text("vantage: internal\n")
    (evidence / "portal.pem").write_text(served)
    (evidence / "portal.pem.evidence").write_text(f"host: {LOOPBACK}\n")
    not_after = (TODAY + datetime.timedelta(days=80)).isoformat()
    decl = write(tmp_path / "decl", {"services.yaml": f"""
        certificates:
          - {{id: portal-cert, subject: portal.test, not_after: {not_after}}}
        services:
          - id: portal
            host: {LOOPBACK}
            port: {https}
            protocol: https
            exposure: internal
            tls: {{certificate: portal-cert}}
            software: {{name: SimpleHTTPServer, version: "0.6"}}
        """})  # fmt: skip
    result = run_cli(["check", str(decl), "--evidence", str(evidence), "--format", "json",
                      "--no-config"])  # fmt: skip
    assert result.exit_code == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    failing = {
        (f["rule"], f["target"]): f
        for f in findings
        if f["rule"].startswith("EVD-") and f["status"] not in ("pass", "not_applicable")
    }
    ftp_key = ("EVD-001", f"evidence_ports/localhost:{ftp}/tcp@internal")
    assert set(failing) == {ftp_key, ("EVD-007", "certificates/portal-cert")}, [
        f["message"] for f in failing.values()
    ]
    assert failing[ftp_key]["message"].startswith(
        f"port {ftp}/tcp is open on localhost (ftp vsftpd 3.0.3), seen from the internal scan of "
    )
    assert failing[ftp_key]["file"].endswith("evidence/scan.xml")
    # Its line is the <port> element nmap wrote for it.
    lines = scan.read_text().splitlines()
    assert f'portid="{ftp}"' in lines[failing[ftp_key]["line"] - 1]
    # The port declared with its certificate is not reported, and the certificate it serves
    # expires 30 days before the declared date.
    earlier = failing[("EVD-007", "certificates/portal-cert")]
    expires = (TODAY + datetime.timedelta(days=50)).isoformat()
    assert earlier["message"].startswith(
        f"declared valid until {not_after}, but the certificate presented expires earlier: "
    )
    assert earlier["message"].endswith(f"portal.pem (portal.test), valid until {expires}")
    assert earlier["related"][0]["file"].endswith("evidence/portal.pem")
    # nmap identified the server software, as declared.
    (software,) = [f for f in findings if f["rule"] == "EVD-003"]
    assert software["message"] == "the scan identified SimpleHTTPServer 0.6, as declared"


def test_real_nmap_ssl_cert_gives_the_certificate_a_port_presents(tmp_path: Path) -> None:
    """nmap's ssl-cert script prints the presented certificate in the XML: it is read as an
    observed certificate bound to the scanned host and port, no PEM file needed."""
    with https_server(tmp_path) as https:
        scan = scan_with_nmap(tmp_path, str(https), ["--script", "ssl-cert"], "internal")
    not_after = (TODAY + datetime.timedelta(days=80)).isoformat()
    # Another service of the same host, on another port, declares another certificate: the
    # certificate seen on the scanned port is not its.
    other_port = https + 1 if https < 65535 else https - 1
    decl = write(tmp_path / "decl", {"services.yaml": f"""
        certificates:
          - {{id: portal-cert, subject: portal.test, not_after: {not_after}}}
          - {{id: admin-cert, subject: admin.test, not_after: {not_after}}}
        services:
          - {{id: portal, host: {LOOPBACK}, port: {https}, protocol: https, exposure: internal,
              tls: {{certificate: portal-cert}}}}
          - {{id: admin, host: {LOOPBACK}, port: {other_port}, protocol: https,
              exposure: internal, tls: {{certificate: admin-cert}}}}
        """})  # fmt: skip
    rules = checked(decl, scan.parent)
    line = next(n for n, text in enumerate(scan.read_text().splitlines(), 1) if 'key="pem"' in text)
    # The certificate the port presented expires 30 days before the declared date.
    earlier = rules[("EVD-007", "certificates/portal-cert")]
    expires = (TODAY + datetime.timedelta(days=50)).isoformat()
    assert earlier["status"] == "fail"
    assert earlier["message"].endswith(
        f"scan.xml#localhost:{https} (portal.test), valid until {expires}"
    ), earlier["message"]
    assert earlier["related"][0]["file"].endswith("evidence/scan.xml")
    assert earlier["related"][0]["line"] == line
    # Bound by host and port: the same host's other port and certificate are not concerned.
    assert rules[("EVD-007", "certificates/admin-cert")]["status"] == "not_applicable"
    # It is the declared one, so EVD-008 passes on it, located at the certificate in the scan.
    (seen,) = [f for (rule, _), f in rules.items() if rule == "EVD-008"]
    assert seen["target"].endswith(f"scan.xml#localhost:{https}")
    assert (seen["status"], seen["line"]) == ("pass", line)
    assert seen["message"] == "declared as certificates/portal-cert"


@contextmanager
def http_server() -> Iterator[int]:
    """A plain HTTP server on 127.0.0.1: what a portal declared `https` may really be."""
    with _serving(http.server.ThreadingHTTPServer((LOOPBACK, 0), _Quiet)) as port:
        yield port


def test_real_nmap_tells_a_portal_declared_https_that_answers_in_clear(tmp_path: Path) -> None:
    """EVD-011: two services both declared `https`; nmap -sV reaches one through TLS and finds
    plain HTTP on the other, which fails and points at its declared protocol and at the
    scan's line."""
    with http_server() as plain, https_server(tmp_path) as tls:
        scan = scan_with_nmap(
            tmp_path, f"{plain},{tls}", ["-sV", *loopback_probes(tmp_path)], "external"
        )
    decl = write(tmp_path / "decl", {"services.yaml": f"""
        services:
          - {{id: results, host: {LOOPBACK}, port: {plain}, protocol: https, exposure: internet,
              tls: {{min_version: "1.2"}}}}
          - {{id: portal, host: {LOOPBACK}, port: {tls}, protocol: https, exposure: internet,
              tls: {{min_version: "1.2"}}}}
        """})  # fmt: skip
    rules = checked(decl, scan.parent)
    clear = rules[("EVD-011", "services/results")]
    assert clear["status"] == "fail"
    assert clear["message"].startswith("declared https, but the scan saw http in clear ("), clear
    declared = (decl / "services.yaml").read_text().splitlines()[clear["line"] - 1]
    assert declared[clear["column"] - 1 :].startswith("protocol: https")  # the deciding field
    lines = scan.read_text().splitlines()
    assert f'portid="{plain}"' in lines[clear["related"][0]["line"] - 1]
    # The port nmap reached through TLS is not cleartext, whatever HTTP it found inside.
    assert rules[("EVD-011", "services/portal")]["status"] == "not_applicable"
    assert 'tunnel="ssl"' in scan.read_text()


def test_real_nmap_lists_the_tls_versions_a_server_accepts(tmp_path: Path) -> None:
    """EVD-012: a server declared `tls.min_version: "1.2"` that still completes TLS 1.0 and
    1.1 handshakes fails; one that refuses them passes (nmap --script ssl-enum-ciphers)."""
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        oldest = ssl.TLSVersion.TLSv1
    with https_server(old, oldest) as lax, https_server(new) as strict:
        scan = scan_with_nmap(
            tmp_path, f"{lax},{strict}", ["--script", "ssl-enum-ciphers"], "internal"
        )
    decl = write(tmp_path / "decl", {"services.yaml": f"""
        services:
          - {{id: legacy, host: {LOOPBACK}, port: {lax}, protocol: https, exposure: internal,
              tls: {{min_version: "1.2"}}}}
          - {{id: portal, host: {LOOPBACK}, port: {strict}, protocol: https,
              exposure: internal, tls: {{min_version: "1.2"}}}}
        """})  # fmt: skip
    rules = checked(decl, scan.parent)
    lax_finding = rules[("EVD-012", "services/legacy")]
    assert lax_finding["status"] == "fail"
    assert lax_finding["message"].startswith(
        "declared TLS 1.2 minimum (`tls.min_version`), but the server accepted TLSv1.0, TLSv1.1 "
        "(internal scan of "
    ), lax_finding["message"]
    # TLS-001 alone passes on the declaration: what EVD-012 is for.
    assert rules[("TLS-001", "services/legacy")]["status"] == "pass"
    strict_finding = rules[("EVD-012", "services/portal")]
    assert strict_finding["status"] == "pass", strict_finding["message"]
    assert "TLSv1.0" not in strict_finding["message"]


def test_real_nmap_finds_a_service_declared_behind_the_vpn_open_from_outside(
    tmp_path: Path,
) -> None:
    """EVD-013: a remote access declared `via: vpn` that an external scan sees open on its own
    host and port fails; EXP-003 alone passes it on the declaration."""
    with http_server() as port:
        scan = scan_with_nmap(tmp_path, str(port), [], "external")
    decl = write(tmp_path / "decl", {"services.yaml": f"""
        services:
          - {{id: rdp-gw, host: {LOOPBACK}, port: {port}, protocol: rdp, exposure: internet,
              via: vpn, mfa: true}}
        """})  # fmt: skip
    rules = checked(decl, scan.parent)
    seen = rules[("EVD-013", "services/rdp-gw")]
    assert seen["status"] == "fail"
    assert seen["message"].startswith(
        f"declared reachable through a VPN (`via: vpn`), but {LOOPBACK}:{port} was seen open "
        "by the external scan of "
    ), seen["message"]
    assert rules[("EXP-003", "services/rdp-gw")]["status"] == "pass"
