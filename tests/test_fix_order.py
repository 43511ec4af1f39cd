"""A finding's fix starts with what its message is about: a service failing EXP-004 only
because its `role` is not declared is told first to declare it, not to close an
administration interface it may not be (found playing a new user, the fourteenth session)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run_cli

DECL = """\
organisation: {name: X, kind: imaging_centre}
services:
  - {id: portal, protocol: https, port: 443, exposure: internet}
  - {id: admin-web, protocol: https, port: 8443, exposure: internet, role: admin, via: direct}
"""


@pytest.mark.parametrize(
    ("lang", "no_role", "admin"),
    [
        (
            "en",
            "Declare the `role` of portal: what it is for (web, file_transfer, remote_access, "
            "admin, api or other). If it is an administration interface, close it",
            "Close the administration interface admin-web on the Internet",
        ),
        (
            "fr",
            "Déclarer le rôle (`role`) de portal : à quoi il sert (web, file_transfer, "
            "remote_access, admin, api ou other). S'il s'agit d'une interface d'administration",
            "Fermer sur Internet l'interface d'administration admin-web",
        ),
    ],
)
def test_an_undeclared_role_is_the_first_thing_to_fix(
    tmp_path: Path, lang: str, no_role: str, admin: str
) -> None:
    (tmp_path / "d.yaml").write_text(DECL, encoding="utf-8")
    args = ["--lang", lang, "check", str(tmp_path / "d.yaml"), "--no-config"]
    result = run_cli([*args, "--as-of", "2026-11-28", "--format", "json"])
    fixes = {
        f["target"]: f["remediation"]
        for f in json.loads(result.stdout)["findings"]
        if f["rule"] == "EXP-004"
    }
    assert fixes["services/portal"].startswith(no_role), fixes["services/portal"]
    assert fixes["services/admin-web"].startswith(admin), fixes["services/admin-web"]
