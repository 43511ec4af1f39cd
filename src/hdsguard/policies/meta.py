"""What a run needs to know about a policy, as plain immutable records.

The pydantic ``Policy`` model validates policy files; once validated, a run only needs these
records (no pydantic), so that a cached catalogue loads without building the policy model.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hdsguard.declarations.sections import EVIDENCE_SECTIONS
from hdsguard.declarations.sections import SECTIONS as SECTION_NAMES
from hdsguard.findings import Severity
from hdsguard.policies.controls import CONTROL_KEYS, Control, id_problem

if TYPE_CHECKING:
    from hdsguard.policies.model import Policy
    from hdsguard.policies.texts import PolicyTexts


@dataclass(frozen=True)
class ParamInfo:
    """A tunable threshold and the constraints its overrides must meet."""

    type: str
    default: Any
    description: str
    minimum: float | None = None
    maximum: float | None = None
    enum: tuple[Any, ...] | None = None


@dataclass(frozen=True)
class PolicyMeta:
    id: str
    title: str
    severity: str
    applies_to: tuple[str, ...]
    description: str
    rationale: str
    remediation: str
    references: tuple[str, ...]
    tags: tuple[str, ...]
    params: dict[str, ParamInfo]
    override: bool
    help_uri: str | None
    controls: tuple[Control, ...] = ()
    lang: str = "en"  # the language asked for these texts (some may have fallen back)
    missing_evidence: str = "fail"  # or "warn", "warn_each": see Policy.missing_evidence

    @classmethod
    def of(cls, spec: Policy | PolicyRules, texts: PolicyTexts | None = None) -> PolicyMeta:
        """The metadata, its texts in the language of ``texts`` (default: the main one)."""
        if texts is None:
            from hdsguard.policies.texts import PolicyTexts

            texts = PolicyTexts(spec, None)
        return cls(
            id=spec.id,
            title=texts.text(spec.title, "title"),
            severity=spec.severity,
            applies_to=tuple(spec.applies_to),
            description=texts.text(spec.description, "description"),
            rationale=texts.text(spec.rationale, "rationale"),
            remediation=texts.text(spec.remediation, "remediation"),
            references=texts.references(spec.references),
            tags=tuple(spec.tags),
            lang=texts.lang,
            params={
                name: ParamInfo(
                    p.type,
                    p.default,
                    texts.param(name, p.description),
                    p.minimum,
                    p.maximum,
                    tuple(p.enum) if p.enum is not None else None,
                )
                for name, p in spec.params.items()
            },
            override=spec.override,
            missing_evidence=spec.missing_evidence,
            help_uri=spec.help_uri,
            controls=tuple(Control(c.framework, c.id, c.note) for c in spec.controls),
        )


# ----------------------------------------------------------- built-in policies, without pydantic
#
# A run compiles the built-in policies when its catalogue cache is empty (a CI runner's first
# run, or the first run after an upgrade). Importing pydantic and building the policy model
# costs more than reading the 53 files. A check of valid data needs neither: these records
# hold what a run needs of a policy file (every field of the model but its inline tests),
# and :func:`rules_of` fills them from the parsed file only when the model would certainly
# accept it with the same values. Any doubt answers None ("ask the model"), and the model then
# validates the file and words its problems exactly as always.

# The same names as the model's Literal types, from where the rest of hdsguard takes them
# (no pydantic here).
SEVERITIES = frozenset(s.value for s in Severity)
SECTIONS = frozenset(SECTION_NAMES) | frozenset(EVIDENCE_SECTIONS)
LANGS = frozenset({"en", "fr"})
MISSING_EVIDENCE = frozenset({"fail", "warn", "warn_each"})
TRANSLATION_KEYS = frozenset(
    {"title", "description", "rationale", "remediation", "message", "warn_message"}
    | {"pass_message", "not_applicable_message", "checks", "params", "references"}
)
PARAM_TYPES = frozenset({"integer", "number", "string", "boolean", "date", "list"})
# The model's patterns; fullmatch() as pydantic's regex, where `$` is the end of the text.
_POLICY_ID = re.compile(r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)+")
_FIELD_PATH = re.compile(r"[a-z_][a-z0-9_]*(\.[a-z0-9_]+)*")
_CHECK_ID = re.compile(r"[a-z][a-z0-9_-]*")
# Beyond 2**53 an int does not always convert to float as pydantic converts it.
_EXACT_FLOAT = 2**53


# Plain classes, not dataclasses: this module is imported by every run, from a warm cache too,
# and building a dataclass costs about a millisecond.


class CheckRules:
    """One check, as :class:`hdsguard.policies.model.Check` holds it."""

    __slots__ = (
        "condition",
        "field",
        "id",
        "locate",
        "message",
        "requires",
        "warn_if",
        "warn_message",
    )

    def __init__(
        self,
        *,
        condition: str,
        message: str,
        field: str | None,
        locate: str | None,
        requires: list[str],
        warn_if: str | None,
        warn_message: str | None,
        id: str | None = None,  # the policy file's key
    ) -> None:
        self.id = id
        self.condition = condition
        self.message = message
        self.field = field
        self.locate = locate
        self.requires = requires
        self.warn_if = warn_if
        self.warn_message = warn_message


class PolicyRules:
    """A policy file as :class:`hdsguard.policies.model.Policy` holds it, but its tests."""

    __slots__ = (
        "applicable_if",
        "applies_to",
        "checks",
        "condition",
        "controls",
        "description",
        "field",
        "help_uri",
        "id",
        "lang",
        "locate",
        "message",
        "missing_evidence",
        "not_applicable_message",
        "override",
        "params",
        "pass_message",
        "rationale",
        "references",
        "remediation",
        "requires",
        "severity",
        "tags",
        "title",
        "translations",
        "warn_if",
        "warn_message",
    )

    def __init__(
        self,
        *,
        id: str,
        title: str,
        severity: str,
        applies_to: list[str],
        description: str,
        rationale: str,
        remediation: str,
        references: list[str],
        tags: list[str],
        applicable_if: str | None,
        not_applicable_message: str | None,
        pass_message: str | None,
        params: dict[str, ParamInfo],
        condition: str | None,
        message: str | None,
        field: str | None,
        locate: str | None,
        requires: list[str],
        warn_if: str | None,
        warn_message: str | None,
        checks: list[CheckRules] | None,
        override: bool,
        help_uri: str | None,
        controls: list[Control],
        lang: str = "en",
        missing_evidence: str = "fail",
        translations: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.id = id
        self.title = title
        self.severity = severity
        self.applies_to = applies_to
        self.description = description
        self.rationale = rationale
        self.remediation = remediation
        self.references = references
        self.tags = tags
        self.applicable_if = applicable_if
        self.not_applicable_message = not_applicable_message
        self.pass_message = pass_message
        self.params = params
        self.condition = condition
        self.message = message
        self.field = field
        self.locate = locate
        self.requires = requires
        self.warn_if = warn_if
        self.warn_message = warn_message
        self.checks = checks
        self.override = override
        self.missing_evidence = missing_evidence
        self.help_uri = help_uri
        self.controls = controls
        self.lang = lang
        self.translations = translations or {}

    def all_checks(self) -> list[CheckRules]:
        """The checks, whichever form the file used (as ``Policy.all_checks``)."""
        if self.checks:
            return list(self.checks)
        assert self.condition is not None and self.message is not None
        return [CheckRules(**{key: getattr(self, key) for key in SHORTHAND_KEYS})]


CHECK_KEYS = frozenset(CheckRules.__slots__)
# The keys of a check a policy may also write at its top level (one check): all but `id`,
# which is the policy's there.
SHORTHAND_KEYS = CHECK_KEYS - {"id"}
POLICY_KEYS = frozenset(PolicyRules.__slots__)
PARAM_KEYS = frozenset(f.name for f in dataclasses.fields(ParamInfo))
_REQUIRED = frozenset(
    {"id", "title", "severity", "applies_to", "description", "rationale", "remediation"}
    | {"references"}
)


class _Doubt(Exception):
    """The model might refuse the value, or read it differently: ask the model."""


def rules_of(data: Any) -> PolicyRules | None:
    """The policy file ``data`` (without its ``tests``) when the model certainly accepts it
    with these values, else None."""
    try:
        return _policy(data)
    except _Doubt:
        return None


def _policy(data: Any) -> PolicyRules:
    if type(data) is not dict or not _REQUIRED <= data.keys() <= POLICY_KEYS:
        raise _Doubt
    get = data.get
    applies_to = data["applies_to"]
    checks = get("checks")
    rules = PolicyRules(
        id=_text(data["id"], pattern=_POLICY_ID),
        title=_text(data["title"]),
        severity=_choice(data["severity"], SEVERITIES),
        applies_to=[
            _choice(s, SECTIONS)
            for s in _list([applies_to] if type(applies_to) is str else applies_to, 1)
        ],
        description=_text(data["description"]),
        rationale=_text(data["rationale"]),
        remediation=_text(data["remediation"]),
        references=[_text(r) for r in _list(data["references"], 1)],
        tags=[_text(t) for t in _list(get("tags", []))],
        applicable_if=_cel(get("applicable_if"), optional=True),
        not_applicable_message=_text(get("not_applicable_message"), optional=True),
        pass_message=_text(get("pass_message"), optional=True),
        params={_text(k): _param(v) for k, v in _mapping(get("params", {})).items()},
        condition=_cel(get("condition"), optional=True),
        message=_text(get("message"), optional=True),
        field=_text(get("field"), optional=True, pattern=_FIELD_PATH),
        locate=_cel(get("locate"), optional=True),
        requires=[_text(r, pattern=_FIELD_PATH) for r in _list(get("requires", []))],
        warn_if=_cel(get("warn_if"), optional=True),
        warn_message=_text(get("warn_message"), optional=True),
        checks=None if checks is None else _checks(checks),
        override=_flag(get("override", False)),
        missing_evidence=_choice(get("missing_evidence", "fail"), MISSING_EVIDENCE),
        help_uri=_text(get("help_uri"), optional=True),
        controls=[_control(c) for c in _list(get("controls", []))],
        lang=_choice(get("lang", "en"), LANGS),
        translations={
            _choice(lang, LANGS): _translation(block)
            for lang, block in _mapping(get("translations", {})).items()
        },
    )
    if len(set(rules.applies_to)) != len(rules.applies_to):  # Policy's _each_once
        raise _Doubt
    # The model's own rules beyond the field types (Policy._one_form; in the one-check form,
    # all_checks() builds a Check, whose validator wants warn_if and warn_message together).
    shorthand = any(getattr(rules, key) for key in SHORTHAND_KEYS)
    if rules.checks and shorthand:
        raise _Doubt
    if not rules.checks and (
        rules.condition is None
        or rules.message is None
        or (rules.warn_if is None) != (rules.warn_message is None)
    ):
        raise _Doubt
    from hdsguard.policies.texts import translation_problem

    if rules.translations and translation_problem(rules) is not None:
        raise _Doubt
    return rules


def _translation(data: Any) -> dict[str, Any]:
    """A ``translations.<lang>`` block, as the model's ``Translation`` would accept it."""
    block = _mapping(data)
    if not block.keys() <= TRANSLATION_KEYS:
        raise _Doubt
    for key in TRANSLATION_KEYS & block.keys() - {"checks", "params", "references"}:
        _text(block[key], optional=True)
    references = block.get("references")  # `null` is accepted by the model: none translated
    for reference in [] if references is None else _list(references):
        _text(reference)
    # `checks: null` is accepted by the model (no translated checks); any other non-list,
    # `false` or `""` included, is refused, so the fast reading must doubt it too.
    checks = block.get("checks")
    for check in [] if checks is None else _list(checks):
        if not _mapping(check).keys() <= {"message", "warn_message"}:
            raise _Doubt
        for value in check.values():
            _text(value, optional=True)
    # `params: null` is refused by the model (a mapping, empty by default); `checks: null` is not.
    for name, description in _mapping(block.get("params", {})).items():
        _text(name)
        _text(description)
    if checks:  # a check's `message: null` is no message, as the model holds it
        block = {**block, "checks": [{k: v for k, v in c.items() if v is not None} for c in checks]}
    return block


def _checks(data: Any) -> list[CheckRules]:
    checks = [_check(c) for c in _list(data, 1)]
    ids = [c.id for c in checks if c.id is not None]
    if len(set(ids)) != len(ids):  # Policy's _ids_once words it
        raise _Doubt
    return checks


def _check(data: Any) -> CheckRules:
    if type(data) is not dict or not {"condition", "message"} <= data.keys() <= CHECK_KEYS:
        raise _Doubt
    get = data.get
    check = CheckRules(
        condition=_cel(data["condition"]),
        message=_text(data["message"]),
        field=_text(get("field"), optional=True, pattern=_FIELD_PATH),
        locate=_cel(get("locate"), optional=True),
        requires=[_text(r, pattern=_FIELD_PATH) for r in _list(get("requires", []))],
        warn_if=_cel(get("warn_if"), optional=True),
        warn_message=_text(get("warn_message"), optional=True),
        id=_text(get("id"), optional=True, pattern=_CHECK_ID),
    )
    if (check.warn_if is None) != (check.warn_message is None):
        raise _Doubt
    return check


def _control(data: Any) -> Control:
    if type(data) is not dict or not {"framework", "id"} <= data.keys() <= CONTROL_KEYS:
        raise _Doubt
    framework, control_id = _text(data["framework"]), _text(data["id"])
    if id_problem(framework, control_id) is not None:
        raise _Doubt
    return Control(framework, control_id, _text(data.get("note"), optional=True))


def _param(data: Any) -> ParamInfo:
    if type(data) is not dict or not {"type", "default", "description"} <= data.keys():
        raise _Doubt
    if not data.keys() <= PARAM_KEYS:
        raise _Doubt
    enum = data.get("enum")
    return ParamInfo(
        type=_choice(data["type"], PARAM_TYPES),
        default=data["default"],
        description=_text(data["description"]),
        minimum=_number(data.get("minimum")),
        maximum=_number(data.get("maximum")),
        enum=None if enum is None else tuple(_list(enum)),
    )


def _text(value: Any, *, optional: bool = False, pattern: re.Pattern[str] | None = None) -> Any:
    if value is None and optional:
        return None
    if type(value) is not str or (pattern is not None and pattern.fullmatch(value) is None):
        raise _Doubt
    return value


def _cel(value: Any, *, optional: bool = False) -> Any:
    if value == "":
        raise _Doubt  # the model's Cel type wants at least one character
    return _text(value, optional=optional)


def _choice(value: Any, choices: frozenset[str]) -> str:
    if type(value) is not str or value not in choices:
        raise _Doubt
    return value


def _list(value: Any, minimum: int = 0) -> list[Any]:
    if type(value) is not list or len(value) < minimum:
        raise _Doubt
    return value


def _mapping(value: Any) -> dict[Any, Any]:
    if type(value) is not dict:
        raise _Doubt
    return value


def _flag(value: Any) -> bool:
    if type(value) is not bool:
        raise _Doubt
    return value


def _number(value: Any) -> float | None:
    if value is None or type(value) is float:
        return value
    if type(value) is int and -_EXACT_FLOAT <= value <= _EXACT_FLOAT:
        return float(value)
    raise _Doubt
