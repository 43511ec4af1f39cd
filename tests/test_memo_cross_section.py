"""A rule on one section that reads another (BIO-001 reads the organisation's kind through
``organisation_kind()``, FW-005 the services and firewalls) follows that other section's file
through the caches.

The findings memo keys a rule's findings on the files declaring the sections its helpers read
(``celenv.SECTIONS_READ``). Here the biomedical section and the organisation sit in two files
and only the organisation's file changes: a warm run must give the new verdict, byte for byte
the report of a cold run and of a run without cache.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run_cli

ORGANISATION = "organisation: {name: CH de Vienne, kind: %s}\n"
BIOMEDICAL = "biomedical: {connected_devices: false}\n"


def hdsguard(
    root: Path,
    cache: Path | None,
    files: tuple[str, ...] = ("organisation.yaml", "biomedical.yaml"),
) -> tuple[int, str, str]:
    """One JSON check of ``root``'s ``files``, with ``cache`` (None: no cache at all)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        if cache is None:
            mp.setenv("HDSGUARD_NO_CACHE", "1")
        else:
            mp.delenv("HDSGUARD_NO_CACHE", raising=False)
            mp.setenv("HDSGUARD_CACHE_DIR", str(cache))
        args = ["check", *files, "--no-config"]
        result = run_cli([*args, "--as-of", "2026-11-28", "--format", "json"])
    return result.exit_code, result.stdout, result.stderr


def status(report: tuple[int, str, str], rule: str = "BIO-001") -> str:
    [finding] = [f for f in json.loads(report[1])["findings"] if f["rule"] == rule]
    return str(finding["status"])


def test_a_changed_kind_changes_bio_001_on_a_warm_run(tmp_path: Path) -> None:
    root = tmp_path / "decl"
    root.mkdir()
    (root / "organisation.yaml").write_text(ORGANISATION % "medico_social", encoding="utf-8")
    (root / "biomedical.yaml").write_text(BIOMEDICAL, encoding="utf-8")
    kept = tmp_path / "kept-cache"  # across every state, so each run meets the one before
    expected_statuses = [("medico_social", "not_applicable"), ("hospital", "fail"),
                         ("medico_social", "not_applicable")]  # fmt: skip
    for n, (kind, verdict) in enumerate(expected_statuses):
        # Only the organisation's file changes; the biomedical file keeps its bytes.
        (root / "organisation.yaml").write_text(ORGANISATION % kind, encoding="utf-8")
        expected = hdsguard(root, None)
        assert status(expected) == verdict, kind
        cold = hdsguard(root, tmp_path / f"cold-{n}")
        first = hdsguard(root, kept)  # the memo holds the previous kind's findings
        warm = hdsguard(root, kept)  # the memo holds this kind's findings
        for label, got in (("cold", cold), ("after the edit", first), ("warm", warm)):
            assert got == expected, f"{kind}: {label} run differs"


def test_a_firewall_edited_in_its_own_file_changes_fw_005_on_a_warm_run(tmp_path: Path) -> None:
    """FW-005 targets the organisation but reads the services, systems and firewalls: only the
    firewalls' file changes here."""
    root = tmp_path / "decl"
    root.mkdir()
    (root / "organisation.yaml").write_text(ORGANISATION % "clinic", encoding="utf-8")
    (root / "services.yaml").write_text(
        "services: [{id: portal, exposure: internet, protocol: https}]\n", encoding="utf-8"
    )
    files = ("organisation.yaml", "services.yaml", "firewalls.yaml")
    kept = tmp_path / "kept-cache"
    for n, (facing, verdict) in enumerate([("false", "fail"), ("true", "pass"), ("false", "fail")]):
        firewall = f"firewalls: [{{id: fw-edge, internet_facing: {facing}}}]\n"
        (root / "firewalls.yaml").write_text(firewall, encoding="utf-8")
        expected = hdsguard(root, None, files)
        assert status(expected, "FW-005") == verdict, facing
        cold = hdsguard(root, tmp_path / f"cold-{n}", files)
        first = hdsguard(root, kept, files)
        warm = hdsguard(root, kept, files)
        for label, got in (("cold", cold), ("after the edit", first), ("warm", warm)):
            assert got == expected, f"internet_facing {facing}: {label} run differs"


def test_a_system_edited_in_its_own_file_changes_gov_011_on_a_warm_run(tmp_path: Path) -> None:
    """GOV-011 targets the organisation but counts the systems: only their file changes."""
    root = tmp_path / "decl"
    root.mkdir()
    (root / "organisation.yaml").write_text(ORGANISATION % "hospital", encoding="utf-8")
    files = ("organisation.yaml", "systems.yaml")
    kept = tmp_path / "kept-cache"
    for n, (health, verdict) in enumerate([("false", "fail"), ("true", "pass"), ("false", "fail")]):
        system = f"systems: [{{id: dpi, name: DPI, health_data: {health}}}]\n"
        (root / "systems.yaml").write_text(system, encoding="utf-8")
        expected = hdsguard(root, None, files)
        assert status(expected, "GOV-011") == verdict, health
        cold = hdsguard(root, tmp_path / f"cold-{n}", files)
        first = hdsguard(root, kept, files)
        warm = hdsguard(root, kept, files)
        for label, got in (("cold", cold), ("after the edit", first), ("warm", warm)):
            assert got == expected, f"health_data {health}: {label} run differs"
