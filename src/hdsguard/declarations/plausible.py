"""Plausible evidence: a date that records something that happened cannot lie in the future.

``last_patch: 2027-10-13``, a typo for 2025, would otherwise read as a patch made "-313 days"
ago and pass every age limit; a restore test, an audit or a review dated next year would do the
same. So would a duration no referential allows: an HDS certificate is issued for three years.
Rather than every rule guarding its own dates, this module checks every declared date once,
before any rule runs, and reports each implausible one as an input problem located at the
field (exit code 2), so that no rule can pass on it.

Which dates record something that happened is read from the shipped declaration schema: every
``format: date`` field is an event (a patch, an audit, a test, a review, a signature,
a publication...), except the end dates of the format contract, which name the last valid
day and usually lie ahead (:data:`END_DATES`), and the first valid days of certificates,
which their validity rules check (:data:`START_DATES`). A new date field is therefore
checked without anyone remembering to list it; a field that plans something ahead must be
named in :data:`END_DATES` (``tests/test_plausible.py`` lists the event dates it expects).

Nor can an event or a certificate's first day lie implausibly far back: ``1900-01-01`` or
``1970-01-01`` is what a form or a spreadsheet writes for "no date", not evidence, and a
private certificate ``not_before: 1900-01-01`` passed TLS-003, a DPIA dated 1970 the rules
that ask for one. Every such date must be on or after :data:`FLOOR` (no evidence this tool
reads predates 1990). No later floor is set where the rule reading a date already fails an old
one (an HDS certificate issued, or audited, before the HDS scheme of 2018 is expired, or its
audit too old): a floor there would only turn a finding into an input error. End dates have
no floor: one in the past already fails the rule that reads it (expired, unsupported).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from functools import cache
from typing import Any

from hdsguard.declarations.merge import DeclarationSet, problem_at
from hdsguard.errors import Problem
from hdsguard.i18n import N_, _

END_DATES = frozenset({"valid_until", "not_after", "end_of_support"})
"""Date fields that name a last valid day (the format contract's end dates), not an event."""

START_DATES = frozenset({"valid_from", "not_before"})
"""First valid days: a certificate may be issued ahead of its start, so a start after the
evaluation date is not implausible; the validity rules (HDS-003, TLS-002) fail on it instead
("not valid yet"), and the durations below still bound it."""

Step = str  # a key, or "*" for every item of a list
DatePath = tuple[Step, ...]

FLOOR = "1990-01-01"
"""The earliest plausible date of an event or a certificate's first day: no patch, audit,
test, review, signature or certificate this tool reads as evidence predates 1990; earlier
dates (1900-01-01, 1970-01-01, the Unix epoch) are what tools and forms write for "no date"."""

SUPPORT_ENDS = frozenset({"end_of_support"})
"""End dates a vendor announces: none lies more than :data:`SUPPORT_HORIZON_YEARS` ahead."""

SUPPORT_HORIZON_YEARS = 100
"""No vendor announces support a century ahead: an `end_of_support` beyond it (9999-12-31,
2999-12-31) is what a form writes for "no end date", a placeholder that passed PAT-001 and
FW-002 as "supported until 9999-12-31" (and made them an error before: integer overflow).
Far-future dates that fixtures write for "well ahead" (2099-12-31) stay within it."""

NO_FLOOR = frozenset({"published"})
"""Event dates without the generic floor: the NVD dates a few CVEs before 1990 (sendmail's,
1988), and an old publication date only makes the patch deadlines stricter."""

# (section, object path, start field, end field, maximum years, why): durations a referential
# bounds. HDS certificates: 3 years (HDS certification scheme, arrêté of 26 April 2024).
DURATIONS: tuple[tuple[str, DatePath, str, str, int | None, str], ...] = (
    (
        "providers",
        ("hds",),
        "valid_from",
        "valid_until",
        3,
        N_("an HDS certificate is issued for three years (HDS certification scheme)"),
    ),
    (
        "vendors",
        ("hds",),
        "valid_from",
        "valid_until",
        3,
        N_("an HDS certificate is issued for three years (HDS certification scheme)"),
    ),
    ("certificates", (), "not_before", "not_after", None, N_("a certificate ends after it begins")),
)


def implausible(decl: DeclarationSet, as_of: datetime.date) -> list[Problem]:
    """Every date of something that happened after ``as_of``, and every impossible duration."""
    today = as_of.isoformat()
    problems: list[Problem] = []
    for section, tree in _event_trees().items():
        for target, obj, origin in decl.targets(section):
            if not obj:
                continue
            found: list[tuple[tuple[str | int, ...], str]] = []
            _future_dates(obj, tree, today, (), found)
            for path, value in found:
                message = (
                    _future(value, today)
                    if value > today and path[-1] not in START_DATES
                    else _too_old(value)
                )
                problems.append(problem_at(target, origin, path, message))
    for section, at, start, end, years, why in DURATIONS:
        for target, obj, origin in decl.targets(section):
            for base, holder in _holders(obj, at):
                bad = _duration(holder, start, end, years, why, as_of)
                if bad:
                    problems.append(problem_at(target, origin, (*base, end), bad))
    problems.extend(_support_ends(decl, as_of))
    return problems


def _support_ends(decl: DeclarationSet, as_of: datetime.date) -> Iterator[Problem]:
    """Every announced end of support beyond :data:`SUPPORT_HORIZON_YEARS`: a placeholder."""
    horizon = _add_years(as_of, SUPPORT_HORIZON_YEARS).isoformat()
    for section, paths in _support_paths().items():
        for target, obj, origin in decl.targets(section):
            for path in paths:
                for where, value in _walk(obj, path, ()):
                    if isinstance(value, str) and value > horizon:
                        yield problem_at(target, origin, where, _too_far(value, as_of))


def _too_far(value: str, as_of: datetime.date) -> str:
    return _(
        "{value} is more than {years} years after the evaluation date {today}, which is "
        "implausible: no vendor announces support so far ahead, and such a date is what a form "
        'writes for "no end date" (a placeholder, not evidence); write the last day of support '
        "the vendor announces, or leave the field out until it is known"
    ).format(value=value, years=SUPPORT_HORIZON_YEARS, today=as_of.isoformat())


@cache
def _support_paths() -> dict[str, tuple[DatePath, ...]]:
    """Section -> paths of its announced ends of support, read from the shipped schema."""
    every = _dated(frozenset())
    found = {s: tuple(p for p in paths if p[-1] in SUPPORT_ENDS) for s, paths in every.items()}
    return {section: paths for section, paths in found.items() if paths}


def _future(value: str, today: str) -> str:
    return _(
        "{value} is after the evaluation date {today}: a date that records something that "
        "happened cannot lie in the future (a typo?); correct it, or evaluate on a later date "
        "with --as-of"
    ).format(value=value, today=today)


def _too_old(value: str) -> str:
    return _(
        "{value} is before {floor}, which is implausible: no evidence this tool reads predates "
        '{floor}, and such a date is what a form writes for "no date" (a placeholder, not '
        "evidence); write the date it happened"
    ).format(value=value, floor=FLOOR)


def _floor(path: DatePath) -> str:
    """The earliest plausible value of a date field ("" for none)."""
    return "" if path[-1] in NO_FLOOR else FLOOR


def _duration(
    holder: Any, start: str, end: str, years: int | None, why: str, as_of: datetime.date
) -> str | None:
    first, last = holder.get(start), holder.get(end)
    if first is None and isinstance(last, str) and years is not None:
        # No start declared: a certificate valid on the evaluation date began on it at the
        # latest, so it cannot end more than `years` after it; "valid until 2035" would
        # otherwise pass every validity rule.
        if datetime.date.fromisoformat(last) > _add_years(as_of, years):
            return _(
                "`{end}` {last} is more than {years} years after the evaluation date {today} "
                "and `{start}` is not declared, which is implausible: {why}; correct the date, "
                "or declare `{start}` from the certificate"
            ).format(
                end=end, last=last, years=years, today=as_of.isoformat(), start=start, why=_(why)
            )
        return None
    if not (isinstance(first, str) and isinstance(last, str)):
        return None
    begin, finish = datetime.date.fromisoformat(first), datetime.date.fromisoformat(last)
    if finish < begin:
        return _("`{end}` {last} is before `{start}` {first}: {why}; correct the dates").format(
            end=end, last=last, start=start, first=first, why=_(why)
        )
    if years is not None and finish > _add_years(begin, years):
        return _(
            "`{start}` {first} to `{end}` {last} is longer than {years} years, which is "
            "implausible: {why}; correct the dates from the certificate (a certificate renewed "
            "before its predecessor expired, keeping that expiry date: its three-year cycle "
            "begins the day after the old expiry, declare that day as `{start}`)"
        ).format(start=start, first=first, end=end, last=last, years=years, why=_(why))
    return None


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# The event dates of a section as a tree: each step, the bounds of the date that ends there
# (None when no date ends there), and the steps below it. One walk of an object visits
# each of its fields once, whatever the number of dates under it; nothing is yielded for the
# dates within their bounds, nearly all of them (one generator per date path and object cost
# ≈ 15 ms at 10k objects). The upper bound is the evaluation date, except for the first valid
# days of certificates (START_DATES), which may lie ahead ("9999-99-99": no upper bound).
_Bounds = tuple[str, str]  # (floor, ceiling); ceiling "" means the evaluation date
_Tree = dict[Step, tuple[_Bounds | None, "_Tree"]]
_NO_CEILING = "9999-99-99"


@cache
def _event_trees() -> dict[str, _Tree]:
    trees: dict[str, _Tree] = {}
    for section, paths in dated_fields().items():
        tree = trees[section] = {}
        for path in paths:
            node = tree
            for depth, step in enumerate(path, 1):
                bounds, below = node.get(step, (None, {}))
                if depth == len(path):
                    ceiling = _NO_CEILING if path[-1] in START_DATES else ""
                    bounds = (_floor(path), ceiling)
                node[step] = (bounds, below)
                node = below
    return trees


def _future_dates(
    node: Any,
    tree: _Tree,
    today: str,
    done: tuple[str | int, ...],
    found: list[tuple[tuple[str | int, ...], str]],
) -> None:
    """Add to ``found`` (path, value) of every date of ``tree`` under ``node`` after ``today``
    (or its own ceiling) or before its floor. Plain calls, no generators: this visits every
    declared object."""
    for step, (bounds, below) in tree.items():
        if step == "*":
            if type(node) is not list:
                continue
            for i, item in enumerate(node):
                if (
                    bounds
                    and type(item) is str
                    and (item > (bounds[1] or today) or item < bounds[0])
                ):
                    found.append(((*done, i), item))
                if below and item:
                    _future_dates(item, below, today, (*done, i), found)
        elif type(node) is dict:
            value = node.get(step)
            if (
                bounds
                and type(value) is str
                and (value > (bounds[1] or today) or value < bounds[0])
            ):
                found.append(((*done, step), value))
            if below and value:
                _future_dates(value, below, today, (*done, step), found)


def _walk(
    node: Any, path: DatePath, done: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    if not path:
        yield done, node
        return
    step, rest = path[0], path[1:]
    if step == "*":
        if isinstance(node, list):
            for i, item in enumerate(node):
                yield from _walk(item, rest, (*done, i))
    elif isinstance(node, dict) and step in node:
        yield from _walk(node[step], rest, (*done, step))


def _holders(obj: Any, at: DatePath) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    for path, node in _walk(obj, at, ()):
        if isinstance(node, dict):
            yield path, node


@cache
def event_dates() -> dict[str, tuple[DatePath, ...]]:
    """Section -> paths of its event dates, read from the shipped declaration schema."""
    return _dated(END_DATES | START_DATES)


@cache
def dated_fields() -> dict[str, tuple[DatePath, ...]]:
    """Section -> paths of its event dates and certificates' first valid days: the dates
    that cannot lie implausibly far back (every date but the end dates)."""
    return _dated(END_DATES)


def _dated(skip: frozenset[str]) -> dict[str, tuple[DatePath, ...]]:
    from hdsguard.shipped import shipped_schema

    schema = shipped_schema("declaration")
    if schema is None:  # never "no date to check": the installation is broken, say so
        raise RuntimeError("the shipped declaration schema cannot be read")
    defs: dict[str, Any] = schema.get("$defs", {})
    out: dict[str, tuple[DatePath, ...]] = {}
    for section, node in schema["properties"].items():
        paths = tuple(_date_paths(node, defs, (), frozenset(), skip))
        if paths:
            if node.get("type") == "array":
                paths = tuple(p[1:] for p in paths)  # relative to one item of the list
            out[section] = paths
    return out


def _date_paths(
    node: Any, defs: dict[str, Any], path: DatePath, seen: frozenset[str], skip: frozenset[str]
) -> Iterator[DatePath]:
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.removeprefix("#/$defs/")
        if name not in seen:
            yield from _date_paths(defs.get(name), defs, path, seen | {name}, skip)
        return
    for branch in node.get("anyOf", ()):
        yield from _date_paths(branch, defs, path, seen, skip)
    if node.get("format") == "date" and path and path[-1] not in skip:
        yield path
    if node.get("type") == "array":
        yield from _date_paths(node.get("items"), defs, (*path, "*"), seen, skip)
    for key, sub in node.get("properties", {}).items():
        yield from _date_paths(sub, defs, (*path, key), seen, skip)
