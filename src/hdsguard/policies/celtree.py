"""A compiled expression's checked syntax tree as nodes: the one decoder of it.

Every reader of a checked expression reads it here, from its serialized form
(:mod:`.protowire`), never from the text, which a second parser would have to read as the
runtime does: :mod:`.rulehelp` words a rule's remediation from the tree the runtime checked
when the policy loaded (the placeholder's own program, or its item of the message's list,
:mod:`.template`); :mod:`.selffields` follows the paths of ``self`` its nodes read;
:mod:`.listpart` cuts one item, or one node, out of it with the reference and type entries of
its nodes (:func:`ids`); :mod:`.locality` reads its reference map (:func:`references`). A node
that reads only ``params`` is evaluated alone (:func:`hdsguard.policies.listpart.alone`),
never compiled again from a text.

The macros are already expanded there: ``list.map(x, …)``, ``exists``, ``cel.bind`` are
comprehensions (kind ``fold``); ``has(self.a)`` is a call of ``has``; ``self.?a`` is an optional
select. The ``cel.bind(params, params["ID"], …)`` that scopes a text reading ``params`` to its
policy (:func:`hdsguard.policies.celenv.scope_to_policy`) is unwrapped by :func:`tree`:
``params`` then reads the policy's own parameters.
"""

from __future__ import annotations

import functools
import re
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from hdsguard.policies.protowire import (
    ANY_URL,
    ANY_VALUE,
    CHECKED_EXPR,
    CHECKED_REFERENCES,
    CHECKED_URL,
    EXPR_CALL,
    EXPR_COMPREHENSION,
    EXPR_CONST,
    EXPR_ID,
    EXPR_IDENT,
    EXPR_LIST,
    EXPR_SELECT,
    EXPR_STRUCT,
    MAX_DEPTH,
    STRUCT_ENTRY,
    fields,
    first,
)

# The functions the parser names its operators with, as the source writes them.
_OPERATORS = {
    "_&&_": "&&", "_||_": "||", "_==_": "==", "_!=_": "!=", "_<_": "<", "_<=_": "<=",
    "_>_": ">", "_>=_": ">=", "_+_": "+", "_-_": "-", "_*_": "*", "_/_": "/", "_%_": "%",
    "@in": "in",
}  # fmt: skip
# Constant (syntax.proto): its fields by kind.
_NULL, _BOOL, _INT, _UINT, _DOUBLE, _STRING, _BYTES = 1, 2, 3, 4, 5, 6, 7
# Comprehension: iter_var, iter_range, accu_var, accu_init, loop_condition, loop_step, result.
_FOLD_PARTS = (2, 4, 5, 6, 7)
_LIST_OPTIONAL = 2  # CreateList.optional_indices: `[?a]`
_ENTRY_ID = 1  # CreateStruct.Entry.id


@dataclass(frozen=True, slots=True)
class Node:
    """``kind``: lit, ident, select (``optional`` for ``.?``), call (``target`` for a
    method), cond, op (binary ``name``), not, neg, list (``optional`` when it has optional
    items, ``[?a]``), map, index (``optional`` for ``[?k]``), fold (a comprehension: ``name``
    its item variable, ``value`` its accumulator, ``children`` its range, initial value,
    condition, step and result). ``id`` is the node's id in the checked tree (0 for a node
    :mod:`.rulehelp` built or a part a comprehension leaves out), ``other_ids`` those of the
    pieces of its expression that are no node here (a map's entries, the field name of an
    optional select). ``expr`` is the node's serialized ``cel.expr.Expr`` and ``checked`` the
    serialized checked expression it is part of (empty for a node :mod:`.rulehelp` built)."""

    kind: str
    name: str = ""
    value: object = None
    args: tuple[Node, ...] = ()
    target: Node | None = None
    optional: bool = False
    children: tuple[Node, ...] = field(default=())
    id: int = 0
    other_ids: tuple[int, ...] = ()
    expr: bytes = field(default=b"", repr=False)
    checked: bytes = field(default=b"", repr=False)


def tree(expression: Any) -> Node:
    """The root of ``expression``'s checked tree (a ``cel.Expression``, or what serializes as
    one), the binding of ``params`` to its policy unwrapped; ValueError when it cannot be
    decoded."""
    node = decode(expression.serialize())
    if node.kind == "fold" and node.value == "params" and _scoping(node):
        return node.children[4]
    return node


def decode(checked: bytes) -> Node:
    """The root of the checked expression ``checked`` (a serialized ``google.protobuf.Any``),
    as the runtime wrote it; ValueError when it cannot be decoded."""
    body = first(checked, ANY_VALUE)
    root = first(body, CHECKED_EXPR) if body is not None else None
    if root is None:
        raise ValueError("not a checked expression")
    return node_of(root, checked)


def node_of(expr: bytes, checked: bytes) -> Node:
    """The node of ``expr``, a serialized ``cel.expr.Expr`` of the checked expression
    ``checked``."""
    return _node(expr, checked, 0)


def _scoping(fold: Node) -> bool:
    """Whether ``fold`` is the ``cel.bind(params, params["ID"], …)`` of scope_to_policy."""
    items, init = fold.children[0], fold.children[1]
    return (
        items.kind == "list"
        and not items.children
        and init.kind == "index"
        and init.children[0].kind == "ident"
        and init.children[0].name == "params"
    )


def _node(expr: bytes, checked: bytes, depth: int) -> Node:
    if depth > MAX_DEPTH:
        raise ValueError("too deep")
    node_id = 0
    for number, body in fields(expr):
        if not isinstance(body, bytes):
            if number == EXPR_ID and isinstance(body, int):
                node_id = body
            continue
        if number == EXPR_CONST:
            return Node("lit", value=_constant(body), id=node_id, expr=expr, checked=checked)
        if number == EXPR_IDENT:
            return Node("ident", name=_text(body, 1), id=node_id, expr=expr, checked=checked)
        if number == EXPR_SELECT:
            return _select(body, node_id, expr, checked, depth)
        if number == EXPR_CALL:
            return _call(body, node_id, expr, checked, depth)
        if number == EXPR_LIST:
            items = _subs(body, (1,), checked, depth)
            optional = any(n == _LIST_OPTIONAL for n, _v in fields(body))
            return Node(
                "list", children=items, optional=optional, id=node_id, expr=expr, checked=checked
            )
        if number == EXPR_STRUCT:
            return _struct(body, node_id, expr, checked, depth)
        if number == EXPR_COMPREHENSION:
            parts = _subs(body, _FOLD_PARTS, checked, depth, ordered=True)
            names = (_text(body, 1), _text(body, 3))
            return Node(
                "fold",
                name=names[0],
                value=names[1],
                children=parts,
                id=node_id,
                expr=expr,
                checked=checked,
            )
    raise ValueError("an expression of no known kind")


def _select(body: bytes, node_id: int, expr: bytes, checked: bytes, depth: int) -> Node:
    parts = dict(fields(body))
    operand = parts.get(1)
    if not isinstance(operand, bytes):
        raise ValueError("a select without its operand")
    selected = Node(
        "select",
        name=_text(body, 2),
        target=_node(operand, checked, depth + 1),
        id=node_id,
        expr=expr,
        checked=checked,
    )
    if parts.get(3):  # test_only: `has(self.a)`
        return Node("call", name="has", args=(selected,), id=node_id, expr=expr, checked=checked)
    return selected


def _call(body: bytes, node_id: int, expr: bytes, checked: bytes, depth: int) -> Node:
    parts = fields(body)
    function, target, args = "", None, []
    for number, value in parts:
        if number == 1 and isinstance(value, bytes):
            target = _node(value, checked, depth + 1)
        elif number == 2 and isinstance(value, bytes):
            function = value.decode()
        elif number == 3 and isinstance(value, bytes):
            args.append(_node(value, checked, depth + 1))
    node = Node(
        "call",
        name=function,
        target=target,
        args=tuple(args),
        id=node_id,
        expr=expr,
        checked=checked,
    )
    if function in _OPERATORS and len(args) == 2:
        return replace(node, kind="op", name=_OPERATORS[function], args=(), children=node.args)
    if function == "_?_:_" and len(args) == 3:
        return replace(node, kind="cond", name="", args=(), children=node.args)
    if function in ("!_", "-_") and len(args) == 1:
        kind = "not" if function == "!_" else "neg"
        return replace(node, kind=kind, name="", args=(), children=node.args)
    if function in ("_[_]", "_[?_]") and len(args) == 2:
        optional = function == "_[?_]"
        return replace(node, kind="index", name="", args=(), children=node.args, optional=optional)
    if function == "_?._" and len(args) == 2 and isinstance(args[1].value, str):
        return replace(
            node,
            kind="select",
            name=args[1].value,
            target=args[0],
            args=(),
            optional=True,
            other_ids=(args[1].id,),
        )
    return node


def _struct(body: bytes, node_id: int, expr: bytes, checked: bytes, depth: int) -> Node:
    """A map literal: its keys and values, one after the other."""
    items: list[Node] = []
    entries: list[int] = []
    for number, entry in fields(body):
        if number == STRUCT_ENTRY and isinstance(entry, bytes):
            items += _subs(entry, (3, 4), checked, depth, ordered=True)
            entry_id = dict(fields(entry)).get(_ENTRY_ID)
            if isinstance(entry_id, int):
                entries.append(entry_id)
    return Node(
        "map",
        children=tuple(items),
        id=node_id,
        other_ids=tuple(entries),
        expr=expr,
        checked=checked,
    )


def _subs(
    body: bytes, numbers: tuple[int, ...], checked: bytes, depth: int, *, ordered: bool = False
) -> tuple[Node, ...]:
    """The sub-expressions of ``body`` in its fields ``numbers``: in the order written, or, if
    ``ordered``, one for each number in the order given (an absent one as an empty list)."""
    found = [(n, v) for n, v in fields(body) if n in numbers and isinstance(v, bytes)]
    # (`found` holds bytes only; mypy does not narrow the pair's type from the filter.)
    if not ordered:
        return tuple(_node(v, checked, depth + 1) for _n, v in found)
    by_number = dict(found)
    return tuple(
        _node(by_number[n], checked, depth + 1) if n in by_number else Node("list") for n in numbers
    )


def ids(node: Node) -> set[int]:
    """The id of every piece of ``node``'s expression (a map's entries included): the keys of
    the reference and type entries that are its own."""
    found: set[int] = set()
    stack = [node]
    while stack:
        each = stack.pop()
        if each.id:
            found.add(each.id)
        found.update(each.other_ids)
        stack += each.args
        stack += each.children
        if each.target is not None:
            stack.append(each.target)
    return found


def references(checked: bytes) -> Iterator[tuple[str, list[str]]]:
    """(name, overload ids) of each entry of the reference map of ``checked``, a serialized
    checked expression (a ``google.protobuf.Any`` holding a ``cel.expr.CheckedExpr``): a
    variable has no overload ids. ValueError when it is no such thing."""
    top = dict(_singular(fields(checked)))
    body = top.get(ANY_VALUE)
    if top.get(ANY_URL) != CHECKED_URL or not isinstance(body, bytes):
        raise ValueError("not a checked expression")
    for number, entry in fields(body):
        if number != CHECKED_REFERENCES:
            continue
        for key, reference in fields(_bytes(entry)):
            if key != 2:  # the map entry's value
                continue
            name = ""
            overloads: list[str] = []
            for part, value in fields(_bytes(reference)):
                if part == 1:
                    name = _bytes(value).decode()
                elif part == 3:
                    overloads.append(_bytes(value).decode())
            if not name:
                raise ValueError("a reference without a name")
            yield name, overloads


# Comprehension (syntax.proto): the fields naming a variable it binds, iter_var, accu_var
# (`cel.bind(x, …)` binds its name there) and iter_var2.
_BINDING_FIELDS = (1, 3, 8)
_NAME = 1  # the field naming an Ident, a Reference, and a comprehension's iter_var
_MAP_VALUE = 2  # a map entry's value (the reference map's Reference)


def _tag(number: int) -> int:
    return number << 3 | 2  # a length-delimited field (one byte below field 16)


def may_bind(checked: bytes, names: tuple[str, ...]) -> bool:
    """Whether a comprehension of ``checked`` (a serialized checked expression) may bind one
    of ``names`` (``list.map(self, …)``, ``cel.bind(target, …)``): False proves that each of
    them in the expression is the environment's variable. Read from the serialized bytes, not
    decoded (:func:`decode`, about 1 ms an expression, would cost a cold run's compilation
    more than what it decides saves): a name a comprehension binds is a length-delimited field
    1, 3 or 8 of the comprehension holding that name. The same bytes, a field 1 holding the
    name, are also every identifier reading it (the Ident, field 4 of its Expr, whose only
    field it is: ``22 06 0a 04 self``) and the reference map's entry for it (a Reference
    whose only field it is, the entry's field 2: ``12 06 0a 04 self``). Those two prefixes
    cannot come before a comprehension's field 1, its first (fields are written in the order
    of their numbers): the bytes before it are the comprehension's length, whose last byte
    follows either its field tag (``4a``) or a byte of the length with its high bit set. Any
    other occurrence (a field 3 or 8, a string constant holding the bytes) counts as a
    binding: in doubt, True. ``tests/test_celtree.py`` compares this with the decoded tree
    over the catalogue."""
    return _binding(names).search(checked) is not None


@functools.lru_cache(maxsize=4)
def _binding(names: tuple[str, ...]) -> re.Pattern[bytes]:
    """The bytes of a comprehension binding one of ``names`` (:func:`may_bind`): a field 1
    holding the name after neither prefix that reads it, or a field 3 or 8 holding it; one
    search of the serialized expression, at C speed."""
    found: list[bytes] = []
    for name in names:
        text = name.encode()
        if len(text) > 100:  # its length would not be one byte
            return re.compile(b"")  # matches anything: in doubt
        held = bytes([len(text)]) + text
        # The Ident, or the Reference, whose only field it is: its tag, then ``held``.
        size = len(held) + 1
        read = [bytes([_tag(EXPR_IDENT), size]), bytes([_tag(_MAP_VALUE), size])]
        unread = b"".join(b"(?<!" + re.escape(prefix) + b")" for prefix in read)
        found.append(unread + re.escape(bytes([_tag(_NAME)]) + held))
        others = bytes(_tag(n) for n in _BINDING_FIELDS if n != _NAME)
        found.append(b"[" + re.escape(others) + b"]" + re.escape(held))
    return re.compile(b"|".join(found))


def _bytes(value: bytes | int) -> bytes:
    if not isinstance(value, bytes):
        raise ValueError("a number where a message or text belongs")
    return value


def _singular(items: Iterable[tuple[int, bytes | int]]) -> Iterator[tuple[int, bytes | int]]:
    seen: set[int] = set()
    for number, value in items:
        if number in seen:
            raise ValueError("repeated field")
        seen.add(number)
        yield number, value


def _constant(body: bytes) -> object:
    for number, value in fields(body):
        if number == _NULL:
            return None
        if number == _BOOL:
            return bool(value)
        if number == _INT and isinstance(value, int):
            return value - (1 << 64) if value >= 1 << 63 else value
        if number == _UINT:
            return value
        if number == _DOUBLE and isinstance(value, int):
            return struct.unpack("<d", value.to_bytes(8, "little"))[0]
        if number == _STRING and isinstance(value, bytes):
            return value.decode()
        if number == _BYTES:
            return value
    return None


def _text(body: bytes, number: int) -> str:
    value = dict(fields(body)).get(number)
    return value.decode() if isinstance(value, bytes) else ""


# CEL's type names: constants a test such as ``type(v) == string`` reads (inline.py's
# compiled ``worded``), not variables.
CEL_TYPES = frozenset(
    {"bool", "bytes", "double", "int", "list", "map", "null_type", "string", "type", "uint"}
)


def free_names(node: Node, bound: frozenset[str] = frozenset()) -> set[str]:
    """The variables ``node`` reads (those a comprehension binds and CEL's type names
    excluded), and the functions it calls, each as ``name()``."""
    out: set[str] = set()
    if node.kind == "ident":
        return out if node.name in bound or node.name in CEL_TYPES else {node.name}
    if node.kind == "call":
        out.add(f"{node.name}()")
    if node.kind == "fold":
        items, init, *body = node.children
        inner = bound | {node.name, str(node.value)}
        out |= free_names(items, bound) | free_names(init, bound)
        for part in body:
            out |= free_names(part, inner)
        return out
    for child in (*([node.target] if node.target else []), *node.args, *node.children):
        out |= free_names(child, bound)
    return out


def path(node: Node) -> tuple[str, ...] | None:
    """``("self", "backup", "provider")`` for ``self.?backup.?provider`` (and the same with
    ``.orValue(…)`` or ``.value()`` after it); None when ``node`` is no such chain."""
    if node.kind == "call" and node.name in ("orValue", "value") and node.target is not None:
        return path(node.target)
    if node.kind == "ident":
        return (node.name,)
    if node.kind == "select" and node.target is not None:
        head = path(node.target)
        return None if head is None else (*head, node.name)
    return None
