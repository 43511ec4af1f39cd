"""Progress on standard error, for a person waiting at a terminal.

A first run on a large estate parses thousands of files and evaluates tens of thousands of
(rule, target) pairs: several seconds of silence. When standard error is a terminal, each
stage rewrites one status line there (``hdsguard: reading 10,000 declaration files…``) and
the line is erased before the report is written, so nothing of it stays on screen or mixes
with the report. Never in a pipe, a file or a CI log (``CI`` set, as every CI service does),
and never with ``HDSGUARD_NO_PROGRESS=1``: those get the same bytes as before.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TextIO

Report = Callable[[str], None]

# Every sentence a user reads from this module, in one place (translation wraps these).
LOADING_POLICIES = "loading policies…"
READING = "reading {count:,} declaration file{s}…"
EVALUATING = "evaluating {rules:,} rule{rs} on {targets:,} target{ts}…"

_CLEAR = "\r\x1b[K"


class Progress:
    """One status line on ``stream``, rewritten at each step and erased by :meth:`clear`."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._shown = False

    def __call__(self, text: str) -> None:
        try:
            self._stream.write(f"{_CLEAR}hdsguard: {text}")
            self._stream.flush()
            self._shown = True
        except (OSError, ValueError):
            pass  # a terminal that went away: progress is never worth an error

    def clear(self) -> None:
        if self._shown:
            try:
                self._stream.write(_CLEAR)
                self._stream.flush()
            except (OSError, ValueError):
                pass
            self._shown = False


def on_terminal() -> Progress | None:
    """A progress line on standard error when a person is watching it, else None."""
    stream = sys.stderr
    if stream is None or os.environ.get("CI") or os.environ.get("HDSGUARD_NO_PROGRESS") == "1":
        return None
    try:
        if not stream.isatty():
            return None
    except ValueError:  # closed
        return None
    return Progress(stream)


def plural(count: int) -> str:
    return "s" * (count != 1)
