"""What a run needs to know about a policy, as plain immutable records.

The pydantic ``Policy`` model validates policy files; once validated, a run only needs these
records (no pydantic), so that a cached catalogue loads without building the policy model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hdsguard.policies.model import Policy


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

    @classmethod
    def of(cls, spec: Policy) -> PolicyMeta:
        return cls(
            id=spec.id,
            title=spec.title,
            severity=spec.severity,
            applies_to=tuple(spec.applies_to),
            description=spec.description,
            rationale=spec.rationale,
            remediation=spec.remediation,
            references=tuple(spec.references),
            tags=tuple(spec.tags),
            params={
                name: ParamInfo(
                    p.type,
                    p.default,
                    p.description,
                    p.minimum,
                    p.maximum,
                    tuple(p.enum) if p.enum is not None else None,
                )
                for name, p in spec.params.items()
            },
            override=spec.override,
            help_uri=spec.help_uri,
        )
