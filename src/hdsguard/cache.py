"""What hdsguard's per-user caches share: where they live, how their keys fingerprint the code
that produced an entry, and how entries are written and read without ever being trusted.

Location: ``$HDSGUARD_CACHE_DIR``, else ``$XDG_CACHE_HOME/hdsguard``, else
``~/.cache/hdsguard``. ``HDSGUARD_NO_CACHE=1`` (any non-empty value) disables every cache.

Two caches use it: the compiled policy catalogue (:mod:`hdsguard.policies.cache`) and the parsed
and validated declaration files (:mod:`hdsguard.declarations.cache`). A cache only ever costs or
saves time: a write that fails (read-only home, full disk) is skipped, and an entry that cannot
be read or decoded is ignored and rebuilt.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from hdsguard import __version__

T = TypeVar("T")


def cache_dir() -> Path | None:
    """The cache directory, or None when caching is disabled (``HDSGUARD_NO_CACHE``)."""
    if os.environ.get("HDSGUARD_NO_CACHE"):
        return None
    explicit = os.environ.get("HDSGUARD_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hdsguard"


def code_fingerprint(fmt: int, sources: Iterable[Path], *extra: str) -> list[str]:
    """The parts of a key that change with the code producing an entry: the entry format,
    hdsguard's version, the Python build, ``extra`` stamps, and the modification time of every
    one of ``sources`` that exists (an edited module or data file invalidates the entries)."""
    stamps = [f"{p.name}:{p.stat().st_mtime_ns}" for p in sources if p.exists()]
    return [str(fmt), __version__, sys.version, *extra, *stamps]


def module_stamp(name: str) -> str:
    """The modification time of an installed module's file, without importing it: changes
    when the package is upgraded or reinstalled."""
    try:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        return f"{name}:{Path(origin).stat().st_mtime_ns}" if origin else name
    except (ImportError, ValueError, OSError):
        return name


def write_atomic(target: Path, data: bytes) -> bool:
    """Write ``data`` to ``target`` through a temporary file and a rename, so that a reader
    never sees half an entry; create the directory. False when the file system refuses."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, target)
    except OSError:  # a read-only home or full disk only costs speed
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        return False
    return True


def load_safely(path: Path, decode: Callable[[bytes], T]) -> T | None:
    """``decode`` of the file's bytes, or None when the file is missing, unreadable, or
    ``decode`` raises anything at all: a missing, stale or corrupt entry is never trusted."""
    try:
        return decode(path.read_bytes())
    except Exception:
        return None
