"""Scalar types and section names shared by every model, kept apart from the declaration model.

Importing :mod:`hdsguard.declarations.model` builds about forty pydantic models (tens of
milliseconds); the config, waiver, baseline and policy models only need these few names, and
the loader only needs the section names, so they live here.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import BeforeValidator, WithJsonSchema

from hdsguard.i18n import _
from hdsguard.isodate import DATE_HINT, parse_iso_text

__all__ = [
    "LIST_SECTIONS",
    "SECTIONS",
    "SINGLETON_SECTIONS",
    "FormatVersion",
    "IsoDate",
]


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
        raise ValueError(_(DATE_HINT).format(got=_describe_type(value)))
    return parse_iso_text(value)


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
