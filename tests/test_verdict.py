"""The one-evaluation verdict (speed/fastpath.py) never changes a finding.

Every comparison runs the same policies twice: as compiled (verdict first, exact path when the
verdict does not settle it) and with the verdict removed (exact path only), and requires equal
findings, messages included.
"""

from __future__ import annotations

import dataclasses
import datetime
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from hdsguard.declarations.load import load_declarations
from hdsguard.declarations.located import SourceFile
from hdsguard.declarations.merge import merge
from hdsguard.declarations.reader import parse
from hdsguard.declarations.validate import validate
from hdsguard.engine import run
from hdsguard.errors import InputError
from hdsguard.findings import Finding, Status
from hdsguard.policies.celenv import CelRuntime
from hdsguard.policies.load import CompiledPolicy, load_catalogue
from hdsguard.policies.model import Policy
from hdsguard.speed import fastpath
from hdsguard.speed.fastpath import verdict_source
from tests.helpers import AS_OF, REPO, assert_counted_as_found
from tests.test_fuzz import mutated_data

DAY = datetime.date.fromisoformat(AS_OF)


@cache
def catalogue() -> tuple[CelRuntime, tuple[CompiledPolicy, ...]]:
    runtime = CelRuntime()
    policies = load_catalogue(runtime, with_specs=True)
    return runtime, tuple(policies.values())


def exact_only(policies: tuple[CompiledPolicy, ...]) -> list[CompiledPolicy]:
    return [dataclasses.replace(p, verdict=None) for p in policies]


def both_ways(decl: Any, policies: tuple[CompiledPolicy, ...], **kw: Any) -> list[Finding]:
    runtime, _ = catalogue()
    results = {}
    for evidence in (True, False):
        fast = run(
            runtime, policies, decl, kw.get("as_of", DAY), kw.get("params"), evidence=evidence
        )
        exact = run(
            runtime,
            exact_only(policies),
            decl,
            kw.get("as_of", DAY),
            kw.get("params"),
            evidence=evidence,
        )
        assert fast == exact
        results[evidence] = fast
    # Without evidence, passes and not-applicable pairs are counted, whichever path decided.
    assert_counted_as_found(results[True], results[False])
    return results[True].findings


def test_every_builtin_policy_has_a_verdict() -> None:
    _, policies = catalogue()
    shipped = Path(__file__).resolve().parents[1] / "policies"
    assert len(policies) == len(list(shipped.glob("*.yaml")))
    assert all(p.verdict is not None for p in policies)


def test_every_inline_case_gets_the_same_finding_both_ways() -> None:
    _, policies = catalogue()
    compared = 0
    for policy in policies:
        for index, case in enumerate(policy.authoring().tests):
            source = SourceFile(f"{policy.file}#tests[{index}]", case.declarations, {})
            if validate(source):
                continue
            try:
                decl = merge([source])
            except InputError:
                continue
            both_ways(decl, (policy,), as_of=case.as_of, params={policy.id: case.params})
            compared += 1
    assert compared > 400


@pytest.mark.parametrize("example", ["lab-group", "hospital", "minimal"])
def test_examples_get_the_same_findings_both_ways(example: str) -> None:
    _, policies = catalogue()
    findings = both_ways(load_declarations([str(REPO / "examples" / example)]), policies)
    assert findings


def test_a_generated_estate_gets_the_same_findings_both_ways(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(REPO / "bench" / "generate.py"), "600", str(tmp_path)], check=True
    )
    _, policies = catalogue()
    findings = both_ways(load_declarations([str(tmp_path)]), policies)
    statuses = {f.status for f in findings}
    assert {Status.PASS, Status.FAIL, Status.NOT_APPLICABLE} <= statuses


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_data())
def test_mutated_declarations_get_the_same_findings_both_ways(data: Any) -> None:
    source = SourceFile("mutated.yaml", data, {})
    if validate(source):
        return
    try:
        decl = merge([source])
    except InputError:
        return
    _, policies = catalogue()
    both_ways(decl, policies)


def policy(**fields: Any) -> CompiledPolicy:
    from hdsguard.policies.load import compile_policy

    text = {
        "id": "T-001",
        "title": "test rule",
        "severity": "high",
        "applies_to": ["systems"],
        "description": "d",
        "rationale": "r",
        "remediation": "fix it",
        "references": ["ANS x"],
        # Required by the model (two at least); these tests compare both paths instead.
        "tests": [
            {"name": e, "as_of": AS_OF, "declarations": {}, "expect": e} for e in ("pass", "fail")
        ],
        **fields,
    }
    spec = Policy.model_validate(text)
    runtime, _ = catalogue()
    return compile_policy(runtime, spec, parse("id: T-001\n", "t.yaml"))


def systems(*items: dict[str, Any]) -> Any:
    return merge([SourceFile("s.yaml", {"systems": list(items)}, {})])


def test_a_condition_that_is_not_boolean_is_still_an_error() -> None:
    rule = policy(condition="self.name", message="m")
    (finding,) = both_ways(systems({"id": "a", "name": "A"}), (rule,))
    assert finding.status is Status.ERROR


def test_missing_evidence_warnings_and_trailing_comments_are_kept() -> None:
    rule = policy(
        checks=[
            {
                "requires": ["backup.last_success"],
                "condition": "self.backup.last_success != '' // filled",
                "message": "no backup",
            },
            {
                "condition": "true // always",
                "warn_if": "self.?criticality.orValue('') == 'high' // watch",
                "warn_message": "high",
                "message": "never",
            },
        ],
        applicable_if="self.id != 'skip' // comment",
    )
    assert rule.verdict is not None
    source = verdict_source(rule.authoring())
    assert "self.?backup.?last_success.orValue(null) != null" in source
    decl = systems(
        {"id": "ok", "name": "A", "backup": {"last_success": "2026-11-01"}},
        {"id": "none", "name": "B"},
        {"id": "null", "name": "C", "backup": None},
        {"id": "warn", "name": "D", "criticality": "high", "backup": {"last_success": "x"}},
        {"id": "skip", "name": "E"},
    )
    statuses = {f.target: f.status for f in both_ways(decl, (rule,))}
    assert statuses == {
        "systems/ok": Status.PASS,
        "systems/none": Status.FAIL,
        "systems/null": Status.FAIL,
        "systems/warn": Status.WARN,
        "systems/skip": Status.NOT_APPLICABLE,
    }


def test_an_error_in_one_policy_leaves_the_others_of_the_section_decided() -> None:
    broken = policy(condition="self.name", message="m")
    fine = dataclasses.replace(
        policy(condition="self.name.size() > 1", message="short name"),
        meta=dataclasses.replace(broken.meta, id="T-002"),
    )
    decl = systems({"id": "a", "name": "AB"}, {"id": "b", "name": "C"})
    found = {(f.rule, f.target): f.status for f in both_ways(decl, (broken, fine))}
    assert found == {
        ("T-001", "systems/a"): Status.ERROR,
        ("T-001", "systems/b"): Status.ERROR,
        ("T-002", "systems/a"): Status.PASS,
        ("T-002", "systems/b"): Status.FAIL,
    }


def test_checks_binding_the_same_value_share_one_binding() -> None:
    bind = "cel.bind(p, self.?backup.orValue({}), {})"
    rule = policy(
        checks=[
            {"condition": bind.format("{}", "p.size() > 0"), "message": "empty"},
            {"condition": "self.name != ''", "message": "no name"},
            {"condition": bind.format("{}", '"a" in p'), "message": "no a"},
            {"condition": bind.format("{}", "true // kept apart: a comment\n"), "message": "-"},
        ]
    )
    source = verdict_source(rule.authoring())
    # The bits of the checks that do not hold, the two sharing a binding inside it; the
    # commented one kept apart. Each condition is in the verdict once.
    assert source.count("cel.bind(p,") == 2
    assert (
        'cel.bind(p, self.?backup.orValue({}), (((p.size() > 0)) ? 0 : 1) + ((("a" in p)) ? 0 : 4))'
        in source
    )
    assert source.count("self.name != ''") == 1
    decl = systems(
        {"id": "both", "name": "A", "backup": {"a": 1}},
        {"id": "no-a", "name": "B", "backup": {"b": 1}},
        {"id": "empty", "name": "C"},
    )
    statuses = {f.target: f.status for f in both_ways(decl, (rule,))}
    assert statuses == {
        "systems/both": Status.PASS,
        "systems/no-a": Status.FAIL,
        "systems/empty": Status.FAIL,
    }


def test_the_verdict_says_which_checks_do_not_hold() -> None:
    rule = policy(
        checks=[
            {"condition": "self.?backup.orValue({}).size() > 0", "message": "no backup"},
            {"condition": "self.name != ''", "message": "no name"},
            {"condition": '"a" in self.?backup.orValue({})', "message": "no a"},
        ]
    )
    runtime, _ = catalogue()
    assert rule.verdict is not None

    def verdict(obj: dict[str, Any]) -> Any:
        variables = {"self": obj, "params": {}, "now": AS_OF, "target": "t", "decl": {}}
        return rule.verdict.eval(runtime.activation(variables)).value()  # type: ignore[union-attr]

    assert verdict({"id": "a", "name": "A", "backup": {"a": 1}}) == fastpath.PASS
    assert verdict({"id": "a", "name": "A", "backup": {"b": 1}}) == fastpath.ASK + 4
    assert verdict({"id": "a", "name": "", "backup": {}}) == fastpath.ASK + 1 + 2 + 4
    assert fastpath.failed_checks(fastpath.ASK + 5) == 5
    decl = systems(
        {"id": "both", "name": "A", "backup": {"a": 1}},
        {"id": "no-a", "name": "B", "backup": {"b": 1}},
        {"id": "none", "name": ""},
    )
    messages = {f.target: f.message for f in both_ways(decl, (rule,))}
    assert messages == {
        "systems/both": "compliant: test rule",
        "systems/no-a": "no a",
        "systems/none": "no backup; no name; no a",
    }
