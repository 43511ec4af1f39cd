"""A compiled expression's checked syntax tree as nodes, for :mod:`.rulehelp`.

A rule's help (docs/policies.md, SARIF ``help``) shows its remediation for no target in
particular: what a placeholder computes from the target cannot be evaluated there, and its CEL
must not be shown as prose either. :mod:`.rulehelp` words it from the tree the runtime checked
when the policy loaded (the placeholder's own program, or its item of the message's list,
:mod:`.template`), decoded here from its serialized form (:mod:`.protowire`), as
:mod:`.selffields` reads the fields of ``self`` from it: never from the text, which a second
parser would have to read as the runtime does. A node that reads only ``params`` is evaluated
alone (:func:`alone`), cut out of that tree with the reference and type entries of its nodes
(:mod:`.listpart`), never compiled again from a text.

The macros are already expanded there: ``list.map(x, …)``, ``exists``, ``cel.bind`` are
comprehensions (kind ``fold``); ``has(self.a)`` is a call of ``has``; ``self.?a`` is an optional
select. The ``cel.bind(params, params["ID"], …)`` that scopes a text reading ``params`` to its
policy (:func:`hdsguard.policies.celenv.scope_to_policy`) is unwrapped: ``params`` then reads the
policy's own parameters.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field, replace
from typing import Any

from cel_expr_python import cel

from hdsguard.policies.protowire import (
    ANY_VALUE,
    CHECKED_EXPR,
    EXPR_CALL,
    EXPR_COMPREHENSION,
    EXPR_CONST,
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


@dataclass(frozen=True)
class Node:
    """``kind``: lit, ident, select (``optional`` for ``.?``), call (``target`` for a
    method), cond, op (binary ``name``), not, neg, list, map, index, fold (a comprehension:
    ``name`` its item variable, ``value`` its accumulator, ``children`` its range, initial
    value, condition, step and result). ``expr`` is the node's serialized ``cel.expr.Expr``
    and ``checked`` the serialized checked expression it is part of (empty for a node
    :mod:`.rulehelp` built)."""

    kind: str
    name: str = ""
    value: object = None
    args: tuple[Node, ...] = ()
    target: Node | None = None
    optional: bool = False
    children: tuple[Node, ...] = field(default=())
    expr: bytes = field(default=b"", repr=False)
    checked: bytes = field(default=b"", repr=False)


def tree(expression: Any) -> Node:
    """The root of ``expression``'s checked tree (a ``cel.Expression``, or what serializes as
    one); ValueError when it cannot be decoded."""
    checked = expression.serialize()
    body = first(checked, ANY_VALUE)
    root = first(body, CHECKED_EXPR) if body is not None else None
    if root is None:
        raise ValueError("not a checked expression")
    node = _node(root, checked, 0)
    if node.kind == "fold" and node.value == "params" and _scoping(node):
        return node.children[4]
    return node


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
    for number, body in fields(expr):
        if not isinstance(body, bytes):
            continue
        if number == EXPR_CONST:
            return Node("lit", value=_constant(body), expr=expr, checked=checked)
        if number == EXPR_IDENT:
            return Node("ident", name=_text(body, 1), expr=expr, checked=checked)
        if number == EXPR_SELECT:
            return _select(body, expr, checked, depth)
        if number == EXPR_CALL:
            return _call(body, expr, checked, depth)
        if number == EXPR_LIST:
            items = _subs(body, (1,), checked, depth)
            return Node("list", children=items, expr=expr, checked=checked)
        if number == EXPR_STRUCT:
            return _struct(body, expr, checked, depth)
        if number == EXPR_COMPREHENSION:
            parts = _subs(body, _FOLD_PARTS, checked, depth, ordered=True)
            names = (_text(body, 1), _text(body, 3))
            return Node(
                "fold", name=names[0], value=names[1], children=parts, expr=expr, checked=checked
            )
    raise ValueError("an expression of no known kind")


def _select(body: bytes, expr: bytes, checked: bytes, depth: int) -> Node:
    parts = dict(fields(body))
    operand = parts.get(1)
    if not isinstance(operand, bytes):
        raise ValueError("a select without its operand")
    selected = Node(
        "select",
        name=_text(body, 2),
        target=_node(operand, checked, depth + 1),
        expr=expr,
        checked=checked,
    )
    if parts.get(3):  # test_only: `has(self.a)`
        return Node("call", name="has", args=(selected,), expr=expr, checked=checked)
    return selected


def _call(body: bytes, expr: bytes, checked: bytes, depth: int) -> Node:
    parts = fields(body)
    function, target, args = "", None, []
    for number, value in parts:
        if number == 1 and isinstance(value, bytes):
            target = _node(value, checked, depth + 1)
        elif number == 2 and isinstance(value, bytes):
            function = value.decode()
        elif number == 3 and isinstance(value, bytes):
            args.append(_node(value, checked, depth + 1))
    node = Node("call", name=function, target=target, args=tuple(args), expr=expr, checked=checked)
    if function in _OPERATORS and len(args) == 2:
        return replace(node, kind="op", name=_OPERATORS[function], args=(), children=node.args)
    if function == "_?_:_" and len(args) == 3:
        return replace(node, kind="cond", name="", args=(), children=node.args)
    if function in ("!_", "-_") and len(args) == 1:
        kind = "not" if function == "!_" else "neg"
        return replace(node, kind=kind, name="", args=(), children=node.args)
    if function in ("_[_]", "_[?_]") and len(args) == 2:
        return replace(node, kind="index", name="", args=(), children=node.args)
    if function == "_?._" and len(args) == 2 and isinstance(args[1].value, str):
        return replace(
            node, kind="select", name=args[1].value, target=args[0], args=(), optional=True
        )
    return node


def _struct(body: bytes, expr: bytes, checked: bytes, depth: int) -> Node:
    """A map literal: its keys and values, one after the other."""
    items: list[Node] = []
    for number, entry in fields(body):
        if number == STRUCT_ENTRY and isinstance(entry, bytes):
            items += _subs(entry, (3, 4), checked, depth, ordered=True)
    return Node("map", children=tuple(items), expr=expr, checked=checked)


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


def alone(runtime_env: cel.Env, node: Node) -> cel.Expression:
    """``node`` as a program of its own, cut out of the checked tree it is part of;
    ValueError when it cannot be."""
    from hdsguard.policies.listpart import subtree

    if not node.expr or not node.checked:
        raise ValueError("a node of no checked tree")
    try:
        return runtime_env.deserialize(subtree(node.checked, node.expr))
    except Exception as exc:  # the runtime raises plain RuntimeErrors
        raise ValueError(str(exc)) from None
