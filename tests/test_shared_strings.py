"""Findings that say the same thing hold one string, not one copy each: a large estate's
passes and not-applicable pairs repeat a few messages (memory, issue 17), whichever process
evaluated them and whether they came from the findings memo."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import pytest

from hdsguard.declarations.load import load_declarations
from hdsguard.engine import run
from hdsguard.findings import Finding, Status
from hdsguard.policies.celenv import CelRuntime
from hdsguard.policies.load import load_catalogue
from hdsguard.speed import evalsplit, forkjobs
from tests.helpers import AS_OF, REPO, record_forks, run_cli, use_cache

sys.path.insert(0, str(REPO / "bench"))
from generate import generate

DAY = datetime.date.fromisoformat(AS_OF)
REPEATED = (Status.PASS, Status.NOT_APPLICABLE)


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("estate")
    generate(300, root)
    return root


def _shared(findings: list[Finding]) -> tuple[int, int]:
    """(distinct message strings, distinct message objects) of the passes and not-applicable
    findings."""
    messages = [f.message for f in findings if f.status in REPEATED]
    return len(set(messages)), len({id(m) for m in messages})


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_equal_messages_are_one_string(
    estate: Path, jobs: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(evalsplit, "MIN_PAIRS_PER_JOB", 1)
    monkeypatch.setattr(forkjobs, "usable_cpus", lambda: 2)
    monkeypatch.setenv(forkjobs.ENV_JOBS, jobs)
    forks = record_forks(monkeypatch)
    runtime = CelRuntime()
    policies = list(load_catalogue(runtime).values())
    findings = run(runtime, policies, load_declarations([str(estate)]), DAY).findings
    assert bool(forks) is (jobs == "2")  # the helper's findings come back through marshal
    values, objects = _shared(findings)
    assert len([f for f in findings if f.status in REPEATED]) > 2 * values  # they do repeat
    assert objects == values


def test_the_memo_keeps_them_shared(
    estate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    use_cache(monkeypatch, tmp_path)
    args = ["check", str(estate), "--as-of", AS_OF, "--format", "json"]
    cold, warm = run_cli(args), run_cli(args)
    assert cold.stdout == warm.stdout
    assert json.loads(cold.stdout)["summary"]["pass"] > 0
    from hdsguard import api

    monkeypatch.setattr("hdsguard.engine.evaluate_all", _no_local_work)
    report = api.check([str(estate)], api.CheckOptions(as_of=DAY))
    assert any(f.status is Status.PASS for f in report.findings)
    values, objects = _shared(list(report.findings))
    assert objects == values


def _no_local_work(evaluation: object, references: object) -> evalsplit.Batch:
    """The non-local rules only are left to evaluate on a warm run; none here: what the
    report holds came from the memo."""
    return [], {}
