"""A per-user cache of parsed and validated declaration files, so that a pre-commit hook only
parses (and validates) the files that changed since its last run.

What is cached: for each file that parsed *and* validated without any problem, the
:class:`SourceFile` it gave (displayed path, data, positions of every key and value). Files with
problems are never cached: they are read again on every run, so their messages are always
produced by the parser and the model themselves. Merging (duplicate ids, references across
files) is not cached either: it runs on every check, over cached and fresh files alike.

Key: the SHA-256 of the file's bytes and its displayed path, and of a fingerprint of the code
that parses and validates it: the content of every file of the installed hdsguard package and
of the shipped schemas (:func:`hdsguard.speed.cache.package_fingerprint`), the installed PyYAML,
pydantic and pydantic-core, hdsguard's version, the Python build and its integer-digit limit.
A different byte, path or code is a different key: an entry can only ever be found for the
very input that produced it.

Storage: one file per entry, ``<cache dir>/declarations/<key>.marshal``, holding a SHA-256 of
its payload and the payload: ``marshal`` of (format, key, path, data, positions as their own
``marshal`` bytes, whether the positions are partial: a JSON file then keeps its bytes, to
complete them if needed, and whether the data may hold nulls). The positions are made from
their bytes the first time something is located in the file: a warm run whose findings all
come from the findings memo makes none. ``marshal``
only builds plain values (dicts, lists, strings, numbers, tuples), is several times faster than
parsing, and runs no code while loading, unlike pickle. An entry whose checksum, format, key or
path does not match, or that cannot be read or decoded, is ignored and the file parsed again.

Pruning: an entry's modification time is refreshed when it is used (at most once a day), and
at most once a day, when an entry is written, entries unused for 30 days are deleted, then the
least recently used ones until the directory holds at most 512 MiB.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
import time
from functools import cache, partial
from pathlib import Path

from hdsguard.declarations.located import EMPTY, Located, SourceFile
from hdsguard.speed.cache import code_fingerprint, load_safely, module_stamp, subdir, write_atomic

# 2: positions packed into one int; 3: positions mirror the data; 4: 26-bit columns;
# 5: whether the data may hold nulls; 6: positions as marshal bytes, read when first needed;
# 7: positions as yamlsource.Located nodes
_FORMAT = 7
SUBDIR = "declarations"
SUFFIX = ".marshal"
MAX_AGE_DAYS = 30
MAX_BYTES = 512 * 1024 * 1024
_DAY = 24 * 3600
_PRUNED = ".pruned"  # its modification time: when the directory was last pruned
_DIGEST = 32  # bytes of SHA-256 before the payload


class DeclarationCache:
    """Entries of one cache directory; :meth:`open` gives None when caching is disabled."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.pruned = False

    @classmethod
    def open(cls) -> DeclarationCache | None:
        folder = subdir(SUBDIR)
        return None if folder is None else cls(folder)

    def key(self, raw: bytes, display: str) -> str:
        """The entry name of a file with these bytes, shown as ``display``."""
        digest = _code_digest().copy()
        encoded = display.encode("utf-8", "surrogateescape")
        digest.update(b"%d\0%b\0%d\0" % (len(encoded), encoded, len(raw)))
        digest.update(raw)
        return digest.hexdigest()

    def get(self, key: str, display: str, raw: bytes) -> SourceFile | None:
        """The cached source of a file (``raw``: its bytes), or None."""
        path = self.folder / f"{key}{SUFFIX}"
        source = load_safely(path, lambda blob: decode(blob, key, display, raw))
        if source is not None:
            _mark_used(path)
        return source

    def put(self, key: str, source: SourceFile) -> None:
        """Remember a file that parsed and validated without any problem."""
        blob = encode(key, source)
        if blob is not None and write_atomic(self.folder / f"{key}{SUFFIX}", blob):
            self.prune()

    def prune(self, now: float | None = None) -> None:
        """At most once a day: delete entries unused for MAX_AGE_DAYS, then the least recently
        used ones while the directory holds more than MAX_BYTES."""
        if self.pruned:
            return
        self.pruned = True
        now = time.time() if now is None else now
        marker = self.folder / _PRUNED
        try:
            if now - marker.stat().st_mtime < _DAY:
                return
        except OSError:
            pass  # never pruned yet
        try:
            entries = []
            with os.scandir(self.folder) as listing:
                for item in listing:
                    name = item.name
                    if SUFFIX not in name or not item.is_file(follow_symlinks=False):
                        continue  # not ours
                    st = item.stat(follow_symlinks=False)
                    age = now - st.st_mtime
                    if name.startswith("."):  # the temporary file of a writer
                        if age > _DAY:  # that died before renaming it
                            _unlink(item.path)
                    elif age > MAX_AGE_DAYS * _DAY:
                        _unlink(item.path)
                    elif name.endswith(SUFFIX):
                        entries.append((st.st_mtime, st.st_size, item.path))
            total = sum(size for _, size, _ in entries)
            for _, size, where in sorted(entries):
                if total <= MAX_BYTES:
                    break
                _unlink(where)
                total -= size
            marker.touch()
            os.utime(marker, (now, now))
        except OSError:
            pass  # another run pruning at the same time, or a read-only cache


def encode(key: str, source: SourceFile) -> bytes | None:
    """The bytes of an entry for ``source``: what :meth:`DeclarationCache.put` stores and
    :func:`decode` reads.
    None when marshal cannot carry a value: never the case for parsed data."""
    try:
        payload = marshal.dumps(
            (
                _FORMAT,
                key,
                source.path,
                source.data,
                marshal.dumps(source.positions, 4),
                source.text is not None,
                source.nulls,
            ),
            4,
        )
    except ValueError:
        return None
    return hashlib.sha256(payload).digest() + payload


def decode(blob: bytes, key: str, display: str, raw: bytes) -> SourceFile | None:
    """The source an entry holds, or None when it is not an intact entry for this key and
    displayed path (``raw``: the file's bytes). May raise on a corrupt blob."""
    fmt, stored_key, stored_display, data, positions, incomplete, nulls = _decode(blob)
    if fmt != _FORMAT or stored_key != key or stored_display != display:
        return None
    if not (type(positions) is bytes and type(incomplete) is bool and type(nulls) is bool):
        return None
    # A JSON file keeps its bytes while its positions are partial (SourceFile.locate).
    return SourceFile(
        display, data, partial(_positions, positions), raw if incomplete else None, nulls, _reread
    )


def _reread(text: str, display: str) -> Located | None:
    """The composer's positions of a cached file whose positions are partial (JSON), read when
    a finding needs one they lack: the composer (and YAML) imported then, not on every run."""
    from hdsguard.declarations.yamlsource import composed_positions

    return composed_positions(text, display)


def _positions(packed: bytes) -> Located:
    """The positions of an entry (``packed``: their marshal bytes, sealed with it), made when
    first needed: most warm runs locate nothing. Bytes that are not positions (only a
    forged entry, checksum included, can hold them) locate nothing either, never raise."""
    try:
        where = marshal.loads(packed)
    except (ValueError, EOFError, TypeError):
        return EMPTY
    # A node is checked as it is read (yamlsource._walk): one that is not leads nowhere.
    return where if type(where) is tuple else EMPTY


def _decode(blob: bytes) -> tuple[object, ...]:
    payload = memoryview(blob)[_DIGEST:]
    if hashlib.sha256(payload).digest() != blob[:_DIGEST]:
        raise ValueError("corrupt cache entry")
    entry = marshal.loads(payload)
    if type(entry) is not tuple or len(entry) != 7:
        raise ValueError("not a declaration cache entry")
    return entry


def _unlink(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):  # another run pruned it first
        os.unlink(path)


def _mark_used(path: Path) -> None:
    """Refresh the entry's modification time (what pruning goes by), at most once a day."""
    with contextlib.suppress(OSError):
        if time.time() - path.stat().st_mtime > _DAY:
            os.utime(path)


@cache
def _code_digest() -> hashlib._Hash:
    """The hash state after the fingerprint of the parsing and validation code (per process)."""
    stamps = (
        module_stamp("yaml"),
        module_stamp("pydantic"),
        module_stamp("pydantic_core"),
        f"int digits:{sys.get_int_max_str_digits()}",  # over it, a number stays text
    )
    digest = hashlib.sha256()
    for part in code_fingerprint(_FORMAT, *stamps):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return digest
