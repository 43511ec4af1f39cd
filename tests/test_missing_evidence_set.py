"""A rule that warns on missing evidence (``missing_evidence: warn``) judges it across the set
(``warn_each``, for a field the contract marks optional, does not).

It warns on a target that declares none of its fields only while no target of its section
does: an organisation that never heard of `dpia` is not failed for it. Once the organisation
uses the vocabulary for some targets of a section (a DPIA on one system), a target of that
section that leaves it out is missing evidence and fails, as in any rule. The verdict of one
target then depends on the others: a warm run after editing another file gives what a run
without any cache gives (the findings memo is keyed on it).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import REPO, run_cli, use_cache

AS_OF = "2026-11-28"
CLEAN = REPO / "tests" / "data" / "contract" / "clean-clinic.yaml"
# The clean clinic's system `dpi` declares health data and no `dpia` (GOV-010), no `ins`
# (IAM-009); its firewall `fw-edge` declares `rules` (FW-004).
# A second system, declared as the clinic's own (so that no other rule fails on it).
PACS = {**yaml.safe_load(CLEAN.read_text(encoding="utf-8"))["systems"][0], "id": "pacs"}
DPIA_MISSING = "evidence missing: `dpia` is not declared"


def _estate(tmp_path: Path, other: dict[str, Any]) -> Path:
    """The clean clinic in one file, ``other`` (more objects) in a second one."""
    root = tmp_path / "decl"
    root.mkdir()
    (root / "clinic.yaml").write_text(CLEAN.read_text(encoding="utf-8"), encoding="utf-8")
    _write(root / "other.yaml", other)
    return root


def _write(path: Path, data: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _check(root: Path) -> tuple[int, dict[str, Any]]:
    result = run_cli(["check", str(root), "--no-config", "--as-of", AS_OF, "--format", "json"])
    report: dict[str, Any] = json.loads(result.stdout)
    return result.exit_code, report


def _status(report: dict[str, Any], rule: str) -> dict[str, tuple[str, str]]:
    """target -> (status, message) of ``rule``."""
    return {
        f["target"]: (f["status"], f["message"]) for f in report["findings"] if f["rule"] == rule
    }


def test_a_system_without_dpia_fails_when_another_system_declares_one(tmp_path: Path) -> None:
    code, report = _check(_estate(tmp_path, {"systems": [{**PACS, "dpia": "2026-01-10"}]}))
    gov_010 = _status(report, "GOV-010")
    assert code == 1
    assert gov_010["systems/pacs"][0] == "pass"
    assert gov_010["systems/dpi"] == (
        "fail",
        DPIA_MISSING + "; declare it so this rule can be checked",
    )


def test_systems_of_which_none_declares_a_dpia_warn(tmp_path: Path) -> None:
    code, report = _check(_estate(tmp_path, {"systems": [PACS]}))
    gov_010 = _status(report, "GOV-010")
    assert code == 0
    assert {t: s for t, (s, _m) in gov_010.items()} == {
        "systems/dpi": "warn",
        "systems/pacs": "warn",
    }
    assert DPIA_MISSING in gov_010["systems/dpi"][1]


def test_a_field_used_on_a_system_that_does_not_apply_still_counts(tmp_path: Path) -> None:
    # The vocabulary is in use in the section: the applicability of the target that declares
    # it does not matter (a system without health data may carry its DPIA all the same).
    lab = {"id": "lab", "name": "Lab", "health_data": False, "dpia": "2026-01-10"}
    code, report = _check(_estate(tmp_path, {"systems": [lab]}))
    gov_010 = _status(report, "GOV-010")
    assert (code, gov_010["systems/lab"][0]) == (1, "not_applicable")
    assert gov_010["systems/dpi"][0] == "fail"


def test_the_other_list_rules_judge_across_the_set(tmp_path: Path) -> None:
    other = {"systems": [{**PACS, "ins": {"exchanged": False}}]}
    code, report = _check(_estate(tmp_path, other))
    status, message = _status(report, "IAM-009")["systems/dpi"]
    assert (code, status) == (1, "fail")
    assert "evidence missing: `ins" in message


def test_a_firewall_without_rules_warns_whatever_the_others_declare(tmp_path: Path) -> None:
    # FW-004 is `warn_each`: the contract marks `rules` optional, and keeping the rule set
    # of the edge firewall only (the clean clinic's `fw-edge`) is its own case.
    other = {"firewalls": [{"id": "fw-int", "internet_facing": False}]}
    _code, report = _check(_estate(tmp_path, other))
    status, message = _status(report, "FW-004")["firewalls/fw-int"]
    assert status == "warn"
    assert "evidence missing: `rules`" in message
    assert _status(report, "FW-004")["firewalls/fw-edge"][0] == "pass"


def test_a_singleton_still_warns_on_its_own_fields(tmp_path: Path) -> None:
    # GOV-007 (crisis exercise) applies to the organisation, the one target of its section.
    code, report = _check(_estate(tmp_path, {"systems": [PACS]}))
    assert (code, _status(report, "GOV-007")["organisation"][0]) == (0, "warn")


@pytest.mark.parametrize("first_with_dpia", [True, False])
def test_a_warm_run_after_editing_the_other_file_gives_the_new_verdict(
    tmp_path: Path, cache: Path, first_with_dpia: bool
) -> None:
    # dpi is in clinic.yaml, which never changes: its findings memo entry must not serve
    # the verdict of the other state once pacs, in other.yaml, gains or loses its DPIA.
    with_dpia = {"systems": [{**PACS, "dpia": "2026-01-10"}]}
    without = {"systems": [PACS]}
    root = _estate(tmp_path, with_dpia if first_with_dpia else without)
    expected = {True: "fail", False: "warn"}
    for state in (first_with_dpia, not first_with_dpia, first_with_dpia):
        _write(root / "other.yaml", with_dpia if state else without)
        code, warm = _check(root)
        assert _status(warm, "GOV-010")["systems/dpi"][0] == expected[state]
        with pytest.MonkeyPatch.context() as mp:
            use_cache(mp, None)
            cold = _check(root)
        assert (code, warm) == cold
    assert (cache / "findings").is_dir()  # the memo was there to be wrong
