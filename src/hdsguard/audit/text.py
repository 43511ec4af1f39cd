"""Every sentence of the audit report, in one place, so that it can be translated.

The template never holds prose: it asks ``t(key, **values)``. Each sentence is a message of
hdsguard's catalogue (its French in ``locale/fr/LC_MESSAGES/hdsguard.po``, same
``{placeholders}``); a test checks that every key the template uses exists here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from hdsguard.i18n import N_, _, current, ngettext
from hdsguard.l10n import iso_date_text, long_date, long_moment

EN: dict[str, str] = {
    "title": N_("hdsguard audit report"),
    "subtitle": N_("Compliance of the declared infrastructure, evaluated on {as_of}"),
    "organisation": N_("Organisation"),
    "contents": N_("Contents"),
    # between a label and what it labels (French: a space before the colon)
    "colon": N_(": "),
    # between the items of a list in prose (French: a space before the semicolon)
    "semicolon": N_("; "),
    # summary
    "summary": N_("Summary"),
    "verdict": N_("Verdict"),
    "verdict_pass": N_("PASS: no finding fails at or above the {threshold} severity."),
    # What the verdict line does not say and a director must not miss: accepted risks,
    # warnings, and what turns to fail soon (HC, the fourteenth session: a green verdict
    # beside a rule failing in eleven days).
    "verdict_also": N_("Also: {items}."),
    "by_status": N_("Findings by status"),
    "by_severity": N_("Failing findings by severity"),
    "by_area": N_("Findings by area"),
    "area": N_("Area"),
    "total": N_("Total"),
    "chart_status": N_("Bar chart of the findings by status"),
    "chart_area": N_("Stacked bar chart of the findings by area"),
    # statuses and severities
    "status_pass": N_("pass"),
    "status_fail": N_("fail"),
    "status_warn": N_("warn"),
    "status_waived": N_("waived"),
    "status_not_applicable": N_("not applicable"),
    "status_error": N_("error"),
    "severity": N_("Severity"),
    "status": N_("Status"),
    "rule": N_("Rule"),
    "rules": N_("Rules"),
    "target": N_("Target"),
    "message": N_("Message"),
    "where": N_("Where"),
    "count": N_("Count"),
    # matrix
    "matrix": N_("Coverage matrix per framework"),
    "matrix_intro": N_(
        "Each requirement lists the rules that assess it (from the policies' structured "
        "controls) and their results. A requirement no rule assesses is marked \u201cnot "
        "assessed by hdsguard\u201d: hdsguard says nothing about it, it must be assessed "
        "another way."
    ),
    "requirement": N_("Requirement"),
    "results": N_("Results"),
    "state": N_("State"),
    "not_assessed": N_("not assessed by hdsguard"),
    "state_fail": N_("failing"),
    "state_pass": N_("passing"),
    "state_na": N_("not applicable here"),
    "state_error": N_("could not be evaluated"),
    "state_waived": N_("failing, risk accepted"),
    "state_warn": N_("passing with warnings"),
    # a rule that gave no finding at all (an evidence rule run without evidence)
    "no_results": N_("no finding on this estate"),
    # before the targets a rule judged, under its result in the matrix ("on providers/ovh,
    # providers/santecloud and 2 more"), or its one finding ("on organisation: …")
    "rule_on": N_("on"),
    # a finding's message quoted in the matrix, after its target
    "quoted": N_("\u201c{text}\u201d"),
    "coverage_line": N_(
        "{assessed} of {total} listed requirements are assessed by hdsguard rules."
    ),
    "list_partial": N_(
        "This list is a selection, not the whole framework: {scope} Requirements outside it "
        "are not assessed by hdsguard either."
    ),
    "list_complete": N_("Scope of the list: {scope}"),
    "list_source": N_("Requirement list dated {as_of}; source: {sources}."),
    "also_cited": N_("Also cited by the rules, outside the list"),
    "other_frameworks": N_("Other references cited by the rules (no requirement list)"),
    "framework": N_("Framework"),
    "control": N_("Control"),
    # targets
    "targets": N_("Findings per target"),
    "targets_intro": N_(
        "Every evaluated target with its findings. Passing and not-applicable findings are "
        "folded; open them to read the evidence."
    ),
    "no_findings": N_("No findings."),
    # waivers and baseline
    "waivers": N_("Waiver register and baseline"),
    "waiver_register": N_("Waiver register"),
    "justification": N_("Justification"),
    "owner": N_("Owner"),
    "approver": N_("Approver"),
    "expires": N_("Expires (last valid day)"),
    "ticket": N_("Ticket"),
    "waiver_state_active": N_("active"),
    "waiver_state_expiring": N_("expires within {days} days"),
    "waiver_state_expired": N_("expired"),
    "waiver_state_unused": N_("matches no failing finding"),
    # under a finding's place: the evidence line that contradicts it, or the declaration
    "see_also": N_("see also: {related}"),
    # under a failing finding the baseline accepts, in the findings per target: the verdict
    # says how many there are "listed below"; the rows must say which
    "baselined_note": N_(
        "Accepted by the baseline: a failure known when the gate was adopted; it does not "
        "make the verdict FAIL."
    ),
    # under a failing or warning finding, in the findings per target: how to fix it (the
    # rule's remediation, as the text, SARIF and Markdown outputs give it)
    "fix_note": N_("Fix: {remediation}"),
    # under a failing, warning, waived or error finding, in the findings per target: the
    # regulatory references behind its rule
    "references_note": N_("References: {references}"),
    # under a waived finding, in the findings per target
    "waived_note": N_(
        "Waived until {expires} (last valid day), approved by {approver}: {justification}"
    ),
    "no_waivers": N_("No waiver file is used."),
    "waivers_file": N_("Waiver file: {path}"),
    "baseline": N_("Baseline"),
    "baseline_none": N_("No baseline is used."),
    # deadlines
    "deadlines": N_("Upcoming deadlines"),
    "deadlines_intro": N_(
        "Findings that hold today and fail within {days} days (until {until}), found by "
        "evaluating the same rules on later dates; and waivers that end in that time. The "
        "date is the first day of failure."
    ),
    "date": N_("Date"),
    "kind": N_("Kind"),
    "kind_rule": N_("rule fails"),
    "kind_waiver": N_("waiver ends"),
    "no_deadlines": N_("Nothing falls due within the horizon."),
    # provenance
    "provenance": N_("Provenance"),
    "tool_version": N_("Tool version"),
    "as_of": N_("Evaluation date"),
    "config": N_("Configuration"),
    "no_config": N_("none (built-in defaults)"),
    "policy_dirs": N_("Extra policy directories"),
    "none": N_("none"),
    "data_files": N_("Data files"),
    "file": N_("File"),
    "dated": N_("Dated"),
    "sha256": N_("SHA-256"),
    "declaration_files": N_("Declaration files read"),
    "evidence_files": N_("Evidence files read"),
    # the evidence's own date: a scan's start, a catalogue's release, a snapshot's day
    "evidence_timestamp": N_("Observed (its own timestamp)"),
    "no_evidence": N_("No evidence file was read."),
    # the kinds of evidence file (docs/evidence.md), named for a reader, not as identifiers
    "evidence_kind_nmap": N_("nmap scan"),
    "evidence_kind_certificate": N_("TLS certificate"),
    "evidence_kind_kev": N_("CISA KEV catalogue"),
    "evidence_kind_hds_registry": N_("ANS HDS registry snapshot"),
    # an evidence file's `.evidence` sidecar: it declares the scan's vantage point or the
    # certificate's host, which decide verdicts
    "evidence_kind_sidecar": N_("sidecar (vantage point, host)"),
    "rules_run": N_("Rules run ({count})"),
    "rules_disabled": N_("Rules disabled ({count})"),
    "params": N_("Parameters set by the configuration"),
    "severities": N_("Severities set by the configuration"),
    # Not "the same declarations": evidence, waivers, the baseline, the language and the
    # tool's version change the report too (an auditor re-running it with the declarations
    # alone would get another one and suspect the file).
    "deterministic": N_(
        "The same files read (listed above), hdsguard version, evaluation date and language "
        "give this same file, byte for byte; `hdsguard verify-pack` checks an evidence pack "
        "this way."
    ),
}


# Sentences with a number: the singular or plural form for it ("1 constat non conforme",
# "46 constats non conformes"), chosen by ngettext on the value ``COUNTED`` names (``count``
# unless said), in English as in French; one ngettext call each, written out so that the
# extractor finds it.
PLURAL: dict[str, Callable[[int], str]] = {
    # The gate passes, but failing findings at or above the threshold are only accepted by
    # the baseline: "no finding fails" would be false in an auditor's hands.
    "verdict_pass_baselined": lambda n: ngettext(
        "PASS: no finding outside the baseline fails at or above the {threshold} severity; "
        "the baseline accepts {count} failing finding at or above it, listed below.",
        "PASS: no finding outside the baseline fails at or above the {threshold} severity; "
        "the baseline accepts {count} failing findings at or above it, listed below.",
        n,
    ),
    "also_waived": lambda n: ngettext(
        "{count} failing finding accepted by a waiver (see the waiver register)",
        "{count} failing findings accepted by waivers (see the waiver register)",
        n,
    ),
    "also_warn": lambda n: ngettext("{count} warning", "{count} warnings", n),
    "also_deadlines": lambda n: ngettext(
        "{count} upcoming deadline by {until}, the first on {first} (see the upcoming deadlines)",
        "{count} upcoming deadlines by {until}, the first on {first} (see the upcoming deadlines)",
        n,
    ),
    "verdict_fail": lambda n: ngettext(
        "FAIL: {count} finding fails at or above the {threshold} severity.",
        "FAIL: {count} findings fail at or above the {threshold} severity.",
        n,
    ),
    "verdict_fail_baselined": lambda n: ngettext(
        "FAIL: {count} finding fails at or above the {threshold} severity, besides "
        "{baselined} accepted by the baseline.",
        "FAIL: {count} findings fail at or above the {threshold} severity, besides "
        "{baselined} accepted by the baseline.",
        n,
    ),
    "passes_folded": lambda n: ngettext(
        "{count} passing or not-applicable finding",
        "{count} passing or not-applicable findings",
        n,
    ),
    "and_more": lambda n: ngettext("and {count} more", "and {count} more", n),
    "print_omits": lambda n: ngettext(
        "Printed, this section holds only the targets with a failing, warning, waived or error "
        "finding ({clean} target with only passing or not-applicable findings is left out), "
        "and a target's passing findings only if they were opened before printing. The HTML "
        "file and the JSON report hold them all.",
        "Printed, this section holds only the targets with a failing, warning, waived or error "
        "finding ({clean} targets with only passing or not-applicable findings are left out), "
        "and a target's passing findings only if they were opened before printing. The HTML "
        "file and the JSON report hold them all.",
        n,
    ),
    "baseline_line": lambda n: ngettext(
        "{count} failing finding is accepted by the baseline {path}: it does not fail the "
        "gate, it still fails the rule.",
        "{count} failing findings are accepted by the baseline {path}: they do not fail the "
        "gate, they still fail the rule.",
        n,
    ),
}
COUNTED = {"print_omits": "clean"}

# A severity named in prose ("de sévérité élevée ou supérieure"). The identifiers stay in
# the tables and in every machine format; "info" is the same word in French.
SEVERITY_NAMES = {
    "critical": N_("critical"),
    "high": N_("high"),
    "medium": N_("medium"),
    "low": N_("low"),
    "info": "info",
}


# The reference data files (hdsguard/data/*.json, docs/data.md), named for a reader of the
# provenance; the framework lists are named by their own title.
DATA_TITLES = {
    "cabf_lifetimes": N_("Maximum TLS certificate lifetimes (CA/Browser Forum)"),
    "countries": N_("Countries: EEA members and adequacy decisions"),
    "hds_activities": N_("HDS hosting activities"),
    "protocols": N_("Network protocols: cleartext, remote access, TLS versions"),
    "regulatory": N_("Regulatory dates"),
    "signature_algorithms": N_("Certificate signature algorithms"),
}


def data_title(name: str) -> str:
    """The title of a reference data file of the provenance (``countries``,
    ``frameworks/hds-v2``) in the run's language; its name when it has none."""
    if name.startswith("frameworks/"):
        from hdsguard.audit.frameworks import framework_lists

        for listing in framework_lists():
            if f"frameworks/{listing.framework}" == name:
                return listing.in_language(current()).title
        return name
    return _(DATA_TITLES[name]) if name in DATA_TITLES else name


def translate(key: str, **values: Any) -> str:
    """The sentence ``key`` in the run's language, its ``{placeholders}`` filled (a date as
    the reader of that language writes it); KeyError for an unknown key. A ``threshold``
    is a severity, named in the run's language."""
    counted = COUNTED.get(key, "count")
    text = PLURAL[key](int(values[counted])) if key in PLURAL else _(EN[key])
    if "threshold" in values:
        values["threshold"] = severity(str(values["threshold"]))
    return text.format(**{k: _value(v) for k, v in values.items()}) if values else text


def severity(value: str) -> str:
    """A severity as the report's reader names it: the identifier in English ("high"), the
    word in French ("élevée", agreeing with "sévérité")."""
    return _(SEVERITY_NAMES[value])


def status_count(status: str, n: int) -> str:
    """``4 pass``, ``4 conformes``: a count of one status, its plural agreeing in French."""
    from hdsguard.findings import Status
    from hdsguard.formatters.text import status_count as worded

    return worded(Status(status), n)


def day(value: datetime.date | str) -> str:
    """A date of the report's prose or tables: ISO in English, "1er décembre 2026" in
    French."""
    return long_date(value, current())


def moment(value: str) -> str:
    """An evidence file's own timestamp in the report's tables: as read in English,
    "20 novembre 2026 à 07:12 UTC" in French."""
    return long_moment(value, current())


def _value(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return day(value)
    if isinstance(value, str):
        return iso_date_text(value, current())
    return value
