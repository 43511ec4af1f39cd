"""The findings of the rules that follow references, kept per file (speed/findingsmemo.py).

Each rule's findings on the targets of one file are reused while that file and every file
declaring a section its helpers read are unchanged. Checked on a generated estate (the bench's
high-failure shape): after each change, the warm run gives the report a run without any cache
gives, and evaluates the rules that follow references exactly on the targets whose inputs
changed, no more.
"""

from __future__ import annotations

import datetime
import re
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from hdsguard import engine
from hdsguard.api import CheckOptions, check
from hdsguard.declarations.files import display_path
from hdsguard.findings import Report
from hdsguard.policies.load import CompiledPolicy
from tests.helpers import use_cache

AS_OF = datetime.date(2026, 11, 28)
# The rules that follow references, by the sections their helpers read (policies/locality.py).
BY_PROVIDERS = {"BKP-005"}
BY_SYSTEMS = {"EXP-002", "EXP-007", "IAM-008"}
# None left: health_data_at() also follows the providers running on a provider (`hosted_by`).
BY_SYSTEMS_VENDORS: set[str] = set()
BY_ALL_THREE = {"HDS-001", "HDS-002", "HDS-006", "HDS-007", "HDS-008", "HDS-009", "VND-002"}
NON_LOCAL = BY_PROVIDERS | BY_SYSTEMS | BY_SYSTEMS_VENDORS | BY_ALL_THREE


@pytest.fixture
def estate(failing: Path, tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the generated estate, its first run done (the memo filled)."""
    monkeypatch.setenv("HDSGUARD_JOBS", "1")  # every pair evaluated here, where it is counted
    root = tmp_path / "estate"
    shutil.copytree(failing, root)
    run(root)
    return root


def run(root: Path) -> Report:
    return check([str(root)], CheckOptions(as_of=AS_OF))


def uncached(root: Path) -> Report:
    with pytest.MonkeyPatch.context() as mp:
        use_cache(mp, None)
        return run(root)


class Counted:
    """The pairs the engine evaluates, per rule, and the pairs its units announce."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.rules: Counter[str] = Counter()
        self.announced = self.evaluated = 0
        verdict: Callable[..., Any] = engine._verdict
        evaluate_all = engine.evaluate_all

        def counting_verdict(policy: CompiledPolicy, activation: Any) -> Any:
            self.rules[policy.id] += 1
            return verdict(policy, activation)

        def counting_all(evaluation: engine.Evaluation, references: Any) -> Any:
            self.announced += sum(weight for _, weight in evaluation.units(250))
            findings, tally = evaluate_all(evaluation, references)
            self.evaluated += len(findings) + sum(tally.values())
            return findings, tally

        monkeypatch.setattr(engine, "_verdict", counting_verdict)
        monkeypatch.setattr(engine, "evaluate_all", counting_all)


def pairs_in(report: Report, files: set[Path], rules: set[str]) -> Counter[str]:
    """The pairs of ``rules`` on the targets declared in ``files``, per rule."""
    names = {display_path(f) for f in files}
    return Counter(f.rule for f in report.findings if f.rule in rules and f.file in names)


def warm_run(root: Path) -> tuple[Report, Counted]:
    """The warm run after a change, checked against a run without cache."""
    with pytest.MonkeyPatch.context() as mp:
        counted = Counted(mp)
        report = run(root)
    fresh = uncached(root)
    assert (report.findings, report.counted) == (fresh.findings, fresh.counted)
    assert counted.announced == counted.evaluated
    return report, counted


def non_local(counted: Counted) -> Counter[str]:
    return Counter({rule: n for rule, n in counted.rules.items() if rule in NON_LOCAL})


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def dump(path: Path, data: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_an_edited_services_file_reevaluates_its_own_services_only(
    estate: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edited = estate / "network" / "services-0003.yaml"
    data = load(edited)
    data["services"][0]["system"] = data["services"][1].get("system", "sys-000001")
    dump(edited, data)
    report, counted = warm_run(estate)
    # No rule that follows references reads services: only the file's own targets again.
    assert non_local(counted) == pairs_in(report, {edited}, NON_LOCAL)
    assert set(non_local(counted)) == BY_SYSTEMS


def test_a_renamed_provider_changes_every_finding_that_names_it(
    estate: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = run(estate)
    changed = set()
    for path in sorted(estate.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if "pro-000001" in text:
            path.write_text(re.sub(r"\bpro-000001\b", "pro-renamed", text), encoding="utf-8")
            changed.add(path)
    assert len(changed) > 2
    report, counted = warm_run(estate)
    assert "providers/pro-renamed" in {f.target for f in report.findings}
    assert report.findings != before.findings
    # Systems and vendors changed: every rule reading them runs on every target again; the
    # backup rule, which reads providers, on all systems (the providers' file changed).
    everywhere = BY_SYSTEMS | BY_SYSTEMS_VENDORS | BY_ALL_THREE | BY_PROVIDERS
    assert non_local(counted) == pairs_in(report, set(estate.rglob("*.yaml")), everywhere)


def test_a_system_moved_to_another_file(estate: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = estate / "systems" / "systems-0002.yaml"
    target = estate / "systems" / "systems-0005.yaml"
    taken, kept = load(source), load(target)
    kept["systems"].append(taken["systems"].pop(3))
    dump(source, taken)
    dump(target, kept)
    report, counted = warm_run(estate)
    everything = set(estate.rglob("*.yaml"))
    # The set of systems changed: the rules reading systems run everywhere; the backup rule
    # (it reads providers only) on the systems of the two files.
    expected = pairs_in(report, everything, BY_SYSTEMS | BY_SYSTEMS_VENDORS | BY_ALL_THREE)
    expected += pairs_in(report, {source, target}, BY_PROVIDERS)
    assert non_local(counted) == expected


def test_a_new_file_with_a_provider(estate: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    added = estate / "hosting" / "more.yaml"
    dump(added, {"providers": [{"id": "pro-new", "name": "Nouvel hébergeur"}]})
    report, counted = warm_run(estate)
    # Providers changed (a file more declares some): the rules reading providers run again
    # everywhere; those reading only systems and vendors on the new file's provider alone.
    everything = set(estate.rglob("*.yaml"))
    expected = pairs_in(report, everything, BY_PROVIDERS | BY_ALL_THREE)
    expected += pairs_in(report, {added}, BY_SYSTEMS_VENDORS)
    assert non_local(counted) == expected
    assert expected["HDS-001"] > 1  # on every provider, not only the new one


def test_a_new_file_with_a_system_hosted_by_an_unchanged_provider(
    estate: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A system cannot name a provider that does not exist (an input error): what a new file
    # changes for a provider declared elsewhere is the health data it holds.
    def hds001(report: Report) -> str:
        pair = ("HDS-001", "providers/pro-000003")
        return next(f.message for f in report.findings if (f.rule, f.target) == pair)

    message = hds001(run(estate))
    added = estate / "systems" / "new.yaml"
    dump(added, {"systems": [{"id": "sys-new", "name": "Nouveau", "hosted_by": "pro-000003"}]})
    report, counted = warm_run(estate)
    assert "system sys-new (hosted)" in hds001(report)
    assert "system sys-new" not in message
    # Systems changed: the rules reading them run everywhere; the backup rule on the new
    # file's system alone.
    everything = set(estate.rglob("*.yaml"))
    expected = pairs_in(report, everything, BY_SYSTEMS | BY_SYSTEMS_VENDORS | BY_ALL_THREE)
    expected += pairs_in(report, {added}, BY_PROVIDERS)
    assert non_local(counted) == expected


def test_a_deleted_file(estate: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A vendors file no service names (vendors name systems; nothing names vendors).
    deleted = estate / "vendors" / "vendors-0003.yaml"
    deleted.unlink()
    report, counted = warm_run(estate)
    everything = set(estate.rglob("*.yaml"))
    # Vendors changed: the rules reading vendors run everywhere again; the others not at all.
    assert non_local(counted) == pairs_in(report, everything, BY_SYSTEMS_VENDORS | BY_ALL_THREE)
    assert not set(non_local(counted)) & (BY_PROVIDERS | BY_SYSTEMS)


def test_a_systems_file_that_no_longer_declares_systems(
    estate: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emptied = estate / "systems" / "systems-0006.yaml"
    kept = estate / "systems" / "systems-0005.yaml"
    data, into = load(emptied), load(kept)
    into["systems"] += data.pop("systems")
    data["firewalls"] = [{"id": "fw-moved", "last_patch": datetime.date(2026, 10, 1)}]
    dump(emptied, data)
    dump(kept, into)
    report, counted = warm_run(estate)
    everything = set(estate.rglob("*.yaml"))
    expected = pairs_in(report, everything, BY_SYSTEMS | BY_SYSTEMS_VENDORS | BY_ALL_THREE)
    expected += pairs_in(report, {kept}, BY_PROVIDERS)  # the emptied file has no system left
    assert non_local(counted) == expected


def test_back_to_the_first_state_evaluates_nothing(
    estate: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edited = estate / "hosting" / "providers-0001.yaml"
    original = edited.read_bytes()
    edited.write_bytes(original.replace("Hébergeur".encode(), b"Host"))
    first = run(estate)
    edited.write_bytes(original)
    report, counted = warm_run(estate)
    assert counted.evaluated == 0 and not counted.rules
    assert report.findings != first.findings


def test_without_evidence_the_counted_passes_are_kept_per_file_too(
    estate: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = CheckOptions(as_of=AS_OF, evidence=False)
    check([str(estate)], options)
    edited = estate / "network" / "services-0003.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        counted = Counted(mp)
        warm = check([str(estate)], options)
    with pytest.MonkeyPatch.context() as mp:
        use_cache(mp, None)
        fresh = check([str(estate)], options)
    assert (warm.findings, warm.counted) == (fresh.findings, fresh.counted)
    assert set(non_local(counted)) == BY_SYSTEMS


def test_a_first_run_writes_one_entry_per_file_and_one_for_the_whole_set(
    estate: Path, cache: Path
) -> None:
    # The groups' findings live in their file's entry: a file per group and file doubled the
    # files a first run writes, which cost a cold 10k run 0.3 s of CPU.
    entries = list((cache / "findings").glob("*.marshal"))
    assert len(entries) == len(list(estate.rglob("*.yaml"))) + 1
