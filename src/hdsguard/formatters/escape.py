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


# Lone surrogates (a JSON declaration may spell "\ud800") cannot be encoded as UTF-8, and
# U+FFFE/U+FFFF are not XML characters: documents written to files show them as escapes.
_UNENCODABLE = re.compile("[\ud800-\udfff\ufffe\uffff]")


def document_text(text: str) -> str:
    """``printable`` plus visible ``\\uNNNN`` escapes for what UTF-8 or XML cannot carry."""
    return _UNENCODABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", printable(text))


def document_line(text: str) -> str:
    return document_text(text.replace("\r\n", " ").replace("\n", " "))
