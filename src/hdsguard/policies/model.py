"""The policy file format, as a pydantic model (its JSON Schema is schemas/policy.schema.json)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    model_validator,
)

from hdsguard.declarations.types import IsoDate
from hdsguard.i18n import _

StatusName = Literal["pass", "fail", "warn", "not_applicable", "error"]
MissingEvidence = Literal["fail", "warn", "warn_each"]
SeverityName = Literal["critical", "high", "medium", "low", "info"]
SectionName = Literal[
    "organisation",
    "identity",
    "logging",
    "providers",
    "systems",
    "services",
    "firewalls",
    "vendors",
    "certificates",
    "detection",
    "messaging",
    "biomedical",
    "evidence_files",
    "evidence_scans",
    "evidence_hosts",
    "evidence_ports",
    "evidence_certificates",
    "evidence_kev",
    "evidence_hds_registry",
]
PolicyId = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$", strict=True)]
Cel = Annotated[str, Field(min_length=1, strict=True, description="A CEL expression.")]
FieldPath = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*(\.[a-z0-9_]+)*$", strict=True)]
CheckId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", strict=True)]


class _Strict(BaseModel):
    # defer_build: the validator is built on first use, not at import (start-up time).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Param(_Strict):
    """A tunable threshold; organisations override ``default`` in their config."""

    type: Literal["integer", "number", "string", "boolean", "date", "list"]
    default: Any = Field(description="The value used unless the organisation overrides it.")
    description: StrictStr
    minimum: float | None = None
    maximum: float | None = None
    enum: list[Any] | None = None


class Check(_Strict):
    """One condition of a policy; the target complies when every check holds."""

    id: CheckId | None = Field(
        default=None,
        description="A name for the check, unique in the policy (lowercase letters, digits, "
        "`-`, `_`, starting with a letter): the reason of its findings names the check by it "
        "rather than by its position, so that reordering or adding checks keeps the reasons "
        "baselines recorded.",
    )
    condition: Cel = Field(description="CEL: true when the target complies with this check.")
    message: StrictStr = Field(description="Why it fails; `{{ cel }}` placeholders quote values.")
    field: FieldPath | None = Field(
        default=None, description="Dotted path of the deciding field (for the finding location)."
    )
    locate: Cel | None = Field(
        default=None,
        description="CEL returning a dotted path (e.g. `'rules.' + string(i)`), evaluated when "
        "the check fails or warns, to point at the list item that decides; overrides `field`.",
    )
    requires: list[FieldPath] = Field(
        default_factory=list,
        description="Fields that must be declared; missing evidence fails with a clear message.",
    )
    warn_if: Cel | None = Field(
        default=None, description="CEL, evaluated when the check holds: true reports `warn`."
    )
    warn_message: StrictStr | None = None

    @model_validator(mode="after")
    def _warn_pair(self) -> Check:
        if (self.warn_if is None) != (self.warn_message is None):
            raise ValueError(_("warn_if and warn_message go together"))
        return self


class TestCase(_Strict):
    """An executable example: these declarations must give this status."""

    name: StrictStr = Field(default="", description="What the case shows (optional).")
    as_of: IsoDate | None = Field(
        default=None,
        description="The evaluation date of the case. Default: the day the tests run; pin it "
        "for a case whose verdict depends on a date (the built-in cases all do).",
    )
    declarations: dict[str, Any]
    expect: StatusName
    target: StrictStr | None = Field(
        default=None, description="`section/id`; optional when only one target exists."
    )
    params: dict[str, Any] = Field(default_factory=dict)
    message_contains: list[StrictStr] = Field(default_factory=list)
    evidence: dict[str, list[dict[str, Any]]] = Field(
        default_factory=dict,
        description="Evidence sections (evidence_ports, evidence_kev…) as hdsguard builds them "
        "from evidence files; see docs/evidence.md.",
    )


LangName = Literal["en", "fr"]


class CheckText(_Strict):
    """A check's messages in another language, in the order of ``checks``."""

    message: StrictStr | None = None
    warn_message: StrictStr | None = None


class Translation(_Strict):
    """A policy's texts in another language than its main one (``lang``). Every key is
    optional: a text not given falls back to the main language, and the run says so once.
    Placeholders (``{{ … }}``) are the same CEL as in the main text."""

    title: StrictStr | None = None
    description: StrictStr | None = None
    rationale: StrictStr | None = None
    remediation: StrictStr | None = None
    message: StrictStr | None = None
    warn_message: StrictStr | None = None
    pass_message: StrictStr | None = None
    not_applicable_message: StrictStr | None = None
    checks: list[CheckText] | None = Field(
        default=None, description="The checks' messages, in the order of `checks`."
    )
    references: list[StrictStr] | None = Field(
        default=None,
        description="The `references`, one per reference in the same order, in this language "
        "(official titles of the documents; identifiers and numbers unchanged).",
    )
    params: dict[str, StrictStr] = Field(
        default_factory=dict, description="Parameter name -> its description."
    )


def _as_list(value: Any) -> Any:
    """``applies_to: firewalls`` is the one-section spelling of ``[firewalls]``."""
    return [value] if isinstance(value, str) else value


def _each_once(value: list[str]) -> list[str]:
    """A section listed twice would have each of its targets evaluated, and reported, twice."""
    for i, section in enumerate(value):
        if section in value[:i]:
            raise ValueError(_("'{section}' is listed twice").format(section=section))
    return value


def _section_or_list(schema: dict[str, Any]) -> None:
    items = schema.pop("items")
    schema.pop("type", None)
    schema.pop("minItems", None)
    schema["anyOf"] = [
        items,
        {"type": "array", "items": items, "minItems": 1, "uniqueItems": True},
    ]


def _control_schema(schema: dict[str, Any]) -> None:
    """Each framework's id pattern, so that editors flag a bad id as the loader does."""
    from hdsguard.policies.controls import FRAMEWORKS

    schema["allOf"] = [
        {
            "if": {"properties": {"framework": {"const": name}}, "required": ["framework"]},
            "then": {"properties": {"id": {"pattern": f"^(?:{spec.pattern})$"}}},
        }
        for name, spec in FRAMEWORKS.items()
    ]


FrameworkName = Literal[
    "hds-v2",
    "iso27001-2022",
    "anssi-hygiene",
    "care",
    "gdpr",
    "csp",
    "pgssi-s",
    "ans",
    "anssi-tls",
    "anssi-admin",
    "pci-dss-4",
    "cisa-bod",
    "hipaa",
    "club-rssi-sante",
    "cabf-br",
    "cnil",
    "nis2",
]


class ControlRef(_Strict):
    """A structured reference: the requirement ``id`` of ``framework`` the rule assesses."""

    model_config = ConfigDict(json_schema_extra=_control_schema)

    framework: FrameworkName = Field(description="The framework (see docs/report.md).")
    id: StrictStr = Field(
        description="The requirement id in the framework's own numbering, e.g. EXI-28 "
        "(hds-v2), A.8.8 (iso27001-2022), 34 (anssi-hygiene), D2.O4 (care), art. 28 (gdpr)."
    )
    note: StrictStr | None = Field(default=None, description="What of it the rule checks.")

    @model_validator(mode="after")
    def _id_pattern(self) -> ControlRef:
        from hdsguard.policies.controls import id_problem

        problem = id_problem(self.framework, self.id)
        if problem is not None:
            raise ValueError(problem)
        return self


_CHECK_KEYS = ("condition", "message", "field", "locate", "requires", "warn_if", "warn_message")


def _ids_once(checks: list[Check] | None) -> None:
    """Each check `id` names one check: a finding's reason names the check by it."""
    from hdsguard.policies.texts import PlacedProblem

    seen: dict[str, int] = {}
    for index, check in enumerate(checks or ()):
        if check.id is None:
            continue
        if check.id in seen:
            message = _(
                "checks[{index}].id: '{id}' is already the id of checks[{first}]; give each "
                "check its own id"
            ).format(index=index, id=check.id, first=seen[check.id])
            raise PlacedProblem(message, ("checks", index, "id"))
        seen[check.id] = index


class Policy(_Strict):
    """One rule of the catalogue: one YAML file in ``policies/``."""

    id: PolicyId
    title: StrictStr
    severity: SeverityName
    applies_to: Annotated[
        list[SectionName],
        BeforeValidator(_as_list),
        AfterValidator(_each_once),
        Field(min_length=1, json_schema_extra=_section_or_list),
    ]
    description: StrictStr = Field(
        default="", description="What the rule checks, for users (the title when absent)."
    )
    rationale: StrictStr = Field(
        default="", description="Why it matters; say when a threshold is a default."
    )
    remediation: StrictStr
    references: list[StrictStr] = Field(
        min_length=1, description="Free-text references for readers (notes)."
    )
    controls: list[ControlRef] = Field(
        default_factory=list,
        description="Structured references (framework + requirement id): the coverage matrix "
        "of `hdsguard report` is built from them.",
    )
    tags: list[StrictStr] = Field(default_factory=list)
    applicable_if: Cel | None = Field(
        default=None, description="CEL: false reports `not_applicable` for the target."
    )
    not_applicable_message: StrictStr | None = None
    pass_message: StrictStr | None = None
    params: dict[str, Param] = Field(default_factory=dict)
    condition: Cel | None = Field(
        default=None, description="CEL: true when the target complies (single-check form)."
    )
    message: StrictStr | None = Field(default=None, description="Why it fails (single check).")
    field: FieldPath | None = Field(default=None, description="The deciding field (single check).")
    locate: Cel | None = Field(
        default=None, description="CEL path of the deciding list item (single check)."
    )
    requires: list[FieldPath] = Field(
        default_factory=list, description="Fields that must be declared (single check)."
    )
    warn_if: Cel | None = Field(default=None, description="CEL: true reports warn (single check).")
    warn_message: StrictStr | None = None
    checks: list[Check] | None = Field(
        default=None, min_length=1, description="Several checks; all must hold."
    )
    tests: list[TestCase] = Field(min_length=2)
    override: StrictBool = Field(
        default=False, description="A user policy that deliberately replaces a built-in one."
    )
    missing_evidence: MissingEvidence = Field(
        default="fail",
        description="What a finding whose only problem is evidence not declared (`requires`) "
        "reports: `fail` (default), or `warn` for a rule whose evidence lies outside the "
        "declaration contract, while no target of its section declares it, or `warn_each` on "
        "every target that declares none of it, for fields the contract marks optional "
        "(docs/policy-format.md); a declared weakness always fails.",
    )
    help_uri: StrictStr | None = None
    lang: LangName = Field(
        default="en", description="The language of the texts above: `en` (default) or `fr`."
    )
    translations: dict[LangName, Translation] = Field(
        default_factory=dict,
        description="The texts in other languages, e.g. `fr: {title, description, rationale, "
        "remediation, message, pass_message, references, …}`; see docs/policy-format.md.",
    )

    @model_validator(mode="after")
    def _translations_fit(self) -> Policy:
        from hdsguard.policies.texts import translation_problem

        problem = translation_problem(self)
        if problem is not None:
            raise problem  # a ValueError that says where, for the located error
        return self

    @model_validator(mode="after")
    def _check_ids_once(self) -> Policy:
        _ids_once(self.checks)
        return self

    @model_validator(mode="after")
    def _one_form(self) -> Policy:
        shorthand = {k: getattr(self, k) for k in _CHECK_KEYS if getattr(self, k)}
        if self.checks and shorthand:
            raise ValueError(_("write either `condition` (one check) or `checks`, not both"))
        if not self.checks and (self.condition is None or self.message is None):
            raise ValueError(_("a policy needs `condition` and `message`, or a list of `checks`"))
        return self

    def all_checks(self) -> list[Check]:
        """The checks, whichever form the file used."""
        if self.checks:
            return list(self.checks)
        assert self.condition is not None and self.message is not None
        return [Check(**{key: getattr(self, key) for key in _CHECK_KEYS})]

    @model_validator(mode="after")
    def _tests_cover_pass_and_fail(self) -> Policy:
        expected = {t.expect for t in self.tests}
        if not {"pass", "fail"} <= expected:
            raise ValueError(
                _("tests need at least one `expect: pass` and one `expect: fail` case")
            )
        return self
