"""Neutralise whatever declarations contain before it reaches a terminal or a document."""

from __future__ import annotations

import functools
import re

# C0/C1 controls except tab and newline, plus DEL: an ESC in a name must not reach a terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


# ``str.isprintable`` is False for every character any function here escapes (controls are
# Unicode "Cc", surrogates "Cs", U+FFFE/U+FFFF "Cn", U+2028/U+2029 "Zl"/"Zp"): a printable
# text, most of any report, is returned as it is after one C call instead of regex passes.


def printable(text: str) -> str:
    """Replace control characters with visible ``\\xNN`` escapes."""
    if text.isprintable():
        return text
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


# Everything that can end or rewrite a line, or drive a terminal: C0 and C1 controls with tab,
# newline and carriage return, DEL, and the Unicode line and paragraph separators.
_NAME_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def name(text: str) -> str:
    """A file name, target, waiver field: every control and line break as a visible escape
    (``\\n``, ``\\x1b``), so that a name holding a newline can never forge a line."""
    if text.isprintable():
        return text
    return _NAME_UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char) or (
        f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
    )


# A problem message may go on over lines that start with " | " (CEL's caret-marked
# explanation); any other line break in it is shown as an escape.
_FORGED_LINE = re.compile(r"\r?\n(?! \| )")


def problem_text(where: str, message: str) -> str:
    """``where: message`` for stderr: the location as a :func:`name`, the message printable,
    with no line of its own that does not start with " | "."""
    return f"{name(where)}: {printable(_FORGED_LINE.sub(lambda m: name(m.group()), message))}"


def one_line(text: str) -> str:
    if text.isprintable():
        return text
    return printable(text.replace("\r\n", " ").replace("\n", " "))


# Lone surrogates (a JSON declaration may spell "\ud800") cannot be encoded as UTF-8, and
# U+FFFE/U+FFFF are not XML characters: documents written to files show them as escapes.
_UNENCODABLE = re.compile("[\ud800-\udfff\ufffe\uffff]")


def document_text(text: str) -> str:
    """``printable`` plus visible ``\\uNNNN`` escapes for what UTF-8 or XML cannot carry."""
    if text.isprintable():
        return text
    return _UNENCODABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", printable(text))


_SURROGATE = re.compile("[\ud800-\udfff]")


@functools.lru_cache(maxsize=4096)
def utf8_name(name: str) -> str:
    """A file name that UTF-8 can carry: the bytes of a name that is not UTF-8 (read back with
    surrogate escapes) shown as ``\\udcXX`` escapes, as the JUnit and Markdown reports show
    them; any other name unchanged. Cached: reports repeat the same few names."""
    if name.isprintable():
        return name
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", name)


def document_line(text: str) -> str:
    if text.isprintable():
        return text
    return document_text(text.replace("\r\n", " ").replace("\n", " "))
