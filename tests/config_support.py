"""Declaration trees and helpers shared by the config, waiver and baseline tests.

Every config here enables FW-001 only (firewalls: `last_patch` at most 90 days old by default),
so that the tests do not depend on the rest of the built-in catalogue.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from tests.helpers import AS_OF

__all__ = ["AS_OF", "CONFIG", "EXPOSED", "EXP_CONFIG", "FIREWALLS", "Tree", "rows", "waiver"]

Tree = Callable[[dict[str, str]], Path]

# On 2026-11-28: fw-edge-1 is 544 days old (fail), fw-dmz-1 69 days (pass at 90, fail at 60),
# fw-core-1 39 days (pass).
FIREWALLS = """
version: 1
firewalls:
  - id: fw-edge-1
    last_patch: 2025-06-02
  - id: fw-dmz-1
    last_patch: 2026-09-20
  - id: fw-core-1
    last_patch: 2026-10-20
"""

# An FTP service open to the Internet (EXP-001 fails): the rule's reason, baselined or waived,
# then the same service exposing telnet.
EXPOSED = """
version: 1
systems:
  - {id: lab, name: Lab, health_data: true}
services:
  - {id: results, system: lab, host: ftp.lab.example, port: 21, protocol: ftp,
     exposure: internet, via: direct, role: file_transfer, authentication: password,
     owner: DSI, purpose: results for GPs}
"""
EXP_CONFIG = "version: 1\ndeclarations: [decl]\nrules:\n  enable: [EXP-001]\n"

CONFIG = """
version: 1
declarations: [decl]
rules:
  enable: [FW-001]
"""


def rows(result: Result) -> list[tuple[str, str, str]]:
    """(rule, target, status) of every finding of a JSON report on stdout."""
    report = json.loads(result.stdout)
    return [(f["rule"], f["target"], f["status"]) for f in report["findings"]]


def waiver(
    target: str,
    expires: str,
    *,
    rule: str = "FW-001",
    created: str | None = None,
    justification: str = "Replacement ordered",
) -> str:
    """One waiver item, indented for a `waivers:` list."""
    text = (
        f"  - rule: {rule}\n"
        f"    target: {target}\n"
        f"    justification: {justification}\n"
        "    owner: Nadia Benali\n"
        "    approver: RSSI\n"
        "    ticket: SEC-42\n"
    )
    if created:
        text += f"    created: {created}\n"
    return text + f"    expires: {expires}\n"
