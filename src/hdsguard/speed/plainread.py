"""What the fast reads of small files (``configcheck``, ``waivercheck``, ``baselinecheck``)
share: the doubt that sends a file to its pydantic model, and a date read exactly as the
models read one. Each read answers "certainly valid, with the model's values" or raises
:class:`Doubt`, never "invalid": the model then says what is wrong, with its messages."""

from __future__ import annotations

import datetime
from typing import Any

from hdsguard.isodate import ISO_DATE


class Doubt(Exception):
    """Not certainly valid: ask the model."""


def plain_date(value: Any) -> datetime.date:
    """A date as the models read one: a YAML date, or a text YYYY-MM-DD naming a day."""
    if type(value) is datetime.date:
        return value
    if type(value) is not str or not ISO_DATE.fullmatch(value):
        raise Doubt
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise Doubt from None
