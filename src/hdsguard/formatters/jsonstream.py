"""JSON written piece by piece, byte for byte what ``json.dumps(value, indent=2,
ensure_ascii=False)`` gives for the whole document.

``json.dumps`` with an indent falls back to the pure-Python encoder and returns one string:
at 10k objects that is ~4 M pieces joined into 50 M characters, built before the first byte
is written. Here a :class:`Streamed` list is produced item by item and each item is written
as soon as it is encoded, strings through the C string encoder; only one finding's text is
ever held at a time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from json.encoder import encode_basestring
from typing import Any

Write = Callable[[str], object]


class Streamed:
    """A JSON array whose items are produced (and written) one at a time.

    ``encoder``, when given, turns an item into its JSON text at the indentation whose line
    break it is passed, as :func:`encode` would (the report's 100,000 findings are each
    written by one function that knows their shape, not walked twice by the general one).
    ``texts``, when given, does that for all the items at once: it yields their texts, a few
    items at a time, each item after the separator from the one before (``,`` then the line
    break), so that the writer's loop runs once, not once per item; given ``encoder`` alone,
    ``texts`` is made from it."""

    __slots__ = ("encoder", "items", "texts")

    def __init__(
        self,
        items: Iterable[Any],
        encoder: Callable[[Any, str], str] | None = None,
        texts: Callable[[Iterable[Any], str], Iterable[str]] | None = None,
    ) -> None:
        self.items = items
        self.encoder = encoder
        if texts is None and encoder is not None:
            texts = _batched(encoder)
        self.texts = texts


def _batched(encoder: Callable[[Any, str], str]) -> Callable[[Iterable[Any], str], Iterator[str]]:
    """``texts`` for an ``encoder`` of one item: :data:`_BATCH` items at a time, each after
    the separator from the one before."""

    def texts(items: Iterable[Any], nl: str) -> Iterator[str]:
        sep, lead = "," + nl, ""
        batch: list[str] = []
        for item in items:
            batch.append(encoder(item, nl))
            if len(batch) == _BATCH:
                yield lead + sep.join(batch)
                batch.clear()
                lead = sep
        if batch:
            yield lead + sep.join(batch)

    return texts


class _Encoded(str):
    """Text an item's encoder already wrote, at its place."""

    __slots__ = ()


# Encoded items handed to ``write`` together: one call per item (the output's chunks, a
# Python method) cost a fifth of writing a JSON report; 4 findings stay a few KB.
_BATCH = 4


def dump(value: Any, write: Write) -> None:
    """Write ``value`` as ``json.dumps(value, indent=2, ensure_ascii=False)`` would."""
    _write(value, write, "\n")


def _write(value: Any, write: Write, nl: str) -> None:
    inner = nl + "  "
    if isinstance(value, Streamed) and value.texts is not None:
        opened = False
        for text in value.texts(value.items, inner):
            if not opened:
                write("[" + inner)
                opened = True
            write(text)
        write(nl + "]" if opened else "[]")
    elif isinstance(value, Streamed) or (type(value) in (list, tuple) and _streams(value)):
        first = True
        for item in value.items if isinstance(value, Streamed) else value:
            write(("[" if first else ",") + inner)
            _write(item, write, inner)
            first = False
        write("[]" if first else nl + "]")
    elif type(value) is dict and _streams(value):
        first = True
        for key, item in value.items():
            write(("{" if first else ",") + inner + encode_basestring(key) + ": ")
            _write(item, write, inner)
            first = False
        write(nl + "}")
    else:
        write(encode(value, nl))


def _streams(value: Any) -> bool:
    """Whether a Streamed list is somewhere in ``value`` (then it is written item by item)."""
    if isinstance(value, Streamed):
        return True
    if type(value) in (list, tuple):
        return any(_streams(item) for item in value)
    if type(value) is dict:  # keys: only strings can hold a Streamed list below them
        return all(type(k) is str for k in value) and any(map(_streams, value.values()))
    return False


def encode(value: Any, nl: str) -> str:
    """``value`` at the indentation whose line break is ``nl`` (``"\\n"`` plus the spaces of
    its level). Strings, numbers, lists and dicts with string keys take the fast path; anything
    else is handed to ``json.dumps`` and re-indented (its strings never hold a raw newline)."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = nl + "  "
        return "[" + inner + ("," + inner).join([encode(v, inner) for v in value]) + nl + "]"
    if kind is dict and all(type(k) is str for k in value):
        if not value:
            return "{}"
        inner = nl + "  "
        items = [encode_basestring(k) + ": " + encode(v, inner) for k, v in value.items()]
        return "{" + inner + ("," + inner).join(items) + nl + "}"
    if isinstance(value, Streamed):
        if value.texts is not None:
            texts = "".join(value.texts(value.items, nl + "  "))
            return "[" + nl + "  " + texts + nl + "]" if texts else "[]"
        if value.encoder is not None:
            return encode([_Encoded(value.encoder(v, nl + "  ")) for v in value.items], nl)
        return encode(list(value.items), nl)
    if kind is _Encoded:
        return str(value)
    # StrEnum members, floats, int subclasses, non-string keys: exactly as json.dumps does.
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", nl)
