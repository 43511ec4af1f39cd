"""A quick, conservative test that a declaration file is valid, without the pydantic model.

Building the declaration model costs tens of milliseconds (about forty pydantic models): more
than everything else a pre-commit run on a small set does. Most runs declare valid files, so
:func:`certainly_valid` first walks the data against the shipped JSON Schema
(``schemas/declaration.schema.json``, generated from the model and kept in sync by a test).

It answers True only when every value is certainly accepted by the model, and False on any
doubt: a keyword it does not know, a null, a float that is not finite, a schema it cannot find.
False only means "ask the model", which then validates the file and reports its problems
exactly as before. It never decides alone that a file is invalid, so messages cannot change;
a property-based test checks that whatever it accepts, the model accepts too.
"""

from __future__ import annotations

import datetime
import ipaddress
import math
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from hdsguard.isodate import ISO_DATE

Check = Callable[[Any], bool]

# Keywords that only document; every other keyword must be understood, or the checker is off.
_ANNOTATIONS = frozenset(
    {
        "description",
        "title",
        "default",
        "examples",
        "$comment",
        "markdownDescription",
        "x-informational",
    }
)


class _Unsupported(Exception):
    """The schema uses something this checker does not implement: always ask the model."""


def certainly_valid(data: Any) -> bool:
    """True when the declaration model certainly accepts ``data``; False means "ask the model"."""
    check = _root()
    return check is not None and check(data)


@cache
def _root() -> Check | None:
    try:
        from hdsguard.shipped import shipped_schema

        schema = shipped_schema("declaration")
        return None if schema is None else _Compiler(schema).compile(schema)
    except (OSError, ValueError, KeyError, TypeError, _Unsupported, re.error):
        return None


class _Compiler:
    def __init__(self, root: dict[str, Any]) -> None:
        self.defs: dict[str, Any] = root.get("$defs", {})
        self.compiled: dict[str, Check] = {}

    def compile(self, node: dict[str, Any]) -> Check:
        keys = set(node) - _ANNOTATIONS - {"$schema", "$id", "$defs"}
        if "$ref" in keys:
            if keys != {"$ref"}:
                raise _Unsupported("$ref beside other keywords")
            return self.ref(node["$ref"])
        if "anyOf" in keys:
            if keys != {"anyOf"}:
                raise _Unsupported("anyOf beside other keywords")
            branches = [self.compile(b) for b in node["anyOf"]]
            return lambda v: any(b(v) for b in branches)
        checks = [self.keyword(k, node) for k in sorted(keys) if k not in _HANDLED_BY_TYPE]
        if "type" not in keys:
            raise _Unsupported("a schema without a type")
        if len(checks) == 1:
            return checks[0]
        return lambda v: all(c(v) for c in checks)

    def ref(self, ref: str) -> Check:
        name = ref.removeprefix("#/$defs/")
        if name == ref or name not in self.defs:
            raise _Unsupported(ref)
        if name not in self.compiled:
            self.compiled[name] = lambda v: self.compiled[name](v)  # recursion placeholder
            self.compiled[name] = self.compile(self.defs[name])
        compiled = self.compiled
        return lambda v: compiled[name](v)

    def keyword(self, key: str, node: dict[str, Any]) -> Check:
        if key == "type":
            return self.typed(node)
        if key == "enum":
            options = [(type(o), o) for o in node["enum"]]
            return lambda v: any(type(v) is t and v == o for t, o in options)
        if key == "const":
            const = node["const"]
            return lambda v: type(v) is type(const) and v == const
        raise _Unsupported(key)

    def typed(self, node: dict[str, Any]) -> Check:
        kind = node["type"]
        stray = set(node) & _HANDLED_BY_TYPE - _KEYWORDS_OF.get(kind, frozenset())
        if stray:
            raise _Unsupported(f"{sorted(stray)} on type {kind!r}")
        if kind == "object":
            return self.mapping(node)
        if kind == "array":
            item = self.compile(node["items"])
            return lambda v: type(v) is list and all(item(x) for x in v)
        if kind == "string":
            return self.string(node)
        if kind in ("integer", "number"):
            return self.number(node, integer=kind == "integer")
        if kind == "boolean":
            return lambda v: type(v) is bool
        raise _Unsupported(f"type {kind!r}")

    def mapping(self, node: dict[str, Any]) -> Check:
        if node.get("additionalProperties") is not False:
            raise _Unsupported("objects that allow extra keys")
        props = {name: self.compile(sub) for name, sub in node.get("properties", {}).items()}
        required = tuple(node.get("required", ()))

        def check(v: Any) -> bool:
            if type(v) is not dict or any(r not in v for r in required):
                return False
            for key, value in v.items():
                sub = props.get(key)
                if sub is None or not sub(value):
                    return False
            return True

        return check

    def string(self, node: dict[str, Any]) -> Check:
        fmt = node.get("format")
        if fmt not in _FORMATS:
            raise _Unsupported(f"format {fmt!r}")
        valid = _FORMATS[fmt]
        pattern = node.get("pattern")
        # Python's ``$`` also matches before a final newline; the model's regex does not.
        search = re.compile(re.sub(r"(?<!\\)\$$", r"\\Z", pattern)).search if pattern else None

        def check(v: Any) -> bool:
            if type(v) is not str:
                return False
            if search is not None and search(v) is None:
                return False
            return valid is None or valid(v)

        return check

    def number(self, node: dict[str, Any], *, integer: bool) -> Check:
        low, high = node.get("minimum"), node.get("maximum")
        types: tuple[type, ...] = (int,) if integer else (int, float)

        def check(v: Any) -> bool:
            if type(v) not in types or (type(v) is float and not math.isfinite(v)):
                return False
            return (low is None or v >= low) and (high is None or v <= high)

        return check


# Keywords read by ``typed`` together with ``type``, and which type each belongs to.
_KEYWORDS_OF: dict[str, frozenset[str]] = {
    "object": frozenset({"properties", "required", "additionalProperties"}),
    "array": frozenset({"items"}),
    "string": frozenset({"pattern", "format"}),
    "integer": frozenset({"minimum", "maximum"}),
    "number": frozenset({"minimum", "maximum"}),
}
_HANDLED_BY_TYPE = frozenset().union(*_KEYWORDS_OF.values())


def _is_address(kind: type[ipaddress.IPv4Address | ipaddress.IPv6Address]) -> Check:
    """The model's address rule (``ipaddress.ip_address``), for one version: what the standard
    library reads as an address of that version, it reads as an address."""

    def check(text: Any) -> bool:
        try:
            kind(text)
        except ValueError:
            return False
        return True

    return check


def _is_date(text: str) -> bool:
    """The model's date rule: ``YYYY-MM-DD`` digits that make a real calendar date."""
    if not ISO_DATE.fullmatch(text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


# The string formats the model's types use, and their checks (None: no format).
_FORMATS: dict[str | None, Check | None] = {
    None: None,
    "date": _is_date,
    "ipv4": _is_address(ipaddress.IPv4Address),
    "ipv6": _is_address(ipaddress.IPv6Address),
}
