"""The protocol-buffer wire format, read: enough to decode a serialized checked CEL expression
(:mod:`.celtree`, which decodes it for every other reader, and :mod:`.listpart`, which cuts
pieces out of it) without a protobuf dependency."""

from __future__ import annotations

from collections.abc import Iterator

# The field numbers of cel.expr (checked.proto, syntax.proto) and google.protobuf.Any that the
# readers of a checked expression share (:mod:`.celtree`, :mod:`.listpart`).
CHECKED_URL = b"type.googleapis.com/cel.expr.CheckedExpr"
ANY_URL, ANY_VALUE = 1, 2  # google.protobuf.Any
CHECKED_REFERENCES, CHECKED_TYPES, CHECKED_EXPR = 2, 3, 4  # CheckedExpr
# Expr: its id, then the field of each kind of expression.
EXPR_ID, EXPR_CONST, EXPR_IDENT, EXPR_SELECT, EXPR_CALL = 2, 3, 4, 5, 6
EXPR_LIST, EXPR_STRUCT, EXPR_COMPREHENSION = 7, 8, 9
STRUCT_ENTRY, ENTRY_VALUES = 2, (3, 4)  # CreateStruct.entries; Entry.map_key, Entry.value
MAX_DEPTH = 200  # the runtime refuses deeper nesting long before this


def each(data: bytes) -> Iterator[tuple[int, int, bytes | int, int, int]]:
    """Each field of a protocol-buffer message: its number, wire type and value
    (length-delimited fields as bytes, varints and fixed-width fields as ints), and where its
    own bytes start and end in ``data`` (to copy it unchanged: :mod:`.listpart`). The one
    reading of the wire format's fields."""
    pos = 0
    while pos < len(data):
        start = pos
        tag, pos = varint(data, pos)
        number, wire = tag >> 3, tag & 7
        value: bytes | int
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
        yield number, wire, value, start, pos


def fields(data: bytes) -> Iterator[tuple[int, bytes | int]]:
    """The (field number, value) pairs of a protocol-buffer message (:func:`each`)."""
    for number, _wire, value, _start, _end in each(data):
        yield number, value


def first(data: bytes, wanted: int) -> bytes | None:
    """The first length-delimited field ``wanted`` of a message, the others skipped unread (a
    checked expression's reference and type maps come before its expression)."""
    pos = 0
    while pos < len(data):
        tag, pos = varint(data, pos)
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            pos = varint(data, pos)[1]
        elif wire == 2:
            size, pos = varint(data, pos)
            if number == wanted:
                return data[pos : pos + size] if pos + size <= len(data) else None
            pos += size
        elif wire in (1, 5):
            pos += 8 if wire == 1 else 4
        else:
            raise ValueError(f"wire type {wire}")
    return None


def varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise ValueError("bad varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
