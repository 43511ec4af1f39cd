"""One definition of an HDS certificate that counts, read by every rule that leans on one.

Found by HB (session 15): HDS-001 and HDS-003 failed a provider certified by itself or by a
placeholder certifier, yet HDS-002 read that certificate's activities, a vendor kept at such a
host passed VND-002, a backup kept there passed BKP-005, and the host lent its activities to
the hosting chain above it. Each rule now asks ``policies.hdscert`` (CEL: ``hds_flaws``)."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from hdsguard.policies import hdscert
from tests.helpers import AS_OF, REPO, findings_of, run_cli, write

DAY = datetime.date.fromisoformat(AS_OF)
SOUND = {"certificate": "HDS-2025-0193", "certifier": "LNE", "valid_until": "2028-02-28"}


@pytest.mark.parametrize(
    ("hds", "flaws"),
    [
        (SOUND, []),
        ({**SOUND, "certifier": "TBD"}, ["certifier_placeholder"]),
        ({**SOUND, "certifier": " médi-infra "}, ["self_certified"]),
        ({**SOUND, "certifier": "medi-cloud"}, ["self_certified"]),  # its id
        ({**SOUND, "certifier": "MÉDI-INFRA"}, ["self_certified"]),
        ({**SOUND, "certifier": "Ｍédi-Infra"}, ["self_certified"]),  # a full-width letter
        # No certifier is missing evidence: it counted until session 17 (found by HB).
        ({k: v for k, v in SOUND.items() if k != "certifier"}, ["certifier_missing"]),
        ({**SOUND, "certificate": "N/A"}, ["certificate_placeholder"]),
        ({**SOUND, "valid_until": "2026-11-27"}, ["expired"]),
        ({**SOUND, "valid_until": AS_OF}, []),  # its last valid day
        ({**SOUND, "valid_from": "2026-11-29"}, ["not_yet_valid"]),
        (
            {"certifier": "x", "valid_from": "2027-01-01"},
            ["certificate_missing", "valid_until_missing", "not_yet_valid",
             "certifier_placeholder"],
        ),
        ({"valid_until": "2028-02-28"}, ["certificate_missing", "certifier_missing"]),
    ],
)  # fmt: skip
def test_what_makes_a_certificate_not_count(hds: dict[str, Any], flaws: list[str]) -> None:
    holder = {"id": "medi-cloud", "name": "Médi-Infra", "hds": hds}
    assert hdscert.flaws(holder, DAY) == flaws
    assert (hdscert.explain(holder, DAY) == "") == (flaws == [])


SELF_CERTIFIED = """
providers:
  - id: cloud
    name: Médi-Infra
    services: [iaas]
    hds: {certificate: HDS-2025-0193, certifier: MÉDI-INFRA, activities: [1, 2, 3, 4, 5, 6],
          valid_until: 2028-02-28}
  - id: bk
    name: Backup Co
    services: [backup]
    hds: {certificate: HDS-2024-0007, certifier: TBD, activities: [6], valid_until: 2028-02-28}
  - id: editor
    name: NetSoins
    services: [saas]
    hosted_by: cloud
    hds: {certificate: HDS-5, certifier: LNE, activities: [4, 5], valid_until: 2028-02-28}
vendors:
  - {id: scribe, name: Scribe, stores_health_data: true, hosted_by: cloud}
systems:
  - {id: dpi, name: DPI, health_data: true, hosted_by: editor,
     backup: {encrypted: true, provider: bk}}
"""


def _findings(tmp_path: Path, *extra: str) -> dict[tuple[str, str], dict[str, Any]]:
    write(tmp_path, {"decl.yaml": SELF_CERTIFIED})
    result = run_cli(
        ["check", str(tmp_path / "decl.yaml"), "--as-of", AS_OF, "--format", "json", *extra]
    )
    return {(f["rule"], f["target"]): f for f in findings_of(result)}


@pytest.mark.parametrize(
    ("rule", "target", "says"),
    [
        ("HDS-001", "providers/cloud", "is declared as issued by Médi-Infra itself"),
        ("HDS-003", "providers/bk", "names no certifier"),
        ("HDS-002", "providers/cloud", "of Médi-Infra does not count: certified by itself"),
        ("HDS-002", "providers/bk", "Backup Co does not count: certifier `TBD` is a placeholder"),
        # A self-certified host lends no activity to the SaaS running on it.
        ("HDS-002", "providers/editor", "not covered: activity 1 ("),
        ("VND-002", "vendors/scribe", "where HDS certificate HDS-2025-0193 of Médi-Infra does "
         "not count: certified by itself (`hds.certifier` is `MÉDI-INFRA`, its holder"),
        ("BKP-005", "systems/dpi", "where HDS certificate HDS-2024-0007 of Backup Co does not "
         "count: certifier `TBD` is a placeholder"),
    ],
)  # fmt: skip
def test_every_rule_refuses_a_certificate_that_does_not_count(
    tmp_path: Path, rule: str, target: str, says: str
) -> None:
    found = _findings(tmp_path)[(rule, target)]
    assert found["status"] == "fail", found
    assert says in found["message"]


@pytest.mark.parametrize(
    ("rule", "target", "says"),
    [
        ("HDS-002", "providers/cloud", "de Médi-Infra ne vaut pas : certifié par lui-même"),
        ("VND-002", "vendors/scribe", "où le certificat HDS HDS-2025-0193 de Médi-Infra ne vaut"),
        ("BKP-005", "systems/dpi", "le certificateur `TBD` est une valeur d'attente"),
    ],
)  # fmt: skip
def test_the_reason_is_given_in_french(tmp_path: Path, rule: str, target: str, says: str) -> None:
    found = _findings(tmp_path, "--lang", "fr")[(rule, target)]
    assert found["status"] == "fail", found
    assert says in found["message"]


# What once copied the definition: a rule reading a certificate's number, dates or certifier
# in a condition by itself instead of through hds_flaws / provider_hds_flaws.
_COPIES = re.compile(
    r"is_placeholder\([\w.?]*hds\.(certificate|certifier)\)"
    r"|hds\.certifier\.trim\(\)|days_until\([\w.?]*hds\.valid_until\)\s*>=\s*0"
    r"|hds\.valid_from\s*<=\s*now"
)


def test_no_rule_keeps_its_own_copy_of_the_definition() -> None:
    copies = []
    for path in sorted((REPO / "policies").glob("*.yaml")):
        policy = yaml.safe_load(path.read_text(encoding="utf-8"))
        for check in [policy, *policy.get("checks", [])]:
            for key in ("condition", "applicable_if"):
                text = check.get(key)
                if isinstance(text, str) and _COPIES.search(text):
                    copies.append(f"{path.name}: {key}: {_COPIES.search(text)}")
    assert copies == []


# Session 17 (found by HB): a certificate naming no certifier counted everywhere, and HDS-008
# read a transparency page of a certificate that does not count.
NO_CERTIFIER = """
providers:
  - id: alp
    name: AlpCloud Santé
    services: [iaas]
    storage_countries: [FR]
    remote_access_countries: [FR]
    third_country_laws: []
    transfer_mechanism: none
    contract: {hds_clauses: true, dpa: true, audit_right: true, reversibility: true}
    hds: {certificate: HDS-2025-0193, activities: [1, 2, 3, 4, 5, 6], referential: v2,
          valid_until: 2028-02-28, last_surveillance_audit: 2026-06-01,
          transparency_url: "https://alpcloud.example/transparence"}
vendors:
  - {id: scribe, name: Scribe, stores_health_data: true, hosted_by: alp}
systems:
  - {id: dpi, name: DPI, health_data: true, hosted_by: alp,
     backup: {encrypted: true, provider: alp}}
"""


def _no_certifier(tmp_path: Path, *extra: str) -> dict[tuple[str, str], dict[str, Any]]:
    write(tmp_path, {"decl.yaml": NO_CERTIFIER})
    result = run_cli(
        ["check", str(tmp_path / "decl.yaml"), "--as-of", AS_OF, "--format", "json", *extra]
    )
    return {(f["rule"], f["target"]): f for f in findings_of(result)}


@pytest.mark.parametrize(
    ("rule", "target", "says"),
    [
        ("HDS-001", "providers/alp", "names no certifier (evidence missing: `hds.certifier` is "
         "not declared)"),
        ("HDS-002", "providers/alp", "HDS certificate HDS-2025-0193 of AlpCloud Santé does not "
         "count: evidence missing: it names no certifier (`hds.certifier` is not declared: "
         "write the accredited body"),
        ("HDS-003", "providers/alp", "names no certifier"),
        ("HDS-004", "providers/alp", "does not count: evidence missing: it names no certifier"),
        ("HDS-005", "providers/alp", "does not count: evidence missing: it names no certifier"),
        ("HDS-008", "providers/alp", "does not count: evidence missing: it names no certifier"),
        ("VND-002", "vendors/scribe", "does not count: evidence missing: it names no certifier"),
        ("BKP-005", "systems/dpi", "does not count: evidence missing: it names no certifier"),
    ],
)  # fmt: skip
def test_a_certificate_naming_no_certifier_counts_for_no_rule(
    tmp_path: Path, rule: str, target: str, says: str
) -> None:
    found = _no_certifier(tmp_path)[(rule, target)]
    assert found["status"] == "fail", found
    assert says in found["message"]


@pytest.mark.parametrize("rule", ["HDS-006", "HDS-007", "HDS-009"])
def test_location_access_and_contract_rules_read_no_certificate(tmp_path: Path, rule: str) -> None:
    """Decided in each policy's description: the data is where it is, reached from where it
    is, under the contract signed, whether or not the host's certificate counts."""
    found = _no_certifier(tmp_path)[(rule, "providers/alp")]
    assert found["status"] == "pass", found
    assert "certif" not in found["message"]


def test_french_elides_de_before_a_vowel(tmp_path: Path) -> None:
    findings = _no_certifier(tmp_path, "--lang", "fr")
    message = findings[("HDS-002", "providers/alp")]["message"]
    assert (
        "le certificat HDS HDS-2025-0193 d'AlpCloud Santé ne vaut pas : preuve manquante : il "
        "ne nomme aucun organisme certificateur" in message
    )
    assert "de AlpCloud" not in message.split("; aucun")[0]


@pytest.mark.parametrize(
    ("name", "lang", "said"),
    [
        ("AlpCloud", "fr", "d'AlpCloud"),
        ("Équinoxe", "fr", "d'Équinoxe"),
        ("OVH", "fr", "d'OVH"),
        ("Médi-Infra", "fr", "de Médi-Infra"),
        ("Hôpital Nord", "fr", "de Hôpital Nord"),  # an h may be aspirated: not elided
        ("AlpCloud", "en", "of AlpCloud"),
    ],
)
def test_of_name(name: str, lang: str, said: str) -> None:
    from hdsguard import l10n

    assert l10n.of_name(name, lang) == said
