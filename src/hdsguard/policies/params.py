"""Parameter values: type-checked against the policy's declared parameter types."""

from __future__ import annotations

import datetime
from typing import Any

from hdsguard.i18n import N_, _
from hdsguard.policies.meta import ParamInfo

_CHECKS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "integer": (int, N_("an integer")),
    "number": ((int, float), N_("a number")),
    "string": (str, N_("a string")),
    "boolean": (bool, N_("true or false")),
    "date": (str, N_("a date YYYY-MM-DD")),
    "list": (list, N_("a list")),
}
_EXPECTED = N_("expected {wanted}, got {value}")


def param_problem(param: ParamInfo, value: Any) -> str | None:
    """Why ``value`` is not acceptable for ``param``, or None."""
    types, wanted = _CHECKS[param.type]
    expected = _(_EXPECTED).format(wanted=_(wanted), value=repr(value))
    if isinstance(value, bool) and param.type != "boolean":
        return expected
    if not isinstance(value, types):
        return expected
    if param.type == "date" and isinstance(value, str):
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            return expected
    if param.minimum is not None and isinstance(value, (int, float)) and value < param.minimum:
        return _("must be at least {minimum}, got {value}").format(
            minimum=f"{param.minimum:g}", value=value
        )
    if param.maximum is not None and isinstance(value, (int, float)) and value > param.maximum:
        return _("must be at most {maximum}, got {value}").format(
            maximum=f"{param.maximum:g}", value=value
        )
    if param.enum is not None and value not in param.enum:
        return _("must be one of {choices}, got {value}").format(
            choices=", ".join(map(str, param.enum)), value=repr(value)
        )
    return None
