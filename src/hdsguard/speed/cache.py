"""What hdsguard's per-user caches share: where they live, which directories are trusted, how
their keys fingerprint the code that produced an entry, and how entries are sealed, written
and read without ever being trusted.

Location: ``$HDSGUARD_CACHE_DIR``, else ``$XDG_CACHE_HOME/hdsguard``, else
``~/.cache/hdsguard``. ``HDSGUARD_NO_CACHE=1`` (any non-empty value) disables every cache. The
directory is used only when its path is absolute and it is a directory owned by the user that
neither the group nor others may write (it is created with mode 0700): a relative
``XDG_CACHE_HOME=.cache`` would put the cache inside the repository being checked, and a
directory others can write would let them plant entries. Without ``HOME`` nor a passwd entry,
or with a refused directory, hdsguard runs without a cache.

Three caches use it: the compiled policy catalogue (:mod:`.catalogue_cache`), the parsed and
validated declaration files (:mod:`.declaration_cache`) and the findings memo
(:mod:`.findingsmemo`). Every entry is ``marshal`` data (plain values only: marshal
runs no code while loading, unlike pickle) sealed by :func:`seal`: a SHA-256 of the payload,
and inside the payload the entry's own key, both checked by :func:`unseal`; or, for an entry
too large to hold whole (the findings memo's), by :func:`sealed_chunks`: its chunks, then its
key and the chunks' lengths, then a SHA-256 of all of it, checked by :func:`unseal_chunks`
before any chunk is read. A cache only ever
costs or saves time: a write that fails (read-only home, full disk) is skipped, and an entry
that cannot be read, fails its check or decodes to anything unexpected is ignored and rebuilt.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import marshal
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from hdsguard import __version__
from hdsguard.atomic import replacing

T = TypeVar("T")

_DIGEST = 32  # bytes of SHA-256 before the payload (seal), or at the end (sealed_chunks)
_LENGTH = 8  # bytes of the trailer's length, before the final SHA-256 (sealed_chunks)


def cache_dir() -> Path | None:
    """The cache directory, created if needed, or None when caching is disabled
    (``HDSGUARD_NO_CACHE``), no home can be found, or the directory is not trusted."""
    if os.environ.get("HDSGUARD_NO_CACHE"):
        return None
    explicit = os.environ.get("HDSGUARD_CACHE_DIR")
    if explicit:
        folder = Path(explicit)
    else:
        base = os.environ.get("XDG_CACHE_HOME")
        if not base:
            try:
                base = str(Path.home() / ".cache")
            except (RuntimeError, KeyError, OSError):  # no HOME and no passwd entry
                return None
        folder = Path(base) / "hdsguard"
    return folder if trusted_dir(folder) else None


def trusted_dir(folder: Path) -> bool:
    """Whether ``folder`` may hold cache entries: an absolute path to a directory (created,
    mode 0700, if missing) owned by this user and not writable by its group nor others."""
    if not folder.is_absolute():
        return False
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = folder.stat()
    except OSError:
        return False
    if not stat.S_ISDIR(st.st_mode) or st.st_mode & 0o022:
        return False
    getuid = getattr(os, "getuid", None)
    return getuid is None or st.st_uid == getuid()


def subdir(name: str) -> Path | None:
    """A trusted subdirectory of the cache directory, or None (see :func:`cache_dir`)."""
    base = cache_dir()
    if base is None:
        return None
    folder = base / name
    return folder if trusted_dir(folder) else None


@cache
def package_fingerprint() -> str:
    """The SHA-256 of every file of the installed hdsguard package (its code and its data,
    whatever their modification times say), of the shipped schemas, of hdsguard's version
    and of the Python build: any change to any of them is a different key for every cache."""
    from hdsguard.shipped import shipped

    package = Path(__file__).resolve().parents[1]  # hdsguard/, not only speed/
    digest = hashlib.sha256(f"{__version__}\0{sys.version}\0".encode())
    for root in (package, shipped("schemas")):
        for path in sorted(root.rglob("*")):
            if "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            with contextlib.suppress(OSError):
                if path.is_file():
                    name = path.relative_to(root).as_posix().encode("utf-8", "surrogateescape")
                    data = path.read_bytes()
                    digest.update(b"%d\0%b\0%d\0" % (len(name), name, len(data)))
                    digest.update(data)
    return digest.hexdigest()


def code_fingerprint(fmt: int, *extra: str) -> list[str]:
    """The parts of a key that change with the code producing an entry: the entry format,
    the whole package (:func:`package_fingerprint`) and ``extra`` stamps."""
    return [str(fmt), package_fingerprint(), *extra]


def module_stamp(name: str) -> str:
    """The modification time of an installed module's file, without importing it: changes
    when the package is upgraded or reinstalled."""
    try:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        return f"{name}:{Path(origin).stat().st_mtime_ns}" if origin else name
    except (ImportError, ValueError, OSError):
        return name


def seal(key: str, value: Any) -> bytes | None:
    """An entry: the SHA-256 of the payload, then the payload, ``marshal`` of (key, value).
    None when marshal cannot carry the value."""
    try:
        payload = marshal.dumps((key, value), 4)
    except ValueError:
        return None
    return hashlib.sha256(payload).digest() + payload


def unseal(blob: bytes, key: str) -> Any:
    """The value of an entry made by :func:`seal` for ``key``; raises ValueError when the
    checksum or the key stored inside does not match, or the payload is not such an entry."""
    payload = memoryview(blob)[_DIGEST:]
    if len(blob) <= _DIGEST or hashlib.sha256(payload).digest() != blob[:_DIGEST]:
        raise ValueError("corrupt cache entry")
    entry = marshal.loads(payload)
    if type(entry) is not tuple or len(entry) != 2 or entry[0] != key:
        raise ValueError("not the entry of this key")
    return entry[1]


class Unsealable(Exception):
    """A chunk that ``marshal`` cannot carry: the entry is not written."""


def sealed_chunks(key: str, head: Any, chunks: Iterable[Any]) -> Iterator[bytes]:
    """An entry too large to hold whole, as the bytes to write one after the other
    (:func:`write_atomic`): each chunk's ``marshal`` as it comes, then the trailer, ``marshal``
    of (key, head, the chunks' lengths), its length (8 bytes), and the SHA-256 of all the
    bytes before. Only one chunk and its bytes are held at a time (the findings memo's largest
    entry at 10k objects: 6 MB of rows, and as many of payload, made at a first run's peak).
    Raises :class:`Unsealable` when marshal cannot carry a chunk or the head."""
    digest = hashlib.sha256()
    lengths: list[int] = []
    for chunk in chunks:
        data = _dumps(chunk)
        digest.update(data)
        lengths.append(len(data))
        yield data
    trailer = _dumps((key, head, lengths))
    size = len(trailer).to_bytes(_LENGTH, "big")
    digest.update(trailer)
    digest.update(size)
    yield trailer
    yield size
    yield digest.digest()


def unseal_chunks(blob: bytes, key: str) -> tuple[Any, list[memoryview]]:
    """The head of an entry made by :func:`sealed_chunks` for ``key``, and each chunk's bytes
    (for ``marshal.loads``, once the whole entry is checked). Raises ValueError when the
    checksum or the key does not match, or the lengths do not tile the entry exactly: a
    truncated, padded or flipped file, or another key's entry, is refused before anything
    in it is read."""
    view = memoryview(blob)
    end = len(blob) - _DIGEST
    if end < _LENGTH or hashlib.sha256(view[:end]).digest() != view[end:]:
        raise ValueError("corrupt cache entry")
    size = int.from_bytes(view[end - _LENGTH : end], "big")
    start = end - _LENGTH - size
    if size == 0 or start < 0:
        raise ValueError("corrupt cache entry")
    entry = marshal.loads(view[start : end - _LENGTH])
    if type(entry) is not tuple or len(entry) != 3 or entry[0] != key:
        raise ValueError("not the entry of this key")
    lengths = entry[2]
    if type(lengths) is not list or any(type(n) is not int or n <= 0 for n in lengths):
        raise ValueError("not the lengths of chunks")
    if sum(lengths) != start:
        raise ValueError("the chunks do not fill the entry")
    chunks: list[memoryview] = []
    at = 0
    for n in lengths:
        chunks.append(view[at : at + n])
        at += n
    return entry[1], chunks


def _dumps(value: Any) -> bytes:
    try:
        return marshal.dumps(value, 4)
    except ValueError as exc:
        raise Unsealable(str(exc)) from None


def write_atomic(target: Path, *parts: bytes | Iterable[bytes]) -> bool:
    """Write ``parts``, one after the other, to ``target`` (:func:`hdsguard.atomic.replacing`,
    private: 0600), so that a reader never sees half an entry; a part may be an iterable of bytes
    (:func:`sealed_chunks`), each written as it comes. False when the file system refuses, or
    a part cannot be made (:class:`Unsealable`): no file is left behind."""
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with replacing(target, private=True) as handle:
            for part in parts:
                if isinstance(part, bytes):
                    handle.write(part)
                else:
                    for data in part:
                        handle.write(data)
    except (OSError, Unsealable):  # a read-only home or full disk only costs speed
        return False
    return True


def load_safely(path: Path, decode: Callable[[bytes], T]) -> T | None:
    """``decode`` of the file's bytes, or None when the file is missing, unreadable, or
    ``decode`` raises anything at all: a missing, stale or corrupt entry is never trusted."""
    try:
        return decode(path.read_bytes())
    except Exception:
        return None
