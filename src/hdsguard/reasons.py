"""A finding's reason: why it fails, warns or errs, in terms that neither the language of a
run, nor the wording of a message, nor the passing of days change.

A message is for a person; a baseline (and anything else that must tell whether a finding
still fails for the reason once accepted) compares reasons. A reason lists, for each check
of the policy that did not hold (in the policy's order):

- the check's key: its ``id`` when the policy names one, else its position (``"0"``);
- what happened: ``fail`` or ``warn`` (the condition or ``warn_if``), ``missing`` (a field
  the check requires is not declared), ``error`` (CEL could not evaluate it);
- the field it points at, as the policy writes it (never an index ``locate`` computes: an item
  added above would change it);
- the values its message quotes, from the policy's **main-language** message, evaluated in
  English, less every placeholder that reads the evaluation date (``now``, or a helper of
  ``celenv.DATE_READ``, :func:`hdsguard.policies.locality.reads_date`): an age or a number of
  days left grows by itself, a declared duration (an SLA of 60 days) does not; for
  ``missing``, the fields not declared.

It is one line of JSON (``[["0","fail","last_patch",["2025-06-02",90]]]``), computed only for
non-passing findings, with the message and in the same evaluation: when the run's message is
the main-language one and the run is in English, the values are those the message quoted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from sys import intern
from typing import TYPE_CHECKING, Any

from cel_expr_python import cel

from hdsguard import i18n
from hdsguard.reasonjson import encode

if TYPE_CHECKING:
    from hdsguard.policies.celenv import CelRuntime
    from hdsguard.policies.compiled import CompiledCheck
    from hdsguard.policies.template import Template

# One part of a reason: (check key, what happened, field, values or fields).
Piece = tuple[str, str, str, list[Any]]
FAIL, WARN, MISSING, ERROR = "fail", "warn", "missing", "error"
# applicable_if, which belongs to no check, could not be evaluated.
APPLICABLE_IF = "applicable_if"
_REASON_LANG = "en"


def quoted(
    runtime: CelRuntime | None,
    policy_id: str,
    check: CompiledCheck,
    warn: bool,
    activation: cel.Activation,
    values: list[Any] | None,
    obj: Any = None,
) -> list[Any]:
    """The values the main-language message (``warn``: warn_message) of ``check`` quotes, less
    those that read the date; ``values``: every placeholder's value of the run's message, as it
    was rendered (None when not at hand). What a placeholder that reads the date reads from
    the target ``obj`` and no other placeholder quotes (PAT-002's CVE, quoted with its age)
    comes last, as declared: ``{"vulnerabilities": [...]}``."""
    template = check.warn_message if warn else check.message
    main = check.main_warn_message if warn else check.main_message
    if template is None:
        return []
    if main is not None and runtime is not None:
        template = _main_template(runtime, policy_id, main)
        values = None  # the run's message quotes other placeholders
    declared = _declared(template, obj)
    if not template.steady:
        return declared
    if i18n.current() == _REASON_LANG:
        return template.steady_values(activation, values) + declared
    # A helper may word what it returns in the run's language (a country's name): English.
    with i18n.language(_REASON_LANG):
        return template.steady_values(activation) + declared


def _declared(template: Template, obj: Any) -> list[Any]:
    fields = template.dated_fields
    if not fields or not isinstance(obj, dict):
        return []
    return [{name: obj.get(name) for name in fields}]


def _main_template(runtime: CelRuntime, policy_id: str, text: str) -> Template:
    """The main-language message ``text`` compiled, once per run and process: only a run in
    another language than the policy's needs it, and only for the checks that fail."""
    from hdsguard.policies.template import compile_template, literal

    key = (policy_id, text)
    known = runtime.reason_templates.get(key)
    if known is None:
        try:
            known = compile_template(runtime, text, policy_id)
        except ValueError:  # it compiled when the policy loaded; in doubt, no values
            known = literal(text)
        runtime.reason_templates[key] = known
    return known


def piece(check: CompiledCheck, kind: str, details: list[Any]) -> Piece:
    return (check.key, kind, ".".join(map(str, check.field)), details)


def missing_piece(check: CompiledCheck, paths: Iterable[tuple[str, ...]]) -> Piece:
    return (check.key, MISSING, ".".join(map(str, check.field)), [".".join(p) for p in paths])


def text(pieces: Sequence[Piece]) -> str:
    """The reason of a finding made of ``pieces``: one deterministic line of JSON, interned
    (many findings share one: a field missing on every firewall)."""
    return intern(encode(pieces))
