"""The language of hdsguard's own messages: English, or French from a gettext catalogue.

Every message of the code is written in English and wrapped in :func:`_` (or marked with
:func:`N_` where it must stay a constant, e.g. click help); the French text lives in
``locale/fr/LC_MESSAGES/hdsguard.po`` beside this module, the catalogue ``pybabel extract``
and ``pybabel update`` maintain (see docs/translations.md). The .po file is read at run time,
with Babel, and only when French is asked for: an English run (the pre-commit hook's usual
case) imports nothing more than this module, and no compiled .mo file has to be built,
shipped or kept in sync.

The language of a run is, in this order: ``--lang``, the config's ``lang:``, the first of
``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is set (``fr_FR.UTF-8`` is French; any other
language, ``C`` and ``POSIX`` are English), else English. Only prose changes with it: rule
ids, statuses, JSON keys, exit codes and dates in machine formats stay the same.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

LANGUAGES = ("en", "fr")
DEFAULT = "en"
_ENV_VARS = ("LC_ALL", "LC_MESSAGES", "LANG")

_current = DEFAULT
_explicit = False  # set by --lang: the config's `lang:` does not override it
_catalogues: dict[str, dict[str | tuple[str, str], str | tuple[str, ...]]] = {}


def catalogue_path(lang: str) -> Path:
    return Path(__file__).resolve().parent / "locale" / lang / "LC_MESSAGES" / "hdsguard.po"


def from_environment(environ: Mapping[str, str] | None = None) -> str | None:
    """The language named by the locale variables (the first one set wins, as in POSIX)."""
    env = os.environ if environ is None else environ
    for name in _ENV_VARS:
        value = env.get(name)
        if value:
            code = value.split(".")[0].split("@")[0].split("_")[0].lower()
            return code if code in LANGUAGES else DEFAULT
    return None


def set_language(lang: str, *, explicit: bool = False) -> None:
    """Use ``lang`` for the messages of this run; ``explicit``: chosen on the command line."""
    global _current, _explicit
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    _current = lang
    _explicit = _explicit or explicit


def set_default(config_lang: str | None) -> None:
    """The config's ``lang:`` applies unless ``--lang`` was given."""
    if config_lang is not None and not _explicit:
        set_language(config_lang)


def reset() -> None:
    """Back to the environment's language (a new run in the same process, tests)."""
    global _current, _explicit
    _current, _explicit = from_environment() or DEFAULT, False


def current() -> str:
    return _current


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Messages in ``lang`` inside the block (the library API, the tests)."""
    global _current
    before = _current
    set_language(lang)
    try:
        yield
    finally:
        _current = before


def _(message: str) -> str:
    """``message`` in the language of the run; the English text when it has no translation."""
    if _current == DEFAULT:
        return message
    found = _catalogue(_current).get(message)
    return found if isinstance(found, str) and found else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the language of the run."""
    if _current != DEFAULT:
        forms = _catalogue(_current).get((singular, plural))
        if isinstance(forms, tuple) and all(forms):
            # French: 0 and 1 take the singular (CLDR), as the catalogue's Plural-Forms says.
            return forms[0] if n <= 1 else forms[-1]
    return singular if n == 1 else plural


def labelled(label: str, text: str) -> str:
    """``label: text`` (a location and its problem); French puts a space before the colon."""
    return _("{label}: {text}").format(label=label, text=text)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it now (it is a constant,
    translated where it is shown)."""
    return message


def translate(message: str) -> str:
    """:func:`_` for a text marked with :func:`N_` (same lookup; a name that reads better)."""
    return _(message)


def _catalogue(lang: str) -> dict[str | tuple[str, str], str | tuple[str, ...]]:
    found = _catalogues.get(lang)
    if found is None:
        found = _catalogues[lang] = read_catalogue(catalogue_path(lang), lang)
    return found


def read_catalogue(path: Path, lang: str) -> dict[str | tuple[str, str], str | tuple[str, ...]]:
    """msgid -> msgstr (plural: (singular, plural) -> forms); fuzzy entries are left out,
    as gettext leaves them out of a compiled catalogue."""
    from babel.messages.pofile import read_po

    try:
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=lang)
    except OSError:
        return {}
    out: dict[str | tuple[str, str], str | tuple[str, ...]] = {}
    for message in catalogue:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, (tuple, list)):
            out[(str(message.id[0]), str(message.id[1]))] = tuple(message.string or ())
        else:
            out[str(message.id)] = str(message.string or "")
    return out
