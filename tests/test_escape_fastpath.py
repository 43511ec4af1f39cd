"""The escape functions return a printable text unchanged after one ``str.isprintable`` call
(issue 17, writer speed): that shortcut must never skip a character their patterns escape."""

from __future__ import annotations

import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from hdsguard.formatters import escape

_PATTERNS = (escape._CONTROL, escape._NAME_UNSAFE, escape._UNENCODABLE, escape._SURROGATE)


def test_no_printable_character_is_one_the_patterns_escape() -> None:
    """Every code point, one by one: the patterns are character classes and a text is
    printable only when each of its characters is, so this covers every text."""
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if char.isprintable():
            assert char not in "\r\n", hex(code)
            assert not any(p.match(char) for p in _PATTERNS), hex(code)


# The troublesome characters made likely, any other code point (surrogates included) possible.
_SPECIAL = st.sampled_from(list('\x00\x1b\x7f\x85\x9f\xa0\t\n\r"<>&\ud800\udcff\ufffe\u2028é漢😀'))
texts = st.lists(st.one_of(_SPECIAL, st.characters()), max_size=16).map("".join)


def _slow(text: str) -> dict[str, str]:
    """What each function gave before the shortcut: its patterns applied whatever the text."""
    printable = escape._CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)

    def document(t: str) -> str:
        t = escape._CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", t)
        return escape._UNENCODABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", t)

    one = text.replace("\r\n", " ").replace("\n", " ")
    return {
        "printable": printable,
        "name": escape._NAME_UNSAFE.sub(escape._escape, text),
        "one_line": escape._CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", one),
        "document_text": document(text),
        "document_line": document(one),
        "utf8_name": escape._SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text),
    }


@settings(max_examples=500, deadline=None)
@given(texts)
def test_each_function_gives_what_its_patterns_give(text: str) -> None:
    for function, expected in _slow(text).items():
        assert getattr(escape, function)(text) == expected, function


@settings(max_examples=300, deadline=None)
@given(texts, texts)
def test_document_text_escapes_character_by_character(head: str, tail: str) -> None:
    """What lets a writer escape a message's lines one by one (each usually printable)
    instead of the whole text with its line breaks."""
    whole = escape.document_text(head + "\n" + tail)
    assert whole == escape.document_text(head) + "\n" + escape.document_text(tail)
