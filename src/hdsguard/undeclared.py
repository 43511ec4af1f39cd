"""The missing evidence of a singleton section that no file declares, said once per report.

A rule evaluated on an undeclared singleton (`organisation`, `identity`, `logging`…) says that
the section is absent, which fields it needs and how to add it, as one line of YAML: every
finding must stand alone in JSON, SARIF or JUnit, read one by one. A report a person reads
top to bottom (text, Markdown) would repeat that sentence in each of a dozen findings (the
minimal example: thirteen times); there, :func:`notes` says it once per section, with one
line of YAML declaring every field the findings need, and :func:`shorten` leaves each
finding the fields it misses.

The engine records on the finding (``Finding.undeclared``) which section and which fields
the sentence names; the sentence is made again from them (the same words, in the run's
language) to know where the rest of the message begins: nothing here reads a message back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from hdsguard.findings import Finding
from hdsguard.i18n import _, ngettext


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


def _names(paths: Iterable[Sequence[str]]) -> str:
    return ", ".join(f"`{'.'.join(p)}`" for p in paths)


def message(section: str, paths: Sequence[Sequence[str]]) -> str:
    """Which section is absent, which fields the rule needs, and where and how to declare
    them, as a line of YAML to paste."""
    from hdsguard.declarations.fieldhint import section_snippet

    return _template(len(paths)).format(
        section=section, names=_names(paths), snippet=section_snippet(section, paths)
    )


def notes(findings: Iterable[Finding]) -> dict[str, str]:
    """For each section two or more of ``findings`` say is not declared, the one sentence
    that says it for all of them, with every field they need in one line of YAML."""
    from hdsguard.declarations.fieldhint import section_snippet

    fields: dict[str, dict[tuple[str, ...], None]] = {}
    counts: dict[str, int] = {}
    for finding in findings:
        if finding.undeclared is None:
            continue
        section, paths = finding.undeclared
        counts[section] = counts.get(section, 0) + 1
        for path in paths:
            fields.setdefault(section, {})[path] = None
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


def shorten(finding: Finding, noted: Iterable[str]) -> str:
    """The finding's message with its undeclared-section sentence cut to the fields it
    misses, when a note already says it for its section (one of ``noted``); else the
    message itself."""
    if finding.undeclared is None or finding.undeclared[0] not in noted:
        return finding.message
    section, paths = finding.undeclared
    short = _(
        "evidence missing: {names} (the `{section}` section is not declared: see the note on it)"
    ).format(names=_names(paths), section=section)
    return short + finding.message[len(message(section, paths)) :]
