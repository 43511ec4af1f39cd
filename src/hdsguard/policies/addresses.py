"""Whether the sources or destinations of firewall rules stand for "any" address (FW-004).

A rule set says "any" in words (`any`, `all`, `0.0.0.0/0`: the spellings FW-004's
`any_values` lists), or with networks whose union is a whole address space: `0.0.0.0/1` and
`128.0.0.0/1`, in one rule (`from: "0.0.0.0/1, 128.0.0.0/1"`) or in two rules that differ
only by their source. A firewall export splits "any" that way more often than one thinks
(route tables and VPN clients do, to win over a default route), and a rule set that allows
the whole Internet through two half-ranges is as open as one that says `any`. The standard
library's :func:`ipaddress.collapse_addresses` merges the networks; IPv4 and IPv6 are each a
whole space (`0.0.0.0/0` is "any" as `::/0` is, as FW-004's default spellings say).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

_ALL_V4 = ipaddress.IPv4Network("0.0.0.0/0")
_ALL_V6 = ipaddress.IPv6Network("::/0")

# What separates the members of a list written in one value: commas, semicolons, spaces.
SEPARATORS = re.compile(r"[,;\s]+")


def covers_any(values: Iterable[object], spellings: Iterable[object]) -> bool:
    """Whether ``values`` (the `from` or `to` of rules), taken together, are every address:
    one of them, or one member of a list written in one of them, is a spelling of "any"
    (``spellings``, ignoring case and surrounding spaces), or the networks and addresses
    they name cover all of IPv4 or all of IPv6. Anything else (a zone name, a host name, a
    malformed network) covers nothing."""
    words = {str(s).strip().lower() for s in spellings}
    v4: list[ipaddress.IPv4Network] = []
    v6: list[ipaddress.IPv6Network] = []
    for value in values:
        text = str(value).strip().lower()
        if text in words:
            return True
        for token in filter(None, SEPARATORS.split(text)):
            if token in words:
                return True
            net = network(token)
            if isinstance(net, ipaddress.IPv4Network):
                v4.append(net)
            elif net is not None:
                v6.append(net)
    whole_v4 = bool(v4) and list(ipaddress.collapse_addresses(v4)) == [_ALL_V4]
    return whole_v4 or (bool(v6) and list(ipaddress.collapse_addresses(v6)) == [_ALL_V6])


def network(token: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        # Not strict: `128.0.0.1/1` is written for 128.0.0.0/1 (host bits set), as firewalls
        # accept it; a netmask (`0.0.0.0/0.0.0.0`) is read too.
        return ipaddress.ip_network(token, strict=False)
    except ValueError:
        return None


def names_addresses(value: object) -> bool:
    """Whether ``value`` (a rule's `from` or `to`) names IP networks or addresses, alone or in
    a list: the rules whose addresses make up a union :func:`covers_any` found whole, as
    opposed to a zone (`dmz`) that adds nothing to it (FW-004 lists the former)."""
    return any(network(t) is not None for t in SEPARATORS.split(str(value).strip().lower()) if t)
