"""Merge validated files into one declaration set; check ids and cross-references."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hdsguard.declarations.cycles import hosting_loops
from hdsguard.declarations.located import Anchor, Path, SourceFile
from hdsguard.declarations.sections import (
    EVIDENCE_SECTIONS,
    LIST_SECTIONS,
    REFERENCES,
    SINGLETON_SECTIONS,
)
from hdsguard.declarations.validate import WHOLE, Broken
from hdsguard.errors import InputError, Problem
from hdsguard.i18n import _, labelled

# Objects (list items) a declaration set may hold. The memory of a run grows with the findings,
# at most (rules x objects): 100,000 objects of the benchmark's failing shape peak at 848 MiB
# (docs/performance.md), and a 13 MB file of 300,000 firewalls that all fail went past
# 1.2 GB before the C heap gave out (an abort, no message). Twice the measured size is
# refused with a located message rather than left to the machine's memory.
MAX_OBJECTS = 200_000


class Origin(Anchor):
    """Where a declared object lives: its file and its path inside that file."""

    __slots__ = ()

    def where(self, field_path: Sequence[str | int] = ()) -> str:
        line, column = self.locate(field_path)
        return f"{self.source.path}:{line}:{column}"


def problem_at(target: str, origin: Origin | None, path: Path, message: str) -> Problem:
    """A problem with the field at ``path`` of the declared object ``target``, located at its
    value (``<declarations>`` for an object read without positions)."""
    where = target + "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in path)
    if origin is None:
        return Problem("<declarations>", None, None, labelled(where, message))
    line, column = origin.locate(path, value=True)
    return Problem(origin.source.path, line, column, labelled(where, message))


@dataclass
class DeclarationSet:
    """The merged declarations: plain data (what policies see) plus where everything is."""

    sources: tuple[SourceFile, ...]
    lists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    singletons: dict[str, dict[str, Any]] = field(default_factory=dict)
    origins: dict[tuple[str, str], Origin] = field(default_factory=dict)
    by_id: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    # displayed path -> content key of the file (set by the loader when caching is on)
    digests: dict[str, str] = field(default_factory=dict)
    # What the reader tells the user besides problems (files skipped as not declarations).
    notices: list[str] = field(default_factory=list)
    _targets: dict[str, list[tuple[str, dict[str, Any], Origin | None]]] = field(
        default_factory=dict, repr=False
    )
    # The files that declare each list section, in the set's order, whether or not they
    # declare an object of it: `services: []` says "none" where an absent section says
    # nothing (a rule reading the section's presence is keyed on these files in the findings
    # memo, as on the files declaring its objects).
    declared_in: dict[str, list[str]] = field(default_factory=dict)
    # Sections whose `by_id` and `origins` entries are made on their first look-up, by the
    # callable given (evidence.view.attach: the 10,000 hosts of a sweep, which no built-in
    # rule looks up one by one).
    pending: dict[str, Callable[[], None]] = field(default_factory=dict, repr=False)

    def settle(self, section: str) -> None:
        """Make the `by_id` and `origins` entries of ``section`` if they are pending."""
        make = self.pending.pop(section, None)
        if make is not None:
            make()

    def get(self, section: str, ident: str) -> dict[str, Any] | None:
        if self.pending:
            self.settle(section)
        return self.by_id.get(section, {}).get(ident)

    def origin(self, section: str, ident: str = "") -> Origin | None:
        if self.pending:
            self.settle(section)
        return self.origins.get((section, ident))

    def observed(self) -> bool:
        """Whether evidence is attached: any item in an ``evidence_*`` section (every evidence
        file read is one, in ``evidence_files``)."""
        return any(items for name, items in self.lists.items() if name.startswith("evidence_"))

    def targets(self, section: str) -> list[tuple[str, dict[str, Any], Origin | None]]:
        """(target name, object, origin) for every object of a section, in declaration order.

        A singleton that was not declared yields an empty object, so that rules needing it
        report the missing evidence instead of passing silently. Built once per section: every
        policy of the section reuses the same target-name strings (one per object, not one per
        finding, at 100k objects).
        """
        cached = self._targets.get(section)
        if cached is None:
            if self.pending:
                self.settle(section)
            if section in SINGLETON_SECTIONS:
                origin = self.origins.get((section, ""))
                cached = [(section, self.singletons.get(section, {}), origin)]
            else:
                cached = [
                    (f"{section}/{item['id']}", item, self.origins.get((section, item["id"])))
                    for item in self.lists.get(section, [])
                ]
            self._targets[section] = cached
        return cached

    def as_data(self) -> dict[str, Any]:
        """The whole set as one mapping, as a single-file declaration would read."""
        data: dict[str, Any] = dict(self.singletons)
        data.update(self.lists)
        for name in EVIDENCE_SECTIONS:  # read-only evidence: empty when none was given
            data.setdefault(name, [])
        return data


def merge(sources: Sequence[SourceFile]) -> DeclarationSet:
    """Merge files (already validated one by one) and check ids and references across them."""
    decl, problems = merge_parts(sources)
    if problems:
        raise InputError(problems)
    return decl


def merge_parts(
    sources: Sequence[SourceFile],
    broken: Mapping[str, Broken] | None = None,
    unsure: Callable[[str], bool] | None = None,
    unread: bool = False,
) -> tuple[DeclarationSet, list[Problem]]:
    """The set of what could be read, and the problems of ids and references across files.

    ``broken``: per displayed path, the objects that failed validation (they are left out of
    the set, but their ids still clash with a duplicate); ``unsure(id)``: whether an id may
    be declared in a file that could not be read, so that a reference to it is not called
    unknown (a cascade of that file's own error, which is reported); ``unread``: some file
    could not be read at all (a reference is then never said to name a section that has no
    object: the file may hold some). Raises InputError only
    past :data:`MAX_OBJECTS`.
    """
    decl = DeclarationSet(tuple(sources))
    problems: list[Problem] = []
    count = 0
    for source in sources:
        if not isinstance(source.data, dict):
            continue
        bad = broken.get(source.path, frozenset()) if broken else frozenset()
        if WHOLE in bad:
            continue
        for section, value in source.data.items():
            if section in SINGLETON_SECTIONS and isinstance(value, dict):
                _add_singleton(decl, source, section, value, problems, (section, None) in bad)
            elif section in LIST_SECTIONS and isinstance(value, list):
                # Declared, even empty: the policies see `services: []` as a list, an absent
                # section not at all.
                decl.lists.setdefault(section, [])
                decl.declared_in.setdefault(section, []).append(source.path)
                if count + len(value) > MAX_OBJECTS:
                    raise InputError([*problems, _too_many(source, section, MAX_OBJECTS - count)])
                count += len(value)
                if (section, None) in bad:
                    continue
                for index, item in enumerate(value):
                    _add_item(decl, source, section, index, item, problems, (section, index) in bad)
    problems.extend(check_references(decl, unsure, unread))
    problems.extend(hosting_loops(decl))
    return decl, problems


def _too_many(source: SourceFile, section: str, index: int) -> Problem:
    """The problem of the first object past ``MAX_OBJECTS``, at ``index`` of ``section``."""
    line, column = Origin(source, (section, index)).locate()
    return Problem(
        source.path,
        line,
        column,
        _(
            "the declaration set holds more than {limit} objects (list items), the most "
            "hdsguard reads in one run: check the estate in parts (one run per directory), "
            "or look for a generated file that repeats its objects"
        ).format(limit=MAX_OBJECTS),
    )


def _add_singleton(
    decl: DeclarationSet,
    source: SourceFile,
    section: str,
    value: dict[str, Any],
    problems: list[Problem],
    broken: bool = False,
) -> None:
    here = Origin(source, (section,))
    first = decl.origins.get((section, ""))
    if first is not None:
        line, column = here.locate()
        other = _other_organisation(section, value, decl.singletons.get(section))
        if other is not None:
            # Two organisations, not one declared twice: an IT service company that gives the
            # sets of two clients in one run must not be told to delete one of them.
            message = _(
                "a second organisation in the same run: '{name}' here, '{other}' at {where}; "
                "hdsguard checks one organisation per run: check each organisation's "
                "declarations on its own (`hdsguard check DIR`, once per organisation; see "
                'docs/ci.md, "Several organisations")'
            ).format(name=value["name"], other=other, where=first.where())
        else:
            message = _(
                "section '{section}' is declared twice: it is also declared at {where}; keep one"
            ).format(section=section, where=first.where())
        problems.append(Problem(source.path, line, column, message))
        return
    decl.origins[(section, "")] = here  # a second declaration is an error even so
    if not broken:  # else its own errors are reported: nothing of it is checked further
        decl.singletons[section] = without_nulls(value) if source.nulls else value


def _other_organisation(section: str, value: dict[str, Any], first: Any) -> str | None:
    """The name of the organisation declared first, when ``value`` names another one."""
    if section != "organisation" or not isinstance(first, dict):
        return None
    name, other = value.get("name"), first.get("name")
    if not isinstance(name, str) or not isinstance(other, str):
        return None
    return other if name.strip().casefold() != other.strip().casefold() else None


def _add_item(
    decl: DeclarationSet,
    source: SourceFile,
    section: str,
    index: int,
    item: Any,
    problems: list[Problem],
    broken: bool = False,
) -> None:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
        return
    ident: str = item["id"]
    here = Origin(source, (section, index))
    first = decl.origins.get((section, ident))
    if first is not None:
        line, column = here.locate(("id",))
        problems.append(
            Problem(
                source.path,
                line,
                column,
                _(
                    "duplicate id '{id}' in {section}: already declared at {where}; ids must "
                    "be unique within a section: rename one, or delete the copy"
                ).format(id=ident, section=section, where=first.where(("id",))),
            )
        )
        return
    decl.origins[(section, ident)] = here
    if broken:  # its own errors are reported; its id still clashes with a duplicate
        return
    if source.nulls:  # else there is none to drop: no need to look at every value
        item = without_nulls(item)
    decl.lists.setdefault(section, []).append(item)
    decl.by_id.setdefault(section, {})[ident] = item


def without_nulls(value: Any) -> Any:
    """``value`` without null values: a key written with no value counts as not declared, so
    that policies see one "absent" and missing evidence is reported the same way.

    Only what holds a null is copied; everything else is returned as is, so the declarations
    are not held twice in memory (the parsed files keep theirs for locating findings)."""
    kind = type(value)
    if kind is dict:
        # Scalars need no call: only nested containers are visited (most values are scalars).
        changed = None in value.values()
        cleaned: dict[str, Any] = {}
        for key, item in value.items():
            if type(item) in _CONTAINERS:
                new = without_nulls(item)
                changed = changed or new is not item
                cleaned[key] = new
        if not changed:
            return value
        return {k: cleaned.get(k, v) for k, v in value.items() if v is not None}
    if kind is list:
        items = [without_nulls(i) if type(i) in _CONTAINERS else i for i in value]
        same = all(a is b for a, b in zip(items, value, strict=True))
        return value if same else items
    return value


_CONTAINERS = (dict, list)


def check_references(
    decl: DeclarationSet, unsure: Callable[[str], bool] | None = None, unread: bool = False
) -> list[Problem]:
    """Every ``hosted_by``, ``system``… names an object that exists.

    A reference to an object declared but invalid (left out of ``decl``, with its own
    problems), or to an id ``unsure`` says a file that could not be read may declare, is not
    reported: it would be a cascade of that other problem, and wrong once it is fixed."""
    problems: list[Problem] = []
    invalid: set[tuple[str, str]] | None = None
    for section, field_path, target in REFERENCES:
        known = decl.by_id.get(target, {})
        for item in decl.lists.get(section, []):
            if "*" not in field_path and _plainly_known(item, field_path, known):
                continue  # the usual case, without a generator per object
            for path, value in _values_at(item, field_path):
                if not isinstance(value, str) or value in known:
                    continue
                if (target, value) in decl.origins or (unsure is not None and unsure(value)):
                    continue  # declared, but invalid or unreadable: its own error is reported
                if invalid is None:
                    invalid = _fixed_ids(decl)
                if (target, value) in invalid:
                    continue  # `- id: PACS`, told to write `pacs`: referred to as fixed
                origin = decl.origins[(section, item["id"])]
                line, column = origin.source.locate((*origin.path, *path), value=True)
                problems.append(
                    Problem(
                        origin.source.path,
                        line,
                        column,
                        _(
                            "{item}: {field} refers to '{value}', but no item of {target} "
                            "has that id"
                        ).format(
                            item=f"{section}/{item['id']}",
                            field=".".join(field_path).replace(".*", "[]"),
                            value=value,
                            target=target,
                        )
                        + _suggest(value, target, known, unread),
                    )
                )
    return problems


def _fixed_ids(decl: DeclarationSet) -> set[tuple[str, str]]:
    """(section, id) for each declared id that is not valid as written, as its error says to
    write it (`PACS` -> `pacs`): a reference to the fixed id follows that error."""
    from hdsguard.declarations.advice import make_id

    return {
        (section, make_id(ident))
        for section, ident in decl.origins
        if isinstance(ident, str) and make_id(ident) != ident
    }


def _plainly_known(item: dict[str, Any], steps: tuple[str, ...], known: dict[str, Any]) -> bool:
    """Whether the field at ``steps`` (no "*") is absent, not a string, or a known id: what
    :func:`_values_at` would find nothing wrong with."""
    node: Any = item
    for step in steps:
        if not isinstance(node, dict):
            return True
        node = node.get(step, _ABSENT)
        if node is _ABSENT:
            return True
    return not isinstance(node, str) or node in known


_ABSENT: Any = object()


def _values_at(node: Any, steps: tuple[str, ...], path: Path = ()) -> Iterator[tuple[Path, Any]]:
    # Not a nested function: a recursive closure is a reference cycle, garbage the collector
    # would have to find (the check command runs without it).
    if not steps:
        yield path, node
    elif steps[0] == "*" and isinstance(node, list):
        for i, child in enumerate(node):
            yield from _values_at(child, steps[1:], (*path, i))
    elif isinstance(node, dict) and steps[0] in node:
        yield from _values_at(node[steps[0]], steps[1:], (*path, steps[0]))


def _suggest(value: str, target: str, known: dict[str, Any], unread: bool = False) -> str:
    close = difflib.get_close_matches(value, list(known), n=1)
    if close:
        return _(" (did you mean '{close}'?)").format(close=close[0])
    # Else the id names nothing: declare it, or name one that exists.
    fix = _("; declare it under `{target}:` (`- id: {value}`), or correct the id").format(
        target=target, value=value
    )
    if not known and not unread:
        return _(" (none is declared)") + fix
    return fix
