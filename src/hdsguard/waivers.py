"""The pydantic model of a waiver file (``waivers.yaml``): the source of truth for
``schemas/waivers.schema.json`` and every message about a waiver file in error. What waivers
are, and how they are read, checked and applied: :mod:`hdsguard.waiverfile`, which imports this
module only when a file is not certainly valid (:mod:`hdsguard.speed.waivercheck`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from hdsguard.declarations.types import FormatVersion, IsoDate

Text = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1)]


class AcceptedCheck(BaseModel):
    """One check of the rule that a waiver accepts not holding: a part of a finding's reason
    (:mod:`hdsguard.reasons`), as `hdsguard waivers suggest` prints it. A key left out
    accepts any value of it."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    check: Text | Annotated[StrictInt, Field(ge=0)] = Field(
        description="The check's `id` in the policy, or its position (0 for the first)."
    )
    outcome: Literal["fail", "warn", "missing", "error"] | None = Field(
        default=None,
        description="What happened: `fail` or `warn` (the condition or `warn_if`), `missing` "
        "(a field the check requires is not declared), `error` (it could not be evaluated). "
        "Left out: any.",
    )
    field: str | None = Field(
        default=None, description="The field the check points at. Left out: any."
    )
    values: list[Any] | None = Field(
        default=None,
        description="The values its message quotes (less those the passing of days changes), "
        "or for `missing` the fields not declared. Left out: any.",
    )


class WaiverEntry(BaseModel):
    """One accepted risk."""

    # defer_build: the validator is built on first use, not at import (start-up time).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    rule: Text = Field(description="The waived rule's id (FW-001).")
    target: Text = Field(
        description="`section/id`, the section name of a singleton, or an fnmatch pattern "
        "(`firewalls/*`, `services/vpn-*`)."
    )
    justification: Text = Field(description="Why the risk is accepted, and what mitigates it.")
    owner: Text = Field(description="Who is responsible for fixing the finding.")
    approver: Text = Field(description="Who accepted the risk (e.g. the security officer).")
    ticket: Text | None = Field(default=None, description="Change or risk-register reference.")
    created: IsoDate | None = Field(
        default=None, description="When the waiver was granted; the duration cap counts from it."
    )
    expires: IsoDate = Field(description="Last day the waiver applies (inclusive).")
    accepts: list[AcceptedCheck] | None = Field(
        default=None,
        min_length=1,
        description="What is accepted: the checks of the rule that may not hold, each with the "
        "values its message quotes (`hdsguard waivers suggest` prints them). A finding that "
        "does not pass for another reason (another check, other values) is not waived, and a "
        "notice at the waiver says what changed. Left out: the waiver accepts the rule on the "
        "target whatever the reason.",
    )


class WaiverFile(BaseModel):
    """A waiver file (`waivers.yaml`)."""

    # defer_build: the validator is built on first use, not at import (start-up time).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    version: FormatVersion | None = Field(
        default=None, description="Version of the file format: 1."
    )
    waivers: list[WaiverEntry] = Field(default_factory=list)
