"""One item of a compiled list expression, as a checked expression of its own.

A message's placeholders are compiled together, as one list (:mod:`.template`); one of them
is needed alone only when that list fails or a finding's reason reads its tree. It is then
cut out of the list's checked syntax tree, never compiled again from a text kept beside it:
what renders it alone is by construction what the list renders, and a cached catalogue
holds no placeholder text that could disagree with its list (a forged entry's text would
render silently, where a forged program does not deserialise; docs/performance.md).

The list is ``[a, b, …]``, or that list inside the ``cel.bind(params, …)`` that scopes a
text reading ``params`` to its policy (:func:`hdsguard.policies.celenv.scope_to_policy`):
the item keeps that binding. The tree is read as :mod:`.celtree` decodes it; the reference
and type maps keep the entries of the item's own nodes only (:func:`.celtree.ids`), so that
what is read from its tree (the date, the fields of ``self``) is what the item reads, not its
neighbours. A node the rule help evaluates with the params alone is cut out of its tree the
same way (:func:`alone`).
"""

from __future__ import annotations

from functools import lru_cache

from cel_expr_python import cel

from hdsguard.policies.celtree import Node, ids, node_of
from hdsguard.policies.protowire import ANY_URL as _ANY_URL
from hdsguard.policies.protowire import ANY_VALUE as _ANY_VALUE
from hdsguard.policies.protowire import CHECKED_EXPR as _EXPR
from hdsguard.policies.protowire import CHECKED_REFERENCES as _REFERENCES
from hdsguard.policies.protowire import CHECKED_TYPES as _TYPES
from hdsguard.policies.protowire import CHECKED_URL as _CHECKED
from hdsguard.policies.protowire import EXPR_COMPREHENSION as _COMPREHENSION
from hdsguard.policies.protowire import each

_RESULT = 7  # Comprehension.result: what a cel.bind gives


Field = tuple[int, int | bytes, bytes]  # number, value, the field's bytes


def item(checked: bytes, position: int) -> bytes:
    """The item at ``position`` of the list that ``checked`` (a serialized checked expression,
    a ``google.protobuf.Any``) evaluates to, serialized the same way. ValueError when it is no
    such list or has no such item."""
    top = _values(checked)
    value = top.get(_ANY_VALUE)
    if top.get(_ANY_URL) != _CHECKED or not isinstance(value, bytes):
        raise ValueError("not a checked expression")
    body = _fields(value)
    roots = [v for number, v, _raw in body if number == _EXPR]
    if len(roots) != 1 or not isinstance(roots[0], bytes):
        raise ValueError("not one expression")
    binds: list[int] = []
    root, own, kept = _pick(node_of(roots[0], checked), position, binds)
    types = dict(_entry(v) for n, v, _r in body if n == _TYPES)
    out: list[bytes] = []
    for number, v, raw in body:
        if number == _EXPR:
            out.append(_field(_EXPR, root))
        elif number not in (_REFERENCES, _TYPES):
            out.append(raw)
        elif (key := _entry(v)[0]) in binds and number == _TYPES and own in types:
            # The binding of params now gives the item, not the list: the item's type.
            out.append(_field(_TYPES, _key(key) + _field(2, types[own])))
        elif key in kept:
            out.append(raw)
    return _field(_ANY_URL, _CHECKED) + _field(_ANY_VALUE, b"".join(out))


def alone(runtime_env: cel.Env, node: Node) -> cel.Expression:
    """``node`` as a program of its own, cut out of the checked tree it is part of;
    ValueError when it cannot be."""
    if not node.expr or not node.checked:
        raise ValueError("a node of no checked tree")
    try:
        return runtime_env.deserialize(subtree(node))
    except Exception as exc:  # the runtime raises plain RuntimeErrors
        raise ValueError(str(exc)) from None


def subtree(node: Node) -> bytes:
    """``node``, a node of a checked expression (:mod:`.celtree`), as a checked expression of
    its own: with the reference and type entries of its own nodes (:func:`alone`). ValueError
    when its tree is no checked expression."""
    rest, entries = _indexed(node.checked)
    own = b"".join(raw for key in sorted(ids(node)) for raw in entries.get(key, ()))
    body = _field(_EXPR, node.expr) + own + rest
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
    for number, v, raw in _fields(value):
        if number in (_REFERENCES, _TYPES):
            key = _entry(v)[0]
            if key is not None:
                entries.setdefault(key, []).append(raw)
        elif number != _EXPR:
            rest.append(raw)
    return b"".join(rest), entries


def _pick(node: Node, position: int, binds: list[int]) -> tuple[bytes, int, set[int]]:
    """The item's expression, its id and the ids of its nodes: the list's item, or a cel.bind
    around it whose result it is (its id added to ``binds``, its other nodes kept)."""
    if len(binds) > 1:  # the list, inside at most the binding of params
        raise ValueError("not a list")
    if node.kind == "list":
        if node.optional:
            raise ValueError("a list of optional items")
        if not 0 <= position < len(node.children):
            raise ValueError("no such item")
        chosen = node.children[position]
        return chosen.expr, chosen.id or -1, ids(chosen)
    if node.kind == "fold" and node.id:
        binds.append(node.id)
        result, own, kept = _pick(node.children[4], position, binds)
        for part in node.children[:4]:
            kept |= ids(part)
        kept.add(node.id)
        inner = b"".join(
            _field(_RESULT, result) if number == _RESULT else raw
            for number, _value, raw in _fields(_only(node.expr, _COMPREHENSION))
        )
        wrapped = b"".join(
            _field(_COMPREHENSION, inner) if number == _COMPREHENSION else raw
            for number, _value, raw in _fields(node.expr)
        )
        return wrapped, own, kept
    raise ValueError("not a list")


def _only(expr: bytes, number: int) -> bytes:
    value = _values(expr).get(number)
    if not isinstance(value, bytes):
        raise ValueError("not a list")
    return value


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


def _fields(data: bytes) -> list[Field]:
    """Each field of a protocol-buffer message with its own bytes, to copy it unchanged."""
    return [(number, value, data[start:end]) for number, _wire, value, start, end in each(data)]


def _values(data: bytes) -> dict[int, int | bytes]:
    return {number: value for number, _wire, value, _start, _end in each(data)}


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
