"""Shared declarations for the audit tests: dates chosen so that every deadline is known."""

from __future__ import annotations

import datetime

AS_OF = datetime.date(2026, 11, 28)

DECL = """
organisation:
  name: {name}
firewalls:
  - id: fw-1
    vendor: Fortinet
    internet_facing: true
    last_patch: {last_patch}
    last_rule_review: 2026-11-01
    firmware: {{version: "7.4.3", end_of_support: 2028-01-01}}
certificates:
  - id: www
    not_before: 2026-06-01
    not_after: 2027-01-15
    public: true
    signature_algorithm: sha256WithRSAEncryption
"""

WAIVERS = """
waivers:
  - rule: GOV-002
    target: organisation
    justification: Security officer being recruited; the DPO acts meanwhile.
    owner: Direction
    approver: DPO
    expires: 2027-02-28
"""

CONFIG = "declarations: [decl]\nwaivers: waivers.yaml\n"


def files(name: str = "Clinique Test", last_patch: str = "2026-10-01") -> dict[str, str]:
    return {
        "decl/decl.yaml": DECL.format(name=name, last_patch=last_patch),
        "waivers.yaml": WAIVERS,
        ".hdsguard.yaml": CONFIG,
    }
