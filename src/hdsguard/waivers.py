"""The pydantic model of a waiver file (``waivers.yaml``): the source of truth for
``schemas/waivers.schema.json`` and every message about a waiver file in error. What waivers
are, and how they are read, checked and applied: :mod:`hdsguard.waiverfile`, which imports this
module only when a file is not certainly valid (:mod:`hdsguard.speed.waivercheck`).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from hdsguard.declarations.types import FormatVersion, IsoDate

Text = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1)]


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


class WaiverFile(BaseModel):
    """A waiver file (`waivers.yaml`)."""

    # defer_build: the validator is built on first use, not at import (start-up time).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    version: FormatVersion | None = Field(
        default=None, description="Version of the file format: 1."
    )
    waivers: list[WaiverEntry] = Field(default_factory=list)
