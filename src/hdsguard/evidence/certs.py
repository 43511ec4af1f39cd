"""TLS certificates as PEM (one or more blocks: a chain) or DER files, read by ``cryptography``.

A PEM file holds certificate blocks and blank lines only: anything else (a damaged block, text
between blocks) is a located error, never a partly read chain.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace

from cryptography import x509
from cryptography.x509.oid import ExtensionOID, NameOID

from hdsguard.errors import InputError, fail
from hdsguard.i18n import _

_BLOCK = re.compile(
    rb"-----BEGIN CERTIFICATE-----\r?\n.*?-----END CERTIFICATE-----[ \t]*(?:\r?\n|$)", re.S
)


@dataclass(frozen=True)
class ObservedCertificate:
    path: str
    line: int
    position: int  # 0 for the first certificate of the file (the server's), 1 the next…
    sha256: str
    subject: str  # common name, else the whole subject
    sans: tuple[str, ...]
    issuer: str
    not_before: str
    not_after: str
    signature_algorithm: str
    # Read from a scan (nmap's ssl-cert script): the port that presented it, and the names and
    # addresses of the scanned host; a file's certificate has neither (its sidecar's host).
    port: int = 0
    names: tuple[str, ...] = ()
    # Read from a scan: its start (ISO 8601, UTC, to the second: the newest scan that printed
    # a certificate for a host and port decides) and vantage point. A certificate's age as
    # evidence is its scan's: a stale scan backs no pass (docs/evidence.md, "Stale scans").
    # Empty for a file, which carries no date.
    scan_start: str = ""
    vantage: str = ""


def read_pem(path: str, text: bytes) -> list[ObservedCertificate]:
    out: list[ObservedCertificate] = []
    pos = 0
    for match in _BLOCK.finditer(text):
        _only_blank(path, text, pos, match.start())
        line = text.count(b"\n", 0, match.start()) + 1
        try:
            cert = x509.load_pem_x509_certificate(match.group(0))
        except ValueError as exc:
            says = _("damaged PEM certificate block: {why}; export the certificate again")
            where = _not_base64(text, match.start(), match.end()) or (line, 1)
            raise fail(path, *where, says.format(why=_why(exc))) from None
        out.append(_observed(path, line, len(out), cert))
        pos = match.end()
    _only_blank(path, text, pos, len(text))
    if not out:
        raise fail(path, 1, 1, _("no certificate: a PEM file needs a BEGIN CERTIFICATE block"))
    return out


_BASE64 = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= \t\r")


def _not_base64(text: bytes, start: int, end: int) -> tuple[int, int] | None:
    """The line and column of the first character of a PEM block's body that base64 has not
    (a character changed by hand, an editor's smart quote): the block's BEGIN line told where
    the block starts, not where it is broken. None when every character is base64's."""
    body_start = text.index(b"\n", start) + 1 if b"\n" in text[start:end] else end
    body_end = text.rfind(b"-----END", start, end)
    for offset in range(body_start, max(body_start, body_end)):
        char = text[offset]
        if char != 0x0A and char not in _BASE64:
            line = text.count(b"\n", 0, offset) + 1
            column = offset - (text.rfind(b"\n", 0, offset) + 1) + 1
            return line, column
    return None


def read_scanned(
    path: str,
    line: int,
    pem_text: str,
    port: int,
    names: tuple[str, ...],
    scan_start: str = "",
    vantage: str = "",
) -> ObservedCertificate:
    """The certificate nmap's ssl-cert script printed at ``line`` of scan ``path``."""
    try:
        (first, *_rest) = read_pem(path, pem_text.encode("utf-8"))
    except InputError as exc:
        why = exc.problems[0].message if exc.problems else _("unreadable")
        message = _("the certificate nmap's ssl-cert script printed is damaged: {why}")
        raise fail(path, line, None, message.format(why=why)) from None
    return replace(first, line=line, port=port, names=names, scan_start=scan_start, vantage=vantage)


def read_der(path: str, text: bytes) -> list[ObservedCertificate]:
    try:
        cert = x509.load_der_x509_certificate(text)
    except ValueError as exc:
        says = _("not a DER X.509 certificate: {why}; export the certificate again")
        raise fail(path, None, None, says.format(why=_why(exc))) from None
    return [_observed(path, 1, 0, cert)]


def _why(exc: ValueError) -> str:
    """What is wrong, in the run's language: cryptography's own words are English and name
    its internals (`ParseError { kind: ShortData … }`), shown as they were in a French run."""
    if str(exc).startswith("Unable to load PEM"):
        return _("its base64 text is broken (a character that is not base64, or a cut line)")
    return _(
        "its content is not a readable X.509 certificate (truncated, or a key or another "
        "kind of file)"
    )


def _only_blank(path: str, text: bytes, start: int, end: int) -> None:
    stray = text[start:end]
    if stray.strip():
        offset = start + (len(stray) - len(stray.lstrip()))
        line = text.count(b"\n", 0, offset) + 1
        raise _garbage(path, line)


def _garbage(path: str, line: int) -> InputError:
    return fail(
        path,
        line,
        1,
        _(
            "text outside a certificate block: keep only the BEGIN/END CERTIFICATE blocks "
            "(see docs/evidence.md for the openssl command that writes them)"
        ),
    )


def _observed(path: str, line: int, position: int, cert: x509.Certificate) -> ObservedCertificate:
    from cryptography.hazmat.primitives import serialization

    der = cert.public_bytes(serialization.Encoding.DER)
    algorithm = cert.signature_algorithm_oid._name  # OpenSSL's names: sha256WithRSAEncryption
    return ObservedCertificate(
        path=path,
        line=line,
        position=position,
        sha256=hashlib.sha256(der).hexdigest(),
        subject=_common_name(cert.subject),
        sans=_sans(cert),
        issuer=_common_name(cert.issuer),
        not_before=cert.not_valid_before_utc.date().isoformat(),
        not_after=cert.not_valid_after_utc.date().isoformat(),
        signature_algorithm=algorithm,
    )


def _common_name(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    if values:
        value = values[0].value
        return value if isinstance(value, str) else value.decode("utf-8", "replace")
    return name.rfc4514_string()


def _sans(cert: x509.Certificate) -> tuple[str, ...]:
    try:
        ext = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
    except x509.ExtensionNotFound:
        return ()
    value = ext.value
    if not isinstance(value, x509.SubjectAlternativeName):
        return ()
    names = value.get_values_for_type(x509.DNSName)
    addresses = [str(a) for a in value.get_values_for_type(x509.IPAddress)]
    return tuple(n.lower() for n in names) + tuple(addresses)
