"""A waiver's `accepts` compares its values with a finding's reason through the encoder that
writes reasons (hdsguard.reasonjson), and a whole number the same written `9` or `9.0`: CEL
quotes PAT-002's CVSS threshold as the double 9.0, a person writes 9, and the waiver that
named the right values did not waive (found by HC)."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys

from hdsguard import reasons, waiveraccepts
from hdsguard.reasonjson import encode, same_numbers
from hdsguard.waivers import AcceptedCheck
from tests.config_support import AS_OF, Tree
from tests.helpers import run_cli
from tests.test_reason_fields import FIREWALL, PAT_CONFIG

REASON = '[["2","fail","vulnerabilities",[[["CVE-2026-21762","9.8","2026-09-08"]],9.0,30]]]'


def _accepts(values: list[object]) -> list[AcceptedCheck]:
    return [AcceptedCheck(check="2", outcome="fail", field="vulnerabilities", values=values)]


def test_a_whole_number_is_accepted_written_either_way() -> None:
    cve = [["CVE-2026-21762", "9.8", datetime.date(2026, 9, 8)]]  # a date YAML read unquoted
    assert waiveraccepts.covers(_accepts([cve, 9, 30]), REASON)
    assert waiveraccepts.covers(_accepts([cve, 9.0, 30.0]), REASON)
    assert not waiveraccepts.covers(_accepts([cve, 9.1, 30]), REASON)


def test_text_and_booleans_are_not_numbers() -> None:
    as_numbers = [[["CVE-2026-21762", 9.8, "2026-09-08"]], 9, 30]  # the score is quoted text
    assert not waiveraccepts.covers(_accepts(as_numbers), REASON)
    assert not waiveraccepts.covers(_accepts([True]), '[["2","fail","vulnerabilities",[1]]]')
    assert same_numbers([True, 1.5, "9.0", {"a": (2.0,)}]) == [True, 1.5, "9.0", {"a": [2]}]


def test_reasons_are_written_with_the_encoder_accepts_reads() -> None:
    assert reasons.encode is encode is waiveraccepts.encode
    piece = ("0", "fail", "host", ["santé.example", datetime.date(2026, 9, 8), {"b": 1, "a": 2}])
    assert (
        reasons.text([piece])
        == '[["0","fail","host",["santé.example","2026-09-08",{"a":2,"b":1}]]]'
    )


def test_reading_accepts_imports_no_cel() -> None:
    code = "import sys, hdsguard.waiveraccepts; print('cel_expr_python' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


WAIVER = """version: 1
waivers:
  - rule: PAT-002
    target: firewalls/fw-edge-1
    justification: Patch window on 2027-01-10
    owner: DSI
    approver: RSSI
    expires: 2027-01-31
    accepts:
      - {check: "2", values: [[[CVE-2026-21762, "9.8", 2026-09-08]], 9, 30]}
"""


def test_a_waiver_written_with_9_waives_the_cvss_threshold_of_9_0(tree: Tree) -> None:
    tree(
        {
            ".hdsguard.yaml": PAT_CONFIG,
            "decl/fw.yaml": FIREWALL.format(more=""),
            "waivers.yaml": WAIVER,
        }
    )
    result = run_cli(["check", "--as-of", AS_OF, "--format", "json"])
    report = json.loads(result.stdout)
    assert [f["status"] for f in report["findings"]] == ["waived"], report.get("notices")
    assert report.get("notices", []) == []
