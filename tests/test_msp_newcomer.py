"""What an IT service company (infogérant) and an HDS audit consultant met as newcomers
(engineer HC, session 15): each case failed or misled before its fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import AS_OF, findings_of, run_cli

# The infogérant runs its clients' systems on a backup subcontractor's platform in Morocco:
# its own provider entry names that subcontractor as `hosted_by`, as the field says.
CHAIN: dict[str, Any] = {
    "providers": [
        {
            "id": "msp",
            "name": "Médi-Infra",
            "services": ["managed_services"],
            "hds": {"certificate": "HDS-2024-0117", "activities": [3, 4, 5],
                    "valid_until": "2027-08-31"},
            "storage_countries": ["FR"],
            "hosted_by": "vault",
        },
        {
            "id": "vault",
            "name": "ColdVault",
            "services": ["backup"],
            "storage_countries": ["MA"],
            "remote_access_countries": ["MA"],
            "transfer_mechanism": "none",
        },
    ],
    "systems": [{"id": "dui", "name": "DUI", "health_data": True, "hosted_by": "msp"}],
}  # fmt: skip


def chain_findings(tmp_path: Path, lang: str) -> dict[str, dict[str, Any]]:
    path = tmp_path / "d.yaml"
    path.write_text(yaml.safe_dump(CHAIN, allow_unicode=True), encoding="utf-8")
    args = ["check", str(path), "--no-config", "--as-of", AS_OF, "--format", "json"]
    result = run_cli([*args, "--lang", lang])
    assert result.exit_code == 1, result.output
    return {f["rule"]: f for f in findings_of(result) if f["target"] == "providers/vault"}


@pytest.mark.parametrize(
    ("lang", "held"),
    [
        ("en", "system dui (hosted, through provider msp)"),
        ("fr", "système dui (hébergé, via l'hébergeur msp)"),
    ],
)
def test_a_subcontractor_under_a_provider_holds_its_health_data(
    tmp_path: Path, lang: str, held: str
) -> None:
    # It was not applicable everywhere ("hosts no health data"): health data stored in
    # Morocco by an uncertified host passed every rule.
    found = chain_findings(tmp_path, lang)
    for rule in ("HDS-001", "HDS-006", "HDS-007"):
        assert found[rule]["status"] == "fail", (rule, found[rule]["message"])
    assert held in found["HDS-001"]["message"]
    assert held in found["HDS-006"]["message"]
