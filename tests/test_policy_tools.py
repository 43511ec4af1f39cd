"""Policy tooling: list, explain, and the generated catalogue documentation."""

from __future__ import annotations

from hdsguard.policies.celenv import CelRuntime
from hdsguard.policies.docs import markdown_catalogue
from hdsguard.policies.load import load_catalogue
from tests.helpers import REPO, run_cli


def test_docs_policies_md_is_up_to_date() -> None:
    runtime = CelRuntime()
    expected = markdown_catalogue(runtime, load_catalogue(runtime, with_specs=True).values())
    committed = (REPO / "docs" / "policies.md").read_text(encoding="utf-8")
    assert committed == expected, "run: hdsguard policies docs --output docs/policies.md"


def test_list_filters_by_section_and_severity() -> None:
    result = run_cli(["policies", "list", "--section", "firewalls"])
    assert result.exit_code == 0
    rows = [line.split()[0] for line in result.stdout.splitlines()]
    assert "FW-001" in rows
    assert all("firewalls" in line for line in result.stdout.splitlines())
    high = run_cli(["policies", "list", "--severity", "high"])
    assert all(line.split()[1] == "high" for line in high.stdout.splitlines())
    assert "FW-001" in high.stdout


def test_explain_shows_everything_about_a_policy() -> None:
    result = run_cli(["policies", "explain", "fw-001"])
    assert result.exit_code == 0
    for heading in (
        "WHAT IT CHECKS",
        "WHY IT MATTERS",
        "DEFAULTS",
        "REMEDIATION",
        "REFERENCES",
        "EXAMPLE",
        "CONDITIONS",
        "TESTS",
    ):
        assert heading in result.stdout
    assert "max_patch_age_days` = `90`" in result.stdout
    assert "# => fail: last patched 2026-08-29, 91 days before 2026-11-28" in result.stdout


def test_explain_unknown_policy_suggests() -> None:
    result = run_cli(["policies", "explain", "FW-01"])
    assert result.exit_code == 2
    assert "did you mean FW-001?" in result.stderr
