"""Prose cut at word boundaries, with French punctuation kept on its word's line.

French puts a space before ``:``, ``;``, ``?``, ``!`` and ``»`` and after ``«``; typographers
make it unbreakable, so a line never starts with "; déclarez…" or ": …". :func:`textwrap.wrap`
breaks at any ASCII space, so those spaces are glued to their neighbour while wrapping and
given back afterwards.
"""

from __future__ import annotations

import re
import textwrap

# Not whitespace for textwrap, and never in hdsguard's own texts: a placeholder for a glued
# space (a text that holds it already is wrapped as it is, without gluing).
_GLUE = "\ue000"
_BREAKABLE_BEFORE_PUNCTUATION = re.compile(r" (?=[:;?!»])|(?<=«) ")


def wrap(
    text: str,
    width: int,
    *,
    initial_indent: str = "",
    subsequent_indent: str = "",
) -> list[str]:
    """The lines of ``text`` at most ``width`` wide where words allow, as :func:`textwrap.wrap`
    with long words and hyphenated words kept whole."""
    glue = _GLUE not in text
    if glue:
        text = _BREAKABLE_BEFORE_PUNCTUATION.sub(_GLUE, text)
    lines = textwrap.wrap(
        text,
        width=width,
        initial_indent=initial_indent,
        subsequent_indent=subsequent_indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return [line.replace(_GLUE, " ") for line in lines] if glue else lines
