"""A waiver's `accepts` names the reason it accepts: the same rule and target failing for
another reason (another protocol, another check of the rule) is not waived, and a notice at
the waiver says what changed. A waiver without `accepts` waives as it always did."""

from __future__ import annotations

import json
from typing import Any

from click.testing import Result

from tests.config_support import AS_OF, EXP_CONFIG, EXPOSED, Tree
from tests.helpers import run_cli

# BKP-003: check 0 is the offline or immutable copy, check 1 the off-site one.
BACKUP = """
version: 1
systems:
  - id: lab
    name: Lab
    health_data: true
    backup: {{offline_or_immutable: false, offsite: {offsite}}}
"""
BKP_CONFIG = "version: 1\ndeclarations: [decl]\nrules:\n  enable: [BKP-003]\n"

HEAD = """version: 1
waivers:
  - rule: {rule}
    target: {target}
    justification: Migration planned
    owner: DSI
    approver: RSSI
    expires: 2027-01-31
"""


def _report(result: Result) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def _status(result: Result, rule: str) -> str:
    found = [f["status"] for f in _report(result)["findings"] if f["rule"] == rule]
    assert len(found) == 1
    status: str = found[0]
    return status


def _suggested(rule: str) -> str:
    """The `accepts` block `hdsguard waivers suggest` prints for ``rule``, indented for a
    waiver item."""
    result = run_cli(["waivers", "suggest", "--as-of", AS_OF, "--rule", rule])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    start = lines.index("  accepts:")
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.startswith("    - "):
            break
        block.append(line)
    return "".join(f"  {line}\n" for line in block)


def _check(*extra: str) -> Result:
    return run_cli(["check", "--as-of", AS_OF, "--format", "json", *extra])


def test_suggest_prints_an_item_that_is_refused_until_a_person_completes_it(tree: Tree) -> None:
    tree({".hdsguard.yaml": EXP_CONFIG, "decl/s.yaml": EXPOSED})
    result = run_cli(["waivers", "suggest", "--as-of", AS_OF])
    assert result.exit_code == 0
    assert '- rule: "EXP-001"\n  target: "services/results"\n  accepts:\n' in result.stdout
    assert "# EXP-001 services/results, fail (decl/s.yaml:" in result.stdout
    body = result.stdout[result.stdout.index("- rule") :]
    tree({"waivers.yaml": "version: 1\nwaivers:\n" + "".join(f"  {x}\n" for x in body.split("\n"))})
    refused = _check()
    assert refused.exit_code == 2
    assert "required field 'justification' is missing" in refused.stderr


def test_telnet_replacing_ftp_is_not_waived_by_a_waiver_that_accepts_ftp(tree: Tree) -> None:
    tree({".hdsguard.yaml": EXP_CONFIG, "decl/s.yaml": EXPOSED})
    waivers = HEAD.format(rule="EXP-001", target="services/results") + _suggested("EXP-001")
    tree({"waivers.yaml": waivers})
    accepted = _check()
    assert accepted.exit_code == 0
    assert _status(accepted, "EXP-001") == "waived"
    assert _report(accepted).get("notices", []) == []

    tree({"decl/s.yaml": EXPOSED.replace("protocol: ftp", "protocol: telnet")})
    changed = _check()
    assert changed.exit_code == 1
    assert _status(changed, "EXP-001") == "fail"
    [notice] = _report(changed)["notices"]
    assert notice.startswith(
        "waivers.yaml:3:5: waiver for EXP-001 on services/results does not accept why the "
        "finding on services/results does not pass (check `0` (`protocol`) quotes "
    )
    assert '"telnet' in notice and "where the waiver accepts" in notice
    assert notice.endswith(
        "the finding keeps its status `fail`. If this reason is accepted too, update the "
        "waiver's `accepts` (`hdsguard waivers suggest` prints it)"
    )


def test_the_same_waiver_without_accepts_still_waives_telnet(tree: Tree) -> None:
    """The waiver format as written before `accepts`: unchanged behaviour."""
    tree(
        {
            ".hdsguard.yaml": EXP_CONFIG,
            "decl/s.yaml": EXPOSED.replace("protocol: ftp", "protocol: telnet"),
            "waivers.yaml": HEAD.format(rule="EXP-001", target="services/results"),
        }
    )
    result = _check()
    assert result.exit_code == 0
    assert _status(result, "EXP-001") == "waived"
    assert _report(result).get("notices", []) == []


def test_a_second_check_of_the_rule_failing_is_not_waived(tree: Tree) -> None:
    tree({".hdsguard.yaml": BKP_CONFIG, "decl/s.yaml": BACKUP.format(offsite="true")})
    waivers = HEAD.format(rule="BKP-003", target="systems/lab") + _suggested("BKP-003")
    assert waivers.count("{check:") == 1
    tree({"waivers.yaml": waivers})
    assert _status(_check(), "BKP-003") == "waived"

    tree({"decl/s.yaml": BACKUP.format(offsite="false")})
    changed = _check()
    assert changed.exit_code == 1
    assert _status(changed, "BKP-003") == "fail"
    [notice] = _report(changed)["notices"]
    assert (
        "(check `1` (`backup.offsite`) is `fail`, and the waiver does not accept that check)"
        in notice
    )


def test_a_finding_failing_on_fewer_of_the_accepted_checks_stays_waived(tree: Tree) -> None:
    tree({".hdsguard.yaml": BKP_CONFIG, "decl/s.yaml": BACKUP.format(offsite="false")})
    waivers = HEAD.format(rule="BKP-003", target="systems/lab") + _suggested("BKP-003")
    assert waivers.count("{check:") == 2
    tree({"waivers.yaml": waivers, "decl/s.yaml": BACKUP.format(offsite="true")})
    result = _check()
    assert _status(result, "BKP-003") == "waived"
    assert _report(result).get("notices", []) == []


def test_a_check_named_without_values_accepts_any_of_its_values(tree: Tree) -> None:
    accepts = "    accepts:\n      - {check: 0}\n"
    tree(
        {
            ".hdsguard.yaml": EXP_CONFIG,
            "decl/s.yaml": EXPOSED.replace("protocol: ftp", "protocol: telnet"),
            "waivers.yaml": HEAD.format(rule="EXP-001", target="services/results") + accepts,
        }
    )
    assert _status(_check(), "EXP-001") == "waived"


def test_a_french_run_compares_reasons_not_words(tree: Tree) -> None:
    tree({".hdsguard.yaml": EXP_CONFIG, "decl/s.yaml": EXPOSED})
    waivers = HEAD.format(rule="EXP-001", target="services/results") + _suggested("EXP-001")
    tree({"waivers.yaml": waivers})
    assert _status(_check("--lang", "fr"), "EXP-001") == "waived"

    tree({"decl/s.yaml": EXPOSED.replace("protocol: ftp", "protocol: telnet")})
    changed = run_cli(["--lang", "fr", "check", "--as-of", AS_OF, "--format", "json"])
    assert _status(changed, "EXP-001") == "fail"
    [notice] = _report(changed)["notices"]
    assert notice.startswith(
        "waivers.yaml:3:5: la dérogation à EXP-001 pour services/results n'accepte pas"
    )
    assert "la vérification `0` (`protocol`) cite" in notice


def test_an_unknown_check_is_a_located_error(tree: Tree) -> None:
    accepts = "    accepts:\n      - {check: protocl}\n"
    tree(
        {
            ".hdsguard.yaml": EXP_CONFIG,
            "decl/s.yaml": EXPOSED,
            "waivers.yaml": HEAD.format(rule="EXP-001", target="services/results") + accepts,
        }
    )
    result = _check()
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "waivers.yaml:10:17: waivers[0].accepts[0].check: EXP-001 has no check `protocl`"
    )


def test_an_empty_accepts_is_refused(tree: Tree) -> None:
    tree(
        {
            ".hdsguard.yaml": EXP_CONFIG,
            "decl/s.yaml": EXPOSED,
            "waivers.yaml": HEAD.format(rule="EXP-001", target="services/results")
            + "    accepts: []\n",
        }
    )
    result = _check()
    assert result.exit_code == 2
    assert "waivers.yaml:9:" in result.stderr and "accepts" in result.stderr


def test_new_only_without_a_baseline_is_a_usage_error(tree: Tree) -> None:
    tree({".hdsguard.yaml": EXP_CONFIG, "decl/s.yaml": EXPOSED})
    result = run_cli(["check", "--as-of", AS_OF, "--new-only"])
    assert result.exit_code == 2
    assert "--new-only leaves out the failures a baseline lists, and no baseline is named" in (
        result.stderr
    )
    french = run_cli(["--lang", "fr", "check", "--as-of", AS_OF, "--new-only"])
    assert french.exit_code == 2
    assert "--new-only" in french.stderr and "aucune référence" in french.stderr
