"""nmap XML (``-oX``) scans, read by expat with defusedxml's guards.

The guards are the three handlers defusedxml's readers install (entity declarations, unparsed
entities and external references all raise its exceptions), so a billion-laughs or an
external-entity file stops at its DTD with a located error instead of expanding. expat is
driven directly, not through SAX: the SAX layer wraps every element's attributes in an object
and calls two methods per element, which made reading a 10,000-host scan cost 2.2 times
expat's own work; here only a start handler runs, and it reads the line of the element it is
called for (findings point at it). That is :func:`read_exact`.

A scan is read in two steps instead (:func:`read_scan`) unless scripts are frequent in it:
expat reads the whole file with the guards but no Python callback past the root element,
which proves it well-formed and harmless; then the hosts written as nmap writes them are
matched in its bytes (:mod:`hdsguard.evidence.nmapsplit`) and the exact reading reads the
rest. Same result; a sweep of 10,000 hosts takes 0.06 s instead of 0.085 s.

Which element a ``<status>``, ``<state>`` or ``<service>`` belongs to follows from the last
``<host>`` or ``<port>`` opened: nmap writes them only inside those. Elements that may hold
such names outside a host (``<hosthint>``, ``<runstats>``) close the current host.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import NoReturn
from xml.parsers import expat

from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden

from hdsguard.errors import InputError, fail
from hdsguard.evidence.nmapmodel import Folded, Host, Port, Scan
from hdsguard.i18n import _

# Elements outside <host> whose children could be mistaken for a host's.
_OUTSIDE_HOST = frozenset({"hosthint", "runstats", "prescript", "postscript"})
# The protocol versions ssl-enum-ciphers names its tables after.
_TLS_VERSION = re.compile(r"SSLv[23]|TLSv1\.[0-3]")


class _Reader:
    def __init__(self, path: str, parser: expat.XMLParserType) -> None:
        self.path = path
        self.parser = parser
        self.scan: Scan | None = None
        self.host: Host | None = None
        self.port: Port | None = None
        self.script = ""  # the id of the <script> being read, inside a port
        self.folded: Folded | None = None  # the <extraports> being read, if undecided
        self.pem: list[str] = []
        self.pem_line = 0
        self.end_line = 1  # the line of <finished>
        self.scans_hosts: list[Host] = []
        self.handlers: dict[str, Callable[[dict[str, str]], None]] = {
            "host": self._host, "port": self._port, "state": self._state,
            "service": self._service, "address": self._address, "hostname": self._hostname,
            "status": self._status, "script": self._script, "hostscript": self._hostscript,
            "elem": self._elem, "table": self._table, "finished": self._finished,
            "scaninfo": self._scaninfo, "extraports": self._extraports,
            "extrareasons": self._extrareasons,
            **dict.fromkeys(_OUTSIDE_HOST, self._outside_host),
        }  # fmt: skip

    def error(self, message: str) -> InputError:
        parser = self.parser
        return fail(self.path, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1, message)

    def root(self, name: str, attrs: dict[str, str]) -> None:
        if name != "nmaprun":
            raise self.error(
                _("XML whose root is <{name}>, not an nmap scan (<nmaprun>)").format(name=name)
            )
        start = attrs.get("start")
        if start is None or not start.isdigit():
            raise self.error(_("<nmaprun> has no `start` time: is this file written by nmap -oX?"))
        try:
            when = datetime.datetime.fromtimestamp(int(start), datetime.UTC)
        except (OverflowError, ValueError, OSError):  # past year 9999, or the platform's time_t
            raise self.error(
                _("<nmaprun> start {start!r}: not a time nmap writes (seconds since 1970)").format(
                    start=start
                )
            ) from None
        at = (self.parser.CurrentLineNumber, self.parser.CurrentColumnNumber + 1)
        self.scan = Scan(self.path, when, attrs.get("args", ""), at=at)
        self.parser.StartElementHandler = self.start

    def start(self, name: str, attrs: dict[str, str]) -> None:
        # One dict look-up for the many elements read for nothing (<cpe>, <times>…).
        handler = self.handlers.get(name)
        if handler is not None:
            handler(attrs)

    def _host(self, attrs: dict[str, str]) -> None:
        self.host = Host(self.parser.CurrentLineNumber)
        self.host.timedout = attrs.get("timedout") == "true"
        self.port = self.folded = None
        self.scans_hosts.append(self.host)

    def _outside_host(self, attrs: dict[str, str]) -> None:
        self.host = self.port = self.folded = None

    def _port(self, attrs: dict[str, str]) -> None:
        if self.host is None:
            return
        number = attrs.get("portid", "")
        if not number.isdigit() or int(number) > MAX_PORT:
            raise self.error(
                _("<port> with portid {number!r}, not a port number").format(number=number)
            )
        line = self.parser.CurrentLineNumber
        self.port = Port(int(number), attrs.get("protocol", "tcp"), "", line)
        self.host.ports.append(self.port)
        self.script = ""

    def _state(self, attrs: dict[str, str]) -> None:
        if self.port is not None:
            self.port.state = attrs.get("state", "")

    def _service(self, attrs: dict[str, str]) -> None:
        port = self.port
        if port is not None:
            port.service = attrs.get("name", "")
            port.product = attrs.get("product", "")
            port.version = attrs.get("version", "")
            port.tunnel = attrs.get("tunnel", "")
            port.method = attrs.get("method", "")

    def _address(self, attrs: dict[str, str]) -> None:
        if self.host is not None and attrs.get("addrtype") in ("ipv4", "ipv6"):
            self.host.addresses.append(attrs.get("addr", "").lower())

    def _hostname(self, attrs: dict[str, str]) -> None:
        # nmap names a host scanned by name twice when its PTR record gives the same name
        # (type "user", then "PTR"): once is enough, or every match and message doubles.
        name = attrs.get("name", "").lower()
        host = self.host
        if host is None:
            return
        from_ptr = attrs.get("type") == "PTR"
        if name not in host.names:
            host.names.append(name)
            if from_ptr:
                host.ptr.append(name)
        elif not from_ptr and name in host.ptr:
            host.ptr.remove(name)  # scanned by that name too: not a PTR name only

    def _status(self, attrs: dict[str, str]) -> None:
        if self.host is not None:
            self.host.state = attrs.get("state", "")

    def _script(self, attrs: dict[str, str]) -> None:
        self.script = attrs.get("id", "") if self.port is not None else ""

    def _hostscript(self, attrs: dict[str, str]) -> None:
        self.port, self.script = None, ""

    def _elem(self, attrs: dict[str, str]) -> None:
        if self.script == "ssl-cert" and self.port is not None and attrs.get("key") == "pem":
            self._start_pem()

    def _table(self, attrs: dict[str, str]) -> None:
        # ssl-enum-ciphers prints one table per protocol version the server accepted, keyed by
        # the version; its nested tables (ciphers, compressors) have other keys or none.
        port = self.port
        if self.script == "ssl-enum-ciphers" and port is not None:
            key = attrs.get("key", "")
            if _TLS_VERSION.fullmatch(key) and key not in port.tls_versions:
                port.tls_versions.append(key)

    def _extraports(self, attrs: dict[str, str]) -> None:
        # Ports nmap folded into a count; only a state that may be open matters (`closed`,
        # `filtered` ports are not open, as a port it did not list at all).
        self.folded = None
        if self.host is not None and attrs.get("state", "").startswith("open|"):
            count = attrs.get("count", "")
            self.folded = Folded(int(count) if count.isdigit() else -1)
            self.host.folded.append(self.folded)

    def _extrareasons(self, attrs: dict[str, str]) -> None:
        folded = self.folded
        count, protocol = attrs.get("count", ""), attrs.get("proto", "")
        ranges = _port_list(attrs.get("ports", ""))
        if folded is not None and count.isdigit() and protocol and ranges:
            folded.listed += int(count)
            folded.ranges.setdefault(protocol, []).extend(ranges)

    def _finished(self, attrs: dict[str, str]) -> None:
        if self.scan is not None:
            self.scan.finished = attrs.get("exit", "success") == "success"
            self.end_line = self.parser.CurrentLineNumber

    def _scaninfo(self, attrs: dict[str, str]) -> None:
        if self.scan is not None and self.host is None:
            ranges = self.scan.ranges.setdefault(attrs.get("protocol", "tcp"), [])
            ranges += self._ranges(attrs.get("services", ""))

    # The certificate nmap's ssl-cert script prints (<elem key="pem">): its text is collected
    # by handlers installed for that element only, so that the rest of the file (all the
    # whitespace between elements) costs no call.
    def _start_pem(self) -> None:
        self.pem, self.pem_line = [], self.parser.CurrentLineNumber
        self.parser.CharacterDataHandler = self.pem.append
        self.parser.EndElementHandler = self._end_pem

    def _end_pem(self, name: str) -> None:
        self.parser.CharacterDataHandler = None
        self.parser.EndElementHandler = None
        if self.port is not None:
            self.port.certificates.append((self.pem_line, "".join(self.pem)))

    def _ranges(self, text: str) -> list[tuple[int, int]]:
        out = []
        for part in filter(None, text.split(",")):
            lo, _dash, hi = part.partition("-")
            if not _port_range(lo, hi or lo):
                raise self.error(
                    _("<scaninfo> services {text!r}: not a list of port ranges").format(text=text)
                )
            out.append((int(lo), int(hi or lo)))
        return out


MAX_PORT = 65535


def _port_range(lo: str, hi: str) -> bool:
    """Whether ``lo``-``hi`` is a range of port numbers (a reversed one covers nothing, and a
    number past 65535 is no port: nmap writes neither)."""
    return lo.isdigit() and hi.isdigit() and int(lo) <= int(hi) <= MAX_PORT


def _port_list(text: str) -> list[tuple[int, int]]:
    """The port ranges of ``text`` (``"22,443,8000-8100"``); [] when it is not such a list
    (the ports it names are then undecided, as if it were absent)."""
    out = []
    for part in text.split(","):
        lo, _dash, hi = part.partition("-")
        if not lo.isdigit() or not (hi or lo).isdigit():
            return []
        out.append((int(lo), int(hi or lo)))
    return out


# defusedxml's guards (defusedxml.expatreader), raising its exceptions.
def _entity_declared(
    name: str, is_parameter: bool, value: str | None, base: str | None, sysid: str | None,
    pubid: str | None, notation: str | None,
) -> NoReturn:  # fmt: skip
    raise EntitiesForbidden(name, value, base, sysid, pubid, notation)


def _unparsed_entity(
    name: str, base: str | None, sysid: str, pubid: str | None, notation: str
) -> NoReturn:
    raise EntitiesForbidden(name, None, base, sysid, pubid, notation)


def _external_reference(
    context: str, base: str | None, sysid: str | None, pubid: str | None
) -> NoReturn:
    raise ExternalReferenceForbidden(context, base, sysid, pubid)


def read_scan(path: str, text: bytes) -> Scan:
    """The scan in ``text`` (the bytes of ``path``), or a located InputError."""
    if _worth_splitting(text):
        from hdsguard.evidence import nmapsplit

        body = _checked(path, text)
        if body is not None:
            found = nmapsplit.split(text, body)
            scan = read_exact(path, found.rest)
            hosts = _merged(found.hosts, scan.hosts)
            # A port number past 65535 read from the bytes: the exact reading locates it.
            if hosts is not None and all(
                p.port <= MAX_PORT for h in found.hosts if h is not None for p in h.ports
            ):
                scan.hosts = hosts
                return scan
    return read_exact(path, text)


def _worth_splitting(text: bytes) -> bool:
    """Whether most hosts are likely to be read from the bytes (evidence.nmapsplit: written
    as nmap writes them, with no script), judged on the start of the file."""
    sample = text[: 1 << 18]
    hosts = sample.count(b"<host ")
    return hosts > 0 and 2 * sample.count(b"<script ") <= hosts


def _merged(hosts: list[Host | None], exact: list[Host]) -> list[Host] | None:
    """The hosts in document order: those read from the bytes, and the others as the exact
    reader read them (None when the two readings do not add up: the file is read again)."""
    if hosts.count(None) != len(exact):
        return None
    rest = iter(exact)
    return [h if h is not None else next(rest) for h in hosts]


def _parser(path: str) -> tuple[expat.XMLParserType, _Reader]:
    parser = expat.ParserCreate()
    reader = _Reader(path, parser)
    parser.StartElementHandler = reader.root
    parser.EntityDeclHandler = _entity_declared
    parser.UnparsedEntityDeclHandler = _unparsed_entity
    # No DTD is fetched and no external entity resolved.
    parser.ExternalEntityRefHandler = _external_reference
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser, reader


def _parse(parser: expat.XMLParserType, reader: _Reader, text: bytes) -> None:
    try:
        parser.Parse(text, True)
    except DefusedXmlException as exc:
        raise reader.error(
            _(
                "refused: the XML declares entities or external references ({kind}); nmap "
                "never writes them, so this file was not produced by nmap -oX as is"
            ).format(kind=type(exc).__name__)
        ) from None
    except expat.ExpatError as exc:
        raise fail(
            reader.path,
            exc.lineno,
            exc.offset + 1,
            _(
                "malformed XML ({reason}): a truncated or damaged scan is not read; run the "
                "scan again with -oX"
            ).format(reason=expat.ErrorString(exc.code)),
        ) from None


def read_exact(path: str, text: bytes) -> Scan:
    """The scan in ``text`` read element by element through expat's callbacks: the reading
    that :func:`read_scan` gives whatever the file (tests/test_evidence_nmapsplit.py)."""
    parser, reader = _parser(path)
    _parse(parser, reader, text)
    return _finished(reader)


def _checked(path: str, text: bytes) -> int | None:
    """Read ``text`` whole with the same guards and errors as the exact reading, but calling
    Python for the root element only: the offset of the root element, or None when the file
    holds what the byte reading of hosts does not handle (an encoding other than UTF-8, an
    internal DTD subset, whose attribute defaults the bytes do not show, or a comment,
    processing instruction or CDATA section inside the root, where a tag is not a tag)."""
    parser, reader = _parser(path)
    body = -1
    plain = not text.startswith((b"\xff\xfe", b"\xfe\xff"))  # UTF-16

    def root(name: str, attrs: dict[str, str]) -> None:
        nonlocal body
        reader.root(name, attrs)  # the same checks and errors
        body = parser.CurrentByteIndex
        parser.StartElementHandler = None  # from here on, expat alone

    def declared(version: str, encoding: str | None, standalone: int) -> None:
        nonlocal plain
        plain = plain and (encoding or "utf-8").lower() in _UTF8

    def doctype(name: str, sysid: str | None, pubid: str | None, internal: int) -> None:
        nonlocal plain
        plain = plain and not internal

    def inside(*_args: object) -> None:
        nonlocal plain
        plain = plain and body < 0

    parser.StartElementHandler = root
    parser.XmlDeclHandler = declared
    parser.StartDoctypeDeclHandler = doctype
    parser.CommentHandler = parser.ProcessingInstructionHandler = inside
    parser.StartCdataSectionHandler = inside
    _parse(parser, reader, text)
    return body if plain and body >= 0 else None


_UTF8 = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})


def _finished(reader: _Reader) -> Scan:
    scan = reader.scan
    if scan is None:
        raise fail(reader.path, 1, 1, _("no <nmaprun> element: not an nmap XML scan"))
    scan.hosts = reader.scans_hosts
    if not scan.finished:
        raise fail(
            reader.path,
            reader.end_line,
            None,
            _(
                'the scan did not finish (no <runstats><finished exit="success">): an '
                "interrupted scan is not read; run it to the end"
            ),
        )
    return scan
