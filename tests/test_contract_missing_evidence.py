"""The rules hdsguard adds to the contract's catalogue, on fields the contract does not name,
and FW-004, whose `rules` the contract marks optional (``missing_evidence: warn``), warn on a
target that declares none of their fields: an
organisation that declares everything the contract names passes the gate (exit 0), with those
rules listed as warnings, never as passes. One of their fields declared, the rest is required
as in any rule; the contract's own rules still fail on missing evidence."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.helpers import REPO, run_cli

AS_OF = "2026-11-28"
CLEAN = REPO / "tests" / "data" / "contract" / "clean-clinic.yaml"
OUTSIDE_THE_CONTRACT = {
    "BIO-001",
    "DET-001",
    "GOV-007",
    "GOV-008",
    "GOV-009",
    "GOV-010",
    "IAM-007",
    "IAM-008",
    "IAM-009",
    "MSG-001",
}


def _check(path: Path) -> tuple[int, dict[str, object]]:
    result = run_cli(["check", str(path), "--no-config", "--as-of", AS_OF, "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


def _statuses(report: dict[str, object]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for finding in report["findings"]:  # type: ignore[attr-defined]
        out.setdefault(finding["status"], set()).add(finding["rule"])
    return out


def test_an_organisation_declaring_all_the_contract_names_passes_the_gate() -> None:
    code, report = _check(CLEAN)
    statuses = _statuses(report)
    assert code == 0
    assert "fail" not in statuses and "error" not in statuses
    assert statuses["warn"] == OUTSIDE_THE_CONTRACT
    assert not statuses["pass"] & OUTSIDE_THE_CONTRACT  # a warning, never a pass


def _without(tmp_path: Path, field: str) -> Path:
    """The clean clinic, its firewall without ``field``."""
    data = yaml.safe_load(CLEAN.read_text(encoding="utf-8"))
    del data["firewalls"][0][field]
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_a_firewall_without_rules_warns(tmp_path: Path) -> None:
    code, report = _check(_without(tmp_path, "rules"))
    fw_004 = next(f for f in report["findings"] if f["rule"] == "FW-004")  # type: ignore[attr-defined]
    assert (code, fw_004["status"]) == (0, "warn")
    assert "`rules` is not declared" in fw_004["message"]


def test_the_rules_that_warn_are_the_ones_that_say_so() -> None:
    says = {
        path.stem: yaml.safe_load(path.read_text(encoding="utf-8")).get("missing_evidence")
        for path in (REPO / "policies").glob("*.yaml")
    }
    assert {rule for rule, value in says.items() if value == "warn"} == OUTSIDE_THE_CONTRACT
    # An optional field of the contract: each firewall without it warns.
    assert {rule for rule, value in says.items() if value == "warn_each"} == {"FW-004"}


def _with(tmp_path: Path, section: str, extra: dict[str, object]) -> Path:
    data = yaml.safe_load(CLEAN.read_text(encoding="utf-8"))
    data.setdefault(section, {}).update(extra)
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_one_field_declared_makes_the_rest_required(tmp_path: Path) -> None:
    code, report = _check(_with(tmp_path, "organisation", {"nis2": {"category": "important"}}))
    gov_008 = next(f for f in report["findings"] if f["rule"] == "GOV-008")  # type: ignore[attr-defined]
    assert (code, gov_008["status"]) == (1, "fail")
    assert "`nis2.registered`" in gov_008["message"]


def test_a_declared_weakness_fails(tmp_path: Path) -> None:
    weak = {"connected_devices": True, "inventory_updated": "2026-01-10", "segmented": False}
    code, report = _check(_with(tmp_path, "biomedical", weak))
    bio = next(f for f in report["findings"] if f["rule"] == "BIO-001")  # type: ignore[attr-defined]
    assert (code, bio["status"]) == (1, "fail")


def test_a_contract_rule_still_fails_on_missing_evidence(tmp_path: Path) -> None:
    code, report = _check(_without(tmp_path, "last_patch"))
    fw_001 = next(f for f in report["findings"] if f["rule"] == "FW-001")  # type: ignore[attr-defined]
    assert (code, fw_001["status"]) == (1, "fail")
    assert "evidence missing" in fw_001["message"]


def test_an_undeclared_vulnerability_inventory_is_told_to_declare_it(tmp_path: Path) -> None:
    """PAT-002 and PAT-003 fail a service that declares no `vulnerabilities` as missing
    evidence, but their fix said "Patch vpn now, or take it off the Internet": an action
    nobody can take without knowing what is open (found with a skeleton of `hdsguard init`).
    The fix says to declare the inventory; once declared, it says to patch."""
    decl = tmp_path / "d.yaml"
    decl.write_text(
        "services:\n"
        "  - {id: vpn, host: vpn.example, port: 1194, protocol: openvpn, exposure: internet}\n"
    )
    _code, report = _check(decl)
    fixes = {
        f["rule"]: f["remediation"]
        for f in report["findings"]  # type: ignore[attr-defined]
        if f["rule"] in ("PAT-002", "PAT-003")
    }
    assert fixes.keys() == {"PAT-002", "PAT-003"}
    for rule, fix in fixes.items():
        assert fix.startswith("Declare the vulnerabilities open on vpn in `vulnerabilities`"), (
            rule,
            fix,
        )
    decl.write_text(decl.read_text().replace("exposure: internet}", "exposure: internet, "
        "vulnerabilities: [{cve: CVE-2024-3400, cvss: 10, published: 2024-04-12, kev: true, "
        "kev_added: 2024-04-12}]}"))  # fmt: skip
    _code, report = _check(decl)
    fixes = {
        f["rule"]: f["remediation"]
        for f in report["findings"]  # type: ignore[attr-defined]
        if f["rule"] in ("PAT-002", "PAT-003") and f["status"] == "fail"
    }
    assert fixes["PAT-003"].startswith("Patch vpn now"), fixes
    assert fixes["PAT-002"].startswith("Apply the vendor's fix"), fixes
