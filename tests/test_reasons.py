"""A finding's reason (hdsguard.reasons): which checks did not hold, their field, and the values
their main-language message quotes, less those read from the evaluation date; the same in
every language and on every day, and another as soon as a declared value changes."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from hdsguard.api import CheckOptions, check
from hdsguard.findings import Status
from hdsguard.policies import celenv
from hdsguard.policies.celenv import DATE_READ, SECTIONS_READ, CelRuntime, Context
from hdsguard.policies.locality import reads_date
from tests.helpers import REPO, use_cache, write

AS_OF = datetime.date(2026, 11, 28)
LAB = str(REPO / "examples" / "lab-group")


@pytest.mark.parametrize(
    ("source", "dated"),
    [
        ("self.last_patch", False),
        ("params.max_patch_age_days", False),
        ("target", False),
        ("now", True),
        ("days_since(self.last_patch)", True),  # rewritten in CEL over `now` (inline.py)
        ("string(-days_until(self.end_of_support)) + ' days'", True),
        ("months_since(self.date)", True),
        ("hds_flaw_text(target)", True),  # reads the date in Python, through the context
        ("provider_hds_flaw_text(self.id)", True),
        ("stale(self.date)", True),
        ("activities_needed(target)", True),
        ("country_name(self.country)", False),
        ("'now' + self.id", False),  # a string, not the variable
        ('r"now"', False),
        ("self.now", False),  # a field named so
        ("cabf_max_days(self.not_before)", False),  # a declared date, whatever the day
    ],
)
def test_reads_date_is_decided_from_the_checked_tree(source: str, dated: bool) -> None:
    assert reads_date(CelRuntime().compile(source)) is dated


def test_date_read_names_helpers() -> None:
    assert set(SECTIONS_READ) >= DATE_READ


def test_only_the_helpers_of_date_read_may_read_the_date() -> None:
    context = Context()
    context.bind(AS_OF, {})
    with pytest.raises(celenv.DateNotAllowed, match="DATE_READ"):
        _ = context.as_of
    assert context.dating(lambda: context.as_of)() == AS_OF
    with pytest.raises(celenv.DateNotAllowed):  # only while the helper runs
        _ = context.as_of


def test_a_helper_reading_the_date_unlisted_is_an_error_not_a_silent_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What a helper reads from the date must be left out of the reason: one that reads it
    # without saying so fails loudly, as a helper reading an unlisted section does.
    use_cache(monkeypatch, None)
    before = {f.target: f.status for f in check([LAB], CheckOptions(as_of=AS_OF)).findings
              if f.rule == "HDS-003"}  # fmt: skip
    assert Status.ERROR not in before.values()
    monkeypatch.setattr(celenv, "DATE_READ", DATE_READ - {"hds_flaw_text", "hds_flaws"})
    after = [f for f in check([LAB], CheckOptions(as_of=AS_OF)).findings if f.rule == "HDS-003"]
    errors = [f for f in after if f.status is Status.ERROR]
    assert errors
    assert all("read the evaluation date" in f.message for f in errors)


def _reasons(root: Path | str, as_of: datetime.date, lang: str = "en") -> dict[str, str]:
    report = check([str(root)], CheckOptions(as_of=as_of, lang=lang, reasons=True))
    return {f"{f.rule} {f.target}": f.reason for f in report.findings}


def test_passes_and_not_applicable_have_no_reason_the_others_have_one() -> None:
    report = check([LAB], CheckOptions(as_of=AS_OF, reasons=True))
    for f in report.findings:
        if f.status in (Status.PASS, Status.NOT_APPLICABLE):
            assert f.reason == "", f
        else:
            pieces = json.loads(f.reason)
            assert pieces, f
            assert all(len(p) == 4 and p[1] in ("fail", "warn", "missing", "error")
                       for p in pieces)  # fmt: skip


def test_reasons_are_made_only_when_asked_or_a_baseline_compares_them(tmp_path: Path) -> None:
    # A run that compares no baseline reads no reason: it makes none (a first run's CPU).
    plain = check([LAB], CheckOptions(as_of=AS_OF))
    assert {f.reason for f in plain.findings} == {""}
    assert plain.summary()["fail"] > 40
    asked = check([LAB], CheckOptions(as_of=AS_OF, reasons=True))
    baseline = tmp_path / "baseline.json"
    empty = {"version": 1, "tool": {"name": "hdsguard", "version": "0"}, "as_of": "2026-11-28"}
    baseline.write_text(json.dumps({**empty, "findings": []}))
    compared = check([LAB], CheckOptions(as_of=AS_OF, baseline_file=baseline))
    with_reason = [(f.rule, f.target, f.reason) for f in asked.findings]
    assert [(f.rule, f.target, f.reason) for f in compared.findings] == with_reason
    # Nothing else differs.
    assert [f._replace(reason="") for f in asked.findings] == list(plain.findings)


def test_a_later_day_changes_no_reason() -> None:
    # Ages and days left grow; what is declared and the limits do not.
    now, later = _reasons(LAB, AS_OF), _reasons(LAB, AS_OF + datetime.timedelta(days=7))
    same = {k: v for k, v in now.items() if v and later.get(k)}
    assert len(same) > 30
    # A check may start (or stop) failing a week later (PAT-003: vulnerabilities reviewed
    # 2026-11-20, 14 days at most): a new reason. But the part of a check failing on both days
    # is the same: nothing in it grows with the days.
    changed = {k for k, v in same.items() if later[k] != v}
    assert len(changed) < len(same) / 4
    for key in changed:
        before = {p[0]: p for p in json.loads(now[key])}
        after = {p[0]: p for p in json.loads(later[key])}
        assert before.keys() != after.keys(), key
        assert all(before[k] == after[k] for k in before.keys() & after.keys()), key


VENDOR = """
version: 1
systems:
  - {id: dpi, name: DPI}
vendors:
  - {id: valmed, name: Valmed Software, systems: [dpi],
     contract: {patch_sla: {critical_days: 60, high_days: 200}}}
"""


def test_each_failing_check_its_field_and_its_declared_values(tmp_path: Path) -> None:
    write(tmp_path, {"v.yaml": VENDOR})
    reason = _reasons(tmp_path, AS_OF)["VND-008 vendors/valmed"]
    # Both checks fail; their messages build a sentence in CEL, and their hidden placeholders
    # quote the declared values it words (docs/policy-format.md): the name, the SLA, the limit.
    assert json.loads(reason) == [
        ["0", "fail", "contract.patch_sla.critical_days", ["Valmed Software", 60, 30]],
        ["1", "fail", "contract.patch_sla.high_days", ["Valmed Software", 200, 90]],
    ]
    assert _reasons(tmp_path, AS_OF, "fr")["VND-008 vendors/valmed"] == reason
    write(tmp_path, {"v.yaml": VENDOR.replace("critical_days: 60", "critical_days: 120")})
    assert _reasons(tmp_path, AS_OF)["VND-008 vendors/valmed"] != reason


def test_missing_evidence_names_the_fields(tmp_path: Path) -> None:
    write(tmp_path, {"fw.yaml": "version: 1\nfirewalls:\n  - {id: fw-1}\n"})
    reason = _reasons(tmp_path, AS_OF)["FW-001 firewalls/fw-1"]
    assert json.loads(reason) == [["0", "missing", "last_patch", ["last_patch"]]]


# A user's policy with two checks, each named by its `id`.
NAMED = """
id: ACME-002
title: Firewalls are patched and named
severity: low
applies_to: firewalls
description: Every firewall names its vendor and was patched this year.
rationale: An auditor needs to know what is deployed.
remediation: Fix {{ self.id }}.
references: [internal policy 12]
checks:
  - id: vendor
    requires: [vendor]
    field: vendor
    condition: self.vendor == "Stormshield"
    message: vendor {{ self.vendor }} is not the one chosen
  - id: patched
    requires: [last_patch]
    field: last_patch
    condition: days_since(self.last_patch) <= 365
    message: patched {{ self.last_patch }}, {{ days_since(self.last_patch) }} days ago
tests:
  - as_of: 2026-11-28
    declarations: {firewalls: [{id: a, vendor: Stormshield, last_patch: 2026-11-01}]}
    expect: pass
  - as_of: 2026-11-28
    declarations: {firewalls: [{id: a, vendor: X, last_patch: 2026-11-01}]}
    expect: fail
"""
FIREWALL = "version: 1\nfirewalls:\n  - {id: fw-1, vendor: Fortinet, last_patch: 2024-01-02}\n"


def _policy_reason(root: Path) -> str:
    options = CheckOptions(
        as_of=AS_OF, policy_dirs=[root / "pol"], only=frozenset({"ACME-002"}), reasons=True
    )
    (finding,) = check([str(root / "d")], options).findings
    return finding.reason


def test_a_check_id_names_the_check_whatever_its_position(tmp_path: Path) -> None:
    write(tmp_path, {"pol/acme.yaml": NAMED, "d/fw.yaml": FIREWALL})
    expected = [
        ["vendor", "fail", "vendor", ["Fortinet"]],
        ["patched", "fail", "last_patch", ["2024-01-02"]],
    ]
    assert json.loads(_policy_reason(tmp_path)) == expected
    # The checks swapped: the same pieces, in the policy's new order.
    head, checks_and_tests = NAMED.split("checks:\n")
    checks, tests = checks_and_tests.split("tests:\n")
    vendor, patched = checks.split("  - id: patched\n")
    swapped = f"{head}checks:\n  - id: patched\n{patched}{vendor}tests:\n{tests}"
    write(tmp_path, {"pol/acme.yaml": swapped})
    assert json.loads(_policy_reason(tmp_path)) == expected[::-1]
    # Without ids, positions.
    write(tmp_path, {"pol/acme.yaml": NAMED.replace("  - id: vendor\n    ", "  - ")})
    assert json.loads(_policy_reason(tmp_path))[0][0] == "0"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("id: patched", "id: vendor"),
            "pol/acme.yaml:15:5: checks[1].id: 'vendor' is already the id of checks[0]; give "
            "each check its own id",
        ),
        (
            ("id: patched", "id: Patched"),
            "pol/acme.yaml:15:9: checks.1.id: 'Patched' does not have the expected form",
        ),
    ],
    ids=["twice", "capital"],
)
def test_a_check_id_is_unique_and_lowercase(
    tmp_path: Path, change: tuple[str, str], expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.helpers import run_cli

    write(tmp_path, {"pol/acme.yaml": NAMED.replace(*change), "d/fw.yaml": FIREWALL})
    monkeypatch.chdir(tmp_path)
    result = run_cli(["check", "d", "--policies", "pol", "--no-config"])
    assert result.exit_code == 2
    assert result.stderr.startswith(expected), result.stderr
