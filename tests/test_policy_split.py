"""A first run's catalogue compiled by two processes (policies/split.py) is the serial one:
the same policies, findings and reports, the same problems in the same order, whatever the
helper does."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import pytest
from cel_expr_python import cel

from hdsguard import forkjobs
from hdsguard.errors import InputError
from hdsguard.policies import split
from hdsguard.policies.celenv import CelRuntime
from hdsguard.policies.load import CompiledPolicy, builtin_policy_dir, load_catalogue
from hdsguard.policies.template import Template
from tests.helpers import AS_OF, REPO, record_forks, run_cli, write


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[int]:
    """An empty cache for every load, two usable CPUs; the pid of every helper started."""
    count = iter(range(1000))
    monkeypatch.setattr(
        "hdsguard.policies.cache.cache_dir", lambda: tmp_path / f"cache-{next(count)}"
    )
    monkeypatch.setattr(forkjobs, "usable_cpus", lambda: 2)
    monkeypatch.delenv(forkjobs.ENV_JOBS, raising=False)
    return record_forks(monkeypatch)


def shape(value: Any) -> Any:
    """Everything of a compiled policy but its compiled expressions' bytes (which differ from
    one compilation to the next), and its file model (a run does not keep it)."""
    if isinstance(value, cel.Expression):
        return "<expression>"
    if isinstance(value, Template):
        return ("template", tuple(shape(p) for p in value.parts))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        kept = [f.name for f in dataclasses.fields(value) if f.name != "spec"]
        return (type(value).__name__, tuple((n, shape(getattr(value, n))) for n in kept))
    if isinstance(value, tuple):
        return tuple(shape(v) for v in value)
    return value


def catalogue(jobs: str, monkeypatch: pytest.MonkeyPatch, *dirs: Path) -> dict[str, CompiledPolicy]:
    with monkeypatch.context() as m:
        m.setenv(forkjobs.ENV_JOBS, jobs)
        return load_catalogue(CelRuntime(), dirs)


def test_two_processes_compile_the_serial_catalogue(
    forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = catalogue("1", monkeypatch)
    assert not forks
    shared = catalogue("2", monkeypatch)
    assert len(forks) == 1
    assert list(shared) == list(serial)
    for pid, policy in serial.items():
        assert shape(shared[pid]) == shape(policy), pid


def test_reports_are_the_same(forks: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    outputs = []
    for jobs in ("1", "2"):
        monkeypatch.setenv(forkjobs.ENV_JOBS, jobs)
        args = ["check", str(REPO / "examples" / "lab-group"), "--as-of", AS_OF]
        result = run_cli([*args, "--format", "json", "--verbose"])
        assert result.exit_code == 1, result.output
        outputs.append(result.output)
    assert len(forks) == 1  # the second load only
    assert outputs[0] == outputs[1]


BROKEN = {
    "a-bad.yaml": "id: [unclosed\n",
    "m-missing.yaml": "id: USR-002\ntitle: t\n",
    "z-cel.yaml": """\
        id: USR-003
        title: Broken condition
        severity: low
        applies_to: [systems]
        description: d
        rationale: r
        remediation: fix it
        references: ["ISO 27001 A.8.13"]
        condition: self.name ==
        message: m
        """,
}


def test_problems_are_the_same_and_in_order(
    forks: list[int], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    custom = write(tmp_path / "custom", BROKEN)
    messages = []
    for jobs in ("1", "2"):
        with pytest.raises(InputError) as caught:
            catalogue(jobs, monkeypatch, custom)
        messages.append([str(p) for p in caught.value.problems])
    assert messages[0] == messages[1]
    assert len(messages[0]) >= 3
    assert forks


@pytest.mark.parametrize("how", ["garbled", "dies", "fails"])
def test_a_failing_helper_changes_nothing(
    how: str, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = catalogue("1", monkeypatch)
    real = split._work

    def work(files: Any, load: Any, send: forkjobs.Send) -> None:
        if how == "garbled":
            for _ in files:
                send(b"\x80\x05not a pickle")
        elif how == "dies":
            os._exit(3)
        else:
            real(files, load, send)
            raise RuntimeError("after sending")

    monkeypatch.setattr(split, "_work", work)
    shared = catalogue("2", monkeypatch)
    assert forks
    assert {k: shape(v) for k, v in shared.items()} == {k: shape(v) for k, v in serial.items()}


def test_the_builtin_files_are_worth_sharing() -> None:
    sizes = [p.stat().st_size for p in sorted(builtin_policy_dir().glob("*.yaml"))]
    shares = forkjobs.plan(
        sizes, 2, min_per_job=split.MIN_BYTES_PER_JOB, parent_capacity=split.PARENT_CAPACITY
    )
    assert len(shares) == 2
