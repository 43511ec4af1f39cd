"""A user's policy written from the contract alone (format.md names id, title, severity,
applies_to, condition, message, remediation, references and inline tests, at least one passing
and one failing) loads, runs its tests and is evaluated by `check`: `description`,
`rationale`, a case's `name` and `as_of` may be left out. The built-in catalogue keeps all of
them (its documentation and its tests' dates are fixed)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.helpers import REPO, run_cli

POLICY = """\
id: ORG-001
title: Firewalls are of the standard vendor
severity: low
applies_to: firewalls
condition: self.vendor == "Stormshield"
message: "{{ self.vendor }} is not the standard vendor"
remediation: Replace the firewall with the standard vendor's.
references: [Internal network standard NET-2]
tests:
  - declarations: {firewalls: [{id: a, vendor: Stormshield, model: SN910}]}
    expect: pass
  - declarations: {firewalls: [{id: a, vendor: Cisco, model: ASA}]}
    expect: fail
"""

FIREWALLS = "firewalls:\n  - {id: fw-edge, vendor: Fortinet, model: FortiGate 100E}\n"


def _tree(tmp_path: Path) -> Path:
    (tmp_path / "ours").mkdir()
    (tmp_path / "ours" / "ORG-001.yaml").write_text(POLICY, encoding="utf-8")
    (tmp_path / "firewalls.yaml").write_text(FIREWALLS, encoding="utf-8")
    return tmp_path


def test_its_inline_tests_run(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    result = run_cli(["policies", "test", str(tree / "ours")])
    assert (result.exit_code, result.stderr) == (0, "")
    assert "2 passed, 0 failed" in result.stdout


def test_check_evaluates_it(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    args = ["check", str(tree / "firewalls.yaml"), "--policies", str(tree / "ours")]
    result = run_cli([*args, "--no-config", "--as-of", "2026-11-28", "--format", "json"])
    assert result.stderr == ""
    ours = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "ORG-001"]
    assert [(f["status"], f["message"]) for f in ours] == [
        ("fail", "Fortinet is not the standard vendor")
    ]


def test_explain_shows_no_empty_section(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    result = run_cli(["policies", "explain", "ORG-001", "--policies", str(tree / "ours")])
    assert result.exit_code == 0
    assert "WHAT IT CHECKS" not in result.stdout and "WHY IT MATTERS" not in result.stdout
    assert "REMEDIATION" in result.stdout


def test_the_built_in_policies_keep_their_texts_and_pin_their_dates() -> None:
    for path in sorted((REPO / "policies").glob("*.yaml")):
        policy = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert policy.get("description") and policy.get("rationale"), path.name
        for case in policy["tests"]:
            assert case.get("name") and case.get("as_of"), (path.name, case)
