"""Waivers: every state with its exact message, inclusive expiry, and governance errors."""

from __future__ import annotations

import json

import pytest
from click.testing import Result

from tests.config_support import AS_OF, CONFIG, FIREWALLS, Tree, rows, waiver
from tests.helpers import REPO, run_cli

EDGE_MESSAGE = "last patched 2025-06-02, 544 days before 2026-11-28; the limit is 90 days"


def waivers(*items: str) -> str:
    return "version: 1\nwaivers:\n" + "".join(items)


def run(tree: Tree, waiver_file: str, config: str = CONFIG, as_of: str = AS_OF) -> Result:
    tree({".hdsguard.yaml": config, "waivers.yaml": waiver_file, "decl/fw.yaml": FIREWALLS})
    return run_cli(["check", "--as-of", as_of, "--format", "json"])


def notices(result: Result) -> list[str]:
    notes: list[str] = json.loads(result.stdout).get("notices", [])
    return notes


def edge(result: Result) -> dict[str, object]:
    report = json.loads(result.stdout)
    found: dict[str, object] = next(
        f for f in report["findings"] if f["target"] == "firewalls/fw-edge-1"
    )
    return found


def test_an_active_waiver_waives_the_finding_and_keeps_it_in_the_report(tree: Tree) -> None:
    result = run(tree, waivers(waiver("firewalls/fw-edge-1", "2027-03-01")))
    assert result.exit_code == 0
    assert rows(result) == [
        ("FW-001", "firewalls/fw-core-1", "pass"),
        ("FW-001", "firewalls/fw-dmz-1", "pass"),
        ("FW-001", "firewalls/fw-edge-1", "waived"),
    ]
    finding = edge(result)
    assert finding["message"] == EDGE_MESSAGE
    assert finding["waiver"] == {
        "justification": "Replacement ordered",
        "owner": "Nadia Benali",
        "approver": "RSSI",
        "expires": "2027-03-01",
        "ticket": "SEC-42",
    }
    assert notices(result) == []
    assert json.loads(result.stdout)["summary"]["waived"] == 1


@pytest.mark.parametrize(
    ("as_of", "status", "exit_code", "notice"),
    [
        pytest.param(
            "2026-12-14",
            "waived",
            0,
            "waivers.yaml:3:5: waiver for FW-001 on firewalls/fw-edge-1 expires on 2026-12-15 "
            "(1 day left): renew it or fix the finding",
            id="day-before",
        ),
        pytest.param(
            "2026-12-15",
            "waived",
            0,
            "waivers.yaml:3:5: waiver for FW-001 on firewalls/fw-edge-1 expires on 2026-12-15 "
            "(today is its last day): renew it or fix the finding",
            id="expires-is-the-last-valid-day",
        ),
        pytest.param(
            "2026-12-16",
            "fail",
            1,
            "waivers.yaml:3:5: waiver for FW-001 on firewalls/fw-edge-1 expired on 2026-12-15: "
            "the finding counts again",
            id="day-after",
        ),
    ],
)
def test_expiry_is_inclusive(
    tree: Tree, as_of: str, status: str, exit_code: int, notice: str
) -> None:
    result = run(tree, waivers(waiver("firewalls/fw-edge-1", "2026-12-15")), as_of=as_of)
    assert result.exit_code == exit_code
    assert ("FW-001", "firewalls/fw-edge-1", status) in rows(result)
    assert notices(result) == [notice]


def test_an_expired_waiver_says_so_in_the_finding(tree: Tree) -> None:
    result = run(tree, waivers(waiver("firewalls/fw-edge-1", "2026-10-01")))
    assert result.exit_code == 1
    finding = edge(result)
    assert finding["status"] == "fail"
    assert "waiver" not in finding
    assert finding["message"] == EDGE_MESSAGE + " (waiver expired on 2026-10-01)"


def test_an_expired_waiver_another_one_replaces_does_not_say_the_finding_counts(
    tree: Tree,
) -> None:
    # The finding stays waived by the pattern: "the finding counts again" would be untrue.
    result = run(
        tree,
        waivers(
            waiver("firewalls/fw-edge-1", "2026-10-01"),
            waiver("firewalls/*", "2027-03-01", justification="Firewall renewal project"),
        ),
    )
    assert result.exit_code == 0
    assert ("FW-001", "firewalls/fw-edge-1", "waived") in rows(result)
    assert edge(result)["message"] == EDGE_MESSAGE
    assert notices(result) == [
        "waivers.yaml:3:5: waiver for FW-001 on firewalls/fw-edge-1 expired on 2026-10-01, "
        "and another waiver covers what it matched: remove it"
    ]


@pytest.mark.parametrize(
    ("expires", "notice"),
    [
        pytest.param(
            "2026-12-28",
            "waivers.yaml:3:5: waiver for FW-001 on firewalls/fw-edge-1 expires on 2026-12-28 "
            "(30 days left): renew it or fix the finding",
            id="warn_days-ahead",
        ),
        pytest.param("2026-12-29", None, id="one-day-beyond-warn_days"),
    ],
)
def test_expiring_within_warn_days_is_a_notice(
    tree: Tree, expires: str, notice: str | None
) -> None:
    result = run(tree, waivers(waiver("firewalls/fw-edge-1", expires)))
    assert result.exit_code == 0
    assert ("FW-001", "firewalls/fw-edge-1", "waived") in rows(result)
    assert notices(result) == ([notice] if notice else [])


def test_warn_days_is_configurable(tree: Tree) -> None:
    config = CONFIG + "waiver_policy: {warn_days: 60}\n"
    result = run(tree, waivers(waiver("firewalls/fw-edge-1", "2027-01-20")), config)
    assert notices(result) == [
        "waivers.yaml:3:5: waiver for FW-001 on firewalls/fw-edge-1 expires on 2027-01-20 "
        "(53 days left): renew it or fix the finding"
    ]


def test_an_orphan_waiver_is_a_notice_and_a_passing_finding_stays_pass(tree: Tree) -> None:
    result = run(
        tree,
        waivers(
            waiver("firewalls/fw-edge-1", "2027-03-01"),
            waiver("firewalls/fw-core-1", "2027-03-01"),
            waiver("firewalls/fw-gone", "2027-03-01"),
        ),
    )
    assert result.exit_code == 0
    assert ("FW-001", "firewalls/fw-core-1", "pass") in rows(result)
    assert notices(result) == [
        "waivers.yaml:10:5: waiver for FW-001 on firewalls/fw-core-1 matches no fail, warn or "
        "error finding (orphan): remove it",
        "waivers.yaml:17:5: waiver for FW-001 on firewalls/fw-gone matches no fail, warn or "
        "error finding (orphan): remove it",
    ]


def test_an_orphan_waiver_with_a_misspelt_target_names_the_likely_one(tree: Tree) -> None:
    # "remove it" is the wrong advice for a typo: the finding it was written for still fails
    # (found playing a new user, the fourteenth session).
    result = run(tree, waivers(waiver("firewalls/fw-edge-l", "2027-03-01")))
    assert result.exit_code == 1
    assert ("FW-001", "firewalls/fw-edge-1", "fail") in rows(result)
    assert notices(result) == [
        "waivers.yaml:3:5: waiver for FW-001 on firewalls/fw-edge-l matches no fail, warn or "
        "error finding (orphan): did you mean `firewalls/fw-edge-1`, whose FW-001 finding it "
        "would waive? Correct the target, or remove the waiver"
    ]


def test_a_pattern_waives_every_match_and_an_exact_target_is_preferred(tree: Tree) -> None:
    config = CONFIG + "params:\n  FW-001: {max_patch_age_days: 60}\n"
    result = run(
        tree,
        waivers(
            waiver("firewalls/*", "2027-03-01", justification="Firewall renewal project"),
            waiver("firewalls/fw-edge-1", "2027-02-01", justification="Edge replaced in January"),
        ),
        config,
    )
    assert result.exit_code == 0
    assert rows(result) == [
        ("FW-001", "firewalls/fw-core-1", "pass"),
        ("FW-001", "firewalls/fw-dmz-1", "waived"),
        ("FW-001", "firewalls/fw-edge-1", "waived"),
    ]
    report = json.loads(result.stdout)
    reasons = {f["target"]: f.get("waiver", {}).get("justification") for f in report["findings"]}
    assert reasons == {
        "firewalls/fw-core-1": None,
        "firewalls/fw-dmz-1": "Firewall renewal project",
        "firewalls/fw-edge-1": "Edge replaced in January",
    }


def test_text_output_shows_the_waiver_and_the_notices(tree: Tree) -> None:
    tree(
        {
            ".hdsguard.yaml": CONFIG,
            "waivers.yaml": waivers(waiver("firewalls/fw-edge-1", "2026-12-15")),
            "decl/fw.yaml": FIREWALLS,
        }
    )
    result = run_cli(["check", "--as-of", AS_OF])
    assert result.exit_code == 0
    assert "WAIVED FW-001 [high]" in result.stdout
    assert "    waived until 2026-12-15 by RSSI: Replacement ordered" in result.stdout
    assert (
        "notice: waivers.yaml:3:5: waiver for FW-001 on firewalls/fw-edge-1 expires on "
        "2026-12-15 (17 days left): renew it or fix the finding"
    ) in result.stdout.splitlines()
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("config", "item", "expected"),
    [
        pytest.param(
            CONFIG,
            waiver("firewalls/fw-edge-1", "2027-01-01", rule="FW-0001"),
            "waivers.yaml:3:11: waivers[0].rule: unknown rule 'FW-0001'; did you mean 'FW-001'?",
            id="unknown-rule",
        ),
        pytest.param(
            CONFIG + "waiver_policy: {forbidden: [FW-001]}\n",
            waiver("firewalls/fw-edge-1", "2027-01-01"),
            "waivers.yaml:3:11: waivers[0].rule: waivers for FW-001 are forbidden "
            "(waiver_policy.forbidden in .hdsguard.yaml)",
            id="forbidden",
        ),
        pytest.param(
            CONFIG + "waiver_policy: {max_days: {high: 90}}\n",
            waiver("firewalls/fw-edge-1", "2027-03-01", created="2026-11-01"),
            "waivers.yaml:10:14: waivers[0].expires: waiver lasts 120 days (from 2026-11-01, to "
            "2027-03-01), over the 90-day cap for high findings "
            "(waiver_policy.max_days.high in .hdsguard.yaml)",
            id="over-the-cap",
        ),
        pytest.param(
            CONFIG + "waiver_policy: {max_days: {high: 90}}\n",
            waiver("firewalls/fw-edge-1", "2027-02-27"),
            "waivers.yaml:9:14: waivers[0].expires: waiver lasts 91 days (from 2026-11-28, the "
            "evaluation date, to 2027-02-27), over the 90-day cap for high findings "
            "(waiver_policy.max_days.high in .hdsguard.yaml)",
            id="over-the-cap-from-as-of",
        ),
        pytest.param(
            CONFIG + "severity: {FW-001: critical}\nwaiver_policy: {max_days: {critical: 30}}\n",
            waiver("firewalls/fw-edge-1", "2027-01-01", created="2026-11-28"),
            "waivers.yaml:10:14: waivers[0].expires: waiver lasts 34 days (from 2026-11-28, to "
            "2027-01-01), over the 30-day cap for critical findings "
            "(waiver_policy.max_days.critical in .hdsguard.yaml)",
            id="cap-follows-the-severity-override",
        ),
        pytest.param(
            CONFIG,
            waiver("firewall/fw-edge-1", "2027-01-01"),
            "waivers.yaml:4:13: waivers[0].target: unknown section 'firewall'; "
            "did you mean 'firewalls'?",
            id="unknown-section",
        ),
        pytest.param(
            CONFIG,
            waiver("firewalls/fw-edge-1", "2027-01-01", created="2027-02-01"),
            "waivers.yaml:9:14: waivers[0].created: created 2027-02-01 is after expires 2027-01-01",
            id="created-after-expires",
        ),
        # issue 12, point 8: dated in the future, a 30-day waiver applied from today
        pytest.param(
            CONFIG + "waiver_policy: {max_days: {high: 30}}\n",
            waiver("firewalls/fw-edge-1", "2029-12-31", created="2029-12-01"),
            "waivers.yaml:9:14: waivers[0].created: created 2029-12-01 is after the evaluation "
            "date 2026-11-28: a waiver cannot be granted in the future; write the date it was "
            "approved\n"
            "waivers.yaml:10:14: waivers[0].expires: waiver lasts 1129 days (from 2026-11-28, "
            "the evaluation date, to 2029-12-31), over the 30-day cap for high findings "
            "(waiver_policy.max_days.high in .hdsguard.yaml)",
            id="created-in-the-future",
        ),
        pytest.param(
            CONFIG,
            waiver("firewalls/fw-edge-1", "2027-01-01", created="2026-11-29"),
            "waivers.yaml:9:14: waivers[0].created: created 2026-11-29 is after the evaluation "
            "date 2026-11-28: a waiver cannot be granted in the future; write the date it was "
            "approved",
            id="created-tomorrow-without-cap",
        ),
        pytest.param(
            CONFIG,
            waiver("firewalls/fw-edge-1", "2027-01-01").replace("ticket", "tikcet"),
            "waivers.yaml:8:5: unknown key 'tikcet' in waivers[0]; did you mean 'ticket'?",
            id="unknown-key",
        ),
        pytest.param(
            CONFIG,
            waiver("firewalls/fw-edge-1", "2027-01-01").replace("    expires: 2027-01-01\n", ""),
            "waivers.yaml:3:5: waivers[0]: required field 'expires' is missing; add `expires:` "
            "with a date written YYYY-MM-DD, such as `2026-11-28`",
            id="expires-required",
        ),
    ],
)
def test_governance_errors_are_located(tree: Tree, config: str, item: str, expected: str) -> None:
    result = run(tree, waivers(item), config)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == expected.splitlines()


def test_a_waiver_at_the_cap_is_accepted(tree: Tree) -> None:
    config = CONFIG + "waiver_policy: {max_days: {high: 90}}\n"
    result = run(tree, waivers(waiver("firewalls/fw-edge-1", "2027-02-26")), config)
    assert result.exit_code == 0


def test_the_waiver_file_is_not_read_as_declarations(tree: Tree) -> None:
    tree(
        {
            ".hdsguard.yaml": "declarations: ['.']\nrules: {enable: [FW-001]}\n",
            "waivers.yaml": waivers(waiver("firewalls/fw-edge-1", "2027-03-01")),
            "fw.yaml": FIREWALLS,
        }
    )
    result = run_cli(["check", "--as-of", AS_OF, "--format", "json"])
    assert result.exit_code == 0
    assert ("FW-001", "firewalls/fw-edge-1", "waived") in rows(result)


def test_a_waiver_file_named_by_the_config(tree: Tree) -> None:
    tree(
        {
            ".hdsguard.yaml": CONFIG + "waivers: governance/exceptions.yaml\n",
            "governance/exceptions.yaml": waivers(waiver("firewalls/fw-edge-1", "2026-12-01")),
            "decl/fw.yaml": FIREWALLS,
        }
    )
    result = run_cli(["check", "--as-of", AS_OF, "--format", "json"])
    assert result.exit_code == 0
    assert notices(result) == [
        "governance/exceptions.yaml:3:5: waiver for FW-001 on firewalls/fw-edge-1 expires on "
        "2026-12-01 (3 days left): renew it or fix the finding"
    ]
    # Notices also reach stderr when no text report is printed (CI logs).
    assert result.stderr.startswith("hdsguard: notice: governance/exceptions.yaml:3:5: ")


def test_the_example_config_applies_to_the_lab_group(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO / "examples" / "config")
    result = run_cli(["check", "--as-of", AS_OF, "--format", "json"])
    assert result.exit_code == 1  # the lab group still has critical findings to fix
    assert [r for r in rows(result) if r[2] == "waived"] == [
        ("FW-001", "firewalls/fw-edge-1", "waived"),
        ("FW-002", "firewalls/fw-edge-1", "waived"),
        ("FW-003", "firewalls/fw-edge-1", "waived"),
        ("LOG-002", "logging", "waived"),
    ]
    assert notices(result) == [
        "waivers.yaml:42:5: waiver for LOG-002 on logging expires on 2026-12-20 "
        "(22 days left): renew it or fix the finding"
    ]


CRITICAL = CONFIG + "severity: {FW-001: critical}\n"
LONG_CRITICAL = (
    "waivers.yaml:3:5: waiver for FW-001 on firewalls/fw-edge-1 accepts a critical risk for "
    "120 days (from 2026-11-01, to 2027-03-01): a critical risk is usually reviewed every 90 "
    "days. Review it sooner (a shorter `expires`, renewed after the review), or cap critical "
    "waivers in the config: `waiver_policy.max_days.critical: 90` (none is set)"
)


def test_a_long_critical_waiver_without_a_cap_is_a_notice_not_an_error(tree: Tree) -> None:
    # The severity after the config's override decides; the waiver still applies.
    item = waiver("firewalls/fw-edge-1", "2027-03-01", created="2026-11-01")
    result = run(tree, waivers(item), CRITICAL)
    assert result.exit_code == 0
    assert ("FW-001", "firewalls/fw-edge-1", "waived") in rows(result)
    assert notices(result) == [LONG_CRITICAL]
    # The same waiver of a high rule, or a critical one with a cap set, or a quarter long:
    # nothing to say (the cap, when set, is what decides).
    assert notices(run(tree, waivers(item))) == []
    capped = CRITICAL + "waiver_policy: {max_days: {critical: 365}}\n"
    assert notices(run(tree, waivers(item), capped)) == []
    quarter = waiver("firewalls/fw-edge-1", "2027-01-30", created="2026-11-01")
    assert notices(run(tree, waivers(quarter), CRITICAL)) == []


def test_a_long_critical_waiver_without_created_counts_from_the_evaluation_date(
    tree: Tree,
) -> None:
    result = run(tree, waivers(waiver("firewalls/fw-edge-1", "2027-03-01")), CRITICAL)
    assert notices(result) == [
        "waivers.yaml:3:5: waiver for FW-001 on firewalls/fw-edge-1 accepts a critical risk for "
        "93 days (from 2026-11-28, the evaluation date, to 2027-03-01): a critical risk is "
        "usually reviewed every 90 days. Review it sooner (a shorter `expires`, renewed after "
        "the review), or cap critical waivers in the config: "
        "`waiver_policy.max_days.critical: 90` (none is set)"
    ]


def test_an_expired_long_critical_waiver_gets_only_its_expiry_notice(tree: Tree) -> None:
    item = waiver("firewalls/fw-edge-1", "2027-03-01", created="2026-11-01")
    result = run(tree, waivers(item), CRITICAL, as_of="2027-03-02")
    assert result.exit_code == 1
    assert notices(result) == [
        "waivers.yaml:3:5: waiver for FW-001 on firewalls/fw-edge-1 expired on 2027-03-01: "
        "the finding counts again"
    ]


def test_the_long_critical_waiver_notice_in_french(tree: Tree) -> None:
    item = waiver("firewalls/fw-edge-1", "2027-03-01", created="2026-11-01")
    tree({".hdsguard.yaml": CRITICAL, "waivers.yaml": waivers(item), "decl/fw.yaml": FIREWALLS})
    result = run_cli(["check", "--as-of", AS_OF, "--format", "json", "--lang", "fr"])
    assert notices(result) == [
        "waivers.yaml:3:5: la dérogation à FW-001 pour firewalls/fw-edge-1 accepte un risque "
        "critique pendant 120 jours (du 1er novembre 2026, au 1er mars 2027) : un risque critique "
        "se revoit d'ordinaire tous les 90 jours. Revoyez-le plus tôt (un `expires` plus proche, "
        "renouvelé après la revue), ou plafonnez les dérogations critiques dans la configuration "
        ": `waiver_policy.max_days.critical: 90` (aucun plafond n'est fixé)"
    ]
