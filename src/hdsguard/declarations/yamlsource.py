"""Parse one YAML or JSON file into plain data, remembering where every key and value is.

PyYAML's composer (C-accelerated when libyaml is present) gives nodes with positions; we build
plain Python values from them ourselves instead of using a constructor, so that:
- no YAML tag can ever construct a Python object (only the core tags are accepted);
- scalars are resolved with the YAML 1.2 core schema (``NO`` is Norway, not ``false``; ``on`` is
  a string; ``1e5`` is a number, as in JSON) and dates stay strings, validated later by the
  model;
- anchors/aliases cannot expand into billions of nodes (billion laughs) unnoticed.

JSON files take a fast path (``json.loads`` is an order of magnitude faster than composing
YAML): keys and the objects of lists get their positions from one scan of the text, and the
rare position it does not record (an item of a list of strings, say) is filled on demand by
reading the file again as YAML. Anything unusual (a duplicate key, ``NaN``, nesting or a string
over the limits, text that is not strict JSON) goes the YAML way, so that data, positions and
messages stay the same whichever way a file is read.

Plain block-style YAML, the form of nearly every declaration file, takes a fast path too
(:mod:`hdsguard.speed.blockyaml`, which builds on this module; :func:`.reader.parse` picks the
reader).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Callable, Iterator
from functools import cache
from sys import intern
from typing import Any

import yaml

from hdsguard.declarations.located import (
    _COL_BITS,
    _COL_MASK,
    _KEY_BITS,
    _VALUE_BITS,
    EMPTY,
    Entry,
    Located,
    Pos,
    SourceFile,
    Where,
    pack_pos,
    unpack_pos,
)
from hdsguard.declarations.scalars import (
    LEADING_ZERO,
    MAX_ALIAS_EXPANSION,
    MAX_DEPTH,
    MAX_SCALAR_CHARS,
    resolve_plain,
)
from hdsguard.errors import InputError, Problem
from hdsguard.i18n import N_, _

_CORE = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ, _MERGE = _CORE + "str", _CORE + "map", _CORE + "seq", _CORE + "merge"
# What our resolver answers for an untagged plain scalar: resolved later, by the core schema.
_PLAIN = "!hdsguard/plain"
# Explicit core tags other than these are refused: libyaml ignored `!!int` on a quoted
# scalar and `!!float` on `3` (YAML 1.2 applies them), and a refusal is the honest answer.
_ALLOWED_TAGS = frozenset([_PLAIN, _STR, _MAP, _SEQ])


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The C parser and composer, with a resolver that leaves plain scalars to us.

    PyYAML's own resolver applies YAML 1.1 rules with a dozen regular expressions per scalar;
    we only need to know whether a scalar was plain and untagged.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


class _Builder:
    def __init__(self, display: str, anchors: bool) -> None:
        self.display = display
        self.problems: list[Problem] = []
        # Without an anchor in the text, no node can be reached twice: skip alias bookkeeping.
        self.anchors = anchors
        self.seen: set[int] = set()
        self.expanded = 0

    def problem(self, node: yaml.Node, message: str) -> None:
        mark = node.start_mark
        self.problems.append(Problem(self.display, mark.line + 1, mark.column + 1, message))

    def build(self, node: yaml.Node, depth: int, stack: frozenset[int]) -> tuple[Any, Where | None]:
        """The value of ``node`` and, for a mapping or a sequence, the positions of its content."""
        if depth > MAX_DEPTH:
            self.problem(node, _depth_text())
            raise _Abort
        if self.anchors:
            self.count(node)
        tag = node.tag
        if tag not in _ALLOWED_TAGS:
            self.problem(node, _tag_text(tag))
            return None, None
        kind = type(node)
        if kind is yaml.ScalarNode:
            return self.scalar(node), None  # type: ignore[arg-type]
        if self.anchors:
            if id(node) in stack:
                self.problem(node, _("recursive alias: a node contains itself"))
                raise _Abort
            stack = stack | {id(node)}
        if kind is yaml.SequenceNode:
            return self.sequence(node, depth, stack)
        return self.mapping(node, depth, stack)

    def count(self, node: yaml.Node) -> None:
        if id(node) in self.seen:
            self.expanded += 1
            if self.expanded > MAX_ALIAS_EXPANSION:
                self.problem(
                    node,
                    _(
                        "aliases expand this document beyond {max} extra nodes (alias bomb?); "
                        "write the data out"
                    ).format(max=MAX_ALIAS_EXPANSION),
                )
                raise _Abort
        self.seen.add(id(node))

    def scalar(self, node: yaml.ScalarNode) -> Any:
        text: str = node.value
        if len(text) > MAX_SCALAR_CHARS:
            self.problem(node, _long_text())
            return None
        # The C composer marks plain scalars with style "" and the pure one with None.
        if node.style or node.tag == _STR:
            # Quoted, block scalars, or plain scalars explicitly tagged !!str stay text.
            return text
        if text[:1] in "0+-" and LEADING_ZERO.fullmatch(text) is not None:
            self.problem(node, _leading_zero_text(text))
            return text
        return resolve_plain(text)

    def sequence(
        self, node: yaml.Node, depth: int, stack: frozenset[int]
    ) -> tuple[list[Any], list[Entry]]:
        out: list[Any] = []
        where: list[Entry] = []
        build, depth = self.build, depth + 1
        for child in node.value:
            mark = child.start_mark
            pos = pack_pos(*(mark.line + 1, mark.column + 1) * 2)
            value, inner = build(child, depth, stack)
            out.append(value)
            where.append(pos if inner is None else (pos, inner))
        return out, where

    def mapping(
        self, node: yaml.Node, depth: int, stack: frozenset[int]
    ) -> tuple[dict[str, Any], dict[str, Entry]]:
        out: dict[str, Any] = {}
        where: dict[str, Entry] = {}
        # Each key as YAML 1.2 compares keys: by value (`1` and `01`, `null` and `~` are one).
        values: dict[tuple[str, Any], str] = {}
        build, depth = self.build, depth + 1
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode:
                self.problem(key_node, _("mapping keys must be plain strings"))
                continue
            key = key_node.value
            if key_node.tag == _MERGE or (key == "<<" and not key_node.style):
                self.problem(
                    key_node, _("YAML merge keys (<<) are not supported: write the keys out")
                )
                continue
            if key_node.tag not in (_PLAIN, _STR):
                self.problem(key_node, _tag_text(key_node.tag))
                continue
            text = key_node.style or key_node.tag == _STR
            resolved = key if text else resolve_plain(key)
            identity = (type(resolved).__name__, resolved)
            if key in out or identity in values:
                first_key = key if key in out else values[identity]
                first = where[first_key]
                line = unpack_pos(first[0] if type(first) is tuple else first)[0]  # type: ignore[arg-type]
                if first_key == key:
                    message = _("duplicate key {key} (first at line {line})")
                else:
                    message = _(
                        "duplicate key {key}, the same key as {first} (first at line {line})"
                    )
                self.problem(
                    key_node, message.format(key=repr(key), first=repr(first_key), line=line)
                )
                continue
            values[identity] = key
            km, vm = key_node.start_mark, value_node.start_mark
            pos = pack_pos(km.line + 1, km.column + 1, vm.line + 1, vm.column + 1)
            out[key], inner = build(value_node, depth, stack)
            where[key] = pos if inner is None else (pos, inner)
        return out, where


class _Abort(Exception):
    """Stop building: the document is hostile or too large to continue safely."""


# What YAML 1.1 (libyaml) and YAML 1.2 read differently, refused where it stands: NEL, LS and
# PS are line breaks to libyaml (NEL inside a string became a space, LS and PS shifted every
# later line number), a byte-order mark after the start moved keys to another mapping.
_READ_DIFFERENTLY = re.compile("[\x85\u2028\u2029]|(?<=.)\ufeff", re.DOTALL)
_CHARACTER_NAMES = {
    "\x85": N_("U+0085 (next line, NEL)"),
    "\u2028": N_("U+2028 (line separator)"),
    "\u2029": N_("U+2029 (paragraph separator)"),
    "\ufeff": N_("U+FEFF (byte-order mark) after the start of the file"),
}


def _depth_text() -> str:
    return _("nesting deeper than {max} levels is not accepted").format(max=MAX_DEPTH)


def _long_text() -> str:
    return _("value longer than {max} characters").format(max=MAX_SCALAR_CHARS)


def _tag_text(tag: str) -> str:
    return _("YAML tag {tag} is not allowed in declarations").format(tag=repr(tag))


def _differently_read(text: str, display: str) -> Problem | None:
    found = _READ_DIFFERENTLY.search(text)
    if found is None:
        return None
    at = found.start()
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    code = ord(found.group())
    return Problem(
        display,
        line,
        column,
        _(
            "character {name} is read differently by YAML readers: remove it, or write it as "
            "the escape {escape} inside a double-quoted string"
        ).format(name=_(_CHARACTER_NAMES[found.group()]), escape=f"\\u{code:04x}"),
    )


def _parse_yaml(text: str, display: str) -> SourceFile:
    odd = _differently_read(text, display) if not text.isascii() else None
    if odd is not None:
        raise InputError([odd])
    if text and text[-1] not in "\n\r":
        # libyaml dropped the final line break of a block scalar ending the file (YAML 1.2
        # keeps it); a line break at the end changes nothing else.
        text += "\n"
    if any(c in text for c in "!&*?"):
        problems = _token_problems(text, display)
        if problems:
            raise InputError(problems)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        from hdsguard.declarations.yamlhints import explain  # only when a file is broken

        (line, col), message = explain(exc, text)
        raise InputError([Problem(display, line, col, message)]) from None
    except yaml.reader.ReaderError as exc:
        raise InputError([_reader_problem(text, display, exc)]) from None
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split())
        message = _("YAML error: {detail}").format(detail=message)
        raise InputError([Problem(display, None, None, message)]) from None
    except RecursionError:
        raise InputError([Problem(display, None, None, _("nesting too deep to read"))]) from None
    finally:
        loader.dispose()
    if node is None:
        return SourceFile(display, None, {})
    builder = _Builder(display, anchors="&" in text)
    try:
        data, where = builder.build(node, 0, frozenset())
    except _Abort:
        data, where = None, None
    if builder.problems:
        raise InputError(builder.problems)
    return SourceFile(display, data, {} if where is None else where)


_SEPARATES = frozenset(" \t\r\n,[]{}")


def composed_positions(text: str, display: str) -> Located | None:
    """Every position of ``text`` as the composer finds them, or None when it refuses the
    text: what completes the partial positions of a file read by the JSON fast path."""
    try:
        return _parse_yaml(text, display).positions
    except InputError:
        return None


def _token_problems(text: str, display: str) -> list[Problem]:
    """What libyaml's scanner reads otherwise than YAML 1.2, located: the non-specific tag
    ``!`` (libyaml resolved it like no tag), an anchor or alias name running on with a
    character libyaml stops at (``&an:chor``: YAML 1.2 names the anchor ``an:chor``), and
    ``?`` glued to a scalar in a flow collection (``[?x]``: a plain scalar in YAML 1.2, an
    explicit key to libyaml). Syntax errors are left to the composer, which words them."""
    problems: list[Problem] = []
    loader = _Loader(text)
    flow = 0

    def add(mark: Any, message: str) -> None:
        problems.append(Problem(display, mark.line + 1, mark.column + 1, message))

    lines = text.split("\n")

    def after(mark: Any) -> str:
        row = lines[mark.line] if mark.line < len(lines) else ""
        return row[mark.column : mark.column + 1]

    try:
        while (token := loader.get_token()) is not None:
            kind = type(token)
            if kind in (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken):
                flow += 1
            elif kind in (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken):
                flow -= 1
            elif kind is yaml.TagToken and token.value in (("!", ""), (None, "!")):
                add(token.start_mark, _("the non-specific tag '!' is not supported: remove it"))
            elif kind in (yaml.AnchorToken, yaml.AliasToken):
                following = after(token.end_mark)
                if following and following not in _SEPARATES:
                    add(
                        token.start_mark,
                        _(
                            "anchor or alias name {name} followed by {next}: YAML readers "
                            "disagree on where it ends; use letters, digits, - and _"
                        ).format(name=repr(token.value), next=repr(following)),
                    )
            elif kind is yaml.KeyToken and flow and after(token.start_mark) == "?":
                start = token.start_mark
                row = lines[start.line] if start.line < len(lines) else ""
                if row[start.column + 1 : start.column + 2] not in _SEPARATES | {""}:
                    add(start, _("'?' glued to a value in a flow collection: quote it ('?x')"))
    except yaml.YAMLError:
        pass  # the composer reports it, located
    finally:
        loader.dispose()
    return problems


def _reader_problem(text: str, display: str, exc: yaml.reader.ReaderError | None) -> Problem:
    """A character YAML refuses (NUL, other control characters), located, on one line."""
    # libyaml reports a byte offset; find the character itself for an exact column.
    found = yaml.reader.Reader.NON_PRINTABLE.search(text)
    known = exc.position if exc is not None and isinstance(exc.position, int) else 0
    position = found.start() if found else known
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    code = ord(text[position]) if position < len(text) else 0
    return Problem(
        display,
        line,
        column,
        _(
            "control character {code} is not allowed in a declaration file: remove it (write "
            "it as an escape such as \\x01 inside a double-quoted string if it is meant)"
        ).format(code=f"0x{code:02x}"),
    )


# ------------------------------------------------------------------------ JSON fast path


@cache
def _json_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(JSON key, line of pretty-printed JSON), compiled on the first JSON file."""
    # A JSON key: a string followed by a colon. After a string value, the scan goes on inside
    # it, where it may find what looks like a key: found keys are checked against the data.
    key = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"[ \t\n\r]*:[ \t\n\r]*')
    # Any line, as (what precedes the value, indentation) when a key comes first on it with
    # its value. No line starts inside a JSON string (a raw line break is not allowed in
    # one), and a string followed by a colon is a key: one findall over the text gives only
    # keys, with their lines, and all of them when as many as the data has. Pretty-printed
    # JSON has every key so; other texts are scanned for every key. A line with a character
    # YAML refuses or reads as a line break has no match: with fewer lines than the text, it
    # goes the YAML way, as YAML would read it otherwise (this replaced a scan of the whole
    # text for those characters). Possessive: nothing in a line is worth a second try.
    key_char = f"[{_KEY_CHARS}]"
    line = re.compile(
        rf'^(([ \t]*+)"{key_char}*+(?:\\[{_YAML_CHARS}]{key_char}*+)*+"[ \t]*+:[ \t]*+'
        rf"(?=[^ \t\r\n]))?+[{_YAML_CHARS}]*+\n",
        re.MULTILINE,
    )
    return key, line


# What may stand on a line of a text that both ways read alike, besides line feeds: not the
# characters YAML refuses (controls, DEL, U+FFFE...) though JSON strings may hold them raw,
# nor those YAML counts as line breaks and JSON does not (NEL, LS, PS). A regex class.
_YAML_CHARS = r"\t\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff"
# The same without the quote and the backslash: what a JSON string holds as it is.
_KEY_CHARS = _YAML_CHARS.replace(r"\x20-", r"\x20\x21\x23-\x5b\x5d-")


# A lone CR: a line break to editors and YAML, not to the JSON scans (lines end at LF).
_LONE_CR = re.compile(r"\r(?!\n)")


class _Fallback(Exception):
    """Not a plain strict-JSON document within limits: read the file as YAML instead."""


def _objects() -> tuple[Callable[[list[tuple[str, Any]]], dict[str, Any]], list[int]]:
    """What builds the objects of one JSON text, and the number of keys it has built: keys
    interned and equal string values shared, as the block-YAML reader does (declarations
    take less memory, and the cache less time to read)."""
    same: Any = {}.setdefault
    count = [0]

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out = {intern(k): same(v, v) if type(v) is str else v for k, v in items}
        if len(out) != len(items):
            raise _Fallback  # duplicate key: the YAML path reports it, located
        count[0] += len(out)
        return out

    return pairs, count


class _Constant(Exception):
    """NaN, Infinity or -Infinity: Python's json reads them, JSON has no such value."""


def _json_int(text: str) -> int | str:
    """An integer, or its text over Python's digit limit, as the YAML readers keep it."""
    try:
        return int(text)
    except ValueError:
        return text


def _constant(name: str) -> Any:
    raise _Constant(name)


# A \uD800-\uDBFF escape not followed by a \uDC00-\uDFFF one, or the second alone: JSON's
# grammar lets them through, but they are no character (a pair is one: json.dumps writes
# emoji so, and the pair is read as the emoji).
_LONE_SURROGATE = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


def _json_problem(text: str, display: str, offset: int, message: str) -> InputError:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return InputError([Problem(display, line, column, message)])


# A JSON string (its brackets are text) or a bracket: what the depth scan below counts.
_JSON_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _too_deep_offset(text: str) -> int | None:
    """Where the first array or object nested deeper than MAX_DEPTH opens: a depth the JSON
    reader gave up on (RecursionError) is located there, as the YAML reader locates a
    shallower one."""
    depth = 0
    for token in _JSON_BRACKETS.finditer(text):
        char = token.group()
        if char in "[{":
            if depth > MAX_DEPTH:
                return token.start()
            depth += 1
        elif char in "]}":
            depth -= 1
    return None


def _trailing_comma(text: str, at: int) -> int | None:
    """The offset of the comma when the JSON reader stopped at a closing bracket right after
    one (``{"a": 1,}``), the commonest slip of JSON written by hand; else None."""
    if text[at : at + 1] not in ("}", "]"):
        return None
    before = text[:at].rstrip(" \t\r\n")
    return len(before) - 1 if before.endswith(",") else None


def _parse_json(text: str, display: str) -> SourceFile:
    """A ``.json`` file: strict JSON, its data exactly as JSON reads it, or a located error.

    Positions come from the scans of the text (every key paired with the data); when they
    cannot pair (a key-like text inside a string, characters YAML reads as line breaks),
    from the YAML reader when it reads the very same data, else only down to the file."""
    if not text.strip(" \t\r\n"):
        return SourceFile(display, None, {})  # empty: declares nothing, as an empty YAML file
    control = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if control is not None:  # what YAML refuses, refused in JSON too, with the same words
        raise InputError([_reader_problem(text, display, None)])
    try:
        objects, count = _objects()
        data = json.loads(
            text, object_pairs_hook=objects, parse_constant=_constant, parse_int=_json_int
        )
    except json.JSONDecodeError as exc:
        from hdsguard.jsonwords import json_reason  # only a broken file needs it

        comma = _trailing_comma(text, exc.pos)
        if comma is not None:
            message = _(
                "not valid JSON: a trailing comma before {closer} (a .json file is read as "
                "strict JSON): remove the comma"
            ).format(closer=repr(text[exc.pos]))
            raise _json_problem(text, display, comma, message) from None
        if text.startswith(("//", "/*"), exc.pos):
            # A habit from JSONC and JavaScript: say that JSON has none, and where they are.
            message = _(
                "not valid JSON: JSON has no comments (a .json file is read as strict JSON): "
                "remove the comment, or write the file in YAML (.yaml), whose comments start "
                "with #"
            )
        else:
            message = _("not valid JSON (a .json file is read as strict JSON): {detail}").format(
                detail=json_reason(exc)
            )
        raise InputError([Problem(display, exc.lineno, exc.colno, message)]) from None
    except _Constant as exc:
        at = max(text.find(str(exc)), 0)
        message = _("{value} is not a JSON value").format(value=exc)
        raise _json_problem(text, display, at, message) from None
    except _Fallback:  # a duplicate key: the YAML reader locates it (the same keys to it)
        _parse_yaml(text, display)
        message = _("duplicate key in a JSON object")
        raise InputError([Problem(display, None, None, message)]) from None
    except RecursionError:
        deep = _too_deep_offset(text)
        if deep is None:
            raise InputError([Problem(display, None, None, _depth_text())]) from None
        raise _json_problem(text, display, deep, _depth_text()) from None
    if "\\u" in text:
        lone = _LONE_SURROGATE.search(text)
        if lone is not None:
            message = _("{escape} is half of a surrogate pair, not a character").format(
                escape=lone.group()
            )
            raise _json_problem(text, display, lone.start(), message)
    nulls = "null" in text  # json reads a null only from the word itself
    try:
        if "\r" not in text or _LONE_CR.search(text) is None:
            first = _keys_first_on_lines(text)
            if first is None or len(first[0]) != count[0]:
                # A key not first on its line (compact JSON), or a line the line scan does
                # not take (NEL, LS, PS, a control character in a string): every key.
                first = _every_key(text, data, count[0])
            positions = _JsonPositions(*first).collect(data)
            return SourceFile(display, data, positions, text, nulls, composed_positions)
    except (_Fallback, RecursionError):
        pass
    return SourceFile(display, data, _json_positions_otherwise(text, display, data), None, nulls)


def _json_positions_otherwise(text: str, display: str, data: Any) -> Located:
    """Positions of a JSON text the scans could not pair with its data. Over a limit (nesting,
    string length), the YAML reader's located refusal is raised."""
    limit = _over_limit(data, 0)
    try:
        source = _parse_yaml(text, display)
    except InputError as exc:
        if limit:  # the YAML reader words and locates the same limit
            raise
        del exc
        return EMPTY
    if limit:
        raise InputError([Problem(display, None, None, limit)])
    return source.positions if source.data == data else EMPTY


def _over_limit(node: Any, depth: int) -> str | None:
    if depth > MAX_DEPTH:
        return _depth_text()
    kind = type(node)
    if kind is str:
        return _long_text() if len(node) > MAX_SCALAR_CHARS else None
    items = node.items() if kind is dict else enumerate(node) if kind is list else ()
    for key, value in items:
        if type(key) is str and len(key) > MAX_SCALAR_CHARS:
            return _long_text()
        found = _over_limit(value, depth + 1)
        if found:
            return found
    return None


_LINE_BREAK = re.compile("\n")  # the only one: JSON with any other goes the YAML way
# The packed positions of the keys of a JSON text in document order, and the position of the
# "{" before a key, given the key's.
Keys = tuple[list[Pos], Callable[[Pos], Pos]]


def _keys_first_on_lines(text: str) -> Keys | None:
    """The keys that come first on their line with their value (see _json_patterns): every
    key of the text when there are as many as the data holds, as only keys are found. None
    when a line holds a character outside _YAML_CHARS."""
    if text[-1:] != "\n":
        text += "\n"
    found = _json_patterns()[1].findall(text)
    if len(found) != text.count("\n"):
        return None
    # pack_pos, inlined: this runs for every line of the file.
    keys = [
        (line << _COL_BITS | len(indent) + 1) << _VALUE_BITS | line << _COL_BITS | len(head) + 1
        for line, (head, indent) in enumerate(found, 1)
        if head
    ]
    lines: list[str] = []

    def brace(first: Pos) -> Pos:
        """The "{" that opens the object whose first key is at ``first``: between them, JSON
        allows only white space, so it ends the closest line before that is not blank."""
        if not lines:
            lines.extend(text.split("\n"))
        line = first >> _KEY_BITS
        while line > 1:
            line -= 1
            before = lines[line - 1].rstrip(" \t\r")
            if before:
                if before[-1] != "{":
                    raise _Fallback
                col = len(before)
                return pack_pos(line, col, line, col)
        raise _Fallback

    return keys, brace


def _every_key(text: str, data: Any, count: int) -> Keys:
    """Every key of the text, wherever it is on its line; _Fallback unless they are the
    ``count`` keys of ``data`` (a scan can also match in a string: ``"a \\": b"``)."""
    found = list(_json_patterns()[0].finditer(text))
    if len(found) != count:
        raise _Fallback
    for match, key in zip(found, _keys_in_order(data, 0), strict=True):
        raw = match[1]
        if raw != key and ("\\" not in raw or json.loads(f'"{raw}"') != key):
            raise _Fallback
    breaks = [m.start() for m in _LINE_BREAK.finditer(text)]

    def where(offset: int) -> tuple[int, int]:
        """1-based line and column of ``offset``."""
        before = bisect_left(breaks, offset)  # line breaks before the offset
        return before + 1, offset - (breaks[before - 1] if before else -1)

    keys = [pack_pos(*where(match.start(1) - 1), *where(match.end())) for match in found]

    def brace(first: Pos) -> Pos:
        """The last "{" before the key at ``first``."""
        line, col = first >> _KEY_BITS, first >> _VALUE_BITS & _COL_MASK
        quote = (breaks[line - 2] + 1 if line > 1 else 0) + col - 1
        return pack_pos(*where(text.rfind("{", 0, quote)) * 2)

    return keys, brace


def _keys_in_order(node: Any, depth: int) -> Iterator[str]:
    """The keys of JSON data in document order."""
    if depth > MAX_DEPTH:
        raise _Fallback
    if type(node) is dict:
        for key, value in node.items():
            yield key
            if type(value) is dict or type(value) is list:
                yield from _keys_in_order(value, depth + 1)
    elif type(node) is list:
        for item in node:
            yield from _keys_in_order(item, depth + 1)


class _JsonPositions:
    """Positions of every key and of every object in a list: every key of the text, in
    document order, paired with the data."""

    def __init__(self, keys: list[Pos], brace: Callable[[Pos], Pos]) -> None:
        self.keys = iter(keys)  # shared by the nested walks: a key's nested keys come first
        self.brace = brace

    def collect(self, data: Any) -> Where:
        kind = type(data)
        try:
            if kind is dict or kind is list:
                return self.walk(data, 0)
        except StopIteration:  # fewer keys found than the data holds
            raise _Fallback from None
        if kind is str and len(data) > MAX_SCALAR_CHARS:
            raise _Fallback
        return {}

    def walk(self, node: Any, depth: int) -> Where:
        if depth > MAX_DEPTH:
            raise _Fallback
        pos: Pos | None
        if type(node) is dict:
            found: dict[str, Entry] = {}
            keys = self.keys
            for key, value in node.items():
                pos = next(keys)
                # Scalars need no call: only containers are walked (most values are scalars).
                kind = type(value)
                if kind is dict or kind is list:
                    found[key] = (pos, self.walk(value, depth + 1))
                else:
                    if kind is str and len(value) > MAX_SCALAR_CHARS:
                        raise _Fallback
                    found[key] = pos
            return found
        items: list[Entry] = []  # a list: the root is an object or a list
        for item in node:
            kind = type(item)
            if kind is dict or kind is list:
                inner = self.walk(item, depth + 1)
                pos = None  # a list's position is not scanned for, nor an empty object's
                if kind is dict and inner:
                    first: Any = next(iter(inner.values()))  # type: ignore[union-attr]
                    # The item's "{" is the last one before its first key.
                    pos = self.brace(first[0] if type(first) is tuple else first)
                items.append((pos, inner))
            else:
                if kind is str and len(item) > MAX_SCALAR_CHARS:
                    raise _Fallback
                items.append(None)  # nor a scalar's
        return items


def _leading_zero_text(text: str) -> str:
    """What to write instead of a number written with a leading zero (`0750712184`)."""
    return _(
        "`{text}` is a number written with a leading zero, which YAML reads as {value}, "
        'dropping the zero: write it in quotes, `"{text}"`, if it is an identifier such as '
        "a FINESS number, or `{value}` if it is a number"
    ).format(text=text, value=int(text))
