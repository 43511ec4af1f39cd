"""Standard streams that write every byte or fail, for the hdsguard command.

Python's text streams ignore a short write when their binary layer is unbuffered
(``PYTHONUNBUFFERED=1``, common in CI images): a full pipe or disk then silently lost the end
of a report, with exit 0. And a non-blocking pipe (inherited from some CI runners) raises
``BlockingIOError`` halfway through. :func:`install` puts each standard stream on a raw writer
that loops until every byte is written, waits when a non-blocking pipe is full, and raises
any other error (a full disk: exit 2, said plainly). A reader that went away (``| head``)
is not an error: the rest of the output is dropped without a word, and the command exits as
it would have (the check's verdict).
"""

from __future__ import annotations

import io
import os
import select
import sys
from typing import Any


class WholeWrites(io.RawIOBase):
    """Writes to a file descriptor: every byte, or an OSError."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self.fd = fd
        self.gone = False  # the reader went away: what follows is dropped

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def isatty(self) -> bool:
        return os.isatty(self.fd)

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        total = len(view)
        while view and not self.gone:
            try:
                written = os.write(self.fd, view)
            except BlockingIOError:  # a full non-blocking pipe: wait until it drains
                select.select([], [self.fd], [])
                continue
            except BrokenPipeError:
                self.gone = True
                break
            view = view[written:]
        return total

    def close(self) -> None:  # the descriptor belongs to the process, not to this object
        super().close()


def _rewrap(stream: Any, *, lines: bool = False) -> Any:
    try:
        fd = stream.fileno()
        stream.flush()
    except (AttributeError, OSError, ValueError):
        return stream  # not a file descriptor (a test runner's capture), or closed
    raw = WholeWrites(fd)
    tty = raw.isatty()
    return io.TextIOWrapper(
        io.BufferedWriter(raw, 1 << 16),
        encoding=getattr(stream, "encoding", None) or "utf-8",
        # A file name that is not UTF-8 comes back from the file system with surrogate
        # escapes: the text report prints its own bytes (as `ls` does) instead of dying with
        # an encoding error under a strict UTF-8 locale. Document formats escape it first.
        errors=_errors(getattr(stream, "errors", None)),
        line_buffering=lines or tty,  # stderr: each message as it comes, as Python's own
        write_through=False,
    )


def _errors(current: str | None) -> str:
    return "surrogateescape" if current in (None, "strict") else current


def install() -> None:
    """Put ``sys.stdout`` and ``sys.stderr`` on :class:`WholeWrites`."""
    if sys.stdout is not None:
        sys.stdout = _rewrap(sys.stdout)
    if sys.stderr is not None:
        sys.stderr = _rewrap(sys.stderr, lines=True)
