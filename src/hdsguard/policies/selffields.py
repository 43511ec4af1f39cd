"""The fields of ``self`` a policy's expressions read, checked against the declaration schema.

A user's rule whose condition reads ``self.management_exposd`` (a typo) compiles, since
``self`` is dynamic, and then never sees a declared value: ``!has(self.management_exposd) ||
…`` passes on every firewall, a green that lies. Declarations refuse every key the schema does
not name, so a field the schema does not have can never be declared; reading one is refused
when the policy loads, with the field it most likely meant.

The paths are read from each expression's checked syntax tree (``self.a.b`` is a select of
``b`` on a select of ``a`` on the identifier ``self``), never from its text, so strings and
comments cannot fool it. A path is refused only when no declared section the policy applies
to has it (a rule on services and systems reads ``self.software`` in its services branch);
a policy that also applies to an evidence section, whose objects the schema does not
describe, and a field whose schema is free-form (no listed properties) are not checked.

The same walk refuses ``params.max_ag`` when the policy declares no such parameter, and
``decl.firewall`` (no such section): both were an ``error`` finding on every target at run
time, and ``has(params.x)`` a silent false.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Iterator, Sequence

from cel_expr_python import cel

from hdsguard.declarations.fieldhint import Node, declaration_schema, node_at, resolve
from hdsguard.declarations.sections import EVIDENCE_SECTIONS, SECTIONS
from hdsguard.i18n import _
from hdsguard.policies.protowire import fields

# Expr (cel.expr.syntax): the fields holding sub-expressions, by kind of expression.
_IDENT, _SELECT, _CALL, _LIST, _STRUCT, _COMPREHENSION = 4, 5, 6, 7, 8, 9
_SUB = {_CALL: (1, 3), _LIST: (1,), _COMPREHENSION: (2, 4, 5, 6, 7)}
_STRUCT_ENTRY, _ENTRY_VALUES = 2, (3, 4)
_CHECKED_EXPR = 4  # CheckedExpr.expr
_ANY_VALUE = 2  # google.protobuf.Any.value
_MAX_DEPTH = 200  # the runtime refuses deeper nesting long before this
# The variables whose fields are known when a policy loads: the target, the policy's own
# parameters, the declaration set's sections.
ROOTS = ("self", "params", "decl")


def self_paths(expr: cel.Expression) -> set[tuple[str, ...]]:
    """Every ``self.a.b…`` chain ``expr`` reads (and each of its prefixes); an empty set when
    the tree cannot be decoded (nothing is then refused)."""
    return {path[1:] for path in root_paths(expr) if path[0] == "self"}


def root_paths(expr: cel.Expression) -> set[tuple[str, ...]]:
    """Every chain ``expr`` reads from one of the variables of :data:`ROOTS`, the variable
    first (``("params", "max_age")``), with each of its prefixes."""
    found: set[tuple[str, ...]] = set()
    try:
        top = dict(fields(expr.serialize()))
        checked = top.get(_ANY_VALUE)
        if isinstance(checked, bytes):
            for number, value in fields(checked):
                if number == _CHECKED_EXPR and isinstance(value, bytes):
                    _walk(value, found, 0)
    except Exception:  # an unexpected payload (the runtime raises plain RuntimeErrors)
        return set()
    return found


def _walk(expr: bytes, found: set[tuple[str, ...]], depth: int) -> None:
    if depth > _MAX_DEPTH:
        raise ValueError("too deep")
    for kind, body in fields(expr):
        if not isinstance(body, bytes):
            continue
        if kind == _SELECT:
            chain = _chain(body)
            if chain is not None:
                found.add(chain)
            subs: Iterable[tuple[int, bytes | int]] = (
                (n, v) for n, v in fields(body) if n == 1
            )  # the operand
        elif kind in _SUB:
            subs = ((n, v) for n, v in fields(body) if n in _SUB[kind])
        elif kind == _STRUCT:
            subs = (
                (n, v)
                for entry_n, entry in fields(body)
                if entry_n == _STRUCT_ENTRY and isinstance(entry, bytes)
                for n, v in fields(entry)
                if n in _ENTRY_VALUES
            )
        else:
            continue
        for _number, sub in subs:
            if isinstance(sub, bytes):
                _walk(sub, found, depth + 1)


def _chain(select: bytes) -> tuple[str, ...] | None:
    """``("self", "a", "b")`` for the select ``self.a.b``; None when it does not start at one
    of :data:`ROOTS`."""
    names: list[str] = []
    node = select
    for _step in range(_MAX_DEPTH):
        parts = dict(fields(node))
        field, operand = parts.get(2), parts.get(1)
        if not isinstance(field, bytes) or not isinstance(operand, bytes):
            return None
        names.append(field.decode())
        inner = dict(fields(operand))
        if isinstance(inner.get(_SELECT), bytes):
            node = inner[_SELECT]  # type: ignore[assignment]
            continue
        ident = inner.get(_IDENT)
        name = dict(fields(ident)).get(1) if isinstance(ident, bytes) else None
        if isinstance(name, bytes) and name.decode() in ROOTS:
            return (name.decode(), *reversed(names))
        return None
    return None


def unknown_field_messages(
    applies_to: Sequence[str],
    params: Collection[str],
    exprs: Iterable[cel.Expression | None],
    key: str,
) -> Iterator[tuple[tuple[str, ...], str]]:
    """The path and message of each chain of ``exprs`` that reads nothing: a field of ``self``
    no section of ``applies_to`` can declare, a parameter the policy does not have
    (``params``), a section that does not exist (``decl.x``); shortest first (``self.a``
    rather than also ``self.a.b``). ``key`` names where the policy file writes them
    (``checks[1].condition``)."""
    paths: set[tuple[str, ...]] = set()
    for expr in exprs:
        if expr is not None:
            paths |= root_paths(expr)
    reported: set[tuple[str, ...]] = set()
    for path in sorted(paths, key=lambda p: (len(p), p)):
        if any(path[: len(done)] == done for done in reported):
            continue
        message = _unknown(path, applies_to, params, key)
        if message is not None:
            reported.add(path)
            yield path, message


def _unknown(
    path: tuple[str, ...], applies_to: Sequence[str], params: Collection[str], key: str
) -> str | None:
    root, name = path[0], path[1]
    if root == "params":
        if name in params:
            return None
        message = _("{key} reads `params.{name}`, but the policy has no parameter `{name}`")
        return message.format(key=key, name=name) + _close(name, params)
    if root == "decl":
        sections = (*SECTIONS, *EVIDENCE_SECTIONS)
        if name in sections:
            return None
        message = _("{key} reads `decl.{name}`, but no section is named `{name}`")
        return message.format(key=key, name=name) + _close(name, sections)
    schema = declaration_schema()
    if schema is None or not applies_to or any(s not in SECTIONS for s in applies_to):
        return None
    misses = [_miss(schema, section, path[1:]) for section in applies_to]
    if any(miss is None for miss in misses):
        return None
    return _message(applies_to, path[1:], [m for m in misses if m is not None], key)


def _close(name: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(choices), n=1, cutoff=0.6)
    return _("; did you mean `{close}`?").format(close=close[0]) if close else ""


def _miss(schema: Node, section: str, path: tuple[str, ...]) -> tuple[int, list[str]] | None:
    """Where ``path`` leaves the schema of an object of ``section`` (the index of the step
    and the fields it could have named), or None when every step is a field."""
    node = node_at(schema, [section] if SECTIONS[section] else [section, 0])
    for index, step in enumerate(path):
        props = node.get("properties") if node is not None else None
        if not isinstance(props, dict):
            return None  # free-form, or past what the schema describes: not checked
        child = props.get(step)
        if not isinstance(child, dict):
            return index, sorted(props)
        node = resolve(schema, child)
    return None


def _message(
    applies_to: Sequence[str], path: tuple[str, ...], misses: list[tuple[int, list[str]]], key: str
) -> str:
    index = min(at for at, _fields in misses)
    field = path[index]
    choices = sorted({name for at, names in misses if at == index for name in names})
    where = ", ".join(f"`{s}`" for s in applies_to)
    message = _(
        "{key} reads `self.{path}`, but `{field}` is no field an object of {sections} can "
        "declare (the declaration schema has no such field): it would never see a declared "
        "value"
    ).format(key=key, path=".".join(path[: index + 1]), field=field, sections=where)
    return message + _close(field, choices)
