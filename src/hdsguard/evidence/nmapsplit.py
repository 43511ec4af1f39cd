"""The hosts of a scan written as nmap writes them, read by regular expressions; the rest by
the exact reader.

A network sweep is mostly hosts with nothing open: a `<host>` with its status, address and
name, then `<ports>` holding `<extraports>` counts and a few `<port>`. Reading each of their
~9 elements through a Python callback of expat (:func:`hdsguard.evidence.nmap.read_exact`)
cost more than the standard library's C parser building the whole tree; here such a host is
one match of :data:`_PLAIN_HOST`, found by the regular expression engine in C, and each of
its ports one match of :data:`_PORT`.

This runs only on a file expat has already read whole with the entity guards
(``nmap._checked``): well-formed, no entity declared, UTF-8, no DTD subset, and no comment,
processing instruction or CDATA section inside the root. In such a file every ``<`` inside the
root starts a tag and an attribute value holds no ``<``, so a match can only be a `<host>`
element written exactly as the pattern says, whose end is its own ``</host>``. A host written
any other way (a script, a reference to decode in a value read, a line break in a value,
another order of attributes, an element the pattern does not know) is not matched: the exact
reader reads it. It reads the file with the matched hosts turned into blanks (same lines,
same columns), so that each line and column it gives is the file's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hdsguard.evidence.nmapmodel import Host, Port

_HOST = re.compile(rb"<host(?=[\s/>])")
# A value read: the bytes between the quotes are the value expat gives (no reference to
# decode, no line break or tab it would turn into a space).
_VALUE = rb'([^"<&\t\n\r]*)"'


def _later(name: bytes) -> bytes:
    """The value of attribute ``name`` further in the tag, read as expat reads it, or no such
    attribute: written as nmap writes it (``name="value"``, no apostrophe before it in the tag,
    which could open a value holding it), or absent from the rest of the tag; written any
    other way, neither branch matches and the exact reader reads the host."""
    return rb"(?:(?=[^<>']*\s" + name + rb'="%s)|(?![^<]*\s' + name + rb"\s*=))"


# A port as nmap writes it: its state, then the service -sV identified (name, then product and
# version when known, and no other product or version later in the tag; its tunnel and method
# wherever they are in the tag), its CPE names, and no script. Without groups: repeated inside
# a host; _PORT reads each.
_PORT_SHAPE = (
    rb'<port protocol="%s" portid="%s"><state state="%s[^<]*'
    rb'(?:<service name="%s' + _later(b"tunnel") + _later(b"method") + rb'(?: product="%s)?'
    rb'(?: version="%s)?(?![^<]*\s(?:product|version)=)'
    rb"[^<]*(?:<cpe>[^<]*</cpe>[^<]*)*(?:</service>[^<]*)?)?</port>[^<]*"
)
_ANY = rb'[^"<&\t\n\r]*"'
_PORT = re.compile(_PORT_SHAPE % (rb"([a-z]+)", rb"(\d+)", *[_VALUE] * 6))
# A host as nmap writes it: its status, one IP address (and the MAC address of a local scan),
# at most one name, closed and filtered port counts, its ports, timings, then only blanks up
# to the next host or to what closes the list of hosts. `[^<]*` runs over the rest of a tag and
# the blanks after it (a value holds no `<`).
_PLAIN_HOST = re.compile(
    # A host nmap gave up on (timedout="true", which the exact reader records) is left to it.
    rb'<host(?=[\s>])(?![^<]*timedout)[^<]*<status state="' + _VALUE + rb"[^<]*"
    rb'<address addr="' + _VALUE + rb' addrtype="(ipv4|ipv6)"[^<]*'
    rb'(?:<address addr="[^"<]*" addrtype="mac"[^<]*)?'
    rb'<hostnames>[^<]*(?:<hostname name="' + _VALUE + rb'( type="PTR")?[^<]*)?</hostnames>[^<]*'
    # An <extraports> whose state may be open (open|filtered: ports nmap could not decide,
    # which the exact reader records) or spelled with a reference is left to the exact reader.
    rb"<ports>[^<]*(?:<extraports (?![^<]*(?:open\||&))[^<]*(?:<extrareasons [^<]*)*"
    rb"</extraports>[^<]*)*"
    rb"((?:" + _PORT_SHAPE % (rb"[a-z]+", rb"\d+", *[_ANY] * 6) + rb")*)"
    rb"</ports>[^<]*(?:<times [^<]*)?</host>\s*(?=<host[\s>]|<hosthint>|<runstats>)"
)


@dataclass(slots=True)
class Split:
    # Every host in document order: read here, or None (the exact reader reads it in `rest`).
    hosts: list[Host | None]
    rest: bytes  # the file with the hosts read here blanked, lines and columns unchanged


def split(text: bytes, body: int) -> Split:
    """The hosts of ``text`` (whose root element starts at offset ``body``) read here, and
    the file the exact reader reads for the others."""
    hosts: list[Host | None] = []
    pieces: list[bytes] = []
    copied = 0  # text[:copied] is in pieces
    run = -1  # start of the run of hosts read here that ends at `done` (-1: none)
    done = body  # where the last match ended
    line, counted = 1, 0  # line is the line of text[counted]
    count = text.count
    for found in _PLAIN_HOST.finditer(text, body):
        start = found.start()
        if start != done:  # other hosts (the exact reader's), or other elements, between
            hosts += [None] * len(_HOST.findall(text, done, start))
            if run >= 0:
                pieces += (text[copied:run], _blank(text, run, done))
                copied, run = done, -1
        if run < 0:
            run = start
        line += count(b"\n", counted, start)
        counted = start
        state, address, _, name, ptr, ports = found.groups()
        names = [name.decode().lower()] if name is not None else []
        host = Host(line, state.decode(), [address.decode().lower()], names, [])
        if ptr:
            host.ptr = list(names)
        if ports:
            host.ports = _ports(text, found.start(6), found.end(6), line, start)
        hosts.append(host)
        done = found.end()
    hosts += [None] * len(_HOST.findall(text, done))
    if run >= 0:
        pieces += (text[copied:run], _blank(text, run, done))
        copied = done
    pieces.append(text[copied:])
    return Split(hosts, b"".join(pieces))


def _ports(text: bytes, start: int, end: int, line: int, counted: int) -> list[Port]:
    """The ports in text[start:end], each written as _PORT says (the host's match proved it),
    ``line`` being the line of text[counted]."""
    out = []
    match, count = _PORT.match, text.count
    while start < end:
        port = match(text, start, end)
        if port is None:  # cannot be: the host's match read these bytes as ports
            raise AssertionError(f"no port at byte {start}")
        line += count(b"\n", counted, start)
        counted = start
        protocol, number, state, service, tunnel, method, product, version = port.groups()
        out.append(
            Port(int(number), protocol.decode(), state.decode(), line,
                 "" if service is None else service.decode(),
                 "" if product is None else product.decode(),
                 "" if version is None else version.decode(), [],
                 "" if tunnel is None else tunnel.decode(),
                 "" if method is None else method.decode())
        )  # fmt: skip
        start = port.end()
    return out


def _blank(text: bytes, start: int, end: int) -> bytes:
    """Blanks with the line breaks of text[start:end] and the length of its last line."""
    lines = text.count(b"\n", start, end)
    last = end - text.rfind(b"\n", start, end) - 1 if lines else end - start
    return b"\n" * lines + b" " * last
