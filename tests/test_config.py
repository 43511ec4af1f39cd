"""The organisation config `.hdsguard.yaml`: discovery, precedence, located errors."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from hdsguard.api import CheckOptions, check
from hdsguard.configpath import find_config
from hdsguard.errors import InputError
from tests.config_support import AS_OF, CONFIG, FIREWALLS, Tree, rows
from tests.helpers import run_cli

ALL_FAIL_AT_60 = [
    ("FW-001", "firewalls/fw-core-1", "pass"),
    ("FW-001", "firewalls/fw-dmz-1", "fail"),
    ("FW-001", "firewalls/fw-edge-1", "fail"),
]
DEFAULTS = [
    ("FW-001", "firewalls/fw-core-1", "pass"),
    ("FW-001", "firewalls/fw-dmz-1", "pass"),
    ("FW-001", "firewalls/fw-edge-1", "fail"),
]

# A user policy, in a directory named by the config (relative to the config's directory).
USER_POLICY = """
id: ORG-001
title: Firewalls name their vendor
severity: low
applies_to: firewalls
description: Every firewall names its vendor.
rationale: Patching needs to know whom to ask.
remediation: Declare the vendor of {{ self.id }}.
references: [Internal rule]
params:
  vendors:
    type: list
    default: []
    description: Accepted vendors (empty accepts any).
condition: has(self.vendor) && (params.vendors.size() == 0 || self.vendor in params.vendors)
message: vendor missing or not accepted
tests:
  - {name: ok, as_of: 2026-11-28, declarations: {firewalls: [{id: f, vendor: A}]}, expect: pass}
  - {name: ko, as_of: 2026-11-28, declarations: {firewalls: [{id: f}]}, expect: fail}
"""


def test_a_bare_check_finds_the_config_by_walking_up_from_a_nested_directory(
    tree: Tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree(
        {
            ".hdsguard.yaml": CONFIG + "params:\n  FW-001: {max_patch_age_days: 60}\n",
            "decl/firewalls.yaml": FIREWALLS,
            "team/infra/notes.txt": "not a declaration\n",
        }
    )
    monkeypatch.chdir(tmp_path / "team" / "infra")
    result = run_cli(["check", "--as-of", AS_OF, "--format", "json"])
    assert result.exit_code == 1
    assert rows(result) == ALL_FAIL_AT_60


def test_discovery_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / ".hdsguard.yaml").write_text(CONFIG)
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "sub").mkdir()
    assert find_config(repo / "sub") is None
    assert find_config(tmp_path / "repo" / "..") == tmp_path / "repo" / ".." / ".hdsguard.yaml"
    (repo / ".hdsguard.yaml").write_text(CONFIG)
    assert find_config(repo / "sub") == repo / ".hdsguard.yaml"


def test_explicit_config_and_no_config(tree: Tree) -> None:
    tree(
        {
            "ci/strict.yaml": "declarations: [../decl]\nrules: {enable: [FW-001]}\n"
            "params:\n  FW-001: {max_patch_age_days: 60}\n",
            ".hdsguard.yaml": CONFIG,
            "decl/firewalls.yaml": FIREWALLS,
        }
    )
    explicit = run_cli(
        ["check", "--config", "ci/strict.yaml", "--as-of", AS_OF, "--format", "json"]
    )
    assert rows(explicit) == ALL_FAIL_AT_60
    found = run_cli(["check", "--as-of", AS_OF, "--format", "json"])
    assert rows(found) == DEFAULTS
    ignored = run_cli(["check", "decl", "--no-config", "--as-of", AS_OF, "--format", "json"])
    assert ("FW-001", "firewalls/fw-dmz-1", "pass") in rows(ignored)
    both = run_cli(["check", "--config", "ci/strict.yaml", "--no-config"])
    assert both.exit_code == 2
    assert "--config and --no-config exclude each other" in both.stderr


def test_command_line_wins_over_the_file(tree: Tree) -> None:
    tree(
        {
            ".hdsguard.yaml": CONFIG + "fail_on: critical\n",
            "decl/firewalls.yaml": FIREWALLS,
            "other/firewalls.yaml": "firewalls:\n  - {id: fw-lab-1, last_patch: 2026-11-01}\n",
        }
    )
    # fail_on: critical in the file; FW-001 is high, so its failure does not fail the gate...
    assert run_cli(["check", "--as-of", AS_OF]).exit_code == 0
    # ...unless --fail-on says otherwise.
    assert run_cli(["check", "--as-of", AS_OF, "--fail-on", "high"]).exit_code == 1
    # PATHS replace the config's `declarations`.
    other = run_cli(["check", "other", "--as-of", AS_OF, "--format", "json"])
    assert rows(other) == [("FW-001", "firewalls/fw-lab-1", "pass")]


def test_severity_override_and_disabled_rule(tree: Tree) -> None:
    tree(
        {
            ".hdsguard.yaml": CONFIG + "severity: {FW-001: critical}\nfail_on: critical\n",
            "decl/firewalls.yaml": FIREWALLS,
            "off.yaml": "declarations: [decl]\nrules: {disable: [FW-001]}\n",
        }
    )
    result = run_cli(["check", "--as-of", AS_OF, "--format", "json"])
    assert result.exit_code == 1
    report = result.stdout
    assert '"severity": "critical"' in report and '"severity": "high"' not in report
    off = run_cli(["check", "--config", "off.yaml", "--as-of", AS_OF, "--format", "json"])
    assert [r for r in rows(off) if r[0] == "FW-001"] == []


def test_settings_that_leave_no_rule_are_an_error_not_a_green_run(tree: Tree) -> None:
    """A gate that evaluates nothing would report 0 failures and exit 0 (engineer A3's audit):
    enabling only rules that are also disabled is a located error, exit 2."""
    tree(
        {
            ".hdsguard.yaml": "declarations: [decl]\nrules:\n  enable: [FW-001]\n"
            "  disable: [FW-001]\n",
            "decl/firewalls.yaml": FIREWALLS,
        }
    )
    result = run_cli(["check", "--as-of", AS_OF])
    assert result.exit_code == 2, result.stdout
    assert ".hdsguard.yaml:3:11: rules.enable: these settings leave no rule to evaluate" in (
        result.stderr
    )
    with pytest.raises(InputError, match="leave no rule to evaluate"):
        check(["decl"], CheckOptions(as_of=datetime.date(2026, 11, 28), disabled=frozenset(
            {"FW-001"}), only=frozenset({"FW-001"})))  # fmt: skip
    # One rule left is a run.
    tree({".hdsguard.yaml": "declarations: [decl]\nrules: {enable: [FW-001, FW-002], "
          "disable: [FW-001]}\n"})  # fmt: skip
    assert run_cli(["check", "--as-of", AS_OF]).exit_code in (0, 1)


def test_a_missing_declaration_path_of_the_config_is_located_in_it(tree: Tree) -> None:
    # It was an absolute path that "cannot be read", with no hint that the config named it.
    tree({"org/.hdsguard.yaml": "version: 1\ndeclarations: [decl, gone]\n", "org/decl/fw.yaml": ""})
    for args in (["check"], ["baseline"], ["report", "-o", "a.html"]):
        result = run_cli([*args, "--config", "org/.hdsguard.yaml"])
        assert result.exit_code == 2, result.output
        # Reported with the problems of the paths that exist, in the same run.
        assert result.stderr == (
            "org/.hdsguard.yaml:2:22: declarations[1]: declaration file or directory not "
            "found: org/gone\n"
            "org/decl/fw.yaml:1:1: the file declares nothing (empty, or only comments): "
            "declare at least one section, or delete the file\n"
        )


def test_a_missing_policy_directory_of_the_config_is_located_in_it(tree: Tree) -> None:
    # Like a missing waiver file: the config line to fix, not a bare path.
    tree(
        {
            "org/.hdsguard.yaml": "version: 1\npolicies: [rules, gone]\n",
            "org/rules/.keep": "",
            "org.yaml": "version: 1\norganisation: {name: Clinique}\n",  # what check reads
        }
    )
    for args in (["check"], ["policies", "list"], ["policies", "test"]):
        result = run_cli([*args, "--config", "org/.hdsguard.yaml"])
        assert result.exit_code == 2, result.output
        assert result.stderr == (
            "org/.hdsguard.yaml:2:19: policies[1]: policy directory not found: org/gone\n"
        )


def test_policy_directories_are_relative_to_the_config(tree: Tree, tmp_path: Path) -> None:
    tree(
        {
            "org/.hdsguard.yaml": "declarations: [../decl]\npolicies: [rules]\n"
            "rules: {enable: [FW-001, ORG-001]}\n"
            "params:\n  ORG-001: {vendors: [Stormshield]}\n",
            "org/rules/ORG-001.yaml": USER_POLICY,
            "decl/firewalls.yaml": "firewalls:\n  - {id: fw-1, vendor: Fortinet, "
            "last_patch: 2026-11-01}\n",
        }
    )
    result = run_cli(
        ["check", "--config", "org/.hdsguard.yaml", "--as-of", AS_OF, "--format", "json"]
    )
    assert rows(result) == [
        ("FW-001", "firewalls/fw-1", "pass"),
        ("ORG-001", "firewalls/fw-1", "fail"),
    ]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param(
            "declaration: [decl]\n",
            [
                ".hdsguard.yaml:1:1: unknown key 'declaration' in the top level; "
                "did you mean 'declarations'?"
            ],
            id="unknown-key",
        ),
        pytest.param(
            "params:\n  FW-001:\n    max_patch_age_days: '30'\n",
            [
                ".hdsguard.yaml:3:25: params.FW-001.max_patch_age_days: "
                "expected an integer, got '30'"
            ],
            id="param-type",
        ),
        pytest.param(
            "params:\n  FW-001:\n    max_patch_age_days: -1\n",
            [".hdsguard.yaml:3:25: params.FW-001.max_patch_age_days: must be at least 0, got -1"],
            id="param-minimum",
        ),
        pytest.param(
            "params:\n  FW-001:\n    max_patch_age: 30\n",
            [
                ".hdsguard.yaml:3:5: params.FW-001.max_patch_age: unknown parameter "
                "'max_patch_age' of FW-001; did you mean 'max_patch_age_days'?"
            ],
            id="param-name",
        ),
        pytest.param(
            "params:\n  FW-0001: {max_patch_age_days: 30}\n",
            [".hdsguard.yaml:2:3: params.FW-0001: unknown rule 'FW-0001'; did you mean 'FW-001'?"],
            id="param-rule",
        ),
        pytest.param(
            "rules:\n  disable: [FW-001, FW-0001]\n",
            [
                ".hdsguard.yaml:2:21: rules.disable[1]: unknown rule 'FW-0001'; "
                "did you mean 'FW-001'?"
            ],
            id="disabled-rule",
        ),
        pytest.param(
            "severity:\n  FW-001: hihg\n",
            [
                ".hdsguard.yaml:2:11: severity.FW-001: invalid value 'hihg': write one of "
                "`critical`, `high`, `medium`, `low`, `info`; did you mean `high`?"
            ],
            id="severity-value",
        ),
        pytest.param(
            "waiver_policy:\n  max_days: {critcal: 90}\n",
            [
                ".hdsguard.yaml:2:14: unknown key 'critcal' in waiver_policy.max_days; "
                "did you mean 'critical'?"
            ],
            id="max-days-key",
        ),
        pytest.param(
            "waiver_policy:\n  forbidden: [XYZ-999]\n",
            [".hdsguard.yaml:2:15: waiver_policy.forbidden[0]: unknown rule 'XYZ-999'"],
            id="forbidden-rule",
        ),
        pytest.param(
            "version: 2\n",
            [
                ".hdsguard.yaml:1:10: config format version 2 is newer than this hdsguard "
                "understands (version 1): upgrade hdsguard rather than risk misreading the file"
            ],
            id="future-version",
        ),
        pytest.param(
            "- a\n- list\n",
            [".hdsguard.yaml:1:1: a config file is a mapping of keys"],
            id="not-a-mapping",
        ),
        pytest.param(
            "waivers: exceptions.yaml\n",
            [".hdsguard.yaml:1:10: waivers: waiver file not found: exceptions.yaml"],
            id="missing-waiver-file",
        ),
    ],
)
def test_config_errors_are_located(tree: Tree, config: str, expected: list[str]) -> None:
    tree({".hdsguard.yaml": config, "decl/firewalls.yaml": FIREWALLS})
    result = run_cli(["check", "decl", "--as-of", AS_OF])
    assert result.exit_code == 2
    errors = result.stderr.splitlines()
    assert len(errors) == len(expected)
    for line, start in zip(errors, expected, strict=True):
        assert line.startswith(start), line


def test_every_config_problem_is_reported_at_once(tree: Tree) -> None:
    tree(
        {
            ".hdsguard.yaml": "params:\n  FW-0001: {}\nseverity: {FW-0001: low}\n",
            "decl/firewalls.yaml": "firewalls:\n  - {id: fw-1, last_pach: 2026-01-01}\n",
        }
    )
    result = run_cli(["check", "decl", "--as-of", AS_OF])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        ".hdsguard.yaml:2:3: params.FW-0001: unknown rule 'FW-0001'; did you mean 'FW-001'?",
        ".hdsguard.yaml:3:12: severity.FW-0001: unknown rule 'FW-0001'; did you mean 'FW-001'?",
        "decl/firewalls.yaml:2:16: unknown key 'last_pach' in firewalls/fw-1; "
        "did you mean 'last_patch'?",
    ]


def test_a_config_named_inside_the_declarations_is_not_read_as_one(tree: Tree) -> None:
    tree(
        {"hdsguard.yaml": "declarations: ['.']\nrules: {enable: [FW-001]}\n", "fw.yaml": FIREWALLS}
    )
    result = run_cli(["check", "--config", "hdsguard.yaml", "--as-of", AS_OF, "--format", "json"])
    assert rows(result) == DEFAULTS


def test_library_options_are_checked_against_the_catalogue(tree: Tree) -> None:
    tree({"fw.yaml": FIREWALLS})
    options = CheckOptions(
        as_of=datetime.date(2026, 11, 28), params={"FW-001": {"max_patch_age_days": "x"}}
    )
    with pytest.raises(InputError) as caught:
        check(["fw.yaml"], options)
    assert [str(p) for p in caught.value.problems] == [
        "<options>: params.FW-001.max_patch_age_days: expected an integer, got 'x'"
    ]


def test_a_rule_id_short_of_a_zero_gets_the_rule_it_names(tree: Tree) -> None:
    # `GOV-01` is as close to GOV-010 as to GOV-001 letter by letter; the hint was GOV-010.
    tree(
        {
            ".hdsguard.yaml": "version: 1\ndeclarations: [decl]\nrules: {disable: [GOV-01]}\n",
            "decl/fw.yaml": FIREWALLS,
            "waivers.yaml": "waivers:\n  - {rule: gov-1, target: organisation, justification: j,"
            " owner: o, approver: a, expires: 2027-01-31}\n",
        }
    )
    result = run_cli(["check", "--as-of", AS_OF])
    assert result.exit_code == 2
    assert "rules.disable[0]: unknown rule 'GOV-01'; did you mean 'GOV-001'?" in result.stderr
    assert "waivers[0].rule: unknown rule 'gov-1'; did you mean 'GOV-001'?" in result.stderr
    explain = run_cli(["policies", "explain", "GOV-01", "--no-config"])
    assert "no policy 'GOV-01'; did you mean GOV-001?" in explain.stderr
