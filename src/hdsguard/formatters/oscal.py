"""OSCAL assessment results (JSON): one observation per finding, one finding per requirement.

Each (rule, target) outcome is an OSCAL *observation* (method TEST, its message as the
description, the declaration line as relevant evidence). Each requirement a rule's
structured controls cite (``hds-v2 EXI-28``, ``iso27001-2022 A.8.8``…) is an OSCAL *finding*
whose target is that requirement, ``satisfied`` when every applicable observation of its
rules passes (or warns), ``not-satisfied`` otherwise; a requirement whose rules were all
not applicable gets no finding. UUIDs are version-5 UUIDs of what they name and times are
the evaluation date at midnight UTC, so the same inputs give the same bytes.

Validated in the tests against compliance-trestle's OSCAL models (OSCAL 1.2.1).
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from typing import Any

from hdsguard.findings import Finding, Report, Status
from hdsguard.formatters import RenderOptions, Write, collect
from hdsguard.formatters.escape import document_line, document_text
from hdsguard.formatters.jsonstream import Streamed, dump

OSCAL_VERSION = "1.2.1"
_NAMESPACE = uuid.UUID("6f1d2a8e-54c4-5b0e-9a57-2f6c1d9b3e10")
_NOT_TOKEN = re.compile(r"[^A-Za-z0-9_.-]")
_SATISFIED = frozenset({Status.PASS, Status.WARN})
_COUNTED = frozenset({Status.PASS, Status.WARN, Status.FAIL, Status.WAIVED, Status.ERROR})


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "\0".join(parts)))


def _token(framework: str, control_id: str) -> str:
    """An OSCAL token (target-id) for a requirement: ``gdpr_art._28``."""
    return f"{framework}_{_NOT_TOKEN.sub('_', control_id)}"


def _prop(name: str, value: str) -> dict[str, str]:
    return {"name": name, "ns": "https://hdsguard.dev/ns/oscal", "value": value}


def _text(value: str) -> str:
    # OSCAL strings must not be empty nor start or end with white space.
    cleaned = document_line(value).strip()
    return cleaned or "-"


def _observation(f: Finding, stamp: str) -> dict[str, Any]:
    obs: dict[str, Any] = {
        "uuid": _uuid("observation", f.rule, f.target),
        "title": _text(f"{f.rule} on {f.target}: {f.status.value}"),
        "description": document_text(f.message) or f"{f.rule}: {f.status.value}",
        "props": [
            _prop("rule", _text(f.rule)),
            _prop("target", _text(f.target)),
            _prop("status", f.status.value),
            _prop("severity", f.severity.value),
        ],
        "methods": ["TEST"],
        "types": ["finding"] if f.status is not Status.PASS else ["control-objective"],
        "collected": stamp,
    }
    if f.file:
        where = f"{f.file}#L{f.line}" if f.line else f.file
        obs["relevant-evidence"] = [
            {"href": where.replace(" ", "%20"), "description": _text(f"declared at {where}")}
        ]
    return obs


def assessment_results(report: Report, *, streamed: bool = False) -> dict[str, Any]:
    """The document; ``streamed``: its observations produced one at a time as written."""
    stamp = f"{report.as_of}T00:00:00+00:00"
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_rule[f.rule].append(f)
    observations: Any = (
        Streamed(_observation(f, stamp) for f in report.findings)
        if streamed
        else [_observation(f, stamp) for f in report.findings]
    )
    requirements: dict[tuple[str, str], set[str]] = defaultdict(set)
    for rule, info in report.rules.items():
        for framework, control_id, _ in info.controls:
            requirements[(framework, control_id)].add(rule)
    findings = []
    for (framework, control_id), rules in sorted(requirements.items()):
        related = [
            f for rule in sorted(rules) for f in by_rule.get(rule, ()) if f.status in _COUNTED
        ]
        if not related:
            continue
        satisfied = all(f.status in _SATISFIED for f in related)
        findings.append(
            {
                "uuid": _uuid("finding", framework, control_id),
                "title": _text(f"{framework} {control_id}"),
                "description": _text(
                    f"{framework} {control_id}, assessed by {', '.join(sorted(rules))}: "
                    f"{sum(f.status in _SATISFIED for f in related)} of {len(related)} "
                    "applicable results pass"
                ),
                "props": [_prop("framework", framework), _prop("control-id", control_id)],
                "target": {
                    "type": "objective-id",
                    "target-id": _token(framework, control_id),
                    "status": {"state": "satisfied" if satisfied else "not-satisfied"},
                },
                "related-observations": [
                    {"observation-uuid": _uuid("observation", f.rule, f.target)} for f in related
                ],
            }
        )
    result: dict[str, Any] = {
        "uuid": _uuid("result", report.as_of),
        "title": f"hdsguard check of {report.as_of}",
        "description": "Policy-as-code evaluation of the declared infrastructure by hdsguard.",
        "start": stamp,
        "end": stamp,
        "reviewed-controls": {"control-selections": [{"include-all": {}}]},
    }
    if report.findings:
        result["observations"] = observations
    if findings:
        result["findings"] = findings
    return {
        "assessment-results": {
            "uuid": _uuid("assessment-results", report.as_of, report.tool_version),
            "metadata": _metadata(report, stamp),
            "import-ap": {"href": "#hdsguard-policy-catalogue"},
            "results": [result],
        }
    }


def _metadata(report: Report, stamp: str) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "title": f"hdsguard assessment results, {report.as_of}",
        "last-modified": stamp,
        "version": report.tool_version,
        "oscal-version": OSCAL_VERSION,
    }
    if report.data_versions:  # the dates of the reference data files, as in the JSON report
        metadata["props"] = [
            _prop(f"data-{name}", date) for name, date in sorted(report.data_versions.items())
        ]
    return metadata


def write(report: Report, options: RenderOptions, out: Write) -> None:
    dump(assessment_results(report, streamed=True), out)
    out("\n")


def render(report: Report, options: RenderOptions) -> str:
    return collect(write, report, options)
