"""The pydantic model of a baseline file (written by ``hdsguard baseline``, JSON): the source of
truth for ``schemas/baseline.schema.json`` and every message about a baseline in error. What a
baseline is, and how it is read and applied: :mod:`hdsguard.baseline`, which imports this
module only when a file is not certainly valid (:mod:`hdsguard.speed.baselinecheck`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from hdsguard.declarations.types import FormatVersion, IsoDate


class _Strict(BaseModel):
    # defer_build: the validator is built on first use, not at import (start-up time).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class BaselineEntry(_Strict):
    rule: StrictStr
    target: StrictStr
    message: StrictStr | None = Field(
        None,
        description="The finding's message when the baseline was written: what was accepted. "
        "A finding of the same rule and target that now says something else (its dates and "
        "durations aside) fails for another reason, and is not hidden. Absent in a baseline "
        "written before hdsguard recorded it: then rule and target alone match.",
    )
    reason: StrictStr | None = Field(
        None,
        description="Why the finding failed when the baseline was written, as neither the "
        "language of a run, nor the wording of a message, nor the passing of days change it: "
        "the checks that did not hold, their field and the values their message quotes, less "
        "those read from the evaluation date (one line of JSON). A finding of the same rule "
        "and target whose reason differs counts as new. Absent in a baseline written before "
        "hdsguard recorded it: then the message is compared.",
    )


class Tool(_Strict):
    name: StrictStr
    version: StrictStr


class BaselineFile(_Strict):
    """A baseline file, written by `hdsguard baseline` (JSON)."""

    version: FormatVersion = Field(description="Version of the baseline format: 1.")
    tool: Tool = Field(description="The hdsguard that wrote the file.")
    as_of: IsoDate = Field(description="Evaluation date of the run that wrote the file.")
    findings: list[BaselineEntry] = Field(description="Accepted failing findings.")
    lang: Literal["en", "fr"] | None = Field(
        None, description="Language of the messages recorded (`en` or `fr`)."
    )
