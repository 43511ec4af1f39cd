"""hdsguard's own sentence for each kind of schema error, so that it can be translated.

pydantic writes its messages in English, from templates keyed by an error type
(``int_type``, ``greater_than_equal``, ``too_short``…) filled from the error's context. This
module holds those templates as hdsguard's messages, marked for the catalogue: the English
text is pydantic's own, word for word (tests/test_errtext.py compares them), and a French run
shows the French one. An error type not listed here keeps pydantic's English message; a
``value_error`` is one of hdsguard's validators, whose message is already in the run's
language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hdsguard.i18n import N_, _, ngettext

# error type -> template (the context's names as placeholders)
TEMPLATES: Mapping[str, str] = {
    "int_type": N_("Input should be a valid integer"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "string_type": N_("Input should be a valid string"),
    "float_type": N_("Input should be a valid number"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "bool_type": N_("Input should be a valid boolean"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "list_type": N_("Input should be a valid list"),
    "dict_type": N_("Input should be a valid dictionary"),
    "model_type": N_("Input should be a valid dictionary or instance of {class_name}"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "greater_than": N_("Input should be greater than {gt}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "less_than": N_("Input should be less than {lt}"),
    "date_type": N_("Input should be a valid date"),
    "date_parsing": N_("Input should be a valid date in the format YYYY-MM-DD, {error}"),
    "enum": N_("Input should be {expected}"),
    "missing": N_("Field required"),
}
# error types whose message depends on a count (see _counted)
COUNTED = frozenset({"too_short", "too_long", "string_too_short", "string_too_long"})
# pydantic's names of collections in too_short / too_long
FIELD_TYPES = {
    "List": N_("List"),
    "Dictionary": N_("Dictionary"),
    "Tuple": N_("Tuple"),
    "Set": N_("Set"),
}
# What a file is called in messages (``what`` of the readers of config, waivers, baseline).
FILE_KINDS = {
    "declaration": N_("declaration"),
    "config": N_("config"),
    "waiver": N_("waiver"),
    "baseline": N_("baseline"),
}
_VALUE_ERROR = "Value error, "


def error_message(err: Mapping[str, Any]) -> str:
    """The message of one pydantic error (``ValidationError.errors()`` item), in the run's
    language where hdsguard has its template."""
    kind = str(err["type"])
    ctx: dict[str, Any] = dict(err.get("ctx") or {})
    if kind in TEMPLATES:
        try:
            return _(TEMPLATES[kind]).format(**ctx)
        except (KeyError, IndexError):  # a context this pydantic does not give: its own text
            pass
    elif kind in COUNTED:
        try:
            return _counted(kind, ctx)
        except (KeyError, ValueError, TypeError):
            pass
    return str(err["msg"]).removeprefix(_VALUE_ERROR)


def _counted(kind: str, ctx: dict[str, Any]) -> str:
    """The messages of length constraints, singular or plural (literal calls, so that the
    catalogue's extractor sees each pair)."""
    known = FIELD_TYPES.get(str(ctx.get("field_type")))
    ctx["field_type"] = _(known) if known else str(ctx.get("field_type"))
    if kind == "too_short":
        text = ngettext(
            "{field_type} should have at least {min_length} item after validation, "
            "not {actual_length}",
            "{field_type} should have at least {min_length} items after validation, "
            "not {actual_length}",
            int(ctx["min_length"]),
        )
    elif kind == "too_long":
        text = ngettext(
            "{field_type} should have at most {max_length} item after validation, "
            "not {actual_length}",
            "{field_type} should have at most {max_length} items after validation, "
            "not {actual_length}",
            int(ctx["max_length"]),
        )
    elif kind == "string_too_short":
        text = ngettext(
            "String should have at least {min_length} character",
            "String should have at least {min_length} characters",
            int(ctx["min_length"]),
        )
    else:
        text = ngettext(
            "String should have at most {max_length} character",
            "String should have at most {max_length} characters",
            int(ctx["max_length"]),
        )
    return text.format(**ctx)


def file_kind(what: str) -> str:
    """``what`` a reader names its file (``config``), in the run's language."""
    known = FILE_KINDS.get(what)
    return _(known) if known else what
