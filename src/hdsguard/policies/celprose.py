"""A small reader of the CEL that message placeholders hold, for :mod:`rulehelp`.

A rule's help (docs/policies.md, SARIF ``help``) shows its remediation for no target in
particular: what a placeholder computes from the target cannot be evaluated there, and its
CEL must not be shown as prose either. This module parses a placeholder into a tree whose
nodes keep their span in the source, so that :mod:`rulehelp` can evaluate the parts that
read only ``params`` (compiling their own text with the real CEL runtime) and word the rest.

It reads the subset of CEL that placeholders are written in (literals, variables, field and
optional selections, calls and macros, the operators, lists and maps); whatever it cannot
read raises :class:`Unreadable`, and the caller then falls back to a plain slot. It never
decides a verdict: the runtime's own parser checks every policy when it loads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<comment>//[^\n]*)
      | (?P<string>[rRbB]?(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'))
      | (?P<number>\d+\.\d+(?:[eE][+-]?\d+)?|0x[0-9a-fA-F]+u?|\d+u?)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op>\.\?|\[\?|==|!=|<=|>=|&&|\|\||[-+*/%!<>?:.,()\[\]{}])
    )""",
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'"}
_RELATIONS = ("==", "!=", "<", "<=", ">", ">=", "in")
_LITERALS = {"true": True, "false": False, "null": None}


class Unreadable(ValueError):
    """A placeholder outside the subset read here."""


@dataclass(frozen=True)
class Node:
    """``kind``: lit, ident, select (``optional`` for ``.?``), call (``target`` for a
    method), cond, op (binary ``name``), not, neg, list, map, index."""

    kind: str
    start: int
    end: int
    name: str = ""
    value: object = None
    args: tuple[Node, ...] = ()
    target: Node | None = None
    optional: bool = False
    children: tuple[Node, ...] = field(default=())


@dataclass
class _Tokens:
    items: list[tuple[str, str, int, int]]
    pos: int = 0

    def peek(self, ahead: int = 0) -> tuple[str, str, int, int]:
        index = self.pos + ahead
        return self.items[index] if index < len(self.items) else ("end", "", -1, -1)

    def take(self, text: str | None = None) -> tuple[str, str, int, int]:
        token = self.peek()
        if token[0] == "end" or (text is not None and token[1] != text):
            raise Unreadable(f"expected {text or 'more'} at {token[2]}")
        self.pos += 1
        return token

    def at(self, *texts: str) -> bool:
        kind, text, _s, _e = self.peek()
        return kind in ("op", "name") and text in texts


def parse(source: str) -> Node:
    """The tree of one CEL expression; :class:`Unreadable` outside the subset."""
    items: list[tuple[str, str, int, int]] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None or match.end() == pos:
            if source[pos:].strip() == "":
                break
            raise Unreadable(f"unexpected {source[pos]!r}")
        pos = match.end()
        kind = match.lastgroup or ""
        if kind != "comment":
            items.append((kind, match.group(kind), match.start(kind), match.end(kind)))
    tokens = _Tokens(items)
    tree = _conditional(tokens)
    if tokens.peek()[0] != "end":
        raise Unreadable("trailing text")
    return tree


def _conditional(t: _Tokens) -> Node:
    test = _binary(t, 0)
    if not t.at("?"):
        return test
    t.take("?")
    then = _conditional(t)
    t.take(":")
    other = _conditional(t)
    return Node("cond", test.start, other.end, children=(test, then, other))


_LEVELS: tuple[tuple[str, ...], ...] = (("||",), ("&&",), _RELATIONS, ("+", "-"), ("*", "/", "%"))


def _binary(t: _Tokens, level: int) -> Node:
    if level == len(_LEVELS):
        return _unary(t)
    left = _binary(t, level + 1)
    while t.at(*_LEVELS[level]):
        op = t.take()[1]
        right = _binary(t, level + 1)
        left = Node("op", left.start, right.end, name=op, children=(left, right))
    return left


def _unary(t: _Tokens) -> Node:
    if t.at("!", "-"):
        op, start = t.take()[1], t.peek(-1)[2]
        inner = _unary(t)
        return Node("not" if op == "!" else "neg", start, inner.end, children=(inner,))
    return _member(t)


def _member(t: _Tokens) -> Node:
    node = _primary(t)
    while True:
        if t.at(".", ".?"):
            optional = t.take()[1] == ".?"
            _k, name, _s, end = t.take()
            if t.at("(") and not optional:
                args, end = _arguments(t)
                node = Node("call", node.start, end, name=name, args=args, target=node)
            else:
                node = Node("select", node.start, end, name=name, optional=optional, target=node)
        elif t.at("[", "[?"):
            t.take()
            index = _conditional(t)
            end = t.take("]")[3]
            node = Node("index", node.start, end, children=(node, index))
        else:
            return node


def _arguments(t: _Tokens) -> tuple[tuple[Node, ...], int]:
    t.take("(")
    args: list[Node] = []
    while not t.at(")"):
        args.append(_conditional(t))
        if not t.at(")"):
            t.take(",")
    return tuple(args), t.take(")")[3]


def _primary(t: _Tokens) -> Node:
    kind, text, start, end = t.take()
    if kind == "string":
        return Node("lit", start, end, value=_string(text))
    if kind == "number":
        number = text.rstrip("u")
        value: object = float(number) if "." in number else int(number, 0)
        return Node("lit", start, end, value=value)
    if kind == "name":
        if text in _LITERALS:
            return Node("lit", start, end, value=_LITERALS[text])
        if t.at("("):
            args, end = _arguments(t)
            return Node("call", start, end, name=text, args=args)
        return Node("ident", start, end, name=text)
    if text == "(":
        inner = _conditional(t)
        t.take(")")
        return inner
    if text in ("[", "{"):
        closing, items = ("]" if text == "[" else "}"), list[Node]()
        while not t.at(closing):
            items.append(_conditional(t))
            if text == "{":
                t.take(":")
                items.append(_conditional(t))
            if not t.at(closing):
                t.take(",")
        end = t.take(closing)[3]
        return Node("list" if text == "[" else "map", start, end, children=tuple(items))
    raise Unreadable(f"unexpected {text!r}")


def _string(token: str) -> str:
    raw = token[0] in "rR"
    body = token.lstrip("rRbB")[1:-1]
    if raw:
        return body
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), body)


# The macros that bind their first argument as a variable in the rest.
_MACROS = frozenset({"map", "filter", "all", "exists", "exists_one", "existsOne"})


def free_names(node: Node, bound: frozenset[str] = frozenset()) -> set[str]:
    """The variables ``node`` reads (those a macro binds excluded), and the functions it
    calls, each as ``name()``."""
    out: set[str] = set()
    if node.kind == "ident":
        if node.name not in bound:
            out.add(node.name)
        return out
    if node.kind == "call":
        out.add(f"{node.name}()")
        inner = bound
        args = node.args
        if node.target is not None and node.name in _MACROS and args and args[0].kind == "ident":
            inner, args = bound | {args[0].name}, args[1:]
        elif node.target is not None and node.name == "bind" and len(args) == 3:
            out |= free_names(args[1], bound)
            inner, args = bound | {args[0].name}, args[2:]
        if node.target is not None:
            out |= free_names(node.target, bound)
        for arg in args:
            out |= free_names(arg, inner)
        return out
    if node.target is not None:
        out |= free_names(node.target, bound)
    for child in node.children:
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
