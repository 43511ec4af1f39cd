"""A quick, conservative read of a waiver file (``waivers.yaml``) without the pydantic model.

A waiver file beside the config is read on every run, and validating it with
:class:`hdsguard.waivers.WaiverFile` imported pydantic for it alone (the small example with a
one-waiver file: 0.11 s -> 0.16 s, 48 -> 58 MB). :func:`plain_waivers` walks the parsed data
and, when every waiver is one the model certainly accepts with the same values, builds them as
frozen dataclasses with the attribute names of :class:`hdsguard.waivers.WaiverEntry`
(:class:`PlainWaiverEntry`).

The same trust model as :mod:`.configcheck`: it answers with the waivers, or None, "ask the
model", which validates the file and words its problems exactly as before; never "invalid".
Anything unusual is a doubt: an unknown or missing key, a key that is not a string, a text
that is empty or that the model would strip (whitespace at either end, by Python's wider
definition of whitespace), a null, a date that is not a calendar date written ``YYYY-MM-DD``
(or the date YAML already read), a version other than the integer 1.
tests/test_waivers_fastpath.py checks, by hypothesis, that whatever this accepts the model
accepts with equal values, field by field.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hdsguard.waivers import AcceptedCheck

from hdsguard.speed.plainread import Doubt as _Doubt
from hdsguard.speed.plainread import plain_date as _date

_TEXTS = ("rule", "target", "justification", "owner", "approver")
_KEYS = frozenset({*_TEXTS, "ticket", "created", "expires"})


@dataclass(frozen=True, kw_only=True)
class PlainWaiverEntry:
    """:class:`hdsguard.waivers.WaiverEntry`, without pydantic."""

    rule: str
    target: str
    justification: str
    owner: str
    approver: str
    ticket: str | None = None
    created: datetime.date | None = None
    expires: datetime.date
    # A waiver with `accepts` is read by the model (a doubt here): none in a plain entry.
    accepts: list[AcceptedCheck] | None = None


def plain_waivers(data: Any) -> tuple[PlainWaiverEntry, ...] | None:
    """The waivers of parsed waiver-file ``data`` when the model certainly accepts it with
    these values; None means "ask the model" (never "invalid")."""
    if data is None:
        return ()  # an empty file: no waiver, as the model reads it
    if type(data) is not dict or not all(k in ("version", "waivers") for k in data):
        return None
    version = data.get("version", 1)
    if type(version) is not int or version != 1:
        return None  # the model, and the version check before it, word every refusal
    waivers = data.get("waivers", [])
    if type(waivers) is not list:
        return None
    try:
        return tuple(_entry(w) for w in waivers)
    except _Doubt:
        return None


def _entry(value: Any) -> PlainWaiverEntry:
    if type(value) is not dict or not all(type(k) is str and k in _KEYS for k in value):
        raise _Doubt
    if any(k not in value for k in (*_TEXTS, "expires")):
        raise _Doubt
    ticket = _text(value["ticket"]) if "ticket" in value else None
    created = _date(value["created"]) if "created" in value else None
    return PlainWaiverEntry(
        rule=_text(value["rule"]),
        target=_text(value["target"]),
        justification=_text(value["justification"]),
        owner=_text(value["owner"]),
        approver=_text(value["approver"]),
        ticket=ticket,
        created=created,
        expires=_date(value["expires"]),
    )


def _text(value: Any) -> str:
    # Non-empty and with nothing the model would strip: the model keeps it as it is.
    if type(value) is not str or not value or value[0].isspace() or value[-1].isspace():
        raise _Doubt
    return value
