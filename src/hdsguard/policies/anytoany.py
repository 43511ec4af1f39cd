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

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from hdsguard.policies.addresses import SEPARATORS, covers_any, network

Interval = tuple[int, int]  # inclusive bounds
Box = tuple[tuple[Interval, ...], ...]

_V4_MAX = 2**32 - 1
_V6_MAX = 2**128 - 1
_PORTS: Interval = (1, 65535)
# Pruning the covering set to the rules it needs costs one coverage test per rule: above
# this many rules, all the contributing rules are listed.
_PRUNE_LIMIT = 64


def port_intervals(port: object, spellings: Iterable[object]) -> tuple[Interval, ...]:
    """The ports a rule's `port` allows, within 1-65535: absent or a spelling of "any"
    (``spellings``: `any`, `1-65535`, `0-65535`… ignoring case and spaces) is every port; a
    number, or a range `low-high`, is itself (`0-65535` is every port: port 0 is no
    destination port). Anything else allows no port this module can count on."""
    if port is None or isinstance(port, bool):
        return (_PORTS,) if port is None else ()
    text = str(port).strip().lower()
    if text in {str(s).strip().lower() for s in spellings}:
        return (_PORTS,)
    low_text, sep, high_text = text.partition("-")
    if not (low_text.strip().isdigit() and (not sep or high_text.strip().isdigit())):
        return ()
    low = int(low_text)
    high = int(high_text) if sep else low
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
    for token in [text, *filter(None, SEPARATORS.split(text))]:
        if token in spellings:
            return {4: ((0, _V4_MAX),), 6: ((0, _V6_MAX),)}
    for token in filter(None, SEPARATORS.split(text)):
        net = network(token)
        if net is not None:
            version = 4 if isinstance(net, ipaddress.IPv4Network) else 6
            found[version].append((int(net.network_address), int(net.broadcast_address)))
    return {v: tuple(found[v]) for v in (4, 6)}


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
    where a box starts or ends, and the boxes holding each piece must cover the rest."""
    if len(whole) == 1:
        return _covers([i for box in boxes for i in box[0]], whole[0])
    low, high = whole[0]
    cuts = sorted(
        {low}
        | {a for box in boxes for a, _ in box[0] if low < a <= high}
        | {b + 1 for box in boxes for _, b in box[0] if low <= b < high}
    )
    for cut in cuts:
        holding = [box[1:] for box in boxes if any(a <= cut <= b for a, b in box[0])]
        if not holding or not _covers_boxes(holding, whole[1:]):
            return False
    return True


def any_to_any_alone(
    rules: Sequence[object], any_values: Iterable[object], any_ports: Iterable[object]
) -> list[int]:
    """The positions in ``rules`` of the allow rules that each allow any source to any
    destination on any port by themselves: `from` and `to` every address
    (:func:`hdsguard.policies.addresses.covers_any`), `port` absent or every port. One call
    per firewall, where a CEL filter called a helper for each side of each rule, converting
    the lists of spellings every time (cel-expr-python 0.1.3 leaks what it converts)."""
    spellings, port_words = list(any_values), list(any_ports)
    return [
        index
        for index, rule in enumerate(rules)
        if isinstance(rule, Mapping)
        and rule.get("action") == "allow"
        and covers_any([rule.get("from", "")], spellings)
        and covers_any([rule.get("to", "")], spellings)
        and covers_any_port([rule.get("port", "any")], port_words)
    ]


def any_to_any(
    rules: Sequence[Mapping[str, Any]], any_values: Iterable[object], any_ports: Iterable[object]
) -> dict[str, Any]:
    """Whether the allow rules of ``rules`` together allow any source to any destination on
    every port, none of them doing so alone (FW-004's single-rule check says that one).

    Returns ``{"rules": [indices], "covering": [parts]}``: the positions in ``rules`` of
    allow rules that together do (a rule the others cover without it is left out), and the
    parts of the rules that are pieces of a whole, in the order "sources", "destinations",
    "ports"; ``{"rules": [], "covering": []}`` when they do not."""
    words = {str(s).strip().lower() for s in any_values}
    port_words = list(any_ports)
    allowed: list[tuple[int, dict[int, tuple[Interval, ...]], dict[int, tuple[Interval, ...]],
                        tuple[Interval, ...]]] = []  # fmt: skip
    for index, rule in enumerate(rules):
        if not isinstance(rule, Mapping) or rule.get("action") != "allow":
            continue
        ports = port_intervals(rule.get("port"), port_words)
        if ports:
            sources = _address_intervals(rule.get("from", ""), words)
            targets = _address_intervals(rule.get("to", ""), words)
            allowed.append((index, sources, targets, ports))
    for src_v in (4, 6):
        for dst_v in (4, 6):
            whole = ((0, _V4_MAX if src_v == 4 else _V6_MAX),
                     (0, _V4_MAX if dst_v == 4 else _V6_MAX), _PORTS)  # fmt: skip
            boxes = {i: (s[src_v], d[dst_v], p) for i, s, d, p in allowed if s[src_v] and d[dst_v]}
            if any(all(_covers(box[k], whole[k]) for k in range(3)) for box in boxes.values()):
                return {"rules": [], "covering": []}  # one rule alone: the other check's
            if not _covers_boxes(list(boxes.values()), whole):
                continue
            needed = dict(boxes)
            if len(needed) <= _PRUNE_LIMIT:
                for i in list(needed):
                    others = [b for j, b in needed.items() if j != i]
                    if _covers_boxes(others, whole):
                        del needed[i]
            parts = [
                name
                for k, name in enumerate(("sources", "destinations", "ports"))
                if not all(_covers(box[k], whole[k]) for box in needed.values())
            ]
            return {"rules": sorted(needed), "covering": parts}
    return {"rules": [], "covering": []}
