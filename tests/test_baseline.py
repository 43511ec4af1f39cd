"""Baselines: keyed by (rule, target), deterministic, atomic, and strict when read back."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hdsguard import __version__
from hdsguard.findings import Finding, Report, Severity, Status
from tests.config_support import AS_OF, CONFIG, FIREWALLS, Tree, rows
from tests.helpers import REPO, run_cli

EXPECTED_BASELINE = {
    "version": 1,
    "tool": {"name": "hdsguard", "version": __version__},
    "as_of": AS_OF,
    "lang": "en",
    # Why each finding failed, and what it said: a finding of the same rule and target that
    # fails for another reason is not hidden (tests/test_baseline_reason.py).
    "findings": [
        {
            "rule": "FW-001",
            "target": "firewalls/fw-dmz-1",
            "message": "last patched 2026-09-20, 69 days before 2026-11-28; the limit is 60 days",
            "reason": '[["0","fail","last_patch",["2026-09-20",60]]]',
        },
        {
            "rule": "FW-001",
            "target": "firewalls/fw-edge-1",
            "message": "last patched 2025-06-02, 544 days before 2026-11-28; the limit is 60 days",
            "reason": '[["0","fail","last_patch",["2025-06-02",60]]]',
        },
    ],
}
STRICT = CONFIG + "params:\n  FW-001: {max_patch_age_days: 60}\n"

# The same firewalls after an edit: comments and a new firewall above the old ones move every
# line; the new firewall fails.
MOVED = """
version: 1
# Firewalls of the group, reviewed in November.
firewalls:
  # New branch office, installed last year and never patched since.
  - id: fw-branch-1
    last_patch: 2025-10-01
  - id: fw-edge-1
    # Replacement ordered, see the baseline.
    last_patch: 2025-06-02
  - id: fw-dmz-1
    last_patch: 2026-09-20
  - id: fw-core-1
    last_patch: 2026-10-20
"""


def baselined(stdout: str) -> list[tuple[str, str, str, bool]]:
    report = json.loads(stdout)
    return [
        (f["rule"], f["target"], f["status"], f.get("baselined", False)) for f in report["findings"]
    ]


def test_round_trip_survives_moved_lines(tree: Tree, tmp_path: Path) -> None:
    tree({".hdsguard.yaml": STRICT, "decl/fw.yaml": FIREWALLS})
    written = run_cli(["baseline", "--as-of", AS_OF])
    assert written.exit_code == 0
    assert written.stderr == (
        "hdsguard: wrote 2 failing findings to .hdsguard-baseline.json\n"
        "hdsguard: `check` reads it with `--baseline .hdsguard-baseline.json`, or once the "
        "config names it (`baseline: .hdsguard-baseline.json`)\n"
    )
    text = (tmp_path / ".hdsguard-baseline.json").read_text()
    assert json.loads(text) == EXPECTED_BASELINE
    assert text.endswith("}\n")

    same = run_cli(["check", "--baseline", ".hdsguard-baseline.json", "--as-of", AS_OF, "-v"])
    assert same.exit_code == 0
    assert same.stdout.count("    baselined: known failure, does not fail the gate") == 2

    (tmp_path / "decl" / "fw.yaml").write_text(MOVED.lstrip())
    moved = run_cli(
        ["check", "--baseline", ".hdsguard-baseline.json", "--as-of", AS_OF, "--format", "json"]
    )
    assert moved.exit_code == 1
    assert baselined(moved.stdout) == [
        ("FW-001", "firewalls/fw-branch-1", "fail", False),
        ("FW-001", "firewalls/fw-core-1", "pass", False),
        ("FW-001", "firewalls/fw-dmz-1", "fail", True),
        ("FW-001", "firewalls/fw-edge-1", "fail", True),
    ]
    edge = json.loads(moved.stdout)["findings"][3]
    assert (edge["file"], edge["line"], edge["column"]) == ("decl/fw.yaml", 9, 5)


def test_baseline_output_is_deterministic(tree: Tree, tmp_path: Path) -> None:
    tree({".hdsguard.yaml": STRICT, "decl/fw.yaml": FIREWALLS})
    run_cli(["baseline", "--as-of", AS_OF, "--output", "one.json"])
    run_cli(["baseline", "--as-of", AS_OF, "--output", "two.json"])
    assert (tmp_path / "one.json").read_bytes() == (tmp_path / "two.json").read_bytes()


def test_fixed_findings_are_reported_as_notices(tree: Tree, tmp_path: Path) -> None:
    tree({".hdsguard.yaml": STRICT, "decl/fw.yaml": FIREWALLS})
    run_cli(["baseline", "--as-of", AS_OF])
    fixed = FIREWALLS.replace("2026-09-20", "2026-11-20")
    (tmp_path / "decl" / "fw.yaml").write_text(fixed)
    result = run_cli(["check", "--baseline", ".hdsguard-baseline.json", "--as-of", AS_OF, "-v"])
    assert result.exit_code == 0
    assert (
        "notice: .hdsguard-baseline.json: FW-001 on firewalls/fw-dmz-1 no longer fails (fixed "
        "since baseline of 2026-11-28): run `hdsguard baseline` to drop it"
    ) in result.stdout.splitlines()


def test_a_baselined_finding_now_waived_is_not_called_fixed(tree: Tree, tmp_path: Path) -> None:
    # The finding still fails; a waiver now covers it: "no longer fails (fixed ...)" was false.
    tree({".hdsguard.yaml": STRICT, "decl/fw.yaml": FIREWALLS})
    run_cli(["baseline", "--as-of", AS_OF])
    (tmp_path / "waivers.yaml").write_text(
        "waivers:\n  - {rule: FW-001, target: firewalls/fw-dmz-1, justification: j, owner: o,\n"
        "     approver: a, expires: 2027-01-31}\n"
    )
    result = run_cli(["check", "--baseline", ".hdsguard-baseline.json", "--as-of", AS_OF, "-v"])
    assert result.exit_code == 0
    notices = [line for line in result.stdout.splitlines() if line.startswith("notice:")]
    assert notices == [
        "notice: .hdsguard-baseline.json: FW-001 on firewalls/fw-dmz-1 is now waived, not fixed "
        "(baseline of 2026-11-28): the waiver governs it; run `hdsguard baseline` to drop it "
        "from the baseline"
    ]


def test_the_config_names_the_baseline_and_the_command_line_wins(
    tree: Tree, tmp_path: Path
) -> None:
    tree(
        {
            ".hdsguard.yaml": STRICT + "baseline: decl/accepted.json\n",
            "decl/fw.yaml": FIREWALLS,
            "empty.json": json.dumps({**EXPECTED_BASELINE, "findings": []}),
        }
    )
    written = run_cli(["baseline", "--as-of", AS_OF])
    assert written.stderr == "hdsguard: wrote 2 failing findings to decl/accepted.json\n"
    # The baseline lies among the declarations, yet it is not read as one.
    assert run_cli(["check", "--as-of", AS_OF]).exit_code == 0
    assert run_cli(["check", "--as-of", AS_OF, "--baseline", "empty.json"]).exit_code == 1


def test_new_failures_fail_and_waived_findings_stay_out_of_the_baseline(
    tree: Tree, tmp_path: Path
) -> None:
    waivers = (
        "waivers:\n  - {rule: FW-001, target: firewalls/fw-edge-1, justification: j, owner: o,\n"
        "     approver: a, expires: 2027-01-31}\n"
    )
    tree({".hdsguard.yaml": STRICT, "waivers.yaml": waivers, "decl/fw.yaml": FIREWALLS})
    run_cli(["baseline", "--as-of", AS_OF])
    keys = json.loads((tmp_path / ".hdsguard-baseline.json").read_text())["findings"]
    assert [(k["rule"], k["target"]) for k in keys] == [("FW-001", "firewalls/fw-dmz-1")]
    (tmp_path / "waivers.yaml").unlink()
    result = run_cli(
        ["check", "--baseline", ".hdsguard-baseline.json", "--as-of", AS_OF, "--format", "json"]
    )
    assert result.exit_code == 1
    assert rows(result) == [
        ("FW-001", "firewalls/fw-core-1", "pass"),
        ("FW-001", "firewalls/fw-dmz-1", "fail"),
        ("FW-001", "firewalls/fw-edge-1", "fail"),
    ]
    assert [f.get("baselined", False) for f in json.loads(result.stdout)["findings"]] == [
        False,
        True,
        False,
    ]


def test_the_evidence_rules_failures_are_recorded_with_evidence(tmp_path: Path) -> None:
    """`baseline --evidence`, as `check --evidence` reads it: the option was missing, so a
    baseline could not hold the evidence rules' failures, which every gate run with the scans
    then reported as new."""
    lab = REPO / "examples" / "lab-group"
    base = tmp_path / "b.json"
    args = [str(lab), "--as-of", "2026-11-28", "--no-config", "--evidence", str(lab / "evidence")]
    assert run_cli(["baseline", *args, "-o", str(base)]).exit_code == 0
    keys = json.loads(base.read_text())["findings"]
    ftp = ("EVD-001", "evidence_ports/resultats.biolab-rhone.example:21/tcp@external")
    assert ftp in [(k["rule"], k["target"]) for k in keys]
    result = run_cli(["check", *args, "--baseline", str(base), "--format", "json"])
    assert result.exit_code == 0, result.stdout[-500:]
    assert not [
        f
        for f in json.loads(result.stdout)["findings"]
        if f["status"] == "fail" and not f.get("baselined")
    ]


def test_writing_is_atomic(tree: Tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree({".hdsguard.yaml": STRICT, "decl/fw.yaml": FIREWALLS, "base.json": "previous\n"})

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    result = run_cli(["baseline", "--as-of", AS_OF, "--output", "base.json"])
    assert result.exit_code != 0
    assert (tmp_path / "base.json").read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".hdsguard.yaml", "base.json", "decl"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            '{"version": 1, "findings": [\n',
            "base.json:2:1: not a valid baseline: the file ends before every object and list is "
            "closed: add the missing closing brace or bracket",
            id="truncated-json",
        ),
        pytest.param(
            json.dumps({**EXPECTED_BASELINE, "version": 2}),
            "base.json:1:13: baseline format version 2 is newer than this hdsguard understands "
            "(version 1): upgrade hdsguard rather than risk misreading the file",
            id="future-version",
        ),
        pytest.param(
            json.dumps({**EXPECTED_BASELINE, "findings": [{"rule": "FW-001"}]}),
            "base.json:1:116: findings[0]: required field 'target' is missing; add `target:` "
            "with a text",
            id="missing-target",
        ),
        pytest.param("[]", "base.json:1:1: a baseline file is a mapping of keys", id="a-list"),
    ],
)
def test_an_invalid_baseline_is_an_input_error(tree: Tree, content: str, expected: str) -> None:
    tree({".hdsguard.yaml": STRICT, "decl/fw.yaml": FIREWALLS, "base.json": content})
    result = run_cli(["check", "--baseline", "base.json", "--as-of", AS_OF])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [expected]


def test_an_unreadable_baseline_is_an_input_error(tree: Tree) -> None:
    tree({".hdsguard.yaml": STRICT, "decl/fw.yaml": FIREWALLS})
    result = run_cli(["check", "--baseline", "missing.json", "--as-of", AS_OF])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "missing.json: no such baseline file: write it with `hdsguard baseline` (it records the "
        "findings failing today; `--output` names the file), or stop naming it (`--baseline`, "
        "`baseline:` in the config)"
    )


def test_a_baseline_named_by_the_config_before_it_was_written(tree: Tree) -> None:
    # The config names the baseline; `check` says how to write it, and `hdsguard baseline`
    # writes it there.
    tree({".hdsguard.yaml": STRICT + "baseline: base.json\n", "decl/fw.yaml": FIREWALLS})
    result = run_cli(["check", "--as-of", AS_OF, "--lang", "fr"])
    assert result.exit_code == 2
    assert result.stderr.startswith("base.json: pas de fichier de référence : ")
    assert run_cli(["baseline", "--as-of", AS_OF]).exit_code == 0
    assert run_cli(["check", "--as-of", AS_OF]).exit_code == 0


def test_baselined_findings_never_fail_the_gate() -> None:
    def finding(status: Status, baselined: bool) -> Finding:
        return Finding(
            rule="FW-001",
            status=status,
            severity=Severity.HIGH,
            target="firewalls/x",
            file=None,
            line=None,
            column=None,
            message="",
            remediation="",
            references=(),
            baselined=baselined,
        )

    report = Report("0", AS_OF, (finding(Status.FAIL, True), finding(Status.ERROR, True)))
    assert report.failing(Severity.INFO) == []
    assert report.exit_code(Severity.INFO) == 0
    assert Report("0", AS_OF, (finding(Status.FAIL, False),)).exit_code(Severity.HIGH) == 1


def test_the_french_summary_of_new_and_baselined_failures(tree: Tree, tmp_path: Path) -> None:
    # French puts a space before ':' and ';' ("2 nouveaux : 2 élevées ; 1 déjà connu"), in the
    # text summary and in the Markdown heading alike.
    tree({".hdsguard.yaml": STRICT + "baseline: base.json\n", "decl/fw.yaml": MOVED})
    (tmp_path / "base.json").write_text(
        # Keyed by rule and target alone (a baseline written before messages were recorded):
        # the English messages of EXPECTED_BASELINE are not compared in a French run.
        json.dumps(
            {
                **{k: v for k, v in EXPECTED_BASELINE.items() if k != "lang"},
                "findings": [{"rule": "FW-001", "target": "firewalls/fw-edge-1"}],
            }
        )
    )
    text = run_cli(["check", "--as-of", AS_OF, "--lang", "fr"]).stdout
    assert "(2 nouveaux : 2 élevées ; 1 déjà connu)" in text
    markdown = run_cli(["check", "--as-of", AS_OF, "--lang", "fr", "--format", "markdown"])
    assert markdown.stdout.startswith("### hdsguard : 3 non conformes (2 nouveaux : 2 élevées ; 1")
    english = run_cli(["check", "--as-of", AS_OF, "--format", "markdown"]).stdout
    assert english.startswith("### hdsguard: 3 fail (2 new: 2 high; 1 baselined)")
