"""Replacing a file whole: write a temporary file beside it, then rename it over the target.

The one way hdsguard writes a file, whatever the file (a report, the audit pack or calendar, the
files of ``hdsguard init``, a baseline, a cache entry), so that every write keeps the same three
promises: a reader never sees half a file (the rename is atomic on one file system); an
interrupted or failed write leaves no temporary file behind; a replaced file keeps its
permissions (:func:`keep_mode`), except a private file (a cache entry), which is always 0600.

Standard library only: the caches write through it on every run, before anything else loads.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

# O_NOFOLLOW: a link planted under the temporary name is refused, not written through.
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)


def temporary_for(path: Path) -> Path:
    """The temporary file that will replace ``path``: hidden, beside it (same file system, so
    the rename is atomic), and per process, so that two runs never write the same one."""
    return path.with_name(f".{path.name}.tmp{os.getpid()}")


def keep_mode(tmp: Path, path: Path) -> None:
    """Give ``tmp``, the temporary file that is about to replace ``path``, the permissions of
    ``path`` when it exists: replacing a report by rename must not widen (nor narrow) who may
    read it, as an in-place write would not. Called before anything is written to ``tmp``;
    a new file keeps what the umask gave it, like any tool's output."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:  # no such file (or not reachable): nothing to keep
        return
    os.chmod(tmp, mode)


@contextlib.contextmanager
def replacing(path: Path, *, private: bool = False) -> Iterator[BinaryIO]:
    """A binary file that replaces ``path`` when the ``with`` block ends normally; on any
    exception (an OSError, Ctrl-C) the temporary file is removed and the exception goes on.

    ``private``: the file is created 0600 whatever ``path`` had (a cache entry is nobody
    else's to read); otherwise it keeps ``path``'s permissions, set before the first byte (a
    0600 report never lies wider, even for a moment; a read-only 0444 one stays writable
    through the open file until closed)."""
    tmp = temporary_for(path)
    try:
        with open(os.open(tmp, _FLAGS, 0o600 if private else 0o666), "wb") as handle:
            if not private:
                keep_mode(tmp, path)
            yield handle
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def replacing_text(path: Path) -> Iterator[TextIO]:
    """:func:`replacing` for UTF-8 text. surrogateescape: a file name that is not UTF-8 goes
    out as its own bytes, as on standard output (the document formats escape such names)."""
    with (
        replacing(path) as raw,
        open(
            raw.fileno(), "w", encoding="utf-8", errors="surrogateescape", closefd=False
        ) as handle,
    ):
        yield handle
