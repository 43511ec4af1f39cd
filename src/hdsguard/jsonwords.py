"""What Python's ``json`` module says of a broken file, worded for users, with the fix.

Its messages ("Expecting value", "Extra data") are terse, give no fix and are English under
``--lang fr``; every reader of a JSON file (declarations, baselines, the KEV catalogue) words
its errors here instead.
"""

from __future__ import annotations

import json

from hdsguard.i18n import N_, _

# The messages of CPython's json decoder (C and Python scanners), by their start.
_REASONS = (
    ("Expecting ',' delimiter", N_("a comma is missing between two items: add `,` here")),
    ("Expecting ':' delimiter", N_('a colon is missing after the key: write `"key": value`')),
    (
        "Expecting property name enclosed in double quotes",
        N_(
            'a key is written in double quotes (`"name": …`), and JSON has neither single '
            "quotes nor bare keys; nor a comma before the closing brace"
        ),
    ),
    (
        "Expecting value",
        N_(
            "a value is missing here: a text in double quotes, a number, true, false, null, "
            "an object (in braces) or a list (in brackets)"
        ),
    ),
    ("Unterminated string", N_("this text is not closed: add the closing double quote")),
    (
        "Invalid control character",
        N_(
            "a line break or a tab inside a text: write it `\\n` or `\\t`, or close the text "
            "with its double quote before the end of the line"
        ),
    ),
    (
        "Invalid \\uXXXX escape",
        N_("`\\u` is followed by four hexadecimal digits, such as `\\u00e9`"),
    ),
    (
        "Invalid \\escape",
        N_(
            "a backslash that starts no escape: double it, `\\\\` (a Windows path is written "
            "`C:\\\\data`)"
        ),
    ),
    (
        "Extra data",
        N_(
            "more text after the end of the JSON value: a file holds a single value (one "
            "object); remove what follows"
        ),
    ),
)
_EMPTY = N_("the file is empty")
_UNCLOSED = N_(
    "the file ends before every object and list is closed: add the missing closing brace or bracket"
)


def json_reason(exc: json.JSONDecodeError) -> str:
    """The reason ``exc`` gives, in the run's language, with what to do about it."""
    if not exc.doc.strip():
        return _(_EMPTY)
    if exc.pos >= len(exc.doc.rstrip()) and not exc.msg.startswith("Extra data"):
        return _(_UNCLOSED)
    for start, reason in _REASONS:
        if exc.msg.startswith(start):
            return _(reason)
    return exc.msg  # a message of a later Python: shown as it is rather than lost
