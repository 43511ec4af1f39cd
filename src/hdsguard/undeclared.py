"""The missing evidence of a singleton section that no file declares, said once per report.

A rule evaluated on an undeclared singleton (`organisation`, `identity`, `logging`…) says that
the section is absent, which fields it needs and how to add it, as one line of YAML: every
finding must stand alone in JSON, SARIF or JUnit, read one by one. A report a person reads
top to bottom (text, Markdown) would repeat that sentence in each of a dozen findings (the
minimal example: thirteen times); there, :func:`notes` says it once per section, with one
line of YAML declaring every field the findings need, and :func:`shorten` leaves each
finding the fields it misses.

The message is built and read back by the same functions, in the run's language, so that
the reading follows any change of the wording.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache

from hdsguard.i18n import _, current, ngettext

# Stand-ins for the parts of the message, in no translation and no section name.
_SECTION, _NAMES, _SNIPPET = "\x00S\x00", "\x00N\x00", "\x00Y\x00"


def _template(count: int) -> str:
    return ngettext(
        "evidence missing: the `{section}` section is not declared in any file of the set, "
        "so neither is {names}; add it to any declaration file with the field this rule "
        "needs: `{snippet}`",
        "evidence missing: the `{section}` section is not declared in any file of the set, "
        "so neither are {names}; add it to any declaration file with the fields this rule "
        "needs: `{snippet}`",
        count,
    )


def message(section: str, paths: Sequence[Sequence[str]]) -> str:
    """Which section is absent, which fields the rule needs, and where and how to declare
    them, as a line of YAML to paste."""
    from hdsguard.declarations.fieldhint import section_snippet

    names = ", ".join(f"`{'.'.join(p)}`" for p in paths)
    return _template(len(paths)).format(
        section=section, names=names, snippet=section_snippet(section, paths)
    )


@cache
def _patterns(language: str) -> tuple[re.Pattern[str], ...]:
    """The message, singular and plural, as patterns (``language`` keys the cache)."""
    found = []
    for count in (1, 2):
        text = _template(count).format(section=_SECTION, names=_NAMES, snippet=_SNIPPET)
        pattern = (
            re.escape(text)
            .replace(re.escape(_SECTION), r"(?P<section>[a-z_]+)")
            .replace(re.escape(_NAMES), r"(?P<names>`[^;]*?`)")
            .replace(re.escape(_SNIPPET), r"(?P<snippet>[^`]*)")
        )
        found.append(re.compile(pattern))
    return tuple(found)


def read(text: str) -> tuple[str, str, str] | None:
    """(section, the fields as the message names them, what follows) of a finding's message
    that opens with the undeclared-section sentence; None for any other message."""
    for pattern in _patterns(current()):
        found = pattern.match(text)
        if found:
            return found["section"], found["names"], text[found.end() :]
    return None


def notes(messages: Iterable[str]) -> dict[str, str]:
    """For each section two or more of ``messages`` say is not declared, the one sentence
    that says it for all of them, with every field they need in one line of YAML."""
    from hdsguard.declarations.fieldhint import section_snippet

    fields: dict[str, dict[tuple[str, ...], None]] = {}
    counts: dict[str, int] = {}
    for text in messages:
        parts = read(text)
        if parts is None:
            continue
        section, names, _rest = parts
        counts[section] = counts.get(section, 0) + 1
        for name in names.split(", "):
            fields.setdefault(section, {})[tuple(name.strip("`").split("."))] = None
    said: dict[str, str] = {}
    for section, count in counts.items():
        if count < 2:
            continue
        said[section] = _(
            "the `{section}` section is not declared in any file of the set, and {count} "
            "findings need its fields: add it to any declaration file, with them: `{snippet}`"
        ).format(
            section=section,
            count=count,
            snippet=section_snippet(section, list(fields[section])),
        )
    return said


def shorten(text: str, noted: Iterable[str]) -> str:
    """``text`` with its undeclared-section sentence cut to the fields it misses, when a
    note already says it for its section (one of ``noted``); else ``text`` itself."""
    parts = read(text)
    if parts is None or parts[0] not in noted:
        return text
    section, names, rest = parts
    short = _(
        "evidence missing: {names} (the `{section}` section is not declared: see the note on it)"
    ).format(names=names, section=section)
    return short + rest
