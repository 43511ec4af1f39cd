"""Text output: new failures first (critical first, then rule), severity counts, one shared
fix per rule, wrapping only on request, and ``--new-only`` in every format.

Regenerate the golden files after an intended change with ``pytest --update-goldens`` (or
``HDSGUARD_UPDATE_GOLDENS=1``) and review ``git diff tests/golden``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hdsguard.findings import Status
from hdsguard.formatters import FORMATS, RenderOptions
from hdsguard.formatters.text import render
from tests.config_support import AS_OF, CONFIG, FIREWALLS, Tree
from tests.format_samples import empty_report, finding, sample_report
from tests.helpers import run_cli


def test_golden(golden: Any) -> None:
    golden("sample.txt", render(sample_report(), RenderOptions()))


def test_golden_wrapped(golden: Any) -> None:
    golden("sample.wrapped.txt", render(sample_report(), RenderOptions(width=50)))


def test_order_is_new_failures_by_severity_then_the_rest() -> None:
    heads = [
        line for line in render(sample_report(), RenderOptions()).splitlines() if line[:1].isupper()
    ]
    assert heads == [
        "FAIL SMP-002 [critical] MFA for administrators",
        "FAIL SMP-001 [high] Firewall patched recently",
        "FAIL SMP-004 [low] Vendor audited",
        "ERROR SMP-005 [info] Firmware recorded",
        "WARN SMP-003 [medium] Certificate not expiring soon",
        "WAIVED SMP-001 [high] Firewall patched recently",
        "FAIL SMP-001 [high] Firewall patched recently",  # the baselined one, after
    ]


def test_summary_counts_severities_and_new_failures() -> None:
    last = render(sample_report(), RenderOptions()).splitlines()[-1]
    assert last == (
        "hdsguard 2026-11-28: 2 pass, 4 fail (3 new: 1 critical, 1 high, 1 low; 1 baselined), "
        "1 warn, 1 waived, 1 not applicable, 1 error (use --verbose to list passes)"
    )
    assert render(empty_report(), RenderOptions()) == (
        "hdsguard 2026-11-28: 0 pass, 0 fail, 0 warn, 0 waived, 0 not applicable, 0 error "
        "(use --verbose to list passes)\n"
    )


def test_a_fix_shared_by_every_target_is_printed_once() -> None:
    base = sample_report()
    same = [
        finding("SMP-004", Status.FAIL, f"vendors/v{i}", ("v.yaml", i, 3), f"v{i} never audited")
        for i in (1, 2, 3)
    ]
    shared = [f._replace(remediation="Audit the vendor, then set `last_audit`.") for f in same]
    text = render(base.__class__("t", AS_OF, tuple(shared), base.rules), RenderOptions())
    assert text.splitlines()[:6] == [
        "FAIL SMP-004 [low] Vendor audited",
        "  v.yaml:1:3  vendors/v1",
        "    v1 never audited",
        "  v.yaml:2:3  vendors/v2",
        "    v2 never audited",
        "  v.yaml:3:3  vendors/v3",
    ]
    assert text.count("fix") == 1
    assert "  fix (each of the 3): Audit the vendor, then set `last_audit`." in text.splitlines()
    # fixes that differ only by the target's id: once, the id written <id>
    by_id = render(base.__class__("t", AS_OF, tuple(same), base.rules), RenderOptions())
    assert "  fix (each of the 3): Fix <id>." in by_id.splitlines()
    assert "    fix: " not in by_id
    # fixes that really differ stay one per target
    other = [same[0], same[1]._replace(remediation="Replace it."), same[2]]
    apart = render(base.__class__("t", AS_OF, tuple(other), base.rules), RenderOptions())
    assert apart.count("    fix: ") == 3 and "each of the" not in apart


def test_wrapping_keeps_words_whole_and_indents() -> None:
    lines = render(sample_report(), RenderOptions(width=50)).splitlines()
    assert max(len(line) for line in lines) <= 50
    assert "    waived until 2027-01-31 by RSSI: Replacement" in lines
    assert "      ordered; the DMZ firewall is isolated until" in lines


BASELINE_STRICT = CONFIG + "params:\n  FW-001: {max_patch_age_days: 60}\n"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_new_only_leaves_baselined_failures_out_of_every_format(
    tree: Tree, tmp_path: Path, fmt: str
) -> None:
    # fw-dmz-1 patched a week ago: fw-edge-1 alone fails, and is known. (A limit changed in
    # the config would be another reason for fw-edge-1 too: tests/test_baseline_reason.py.)
    recent = FIREWALLS.replace("last_patch: 2026-09-20", "last_patch: 2026-11-20")
    tree({".hdsguard.yaml": BASELINE_STRICT, "decl/fw.yaml": recent})
    assert run_cli(["baseline", "--as-of", AS_OF]).exit_code == 0
    tree({"decl/fw.yaml": FIREWALLS})  # fw-dmz-1 patched 69 days ago now fails too
    known = ["--baseline", ".hdsguard-baseline.json"]
    full = run_cli(["check", "--as-of", AS_OF, "--format", fmt, *known])
    short = run_cli(["check", "--as-of", AS_OF, "--format", fmt, *known, "--new-only"])
    assert full.exit_code == short.exit_code == 1
    assert "fw-dmz-1" in full.stdout and "fw-dmz-1" in short.stdout
    assert "fw-edge-1" in full.stdout
    assert "fw-edge-1" not in short.stdout, fmt
    if fmt == "json":
        assert json.loads(short.stdout)["notices"] == ["1 baselined failure not shown (--new-only)"]
    if fmt == "text":
        assert short.stdout == (
            "FAIL FW-001 [high] Firewall firmware patched recently\n"
            "  decl/fw.yaml:6:5  firewalls/fw-dmz-1\n"
            "    last patched 2026-09-20, 69 days before 2026-11-28; the limit is 60 days\n"
            "    fix: Apply the vendor's latest firmware or security patch to fw-dmz-1, then "
            "set `last_patch` to the date it was applied.\n"
            "  ref: ANSSI hygiene guide, measure 34 (define and apply an update policy; no "
            "deadline set); ISO/IEC 27001:2022 Annex A 8.8 (management of technical "
            "vulnerabilities)\n"
            "\n"
            "notice: 1 baselined failure not shown (--new-only)\n"
            "\n"
            "hdsguard 2026-11-28: 1 pass, 1 fail (1 high), 0 warn, 0 waived, 0 not applicable, "
            "0 error (use --verbose to list passes)\n"
        )
        assert full.stdout.splitlines()[-1] == (
            "hdsguard 2026-11-28: 1 pass, 2 fail (1 new: 1 high; 1 baselined), 0 warn, "
            "0 waived, 0 not applicable, 0 error (use --verbose to list passes)"
        )


def test_width_option_wraps_and_pipes_do_not(tree: Tree) -> None:
    tree({".hdsguard.yaml": CONFIG, "decl/fw.yaml": FIREWALLS})
    plain = run_cli(["check", "--as-of", AS_OF])
    narrow = run_cli(["check", "--as-of", AS_OF, "--width", "60"])
    assert max(len(line) for line in plain.stdout.splitlines()) > 60  # not a terminal: whole
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 60
    assert narrow.stdout.split() == plain.stdout.split()  # the same words, only wrapped
    bad = run_cli(["check", "--width", "10"])
    assert bad.exit_code == 2
