"""Neutralise whatever declarations contain before it reaches a terminal or a document."""

from __future__ import annotations

import re

# C0/C1 controls except tab and newline, plus DEL: an ESC in a name must not reach a terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Replace control characters with visible ``\\xNN`` escapes."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def one_line(text: str) -> str:
    return printable(text.replace("\r\n", " ").replace("\n", " "))
