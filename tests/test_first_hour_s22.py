"""What a new user's first declarations showed (twenty-second session, the lead writing a
dialysis centre's files from format.md alone): each case here read wrong before its fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import check_declaration, only_finding

VENDOR = """
vendors:
  - {{id: v1, name: DialyMed GmbH, country: {country}, processes_personal_data: true,
     health_data_access: true{extra}}}
"""


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_vnd003_an_eea_vendor_missing_only_its_subprocessors_is_told_to_list_them(
    tmp_path: Path, lang: str
) -> None:
    # Before: "Sign standard contractual clauses with DialyMed GmbH … set
    # `transfer_mechanism: scc`", for a German vendor whose only gap is its undeclared list.
    text = VENDOR.format(country="DE", extra="")
    found = only_finding(check_declaration(tmp_path, text, "--lang", lang), "VND-003", "vendors/v1")
    assert found["status"] == "fail"
    fix = found["remediation"]
    if lang == "en":
        assert fix.startswith("Obtain from DialyMed GmbH the full list of its sub-processors")
        assert "Sign standard contractual clauses" not in fix
    else:
        assert fix.startswith("Obtenir de DialyMed GmbH la liste complète")
        assert "Signer avec" not in fix


@pytest.mark.parametrize(
    ("country", "extra"),
    [
        ("MA", ""),  # the vendor itself outside the EEA
        ("DE", ", subprocessors: [{name: Offshore, country: IN, authorised: true}]"),
    ],
)
def test_vnd003_a_transfer_outside_the_eea_keeps_the_contractual_clauses_fix(
    tmp_path: Path, country: str, extra: str
) -> None:
    text = VENDOR.format(country=country, extra=extra)
    found = only_finding(check_declaration(tmp_path, text), "VND-003", "vendors/v1")
    assert found["status"] == "fail"
    assert found["remediation"].startswith("Sign standard contractual clauses with DialyMed GmbH")
