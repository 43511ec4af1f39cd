"""The library entry point: ``check(paths) -> Report``. The CLI is a thin layer over this."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hdsguard import __version__
from hdsguard.findings import Report, RuleInfo, Severity
from hdsguard.policies.celenv import CelRuntime
from hdsguard.policies.load import CompiledPolicy, load_catalogue

DOCS_URL = "https://github.com/hdsguard/hdsguard/blob/main/docs/policies.md"


@dataclass(frozen=True)
class CheckOptions:
    """What a run needs besides the declaration paths; every field has a sensible default."""

    as_of: datetime.date = field(default_factory=datetime.date.today)
    policy_dirs: Sequence[Path] = ()
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    severities: Mapping[str, Severity] = field(default_factory=dict)
    disabled: frozenset[str] = frozenset()
    only: frozenset[str] = frozenset()


def load_policies(policy_dirs: Sequence[Path] = ()) -> tuple[CelRuntime, dict[str, CompiledPolicy]]:
    runtime = CelRuntime()
    return runtime, load_catalogue(runtime, policy_dirs)


def selected(
    catalogue: Mapping[str, CompiledPolicy], options: CheckOptions
) -> list[CompiledPolicy]:
    return [
        p
        for pid, p in catalogue.items()
        if pid not in options.disabled and (not options.only or pid in options.only)
    ]


def check(paths: Sequence[str], options: CheckOptions | None = None) -> Report:
    """Load declarations and policies, evaluate, and return the report.

    Raises ``hdsguard.errors.InputError`` (with every located problem) when the declarations
    or a policy are invalid.
    """
    from hdsguard import data
    from hdsguard.declarations.load import load_declarations
    from hdsguard.engine import run

    options = options or CheckOptions()
    runtime, catalogue = load_policies(options.policy_dirs)
    decl = load_declarations(paths)
    policies = selected(catalogue, options)
    findings = run(runtime, policies, decl, options.as_of, options.params, options.severities)
    return Report(
        tool_version=__version__,
        as_of=options.as_of.isoformat(),
        findings=tuple(findings),
        rules={p.id: rule_info(p, options.severities) for p in policies},
        data_versions=data.data_versions(),
    )


def rule_info(policy: CompiledPolicy, severities: Mapping[str, Severity] | None = None) -> RuleInfo:
    spec = policy.spec
    return RuleInfo(
        id=spec.id,
        title=spec.title,
        severity=(severities or {}).get(spec.id, Severity(spec.severity)),
        description=spec.description,
        rationale=spec.rationale,
        remediation=spec.remediation,
        references=tuple(spec.references),
        tags=tuple(spec.tags),
        help_uri=spec.help_uri or f"{DOCS_URL}#{spec.id.lower()}",
    )
