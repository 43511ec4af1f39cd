"""Policies local in a run without evidence: the helpers they may call, and the memo.

A policy whose only reads of other objects go through the evidence helpers is memoized like a
local one in a run given no evidence file (policies/locality.py). That is sound only when each
of those helpers, with every evidence section empty, answers the same whatever the other
objects declare: checked here helper by helper, on two estates that share only the argument.
"""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hdsguard import engine
from hdsguard.api import CheckOptions, check, load_policies
from hdsguard.evidence.view import SECTIONS
from hdsguard.policies.celenv import CelRuntime
from hdsguard.policies.load import CompiledPolicy
from hdsguard.policies.locality import EVIDENCE_HELPERS, LOCAL_HELPERS
from tests.helpers import REPO, run_cli

AS_OF = datetime.date(2026, 11, 28)

SERVICE = {"id": "web", "host": "www.example.fr", "port": 443, "software": {"name": "nginx"},
           "tls": {"certificate": "c1"}}  # fmt: skip
CERTIFICATE = {"id": "c1", "subject": "www.example.fr"}
VULNERABILITY = {"cve": "CVE-2024-0001", "kev": True, "kev_added": "2024-01-02"}

# Each helper called as the built-in rules call it (a target name or an object).
CALLS = {
    "evidence_ports_of": "evidence_ports_of(target)",
    "evidence_hosts_of": "evidence_hosts_of(self)",
    "observed_certificates": "observed_certificates(decl.certificates[0])",
    "declared_certificates": "declared_certificates({'id': 'x', 'sha256': 'ab'})",
    "kev_entries": "kev_entries('nginx')",
    "kev_entries_of": "kev_entries_of('Fortinet', 'FortiOS')",
    "kev_entry": "kev_entry('CVE-2024-0001')",
    "kev_added": "kev_added({'cve': 'CVE-2024-0001', 'kev': true, 'kev_added': '2024-01-02'})",
    "hds_registry_entry": "hds_registry_entry('HDS-123')",
    "evidence_files": "evidence_files()",
    "evidence_scans": "evidence_scans()",
    "evidence_count": "[evidence_count('services'), evidence_count('evidence_ports')]",
}


def _estate(other: bool) -> dict[str, Any]:
    """The same service and certificate; everything else declared differently (or not)."""
    data: dict[str, Any] = {name: [] for name in SECTIONS}
    data["services"] = [SERVICE]
    data["certificates"] = [CERTIFICATE]
    if other:
        data["services"].append({**SERVICE, "id": "api", "tls": {"certificate": "c2"}})
        data["certificates"].append({"id": "c2", "subject": "www.example.fr", "sha256": "ab"})
        data["firewalls"] = [{"id": "fw", "vendor": "Fortinet", "firmware": {"product": "FortiOS"}}]
        data["providers"] = [{"id": "HDS-123", "hds": {"certificate": "HDS-123"}}]
        data["systems"] = [{"id": "s", "vulnerabilities": [VULNERABILITY]}]
    return data


def _value(call: str, data: dict[str, Any]) -> Any:
    runtime = CelRuntime()
    runtime.context.bind(AS_OF, data)
    activation = runtime.activation(
        {"self": SERVICE, "params": {}, "now": AS_OF.isoformat(), "target": "services/web",
         "decl": data}
    )  # fmt: skip
    return runtime.compile(call).eval(activation).plain_value()


def test_every_evidence_helper_is_checked_here() -> None:
    assert set(CALLS) == EVIDENCE_HELPERS
    assert not EVIDENCE_HELPERS & LOCAL_HELPERS


@pytest.mark.parametrize("helper", sorted(CALLS))
def test_without_evidence_a_helper_reads_only_its_argument(helper: str) -> None:
    assert _value(CALLS[helper], _estate(False)) == _value(CALLS[helper], _estate(True))


def test_evidence_count_counts_evidence_sections_only() -> None:
    data = _estate(True)
    data["evidence_ports"] = [{"id": "p1"}, {"id": "p2"}]
    assert _value(CALLS["evidence_count"], data) == [0, 2]


def _catalogue() -> dict[str, CompiledPolicy]:
    return load_policies()[1]


def test_the_evidence_rules_are_local_only_without_evidence() -> None:
    catalogue = _catalogue()
    without = {pid for pid, p in catalogue.items() if p.local_without_evidence and not p.local}
    # EVD-001 looks up the declared services of an observed port (services_at); BKP-005,
    # EXP-*, HDS-*, IAM-008 and VND-* follow references to other objects.
    expected = {"EVD-002", "EVD-003", "EVD-005", "EVD-006", "EVD-007", "EVD-008", "EVD-009",
                "EVD-010", "PAT-003"}  # fmt: skip
    assert without == expected
    assert all(catalogue[pid].local_in(False) and not catalogue[pid].local_in(True)
               for pid in expected)  # fmt: skip


def _evaluated(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(policy, object id) of each pair the engine evaluates from now on."""
    seen: list[tuple[str, str]] = []
    original: Callable[..., Any] = engine._verdict

    def counting(policy: CompiledPolicy, activation: Any) -> Any:
        seen.append((policy.id, ""))
        return original(policy, activation)

    monkeypatch.setattr(engine, "_verdict", counting)
    return seen


def test_a_warm_run_without_evidence_does_not_evaluate_evidence_rules_again(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(REPO / "examples" / "lab-group", tmp_path / "lab")
    lab = [str(tmp_path / "lab")]
    options = CheckOptions(as_of=AS_OF)
    first = check(lab, options)
    # A file holding neither services nor firewalls changes: the rules that follow references
    # run again on the whole set, the evidence rules (services, firewalls) on no file.
    systems = tmp_path / "lab" / "systems.yaml"
    systems.write_text(systems.read_text() + "# reviewed\n")
    seen = _evaluated(monkeypatch)
    second = check(lab, options)
    assert second.findings == first.findings
    assert seen  # the rules that follow references still run
    assert not {pid for pid, _ in seen} & {"EVD-002", "EVD-003", "PAT-003"}


def test_runs_with_and_without_evidence_never_share_memo_entries(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lab = tmp_path / "lab"
    shutil.copytree(REPO / "examples" / "lab-group", lab)
    evidence = str(lab / "evidence")

    def json_report(*extra: str) -> str:
        args = ["check", str(lab), "--as-of", "2026-11-28", "--format", "json", *extra]
        result = run_cli(args)
        assert result.exit_code in (0, 1), result.stderr
        return result.stdout

    # Without, with, without again, with again: each as a run without any cache gives it.
    runs = [json_report(), json_report("--evidence", evidence)]
    runs += [json_report(), json_report("--evidence", evidence)]
    monkeypatch.setenv("HDSGUARD_NO_CACHE", "1")
    assert runs == [json_report(), json_report("--evidence", evidence)] * 2
    assert runs[0] != runs[1]
