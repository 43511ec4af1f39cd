"""The hosts of a scan with no port, read by one regular expression; the rest by the exact reader.

A network sweep is mostly hosts with nothing open: a `<host>` with its status, address and
name, then `<ports>` holding only `<extraports>` counts. Reading each of their ~9 elements
through a Python callback of expat (:mod:`hdsguard.evidence.nmap`) cost more than the standard
library's C parser building the whole tree; here such a host is one match of
:data:`_PLAIN_HOST`, found by the regular expression engine in C.

This runs only on a file expat has already read whole with the entity guards
(``nmap._checked``): well-formed, no entity declared, UTF-8, no DTD subset, and no comment,
processing instruction or CDATA section inside the root. In such a file every ``<`` inside the
root starts a tag and an attribute value holds no ``<``, so a match can only be a `<host>`
element written exactly as the pattern says, whose end is its own ``</host>``. A host written
any other way (a port, a reference to decode in a value read, a line break in a value, another
order of attributes, an element the pattern does not know) is not matched: the exact reader
reads it. It reads the file with the matched hosts turned into blanks (same lines, same
columns), so that each line and column it gives is the file's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hdsguard.evidence.nmap import Host

_HOST = re.compile(rb"<host(?=[\s/>])")
# A value read: the bytes between the quotes are the value expat gives (no reference to
# decode, no line break or tab it would turn into a space).
_VALUE = rb'([^"<&\t\n\r]*)"'
# A host with no port, as nmap writes it: its status, one IP address (and the MAC address of a
# local scan), at most one name, closed and filtered port counts, timings, then only blanks up
# to the next host or to what closes the list of hosts. `[^<]*` runs over the rest of a tag and
# the blanks after it (a value holds no `<`).
_PLAIN_HOST = re.compile(
    rb'<host(?=[\s>])[^<]*<status state="' + _VALUE + rb"[^<]*"
    rb'<address addr="' + _VALUE + rb' addrtype="(ipv4|ipv6)"[^<]*'
    rb'(?:<address addr="[^"<]*" addrtype="mac"[^<]*)?'
    rb'<hostnames>[^<]*(?:<hostname name="' + _VALUE + rb"[^<]*)?</hostnames>[^<]*"
    rb"<ports>[^<]*(?:<extraports [^<]*(?:<extrareasons [^<]*)*</extraports>[^<]*)*</ports>[^<]*"
    rb"(?:<times [^<]*)?</host>\s*(?=<host[\s>]|<hosthint>|<runstats>)"
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
        state, address, _, name = found.groups()
        names = [name.decode().lower()] if name is not None else []
        hosts.append(Host(line, state.decode(), [address.decode().lower()], names, []))
        done = found.end()
    hosts += [None] * len(_HOST.findall(text, done))
    if run >= 0:
        pieces += (text[copied:run], _blank(text, run, done))
        copied = done
    pieces.append(text[copied:])
    return Split(hosts, b"".join(pieces))


def _blank(text: bytes, start: int, end: int) -> bytes:
    """Blanks with the line breaks of text[start:end] and the length of its last line."""
    lines = text.count(b"\n", start, end)
    last = end - text.rfind(b"\n", start, end) - 1 if lines else end - start
    return b"\n" * lines + b" " * last
