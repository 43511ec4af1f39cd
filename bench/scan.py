"""Generate an nmap XML scan (``-oX`` format) of N hosts, for the evidence benchmark.

    python bench/scan.py 10000 OUT_DIR [--open-every K]

Each host ``host-N.bench.example`` (198.18.x.y, a benchmarking range) has 443 open (nginx
1.26.2, as ``-sV`` reports it) and 22 filtered; the sidecar declares an external vantage point.
With ``--open-every K`` only every K-th host has 443 open, the others both ports filtered (a
sweep of a network where few hosts expose anything: the scan's size without one finding per
host).
"""

from __future__ import annotations

import sys
from pathlib import Path

START = 1795158725  # 2026-11-20 07:12:05 UTC

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<?xml-stylesheet href="file:///usr/bin/../share/nmap/nmap.xsl" type="text/xsl"?>
<nmaprun scanner="nmap" args="nmap -sT -sV -Pn -p 22,443 -oX scan.xml -iL hosts.txt" \
start="{start}" startstr="Fri Nov 20 07:12:05 2026" version="7.93" xmloutputversion="1.05">
<scaninfo type="connect" protocol="tcp" numservices="2" services="22,443"/>
<verbose level="0"/>
<debugging level="0"/>
"""
# A host as nmap -sV writes it: what every host has around its ports.
_HOST_HEAD = """<host starttime="{start}" endtime="{start}"><status state="up" reason="user-set" \
reason_ttl="0"/>
<address addr="198.18.{a}.{b}" addrtype="ipv4"/>
<hostnames>
<hostname name="host-{i}.bench.example" type="user"/>
</hostnames>
<ports>"""
_HOST_TAIL = """</ports>
<times srtt="11034" rttvar="2107" to="100000"/>
</host>
"""
HOST = (
    _HOST_HEAD
    + """<extraports state="filtered" count="1">
<extrareasons reason="no-response" count="1" proto="tcp" ports="22"/>
</extraports>
<port protocol="tcp" portid="443"><state state="open" reason="syn-ack" reason_ttl="0"/>\
<service name="https" product="nginx" version="1.26.2" tunnel="ssl" method="probed" conf="10">\
<cpe>cpe:/a:igor_sysoev:nginx:1.26.2</cpe></service></port>
"""
    + _HOST_TAIL
)
CLOSED = (
    _HOST_HEAD
    + """<extraports state="filtered" count="2">
<extrareasons reason="no-response" count="2" proto="tcp" ports="22,443"/>
</extraports>
"""
    + _HOST_TAIL
)
TAIL = """<runstats><finished time="{start}" timestr="Fri Nov 20 07:13:41 2026" summary="Nmap \
done" elapsed="96.12" exit="success"/><hosts up="{n}" down="0" total="{n}"/>
</runstats>
</nmaprun>
"""


def scan(n: int, open_every: int = 1) -> str:
    hosts = (
        (HOST if i % open_every == 0 else CLOSED).format(
            start=START, a=i // 250, b=i % 250 + 1, i=i
        )
        for i in range(n)
    )
    return HEAD.format(start=START) + "".join(hosts) + TAIL.format(start=START, n=n)


def main(argv: list[str]) -> None:
    n, out = int(argv[0]), Path(argv[1])
    open_every = int(argv[3]) if argv[2:3] == ["--open-every"] else 1
    out.mkdir(parents=True, exist_ok=True)
    (out / "scan.xml").write_text(scan(n, open_every), encoding="utf-8")
    (out / "scan.xml.evidence").write_text("vantage: external\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
