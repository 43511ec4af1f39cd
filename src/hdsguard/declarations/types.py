"""Scalar types and section names shared by every model, kept apart from the declaration model.

Importing :mod:`hdsguard.declarations.model` builds about forty pydantic models (tens of
milliseconds); the config, waiver, baseline and policy models only need these few names, and
the loader only needs the section names, so they live here.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Literal

from pydantic import BeforeValidator, WithJsonSchema

from hdsguard.i18n import N_, _, labelled

__all__ = [
    "LIST_SECTIONS",
    "SECTIONS",
    "SINGLETON_SECTIONS",
    "FormatVersion",
    "IsoDate",
]

_ISO_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_HINT = N_("expected an ISO 8601 date (YYYY-MM-DD), got {got}")


def _describe_type(value: object) -> str:
    """A user-facing name for the type of a YAML/JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return _("a boolean")
    if isinstance(value, int):
        return _("an integer")
    if isinstance(value, float):
        return _("a number")
    if isinstance(value, datetime.datetime):
        return _("a date and time")
    if isinstance(value, list | tuple):
        return _("a list")
    if isinstance(value, dict):
        return _("a mapping")
    return _("a value of type {type}").format(type=type(value).__name__)


def _parse_iso_date(value: object) -> datetime.date:
    """Parse a ``YYYY-MM-DD`` string (or pass a :class:`datetime.date` through)."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if not isinstance(value, str):
        raise ValueError(_(_DATE_HINT).format(got=_describe_type(value)))
    if not _ISO_DATE_RE.fullmatch(value):
        hint = _(_DATE_HINT).format(got=repr(value))
        written = _written_as_iso(value)
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
        raise ValueError(_(_DATE_HINT).format(got=got)) from None


# A date in the order people write it: day, month, year (14/10/2026, 14.10.2026, 14-10-2026),
# or year first with another separator (2026/10/14). French users write the day first.
_DAY_FIRST_RE = re.compile(r"\s*([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})\s*")
_YEAR_FIRST_RE = re.compile(r"\s*([0-9]{4})[/.]([0-9]{1,2})[/.]([0-9]{1,2})\s*")


def _written_as_iso(text: str) -> tuple[str, bool] | None:
    """``text``, a date written another common way, as YYYY-MM-DD, and whether it could also
    be read month first (3/4/2026); None when it is not one (or names no calendar day). Day
    first, as in France; month first only where the day-first reading is no date
    (10/14/2026)."""
    found = _DAY_FIRST_RE.fullmatch(text)
    if found is not None:
        a, b, year = (int(x) for x in found.groups())
        readings = [(year, b, a), (year, a, b)]
    else:
        found = _YEAR_FIRST_RE.fullmatch(text)
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


def _format_version(value: object) -> object:
    """Refuse any format version but 1 with a clear message (never misread a later format)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(
            _("the format version must be the integer 1, got {got}").format(
                got=_describe_type(value)
            )
        )
    if value != 1:
        raise ValueError(
            _(
                "format version {version} is not supported: this version of hdsguard reads "
                "version 1"
            ).format(version=value)
        )
    return value


IsoDate = Annotated[
    datetime.date,
    BeforeValidator(_parse_iso_date),
    WithJsonSchema({"type": "string", "format": "date"}),
]
"""An ISO 8601 calendar date written ``YYYY-MM-DD``."""

FormatVersion = Annotated[Literal[1], BeforeValidator(_format_version)]


from hdsguard.declarations.sections import LIST_SECTIONS, SECTIONS, SINGLETON_SECTIONS  # noqa: E402
