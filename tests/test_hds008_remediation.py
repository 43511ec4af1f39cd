"""HDS-008's fix hint said "`[]` if it discloses none" to a provider whose remote access from
Tunisia it had just failed for an empty `third_country_laws`: the one value the rule refuses.
The hint now asks for at least the law of each country outside the EEA, and says `[]` is only
for a provider that stores and reaches the data only in the EEA."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import AS_OF, findings_of, run_cli


def _hds008(tmp_path: Path, remote: list[str], laws: list[str], lang: str) -> dict[str, Any]:
    decl = {
        "providers": [
            {
                "id": "p",
                "name": "P",
                "storage_countries": ["FR"],
                "remote_access_countries": remote,
                "transfer_mechanism": "scc",
                "third_country_laws": laws,
                "hds": {"certificate": "HDS-1", "transparency_url": "https://p.example/t"},
            }
        ],
        "systems": [{"id": "s", "name": "S", "health_data": True, "hosted_by": "p"}],
    }
    path = tmp_path / "d.yaml"
    path.write_text(yaml.safe_dump(decl), encoding="utf-8")
    result = run_cli(
        ["check", str(path), "--no-config", "--as-of", AS_OF, "--format", "json", "--lang", lang]
    )
    assert result.exit_code in (0, 1), result.output
    (found,) = [f for f in findings_of(result) if f["rule"] == "HDS-008"]
    return found


@pytest.mark.parametrize(
    ("lang", "at_least", "empty_only"),
    [
        (
            "en",
            "at least the law of each country outside the EEA",
            "(`[]` only when it does both only in the EEA and discloses no law)",
        ),
        (
            "fr",
            "au moins la loi de chaque pays hors EEE",
            "(`[]` seulement s'il ne fait l'un et l'autre que dans l'EEE et ne déclare aucune loi)",
        ),
    ],
)
def test_the_hint_never_offers_the_value_the_rule_refuses(
    tmp_path: Path, lang: str, at_least: str, empty_only: str
) -> None:
    offshore = _hds008(tmp_path, ["FR", "TN"], [], lang)
    assert offshore["status"] == "fail" and "`third_country_laws`" in offshore["message"]
    assert at_least in offshore["remediation"] and empty_only in offshore["remediation"]
    assert "providers/p" in offshore["remediation"]
    assert "(`[]` if it discloses none)" not in offshore["remediation"]
    assert "(`[]` s'il n'en déclare aucune)" not in offshore["remediation"]
