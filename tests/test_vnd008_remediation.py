"""VND-008 applies to a vendor that does not say whether it supplies software
(`supplies_software` absent) but reaches the organisation's systems: a remote-reading
(teleradiology) vendor written from scratch failed it, "declare them so this rule can be
checked", with a fix asking for patch deadlines it cannot give. The fix now also says how to
declare that it supplies no software, and only when the field is absent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import AS_OF, findings_of, run_cli


def _vnd008(tmp_path: Path, extra: dict[str, Any], lang: str) -> dict[str, Any]:
    vendor = {
        "id": "teleradio",
        "name": "TeleRadio",
        "country": "FR",
        "health_data_access": True,
        "remote_access": {"via_gateway": True, "mfa": True},
        **extra,
    }
    path = tmp_path / "d.yaml"
    path.write_text(yaml.safe_dump({"vendors": [vendor]}), encoding="utf-8")
    result = run_cli(
        ["check", str(path), "--no-config", "--as-of", AS_OF, "--format", "json", "--lang", lang]
    )
    assert result.exit_code in (0, 1), result.output
    (found,) = [f for f in findings_of(result) if f["rule"] == "VND-008"]
    return found


@pytest.mark.parametrize(
    ("lang", "hint"),
    [
        ("en", "If TeleRadio supplies no software the organisation runs"),
        ("fr", "Si TeleRadio ne fournit aucun logiciel exploité par l'établissement"),
    ],
)
def test_a_vendor_that_does_not_say_is_told_how_to_say_it(
    tmp_path: Path, lang: str, hint: str
) -> None:
    silent = _vnd008(tmp_path, {}, lang)
    assert silent["status"] == "fail"
    assert hint in silent["remediation"]
    assert "`supplies_software: false`" in silent["remediation"]
    # A vendor that says it supplies software, or that declares deadlines, is not told.
    supplier = _vnd008(tmp_path, {"supplies_software": True}, lang)
    assert supplier["status"] == "fail"
    assert hint not in supplier["remediation"]


def test_the_declared_answer_makes_the_rule_not_applicable(tmp_path: Path) -> None:
    assert _vnd008(tmp_path, {"supplies_software": False}, "en")["status"] == "not_applicable"
