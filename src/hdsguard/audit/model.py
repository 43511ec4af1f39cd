"""What the audit report shows, computed from a check's report: plain records, no markup.

The HTML template only lays these out; every count, state and order is decided here, so
that the same inputs give the same records (and the same bytes).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from hdsguard.audit.deadlines import Deadline
from hdsguard.audit.frameworks import RequirementList, framework_lists, listed_requirement
from hdsguard.audit.provenance import Provenance
from hdsguard.findings import STATUS_ORDER, Finding, Report, Severity, Status
from hdsguard.i18n import N_, current
from hdsguard.policies.controls import FRAMEWORKS

if TYPE_CHECKING:
    from hdsguard.waiverfile import WaiverValues

SEVERITY_ORDER = tuple(Severity)
# Areas of the summary: a rule's id prefix (FW-001 -> FW), named.
# Names in English, marked for the catalogue: the report shows them in its language.
AREAS = {
    "HDS": N_("HDS hosting"),
    "EXP": N_("Internet exposure"),
    "FW": N_("Firewalls"),
    "PAT": N_("Patching"),
    "VND": N_("Vendors"),
    "BKP": N_("Backups"),
    "IAM": N_("Identity"),
    "LOG": N_("Logging"),
    "GOV": N_("Governance"),
    "TLS": "TLS",
    "DET": N_("Detection"),
    "MSG": N_("Messaging"),
    "BIO": N_("Biomedical devices"),
    "EVD": N_("Evidence"),
}


@dataclass(frozen=True)
class RuleResult:
    rule: str
    title: str
    counts: dict[str, int]  # status -> count, only non-zero
    # What the result rests on, so that "passing" says by what and on what: the targets
    # judged (not the not-applicable ones), the first few with their anchor in the findings
    # per target, and how many more; and when the rule gave one finding only, that finding
    # (its message quotes the declared values or the evidence it rests on).
    targets: tuple[tuple[str, int], ...] = ()
    more: int = 0
    single: Finding | None = None


@dataclass(frozen=True)
class MatrixRow:
    id: str
    title: str
    state: str  # a text key: not_assessed, state_fail, ...
    rules: list[RuleResult]


@dataclass(frozen=True)
class Matrix:
    framework: str
    listing: RequirementList
    rows: list[MatrixRow]
    assessed: int
    also_cited: list[tuple[str, list[str]]]  # (control id, rules) outside the list


@dataclass(frozen=True)
class TargetView:
    target: str
    shown: list[Finding]  # fail, warn, waived, error: always shown
    folded: list[Finding]  # pass, not applicable: folded


@dataclass(frozen=True)
class WaiverRow:
    rule: str
    target: str
    justification: str
    owner: str
    approver: str
    expires: str
    ticket: str | None
    state: str


@dataclass(frozen=True)
class AuditView:
    report: Report
    organisation: str | None
    threshold: Severity
    failing: int
    # Failing findings at or above the threshold that the baseline accepts (not in `failing`).
    failing_baselined: int
    status_counts: dict[str, int]
    severity_counts: dict[str, int]
    areas: list[tuple[str, str, dict[str, int]]]  # (prefix, name, status counts)
    matrices: list[Matrix]
    others: list[tuple[str, str, list[tuple[str, list[str]]]]]  # framework, title, controls
    targets: list[TargetView]
    waivers: list[WaiverRow] | None
    waivers_file: str | None
    baselined: int
    baseline_file: str | None
    deadlines: list[Deadline]
    horizon_days: int
    until: str
    provenance: Provenance
    statuses: tuple[str, ...] = field(default=tuple(s.value for s in STATUS_ORDER))


def build(
    report: Report,
    *,
    threshold: Severity,
    deadlines: Sequence[Deadline],
    horizon_days: int,
    provenance: Provenance,
    organisation: str | None = None,
    waivers: Sequence[WaiverRow] | None = None,
) -> AuditView:
    as_of = datetime.date.fromisoformat(report.as_of)
    findings = report.findings
    severity_counts = Counter(f.severity.value for f in findings if f.status is Status.FAIL)
    targets = _targets(findings)
    # The anchor of each target's block in the findings per target (id="target-N").
    results = _rule_results(report, {tv.target: i for i, tv in enumerate(targets, 1)})
    return AuditView(
        report=report,
        organisation=organisation,
        threshold=threshold,
        failing=len(report.failing(threshold)),
        failing_baselined=sum(
            1
            for f in findings
            if f.baselined and f.status is Status.FAIL and f.severity.rank >= threshold.rank
        ),
        status_counts=report.summary(),
        severity_counts={s.value: severity_counts[s.value] for s in SEVERITY_ORDER},
        areas=_areas(findings),
        # The list's own texts (name, scope, titles) in the run's language.
        matrices=[_matrix(rl.in_language(current()), report, results) for rl in framework_lists()],
        others=_others(report),
        targets=targets,
        waivers=list(waivers) if waivers is not None else None,
        waivers_file=provenance.waivers_file.path if provenance.waivers_file else None,
        baselined=sum(1 for f in findings if f.baselined),
        baseline_file=provenance.baseline_file.path if provenance.baseline_file else None,
        deadlines=list(deadlines),
        horizon_days=horizon_days,
        until=(as_of + datetime.timedelta(days=horizon_days)).isoformat(),
        provenance=provenance,
    )


def _areas(findings: Sequence[Finding]) -> list[tuple[str, str, dict[str, int]]]:
    tally: dict[str, Counter[str]] = defaultdict(Counter)
    for f in findings:
        tally[f.rule.split("-", 1)[0]][f.status.value] += 1
    known = [p for p in AREAS if p in tally]
    ordered = known + sorted(p for p in tally if p not in AREAS)
    return [
        (p, AREAS.get(p, p), {s.value: tally[p][s.value] for s in STATUS_ORDER}) for p in ordered
    ]


# How many targets a rule's result names in the matrix before "and N more": the matrix is
# read on paper, and a rule run over 10,000 services would otherwise fill pages.
SHOWN_TARGETS = 3


def _rule_results(report: Report, anchors: Mapping[str, int]) -> dict[str, RuleResult]:
    """Each rule's result on the estate: its counts per status, the targets it judged and,
    for a rule that gave one finding, that finding."""
    tally: dict[str, Counter[str]] = defaultdict(Counter)
    judged: dict[str, list[str]] = defaultdict(list)
    only: dict[str, Finding] = {}
    for f in report.findings:
        tally[f.rule][f.status.value] += 1
        only[f.rule] = f
        if f.status is not Status.NOT_APPLICABLE:
            judged[f.rule].append(f.target)
    out = {}
    for rule, c in tally.items():
        single = only[rule] if sum(c.values()) == 1 else None
        # One finding: its target, whatever its status (a not-applicable one says why).
        targets = [single.target] if single else sorted(set(judged[rule]))
        out[rule] = RuleResult(
            rule,
            report.rules[rule].title if rule in report.rules else rule,
            {s.value: c[s.value] for s in STATUS_ORDER if c[s.value]},
            tuple((t, anchors.get(t, 0)) for t in targets[:SHOWN_TARGETS]),
            max(0, len(targets) - SHOWN_TARGETS),
            single,
        )
    return out


def _controls_by_framework(report: Report) -> dict[str, dict[str, list[str]]]:
    """framework -> control id -> rules citing it (sorted)."""
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for rule, info in report.rules.items():
        for framework, control_id, _ in info.controls:
            out[framework][control_id].add(rule)
    return {fw: {cid: sorted(r) for cid, r in ids.items()} for fw, ids in out.items()}


_STATE_RANK = [
    ("error", "state_error"),
    ("fail", "state_fail"),
    ("waived", "state_waived"),
    ("warn", "state_warn"),
    ("pass", "state_pass"),
]


def _state(results: Sequence[RuleResult]) -> str:
    """A requirement's state: the worst result of the rules that assess it."""
    present = {status for r in results for status in r.counts}
    for status, key in _STATE_RANK:
        if status in present:
            return key
    return "state_na"


def _matrix(listing: RequirementList, report: Report, results: Mapping[str, RuleResult]) -> Matrix:
    cited = _controls_by_framework(report).get(listing.framework, {})
    by_requirement: dict[str, set[str]] = defaultdict(set)
    also: list[tuple[str, list[str]]] = []
    for control_id, rules in sorted(cited.items()):
        requirement = listed_requirement(listing.framework, control_id)
        if requirement is None:
            also.append((control_id, rules))
        else:
            by_requirement[requirement].update(rules)
    rows = []
    for req in listing.requirements:
        assessed_by = [
            results.get(rule) or RuleResult(rule, report.rules[rule].title, {})
            for rule in sorted(by_requirement.get(req.id, ()))
        ]
        state = _state(assessed_by) if assessed_by else "not_assessed"
        rows.append(MatrixRow(req.id, req.title, state, assessed_by))
    assessed = sum(1 for r in rows if r.state != "not_assessed")
    return Matrix(listing.framework, listing, rows, assessed, also)


def _others(report: Report) -> list[tuple[str, str, list[tuple[str, list[str]]]]]:
    listed = {rl.framework for rl in framework_lists()}
    cited = _controls_by_framework(report)
    return [
        (fw, spec.title, sorted(cited[fw].items()))
        for fw, spec in FRAMEWORKS.items()
        if fw in cited and fw not in listed
    ]


_SHOWN = frozenset({Status.FAIL, Status.WARN, Status.WAIVED, Status.ERROR})


def _targets(findings: Sequence[Finding]) -> list[TargetView]:
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        grouped[f.target].append(f)
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    sev = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    out = []
    for target in sorted(grouped):
        items = grouped[target]
        shown = sorted(
            (f for f in items if f.status in _SHOWN),
            key=lambda f: (rank[f.status], sev[f.severity], f.rule),
        )
        folded = sorted((f for f in items if f.status not in _SHOWN), key=lambda f: f.rule)
        out.append(TargetView(target, shown, folded))
    return out


def waiver_rows(
    entries: Sequence[WaiverValues], report: Report, as_of: datetime.date, warn_days: int
) -> list[WaiverRow]:
    """The register: every waiver of the file, with its state on the evaluation date."""
    waived = {(f.rule, f.target) for f in report.findings if f.waiver is not None}
    rows = []
    for w in entries:
        if w.expires < as_of:
            state = "waiver_state_expired"
        elif not any(r == w.rule and fnmatchcase(t, w.target) for r, t in waived):
            state = "waiver_state_unused"
        elif (w.expires - as_of).days <= warn_days:
            state = "waiver_state_expiring"
        else:
            state = "waiver_state_active"
        rows.append(
            WaiverRow(w.rule, w.target, w.justification, w.owner, w.approver,
                      w.expires.isoformat(), w.ticket, state)
        )  # fmt: skip
    return sorted(rows, key=lambda w: (w.expires, w.rule, w.target))


def worded_counts(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    return [(status, n) for status, n in counts.items() if n]
