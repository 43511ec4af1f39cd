"""Findings of unchanged files are reused only when nothing they depend on has changed."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from hdsguard import engine
from hdsguard.api import CheckOptions, check
from hdsguard.evidence.load import EvidenceSpec
from hdsguard.findings import Stamps
from hdsguard.policies.celenv import CelRuntime
from hdsguard.policies.load import CompiledPolicy
from hdsguard.policies.locality import reads_other_objects
from tests.helpers import REPO, run_cli, use_cache, write

AS_OF = datetime.date(2026, 11, 28)

CROSS = """
id: ACME-010
title: Systems are hosted by the approved provider
severity: low
applies_to: systems
description: d
rationale: r
remediation: r
references: [internal]
applicable_if: has(self.hosted_by)
condition: provider(self.hosted_by).name == "Approved Host"
message: hosted by {{ provider(self.hosted_by).name }}
tests:
  - name: ok
    as_of: 2026-11-28
    declarations:
      providers: [{id: p, name: Approved Host}]
      systems: [{id: s, name: S, hosted_by: p}]
    expect: pass
  - name: other
    as_of: 2026-11-28
    declarations:
      providers: [{id: p, name: Other}]
      systems: [{id: s, name: S, hosted_by: p}]
    expect: fail
"""


def count_evaluations(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    original: Callable[..., object] = engine.evaluate_one

    def counting(policy: CompiledPolicy, obj: dict[str, object], *args: object, **kw: object):  # type: ignore[no-untyped-def]
        if policy.local:  # the memo keeps local policies' findings; others always run
            seen.append((policy.id, str(obj.get("id", ""))))
        return original(policy, obj, *args, **kw)

    monkeypatch.setattr(engine, "evaluate_one", counting)
    return seen


def report_json(paths: list[str], *extra: str) -> str:
    result = run_cli(["check", *paths, "--as-of", "2026-11-28", "--format", "json", *extra])
    assert result.exit_code in (0, 1), result.stderr
    return result.stdout


def test_warm_runs_give_byte_identical_reports(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lab = [str(REPO / "examples" / "lab-group")]
    cold = report_json(lab)
    warm = report_json(lab)
    use_cache(monkeypatch, None)
    assert warm == cold == report_json(lab)


def test_only_the_edited_file_is_evaluated_again(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    decl = write(
        tmp_path / "decl",
        {
            "a.yaml": "firewalls:\n  - id: fw-a\n    last_patch: 2026-10-01\n",
            "b.yaml": "firewalls:\n  - id: fw-b\n    last_patch: 2026-10-01\n",
        },
    )
    options = CheckOptions(as_of=AS_OF)
    first = check([str(decl)], options)
    seen = count_evaluations(monkeypatch)
    (decl / "b.yaml").write_text("firewalls:\n  - id: fw-b\n    last_patch: 2025-01-01\n")
    second = check([str(decl)], options)
    # Undeclared singletons (evaluated as empty objects, no file) are always evaluated.
    assert seen and {ident for _, ident in seen} - {""} == {"fw-b"}
    fw001 = {f.target: f.status.value for f in second.findings if f.rule == "FW-001"}
    assert fw001 == {"firewalls/fw-a": "pass", "firewalls/fw-b": "fail"}
    assert len(second.findings) == len(first.findings)


def test_a_rule_reading_another_file_follows_its_changes(cache: Path, tmp_path: Path) -> None:
    write(tmp_path / "pol", {"acme.yaml": CROSS})
    decl = write(
        tmp_path / "decl",
        {
            "providers.yaml": "providers:\n  - id: p\n    name: Approved Host\n",
            "systems.yaml": "systems:\n  - id: s\n    name: S\n    hosted_by: p\n",
        },
    )
    options = CheckOptions(as_of=AS_OF, policy_dirs=[tmp_path / "pol"])

    def status() -> str:
        report = check([str(decl)], options)
        return next(f.status.value for f in report.findings if f.rule == "ACME-010")

    assert status() == "pass"
    (decl / "providers.yaml").write_text("providers:\n  - id: p\n    name: Other Host\n")
    assert status() == "fail"  # systems.yaml is unchanged, its finding is not reused


@pytest.mark.parametrize("as_of", ["2026-11-28", "2027-06-01"])
def test_another_date_is_evaluated_again(cache: Path, as_of: str) -> None:
    lab = [str(REPO / "examples" / "lab-group")]
    report_json(lab)
    result = run_cli(["check", *lab, "--as-of", as_of, "--format", "json"])
    with pytest.MonkeyPatch.context() as mp:
        use_cache(mp, None)
        fresh = run_cli(["check", *lab, "--as-of", as_of, "--format", "json"])
    assert result.stdout == fresh.stdout
    assert json.loads(result.stdout)["as_of"] == as_of


def test_a_corrupt_entry_is_evaluated_again(cache: Path) -> None:
    lab = [str(REPO / "examples" / "lab-group")]
    cold = report_json(lab)
    for entry in (cache / "findings").glob("*.marshal"):
        entry.write_bytes(b"garbage")
    assert report_json(lab) == cold


@pytest.mark.parametrize(
    ("source", "reads"),
    [
        ("provider(self.hosted_by).name == 'x'", True),
        ("systems_hosted_by(self.id).size() > 0", True),
        ("decl.providers.size() > 0", True),
        ("self.system == 'lims'", False),  # a field named like a helper is not a call
        ('"the vendor (or provider(s))" + self.id', False),  # words inside string literals
        ("days_since(self.last_patch) <= params.max", False),
        ("self.rules.all(x, x.action != 'allow')", False),  # a macro's own variable
        ("cel.bind(d, self.a, d == 1)", False),
        # issue 12, point 4: the old regular expression lost track after these literals
        ('r"""x""" + string(decl.vendors.size()) == ""', True),
        ("'''it's''' == '' || decl.vendors.size() > 0", True),
        ('"""a"b""" + provider(self.hosted_by).name == ""', True),
        ("[1].all(decl, decl == 1)", True),  # a macro variable named decl: doubt, non-local
    ],
)
def test_reads_other_objects(source: str, reads: bool) -> None:
    assert reads_other_objects(CelRuntime().compile(source, "X-001")) is reads


# --- the rules that follow references: one entry for the whole set --------------------------


def count_pairs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """(pairs the units announced, pairs evaluated) of each evaluation from now on."""
    seen: list[tuple[int, int]] = []
    original = engine.evaluate_all

    def counting(evaluation: engine.Evaluation, stamps: Stamps):  # type: ignore[no-untyped-def]
        announced = sum(weight for _, weight in evaluation.units(250))
        findings, tally = original(evaluation, stamps)
        seen.append((announced, len(findings) + sum(tally.values())))
        return findings, tally

    monkeypatch.setattr(engine, "evaluate_all", counting)
    return seen


@pytest.mark.parametrize("evidence", [True, False])
def test_an_unchanged_set_is_not_evaluated_again(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, evidence: bool
) -> None:
    write(tmp_path / "pol", {"acme.yaml": CROSS})
    lab = [str(REPO / "examples" / "lab-group")]
    options = CheckOptions(as_of=AS_OF, policy_dirs=[tmp_path / "pol"], evidence=evidence)
    first = check(lab, options)
    assert any(f.rule == "ACME-010" for f in first.findings)
    pairs = count_pairs(monkeypatch)
    second = check(lab, options)
    assert (second.findings, second.counted) == (first.findings, first.counted)
    assert pairs == [(0, 0)]  # not one pair, not even of the rules that follow references


def test_the_rules_that_follow_references_follow_every_change_of_the_set(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "pol", {"acme.yaml": CROSS})
    providers = "providers:\n  - id: p\n    name: {name}\n"
    system = "systems:\n  - id: {id}\n    name: S\n    hosted_by: p\n"
    decl = tmp_path / "decl"
    states: list[dict[str, str]] = [
        {"providers.yaml": providers.format(name="Approved Host"), "s.yaml": system.format(id="s")},
        # a file renamed, the same bytes: the findings name the other file
        {"hosts.yaml": providers.format(name="Approved Host"), "s.yaml": system.format(id="s")},
        # the provider moved into the systems' file, then back under another name
        {"s.yaml": providers.format(name="Approved Host") + system.format(id="s")},
        {"hosts.yaml": providers.format(name="Other"), "s.yaml": system.format(id="s")},
        # a file added that holds no object these rules read
        {
            "hosts.yaml": providers.format(name="Other"),
            "s.yaml": system.format(id="s"),
            "fw.yaml": "firewalls:\n  - id: fw-1\n    last_patch: 2026-10-01\n",
        },
        # and back to the first state: its entry is reused
        {"providers.yaml": providers.format(name="Approved Host"), "s.yaml": system.format(id="s")},
    ]
    args = [str(decl), "--policies", str(tmp_path / "pol")]
    for state in states:
        for old in decl.glob("*.yaml") if decl.exists() else []:
            old.unlink()
        write(decl, state)
        warm = report_json(args)
        with pytest.MonkeyPatch.context() as mp:
            use_cache(mp, None)
            assert warm == report_json(args), state
    statuses = [f["status"] for f in json.loads(warm)["findings"] if f["rule"] == "ACME-010"]
    assert statuses == ["pass"]


def test_with_evidence_the_rules_that_follow_references_run_every_time(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A scan's vantage and a certificate's host come from settings, not from the files'
    # bytes: the whole set's entry is neither written nor read in such a run.
    lab = REPO / "examples" / "lab-group"
    options = CheckOptions(as_of=AS_OF, evidence_files=[EvidenceSpec(lab / "evidence")])
    first = check([str(lab)], options)
    pairs = count_pairs(monkeypatch)
    second = check([str(lab)], options)
    assert second.findings == first.findings
    ((announced, evaluated),) = pairs
    assert announced == evaluated > 0


def test_the_units_announce_exactly_the_pairs_evaluated(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Forking is decided on the announced pairs: files whose findings came from the memo
    # must not count.
    write(tmp_path / "pol", {"acme.yaml": CROSS})
    decl = write(
        tmp_path / "decl",
        {
            "providers.yaml": "providers:\n  - id: p\n    name: Approved Host\n",
            "a.yaml": "systems:\n  - id: a\n    name: A\n    hosted_by: p\n",
            "b.yaml": "firewalls:\n  - id: fw-b\n    last_patch: 2026-10-01\n",
        },
    )
    options = CheckOptions(as_of=AS_OF, policy_dirs=[tmp_path / "pol"], evidence=False)
    pairs = count_pairs(monkeypatch)
    check([str(decl)], options)  # cold
    (decl / "b.yaml").write_text("firewalls:\n  - id: fw-b\n    last_patch: 2025-01-01\n")
    check([str(decl)], options)  # one file changed
    check([str(decl)], options)  # nothing changed
    (cold, cold_done), (edited, edited_done), (warm, warm_done) = pairs
    assert (cold, edited, warm) == (cold_done, edited_done, warm_done)
    assert cold > edited > warm == 0
