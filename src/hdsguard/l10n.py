"""Dates and numbers as a reader of the run's language expects them in prose.

French prose reads "le 28 novembre 2026" and "9,8", not "2026-11-28" and "9.8"; Babel (CLDR
data) formats them, imported only when French is asked for. Machine fields (the JSON report's
``as_of``, SARIF, dates a user must type back) keep ISO 8601 whatever the language.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A date standing alone in a text: not part of an identifier (CHG-2026-11-28, cert-2026-11-28)
# nor of a timestamp (2026-11-28T10:00:00Z).
_ISO_DATE_IN_TEXT = re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])")


def long_date(value: datetime.date | str, lang: str) -> str:
    """``2026-11-28`` in English prose; ``28 novembre 2026`` in French (``1er`` for the first
    day of a month, as French writes it and CLDR does not)."""
    if lang == "en":
        return value if isinstance(value, str) else value.isoformat()
    try:
        day = datetime.date.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return str(value)  # not a date (a hand-built report): shown as it is
    from babel.dates import format_date

    text = format_date(day, format="long", locale=lang)
    if lang == "fr" and day.day == 1:
        text = "1er" + text[1:]
    return text


# An evidence file's own timestamp as the evidence loaders write it: a UTC instant.
_ISO_UTC = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?Z")


def long_moment(text: str, lang: str) -> str:
    """A date or a UTC instant in prose form: ``2026-11-20T07:12:05Z`` reads ``20 novembre
    2026 à 07:12:05 UTC`` in French; anything else as :func:`iso_date_text` writes it."""
    match = _ISO_UTC.fullmatch(text) if lang != "en" else None
    if match is None:
        return iso_date_text(text, lang)
    return f"{long_date(match.group(1), lang)} à {match.group(2)} UTC"


def iso_date_text(text: str, lang: str) -> str:
    """A quoted value that is an ISO date, in prose form; any other text unchanged."""
    if lang == "en" or _ISO_DATE.fullmatch(text) is None:
        return text
    return long_date(text, lang)  # not a real date (2026-02-30): quoted as declared


def dates_in_text(text: str, lang: str) -> str:
    """Every ISO date standing alone in ``text`` in prose form (a text a policy built from
    declared dates); the rest unchanged."""
    if lang == "en" or "-" not in text:
        return text
    return _ISO_DATE_IN_TEXT.sub(lambda m: iso_date_text(m.group(), lang), text)


def decimal(value: float, lang: str) -> str:
    """A non-integer number (a CVSS score): ``9.8``, ``9,8`` in French."""
    if lang == "en":
        return str(value)
    from babel.numbers import format_decimal

    return str(format_decimal(value, locale=lang))


def country_name(code: str, english: str | None, lang: str) -> str | None:
    """A country's name in ``lang`` (CLDR, through Babel), ``english`` (the data file's name)
    in English or when CLDR has none."""
    if lang == "en":
        return english
    from babel import Locale

    return str(Locale.parse(lang).territories.get(code, english or code))


# French elides "de" before a vowel sound: "d'AlpCloud", "d'Équinoxe", but "de Médi-Infra".
# Only a written vowel is read (an h may be mute or aspirated, which the letters do not say).
_FRENCH_VOWELS = frozenset("aeiouy")


def of_name(name: str, lang: str) -> str:
    """The complement naming a holder: ``of AlpCloud`` in English, ``d'AlpCloud`` (before a
    vowel, accented or not) or ``de Médi-Infra`` in French."""
    if lang != "fr":
        return f"of {name}"
    first = unicodedata.normalize("NFD", name.lstrip()[:1])[:1].casefold()
    return f"d'{name}" if first in _FRENCH_VOWELS else f"de {name}"
