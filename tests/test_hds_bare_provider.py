"""HDS-006 … HDS-009 on a provider when no `systems` and no `vendors` are declared.

Nothing then shows the provider holds no health data (an absent inventory is missing evidence,
domain.md end of section 3), and the rows of HDS-006 … HDS-009 give their scope as "providers":
the provider is evaluated as a host of health data. They were `not_applicable` ("holds no
health data for the organisation") on no evidence at all. HDS-001, whose row restricts itself
to "a provider hosting health data (a system with health_data hosted_by it)", keeps its
`not_applicable`. With a `systems` or `vendors` section declared, a provider that holds no
health data stays `not_applicable` (docs/fidelity.md, "Where the contract reads two ways").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import AS_OF, findings_of, run_cli

NOTHING_SHOWS = "no system or vendor is declared, so nothing shows P holds no health data"
RIEN_NE_MONTRE = (
    "aucun système ni prestataire n'est déclaré, donc rien ne montre que P ne conserve aucune "
    "donnée de santé"
)


def bare(storage: list[str], **extra: Any) -> dict[str, Any]:
    """The outside tester's bare provider: remote access from Morocco (not adequate), no
    transfer mechanism, no exposure disclosed."""
    return {
        "id": "p",
        "name": "P",
        "storage_countries": storage,
        "remote_access_countries": ["MA"],
        "transfer_mechanism": "none",
        "third_country_laws": [],
        **extra,
    }


def statuses(tmp_path: Path, decl: dict[str, Any], lang: str = "en") -> dict[str, Any]:
    path = tmp_path / "d.yaml"
    path.write_text(yaml.safe_dump(decl, allow_unicode=True), encoding="utf-8")
    result = run_cli(
        ["check", str(path), "--no-config", "--as-of", AS_OF, "--format", "json", "--lang", lang]
    )
    assert result.exit_code in (0, 1), result.output
    return {
        f["rule"]: f
        for f in findings_of(result)
        if f["target"] == "providers/p"
        and f["rule"] in {"HDS-001", "HDS-006", "HDS-007", "HDS-008", "HDS-009"}
    }


def test_a_bare_provider_is_evaluated_by_hds_006_to_009(tmp_path: Path) -> None:
    found = statuses(tmp_path, {"providers": [bare(["FR"])]})
    assert found["HDS-001"]["status"] == "not_applicable"
    assert found["HDS-006"]["status"] == "pass"
    assert NOTHING_SHOWS in found["HDS-006"]["message"]
    assert found["HDS-007"]["status"] == "fail"
    assert "P gives remote access from MA (Morocco), outside the EEA" in found["HDS-007"]["message"]
    assert NOTHING_SHOWS in found["HDS-007"]["message"]
    assert found["HDS-008"]["status"] == "fail"
    assert "exposes the data held by P to non-EU law" in found["HDS-008"]["message"]
    assert found["HDS-009"]["status"] == "fail"
    assert "`contract.hds_clauses`" in found["HDS-009"]["message"]
    # The messages claim no holding of health data.
    for rule in ("HDS-006", "HDS-007", "HDS-008"):
        assert "health data it holds" not in found[rule]["message"]
        assert "holds health data:" not in found[rule]["message"]


def test_a_bare_provider_storing_outside_the_eea_fails_hds_006(tmp_path: Path) -> None:
    found = statuses(tmp_path, {"providers": [bare(["FR", "US"])]})
    assert found["HDS-006"]["status"] == "fail"
    assert found["HDS-006"]["message"].startswith(
        f"P stores data outside the EEA, in US (United States); {NOTHING_SHOWS}"
    )


def test_the_messages_say_it_in_french_too(tmp_path: Path) -> None:
    found = statuses(tmp_path, {"providers": [bare(["FR", "US"])]}, lang="fr")
    for rule in ("HDS-006", "HDS-007", "HDS-008"):
        assert found[rule]["status"] == "fail"
        assert RIEN_NE_MONTRE in found[rule]["message"], rule


@pytest.mark.parametrize(
    "inventory",
    [
        {"systems": [{"id": "his", "name": "HIS", "health_data": True}]},
        {"systems": [{"id": "mail", "name": "Mail", "health_data": False, "hosted_by": "p"}]},
        {"vendors": [{"id": "v", "name": "V", "stores_health_data": True}]},
    ],
    ids=["system-elsewhere", "system-without-health-data", "vendor-elsewhere"],
)
def test_a_declared_inventory_showing_no_holding_stays_not_applicable(
    tmp_path: Path, inventory: dict[str, Any]
) -> None:
    found = statuses(tmp_path, {"providers": [bare(["US"])], **inventory})
    for rule in ("HDS-001", "HDS-006", "HDS-007", "HDS-008", "HDS-009"):
        assert found[rule]["status"] == "not_applicable", rule
    assert found["HDS-007"]["message"] == "P holds no health data for the organisation"
