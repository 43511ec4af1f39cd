"""The records a check produces: findings and the report that holds them."""

from __future__ import annotations

import operator
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    WAIVED = "waived"
    NOT_APPLICABLE = "not_applicable"
    ERROR = "error"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is more severe; used for ``--fail-on`` thresholds."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}

# Summary order of format.md; also the order statuses are listed everywhere.
STATUS_ORDER: tuple[Status, ...] = (
    Status.PASS,
    Status.FAIL,
    Status.WARN,
    Status.WAIVED,
    Status.NOT_APPLICABLE,
    Status.ERROR,
)


class Waiver(NamedTuple):
    """The accepted-risk record attached to a waived finding."""

    justification: str
    owner: str
    approver: str
    expires: str
    ticket: str | None = None


class Finding(NamedTuple):
    """The outcome of one rule on one target. Immutable; formatters only read it."""

    rule: str
    status: Status
    severity: Severity
    target: str
    file: str | None
    line: int | None
    column: int | None
    message: str
    remediation: str
    references: tuple[str, ...]
    waiver: Waiver | None = None
    baselined: bool = False
    # Other places the finding is about: the evidence line that contradicts a declaration, or
    # the declaration an observation contradicts, as (file, line, column).
    related: tuple[tuple[str, int, int], ...] = ()
    # Why it does not pass, as neither the language of the run, nor the wording of its
    # message, nor the passing of days change it (hdsguard.reasons): what a baseline
    # compares; "" for a pass or a not-applicable finding.
    reason: str = ""
    # When the message opens with the missing-section sentence (hdsguard.undeclared): the
    # section and the fields it names, so that a report naming the section once shortens
    # the message without reading it back.
    undeclared: Undeclared | None = None


# (section, the fields the sentence names, as paths).
Undeclared = tuple[str, tuple[tuple[str, ...], ...]]


# The key of a rule's findings' sort: their target (item 3), at C speed.
_TARGET = operator.itemgetter(3)
_STATUS = operator.itemgetter(1)


def sort_findings(findings: list[Finding]) -> None:
    """Order ``findings`` by rule, then target, in place and stably: each rule's findings, in
    the order they come, sorted by target, the rules in order. One sort by (rule, target) made
    a tuple per finding (8 MB at 10k objects, 80 MB at 100k); two sorts of the whole list (by
    target, then stably by rule) a key per finding each and their merge space, 3 MiB at the
    peak of a first run at 10k objects (JSON), where a rule's share is sorted at a time here."""
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        group = by_rule.get(finding[0])
        if group is None:
            group = by_rule[finding[0]] = []
        group.append(finding)
    start = 0
    for rule in sorted(by_rule):
        group = by_rule.pop(rule)
        group.sort(key=_TARGET)
        findings[start : start + len(group)] = group
        start += len(group)


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    out = list(findings)
    sort_findings(out)
    return out


# A finding as plain values, for marshal (the findings memo, results of helper processes):
# rule, status, severity, target, file, line, column, message, remediation, reason,
# undeclared. The references come from the rule; waiver and baseline are applied after.
Row = tuple[
    str, str, str, str, str | None, int | None, int | None, str, str, str, Undeclared | None
]
_STATUS_BY_VALUE = {s.value: s for s in Status}


# Plain str of each member: a dict lookup, not the enum's ``value`` descriptor, per finding.
_PLAIN = {member: member.value for member in (*Status, *Severity)}


def to_rows(findings: Iterable[Finding]) -> list[Row]:
    """Findings as rows (the memo's and the helper processes' form), without the references
    (the rule's) nor waiver or baseline marks (applied after, on every run). Inlined: this
    runs for every finding of a first run."""
    plain = _PLAIN
    return [
        (f[0], plain[f[1]], plain[f[2]], f[3], f[4], f[5], f[6], f[7], f[8], f[13], f[14])
        for f in findings
    ]


def to_shared_rows(findings: Iterable[Finding]) -> list[Row]:
    """:func:`to_rows`, with each rule and file name interned: ``marshal`` marks them so and
    interns them again when loading, so that rows loaded from several payloads (the findings
    memo's chunks and entries) share one string each. Targets are not interned: 10,000 more
    names made the interpreter's table of interned strings (already holding the messages)
    double at a first run's peak, +4 MiB at 10k objects, where a warm run holds 0.9 MiB of
    copies of the names of targets whose findings span several chunks."""
    plain, intern = _PLAIN, sys.intern
    return [
        (intern(f[0]), plain[f[1]], plain[f[2]], f[3],
         None if f[4] is None else intern(f[4]), f[5], f[6], f[7], f[8], f[13],
         None if f[14] is None else _shared_undeclared(f[14]))
        for f in findings
    ]  # fmt: skip


def _shared_undeclared(said: Undeclared) -> Undeclared:
    """``said`` built afresh of interned names: marshal marks an object shared by the number
    of references it has, so a record read back from a memo (its names shared) and the same
    record made by the engine would be written as different bytes, and a rewritten memo
    entry would differ from the first one."""
    intern = sys.intern
    return intern(said[0]), tuple(tuple(intern(n) for n in path) for path in said[1])


# What the run stamps on each finding of a rule: its severity (the policy's, or the config's
# override) and its references.
Stamps = Mapping[str, tuple[Severity, tuple[str, ...]]]


def from_rows(rows: Iterable[Row], stamps: Stamps) -> list[Finding]:
    """The findings of rows, each stamped with its rule's severity and references in this run
    (``stamps``), never with a severity read back: a row's is the run's when it was written
    (the memo's key holds the severities), so a row saying another (a damaged or forged
    entry) changes nothing. KeyError, ValueError or TypeError when one is not a row (a
    reason that is not a text included: a baseline compares it). Inlined, and built as
    tuples (a NamedTuple's constructor is a Python function): this runs for every finding a
    memo or a helper process gives back."""
    status_of, new, text = _STATUS_BY_VALUE, tuple.__new__, str
    return [
        new(Finding, (rule, status_of[status], stamp[0], target, file, line,
                      column, message, remediation, stamp[1], None, False, (),
                      reason if type(reason) is text else _not_text(reason),
                      None if undeclared is None else _undeclared(undeclared)))
        for (rule, status, _severity, target, file, line, column, message, remediation, reason,
             undeclared) in rows
        for stamp in (stamps[rule],)
    ]  # fmt: skip


def _not_text(value: object) -> str:
    raise TypeError(f"a reason is a text, not {type(value).__name__}")


def _undeclared(value: object) -> Undeclared:
    """``value`` as read back (a memo on disk), checked: a section and paths of names;
    TypeError otherwise."""
    if type(value) is tuple and len(value) == 2:
        section, paths = value
        if (
            type(section) is str
            and type(paths) is tuple
            and paths
            and all(type(p) is tuple and p and all(type(n) is str for n in p) for p in paths)
        ):
            return section, paths
    raise TypeError("not an undeclared section's record")


# Outcomes counted instead of reported (an output that hides passes, ``evidence=False``): how
# many pairs of each (rule, status, file) ended so, as plain values (marshal). The file, None
# for a target that is not declared, lets the findings memo keep each file's share.
Tally = dict[tuple[str, str, str | None], int]
# The outcomes counted, never built nor located, when evidence is not asked for.
COUNTED = frozenset({Status.PASS, Status.NOT_APPLICABLE})


def add_tally(into: Tally, more: Mapping[tuple[str, str, str | None], int]) -> None:
    for key, n in more.items():
        into[key] = into.get(key, 0) + n


def tally_by_status(tally: Mapping[tuple[str, str, str | None], int]) -> dict[Status, int]:
    """The counts of a tally per status (what a report's summary adds to its findings')."""
    out: dict[Status, int] = {}
    for (_rule, status, _file), n in tally.items():
        out[_STATUS_BY_VALUE[status]] = out.get(_STATUS_BY_VALUE[status], 0) + n
    return out


def checked_tally(value: object) -> Tally:
    """``value`` when it is a tally of counted outcomes (read back from marshal), else
    ValueError: a helper's or a memo entry's counts are used only when they are whole."""
    if type(value) is not dict:
        raise ValueError("not a tally")
    for key, n in value.items():
        if not (
            type(key) is tuple
            and len(key) == 3
            and type(key[0]) is str
            and key[1] in _COUNTED_VALUES
            and (key[2] is None or type(key[2]) is str)
            and type(n) is int
            and n > 0
        ):
            raise ValueError("not a tally")
    return value


_COUNTED_VALUES = frozenset(s.value for s in COUNTED)


class EvidenceFileInfo(NamedTuple):
    """An evidence file as reports list it (provenance: which file, which content, when)."""

    path: str
    kind: str
    sha256: str
    timestamp: str | None
    # Its `.evidence` sidecar, when one was read: it declares the vantage point or the host,
    # which decide verdicts, so it is an input the provenance names with its digest.
    sidecar: str | None = None
    sidecar_sha256: str | None = None


class RuleInfo(NamedTuple):
    """Rule metadata that outputs such as SARIF describe once per rule."""

    id: str
    title: str
    severity: Severity
    description: str
    rationale: str
    remediation: str
    references: tuple[str, ...]
    tags: tuple[str, ...]
    help_uri: str
    # Structured references (framework, id, note) of the rule: the coverage matrix's input.
    controls: tuple[tuple[str, str, str | None], ...] = ()


@dataclass(frozen=True)
class Report:
    """Everything a formatter needs; built once per run, rendered any number of times."""

    tool_version: str
    as_of: str
    findings: tuple[Finding, ...]
    rules: Mapping[str, RuleInfo] = field(default_factory=dict)
    data_versions: Mapping[str, str] = field(default_factory=dict)
    notices: tuple[str, ...] = ()
    # Evidence files read (hdsguard.evidence.load.EvidenceFile): path, kind, sha256, timestamp.
    evidence: tuple[EvidenceFileInfo, ...] = ()
    # Outcomes counted but not among ``findings``: the passes and not-applicable pairs of a
    # check run without evidence (``CheckOptions.evidence=False``: outputs that never show
    # them). ``summary()`` adds them; a report with evidence has none.
    counted: Mapping[Status, int] = field(default_factory=dict)
    # Whether ``findings`` are in :func:`sort_findings`'s order already: a check's report
    # (the engine sorts them; waivers, the baseline and the evidence notes keep their order),
    # which the writers then do not sort again (≈ 20 ms of a warm JUnit run at 10k objects).
    ordered: bool = False

    def summary(self) -> dict[str, int]:
        """How many (rule, target) pairs ended in each status, found or counted."""
        # Counted by status object at C speed, then named: no enum attribute read per finding.
        tally = Counter(map(_STATUS, self.findings))
        tally.update(self.counted)
        return {s.value: tally[s] for s in STATUS_ORDER}

    def failing(self, threshold: Severity) -> list[Finding]:
        """Findings that break the gate: fails at or above the threshold, and any error.

        Waived findings (status ``waived``) and baselined ones never break it.
        """
        return list(self._failing(threshold))

    def _failing(self, threshold: Severity) -> Iterator[Finding]:
        error, fail, rank = Status.ERROR, Status.FAIL, threshold.rank  # read once, not per finding
        return (
            f
            for f in self.findings
            if (f.status is error or (f.status is fail and f.severity.rank >= rank))
            and not f.baselined
        )

    def exit_code(self, threshold: Severity) -> int:
        """1 when a finding breaks the gate: the first one found decides (a failing report of
        114,723 findings listed its 30,231 failures for that: 15 ms)."""
        return 1 if next(self._failing(threshold), None) is not None else 0
