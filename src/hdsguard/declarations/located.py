"""A parsed declaration file: its data and where every key and value of it is.

What the rest of hdsguard needs of a file once it is read (a finding's file:line:column, the
cached form of a file), apart from how it is read (:mod:`.yamlsource`, and the fast paths of
:mod:`hdsguard.speed`). A warm run reads every file from the cache and needs only this: it
does not import YAML (about 10 ms of a pre-commit hook's 0.13 s run).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

Path = tuple[str | int, ...]
# (key line, key column, value line, value column), 1-based. For list items key == value.
Pos = int  # key line, key column, value line, value column: packed, see pack_pos()
# Where everything of a file is: positions mirror the data. A mapping's positions are a dict
# from each of its keys to that entry's, a sequence's a list with one entry per item. An entry
# is the packed position of a scalar or null value, and (packed position, positions of its
# content) for a mapping or a sequence; None where nothing was recorded (the JSON fast path,
# see SourceFile.locate). A flat dict keyed by path tuples cost one tuple per key: at 10k
# objects 28 MiB, against 17 MiB for the mirror, which also reads and writes faster.
# That is how readers build them; a SourceFile keeps them as Located (below).
Entry: TypeAlias = Pos | tuple[Pos | None, "Where"] | None
Where: TypeAlias = dict[str, Entry] | list[Entry]
# What a SourceFile keeps of a Where: per mapping or sequence, a node (its keys, None for a
# sequence; its entries' packed positions, _SLOT bytes each, little-endian, 0 where none was
# recorded; the nodes of its entries that are containers, None when none is), and () for an
# empty one. The keys of same-shaped objects are one tuple; a mapping of more than _SEARCHED
# keys has them as a dict from each key to its index instead (found without a search, which
# for every key of a mapping of n keys costs n**2 comparisons). At 10k objects the mirror of
# dicts and ints held 18 MB while every rule ran (27,600 dicts, 212,000 ints of 40 bytes),
# and a forked helper copied the pages it read (reference counts are writes): these nodes
# hold the same positions in ≈ 5 MB and reading one touches no int object.
Located: TypeAlias = tuple[Any, ...]
EMPTY: Located = ()
_SLOT = 14  # bytes of a packed position: 108 bits
_SEARCHED = 32

# Columns up to 2**26 - 1: a file of MAX_FILE_BYTES (32 MiB) on one line fits (minified
# JSON); lines up to 2**28 - 1. Packed, both positions fit in four 30-bit digits of an int.
_COL_BITS = 26
_LINE_BITS = 28
_COL_MASK = (1 << _COL_BITS) - 1
_VALUE_BITS = _LINE_BITS + _COL_BITS
_KEY_BITS = _VALUE_BITS + _COL_BITS  # a packed position shifted by this is its key line
_LINE_MASK = (1 << _LINE_BITS) - 1


def pack_pos(key_line: int, key_col: int, value_line: int, value_col: int) -> Pos:
    """One int instead of a 4-tuple: positions are kept for every key of every file, and at
    100k objects the tuples alone cost hundreds of MB."""
    key = (key_line << _COL_BITS) | key_col
    value = (value_line << _COL_BITS) | value_col
    return (key << _VALUE_BITS) | value


def unpack_pos(pos: Pos) -> tuple[int, int, int, int]:
    value = pos & ((1 << (_LINE_BITS + _COL_BITS)) - 1)
    key = pos >> (_LINE_BITS + _COL_BITS)
    return (
        (key >> _COL_BITS) & _LINE_MASK,
        key & _COL_MASK,
        (value >> _COL_BITS) & _LINE_MASK,
        value & _COL_MASK,
    )


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One parsed declaration file: its data and the position of everything in it.

    ``nulls`` is False only when the data certainly holds no null (None) anywhere, which
    spares merging a walk of every object to drop them (:func:`.merge.without_nulls`).

    ``text`` is kept only while ``positions`` is partial (JSON fast path); :meth:`locate`
    completes the positions from it the first time it needs one that is missing. A file read
    from the cache keeps its bytes there instead (UTF-8, decoded then): most runs never need
    them, and decoding every JSON file on every warm run cost ≈ 4 ms at 10k objects.

    A file read from the cache gets its positions as a function that makes them, called the
    first time they are needed (:attr:`positions`): a warm run whose findings all come from
    the findings memo locates nothing, and making every file's positions cost it ≈ 16 ms at
    10k objects.
    """

    path: str
    data: Any
    _positions: Located | Where | Callable[[], Located | Where]
    text: str | bytes | None = None
    nulls: bool = True
    # What completes partial positions from ``text`` (the composer's positions, None when it
    # refuses the text): given by the reader that left them partial, so that this module,
    # which a warm run imports, imports no reader (and no YAML).
    reread: Callable[[str, str], Located | None] | None = None

    def __post_init__(self) -> None:
        # Made compact at once, before anything runs on the file (and before a fork).
        if not callable(self._positions):
            object.__setattr__(self, "_positions", compact(self._positions))

    @property
    def positions(self) -> Located:
        where = self._positions
        if callable(where):
            where = compact(where())
            object.__setattr__(self, "_positions", where)
        return where  # type: ignore[return-value]  # compact: see __post_init__

    def locate(self, path: Path, *, value: bool = False) -> tuple[int, int]:
        """Line and column of ``path``, or of its closest declared ancestor."""
        depth, pos, _ = _walk(self.positions, path)
        if depth < len(path) and self.text is not None and _exists(self.data, path[: depth + 1]):
            self._complete()
            depth, pos, _ = _walk(self.positions, path)
        return _place(pos, value)

    def _complete(self) -> None:
        text, reread = self.text, self.reread
        object.__setattr__(self, "text", None)
        if reread is None:
            return
        if isinstance(text, bytes):
            text = text.decode("utf-8-sig")  # read without error before: cached
        full = reread(text or "", self.path)
        # The same positions where both have one (tests/test_parsing_conformance.py), and all;
        # none when the composer refuses strict JSON (rare): keep the positions we have.
        if full is not None:
            object.__setattr__(self, "_positions", full)


_MISSING: Any = object()


def _walk(
    where: Located | None, path: Sequence[str | int]
) -> tuple[int, Pos | None, Located | None]:
    """How many steps of ``path`` lead to its deepest recorded position, that position (0 and
    None when not even the first step has one), and the positions of what the whole path
    leads to (None if it leads nowhere or to a scalar). Nodes that are not what
    :func:`compact` makes (only a forged cache entry can hold them) lead nowhere."""
    depth, found = 0, None
    node = where
    for steps, step in enumerate(path, 1):
        if not node:
            return depth, found, None
        try:
            keys, packed, kids = node
            if keys is None:
                if type(step) is not int or step < 0:
                    return depth, found, None
                at = step
            elif type(keys) is tuple:
                at = keys.index(step)
            else:
                at = keys[step]
            start = at * _SLOT
            end = start + _SLOT
            if end > len(packed):
                return depth, found, None
            pos = _from_bytes(packed[start:end], "little")
            node = kids[at] if kids is not None else None
        except (ValueError, TypeError, IndexError, AttributeError, KeyError):
            return depth, found, None
        if pos:
            depth, found = steps, pos
    return depth, found, node


_from_bytes = int.from_bytes  # bound once: _walk runs for every finding located


def compact(where: Located | Where) -> Located:
    """The Located form of ``where`` (itself when it is one already)."""
    if type(where) is tuple:
        return where
    return _compact(where, {})  # type: ignore[arg-type]


def _compact(where: Where, shapes: dict[tuple[str, ...], tuple[str, ...]]) -> Located:
    if not where:
        return EMPTY
    keys: tuple[str, ...] | dict[str, int] | None = None
    entries: Iterable[Entry]
    if isinstance(where, dict):
        if len(where) > _SEARCHED:
            keys = {key: at for at, key in enumerate(where)}
        else:
            shape = tuple(where)
            keys = shapes.setdefault(shape, shape)
        entries = where.values()
    else:
        entries = iter(where)
    packed: list[int] = []
    kids: list[Located | None] | None = None
    for at, entry in enumerate(entries):
        if type(entry) is tuple:
            pos, inner = entry
            if kids is None:
                kids = [None] * len(where)
            kids[at] = _compact(inner, shapes)
            packed.append(pos or 0)
        else:
            packed.append(entry or 0)  # type: ignore[arg-type]
    return (
        keys,
        b"".join([p.to_bytes(_SLOT, "little") for p in packed]),
        None if kids is None else tuple(kids),
    )


class Anchor:
    """A path of a source file under which many paths are located (the fields of a declared
    object, for its findings): the positions down to it are looked up once."""

    __slots__ = ("_depth", "_node", "_pos", "_root", "_under", "path", "source")

    def __init__(self, source: SourceFile, path: Path) -> None:
        self.source = source
        self.path = path
        self._root: Any = None
        self._depth = 0
        self._pos: Pos | None = None
        self._under: Located | None = None
        self._node: Any = _MISSING

    def _data(self) -> Any:
        """The data the anchor's path leads to (None if it leads nowhere)."""
        if self._node is _MISSING:
            node = self.source.data
            if _exists(node, self.path):
                for step in self.path:
                    node = node[step]
            else:
                node = None
            self._node = node
        return self._node

    def locate(self, field: Sequence[str | int] = (), *, value: bool = False) -> tuple[int, int]:
        """What ``self.source.locate(self.path + field)`` gives."""
        source = self.source
        # The field, not the property: one attribute read per finding located.
        if source._positions is not self._root:  # first use, or positions made or completed
            self._root = source.positions
            self._depth, self._pos, self._under = _walk(self._root, self.path)
        depth, pos, _ = _walk(self._under, field) if field else (0, None, None)
        if pos is None:
            depth, pos = self._depth, self._pos
        else:
            depth += len(self.path)
        if depth < len(self.path) + len(field) and source.text is not None:
            # Partial positions: complete them if the data has what they lack (as the file
            # does), looked up from here when the anchor itself has its position.
            steps = depth - len(self.path)
            if steps < 0 or _exists(self._data(), tuple(field[: steps + 1])):
                return source.locate((*self.path, *field), value=value)
        return _place(pos, value)


def _place(pos: Pos | None, value: bool) -> tuple[int, int]:
    """Line and column of a packed position's value or key; (1, 1) for none."""
    if pos is None:
        return (1, 1)
    if value:
        return (pos >> _COL_BITS) & _LINE_MASK, pos & _COL_MASK
    return (pos >> _KEY_BITS) & _LINE_MASK, (pos >> _VALUE_BITS) & _COL_MASK


def flatten(where: Located, path: Path = ()) -> dict[Path, Pos]:
    """Every recorded position of ``where`` by its path, in document order."""
    out: dict[Path, Pos] = {}
    _flatten(where, path, out)
    return out


def _flatten(where: Located | None, path: Path, out: dict[Path, Pos]) -> None:
    if not where:
        return
    keys, packed, kids = where
    steps: Sequence[str | int] = keys if keys is not None else range(len(packed) // _SLOT)
    for at, step in enumerate(steps):
        child = (*path, step)
        pos = int.from_bytes(packed[at * _SLOT : (at + 1) * _SLOT], "little")
        if pos:
            out[child] = pos
        if kids is not None:
            _flatten(kids[at], child, out)  # at most MAX_DEPTH levels


def _exists(data: Any, path: Path) -> bool:
    for step in path:
        in_map = isinstance(data, dict) and isinstance(step, str) and step in data
        in_list = isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data)
        if not (in_map or in_list):
            return False
        data = data[step]
    return True
