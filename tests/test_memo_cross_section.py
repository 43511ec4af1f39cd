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

from tests.helpers import run_cli, use_cache

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
        use_cache(mp, cache)
        args = ["check", *files, "--no-config"]
        result = run_cli([*args, "--as-of", "2026-11-28", "--format", "json"])
    return result.exit_code, result.stdout, result.stderr


def status(report: tuple[int, str, str], rule: str = "BIO-001") -> str:
    """The status of ``rule``'s one finding (the organisation's, for a rule on it and on
    other targets)."""
    found = [f for f in json.loads(report[1])["findings"] if f["rule"] == rule]
    if len(found) > 1:
        found = [f for f in found if f["target"] == "organisation"]
    [finding] = found
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


@pytest.mark.parametrize(
    ("rule", "kind", "kept", "edited", "states"),
    [
        # FW-005 targets the organisation but reads the services and the firewalls.
        (
            "FW-005",
            "clinic",
            {"services.yaml": "services: [{id: portal, exposure: internet, protocol: https}]\n"},
            ("firewalls.yaml", "firewalls: [{{id: fw-edge, internet_facing: {}}}]\n"),
            [("false", "fail"), ("true", "pass"), ("false", "fail")],
        ),
        # GOV-011 targets the organisation but counts the systems.
        (
            "GOV-011",
            "hospital",
            {"vendors.yaml": "vendors: []\n"},
            ("systems.yaml", "systems: [{{id: dpi, name: DPI, health_data: {}}}]\n"),
            [("false", "fail"), ("true", "pass"), ("false", "fail")],
        ),
        # EXP-006 reads whether the services section is declared, even with no object: a
        # file declaring `services: []` declares no object, yet its edit changes the verdict.
        (
            "EXP-006",
            "hospital, last_exposure_scan: 2026-11-20",
            {},
            ("inventory.yaml", "{}: []\n"),
            [("services", "pass"), ("firewalls", "fail"), ("services", "pass")],
        ),
        # ... and how many services it holds (its pass message says when there are none),
        # a counted read: the key holds the number, not the files.
        (
            "EXP-006",
            "hospital, last_exposure_scan: 2026-11-20",
            {},
            ("inventory.yaml", "services: {}\n"),
            [
                ("[]", "pass"),
                ("[{id: web, exposure: internal, protocol: https, port: 443}]", "pass"),
                ("[]", "pass"),
            ],
        ),
        # GOV-011 reads whether the vendors section is declared, likewise.
        (
            "GOV-011",
            "clinic",
            {"systems.yaml": "systems: [{id: dpi, name: DPI, health_data: true}]\n"},
            ("inventory.yaml", "{}: []\n"),
            [("vendors", "pass"), ("certificates", "fail"), ("vendors", "pass")],
        ),
        # And whether the certificates section is declared, once an Internet service speaks
        # TLS (found by HB, session 17).
        (
            "GOV-011",
            "clinic",
            {
                "systems.yaml": "systems: [{id: dpi, name: DPI, health_data: true}]\n"
                "vendors: []\n"
                "services: [{id: portal, system: dpi, exposure: internet, protocol: https}]\n"
            },
            ("inventory.yaml", "{}: []\n"),
            [("certificates", "pass"), ("firewalls", "fail"), ("certificates", "pass")],
        ),
    ],
)
def test_an_organisation_rule_follows_the_section_it_reads_on_a_warm_run(
    tmp_path: Path,
    rule: str,
    kind: str,
    kept: dict[str, str],
    edited: tuple[str, str],
    states: list[tuple[str, str]],
) -> None:
    """Only the edited file changes, never the organisation's: a warm run must still give the
    new verdict, byte for byte the cold and cache-less reports."""
    root = tmp_path / "decl"
    root.mkdir()
    (root / "organisation.yaml").write_text(ORGANISATION % kind, encoding="utf-8")
    for name, text in kept.items():
        (root / name).write_text(text, encoding="utf-8")
    name, template = edited
    files = ("organisation.yaml", *kept, name)
    cache = tmp_path / "kept-cache"
    for n, (value, verdict) in enumerate(states):
        (root / name).write_text(template.format(value), encoding="utf-8")
        expected = hdsguard(root, None, files)
        assert status(expected, rule) == verdict, value
        cold = hdsguard(root, tmp_path / f"cold-{n}", files)
        first = hdsguard(root, cache, files)
        warm = hdsguard(root, cache, files)
        for label, got in (("cold", cold), ("after the edit", first), ("warm", warm)):
            assert got == expected, f"{rule} with {value}: {label} run differs"


def test_an_edited_services_file_leaves_the_other_services_files_entries_alone(
    tmp_path: Path,
) -> None:
    """EXP-006 asks the organisation whether a services inventory exists (a counted read of
    the services): a comment added to one services file must not make the findings of the
    services of every other file evaluated and written again (at 10k objects: 0.36 s to
    1.14 s for the pre-commit hook's usual case), and the count still follows the files."""
    root = tmp_path / "decl"
    root.mkdir()
    (root / "organisation.yaml").write_text(
        ORGANISATION % "hospital, last_exposure_scan: 2026-11-20", encoding="utf-8"
    )
    service = "services: [{id: %s, exposure: internet, protocol: https, port: 443}]\n"
    (root / "a.yaml").write_text(service % "a", encoding="utf-8")
    (root / "b.yaml").write_text(service % "b", encoding="utf-8")
    files = ("organisation.yaml", "a.yaml", "b.yaml")
    cache = tmp_path / "cache"
    hdsguard(root, cache, files)
    before = {p.name: p.read_bytes() for p in (cache / "findings").iterdir()}
    (root / "b.yaml").write_text("# edited\n" + service % "b", encoding="utf-8")
    edited = hdsguard(root, cache, files)
    after = {p.name: p.read_bytes() for p in (cache / "findings").iterdir()}
    written = {name for name, blob in after.items() if before.get(name) != blob}
    # b.yaml's entry, the whole set's (keyed on every file) and the organisation's (FW-005
    # and IAM-001 read every service); a.yaml's holds: before, its service's EXP-006 finding
    # was evaluated and written again (4 entries).
    assert len(written) == 3
    assert edited == hdsguard(root, None, files)
