"""A rule on the whole organisation names a few of a long list, not all of it: CEL's map()
copies its list at each item in cel-expr-python 0.1.3 (52 MiB to name 1,750 services)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import AS_OF, findings_of, run_cli, write


def estate(n: int) -> str:
    services = "".join(
        f"  - {{id: vpn-{i:02d}, system: s, host: h{i}, port: 1194, protocol: openvpn,"
        f" exposure: internet, via: direct, role: remote_access, mfa: false}}\n"
        for i in range(n)
    )
    return (
        "identity: {mfa_admin: true, mfa_remote: true}\n"
        "systems:\n  - {id: s, name: S, health_data: false}\n"
        f"services:\n{services}"
    )


@pytest.mark.parametrize(
    ("lang", "more"), [("en", " and 2 more declare `mfa: false`"), ("fr", " et 2 autres déclarent")]
)
def test_iam_001_names_ten_services_and_counts_the_others(
    tmp_path: Path, lang: str, more: str
) -> None:
    write(tmp_path, {"decl.yaml": estate(12)})
    result = run_cli(
        ["check", str(tmp_path / "decl.yaml"), "--as-of", AS_OF, "--format", "json", "--lang", lang]
    )
    [finding] = [f for f in findings_of(result) if f["rule"] == "IAM-001" and f["status"] == "fail"]
    message = finding["message"]
    named = [f"services/vpn-{i:02d} (openvpn, internet)" for i in range(10)]
    assert ", ".join(named) in message
    assert "vpn-10" not in message and "vpn-11" not in message
    assert more in message


def test_iam_001_names_every_service_of_a_short_list(tmp_path: Path) -> None:
    write(tmp_path, {"decl.yaml": estate(2)})
    result = run_cli(["check", str(tmp_path / "decl.yaml"), "--as-of", AS_OF, "--format", "json"])
    [finding] = [f for f in findings_of(result) if f["rule"] == "IAM-001" and f["status"] == "fail"]
    assert (
        "the remote access services services/vpn-00 (openvpn, internet),"
        " services/vpn-01 (openvpn, internet) declare `mfa: false`" in finding["message"]
    )
    assert "more" not in finding["message"]
