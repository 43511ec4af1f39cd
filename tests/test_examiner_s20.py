"""The judgement calls an outside examiner left open (twentieth session), settled from
domain.md and format.md: each case here passed, or was accepted, before its fix; the cases
that pin a verdict found right say why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hdsguard.policies.anytoany import from_internet
from tests.helpers import AS_OF, findings_of, run_cli, write

ANY = ["any", "all", "*", "0.0.0.0/0", "::/0"]
PORTS = ["any", "1-65535", "0-65535"]
INTERNET = ["internet", "wan", "outside", "untrust", "external"]


def check(tmp_path: Path, text: str, *extra: str) -> Any:
    write(tmp_path, {"decl.yaml": text})
    args = ["check", str(tmp_path / "decl.yaml"), "--as-of", AS_OF, "--format", "json"]
    return run_cli([*args, *extra])


def finding(result: Any, rule: str, target: str) -> dict[str, Any]:
    found = [f for f in findings_of(result) if f["rule"] == rule and f["target"] == target]
    assert len(found) == 1, (rule, target, result.stdout, result.stderr)
    return found[0]


# ------------------------------------------------------------------ FW-004, the Internet


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ([{"from": "internet", "to": "any", "port": "any", "action": "allow"}], [0]),
        ([{"from": "Internet", "to": "any", "action": "allow"}], [0]),
        ([{"from": "outside", "to": "0.0.0.0/0", "port": "1-65535", "action": "allow"}], [0]),
        # The Internet is a source only: outbound browsing is not this rule's business.
        ([{"from": "lan", "to": "internet", "port": "any", "action": "allow"}], []),
        ([{"from": "internet", "to": "internet", "action": "allow"}], []),
        ([{"from": "internet", "to": "any", "port": 443, "action": "allow"}], []),
        ([{"from": "internet", "to": "any", "action": "deny"}], []),
        # Any-to-any is the other checks' to report, not this one's again.
        ([{"from": "any", "to": "any", "action": "allow"}], []),
        (
            [
                {"from": "wan", "to": "any", "port": "1-1023", "action": "allow"},
                {"from": "any", "to": "any", "port": "1024-65535", "action": "allow"},
            ],
            [0, 1],
        ),
    ],
)
def test_from_internet(rules: list[dict[str, Any]], expected: list[int]) -> None:
    assert from_internet(rules, INTERNET, ANY, PORTS) == expected


FW = """
firewalls:
  - id: fw-edge
    internet_facing: true
    rules:
{rules}
"""


@pytest.mark.parametrize(
    ("rule", "status"),
    [
        ("{from: internet, to: any, port: any, action: allow}", "fail"),
        ("{from: untrust, to: any, action: allow}", "fail"),
        ('{from: internet, to: any, port: "1-65535", action: allow}', "fail"),
        ("{from: lan, to: internet, port: any, action: allow}", "pass"),
        ("{from: any, to: any, port: 443, action: allow}", "pass"),
        ("{from: any, to: any, action: allow}", "fail"),  # no port: any port
        ('{from: any, to: any, port: "1-65535", action: allow}', "fail"),
    ],
)
def test_fw004_internet_source(tmp_path: Path, rule: str, status: str) -> None:
    result = check(tmp_path, FW.format(rules=f"      - {rule}"))
    assert finding(result, "FW-004", "firewalls/fw-edge")["status"] == status
