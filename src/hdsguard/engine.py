"""Evaluation: every policy on every target of its sections, one explicit outcome each.

The engine, not the policy, stamps rule id, severity, remediation, references and location on
each finding. Outcomes: not_applicable when ``applicable_if`` is false; fail when evidence is
missing or a check does not hold; error when CEL cannot evaluate; warn; pass. A run for an
output that hides passes counts its pass and not-applicable outcomes instead (:func:`run`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from sys import intern
from typing import TYPE_CHECKING, Any, NamedTuple

from cel_expr_python import cel

from hdsguard.declarations.merge import DeclarationSet, Origin
from hdsguard.declarations.sections import SINGLETON_SECTIONS
from hdsguard.speed.evalsplit import Batch, Unit, evaluate_all
from hdsguard.speed.heap import trim

if TYPE_CHECKING:
    from hdsguard.speed.findingsmemo import FindingsMemo
from hdsguard import reasons
from hdsguard.findings import (
    COUNTED,
    Finding,
    Severity,
    Status,
    Tally,
    Undeclared,
    add_tally,
    sort_findings,
    tally_by_status,
)
from hdsguard.i18n import _, ngettext
from hdsguard.policies.celenv import CelRuntime, evaluate, scan_age_limit
from hdsguard.policies.load import CompiledCheck, CompiledPolicy, split_path
from hdsguard.policies.template import Template, join_rendered
from hdsguard.speed import fastpath


class _Outcome(NamedTuple):
    # A tuple, not a frozen dataclass: one is made for every pair evaluated, and a frozen
    # dataclass's __init__ sets each field through object.__setattr__.
    status: Status
    message: str
    field: tuple[str | int, ...]
    missing: tuple[tuple[str, ...], ...] = ()
    # Why it does not pass, in parts (hdsguard.reasons); none for a pass or not applicable.
    pieces: tuple[reasons.Piece, ...] = ()
    # The missing section the message opens with (Finding.undeclared).
    undeclared: Undeclared | None = None


class Results(NamedTuple):
    """What a run gives: its findings, sorted by rule then target, and the outcomes it only
    counted (none when evidence is asked for)."""

    findings: list[Finding]
    tally: Tally

    def counted(self) -> dict[Status, int]:
        return tally_by_status(self.tally)


def run(
    runtime: CelRuntime,
    policies: Iterable[CompiledPolicy],
    decl: DeclarationSet,
    as_of: datetime.date,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    severities: Mapping[str, Severity] | None = None,
    *,
    evidence: bool = True,
    with_reasons: bool = True,
    memo: FindingsMemo | None = None,
    in_use: frozenset[tuple[str, str]] | None = None,
) -> Results:
    """Findings for every (policy, target) pair, sorted by rule then target; on a large
    estate, evaluated by several processes (:mod:`hdsguard.speed.evalsplit`).

    ``evidence=False``: the passing and not-applicable pairs are only counted (``tally``),
    never built into findings nor located, nor their messages rendered: an output that never
    shows them (terminal text without --verbose, SARIF, annotations) needs their number only,
    and they are most pairs of a large estate.

    ``with_reasons=False``: failing findings carry no reason (``Finding.reason`` is empty): only a
    baseline compares reasons, and computing them costs a first run about 5 % of its CPU.

    ``memo`` reuses the findings and counts of local policies on files unchanged since an
    earlier run (in a run without evidence files, also those of the policies local without
    them, and those of the policies that follow references on files whose inputs, the file
    and those declaring what the policies read, are unchanged): each target is evaluated on
    the policies the memo did not settle for its file (:meth:`Evaluation.todo`).

    ``in_use``: :func:`fields_in_use` of the run, when the caller made it already (the memo
    is keyed on it); else it is made here.
    """
    policies = list(policies)
    if in_use is None:
        in_use = fields_in_use(policies, decl)
    observed = decl.observed()
    # What each finding of a rule is stamped with, whether evaluated, from a helper process
    # or from the memo (whose rows' severities are never read back: findings.from_rows).
    stamps = {
        p.id: ((severities or {}).get(p.id, Severity(p.meta.severity)), p.meta.references)
        for p in policies
    }
    recalled = memo.recall(decl, policies, stamps, observed) if memo is not None else None
    evaluation = Evaluation(
        runtime,
        policies,
        decl,
        as_of,
        params,
        severities,
        evidence=evidence,
        with_reasons=with_reasons,
        done=recalled.settled if recalled is not None else None,
        in_use=in_use,
    )
    produced, counted = evaluate_all(evaluation, stamps)
    findings: list[Finding] = []
    tally: Tally = {}
    if memo is not None and recalled is not None:
        memo.remember(recalled, produced, counted)
        findings.extend(recalled.findings)
        add_tally(tally, recalled.tally)
    findings.extend(produced)
    add_tally(tally, counted)
    large = len(findings) >= TRIM_FROM
    if large:  # the helpers' results and the memo's rows freed: before the sort's keys
        trim()
    sort_findings(findings)
    if large:
        trim()
    return Results(findings, tally)


class Evaluation:
    """Everything one run evaluates with: the work, in units that processes can share."""

    def __init__(
        self,
        runtime: CelRuntime,
        policies: list[CompiledPolicy],
        decl: DeclarationSet,
        as_of: datetime.date,
        params: Mapping[str, Mapping[str, Any]] | None,
        severities: Mapping[str, Severity] | None,
        *,
        evidence: bool,
        with_reasons: bool = True,
        done: Callable[[str | None, str], bool] | None = None,
        in_use: frozenset[tuple[str, str]] | None = None,
    ) -> None:
        self.runtime = runtime
        self.decl = decl
        self.sections = decl.as_data()
        values = {p.id: {**p.default_params(), **(params or {}).get(p.id, {})} for p in policies}
        # The helpers (provider(), …) read the same declarations the expressions see, and
        # count a scan stale by EVD-004's limit for this run (stale()).
        limit = scan_age_limit(values, params, runtime.scan_age_default)
        runtime.context.bind(as_of, self.sections, limit, values)
        self.now = as_of.isoformat()
        self.evidence = evidence
        self.with_reasons = with_reasons
        self.severity = {
            p.id: (severities or {}).get(p.id, Severity(p.meta.severity)) for p in policies
        }
        # Without evidence, the verdicts that settle a pair as counted (pass, not applicable),
        # with the status they count as; with evidence, none.
        self.counted = (
            {}
            if evidence
            else {
                fastpath.PASS: Status.PASS.value,
                fastpath.NOT_APPLICABLE: Status.NOT_APPLICABLE.value,
            }
        )
        self.by_section = _by_section(policies)
        # The (rule, section) pairs of the rules that warn on missing evidence
        # (`missing_evidence: warn`) where some target of the section declares one of the
        # rule's fields: the organisation uses that vocabulary, so a target of the section
        # that leaves it out fails as missing evidence (see evaluate_one).
        self.in_use = fields_in_use(policies, decl) if in_use is None else in_use
        self.scoped = {
            section: {p.id: values[p.id] for p in group}
            for section, group in self.by_section.items()
        }
        # Whether the findings of a policy on the targets of a file (None: of no file) came
        # from the memo; then, per section and file, the policies left to evaluate.
        self.done = done
        self._todo: dict[tuple[str, str | None], list[CompiledPolicy]] = {}

    def todo(self, section: str, path: str | None) -> list[CompiledPolicy]:
        """The policies to evaluate on the targets of ``section`` declared in ``path``."""
        known = self._todo.get((section, path))
        if known is None:
            group, done = self.by_section[section], self.done
            known = group if done is None else [p for p in group if not done(path, p.id)]
            self._todo[(section, path)] = known
        return known

    def units(self, size: int) -> list[tuple[Unit, int]]:
        """The work in slices of at most ``size`` targets, each with its number of pairs to
        evaluate (slices with none are left out)."""
        out: list[tuple[Unit, int]] = []
        for section in self.by_section:
            targets = self.decl.targets(section)
            for lo in range(0, len(targets), size):
                hi = min(len(targets), lo + size)
                pairs = sum(
                    len(self.todo(section, origin.source.path if origin is not None else None))
                    for _target, _obj, origin in targets[lo:hi]
                )
                if pairs:
                    out.append(((section, lo, hi), pairs))
        return out

    def evaluate(self, unit: Unit) -> Batch:
        """The findings of ``unit``, and (without evidence) its counted outcomes."""
        section, lo, hi = unit
        runtime, sections, now, evidence = self.runtime, self.sections, self.now, self.evidence
        with_reasons = self.with_reasons
        scoped, counted, severity = self.scoped[section], self.counted, self.severity
        in_use = self.in_use
        findings: list[Finding] = []
        tally: Tally = {}
        singleton = section in SINGLETON_SECTIONS
        for target, obj, origin in self.decl.targets(section)[lo:hi]:
            path = origin.source.path if origin is not None else None
            todo = self.todo(section, path)  # less what the memo gave
            if not todo:
                continue
            # One activation for every policy of the target: CEL converts the object once.
            # It names the target under evaluation, which the twins read (CelRuntime).
            activation = runtime.activation(
                {"self": obj, "params": scoped, "now": now, "target": target, "decl": sections}
            )
            places: dict[tuple[str | int, ...], tuple[int, int]] = {}  # policies share fields
            for policy in todo:
                verdict = _verdict(policy, activation)
                status = counted.get(verdict) if type(verdict) is int else None
                if status is None:
                    outcome = evaluate_one(
                        policy,
                        obj,
                        activation,
                        runtime=runtime,
                        evidence=evidence,
                        with_reasons=with_reasons,
                        verdict=verdict,
                        in_use=(policy.id, section) in in_use,
                        undeclared=section if singleton and origin is None else None,
                    )
                    if evidence or outcome.status not in COUNTED:
                        findings.append(
                            _finding(
                                policy,
                                severity[policy.id],
                                target,
                                origin,
                                outcome,
                                activation,
                                places,
                                with_reasons,
                            )
                        )
                        continue
                    status = outcome.status.value  # the exact path settled it so
                # Counted, not built: no Finding, no location, no message.
                key = (policy.id, status, path)
                tally[key] = tally.get(key, 0) + 1
        return findings, tally


def fields_in_use(
    policies: Iterable[CompiledPolicy], decl: DeclarationSet
) -> frozenset[tuple[str, str]]:
    """(rule, section) for each rule with ``missing_evidence: warn`` and each list section it
    applies to where at least one object declares a field one of the rule's checks requires.

    Such a rule warns on a target that declares none of its fields only while no target of
    the section does: an organisation that never heard of `dpia` is not failed for it, but
    one that declares it on some systems and leaves it out on another has missing evidence
    there (:func:`evaluate_one`). A singleton is the only target of its section: its own
    fields decide. The findings memo keys every entry on this set (a verdict of one target
    depends on the others through it alone)."""
    found: set[tuple[str, str]] = set()
    for policy in policies:
        if policy.meta.missing_evidence != "warn":
            continue
        paths = [path for check in policy.checks for path in check.requires]
        for section in policy.meta.applies_to:
            # The objects as read, not decl.targets(): no index is built for this.
            objects = decl.lists.get(section, ())
            if any(_present(obj, path) for obj in objects for path in paths):
                found.add((policy.id, section))
    return frozenset(found)


def _by_section(policies: Iterable[CompiledPolicy]) -> dict[str, list[CompiledPolicy]]:
    grouped: dict[str, list[CompiledPolicy]] = {}
    for policy in policies:
        for section in policy.meta.applies_to:
            grouped.setdefault(section, []).append(policy)
    return grouped


def _verdict(policy: CompiledPolicy, activation: cel.Activation) -> Any:
    """The policy's one-evaluation verdict (:mod:`hdsguard.speed.fastpath`), or None when it has
    none or its evaluation failed (the exact path then decides)."""
    if policy.verdict is None:
        return None
    try:
        return policy.verdict.eval(activation).value()
    except Exception:  # the runtime raises plain RuntimeErrors on internal failures
        return None


def evaluate_one(
    policy: CompiledPolicy,
    obj: Any,
    activation: cel.Activation,
    *,
    runtime: CelRuntime | None = None,
    evidence: bool = True,
    with_reasons: bool = True,
    verdict: Any = None,
    in_use: bool = False,
    undeclared: str | None = None,
) -> _Outcome:
    """The outcome of one policy on one target; ``runtime``: the run's (a failure's reason
    quotes the policy's main-language message, compiled there when the run's is another);
    ``with_reasons``: a failure's reason made (its values quoted; else its pieces hold
    none, and :func:`_finding` makes no reason of them);
    ``verdict``: the policy's verdict when it was
    already evaluated, else None (it is evaluated here); ``in_use``: whether some target of
    the section declares a field the policy requires (:func:`fields_in_use`);
    ``undeclared``: the singleton section the target is, when no file declares it (its
    missing evidence then says to add the section, :func:`hdsguard.undeclared.message`)."""
    if verdict is None:
        # One evaluation settles the common cases; anything else takes the exact path below.
        verdict = _verdict(policy, activation)
    if type(verdict) is int:  # not None, not a bool, not an error
        if verdict == fastpath.PASS:
            return _pass(policy, activation, evidence)
        if verdict == fastpath.NOT_APPLICABLE:
            return _not_applicable(policy, activation, evidence)
    asked = type(verdict) is int and verdict >= fastpath.ASK
    if asked and verdict == fastpath.ASK and len(policy.checks) == 1 and undeclared is None:
        check = policy.checks[0]
        if not check.requires and (check.warn_if is None or check.warn_message is None):
            # The verdict was this one condition, evaluated without error to false: a
            # failure, as the exact path would find it by evaluating it again (each undeclared
            # port of a 10k-host scan paid that second evaluation).
            return _failed(policy.id, check, obj, activation, runtime, with_reasons)
    if policy.applicable_if is not None and not asked:
        applicable, error = evaluate(policy.applicable_if, activation)
        if error is not None:
            why = _could_not(_("applicable_if could not be evaluated: {error}"), error)
            return _Outcome(Status.ERROR, why, (), (), _APPLICABLE_IF_ERROR)
        if not isinstance(applicable, bool):
            why = _not_bool("applicable_if", applicable)
            return _Outcome(Status.ERROR, why, (), (), _APPLICABLE_IF_ERROR)
        if not applicable:
            return _not_applicable(policy, activation, evidence)
    failed = fastpath.failed_checks(verdict) if asked else 0
    if failed:  # the verdict says which checks do not hold cleanly: the others pass silently
        results = [
            _check(policy.id, check, obj, activation, runtime, with_reasons)
            if failed >> i & 1
            else _CLEAN
            for i, check in enumerate(policy.checks)
        ]
    else:
        results = [
            _check(policy.id, check, obj, activation, runtime, with_reasons)
            for check in policy.checks
        ]
    if (
        policy.meta.missing_evidence != "fail"
        and not in_use
        and _nothing_declared(policy, obj, results)
    ):
        # A rule whose evidence lies outside the declaration contract, and not one of its
        # fields declared on any target of the section: it warns (still no pass). Once its
        # fields are declared, on this target or another of its section, one left out or a
        # declared weakness fails as in any rule. `warn_each` (fields the contract marks
        # optional) is never in use: each target that declares none of them warns.
        results = [r._replace(status=Status.WARN) if r.missing else r for r in results]
    for status in (Status.FAIL, Status.ERROR, Status.WARN):
        hits = [r for r in results if r.status is status]
        if hits:
            # A declared weakness comes first, and is where the finding points: it is what
            # the reader must fix, while missing evidence only says what to declare next.
            # Missing evidence of several checks reads as one sentence listing every field.
            declared = [h for h in hits if not h.missing]
            missing = list(dict.fromkeys(p for h in hits for p in h.missing))
            messages = [h.message for h in declared]
            said: Undeclared | None = None
            if undeclared is not None:
                # No file declares the section: the first thing to say is that it is absent
                # and how to add it, with every field the failing checks read (their own
                # messages, which say what a field means, follow).
                fields = [*missing, *(_keys(h.field) for h in declared)]
                named = [f for f in dict.fromkeys(fields) if f]
                if named:
                    from hdsguard.undeclared import message as undeclared_message

                    messages = [undeclared_message(undeclared, named), *messages]
                    said = (undeclared, tuple(named))
                elif missing:
                    messages.append(_missing_message(missing))
            elif missing:
                messages.append(_missing_message(missing))
            pieces = tuple(p for h in hits for p in h.pieces)
            field = (declared or hits)[0].field
            return _Outcome(status, join_rendered(messages), field, (), pieces, said)
    return _pass(policy, activation, evidence)


def _nothing_declared(policy: CompiledPolicy, obj: Any, results: list[_Outcome]) -> bool:
    """Whether the only problems of ``results`` are missing evidence, and no field any check
    of ``policy`` requires is declared on ``obj``."""
    if not any(r.missing for r in results) or any(
        r.status is Status.FAIL and not r.missing for r in results
    ):
        return False
    return not any(_present(obj, path) for check in policy.checks for path in check.requires)


def _pass(policy: CompiledPolicy, activation: cel.Activation, evidence: bool) -> _Outcome:
    # A pass is decided by the same field a failure would point at: the first check's.
    field = next((c.field for c in policy.checks if c.field), ())
    message = policy.pass_message.render(activation) if evidence else ""
    return _Outcome(Status.PASS, message, field)


def _not_applicable(policy: CompiledPolicy, activation: cel.Activation, evidence: bool) -> _Outcome:
    why = policy.not_applicable_message.render(activation) if evidence else ""
    return _Outcome(Status.NOT_APPLICABLE, why, ())


# What _check gives a check that holds cleanly (present, true, no warning).
_CLEAN = _Outcome(Status.PASS, "", ())
_APPLICABLE_IF_ERROR: tuple[reasons.Piece, ...] = ((reasons.APPLICABLE_IF, reasons.ERROR, "", []),)


def _check(
    policy_id: str,
    check: CompiledCheck,
    obj: Any,
    activation: cel.Activation,
    runtime: CelRuntime | None,
    with_reasons: bool,
) -> _Outcome:
    missing = _missing(obj, check.requires)
    if missing:
        pieces = (reasons.missing_piece(check, missing),)
        return _Outcome(Status.FAIL, _missing_message(missing), missing[0], tuple(missing), pieces)
    holds, error = evaluate(check.condition, activation)
    if error is not None:
        why = _could_not(_("condition could not be evaluated: {error}"), error)
        return _Outcome(Status.ERROR, why, check.field, (), _error(check))
    if not isinstance(holds, bool):
        return _Outcome(Status.ERROR, _not_bool("condition", holds), check.field, (), _error(check))
    if not holds:
        return _failed(policy_id, check, obj, activation, runtime, with_reasons)
    if check.warn_if is not None and check.warn_message is not None:
        warn, error = evaluate(check.warn_if, activation)
        if error is not None:
            why = _could_not(_("warn_if could not be evaluated: {error}"), error)
            return _Outcome(Status.ERROR, why, check.field, (), _error(check))
        if not isinstance(warn, bool):  # as for `condition`: never silently a pass
            why = _not_bool("warn_if", warn)
            return _Outcome(Status.ERROR, why, check.field, (), _error(check))
        if warn:
            return _failed(
                policy_id, check, obj, activation, runtime, with_reasons, check.warn_message
            )
    return _CLEAN


def _failed(
    policy_id: str,
    check: CompiledCheck,
    obj: Any,
    activation: cel.Activation,
    runtime: CelRuntime | None,
    with_reasons: bool,
    warning: Template | None = None,
) -> _Outcome:
    """The outcome of a check whose condition evaluated to false (``warning``: its
    ``warn_message``, for a condition that holds while ``warn_if`` is true): its message, and
    the values of its reason (rendered together: one evaluation when they are the same), when
    ``with_reasons``."""
    warn = warning is not None
    status, kind = (Status.WARN, reasons.WARN) if warn else (Status.FAIL, reasons.FAIL)
    template = warning or check.message
    if not with_reasons:
        return _Outcome(status, template.render(activation), _field(check, activation), (), ())
    message, values = template.render_quoting(activation)
    quoted = reasons.quoted(runtime, policy_id, check, warn, activation, values, obj)
    pieces = (reasons.piece(check, kind, quoted),)
    return _Outcome(status, message, _field(check, activation), (), pieces)


def _error(check: CompiledCheck) -> tuple[reasons.Piece, ...]:
    return (reasons.piece(check, reasons.ERROR, []),)


def _field(check: CompiledCheck, activation: cel.Activation) -> tuple[str | int, ...]:
    """The deciding field: ``locate`` when it yields a path, else the static ``field``."""
    if check.locate is not None:
        path, error = evaluate(check.locate, activation)
        if error is None and isinstance(path, str) and path:
            return split_path(path)
    return check.field


def _missing(obj: Any, required: tuple[tuple[str, ...], ...]) -> list[tuple[str, ...]]:
    return [path for path in required if not _present(obj, path)]


def _present(obj: Any, path: tuple[str, ...]) -> bool:
    for step in path:
        if not isinstance(obj, dict) or obj.get(step) is None:
            return False
        obj = obj[step]
    return True


def _missing_message(paths: list[tuple[str, ...]]) -> str:
    # Field paths are relative to the target, which every output shows beside the message.
    names = ", ".join(f"`{'.'.join(p)}`" for p in paths)
    message = ngettext(
        "evidence missing: {names} is not declared; declare it so this rule can be checked",
        "evidence missing: {names} are not declared; declare them so this rule can be checked",
        len(paths),
    )
    # One string for each list of fields (a tenth of the failures at 10k objects say this).
    return intern(message.format(names=names))


def _keys(field: tuple[str | int, ...]) -> tuple[str, ...]:
    """``field`` when it is a path of keys (what a check names), else empty."""
    return field if all(type(step) is str for step in field) else ()  # type: ignore[return-value]


# The CEL runtime's words when an expression reads a key its map lacks.
_NO_KEY = re.compile(r'Key not found in map\s*:\s*"((?:[^"\\]|\\.)*)"')


def _could_not(template: str, error: str) -> str:
    """Why an expression gave no verdict; when it read a key the target does not declare
    (what a new policy usually meets first), what to do about it."""
    why = template.format(error=error)
    missing = _NO_KEY.search(error)
    if missing is not None:
        hint = _(
            "; it read `{key}`, which this target does not declare: name the field in the "
            "check's `requires`, so that a target without it fails as missing evidence, or "
            "test it with `has()`"
        )
        why += hint.format(key=missing.group(1))
    return why


def _not_bool(what: str, value: Any) -> str:
    message = _("{what} returned {value} ({type}), not true or false")
    return message.format(what=what, value=repr(value), type=type(value).__name__)


_NEEDS_ACTION = frozenset({Status.FAIL, Status.WARN, Status.ERROR})
# Findings from which a run hands the free C heap back around their sort
# (:mod:`hdsguard.speed.heap`): a large estate's; a pre-commit run never imports ctypes.
TRIM_FROM = 20_000


def _finding(
    policy: CompiledPolicy,
    severity: Severity,
    target: str,
    origin: Origin | None,
    outcome: _Outcome,
    activation: cel.Activation,
    places: dict[tuple[str | int, ...], tuple[int, int]],
    with_reasons: bool = True,
) -> Finding:
    file = line = column = None
    if origin is not None:
        file = origin.source.path
        place = places.get(outcome.field)
        if place is None:
            place = places[outcome.field] = origin.locate(outcome.field)
        line, column = place
    # Only a finding that needs action gets its hint rendered (it quotes values, and
    # rendering costs a CEL evaluation per placeholder on every pass of a large estate).
    status = outcome.status
    hint = policy.remediation.render(activation) if status in _NEEDS_ACTION else ""
    # Positional: this runs once per (policy, target) pair.
    return Finding(
        policy.meta.id,
        status,
        severity,
        target,
        file,
        line,
        column,
        outcome.message,
        hint,
        policy.meta.references,
        None,
        False,
        (),
        reasons.text(outcome.pieces) if with_reasons and outcome.pieces else "",
        outcome.undeclared,
    )
