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


# ------------------------------------------ contradictory evidence is not plausible evidence

SERVICE = """
services:
  - id: web
    protocol: https
    exposure: internal
    vulnerabilities:
      - {{cve: CVE-2026-0001, cvss: 5.0, published: 2026-11-01, kev: false}}
      - {vuln}
"""


@pytest.mark.parametrize(
    ("vuln", "rule", "column", "words"),
    [
        # Passed: listed by CISA before its publication; PAT-002's 30-day clock runs from
        # the later date, PAT-003's from the earlier.
        (
            "{cve: CVE-2026-7004, cvss: 9.8, published: 2026-11-25, kev: true, "
            "kev_added: 2026-11-20}",
            "PAT-003",
            75,
            "CVE-2026-7004 declares `kev_added` 2026-11-20, before `published` 2026-11-25",
        ),
        (
            "{cve: CVE-2026-7004, cvss: 9.8, published: 2026-11-25, kev: true, "
            "kev_added: 2026-11-20}",
            "PAT-002",
            41,
            "CVE-2026-7004 (CVSS 9.8), published 2026-11-25 as declared, yet added to the "
            "CISA KEV catalogue on 2026-11-20 (`kev_added`), before it",
        ),
        # Passed as a KEV entry within its deadline: red only once late.
        (
            "{cve: CVE-2026-7002, cvss: 7.5, published: 2026-09-01, kev: false, "
            "kev_added: 2026-11-20}",
            "PAT-003",
            64,
            "CVE-2026-7002 declares `kev: false` beside `kev_added` 2026-11-20: the "
            "declaration contradicts itself, and it is read as known exploited",
        ),
        # Passed: an id of 2026 published in 2020; a wrong id misses the KEV catalogue.
        (
            "{cve: CVE-2026-1234, cvss: 7.5, published: 2020-11-20, kev: false}",
            "PAT-003",
            41,
            "`cve: CVE-2026-1234` cannot have been published on 2020-11-20, before 2026",
        ),
        (
            "{cve: CVE-2027-0001, cvss: 9.1, published: 2026-11-20, kev: false}",
            "PAT-002",
            41,
            "CVE-2027-0001 (CVSS 9.1), published 2026-11-20 as declared, yet its id is of "
            "2027, a later year",
        ),
    ],
)
def test_a_contradiction_warns_at_the_contradicting_field(
    tmp_path: Path, vuln: str, rule: str, column: int, words: str
) -> None:
    found = finding(check(tmp_path, SERVICE.format(vuln=vuln)), rule, "services/web")
    assert found["status"] == "warn", found
    assert (found["line"], found["column"]) == (7, column), found
    assert words in found["message"], found["message"]


def test_a_late_kev_entry_declared_not_kev_stays_red_and_says_so(tmp_path: Path) -> None:
    vuln = (
        "{cve: CVE-2026-7002, cvss: 7.5, published: 2026-09-01, kev: false, kev_added: 2026-10-01}"
    )
    found = finding(check(tmp_path, SERVICE.format(vuln=vuln)), "PAT-003", "services/web")
    assert found["status"] == "fail"
    assert "its declared `kev: false` contradicts its `kev_added`" in found["message"]
    french = check(tmp_path, SERVICE.format(vuln=vuln), "--lang", "fr")
    assert (
        "son `kev: false` déclaré contredit son `kev_added`"
        in (finding(french, "PAT-003", "services/web")["message"])
    )


@pytest.mark.parametrize(
    "vuln",
    [
        # Pinned: listed on its publication day; an id reserved one year, published the next.
        "{cve: CVE-2026-7004, cvss: 9.8, published: 2026-11-20, kev: true, kev_added: 2026-11-20}",
        "{cve: CVE-2025-1234, cvss: 9.8, published: 2026-11-20, kev: false}",
        "{cve: GHSA-abcd-efgh-ijkl, cvss: 9.8, published: 2026-11-20, kev: false}",
    ],
)
def test_consistent_declarations_stay_green(tmp_path: Path, vuln: str) -> None:
    result = check(tmp_path, SERVICE.format(vuln=vuln))
    for rule in ("PAT-002", "PAT-003"):
        assert finding(result, rule, "services/web")["status"] == "pass", rule


ORGANISATION = """
organisation:
  name: Clinique du Parc
  kind: clinic
  finess:
    ej: "750712184"
    et: ["690781810", {et}]
"""


def test_gov001_warns_on_the_legal_entitys_number_among_the_establishments(
    tmp_path: Path,
) -> None:
    # Passed: a number is either a legal entity's or an establishment's, never both.
    found = finding(
        check(tmp_path, ORGANISATION.format(et='"750712184"')), "GOV-001", "organisation"
    )
    assert found["status"] == "warn", found
    assert (found["line"], found["column"]) == (6, 23), found
    assert found["message"].startswith(
        "the legal entity's FINESS number 750712184 (`finess.ej`) is declared as an "
        "establishment's too (`finess.et`)"
    ), found["message"]
    other = check(tmp_path, ORGANISATION.format(et='"130786049"'))
    assert finding(other, "GOV-001", "organisation")["status"] == "pass"


# ------------------------------------- probe: a teleradiology group reading images abroad

READERS = """
vendors:
  - id: dayread-us
    name: DayRead Imaging LLC
    service: Second opinion on imaging examinations
    country: US
    processes_personal_data: true
    health_data_access: true
    stores_health_data: false
    transfer_mechanism: scc
    subprocessors:
      - {name: CloudDictate, country: US, authorised: true}
"""


def test_vnd003_names_the_recipients_of_a_transfer_not_their_countries_twice(
    tmp_path: Path,
) -> None:
    # Read "transfers to US (United States), US (United States) are covered by scc": the
    # vendor and its sub-processor, in the same country, were one country said twice.
    found = finding(check(tmp_path, READERS), "VND-003", "vendors/dayread-us")
    assert found["status"] == "pass"
    assert found["message"] == (
        "transfers to DayRead Imaging LLC (US, United States), sub-processor CloudDictate "
        "(US, United States) are covered by standard contractual clauses (`scc`)"
    ), found["message"]
    french = finding(check(tmp_path, READERS, "--lang", "fr"), "VND-003", "vendors/dayread-us")
    assert "le sous-traitant ultérieur CloudDictate (US, " in french["message"]
