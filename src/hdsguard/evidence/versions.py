"""Comparing an observed software version (what nmap -sV reports) with the declared one.

Versions are compared by :class:`packaging.version.Version` when both parse as such
(``2.4.49`` < ``2.4.51``, ``1.0rc1`` < ``1.0``). Otherwise (OpenSSH's ``8.9p1``, a distribution's
``8.9p1 Ubuntu 3ubuntu0.10``, Apache's ``2.4.41 (Ubuntu)``) by the upstream version at the start
of each: its dotted numbers compared as numbers (missing ones count as 0), then a letter suffix
glued to them (``p1``) when both have the same letters, by its number (single letters alone,
OpenSSL's ``1.1.1w``, alphabetically). What follows the
upstream version (a vendor's build or package revision) is not compared; when both sides have
such a rest and they differ, or the suffixes' letters differ, or one side has none, the versions
are "not comparable" (a vendor's patched build is neither older nor newer than upstream's).
"""

from __future__ import annotations

import re

OLDER, SAME, NEWER, NOT_COMPARABLE = "older", "same", "newer", "not comparable"
# The upstream version: dotted numbers, then letters and a number glued to them (8.9p1, 1.1.1w).
_UPSTREAM = re.compile(r"(\d+(?:\.\d+)*)([a-z]+)?(\d*)", re.IGNORECASE)


def version_order(observed: str, declared: str) -> str:
    """How ``observed`` compares with ``declared``: older, same, newer or not comparable."""
    a, b = _clean(observed), _clean(declared)
    if not a or not b:
        return NOT_COMPARABLE
    ordered = _pep440(a, b)
    return ordered if ordered is not None else _dotted(a, b)


def _clean(text: str) -> str:
    text = text.strip()
    return text[1:] if text[:1] in ("v", "V") and text[1:2].isdigit() else text


def _pep440(a: str, b: str) -> str | None:
    from packaging.version import InvalidVersion, Version

    try:
        left, right = Version(a), Version(b)
    except InvalidVersion:
        return None
    return _sign((left > right) - (left < right))


def _dotted(a: str, b: str) -> str:
    left, right = _UPSTREAM.match(a), _UPSTREAM.match(b)
    if left is None or right is None:
        return NOT_COMPARABLE
    numbers = [tuple(int(n) for n in m.group(1).split(".")) for m in (left, right)]
    width = max(map(len, numbers))
    x, y = (n + (0,) * (width - len(n)) for n in numbers)
    if x != y:
        return _sign((x > y) - (x < y))
    letters = (left.group(2) or "").lower(), (right.group(2) or "").lower()
    digits = left.group(3), right.group(3)
    if all(letters) and not any(digits) and len(letters[0]) == len(letters[1]) == 1:
        if letters[0] != letters[1]:  # OpenSSL's letter releases: 1.1.1t < 1.1.1w
            return _sign((letters[0] > letters[1]) - (letters[0] < letters[1]))
    elif letters[0] != letters[1]:
        return NOT_COMPARABLE  # 8.9 against 8.9p1, 1.0a against 1.0b1: no order to trust
    elif letters[0]:
        p, q = int(digits[0] or 0), int(digits[1] or 0)
        if p != q:
            return _sign((p > q) - (p < q))
    rests = a[left.end() :].strip(), b[right.end() :].strip()
    return SAME if not all(rests) or rests[0] == rests[1] else NOT_COMPARABLE


def _sign(value: int) -> str:
    return OLDER if value < 0 else NEWER if value > 0 else SAME
