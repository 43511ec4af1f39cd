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
        raise ValueError(_(_DATE_HINT).format(got=repr(value)))
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        got = labelled(repr(value), _date_error(exc))
        raise ValueError(_(_DATE_HINT).format(got=got)) from None


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
