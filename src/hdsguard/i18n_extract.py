"""Keep the French catalogue in step with the code: ``python -m hdsguard.i18n_extract``.

The messages are those Babel's extractor finds in the code (``_()``, ``N_()``,
``ngettext()``) plus every click help text (which click holds as plain constants, see
:mod:`hdsguard.clilang`). Running this module rewrites ``locale/fr/LC_MESSAGES/hdsguard.po``:
translations kept, new messages added untranslated, messages gone from the code dropped.
tests/test_i18n.py fails while any message has no French text.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from hdsguard.i18n import catalogue_path

KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
Message = str | tuple[str, str]


def expected_messages() -> dict[Message, list[str]]:
    """msgid (plural: (singular, plural)) -> where the code uses it."""
    package = Path(__file__).resolve().parent
    found: dict[Message, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(package), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        key: Message = (message[0], message[1]) if isinstance(message, tuple) else message
        found.setdefault(key, []).append(f"hdsguard/{filename}:{lineno}")
    from hdsguard.cli import main
    from hdsguard.clilang import help_texts

    for text in help_texts(main):
        found.setdefault(text, []).append("hdsguard/cli.py (click help)")
    return found


def update(lang: str = "fr") -> Path:
    path = catalogue_path(lang)
    old = Catalog(locale=lang)
    if path.exists():
        with path.open("rb") as handle:
            old = read_po(handle, locale=lang)
    new = Catalog(
        locale=lang,
        project="hdsguard",
        version="",
        msgid_bugs_address="",
        copyright_holder="hdsguard developers",
        fuzzy=False,
        # Fixed: the file changes only when its messages do.
        creation_date=datetime.datetime(2026, 12, 4, tzinfo=datetime.UTC),
        revision_date=datetime.datetime(2026, 12, 4, tzinfo=datetime.UTC),
        last_translator="hdsguard developers",
        language_team="French",
        header_comment="# French messages of hdsguard (python -m hdsguard.i18n_extract).",
    )
    for key, where in sorted(expected_messages().items(), key=lambda kv: str(kv[0])):
        previous = old.get(key if isinstance(key, str) else key[0])
        string: Any = "" if isinstance(key, str) else ("", "", "")
        # A message that became plural (or singular) starts again untranslated.
        if previous is not None and isinstance(previous.string, str) == isinstance(key, str):
            string = previous.string
        new.add(key, string, locations=[(w, 0) for w in where[:1]])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, new, width=100, omit_header=False, sort_output=True, no_location=True)
    return path


if __name__ == "__main__":
    print(f"wrote {update(*sys.argv[1:])}")
