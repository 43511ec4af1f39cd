"""Parameter values: type-checked against the policy's declared parameter types."""

from __future__ import annotations

import datetime
from typing import Any

from hdsguard.policies.meta import ParamInfo

_CHECKS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "integer": (int, "an integer"),
    "number": ((int, float), "a number"),
    "string": (str, "a string"),
    "boolean": (bool, "true or false"),
    "date": (str, "a date YYYY-MM-DD"),
    "list": (list, "a list"),
}


def param_problem(param: ParamInfo, value: Any) -> str | None:
    """Why ``value`` is not acceptable for ``param``, or None."""
    types, wanted = _CHECKS[param.type]
    if isinstance(value, bool) and param.type != "boolean":
        return f"expected {wanted}, got {value!r}"
    if not isinstance(value, types):
        return f"expected {wanted}, got {value!r}"
    if param.type == "date" and isinstance(value, str):
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            return f"expected {wanted}, got {value!r}"
    if param.minimum is not None and isinstance(value, (int, float)) and value < param.minimum:
        return f"must be at least {param.minimum:g}, got {value}"
    if param.maximum is not None and isinstance(value, (int, float)) and value > param.maximum:
        return f"must be at most {param.maximum:g}, got {value}"
    if param.enum is not None and value not in param.enum:
        return f"must be one of {', '.join(map(str, param.enum))}, got {value!r}"
    return None
