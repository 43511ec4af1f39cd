"""The pydantic model of the organisation config, ``.hdsguard.yaml`` (:mod:`hdsguard.config`
reads the file): the source of truth for ``schemas/config.schema.json``, the docs and every
message about a config in error. A run imports it only when a config is not certainly valid
(:mod:`hdsguard.speed.configcheck`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError

from hdsguard.declarations.types import FormatVersion
from hdsguard.declarations.validate import data_path
from hdsguard.policies.model import SeverityName
from hdsguard.speed.configcheck import DEFAULT_WARN_DAYS

RuleId = Annotated[str, Field(strict=True, min_length=1, description="A policy id (FW-001).")]
Days = Annotated[int, Field(strict=True, ge=1)]


class _Strict(BaseModel):
    # defer_build: the validator is built on first use, not at import (start-up time).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Rules(_Strict):
    """Which rules run: `enable` selects, then `disable` removes from the selection."""

    disable: list[RuleId] = Field(default_factory=list, description="Rules that never run.")
    enable: list[RuleId] | None = Field(
        default=None,
        min_length=1,
        description="When set, only these rules run (all others are off).",
    )


class MaxDays(_Strict):
    """Longest waiver allowed per severity of the waived rule, in days (no key: no cap)."""

    critical: Days | None = None
    high: Days | None = None
    medium: Days | None = None
    low: Days | None = None
    info: Days | None = None


class WaiverPolicy(_Strict):
    """How waivers (accepted risks) are governed."""

    warn_days: Annotated[int, Field(strict=True, ge=0)] = Field(
        default=DEFAULT_WARN_DAYS,
        description="A waiver expiring at most this many days after the evaluation date is "
        "reported as expiring soon.",
    )
    max_days: MaxDays = Field(
        default_factory=MaxDays,
        description="Cap on a waiver's duration (expires - created, or expires - the "
        "evaluation date when `created` is absent), by the rule's severity.",
    )
    forbidden: list[RuleId] = Field(
        default_factory=list, description="Rules that may never be waived."
    )


class EvidenceEntry(_Strict):
    """An evidence path with what is declared about it (instead of a sidecar file)."""

    path: StrictStr = Field(description="Evidence file or directory.")
    vantage: Literal["external", "internal"] | None = Field(
        default=None,
        description="Where a scan ran from: `external` (the Internet) or `internal`.",
    )
    host: StrictStr | None = Field(
        default=None, description="The host that served a certificate file."
    )


class Config(_Strict):
    """One ``.hdsguard.yaml`` file."""

    version: FormatVersion | None = Field(
        default=None, description="Version of the config format: 1."
    )
    declarations: list[StrictStr] | None = Field(
        default=None,
        min_length=1,
        description="Declaration files or directories, relative to this file's directory; "
        "used when `hdsguard check` is given no PATHS.",
    )
    policies: list[StrictStr] = Field(
        default_factory=list,
        description="Extra policy directories, relative to this file's directory, loaded "
        "beside the built-in catalogue (and any --policies).",
    )
    rules: Rules = Field(default_factory=Rules)
    params: dict[RuleId, dict[StrictStr, Any]] = Field(
        default_factory=dict,
        description="Parameter overrides per rule: `FW-001: {max_patch_age_days: 30}`; "
        "type-checked against the parameters the policy declares.",
    )
    severity: dict[RuleId, SeverityName] = Field(
        default_factory=dict, description="Severity overrides per rule: `EXP-006: medium`."
    )
    fail_on: SeverityName | None = Field(
        default=None, description="Default of --fail-on (else `low`)."
    )
    lang: Literal["en", "fr"] | None = Field(
        default=None,
        description="Language of messages and reports, `en` or `fr` (--lang wins). Default: "
        "from LC_ALL / LC_MESSAGES / LANG, else English.",
    )
    waivers: StrictStr | None = Field(
        default=None,
        description="Waiver file, relative to this file's directory. Default: `waivers.yaml` "
        "next to this file, when it exists.",
    )
    baseline: StrictStr | None = Field(
        default=None,
        description="Baseline file used by `check` and written by `baseline`, relative to "
        "this file's directory (default: none for check, .hdsguard-baseline.json for baseline).",
    )
    waiver_policy: WaiverPolicy = Field(default_factory=WaiverPolicy)
    evidence: list[StrictStr | EvidenceEntry] = Field(
        default_factory=list,
        description="Evidence files or directories, relative to this file's directory (scans, "
        "certificates, the CISA KEV catalogue, an ANS HDS registry snapshot): a path, or "
        "`{path, vantage, host}` to declare a scan's vantage point or a certificate's host. "
        "See docs/evidence.md.",
    )


def salvage(data: dict[str, Any], exc: ValidationError) -> tuple[Config, frozenset[str]]:
    """The config without the settings in error, and the top-level keys they were under.

    A setting is as small as can be left out alone: an entry of a mapping of rules
    (`severity.FW-001`, `params.FW-001`) or of a block (`rules.disable`,
    `waiver_policy.max_days`), else the top-level key. If what is left still fails (an
    error pydantic reported only once another was gone), the keys in error go whole; the
    defaults are the last resort."""
    kept: dict[str, Any] = dict(data)
    broken: set[str] = set()
    for err in exc.errors(include_url=False):
        path = data_path(data, tuple(err["loc"]))
        if not path or not isinstance(path[0], str):
            return Config(), frozenset(data)
        top = path[0]
        broken.add(top)
        inner = kept.get(top)
        if len(path) >= 2 and isinstance(inner, dict) and isinstance(path[1], str):
            kept[top] = {k: v for k, v in inner.items() if k != path[1]}
        else:
            kept.pop(top, None)
    for _attempt in range(2):
        try:
            return Config.model_validate(kept), frozenset(broken)
        except ValidationError as again:
            for err in again.errors(include_url=False):
                key = err["loc"][0] if err["loc"] else None
                if not isinstance(key, str):
                    return Config(), frozenset(data)
                broken.add(key)
                kept.pop(key, None)
    return Config(), frozenset(data)
