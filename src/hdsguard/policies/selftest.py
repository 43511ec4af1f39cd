"""Run the inline test cases of policies: the policy's own executable examples."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from hdsguard.declarations.located import SourceFile
from hdsguard.declarations.merge import merge
from hdsguard.declarations.validate import validate
from hdsguard.errors import InputError
from hdsguard.findings import Finding
from hdsguard.i18n import _
from hdsguard.policies.celenv import CelRuntime
from hdsguard.policies.load import CompiledPolicy
from hdsguard.policies.model import TestCase


@dataclass(frozen=True)
class CaseResult:
    policy: str
    file: str
    index: int
    name: str
    expected: str
    got: str | None
    message: str
    problem: str | None  # None when the case behaves as declared

    @property
    def ok(self) -> bool:
        return self.problem is None


def case_date(case: TestCase) -> datetime.date:
    """The case's evaluation date: its own, else today (a user's case that did not pin it)."""
    return case.as_of or datetime.date.today()


def run_cases(runtime: CelRuntime, policies: Iterable[CompiledPolicy]) -> list[CaseResult]:
    return [
        run_case(runtime, policy, index, case)
        for policy in policies
        for index, case in enumerate(policy.authoring().tests)
    ]


def run_case(runtime: CelRuntime, policy: CompiledPolicy, index: int, case: TestCase) -> CaseResult:
    from hdsguard.engine import run

    def result(got: Finding | None, problem: str | None) -> CaseResult:
        return CaseResult(
            policy.id,
            policy.file,
            index,
            case.name,
            case.expect,
            got.status.value if got else None,
            got.message if got else "",
            problem,
        )

    source = SourceFile(f"{policy.file}#tests[{index}]", case.declarations, {})
    problems = validate(source)
    if problems:
        return result(
            None,
            _("invalid declarations in the case: {problems}").format(
                problems=_("; ").join(str(p) for p in problems)
            ),
        )
    try:
        decl = merge([source])
    except InputError as exc:
        return result(None, _("invalid declarations in the case: {problems}").format(problems=exc))
    if case.evidence:
        from hdsguard.evidence.view import attach

        at = f"{policy.file}#tests[{index}].evidence:1"
        try:
            attach(decl, {k: [{"at": at, **i} for i in v] for k, v in case.evidence.items()})
        except ValueError as exc:
            return result(None, _("invalid evidence in the case: {error}").format(error=exc))
    as_of = case_date(case)
    findings = run(runtime, [policy], decl, as_of, {policy.id: case.params}).findings
    if case.target is not None:
        chosen = [f for f in findings if f.target == case.target]
    else:
        chosen = findings
    if len(chosen) != 1:
        names = ", ".join(f.target for f in findings) or _("none")
        return result(
            None,
            _("expected exactly one target to evaluate (set `target:`), found: {names}").format(
                names=names
            ),
        )
    finding = chosen[0]
    if finding.status.value != case.expect:
        return result(
            finding,
            _("expected {expected}, got {got}: {message}").format(
                expected=case.expect, got=finding.status.value, message=finding.message
            ),
        )
    # `message_contains` quotes the main-language text; a run in the other language only
    # checks the status (the catalogue tests check that the translations are complete).
    expected = case.message_contains if policy.meta.lang == _main_lang(policy) else []
    absent = [text for text in expected if text not in finding.message]
    if absent:
        return result(
            finding,
            _("message does not contain {texts}: {message}").format(
                texts=", ".join(repr(a) for a in absent), message=finding.message
            ),
        )
    return result(finding, None)


def _main_lang(policy: CompiledPolicy) -> str:
    return policy.authoring().lang
