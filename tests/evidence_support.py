"""Certificates and loopback servers for the evidence tests: generated, never committed."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def certificate(
    subject: str,
    *,
    not_before: datetime.date,
    not_after: datetime.date,
    issuer: str = "Test CA",
    sans: tuple[str, ...] = (),
    algorithm: hashes.HashAlgorithm | None = None,
    key: rsa.RSAPrivateKey | None = None,
) -> x509.Certificate:
    """A certificate signed by ``key`` (a throwaway RSA key): the dates are whole days (UTC);
    ``not_after`` is the last valid day, as in declarations."""
    key = key or _KEY
    builder = (
        x509.CertificateBuilder()
        .subject_name(name(subject))
        .issuer_name(name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.datetime.combine(not_before, datetime.time(), datetime.UTC))
        .not_valid_after(
            datetime.datetime.combine(not_after, datetime.time(23, 59, 59), datetime.UTC)
        )
    )
    if sans:
        entries: list[x509.GeneralName] = []
        for san in sans:
            try:
                entries.append(x509.IPAddress(ipaddress.ip_address(san)))
            except ValueError:
                entries.append(x509.DNSName(san))
        builder = builder.add_extension(x509.SubjectAlternativeName(entries), critical=False)
    return builder.sign(key, algorithm or hashes.SHA256())


# sha256WithRSAEncryption and sha1WithRSAEncryption: the same OID but its last arc (11, 5).
_SHA256_RSA = bytes.fromhex("06092a864886f70d01010b")
_SHA1_RSA = bytes.fromhex("06092a864886f70d010105")


def sha1_signed(cert: x509.Certificate) -> x509.Certificate:
    """``cert`` labelled as signed with SHA-1. cryptography (OpenSSL 3) no longer signs with
    SHA-1, so the algorithm identifiers of a SHA-256 certificate are rewritten: the signature
    no longer verifies, which hdsguard never checks (it reads what a server presents)."""
    data = der(cert)
    assert data.count(_SHA256_RSA) == 2  # the TBS's and the outer signature algorithm
    return x509.load_der_x509_certificate(data.replace(_SHA256_RSA, _SHA1_RSA))


def pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def key_pem() -> bytes:
    return _KEY.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@contextmanager
def ftp_banner_server() -> Iterator[int]:
    """A listener on 127.0.0.1 that greets like vsftpd 3.0.3 (what nmap -sV recognises) and
    refuses every command; yields its port."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def handle(conn: socket.socket) -> None:
        with conn:
            try:
                conn.sendall(b"220 (vsFTPd 3.0.3)\r\n")
                conn.settimeout(5)
                while not stop.is_set() and conn.recv(1024):
                    conn.sendall(b"530 Please login with USER and PASS.\r\n")
            except OSError:
                pass

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        server.close()
