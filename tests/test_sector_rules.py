"""The sector rules (crisis exercise, NIS2, GDPR, detection, AD…) on a real declaration set.

The inline cases of each policy test it on a few lines of YAML; these tests take the hospital
example, which passes every rule, and break one piece of evidence at a time — a date moved
after the evaluation date, a field removed, a weakness declared — to show that the rule reads
that very field in a complete set, and that nothing else hides the change.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.helpers import AS_OF, REPO, findings_of, run_cli

HOSPITAL = REPO / "examples" / "hospital"


def run_after(tmp_path: Path, file: str, old: str, new: str) -> Result:
    """Copy the hospital, replace ``old`` by ``new`` in ``file``, check it (JSON report)."""
    root = tmp_path / "hospital"
    shutil.copytree(HOSPITAL, root)
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {file}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return run_cli(["check", str(root), "--as-of", AS_OF, "--format", "json"])


def finding_of(result: Result, rule: str, target: str) -> dict[str, Any]:
    assert result.exit_code in (0, 1), result.stderr
    found = [f for f in findings_of(result) if f["rule"] == rule and f["target"] == target]
    assert len(found) == 1, found
    finding: dict[str, Any] = found[0]
    return finding


def status_after(
    tmp_path: Path, file: str, old: str, new: str, rule: str, target: str
) -> dict[str, Any]:
    """The finding of ``rule`` on ``target`` once ``old`` is replaced by ``new``."""
    return finding_of(run_after(tmp_path, file, old, new), rule, target)


# (rule, target, file, old text, new text, expected words in the message)
FUTURE_DATES = [
    ("GOV-007", "organisation", "organisation.yaml", "date: 2026-03-19", "date: 2027-03-19"),
    (
        "GOV-008",
        "organisation",
        "organisation.yaml",
        "registered: 2025-10-06",
        "registered: 2026-11-29",
    ),
    (
        "GOV-009",
        "organisation",
        "organisation.yaml",
        "record_of_processing: 2026-09-30",
        "record_of_processing: 2027-09-30",
    ),
    ("GOV-010", "systems/pacs", "systems.yaml", "dpia: 2025-06-20", "dpia: 2027-06-20"),
    ("DET-001", "detection", "organisation.yaml", "measured: 2026-11-23", "measured: 2026-12-23"),
    (
        "BIO-001",
        "biomedical",
        "organisation.yaml",
        "inventory_updated: 2026-10-05",
        "inventory_updated: 2027-10-05",
    ),
]


@pytest.mark.parametrize(("rule", "target", "file", "old", "new"), FUTURE_DATES)
def test_a_date_after_the_evaluation_date_is_never_a_pass(
    tmp_path: Path, rule: str, target: str, file: str, old: str, new: str
) -> None:
    # The run refuses implausible evidence before any rule runs (declarations/plausible.py):
    # exit 2, located at the date. The rules' own future-date checks (their inline cases)
    # keep the engine honest when it is called without that guard.
    result = run_after(tmp_path, file, old, new)
    date = new.split(": ")[1]
    assert result.exit_code == 2, result.stdout
    assert f"{date} is after the evaluation date {AS_OF}" in result.stderr, result.stderr
    assert f"hospital/{file}:" in result.stderr, result.stderr


@pytest.mark.parametrize(("rule", "target", "file", "old", "new"), FUTURE_DATES)
def test_the_same_date_in_the_past_passes(
    tmp_path: Path, rule: str, target: str, file: str, old: str, new: str
) -> None:
    # The control of the test above: only the date moved, the rest of the set passes.
    finding = status_after(tmp_path, file, old, old, rule, target)
    assert finding["status"] == "pass"


WEAKNESSES = [
    # The DPO of a public hospital is mandatory: without a contact address GOV-009 fails.
    (
        "GOV-009",
        "organisation",
        "organisation.yaml",
        "    email: dpo@ch-valmont.example\n",
        "",
        "its contact address `dpo.email` is not declared",
    ),
    (
        "GOV-007",
        "organisation",
        "organisation.yaml",
        "    measured_restore_hours: 14\n",
        "",
        "`crisis_exercise.measured_restore_hours` is not declared",
    ),
    (
        "GOV-008",
        "organisation",
        "organisation.yaml",
        "    early_warning_hours: 24\n",
        "    early_warning_hours: 48\n",
        "within 48 hours; NIS2 art. 23(4)(a) allows 24",
    ),
    (
        "GOV-010",
        "systems/dpi",
        "systems.yaml",
        "    health_data: true\n    dpia: 2024-05-14\n    ins: {exchanged: true, qualified: true}\n"
        "    criticality: critical\n",
        "    health_data: true\n    dpia: 2020-01-10\n    ins: {exchanged: true, qualified: true}\n"
        "    criticality: critical\n",
        "DPIA dated 2020-01-10",
    ),
    (
        "IAM-007",
        "identity",
        "organisation.yaml",
        "local_admin_passwords: laps",
        "local_admin_passwords: unmanaged",
        "not managed",
    ),
    (
        "DET-001",
        "detection",
        "organisation.yaml",
        "alert_handling: round_the_clock",
        "alert_handling: none",
        "handled by nobody",
    ),
    (
        "IAM-008",
        "services/pacs-viewer-https",
        "network.yaml",
        "professional_authentication: pro_sante_connect",
        "professional_authentication: password",
        "with password; accepted: pro_sante_connect, e_cps, cps",
    ),
    (
        "IAM-009",
        "systems/pacs",
        "systems.yaml",
        "    dpia: 2025-06-20\n    ins: {exchanged: true, qualified: true}\n",
        "    dpia: 2025-06-20\n    ins: {exchanged: true, qualified: false}\n",
        "without a qualified INS",
    ),
    (
        "MSG-001",
        "messaging",
        "organisation.yaml",
        "{name: ehpad-tilleuls.example, dmarc: reject}",
        "{name: ehpad-tilleuls.example}",
        "DMARC does not protect ehpad-tilleuls.example (no DMARC record)",
    ),
    (
        "BIO-001",
        "biomedical",
        "organisation.yaml",
        "  segmented: true\n",
        "  segmented: false\n",
        "(`segmented: false`)",
    ),
]


@pytest.mark.parametrize(("rule", "target", "file", "old", "new", "words"), WEAKNESSES)
def test_a_declared_weakness_fails_in_a_complete_set(
    tmp_path: Path, rule: str, target: str, file: str, old: str, new: str, words: str
) -> None:
    finding = status_after(tmp_path, file, old, new, rule, target)
    assert finding["status"] == "fail"
    assert words in finding["message"]


def test_nis2_not_concerned_is_refused_for_a_hospital(tmp_path: Path) -> None:
    # A hospital cannot be outside NIS2 (GOV-008's kinds_in_scope): neither a pass nor "not
    # applicable"; a smaller kind's `not_concerned` is (tests/test_earned_passes.py).
    finding = status_after(
        tmp_path,
        "organisation.yaml",
        "category: essential",
        "category: not_concerned",
        "GOV-008",
        "organisation",
    )
    assert finding["status"] == "fail"
    assert "but it is a hospital (`kind: hospital`)" in finding["message"]


def test_a_new_external_portal_must_say_who_uses_it(tmp_path: Path) -> None:
    # Removing the audience of the imaging viewer is missing evidence, not a pass: IAM-008's
    # only field is outside the declaration contract (missing_evidence: warn), but the
    # hospital declares `audience` on its other services, so the vocabulary is in use and the
    # viewer that leaves it out fails (judged across the set, docs/policy-format.md).
    finding = status_after(
        tmp_path,
        "network.yaml",
        "    audience: [health_professionals]\n",
        "",
        "IAM-008",
        "services/pacs-viewer-https",
    )
    assert finding["status"] == "fail"
    assert "evidence missing: `audience` is not declared" in finding["message"]


def test_biomedical_false_is_implausible_for_a_hospital(tmp_path: Path) -> None:
    # A hospital runs networked biomedical devices: `connected_devices: false` is not a
    # reason for "not applicable" there (BIO-001's kinds_with_devices).
    finding = status_after(
        tmp_path,
        "organisation.yaml",
        "  connected_devices: true\n",
        "  connected_devices: false\n",
        "BIO-001",
        "biomedical",
    )
    assert finding["status"] == "fail"
    assert "implausible for its kind (`organisation.kind: hospital`)" in finding["message"]


def test_biomedical_not_applicable_only_when_declared_so(tmp_path: Path) -> None:
    root = tmp_path / "hospital"
    shutil.copytree(HOSPITAL, root)
    path = root / "organisation.yaml"
    text = path.read_text(encoding="utf-8").replace("kind: hospital", "kind: medico_social")
    path.write_text(text.replace("  connected_devices: true\n", "  connected_devices: false\n"))
    result = run_cli(["check", str(root), "--as-of", AS_OF, "--format", "json"])
    assert finding_of(result, "BIO-001", "biomedical")["status"] == "not_applicable"


@pytest.mark.parametrize(
    ("category", "words"), [("essential", "essentielle"), ("important", "importante")]
)
def test_the_french_nis2_pass_names_the_category_in_french(
    tmp_path: Path, category: str, words: str
) -> None:
    # The French pass message once read "entité essential enregistrée", the enum untranslated.
    root = tmp_path / "hospital"
    shutil.copytree(HOSPITAL, root)
    path = root / "organisation.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("category: essential", f"category: {category}"),
        encoding="utf-8",
    )
    result = run_cli(["check", str(root), "--as-of", AS_OF, "--format", "json", "--lang", "fr"])
    finding = finding_of(result, "GOV-008", "organisation")
    assert finding["status"] == "pass"
    assert finding["message"].startswith(f"entité {words} enregistrée le ")


def test_the_french_portal_pass_names_its_users_in_french() -> None:
    # It once read "utilisé par patients": the audience's enum values, untranslated.
    result = run_cli(["check", str(HOSPITAL), "--as-of", AS_OF, "--format", "json", "--lang", "fr"])
    finding = finding_of(result, "IAM-008", "services/portail-patient-https")
    assert finding["status"] == "pass"
    assert finding["message"] == (
        "utilisé par les patients, pas par des professionnels de santé extérieurs"
    )
