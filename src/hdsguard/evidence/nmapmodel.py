"""What an nmap scan holds for hdsguard: hosts, their ports, the scan's date and ranges (read
by :mod:`hdsguard.evidence.nmap` and :mod:`hdsguard.evidence.nmapsplit`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(slots=True)
class Port:
    port: int
    protocol: str
    state: str
    line: int
    service: str = ""
    product: str = ""
    version: str = ""
    # PEM blocks nmap's ssl-cert script printed for this port: (line of the block, text).
    certificates: list[tuple[int, str]] = field(default_factory=list)
    # How -sV reached the service ("ssl": through TLS; "": directly) and how nmap named it
    # ("probed": from its answers; "table": from the port number alone).
    tunnel: str = ""
    method: str = ""
    # The protocol versions nmap's ssl-enum-ciphers script saw the server accept ("TLSv1.0",
    # "SSLv3"…), in the order it printed them.
    tls_versions: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Folded:
    """An `<extraports>` of a state nmap could not tell from open (`open|filtered`: no answer,
    as an open UDP service that ignores nmap's probe gives): ``count`` ports, ``listed`` of
    them named by its `<extrareasons ports>` (nmap 7.90 and later), per protocol in
    ``ranges``. The ports of one not fully listed are all undecided (docs/evidence.md)."""

    count: int
    listed: int = 0
    ranges: dict[str, list[tuple[int, int]]] = field(default_factory=dict)


@dataclass(slots=True)
class Host:
    line: int
    state: str = ""
    addresses: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    ports: list[Port] = field(default_factory=list)
    # Port counts nmap folded into an `<extraports>` whose state may be open (open|filtered).
    folded: list[Folded] = field(default_factory=list)
    # nmap gave up on the host (`<host timedout="true">`, --host-timeout): its ports were not
    # all probed, so none counts as covered (what it did list open was still seen open).
    timedout: bool = False
    # The names of ``names`` nmap had from reverse DNS only (`<hostname type="PTR">`, not also
    # the name scanned, type "user"): a match on one of them rests on a PTR record, which
    # findings say (evidence/ptr.py).
    ptr: list[str] = field(default_factory=list)


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
    # Line and column of <nmaprun>, whose `start` dates the scan: where a date is refused.
    at: tuple[int, int] = (1, 1)
