"""One item of a compiled list expression, as a checked expression of its own.

A message's placeholders are compiled together, as one list (:mod:`.template`); one of them
is needed alone only when that list fails or a finding's reason reads its tree. It is then
cut out of the list's checked syntax tree, never compiled again from a text kept beside it:
what renders it alone is by construction what the list renders, and a cached catalogue
holds no placeholder text that could disagree with its list (a forged entry's text would
render silently, where a forged program does not deserialise; docs/performance.md).

The list is ``[a, b, …]``, or that list inside the ``cel.bind(params, …)`` that scopes a
text reading ``params`` to its policy (:func:`hdsguard.policies.celenv.scope_to_policy`):
the item keeps that binding. The reference and type maps keep the entries of the item's own
nodes only, so that what is read from its tree (the date, the fields of ``self``) is what
the item reads, not its neighbours.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from hdsguard.policies.protowire import ANY_URL as _ANY_URL
from hdsguard.policies.protowire import ANY_VALUE as _ANY_VALUE
from hdsguard.policies.protowire import CHECKED_EXPR as _EXPR
from hdsguard.policies.protowire import CHECKED_REFERENCES as _REFERENCES
from hdsguard.policies.protowire import CHECKED_TYPES as _TYPES
from hdsguard.policies.protowire import CHECKED_URL as _CHECKED
from hdsguard.policies.protowire import ENTRY_VALUES as _ENTRY_SUBS
from hdsguard.policies.protowire import EXPR_CALL as _CALL
from hdsguard.policies.protowire import EXPR_COMPREHENSION as _COMPREHENSION
from hdsguard.policies.protowire import EXPR_ID as _ID
from hdsguard.policies.protowire import EXPR_LIST as _LIST
from hdsguard.policies.protowire import EXPR_SELECT as _SELECT
from hdsguard.policies.protowire import EXPR_STRUCT as _STRUCT
from hdsguard.policies.protowire import MAX_DEPTH as _MAX_DEPTH
from hdsguard.policies.protowire import STRUCT_ENTRY as _STRUCT_ENTRY
from hdsguard.policies.protowire import varint

_SUBS = {_SELECT: (1,), _CALL: (1, 3), _LIST: (1,), _COMPREHENSION: (2, 4, 5, 6, 7)}
_LIST_OPTIONAL = 2  # CreateList.optional_indices: `[?a]`, never a placeholder list
_ENTRY_ID = 1  # CreateStruct.Entry.id
_RESULT = 7  # Comprehension.result: what a cel.bind gives


Field = tuple[int, int, int | bytes, bytes]  # number, wire type, value, the field's bytes


def item(checked: bytes, position: int) -> bytes:
    """The item at ``position`` of the list that ``checked`` (a serialized checked expression,
    a ``google.protobuf.Any``) evaluates to, serialized the same way. ValueError when it is no
    such list or has no such item."""
    top = _values(checked)
    value = top.get(_ANY_VALUE)
    if top.get(_ANY_URL) != _CHECKED or not isinstance(value, bytes):
        raise ValueError("not a checked expression")
    body = _fields(value)
    roots = [v for number, _wire, v, _raw in body if number == _EXPR]
    if len(roots) != 1 or not isinstance(roots[0], bytes):
        raise ValueError("not one expression")
    binds: list[int] = []
    root, own = _pick(roots[0], position, binds)
    ids: set[int] = set()
    _ids(root, ids, 0)
    types = dict(_entry(v) for n, _w, v, _r in body if n == _TYPES)
    out: list[bytes] = []
    for number, _wire, v, raw in body:
        if number == _EXPR:
            out.append(_field(_EXPR, root))
        elif number not in (_REFERENCES, _TYPES):
            out.append(raw)
        elif (key := _entry(v)[0]) in binds and number == _TYPES and own in types:
            # The binding of params now gives the item, not the list: the item's type.
            out.append(_field(_TYPES, _key(key) + _field(2, types[own])))
        elif key in ids:
            out.append(raw)
    return _field(_ANY_URL, _CHECKED) + _field(_ANY_VALUE, b"".join(out))


def subtree(checked: bytes, expr: bytes) -> bytes:
    """``expr``, a node of the checked expression ``checked`` (both serialized), as a checked
    expression of its own: with the reference and type entries of its own nodes
    (:func:`hdsguard.policies.celtree.alone`). ValueError when ``checked`` is no checked
    expression."""
    rest, entries = _indexed(checked)
    ids: set[int] = set()
    _ids(expr, ids, 0)
    own = b"".join(raw for key in sorted(ids) for raw in entries.get(key, ()))
    body = _field(_EXPR, expr) + own + rest
    return _field(_ANY_URL, _CHECKED) + _field(_ANY_VALUE, body)


@lru_cache(maxsize=16)
def _indexed(checked: bytes) -> tuple[bytes, dict[int, list[bytes]]]:
    """The fields of a checked expression other than its expression and its reference and type
    entries, and those entries by node id: one reading for the many nodes the rule help
    evaluates out of one message's list."""
    top = _values(checked)
    value = top.get(_ANY_VALUE)
    if top.get(_ANY_URL) != _CHECKED or not isinstance(value, bytes):
        raise ValueError("not a checked expression")
    rest: list[bytes] = []
    entries: dict[int, list[bytes]] = {}
    for number, _wire, v, raw in _fields(value):
        if number in (_REFERENCES, _TYPES):
            key = _entry(v)[0]
            if key is not None:
                entries.setdefault(key, []).append(raw)
        elif number != _EXPR:
            rest.append(raw)
    return b"".join(rest), entries


def _pick(expr: bytes, position: int, binds: list[int]) -> tuple[bytes, int]:
    """The item's expression and id: the list's item, or a cel.bind around it whose result it
    is (its id added to ``binds``)."""
    if len(binds) > 1:  # the list, inside at most the binding of params
        raise ValueError("not a list")
    parts = _fields(expr)
    kinds = {number: value for number, _wire, value, _raw in parts if number != _ID}
    node = _values(expr).get(_ID)
    listed, bound = kinds.get(_LIST), kinds.get(_COMPREHENSION)
    if len(kinds) == 1 and isinstance(listed, bytes):
        items = [v for n, _w, v, _r in _fields(listed) if n == 1]
        if any(n == _LIST_OPTIONAL for n, _w, _v, _r in _fields(listed)):
            raise ValueError("a list of optional items")
        if not 0 <= position < len(items) or not isinstance(items[position], bytes):
            raise ValueError("no such item")
        chosen = items[position]
        assert isinstance(chosen, bytes)
        own = _values(chosen).get(_ID)
        return chosen, own if isinstance(own, int) else -1
    if len(kinds) == 1 and isinstance(bound, bytes) and isinstance(node, int):
        binds.append(node)
        inner: list[bytes] = []
        own = -1
        for number, _wire, value, raw in _fields(bound):
            if number == _RESULT and isinstance(value, bytes):
                result, own = _pick(value, position, binds)
                inner.append(_field(_RESULT, result))
            else:
                inner.append(raw)
        wrapped = b"".join(
            _field(_COMPREHENSION, b"".join(inner)) if number == _COMPREHENSION else raw
            for number, _wire, _value, raw in parts
        )
        return wrapped, own
    raise ValueError("not a list")


def _entry(value: int | bytes) -> tuple[int | None, bytes]:
    """A map entry's key and value (``map<int64, …>``: fields 1 and 2)."""
    if not isinstance(value, bytes):
        raise ValueError("not a map entry")
    parts = _values(value)
    key, found = parts.get(1, 0), parts.get(2, b"")
    if not isinstance(key, int) or not isinstance(found, bytes):
        raise ValueError("not a map entry")
    return key, found


def _key(key: int) -> bytes:
    return _varint(1 << 3) + _varint(key)


def _ids(expr: bytes, ids: set[int], depth: int) -> None:
    """The id of every node of ``expr`` (struct entries included)."""
    if depth > _MAX_DEPTH:
        raise ValueError("too deep")
    for number, wire, value, _raw in _fields(expr):
        if number == _ID and wire == 0 and isinstance(value, int):
            ids.add(value)
        elif not isinstance(value, bytes):
            continue
        elif number in _SUBS:
            for sub, _w, inner, _r in _fields(value):
                if sub in _SUBS[number] and isinstance(inner, bytes):
                    _ids(inner, ids, depth + 1)
        elif number == _STRUCT:
            for sub, _w, entry, _r in _fields(value):
                if sub != _STRUCT_ENTRY or not isinstance(entry, bytes):
                    continue
                for part, wire2, inner, _r2 in _fields(entry):
                    if part == _ENTRY_ID and wire2 == 0 and isinstance(inner, int):
                        ids.add(inner)
                    elif part in _ENTRY_SUBS and isinstance(inner, bytes):
                        _ids(inner, ids, depth + 1)


def _fields(data: bytes) -> list[Field]:
    return list(_each(data))


def _values(data: bytes) -> dict[int, int | bytes]:
    return {number: value for number, _wire, value, _raw in _each(data)}


def _each(data: bytes) -> Iterator[Field]:
    """Each field of a protocol-buffer message, with its own bytes (to copy it unchanged)."""
    pos = 0
    while pos < len(data):
        start = pos
        tag, pos = varint(data, pos)
        number, wire = tag >> 3, tag & 7
        value: int | bytes
        if wire == 0:
            value, pos = varint(data, pos)
        elif wire == 2:
            size, pos = varint(data, pos)
            if pos + size > len(data):
                raise ValueError("truncated")
            value = data[pos : pos + size]
            pos += size
        elif wire in (1, 5):
            width = 8 if wire == 1 else 4
            if pos + width > len(data):
                raise ValueError("truncated")
            value = int.from_bytes(data[pos : pos + width], "little")
            pos += width
        else:
            raise ValueError(f"wire type {wire}")
        yield number, wire, value, data[start:pos]


def _field(number: int, value: bytes) -> bytes:
    """A length-delimited field."""
    return _varint(number << 3 | 2) + _varint(len(value)) + value


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)
