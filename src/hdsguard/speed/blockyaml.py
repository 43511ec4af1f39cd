"""Fast path for the YAML most declaration files are written in: simple block style.

PyYAML's composer creates a node and two mark objects for every scalar, and that is most of
the time a first run spends reading declarations. Hand-written (and generated) declaration
files nearly always use a small part of YAML: block mappings with plain keys, block sequences,
single-line scalars, and short flow lists. :func:`parse_block` reads that subset line by line
and returns exactly what :func:`~hdsguard.declarations.yamlsource._parse_yaml` would: the same data
(same types, same key order) and the same positions, packed the same way.

It never reports an error. Whatever it does not recognise with certainty (block scalars,
multi-line scalars, anchors, tags, quoted or complex keys, escapes in double-quoted strings,
duplicate keys, several documents, tabs, control characters and unusual line breaks, nesting
or values over the limits, indentation YAML would refuse...) makes it return None, and the file
is read by the composer, which gives the data or the located message as before. The
conformance tests (tests/test_blockyaml.py) compare both ways on every example, fixture and
policy, on a generated set, and on random documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain
from sys import intern
from typing import Any, Final

from hdsguard.declarations.located import _COL_BITS, _LINE_BITS, Entry, SourceFile, Where
from hdsguard.declarations.scalars import (
    _NUMBER_START,
    _SPECIAL,
    MAX_DEPTH,
    MAX_SCALAR_CHARS,
    resolve_plain,
)

# Anything but the printable characters YAML accepts, minus what YAML reads differently from a
# line-oriented reader: tab (indentation rules, separators), CR, NEL, LS, PS (line breaks to
# libyaml, not to this reader), the BOM, and the characters libyaml refuses outright.
_UNUSUAL = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# What may be a plain scalar that is a number written with a leading zero (`ej: 0750712184`,
# `- 010`, `[1, 010]`), which the composer refuses at its place: left to it. The whole scalar,
# after an indicator and a space, or alone on its line: a name ending in digits
# (`name: Site 0001`) or a date (`2026-01-05`) does not match; a false alarm (`a - 01`) only
# costs the fast path for that file.
_LEADING_ZERO = re.compile(
    r"(?:^[ ]*|[:-][ ]+|[\[{,][ ]*)[-+]?0[0-9]+[ ]*(?=$|#|[,\]}])", re.MULTILINE
)
# A plain scalar may not start with an indicator or a space; "-" may start one before a digit
# or a dot (negative numbers), as "- " is a sequence entry.
_PLAIN_START = r"""(?:[^\s#'"\[\]{}&*!|>%@`?:,-]|-(?=[0-9.]))"""
# The plain scalars the line pattern takes as they are: a plain start, no ": ", no " #"
# (comment), no trailing space or ":", and, more strictly than YAML, no two spaces or colons
# in a row and no ":#". Atomic, so that a line it does not fit falls to (.*) at once.
_SIMPLE = r"(?>[^-?:,\[\]{}#&*!|>'\"%@` \n][^ :\n]*+(?:[ :][^ :#\n][^ :\n]*+)*+)"
# Every line of the text (which then ends with a line break) as (what precedes the key or the
# value: indentation and "- ", that "- ", a plain key with its ": ", a simple plain value, or
# else the rest of the line). A findall over whole lines (:func:`_pieces`) gives one match per
# line, as nothing in the pattern crosses a line break. A simple key's ":" must come within 1024
# characters (libyaml). Each group costs a string per line, the largest part of the time spent
# here: so there are few, and the indentation shares one with the "- ".
_LINES = re.compile(
    r"( *(- +|-(?=\n))?)(?:(\w[\w.-]{0,999}):(?: |(?=\n)))?" rf"(?:({_SIMPLE})\n|(.*)\n)"
)
# Any single-line plain scalar, and what may follow it on its line: spaces, a comment. Its ": "
# or final ":" is refused by _value (YAML would read a mapping there, or fail).
_PLAIN = re.compile(rf"({_PLAIN_START}[^ ]*(?: +[^ #][^ ]*)*) *(?:#.*)?")
# What may follow a quoted scalar or a flow collection on its line. libyaml also takes "#"
# right after a closing quote as a comment; keeping a space before it is merely conservative.
_TAIL = r"(?: +(?:#.*)?)?"
_SINGLE = re.compile(rf"'([^']*(?:''[^']*)*)'{_TAIL}")
# Without a backslash a double-quoted scalar is its text; escapes are left to the composer.
_DOUBLE = re.compile(rf'"([^"\\]*)"{_TAIL}')
_EMPTY_FLOW = re.compile(rf"(\[ *\]|\{{ *\}}){_TAIL}")
# A scalar in a flow collection: quoted, or plain without the characters that end or
# complicate one there (",", brackets, braces, and ":" and "#", which libyaml treats
# differently in flow context across versions).
_FLOW_SCALAR = rf"""'([^']*(?:''[^']*)*)'|"([^"\\]*)"|({_PLAIN_START}[^,\[\]{{}}#:]*)"""
_FLOW_ITEM = re.compile(rf" *(?:{_FLOW_SCALAR}) *([,\]])")
_FLOW_PAIR = re.compile(rf" *(\w[\w.-]{{0,999}}): +(?:{_FLOW_SCALAR}) *([,}}])")
_FLOW_END = re.compile(_TAIL)

# A block (mapping or sequence) at this depth has scalars one level down and flow collections'
# items two: all within MAX_DEPTH, which the builder checks on every node.
_MAX_BLOCK_DEPTH: Final = MAX_DEPTH - 2
_MAP, _SEQ, _INDENTLESS = 0, 1, 2
_DECLINE: Final = object()
_EMPTY: Final = object()  # no value on the line, or only a comment
# pack_pos ORs four fields that do not overlap: key line << 80 | key column << 54 | value line
# << 26 | value column. A line number times this is that line in both line fields.
_VALUE_BITS: Final = _LINE_BITS + _COL_BITS
_BOTH_LINES: Final = 1 << (_VALUE_BITS + _COL_BITS) | 1 << _COL_BITS

# Indentations up to this keep every column of a block entry below 2**_COL_BITS (keys are at
# most 1000 characters), so that the loop may add a column where pack_pos ORs it.
_MAX_INDENT: Final = 1 << (_COL_BITS - 1)

_Frame = tuple[int, Any, Any, int, int, int]

# The lines of a file are matched a piece of about this many characters at a time.
_PIECE: Final = 1 << 16


def _pieces(text: str) -> Iterator[str]:
    """``text`` (which ends with a line break) in pieces of whole lines, about ``_PIECE``
    characters each. One ``findall`` over a whole file held every line's match at once (a
    file of 2,500 objects: 55,000 tuples and their strings) while the data it becomes was
    being built: freed, they left holes among the data's objects, which a first run then
    carried (≈ 3–4 MiB more at the fork of a 10k-object run than one read from the cache,
    and pages a helper shares with the parent). No line is split: the pattern never crosses
    a line break and every match ends with one."""
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", start + _PIECE) + 1 or size
        yield text[start:end]
        start = end


def parse_block(text: str, display: str) -> SourceFile | None:
    """The SourceFile the YAML composer would give for ``text``, or None when not sure."""
    if "\r" in text:
        # libyaml counts CR LF as one line break and leaves it out of scalars, as LF.
        text = text.replace("\r\n", "\n")
    if _UNUSUAL.search(text) is not None or _LEADING_ZERO.search(text) is not None:
        return None
    if text and text[-1] != "\n":
        text += "\n"
    # The loop runs once per line of every declaration file: everything it uses is local.
    col_bits, value_bits, both_lines = _COL_BITS, _VALUE_BITS, _BOTH_LINES
    number_start, special, resolve, value_of = _NUMBER_START, _SPECIAL, resolve_plain, _value
    max_chars, max_depth, max_indent = MAX_SCALAR_CHARS, _MAX_BLOCK_DEPTH, _MAX_INDENT
    decline, empty, is_map, is_seq, indentless = _DECLINE, _EMPTY, _MAP, _SEQ, _INDENTLESS
    # Keys are few and repeated in every object: one string each, shared with the other files
    # (interned). Values repeat too (dates, states, the ids of what many objects reference):
    # one string each per file. Data of the 10k-object benchmark set: 24.7 -> 10.9 MiB.
    same: Any = {}.setdefault
    # The block the current line belongs to: indentation, container, its positions (a dict
    # or list like the container, see yamlsource.Where), depth, kind, and for a mapping its
    # keys' column shifted into place plus the value column of a key of length 0. The blocks
    # around it wait on the stack.
    c_obj: Any = None
    c_where: Any = None
    c_ind, c_depth, c_kind, c_kv = -1, -1, is_map, 0
    stack: list[_Frame] = []
    # What precedes a key of the current block when it is a mapping and no entry is pending
    # (None otherwise): such a line, most lines of a file, skips the structural checks.
    c_lead: str | None = None
    # The entry whose value is not on its line ("key:" or "-"), until the next line says whether
    # a nested block or nothing (null) follows: its container, its positions and its slot
    # there, depth, the indentation of its block, its key part (-1 for a sequence item) and
    # its position if null. The document itself starts as one (its own position is dropped).
    holder: list[Any] = [None]
    holder_where: list[Entry] = [None]
    pending = True
    p_obj: Any = holder
    p_where: Any = holder_where
    p_slot: Any = 0
    p_depth, p_owner, p_keypos, p_null = 0, -1, -1, 0
    started = False  # "---" was seen: accepted once, before any content
    nulls = False  # an entry without a value was seen (the written-out nulls: see the end)
    lineno = 0
    for lead, dash, key, simple, rest in chain.from_iterable(map(_LINES.findall, _pieces(text))):
        lineno += 1
        if lead != c_lead or not key:
            if not key and not dash:
                if simple or (rest and rest[0] != "#"):
                    if lead or started or c_obj is not None or rest.rstrip(" ") != "---":
                        return None
                    started = True
                continue  # blank or comment line
            c_lead = None
            n = len(lead) - len(dash) if dash else len(lead)

            if pending:
                pending = False
                if n > p_owner or (n == p_owner and dash and p_keypos >= 0):
                    # A nested block opens: it is the pending entry's value.
                    if p_depth > max_depth or n > max_indent:
                        return None
                    new: Any
                    if dash:
                        new, kind = [], is_seq
                        if n == p_owner:
                            # At its key's indentation: an "indentless" sequence, which ends at
                            # the next key of that mapping.
                            kind = indentless
                    else:
                        new, kind = {}, is_map
                    new_where: Any = [] if dash else {}
                    p_obj[p_slot] = new
                    value = lineno << col_bits | (n + 1)
                    p_where[p_slot] = (
                        (p_keypos if p_keypos >= 0 else value << value_bits) | value,
                        new_where,
                    )
                    if c_obj is not None:
                        stack.append((c_ind, c_obj, c_where, c_depth, c_kind, c_kv))
                    c_ind, c_obj, c_where, c_depth, c_kind = n, new, new_where, p_depth, kind
                    c_kv = (n + 1) << value_bits | (n + 3)
                else:
                    p_where[p_slot] = p_null
                    nulls = True

            # Back to the block this line continues: its indentation must be that block's.
            while n < c_ind or (n == c_ind and c_kind == indentless and not dash):
                if not stack:
                    return None
                c_ind, c_obj, c_where, c_depth, c_kind, c_kv = stack.pop()
            if n != c_ind:
                return None

            if c_kind == is_map:
                if dash:
                    return None
            else:
                if not dash:
                    return None
                n = len(lead)  # the column of what follows "- "
                base = lineno * both_lines
                if not key:
                    col = n
                    if simple:
                        if len(simple) > max_chars:
                            return None
                        if simple[0] in number_start:
                            item = (
                                simple
                                if simple[4:5] == "-" and simple[3] not in "eE"
                                else resolve(simple)
                            )
                        elif simple in special:
                            item = special[simple]
                        else:
                            item = same(simple, simple)
                        c_where.append(base | (col + 1) << value_bits | (col + 1))
                    else:
                        item, col, inner = value_of(rest, lineno, n)
                        if item is decline:
                            return None
                        if item is empty:
                            c_obj.append(None)
                            c_where.append(None)
                            pending, p_obj, p_where, p_slot = True, c_obj, c_where, len(c_obj) - 1
                            p_depth, p_owner, p_keypos = c_depth + 1, c_ind, -1
                            p_null = base | (c_ind + 2) << value_bits | (c_ind + 2)
                            continue
                        pos = base | (col + 1) << value_bits | (col + 1)
                        c_where.append(pos if inner is None else (pos, inner))
                    c_obj.append(item)
                    continue
                # "- key: ...": a mapping whose further keys align with this one.
                if c_depth >= max_depth or n > max_indent:
                    return None
                new = {}
                new_where = {}
                c_obj.append(new)
                c_where.append((base | (n + 1) << value_bits | (n + 1), new_where))
                stack.append((c_ind, c_obj, c_where, c_depth, c_kind, c_kv))
                c_ind, c_obj, c_where, c_depth, c_kind = n, new, new_where, c_depth + 1, is_map
                c_kv = (n + 1) << value_bits | (n + 3)
            c_lead = " " * c_ind

        # A "key: ..." entry of the mapping c_obj, at column c_ind.
        key = intern(key)
        if key in c_obj:
            return None
        if (key[0] in number_start or key in special) and type(resolve(key)) is not str:
            return None  # `1:` and `01:` are one key to YAML 1.2: the composer compares them
        if simple:
            if len(simple) > max_chars:
                return None
            if simple[0] in number_start:
                # Dates are common and stay strings: a number has a "-" only first or after
                # an exponent's "e", so a date is known without the number pattern.
                c_obj[key] = (
                    same(simple, simple)
                    if simple[4:5] == "-" and simple[3] not in "eE"
                    else resolve(simple)
                )
            elif simple in special:
                c_obj[key] = special[simple]
            else:
                c_obj[key] = same(simple, simple)
            # The value column is c_ind + len(key) + 3: below 2**_COL_BITS, so adding is OR-ing.
            c_where[key] = lineno * both_lines | (c_kv + len(key))
            continue
        if rest:
            value, col, inner = value_of(rest, lineno, c_ind + len(key) + 2)
            if value is decline:
                return None
            if value is not empty:
                c_obj[key] = value
                pos = lineno * both_lines | c_kv >> col_bits << col_bits | (col + 1)
                c_where[key] = pos if inner is None else (pos, inner)
                continue
        c_obj[key] = None
        c_where[key] = None  # set with the next line; meanwhile, keeps the keys' order
        c_lead = None
        pending, p_obj, p_where, p_slot = True, c_obj, c_where, key
        p_depth, p_owner = c_depth + 1, c_ind
        p_keypos = lineno << (value_bits + col_bits) | c_kv >> col_bits << col_bits
        p_null = p_keypos | lineno << col_bits | (c_ind + len(key) + 2)

    if pending:
        p_where[p_slot] = p_null
        nulls = True
    root = holder_where[0]
    # Other nulls are written out: null, Null, NULL or ~ (also found in a string, which merely
    # costs a walk).
    nulls = nulls or "null" in text or "Null" in text or "NULL" in text or "~" in text
    return SourceFile(display, holder[0], root[1] if type(root) is tuple else {}, nulls=nulls)


def _value(text: str, line: int, col: int) -> tuple[Any, int, Where | None]:
    """(value, 0-based column, positions of its items) of what ``text`` at (``line``, 0-based
    ``col``) holds when the line pattern did not take it as a simple plain scalar: _EMPTY for
    nothing or a comment; a plain scalar with spaces or a comment after it, a quoted scalar,
    a flow list or mapping of scalars (the only values with items); _DECLINE for anything
    else. The caller records the value's own position."""
    if text[:1] == " ":
        stripped = text.lstrip(" ")
        col += len(text) - len(stripped)
        text = stripped
    if not text or text[0] == "#":
        return _EMPTY, col, None
    first = text[0]
    if first == "'":
        match = _SINGLE.fullmatch(text)
        if match is None or len(found := match[1].replace("''", "'")) > MAX_SCALAR_CHARS:
            return _DECLINE, col, None
        return found, col, None
    if first == '"':
        match = _DOUBLE.fullmatch(text)
        if match is None or len(match[1]) > MAX_SCALAR_CHARS:
            return _DECLINE, col, None
        return match[1], col, None
    if first == "[" or first == "{":
        if _EMPTY_FLOW.fullmatch(text) is not None:
            return ([], col, []) if first == "[" else ({}, col, {})
        if first == "[":
            items: list[Entry] = []
            return _flow_list(text, line, col, items), col, items
        keys: dict[str, Entry] = {}
        return _flow_map(text, line, col, keys), col, keys
    match = _PLAIN.fullmatch(text)
    if match is None:
        return _DECLINE, col, None
    plain = match[1]
    if ": " in plain or plain[-1] == ":" or len(plain) > MAX_SCALAR_CHARS:
        return _DECLINE, col, None
    return resolve_plain(plain), col, None


def _flow_scalar(match: re.Match[str], group: int) -> tuple[Any, int]:
    """(value, 0-based offset of its first character) of the scalar _FLOW_SCALAR matched from
    ``group``; the value is _DECLINE when over the limit."""
    single, double, plain = match[group], match[group + 1], match[group + 2]
    if single is not None:
        value: Any = single.replace("''", "'")
        start = match.start(group) - 1
    elif double is not None:
        value, start = double, match.start(group + 1) - 1
    else:
        value, start = plain.rstrip(" "), match.start(group + 2)
    if len(value) > MAX_SCALAR_CHARS:
        return _DECLINE, start
    return (value if plain is None else resolve_plain(value)), start


def _flow_list(text: str, line: int, col: int, where: list[Entry]) -> Any:
    """The items of the flow list ``text``, their positions appended to ``where``."""
    out: list[Any] = []
    offset, base = 1, line * _BOTH_LINES
    while True:
        match = _FLOW_ITEM.match(text, offset)
        if match is None:
            return _DECLINE
        value, start = _flow_scalar(match, 1)
        if value is _DECLINE:
            return _DECLINE
        column = col + start + 1
        where.append(base | column << _VALUE_BITS | column)
        out.append(value)
        offset = match.end()
        if match[4] == "]":
            break
    if _FLOW_END.fullmatch(text, offset) is None:
        return _DECLINE
    return out


def _flow_map(text: str, line: int, col: int, where: dict[str, Entry]) -> Any:
    """The pairs of the flow mapping ``text``, their positions put in ``where``."""
    out: dict[str, Any] = {}
    offset, base = 1, line * _BOTH_LINES
    while True:
        match = _FLOW_PAIR.match(text, offset)
        if match is None:
            return _DECLINE
        key = match[1]
        value, start = _flow_scalar(match, 2)
        if value is _DECLINE or key in out:
            return _DECLINE
        out[key] = value
        where[key] = base | (col + match.start(1) + 1) << _VALUE_BITS | (col + start + 1)
        offset = match.end()
        if match[5] == "}":
            break
    if _FLOW_END.fullmatch(text, offset) is None:
        return _DECLINE
    return out
