"""A baseline accepts a finding for what it said: the same rule and target failing for another
reason is new (found by HB: it stayed hidden, a green that lied)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from click.testing import Result

from hdsguard.baseline import reason
from tests.config_support import AS_OF, CONFIG, EXP_CONFIG, EXPOSED, FIREWALLS, Tree
from tests.helpers import REPO, run_cli

DAY = datetime.date.fromisoformat(AS_OF)
STRICT = CONFIG + "params:\n  FW-001: {max_patch_age_days: 60}\n"
CHECK = ["check", "--baseline", ".hdsguard-baseline.json", "--format", "json"]

# An FTP service accepted as a known debt; then the same service exposes telnet.


def _report(result: Result) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def _baselined(result: Result) -> dict[str, bool]:
    findings = _report(result)["findings"]
    assert isinstance(findings, list)
    return {f["target"]: f.get("baselined", False) for f in findings if f["status"] == "fail"}


def test_the_baseline_records_what_each_finding_said(tree: Tree, tmp_path: Path) -> None:
    tree({".hdsguard.yaml": STRICT, "decl/fw.yaml": FIREWALLS})
    run_cli(["baseline", "--as-of", AS_OF])
    written = json.loads((tmp_path / ".hdsguard-baseline.json").read_text())
    assert written["lang"] == "en"
    edge = written["findings"][1]
    assert edge["target"] == "firewalls/fw-edge-1"
    assert "2025-06-02" in edge["message"]


def test_another_protocol_on_the_same_service_is_a_new_reason(tree: Tree, tmp_path: Path) -> None:
    tree({".hdsguard.yaml": EXP_CONFIG, "decl/s.yaml": EXPOSED})
    run_cli(["baseline", "--as-of", AS_OF])
    same = run_cli([*CHECK, "--as-of", AS_OF])
    assert same.exit_code == 0
    assert _baselined(same) == {"services/results": True}

    (tmp_path / "decl" / "s.yaml").write_text(
        EXPOSED.replace("port: 21, protocol: ftp", "port: 23, protocol: telnet")
    )
    now = run_cli([*CHECK, "--as-of", AS_OF])
    assert now.exit_code == 1
    assert _baselined(now) == {"services/results": False}
    notices = _report(now)["notices"]
    assert isinstance(notices, list)
    assert any(
        n.startswith(
            ".hdsguard-baseline.json: EXP-001 on services/results fails for another reason "
            "than the one the baseline of 2026-11-28 accepted, so it counts as new; it "
            "accepted: "
        )
        and "ftp" in n
        for n in notices
    ), notices


def test_deleting_the_evidence_of_a_baselined_finding_is_a_new_reason(
    tree: Tree, tmp_path: Path
) -> None:
    tree({".hdsguard.yaml": STRICT, "decl/fw.yaml": FIREWALLS})
    run_cli(["baseline", "--as-of", AS_OF])
    deleted = FIREWALLS.replace("    last_patch: 2025-06-02\n", "")
    (tmp_path / "decl" / "fw.yaml").write_text(deleted)
    now = run_cli([*CHECK, "--as-of", AS_OF])
    assert now.exit_code == 1
    assert _baselined(now) == {"firewalls/fw-edge-1": False, "firewalls/fw-dmz-1": True}


def test_the_days_passing_are_not_a_new_reason(tree: Tree, tmp_path: Path) -> None:
    tree({".hdsguard.yaml": STRICT, "decl/fw.yaml": FIREWALLS})
    run_cli(["baseline", "--as-of", AS_OF])
    later = run_cli([*CHECK, "--as-of", "2026-12-01"])
    assert later.exit_code == 0, later.stdout
    assert _baselined(later) == {"firewalls/fw-edge-1": True, "firewalls/fw-dmz-1": True}


def test_reason_leaves_out_the_date_and_the_durations_only() -> None:
    a = "HDS certificate X expired on 2026-09-30, 59 days before 2026-11-28"
    b = "HDS certificate X expired on 2026-09-30, 76 days before 2026-12-15"
    assert reason(a, DAY, "en") == reason(b, datetime.date(2026, 12, 15), "en")
    fr = "expiré le 30 septembre 2026, 59 jours avant le 28 novembre 2026"
    fr2 = "expiré le 30 septembre 2026, 1 jour avant le 29 novembre 2026"
    assert reason(fr, DAY, "fr") == reason(fr2, datetime.date(2026, 11, 29), "fr")
    # A port, a CVE, a declared date: the reason itself.
    assert reason("ftp on port 21", DAY, "en") != reason("ftp on port 2121", DAY, "en")
    assert reason("CVE-2024-1111 (CVSS 9.8)", DAY, "en") != reason(
        "CVE-2025-2222 (CVSS 9.8)", DAY, "en"
    )


def _without_reasons(path: Path) -> None:
    """The baseline at ``path`` as hdsguard wrote it before it recorded reasons."""
    data = json.loads(path.read_text())
    for entry in data["findings"]:
        del entry["reason"]
    path.write_text(json.dumps(data))


def test_a_baseline_without_reasons_in_another_language_hides_nothing(
    tree: Tree, tmp_path: Path
) -> None:
    tree({".hdsguard.yaml": STRICT, "decl/fw.yaml": FIREWALLS})
    run_cli(["baseline", "--as-of", AS_OF, "--lang", "fr"])
    _without_reasons(tmp_path / ".hdsguard-baseline.json")
    now = run_cli([*CHECK, "--as-of", AS_OF, "--lang", "en"])
    assert now.exit_code == 1
    assert _baselined(now) == {"firewalls/fw-edge-1": False, "firewalls/fw-dmz-1": False}
    notices = _report(now)["notices"]
    assert isinstance(notices, list)
    assert any("records its messages in fr, this run writes them in en" in n for n in notices)
    assert run_cli([*CHECK, "--as-of", AS_OF, "--lang", "fr"]).exit_code == 0


def test_a_baseline_without_messages_matches_as_before_and_says_so(
    tree: Tree, tmp_path: Path
) -> None:
    old = {
        "version": 1,
        "tool": {"name": "hdsguard", "version": "0.1.0"},
        "as_of": AS_OF,
        "findings": [
            {"rule": "FW-001", "target": "firewalls/fw-dmz-1"},
            {"rule": "FW-001", "target": "firewalls/fw-edge-1"},
        ],
    }
    tree(
        {
            ".hdsguard.yaml": STRICT,
            "decl/fw.yaml": FIREWALLS,
            ".hdsguard-baseline.json": json.dumps(old),
        }
    )
    now = run_cli([*CHECK, "--as-of", AS_OF])
    assert now.exit_code == 0
    notices = _report(now)["notices"]
    assert isinstance(notices, list)
    assert any("records no message for 2 findings" in n for n in notices), notices


# A vendor supplying the software of a system, whose contract sets patch deadlines (VND-008:
# at most 30 days for a critical vulnerability, 90 for a high one).
SLA = """
version: 1
systems:
  - {id: dpi, name: DPI}
vendors:
  - {id: valmed, name: Valmed Software, systems: [dpi],
     contract: {patch_sla: {critical_days: 60, high_days: 90}}}
"""
SLA_CONFIG = "version: 1\ndeclarations: [decl]\nrules:\n  enable: [VND-008]\n"


def test_the_baseline_records_each_findings_reason(tree: Tree, tmp_path: Path) -> None:
    tree({".hdsguard.yaml": STRICT, "decl/fw.yaml": FIREWALLS})
    run_cli(["baseline", "--as-of", AS_OF])
    edge = json.loads((tmp_path / ".hdsguard-baseline.json").read_text())["findings"][1]
    # FW-001's first check, its field, and what its message quotes but the patch's age and
    # the evaluation date: the declared date and the limit.
    assert edge["reason"] == '[["0","fail","last_patch",["2025-06-02",60]]]'
    assert edge["message"] == (
        "last patched 2025-06-02, 544 days before 2026-11-28; the limit is 60 days"
    )


def test_a_declared_duration_that_changes_is_a_new_reason(tree: Tree, tmp_path: Path) -> None:
    # The message-only comparison left out every "N days": an SLA going from 60 to 120 days
    # (further from the 30-day limit) stayed baselined.
    tree({".hdsguard.yaml": SLA_CONFIG, "decl/v.yaml": SLA})
    run_cli(["baseline", "--as-of", AS_OF])
    assert run_cli([*CHECK, "--as-of", AS_OF]).exit_code == 0
    (tmp_path / "decl" / "v.yaml").write_text(
        SLA.replace("critical_days: 60", "critical_days: 120")
    )
    now = run_cli([*CHECK, "--as-of", AS_OF])
    assert now.exit_code == 1
    assert _baselined(now) == {"vendors/valmed": False}
    notices = _report(now)["notices"]
    assert isinstance(notices, list)
    assert any(
        "VND-008 on vendors/valmed fails for another reason" in n
        and "it accepted: the contract with Valmed Software allows 60 days" in n
        for n in notices
    ), notices


def test_a_patch_a_week_older_is_the_same_reason(tree: Tree, tmp_path: Path) -> None:
    tree({".hdsguard.yaml": STRICT, "decl/fw.yaml": FIREWALLS})
    run_cli(["baseline", "--as-of", AS_OF])
    later = run_cli([*CHECK, "--as-of", "2026-12-05"])
    assert later.exit_code == 0, later.stdout
    assert _baselined(later) == {"firewalls/fw-edge-1": True, "firewalls/fw-dmz-1": True}
    assert _report(later).get("notices", []) == []


def test_a_run_in_french_matches_an_english_baseline(tree: Tree, tmp_path: Path) -> None:
    tree({".hdsguard.yaml": SLA_CONFIG, "decl/v.yaml": SLA, "decl/fw.yaml": FIREWALLS})
    run_cli(["baseline", "--as-of", AS_OF, "--lang", "en"])
    for lang in ("fr", "en"):
        now = run_cli([*CHECK, "--as-of", AS_OF, "--lang", lang])
        assert now.exit_code == 0, now.stdout
        assert _baselined(now) == {"vendors/valmed": True}
        assert _report(now).get("notices", []) == []
    # And the other way round, with what the French messages quote (a date, a country).
    run_cli(["baseline", "--as-of", AS_OF, "--lang", "fr"])
    assert run_cli([*CHECK, "--as-of", AS_OF, "--lang", "en"]).exit_code == 0


def test_a_reworded_message_is_the_same_reason(tree: Tree, tmp_path: Path) -> None:
    # A new hdsguard version that rewords a message: the baseline's message differs, not why.
    tree({".hdsguard.yaml": STRICT, "decl/fw.yaml": FIREWALLS})
    run_cli(["baseline", "--as-of", AS_OF])
    path = tmp_path / ".hdsguard-baseline.json"
    data = json.loads(path.read_text())
    for entry in data["findings"]:
        entry["message"] = "firmware patched long ago: " + entry["message"].upper()
    path.write_text(json.dumps(data))
    now = run_cli([*CHECK, "--as-of", AS_OF])
    assert now.exit_code == 0, now.stdout
    assert _baselined(now) == {"firewalls/fw-edge-1": True, "firewalls/fw-dmz-1": True}


def test_the_examples_give_the_same_reasons_in_both_languages() -> None:
    from hdsguard.api import CheckOptions, check

    for example in ("lab-group", "minimal", "hospital"):
        found = {}
        for lang in ("en", "fr"):
            options = CheckOptions(as_of=DAY, lang=lang, reasons=True)
            report = check([str(REPO / "examples" / example)], options)
            found[lang] = {(f.rule, f.target): f.reason for f in report.findings}
        assert found["en"] == found["fr"], example
        reasons = [r for r in found["en"].values() if r]
        assert all(json.loads(r) for r in reasons)


def test_a_limit_changed_in_the_config_is_a_new_reason(tree: Tree, tmp_path: Path) -> None:
    # What the message quotes from `params` is part of the reason: the risk was accepted
    # against a 90-day limit, not against the 60 days the organisation now sets.
    tree({".hdsguard.yaml": CONFIG, "decl/fw.yaml": FIREWALLS})
    run_cli(["baseline", "--as-of", AS_OF])
    tree({".hdsguard.yaml": STRICT})
    now = run_cli([*CHECK, "--as-of", AS_OF])
    assert now.exit_code == 1
    assert _baselined(now) == {"firewalls/fw-edge-1": False, "firewalls/fw-dmz-1": False}


PATCHED = """
version: 1
firewalls:
  - id: fw-1
    last_patch: 2026-11-01
    vulnerabilities_reviewed: 2026-11-20
    vulnerabilities:
      - {cve: CVE-2026-21762, cvss: 9.8, published: 2026-09-08}
"""


def test_another_cve_quoted_with_its_age_is_a_new_reason(tree: Tree, tmp_path: Path) -> None:
    # PAT-002 quotes the CVE in the placeholder that computes its age: left out with it, a
    # CVE replaced by another of the same score and age stayed baselined.
    config = "version: 1\ndeclarations: [decl]\nrules:\n  enable: [PAT-002]\n"
    tree({".hdsguard.yaml": config, "decl/fw.yaml": PATCHED})
    run_cli(["baseline", "--as-of", AS_OF])
    assert run_cli([*CHECK, "--as-of", "2026-12-05"]).exit_code == 0  # a week older: the same
    tree({"decl/fw.yaml": PATCHED.replace("CVE-2026-21762", "CVE-2026-11111")})
    now = run_cli([*CHECK, "--as-of", AS_OF])
    assert now.exit_code == 1
    assert _baselined(now) == {"firewalls/fw-1": False}
