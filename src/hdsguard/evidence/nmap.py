"""nmap XML (``-oX``) scans, read by expat through defusedxml.

defusedxml forbids entity declarations and external references, so a billion-laughs or an
external-entity file stops at its DTD with a located error instead of expanding. A SAX reader
(not ElementTree) because it gives each element's line, which findings point at.
"""

from __future__ import annotations

import datetime
import io
import xml.sax
from dataclasses import dataclass, field
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser

from hdsguard.errors import InputError, fail


@dataclass
class Port:
    port: int
    protocol: str
    state: str
    line: int
    service: str = ""
    product: str = ""
    version: str = ""


@dataclass
class Host:
    line: int
    state: str = ""
    addresses: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    ports: list[Port] = field(default_factory=list)


@dataclass
class Scan:
    path: str
    start: datetime.datetime
    args: str
    hosts: list[Host] = field(default_factory=list)
    finished: bool = False
    # The port ranges scanned, per protocol (<scaninfo services="21,443,8000-8100">): a port
    # outside them was not looked at, so its absence from the scan proves nothing.
    ranges: dict[str, list[tuple[int, int]]] = field(default_factory=dict)


class _Handler(xml.sax.handler.ContentHandler):
    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.scan: Scan | None = None
        self.host: Host | None = None
        self.port: Port | None = None
        self.depth = 0
        self.locator: Any = None
        self.end_line = 1  # the line of <finished>, else of the last element read

    def setDocumentLocator(self, locator: Any) -> None:
        self.locator = locator

    def _line(self) -> int:
        return int(self.locator.getLineNumber()) if self.locator is not None else 0

    def _error(self, message: str) -> InputError:
        column = int(self.locator.getColumnNumber()) + 1 if self.locator is not None else None
        return fail(self.path, self._line(), column, message)

    def startElement(self, name: str, attrs: Any) -> None:
        self.depth += 1
        if self.depth == 1:
            self._root(name, attrs)
        elif name == "host":
            self.host = Host(self._line())
        elif self.host is not None:
            self._in_host(name, attrs)
        elif name == "finished":
            self._finished(attrs)
        elif name == "scaninfo" and self.scan is not None:
            ranges = self.scan.ranges.setdefault(attrs.get("protocol", "tcp"), [])
            ranges += self._ranges(attrs.get("services", ""))

    def endElement(self, name: str) -> None:
        self.depth -= 1
        if name == "host" and self.host is not None and self.scan is not None:
            self.scan.hosts.append(self.host)
            self.host = None
        elif name == "port" and self.port is not None and self.host is not None:
            self.host.ports.append(self.port)
            self.port = None

    def _root(self, name: str, attrs: Any) -> None:
        if name != "nmaprun":
            raise self._error(f"XML whose root is <{name}>, not an nmap scan (<nmaprun>)")
        start = attrs.get("start")
        if start is None or not start.isdigit():
            raise self._error("<nmaprun> has no `start` time: is this file written by nmap -oX?")
        when = datetime.datetime.fromtimestamp(int(start), datetime.UTC)
        self.scan = Scan(self.path, when, attrs.get("args", ""))

    def _in_host(self, name: str, attrs: Any) -> None:
        host = self.host
        assert host is not None  # only called inside a host
        if name == "status":
            host.state = attrs.get("state", "")
        elif name == "address" and attrs.get("addrtype") in ("ipv4", "ipv6"):
            host.addresses.append(attrs.get("addr", "").lower())
        elif name == "hostname":
            host.names.append(attrs.get("name", "").lower())
        elif name == "port":
            number = attrs.get("portid", "")
            if not number.isdigit():
                raise self._error(f"<port> with portid {number!r}, not a port number")
            self.port = Port(int(number), attrs.get("protocol", "tcp"), "", self._line())
        elif name == "state" and self.port is not None:
            self.port.state = attrs.get("state", "")
        elif name == "service" and self.port is not None:
            self.port.service = attrs.get("name", "")
            self.port.product = attrs.get("product", "")
            self.port.version = attrs.get("version", "")

    def _ranges(self, text: str) -> list[tuple[int, int]]:
        out = []
        for part in filter(None, text.split(",")):
            lo, _, hi = part.partition("-")
            if not lo.isdigit() or not (hi or lo).isdigit():
                raise self._error(f"<scaninfo> services {text!r}: not a list of port ranges")
            out.append((int(lo), int(hi or lo)))
        return out

    seen_finished = False

    def _finished(self, attrs: Any) -> None:
        if self.scan is not None:
            self.scan.finished = attrs.get("exit", "success") == "success"
            self.end_line = self._line()
            self.seen_finished = True


def read_scan(path: str, text: bytes) -> Scan:
    """The scan in ``text`` (the bytes of ``path``), or a located InputError."""
    handler = _Handler(path)
    parser = DefusedExpatParser()
    parser.setContentHandler(handler)
    # No DTD is fetched and no external entity resolved: defusedxml raises on them.
    parser.setFeature(xml.sax.handler.feature_external_ges, False)
    try:
        parser.parse(io.BytesIO(text))  # parse(), not feed(): it gives the handler a locator
    except DefusedXmlException as exc:
        raise handler._error(
            f"refused: the XML declares entities or external references ({type(exc).__name__}); "
            "nmap never writes them, so this file was not produced by nmap -oX as is"
        ) from None
    except xml.sax.SAXParseException as exc:
        raise fail(
            path,
            exc.getLineNumber(),
            (exc.getColumnNumber() or 0) + 1,
            f"malformed XML ({exc.getMessage()}): a truncated or damaged scan is not read; "
            "run the scan again with -oX",
        ) from None
    scan = handler.scan
    if scan is None:
        raise fail(path, 1, 1, "no <nmaprun> element: not an nmap XML scan")
    if not scan.finished:
        raise fail(
            path,
            handler.end_line,
            None,
            'the scan did not finish (no <runstats><finished exit="success">): an '
            "interrupted scan is not read; run it to the end",
        )
    return scan
