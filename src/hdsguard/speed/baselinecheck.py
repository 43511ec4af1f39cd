"""A quick, conservative read of a baseline file (``check --baseline``) without the pydantic model.

Reading a baseline imported pydantic and built :class:`hdsguard.baselinemodel.BaselineFile`'s
validator for it alone (the small example with a baseline of 46 findings: 0.23 s -> 0.18 s,
58 -> 47 MB, as without a baseline). :func:`plain_baseline` walks the parsed data and, when
the model certainly accepts it with the same values, builds them as frozen dataclasses with
the attribute names of the model and its sub-models (:class:`PlainBaselineFile` ...).

The same trust model as :mod:`.configcheck` and :mod:`.waivercheck`: it answers with the
values, or None, "ask the model", which validates the file and words its problems exactly
as before; never "invalid". What it accepts is what ``hdsguard baseline`` writes: every key
present, no other, keys and texts of type ``str`` (the model's ``StrictStr``), a version
that is the integer 1, ``as_of`` the date YAML already read or a calendar date written
``YYYY-MM-DD``. Anything else is a doubt. tests/test_baseline_fastpath.py checks, by
hypothesis, that whatever this accepts the model accepts with equal values, field by field.

:func:`json_baseline` also reads the text itself, with :mod:`json` alone: the locating JSON
reader (:func:`hdsguard.declarations.reader.parse`), which pairs every key with its line and
column, took 36 ms of the 58 of a baseline of 5,000 findings, for positions that only a
problem needs. Trust: it answers with the values only when they are certainly those the
locating reader gives (a ``.json`` file; no duplicate key, no ``NaN`` or ``Infinity``, no
integer over Python's digit limit, no ``\\u`` escape, no character YAML refuses, nesting
:mod:`json` reads: everything the locating reader refuses or reads otherwise) and
:func:`plain_baseline` accepts them; else None, and the locating reader and the model read
the file as before, with their located messages. Not JSON at all, it raises
``json.JSONDecodeError`` exactly as ``json.loads`` does (where an integer over the digit
limit raised a ``ValueError``, an internal error, before the rest was read).
tests/test_baseline_fastpath.py checks, by hypothesis, that whatever it accepts the locating
reader reads alike, and that a run reads every baseline as before.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from typing import Any

from hdsguard.speed.plainread import Doubt as _Doubt
from hdsguard.speed.plainread import plain_date as _date

# The characters YAML refuses, and the locating JSON reader with it: PyYAML's
# ``yaml.reader.Reader.NON_PRINTABLE`` (the same pattern: a test holds them equal), copied so
# that a warm run with a baseline need not import PyYAML.
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_FILE_KEYS = frozenset({"version", "tool", "as_of", "findings"})
_TOOL_KEYS = frozenset({"name", "version"})
_ENTRY_KEYS = frozenset({"rule", "target"})
# What `hdsguard baseline` writes since it records what each finding said (and in which
# language); a file written before has neither, and is read as before.
_FILE_KEYS_LANG = _FILE_KEYS | {"lang"}
# And since it records why each failed (the reason); either may be absent.
_ENTRY_OPTIONAL = frozenset({"message", "reason"})
_LANGS = frozenset({"en", "fr"})


@dataclass(frozen=True)
class PlainBaselineEntry:
    """:class:`hdsguard.baselinemodel.BaselineEntry`, without pydantic."""

    rule: str
    target: str
    message: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class PlainTool:
    """:class:`hdsguard.baselinemodel.Tool`, without pydantic."""

    name: str
    version: str


@dataclass(frozen=True)
class PlainBaselineFile:
    """:class:`hdsguard.baselinemodel.BaselineFile`, without pydantic."""

    version: int
    tool: PlainTool
    as_of: datetime.date
    findings: list[PlainBaselineEntry]
    lang: str | None = None


def plain_baseline(data: Any) -> PlainBaselineFile | None:
    """The values of parsed baseline ``data`` when the model certainly accepts it with these
    values; None means "ask the model" (never "invalid")."""
    try:
        _keys(data, _FILE_KEYS_LANG if type(data) is dict and "lang" in data else _FILE_KEYS)
        lang = data.get("lang")
        if lang is not None and (type(lang) is not str or lang not in _LANGS):
            raise _Doubt
        version = data["version"]
        # Only 1: the model, and the version check before it, word every refusal.
        if type(version) is not int or version != 1:
            raise _Doubt
        findings = data["findings"]
        if type(findings) is not list:
            raise _Doubt
        return PlainBaselineFile(
            version=1,
            tool=PlainTool(**_texts(data["tool"], _TOOL_KEYS)),
            as_of=_date(data["as_of"]),
            findings=[PlainBaselineEntry(**_entry(f)) for f in findings],
            lang=lang,
        )
    except _Doubt:
        return None


def json_baseline(text: str, display: str) -> PlainBaselineFile | None:
    """The values of a baseline ``text`` (shown as ``display``) read with :mod:`json`, when
    they are certainly what the locating reader reads and the model accepts; None means "ask
    them". Raises ``json.JSONDecodeError`` as ``json.loads(text)`` does (a huge integer read
    as any other)."""
    doubts: list[str] = []  # what json reads where the locating reader refuses or differs

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        found = dict(items)
        if len(found) != len(items):
            doubts.append("duplicate key")
        return found

    def constant(name: str) -> float:
        doubts.append(name)
        return 0.0

    def integer(digits: str) -> int:
        try:
            return int(digits)
        except ValueError:  # over the digit limit: the locating reader keeps the text
            doubts.append("digits")
            return 0

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=constant, parse_int=integer)
    except RecursionError:
        return None
    if doubts or not display.lower().endswith(".json") or "\\u" in text:
        return None
    return None if _NON_PRINTABLE.search(text) else plain_baseline(data)


def _keys(value: Any, keys: frozenset[str]) -> None:
    # Exactly these keys, each a str: a missing or unknown key is the model's to word.
    if type(value) is not dict or len(value) != len(keys) or not all(k in keys for k in value):
        raise _Doubt
    if not all(type(k) is str for k in value):
        raise _Doubt


def _texts(value: Any, keys: frozenset[str]) -> dict[str, str]:
    _keys(value, keys)
    if not all(type(v) is str for v in value.values()):
        raise _Doubt
    return dict(value)


def _entry(value: Any) -> dict[str, str]:
    keys = _ENTRY_KEYS | (_ENTRY_OPTIONAL & value.keys()) if type(value) is dict else _ENTRY_KEYS
    return _texts(value, keys)
