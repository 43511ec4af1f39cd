"""Parse one YAML or JSON file into plain data, remembering where every key and value is.

PyYAML's composer (C-accelerated when libyaml is present) gives nodes with positions; we build
plain Python values from them ourselves instead of using a constructor, so that:
- no YAML tag can ever construct a Python object (only the core tags are accepted);
- scalars are resolved with the YAML 1.2 core schema (``NO`` is Norway, not ``false``; ``on`` is
  a string) and dates stay strings, validated later by the model;
- anchors/aliases cannot expand into billions of nodes (billion laughs) unnoticed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from hdsguard.errors import InputError, Problem

Path = tuple[str | int, ...]
# (key line, key column, value line, value column), 1-based. For list items key == value.
Pos = tuple[int, int, int, int]

MAX_DEPTH = 64
MAX_SCALAR_CHARS = 65_536
# Aliases may reuse a subtree, but the expanded document may not grow past this many nodes
# more than it physically holds; beyond it the file is refused as an alias bomb.
MAX_ALIAS_EXPANSION = 100_000

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = frozenset(
    _CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
)
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_INT_OCT = re.compile(r"^0o[0-7]+$")
_INT_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF_NAN = {
    ".inf": float("inf"),
    "+.inf": float("inf"),
    "-.inf": float("-inf"),
    ".nan": float("nan"),
}


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One parsed declaration file: its data and the position of everything in it."""

    path: str
    data: Any
    positions: dict[Path, Pos]

    def locate(self, path: Path, *, value: bool = False) -> tuple[int, int]:
        """Line and column of ``path``, or of its closest declared ancestor."""
        for end in range(len(path), 0, -1):
            pos = self.positions.get(path[:end])
            if pos is not None:
                return (pos[2], pos[3]) if value else (pos[0], pos[1])
        return (1, 1)


def resolve_plain(text: str) -> Any:
    """YAML 1.2 core schema resolution of a plain (unquoted) scalar; dates stay strings."""
    if _NULL.match(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    if _INT.match(text):
        return int(text)
    if _INT_OCT.match(text):
        return int(text[2:], 8)
    if _INT_HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    lowered = text.lower()
    if lowered in _INF_NAN:
        return _INF_NAN[lowered]
    return text


class _Builder:
    def __init__(self, display: str) -> None:
        self.display = display
        self.positions: dict[Path, Pos] = {}
        self.problems: list[Problem] = []
        self.seen: set[int] = set()
        self.expanded = 0

    def problem(self, node: yaml.Node, message: str) -> None:
        mark = node.start_mark
        self.problems.append(Problem(self.display, mark.line + 1, mark.column + 1, message))

    def build(self, node: yaml.Node, path: Path, depth: int, stack: frozenset[int]) -> Any:
        if depth > MAX_DEPTH:
            self.problem(node, f"nesting deeper than {MAX_DEPTH} levels is not accepted")
            raise _Abort
        if id(node) in self.seen:
            self.expanded += 1
            if self.expanded > MAX_ALIAS_EXPANSION:
                self.problem(
                    node,
                    "aliases expand this document beyond "
                    f"{MAX_ALIAS_EXPANSION} extra nodes (alias bomb?); write the data out",
                )
                raise _Abort
        self.seen.add(id(node))
        if node.tag not in _ALLOWED_TAGS:
            self.problem(node, f"YAML tag {node.tag!r} is not allowed in declarations")
            return None
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if id(node) in stack:
            self.problem(node, "recursive alias: a node contains itself")
            raise _Abort
        inner = stack | {id(node)}
        if isinstance(node, yaml.SequenceNode):
            return self.sequence(node, path, depth, inner)
        assert isinstance(node, yaml.MappingNode)
        return self.mapping(node, path, depth, inner)

    def scalar(self, node: yaml.ScalarNode) -> Any:
        text: str = node.value
        if len(text) > MAX_SCALAR_CHARS:
            self.problem(node, f"value longer than {MAX_SCALAR_CHARS} characters")
            return None
        # The C composer marks plain scalars with style "" and the pure one with None.
        if node.style or node.tag == _CORE + "str":
            # Quoted, block scalars, or plain scalars explicitly tagged !!str stay text.
            return text
        return resolve_plain(text)

    def sequence(
        self, node: yaml.SequenceNode, path: Path, depth: int, stack: frozenset[int]
    ) -> Any:
        out: list[Any] = []
        for index, child in enumerate(node.value):
            child_path = (*path, index)
            mark = child.start_mark
            self.positions[child_path] = (mark.line + 1, mark.column + 1) * 2
            out.append(self.build(child, child_path, depth + 1, stack))
        return out

    def mapping(self, node: yaml.MappingNode, path: Path, depth: int, stack: frozenset[int]) -> Any:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _CORE + "merge" or (
                isinstance(key_node, yaml.ScalarNode)
                and key_node.value == "<<"
                and not key_node.style
            ):
                self.problem(key_node, "YAML merge keys (<<) are not supported: write the keys out")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, "mapping keys must be plain strings")
                continue
            key = key_node.value
            if key in out:
                first = self.positions.get((*path, key))
                where = f" (first at line {first[0]})" if first else ""
                self.problem(key_node, f"duplicate key {key!r}{where}")
                continue
            child_path = (*path, key)
            km, vm = key_node.start_mark, value_node.start_mark
            self.positions[child_path] = (km.line + 1, km.column + 1, vm.line + 1, vm.column + 1)
            out[key] = self.build(value_node, child_path, depth + 1, stack)
        return out


class _Abort(Exception):
    """Stop building: the document is hostile or too large to continue safely."""


def parse(text: str, display: str) -> SourceFile:
    """Parse YAML (or JSON, a subset of YAML 1.2) text; raise InputError with every problem."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        detail = exc.problem or str(exc)
        if exc.context and exc.problem:
            detail = f"{exc.context}: {exc.problem}"
        raise InputError([Problem(display, line, col, f"YAML syntax error: {detail}")]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(display, None, None, f"YAML error: {exc}")]) from None
    except RecursionError:
        raise InputError([Problem(display, None, None, "nesting too deep to read")]) from None
    finally:
        loader.dispose()
    if node is None:
        return SourceFile(display, None, {})
    builder = _Builder(display)
    try:
        data = builder.build(node, (), 0, frozenset())
    except _Abort:
        data = None
    if builder.problems:
        raise InputError(builder.problems)
    return SourceFile(display, data, builder.positions)
