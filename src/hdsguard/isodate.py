"""Calendar dates as every input of hdsguard writes them: ``YYYY-MM-DD``, and nothing else.

One reading for declarations, the config, waivers, baselines and ``--as-of``, without pydantic
(the pre-commit path reads a config and ``--as-of`` before any model is built). A date written
another common way (day first, as in France) is refused with the ISO form to write.
"""

from __future__ import annotations

import datetime
import re
from functools import lru_cache

from hdsguard.i18n import N_, _, labelled

# The calendar form only: date.fromisoformat also reads week dates (`2026-W48` is Monday
# 2026-11-23) and the basic form `20261128`.
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DATE_HINT = N_("expected an ISO 8601 date (YYYY-MM-DD), got {got}")

# A date in the order people write it: day, month, year (14/10/2026, 14.10.2026, 14-10-2026),
# or year first with another separator (2026/10/14). French users write the day first.
_DAY_FIRST_RE = re.compile(r"\s*([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})\s*")
_YEAR_FIRST_RE = re.compile(r"\s*([0-9]{4})[/.]([0-9]{1,2})[/.]([0-9]{1,2})\s*")
# Year first with dashes but a one-digit month or day (2026-1-5), or a date with a time and
# a zone (2026-11-28T10:00:00+01:00, 2026-11-28 10:00, 2026-11-28Z): the day as written is
# the date to write; a time and a zone are not read (no rule decides on hours).
_DASHED_RE = re.compile(
    r"\s*([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
    r"(?:(?:[T ][0-9]{1,2}(?::[0-9]{2}){0,2}(?:[.,][0-9]+)?)?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)\s*"
)


def parse_iso_text(value: str) -> datetime.date:
    """The date ``value`` writes as YYYY-MM-DD; ValueError with the message users read (what
    to write instead, or why the day is not in the calendar) otherwise."""
    if not ISO_DATE.fullmatch(value):
        hint = _(DATE_HINT).format(got=repr(value))
        written = written_as_iso(value)
        if written is not None:
            iso, both = written
            hint += (
                _(": write `{date}` (read day first)") if both else _(": write `{date}`")
            ).format(date=iso)
        raise ValueError(hint)
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        got = labelled(repr(value), _date_error(exc))
        raise ValueError(_(DATE_HINT).format(got=got)) from None


def written_as_iso(text: str) -> tuple[str, bool] | None:
    """``text``, a date written another common way, as YYYY-MM-DD, and whether it could also
    be read month first (3/4/2026); None when it is not one (or names no calendar day). Day
    first, as in France; month first only where the day-first reading is no date
    (10/14/2026)."""
    found = _DAY_FIRST_RE.fullmatch(text)
    if found is not None:
        a, b, year = (int(x) for x in found.groups())
        readings = [(year, b, a), (year, a, b)]
    else:
        found = _YEAR_FIRST_RE.fullmatch(text) or _DASHED_RE.fullmatch(text)
        if found is None:
            return None
        year, month, day = (int(x) for x in found.groups())
        readings = [(year, month, day)]
    dates = []
    for y, m, d in readings:
        try:
            dates.append(datetime.date(y, m, d).isoformat())
        except ValueError:
            continue
    return (dates[0], len(set(dates)) > 1) if dates else None


def _date_error(exc: ValueError) -> str:
    """Python's reason a ``YYYY-MM-DD`` is no date, in the run's language when it is one of
    the two a calendar gives."""
    reason = str(exc)
    known = {
        "day is out of range for month": N_("day is out of range for month"),
        "month must be in 1..12": N_("month must be in 1..12"),
    }
    return _(known[reason]) if reason in known else reason


@lru_cache(maxsize=4096)
def declared_day(text: str) -> datetime.date:
    """The date of ``text`` as a validated declaration holds it (``YYYY-MM-DD``, checked by
    the model): read once per text, as the rules read the same few dates many times. Raises
    ValueError on text that is not a date."""
    return datetime.date.fromisoformat(text)
