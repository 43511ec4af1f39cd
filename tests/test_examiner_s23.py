"""The judgement calls the examiner of the twenty-second session left for the owner, decided
by the lead in the twenty-third (docs: each rule's description): each case here passed, or was
read otherwise, before its fix; the cases that pin a verdict found right say why."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO, check_declaration, only_finding

check = check_declaration
finding = only_finding


# ------------------------------------------------- HDS-003, an expired ISO 27001 certificate

PROVIDER = """
providers:
  - id: p1
    name: SantéCloud
    hds:
      certificate: HDS-2025-0193
      certifier: LNE
      valid_until: 2028-02-28
{iso}
"""


@pytest.mark.parametrize(
    ("valid_until", "status"),
    [
        # Passed: the field was informational. Expired the day after its last valid day, as
        # the HDS certificate (format.md: an end date is the last valid day, inclusive).
        ("2026-11-27", "warn"),
        ("2025-01-31", "warn"),
        ("2026-11-28", "pass"),
        ("2027-06-30", "pass"),
    ],
)
def test_hds003_warns_on_an_expired_iso27001_certificate(
    tmp_path: Path, valid_until: str, status: str
) -> None:
    iso = f"    iso27001: {{certificate: ISO-IS-7781, valid_until: {valid_until}}}"
    found = finding(check(tmp_path, PROVIDER.format(iso=iso)), "HDS-003", "providers/p1")
    assert found["status"] == status, found
    if status == "warn":
        assert found["line"] == 8 and found["column"] == 42, found
        assert found["message"].startswith(
            f"ISO 27001 certificate ISO-IS-7781 of SantéCloud expired on {valid_until}, "
        ), found["message"]


def test_hds003_the_iso27001_warning_is_french(tmp_path: Path) -> None:
    iso = "    iso27001:\n      valid_until: 2026-11-01"
    result = check(tmp_path, PROVIDER.format(iso=iso), "--lang", "fr")
    found = finding(result, "HDS-003", "providers/p1")
    assert found["status"] == "warn"
    assert (found["line"], found["column"]) == (9, 7), found
    assert found["message"].startswith(
        "le certificat ISO 27001 (numéro non déclaré) de SantéCloud a expiré le 1er novembre "
        "2026, 27 jours avant le 28 novembre 2026"
    ), found["message"]


@pytest.mark.parametrize("iso", ["", "    iso27001: {certificate: ISO-IS-7781}"])
def test_hds003_an_absent_iso27001_date_is_never_a_warning(tmp_path: Path, iso: str) -> None:
    # Pinned: an optional field absent is never a failure (HDS-006's standing decision), nor
    # a warning: the HDS certificate is the binding evidence.
    found = finding(check(tmp_path, PROVIDER.format(iso=iso)), "HDS-003", "providers/p1")
    assert found["status"] == "pass", found
    assert found["line"] == 4, found


# ------------------------------------- FW-004 and PAT-003 on the same absent internet_facing

BOTH = """
firewalls:
  - id: fw1
    rules:
      - {from: any, to: dmz, port: any, action: allow}
    vulnerabilities:
      - {cve: CVE-2026-3333, cvss: 9.3, published: 2026-10-01, kev: false}
"""


def test_fw004_warns_and_pat003_fails_on_the_same_absent_internet_facing(
    tmp_path: Path,
) -> None:
    # Pinned (the lead's decision): PAT-003's field decides a deadline of domain.md's own
    # table for a declared critical flaw (a failure, standing since the twenty-first
    # session); FW-004's judges the catalogue's any-to-zone extension over optional rules (a
    # warning, twenty-second session). What changed is that each description says why.
    result = check(tmp_path, BOTH)
    assert finding(result, "FW-004", "firewalls/fw1")["status"] == "warn"
    pat = finding(result, "PAT-003", "firewalls/fw1")
    assert pat["status"] == "fail"
    assert "evidence missing: `internet_facing` is not declared" in pat["message"]
    assert "where FW-004 only warns on the same absence" in _description("PAT-003")
    assert "where PAT-003 fails on it" in _description("FW-004")


def _description(rule: str) -> str:
    text: str = yaml.safe_load((REPO / "policies" / f"{rule}.yaml").read_text("utf-8"))[
        "description"
    ]
    return text
