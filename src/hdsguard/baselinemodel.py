"""The pydantic model of a baseline file (written by ``hdsguard baseline``, JSON): the source of
truth for ``schemas/baseline.schema.json`` and every message about a baseline in error. What a
baseline is, and how it is read and applied: :mod:`hdsguard.baseline`, which imports this
module only when a file is not certainly valid (:mod:`hdsguard.speed.baselinecheck`).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from hdsguard.declarations.types import FormatVersion, IsoDate


class _Strict(BaseModel):
    # defer_build: the validator is built on first use, not at import (start-up time).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class BaselineEntry(_Strict):
    rule: StrictStr
    target: StrictStr


class Tool(_Strict):
    name: StrictStr
    version: StrictStr


class BaselineFile(_Strict):
    """A baseline file, written by `hdsguard baseline` (JSON)."""

    version: FormatVersion = Field(description="Version of the baseline format: 1.")
    tool: Tool = Field(description="The hdsguard that wrote the file.")
    as_of: IsoDate = Field(description="Evaluation date of the run that wrote the file.")
    findings: list[BaselineEntry] = Field(description="Accepted failing findings.")
