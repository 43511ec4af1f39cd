"""Every sentence of the audit report, in one place, so that it can be translated.

The template never holds prose: it asks ``t(key, **values)``. A translation replaces this
table (same keys, same ``{placeholders}``); a test checks that every key the template uses
exists here.
"""

from __future__ import annotations

from typing import Any

EN: dict[str, str] = {
    "title": "hdsguard audit report",
    "subtitle": "Compliance of the declared infrastructure, evaluated on {as_of}",
    "organisation": "Organisation",
    "contents": "Contents",
    # summary
    "summary": "Summary",
    "verdict": "Verdict",
    "verdict_pass": "PASS: no finding fails at or above the {threshold} severity.",
    "verdict_fail": "FAIL: {count} finding(s) fail at or above the {threshold} severity.",
    "by_status": "Findings by status",
    "by_severity": "Failing findings by severity",
    "by_area": "Findings by area",
    "area": "Area",
    "total": "Total",
    "chart_status": "Bar chart of the findings by status",
    "chart_area": "Stacked bar chart of the findings by area",
    # statuses and severities
    "status_pass": "pass",
    "status_fail": "fail",
    "status_warn": "warn",
    "status_waived": "waived",
    "status_not_applicable": "not applicable",
    "status_error": "error",
    "severity": "Severity",
    "status": "Status",
    "rule": "Rule",
    "rules": "Rules",
    "target": "Target",
    "message": "Message",
    "where": "Where",
    "count": "Count",
    # matrix
    "matrix": "Coverage matrix per framework",
    "matrix_intro": (
        "Each requirement lists the rules that assess it (from the policies' structured "
        "controls) and their results. A requirement no rule assesses is marked \u201cnot "
        "assessed by hdsguard\u201d: hdsguard says nothing about it, it must be assessed "
        "another way."
    ),
    "requirement": "Requirement",
    "results": "Results",
    "state": "State",
    "not_assessed": "not assessed by hdsguard",
    "state_fail": "failing",
    "state_pass": "passing",
    "state_na": "not applicable here",
    "state_error": "could not be evaluated",
    "state_waived": "failing, risk accepted",
    "state_warn": "passing with warnings",
    "coverage_line": "{assessed} of {total} listed requirements are assessed by hdsguard rules.",
    "list_partial": (
        "This list is a selection, not the whole framework: {scope} Requirements outside it "
        "are not assessed by hdsguard either."
    ),
    "list_complete": "Scope of the list: {scope}",
    "list_source": "Requirement list dated {as_of}; source: {sources}.",
    "also_cited": "Also cited by the rules, outside the list",
    "other_frameworks": "Other references cited by the rules (no requirement list)",
    "framework": "Framework",
    "control": "Control",
    # targets
    "targets": "Findings per target",
    "targets_intro": (
        "Every evaluated target with its findings. Passing and not-applicable findings are "
        "folded; open them to read the evidence."
    ),
    "passes_folded": "{count} passing or not-applicable finding(s)",
    "no_findings": "No findings.",
    # waivers and baseline
    "waivers": "Waiver register and baseline",
    "waiver_register": "Waiver register",
    "justification": "Justification",
    "owner": "Owner",
    "approver": "Approver",
    "expires": "Expires (last valid day)",
    "ticket": "Ticket",
    "waiver_state_active": "active",
    "waiver_state_expiring": "expires within {days} days",
    "waiver_state_expired": "expired",
    "waiver_state_unused": "matches no failing finding",
    "no_waivers": "No waiver file is used.",
    "waivers_file": "Waiver file: {path}",
    "baseline": "Baseline",
    "baseline_none": "No baseline is used.",
    "baseline_line": (
        "{count} failing finding(s) are accepted by the baseline {path}: they do not fail the "
        "gate, they still fail the rule."
    ),
    # deadlines
    "deadlines": "Upcoming deadlines",
    "deadlines_intro": (
        "Findings that hold today and fail within {days} days (until {until}), found by "
        "evaluating the same rules on later dates; and waivers that end in that time. The "
        "date is the first day of failure."
    ),
    "date": "Date",
    "kind": "Kind",
    "kind_rule": "rule fails",
    "kind_waiver": "waiver ends",
    "no_deadlines": "Nothing falls due within the horizon.",
    # provenance
    "provenance": "Provenance",
    "tool_version": "Tool version",
    "as_of": "Evaluation date",
    "config": "Configuration",
    "no_config": "none (built-in defaults)",
    "policy_dirs": "Extra policy directories",
    "none": "none",
    "data_files": "Data files",
    "file": "File",
    "dated": "Dated",
    "sha256": "SHA-256",
    "declaration_files": "Declaration files read",
    "evidence_files": "Evidence files read",
    "no_evidence": "No evidence file was read.",
    "rules_run": "Rules run ({count})",
    "rules_disabled": "Rules disabled ({count})",
    "params": "Parameters set by the configuration",
    "severities": "Severities set by the configuration",
    "deterministic": (
        "The same declarations, configuration and evaluation date give this same file, byte "
        "for byte."
    ),
}


def translate(key: str, **values: Any) -> str:
    """The sentence ``key``, its ``{placeholders}`` filled; KeyError for an unknown key."""
    return EN[key].format(**values) if values else EN[key]
