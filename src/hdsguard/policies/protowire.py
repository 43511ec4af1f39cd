"""The protocol-buffer wire format, read: enough to decode a serialized checked CEL expression
(:mod:`.locality`, :mod:`.selffields`) without a protobuf dependency."""

from __future__ import annotations

from collections.abc import Iterator


def fields(data: bytes) -> Iterator[tuple[int, bytes | int]]:
    """The (field number, value) pairs of a protocol-buffer message: length-delimited fields
    as bytes, varints and fixed-width fields as ints."""
    pos = 0
    while pos < len(data):
        tag, pos = varint(data, pos)
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            value, pos = varint(data, pos)
            yield number, value
        elif wire == 2:
            size, pos = varint(data, pos)
            if pos + size > len(data):
                raise ValueError("truncated")
            yield number, data[pos : pos + size]
            pos += size
        elif wire in (1, 5):
            width = 8 if wire == 1 else 4
            if pos + width > len(data):
                raise ValueError("truncated")
            yield number, int.from_bytes(data[pos : pos + width], "little")
            pos += width
        else:
            raise ValueError(f"wire type {wire}")


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
