"""Whether several allow rules of a firewall together allow any source to any destination on
every port (FW-004).

One rule `{from: any, to: any, port: any, action: allow}` is the obvious case. Rule sets
export "any" in pieces as often: the ports of one flow split in two ranges (`1-32767` and
`32768-65535`), sources split in two halves of IPv4 (`0.0.0.0/1`, `128.0.0.0/1`, see
:mod:`hdsguard.policies.addresses`), or both at once (a half on every port, the other half
on two port ranges). Each allow rule is a box, sources × destinations × ports; the rules
allow everything when their boxes cover a whole address space (IPv4 or IPv6) of sources,
one of destinations, and ports 1 to 65535. The check is exact: each dimension is cut at the
boundaries of the boxes, and every cell must lie in a box. Rule order and deny rules are not
considered, as for a single any-to-any rule: a deny placed before is one reordering away
from not being there.
"""

from __future__ import annotations

import heapq
import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from hdsguard.policies.addresses import SEPARATORS, network

Interval = tuple[int, int]  # inclusive bounds
Box = tuple[tuple[Interval, ...], ...]

_V4_MAX = 2**32 - 1
_V6_MAX = 2**128 - 1
_PORTS: Interval = (1, 65535)
_DIGITS = re.compile(r"[0-9]+")  # ASCII: re's \d, str.isdigit() and int() read any script's
# Pruning the covering set to the rules it needs costs one coverage test per rule: above
# this many rules, the fewest largest ones that cover are found first (_largest_covering).
_PRUNE_LIMIT = 64


def port_intervals(port: object, spellings: Iterable[object]) -> tuple[Interval, ...]:
    """The ports a rule's `port` allows, within 1-65535: absent or a spelling of "any"
    (``spellings``: `any`, `1-65535`, `0-65535`… ignoring case and spaces) is every port; a
    number, or a range `low-high`, is itself, its ends in either order (`0-65535` is every
    port: port 0 is no destination port). Anything else allows no port this module can count
    on."""
    return _port_intervals(port, {str(s).strip().lower() for s in spellings})


def _port_intervals(port: object, words: set[str]) -> tuple[Interval, ...]:
    """:func:`port_intervals`, the spellings already folded (``words``)."""
    if port is None or isinstance(port, bool):
        return (_PORTS,) if port is None else ()
    text = str(port).strip().lower()
    if text in words:
        return (_PORTS,)
    low_text, sep, high_text = text.partition("-")
    # ASCII digits only: int() reads "４４３" and "٤٤٣" as 443, which the declarations refuse
    # (a located message, RULE_PORT_PATTERN): a port this module counts is one they accept.
    low_ok = _DIGITS.fullmatch(low_text.strip()) is not None
    if not (low_ok and (not sep or _DIGITS.fullmatch(high_text.strip()) is not None)):
        return ()
    low = int(low_text)
    high = int(high_text) if sep else low
    # Written backwards (`65535-1`), a range still names the ports between its ends: read
    # as empty, every port backwards allowed nothing and an any-to-any rule passed.
    low, high = min(low, high), max(low, high)
    low, high = max(low, _PORTS[0]), min(high, _PORTS[1])
    return ((low, high),) if low <= high else ()


def covers_any_port(ports: Iterable[object], spellings: Iterable[object]) -> bool:
    """Whether the `port` values ``ports`` together allow every port 1-65535."""
    words = list(spellings)
    intervals = [i for p in ports for i in port_intervals(p, words)]
    return _covers(intervals, _PORTS)


def _address_intervals(value: object, spellings: set[str]) -> dict[int, tuple[Interval, ...]]:
    """The addresses a rule's `from` or `to` names, per IP version (4, 6): a spelling of
    "any" is both whole spaces; networks and addresses are themselves; a zone or host name
    is nothing this module can count on."""
    text = str(value).strip().lower()
    found: dict[int, list[Interval]] = {4: [], 6: []}
    tokens = list(filter(None, SEPARATORS.split(text)))
    if text in spellings or any(token in spellings for token in tokens):
        return {4: ((0, _V4_MAX),), 6: ((0, _V6_MAX),)}
    for token in tokens:
        named = _network_interval(token)
        if named is not None:
            found[named[0]].append(named[1])
    return {v: tuple(found[v]) for v in (4, 6)}


# An IPv4 address or network as ipaddress reads it, octets and prefix length written without
# leading zeros (anything else goes to ipaddress: `010.0.0.1`, a netmask, an IPv6 address).
_OCTET = "(0|[1-9][0-9]{0,2})"
_IPV4 = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}(?:/(0|[1-9][0-9]?))?")


@lru_cache(maxsize=8192)
def _network_interval(token: str) -> tuple[int, Interval] | None:
    """(IP version, addresses) of a network or address, None for anything else. Cached: a
    rule set names the same zones, hosts and networks in many rules, and parsing one with
    :mod:`ipaddress` costs ≈ 13 µs (a firewall of 5,000 rules: 0.1 s)."""
    if "." not in token and ":" not in token:
        return None  # neither an IPv4 (dotted) nor an IPv6 (colons) address: a name
    quick = _IPV4.fullmatch(token)
    if quick is not None:  # the usual `10.1.2.0/24`, read without ipaddress (≈ 10x faster)
        *octets, prefix = quick.groups()
        values = [int(o) for o in octets]
        length = 32 if prefix is None else int(prefix)
        if max(values) <= 255 and length <= 32:
            address = (values[0] << 24) | (values[1] << 16) | (values[2] << 8) | values[3]
            host = (1 << (32 - length)) - 1
            return 4, (address & ~host & _V4_MAX, (address & ~host & _V4_MAX) | host)
    net = network(token)
    if net is None:
        return None
    version = 4 if isinstance(net, ipaddress.IPv4Network) else 6
    return version, (int(net.network_address), int(net.broadcast_address))


def _covers(intervals: Sequence[Interval], whole: Interval) -> bool:
    """Whether the union of ``intervals`` contains ``whole``."""
    reach = whole[0]
    for low, high in sorted(intervals):
        if low > reach:
            return False
        reach = max(reach, high + 1)
        if reach > whole[1]:
            return True
    return reach > whole[1]


def _covers_boxes(boxes: Sequence[Box], whole: Sequence[Interval]) -> bool:
    """Whether the union of ``boxes`` contains the box ``whole``: the first dimension is cut
    where a box starts or ends, and the boxes holding each piece must cover the rest. The
    cuts are swept in order, the boxes holding the current one kept as they start and end:
    finding them anew at each cut made a firewall of 5,000 rules quadratic (25 M tests)."""
    if len(whole) == 1:
        return _covers([i for box in boxes for i in box[0]], whole[0])
    low, high = whole[0]
    # Each interval of each box on the first dimension that reaches `whole`, by its start.
    spans = sorted(
        (a, b, k) for k, box in enumerate(boxes) for a, b in box[0] if a <= high and b >= low
    )
    cuts = sorted(
        {low}
        | {a for a, _, _ in spans if low < a <= high}
        | {b + 1 for _, b, _ in spans if low <= b < high}
    )
    holding: dict[int, int] = {}  # box -> how many of its intervals hold the current cut
    ends: list[tuple[int, int]] = []  # (last point, box) of those intervals: a heap
    started = 0
    for cut in cuts:
        while started < len(spans) and spans[started][0] <= cut:
            _, b, k = spans[started]
            started += 1
            if b >= cut:
                holding[k] = holding.get(k, 0) + 1
                heapq.heappush(ends, (b, k))
        while ends and ends[0][0] < cut:
            _, k = heapq.heappop(ends)
            holding[k] -= 1
            if not holding[k]:
                del holding[k]
        if not holding or not _covers_boxes([boxes[k][1:] for k in sorted(holding)], whole[1:]):
            return False
    return True


# An allow rule as boxes: (its position, sources and destinations per IP version, ports).
_Allowed = tuple[int, dict[int, tuple[Interval, ...]], dict[int, tuple[Interval, ...]],
                 tuple[Interval, ...]]  # fmt: skip


def _allowed(
    rules: Sequence[object],
    any_values: Iterable[object],
    any_ports: Iterable[object],
    any_sources: Iterable[object] = (),
) -> list[_Allowed]:
    """The allow rules of ``rules`` that allow some port, each read once; ``any_sources``:
    more spellings read as every address in `from` only (the Internet's, FW-004)."""
    words = {str(s).strip().lower() for s in any_values}
    source_words = words | {str(s).strip().lower() for s in any_sources}
    port_words = {str(s).strip().lower() for s in any_ports}
    allowed: list[_Allowed] = []
    for index, rule in enumerate(rules):
        if not isinstance(rule, Mapping) or rule.get("action") != "allow":
            continue
        ports = _port_intervals(rule.get("port"), port_words)
        if ports:
            sources = _address_intervals(rule.get("from", ""), source_words)
            targets = _address_intervals(rule.get("to", ""), words)
            allowed.append((index, sources, targets, ports))
    return allowed


def _every_address(named: dict[int, tuple[Interval, ...]]) -> bool:
    return _covers(named[4], (0, _V4_MAX)) or _covers(named[6], (0, _V6_MAX))


def _alone(allowed: Sequence[_Allowed]) -> list[int]:
    return [
        index
        for index, sources, targets, ports in allowed
        if _every_address(sources) and _every_address(targets) and _covers(ports, _PORTS)
    ]


def any_to_any_alone(
    rules: Sequence[object], any_values: Iterable[object], any_ports: Iterable[object]
) -> list[int]:
    """The positions in ``rules`` of the allow rules that each allow any source to any
    destination on any port by themselves: `from` and `to` every address (as
    :func:`hdsguard.policies.addresses.covers_any` reads them), `port` absent or every port
    (:func:`covers_any_port`). One call per firewall, where a CEL filter called a helper for
    each side of each rule, converting the lists of spellings every time (cel-expr-python
    0.1.3 leaks what it converts)."""
    return _alone(_allowed(rules, any_values, any_ports))


def any_to_any(
    rules: Sequence[object], any_values: Iterable[object], any_ports: Iterable[object]
) -> dict[str, Any]:
    """Whether the allow rules of ``rules`` together allow any source to any destination on
    every port, none of them doing so alone (FW-004's single-rule check says that one).

    Returns ``{"rules": [indices], "covering": [parts]}``: the positions in ``rules`` of
    allow rules that together do (a rule the others cover without it is left out), and the
    parts of the rules that are pieces of a whole, in the order "sources", "destinations",
    "ports"; ``{"rules": [], "covering": []}`` when they do not."""
    return _together(_allowed(rules, any_values, any_ports))


def analyse(
    rules: Sequence[object], any_values: Iterable[object], any_ports: Iterable[object]
) -> tuple[list[int], dict[str, Any]]:
    """Both answers, from one reading of the rules: :func:`any_to_any_alone`'s and
    :func:`any_to_any`'s."""
    allowed = _allowed(rules, any_values, any_ports)
    return _alone(allowed), _together(allowed)


def from_internet(
    rules: Sequence[object],
    internet_values: Iterable[object],
    any_values: Iterable[object],
    any_ports: Iterable[object],
    plain: tuple[list[int], dict[str, Any]] | None = None,
) -> list[int]:
    """The positions of the allow rules from the Internet (`from` one of ``internet_values``:
    internet, wan, outside…) to any destination on every port, alone or together as
    :func:`any_to_any` reads them, the Internet counted as every source. The Internet is
    only a source here: `to: internet` (outbound browsing) is not any destination. Rules
    the any-to-any checks already name are left out, so none is reported twice.

    ``plain``: :func:`analyse`'s answer for the same rules, when the caller has it (FW-004
    computes it once per firewall for its other checks): a 5,000-rule set read three times
    instead of twice took twice as long."""
    words = {str(s).strip().lower() for s in internet_values}
    if not any(_from_internet(rule, words) for rule in rules):
        return []  # no Internet source: the any-to-any checks have said everything
    alone, together = plain if plain is not None else analyse(rules, any_values, any_ports)
    wide = _allowed(rules, any_values, any_ports, words)
    named = set(alone)
    found = [i for i in _alone(wide) if i not in named]
    if found or named or together["rules"]:
        # Any-to-any already fails the firewall: a covering its rules make up with the
        # Internet's is theirs to report; an Internet rule that does so alone is added.
        return found
    return list(_together(wide)["rules"])


def internet_every_port(
    rules: Sequence[object],
    internet_values: Iterable[object],
    any_values: Iterable[object],
    any_ports: Iterable[object],
    facing: bool,
) -> list[int]:
    """The positions of the allow rules from the Internet to one named destination (a zone,
    a network, a host) that allow it every port, alone or with the other Internet rules to
    the same destination (`1-32767` and `32768-65535`). On a firewall that faces the Internet
    (``facing``), a source spelt "any" includes it, and so do networks that together make up
    every address (`0.0.0.0/1` and `128.0.0.0/1`: they passed, the examiner, twenty-second
    session). A destination spelt "any" is the other checks' (any-to-any,
    :func:`from_internet`), one spelt "internet" is no inbound flow, and a blank or
    placeholder one is :func:`hdsguard.policies.celenv` ``rules_not_stated``'s. A rule the
    others cover without it (`443` beside `any`) is left out."""
    from hdsguard.policies.placeholders import is_placeholder

    words = {str(s).strip().lower() for s in internet_values}
    anywhere = {str(s).strip().lower() for s in any_values}
    port_words = {str(s).strip().lower() for s in any_ports}
    every: dict[int, tuple[Interval, ...]] = {4: ((0, _V4_MAX),), 6: ((0, _V6_MAX),)}
    # (position, rule, ports, from the Internet) per destination; the sources are read only
    # for a destination whose rules make up every port (most name one port: 5,000 rules to
    # 5,000 hosts read 5,000 sources for nothing).
    # Facing the Internet, any source may be one: whether it is the Internet's spelling is
    # read for those destinations only too.
    by_destination: dict[str, list[tuple[int, Mapping[str, Any], tuple[Interval, ...], bool]]]
    by_destination = {}
    for index, rule in enumerate(rules):
        if not isinstance(rule, Mapping) or rule.get("action") != "allow":
            continue
        inbound = not facing and _from_internet(rule, words)
        if not (inbound or facing):
            continue
        to = rule.get("to")
        text = str(to).strip().lower() if isinstance(to, str) else ""
        if not text or is_placeholder(text) or text in words or text in anywhere:
            continue
        ports = _port_intervals(rule.get("port"), port_words)
        if ports:
            by_destination.setdefault(text, []).append((index, rule, ports, inbound))
    found: set[int] = set()
    for entries in by_destination.values():
        if not _covers([part for *_, ports, _ in entries for part in ports], _PORTS):
            continue
        boxes: dict[int, dict[int, Box]] = {4: {}, 6: {}}
        for index, rule, ports, inbound in entries:
            if inbound or _from_internet(rule, words):
                sources = every
            else:
                sources = _address_intervals(rule.get("from", ""), anywhere)
            for version in (4, 6):
                if sources[version]:
                    boxes[version][index] = (sources[version], ports)
        for version in (4, 6):
            whole = (every[version][0], _PORTS)
            if _covers_boxes(list(boxes[version].values()), whole):
                found.update(_needed(boxes[version], whole))
    return sorted(found)


def _needed(boxes: Mapping[int, Box], whole: Sequence[Interval]) -> list[int]:
    """The rules of ``boxes`` (which cover ``whole``) that the others do not make useless
    (:func:`_together` and :func:`internet_every_port` name only those)."""
    needed = dict(boxes) if len(boxes) <= _PRUNE_LIMIT else _largest_covering(boxes, whole)
    if len(needed) <= _PRUNE_LIMIT:
        for i in list(needed):
            if _covers_boxes([b for j, b in needed.items() if j != i], whole):
                del needed[i]
    return list(needed)


def _mapping(rule: object) -> Mapping[str, Any]:
    return rule if isinstance(rule, Mapping) else {}


def _from_internet(rule: object, words: set[str]) -> bool:
    """Whether ``rule`` allows traffic whose `from` names one of ``words``, as
    :func:`_address_intervals` reads a spelling (the whole value, or one of its items)."""
    if not isinstance(rule, Mapping) or rule.get("action") != "allow":
        return False
    text = str(rule.get("from", "")).strip().lower()
    return text in words or any(token in words for token in SEPARATORS.split(text) if token)


def _largest_covering(boxes: Mapping[int, Box], whole: Sequence[Interval]) -> dict[int, Box]:
    """The fewest of ``boxes`` (which cover ``whole``), largest first, that still cover it:
    a rule set of thousands of rules made whole by two halves of IPv4 named the 700 allow
    rules between networks beside them (a 48 KB message), where the halves do it. Covering
    only grows as boxes are added, so the count is found by halving (a dozen tests)."""
    order = sorted(boxes, key=lambda i: (-_volume(boxes[i]), i))
    low, high = 1, len(order)  # the whole list covers
    while low < high:
        middle = (low + high) // 2
        if _covers_boxes([boxes[i] for i in order[:middle]], whole):
            high = middle
        else:
            low = middle + 1
    return {i: boxes[i] for i in sorted(order[:low])}


def _volume(box: Box) -> int:
    """How many (source, destination, port) points a box holds (overlaps counted twice)."""
    size = 1
    for intervals in box:
        size *= sum(b - a + 1 for a, b in intervals)
    return size


def _together(allowed: Sequence[_Allowed]) -> dict[str, Any]:
    for src_v in (4, 6):
        for dst_v in (4, 6):
            whole = ((0, _V4_MAX if src_v == 4 else _V6_MAX),
                     (0, _V4_MAX if dst_v == 4 else _V6_MAX), _PORTS)  # fmt: skip
            boxes = {i: (s[src_v], d[dst_v], p) for i, s, d, p in allowed if s[src_v] and d[dst_v]}
            if any(all(_covers(box[k], whole[k]) for k in range(3)) for box in boxes.values()):
                return {"rules": [], "covering": []}  # one rule alone: the other check's
            if not _covers_boxes(list(boxes.values()), whole):
                continue
            needed = _needed(boxes, whole)
            parts = [
                name
                for k, name in enumerate(("sources", "destinations", "ports"))
                if not all(_covers(boxes[i][k], whole[k]) for i in needed)
            ]
            return {"rules": sorted(needed), "covering": parts}
    return {"rules": [], "covering": []}
