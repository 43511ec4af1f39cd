"""Invalid policies are hard, located errors; user policies load beside the built-ins."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import AS_OF, findings_of, run_cli

Tree = Callable[[dict[str, str]], Path]

GOOD = """
id: ACME-001
title: Firewalls have a vendor
severity: low
applies_to: firewalls
description: Every firewall names its vendor.
rationale: An auditor needs to know what is deployed.
remediation: Declare `vendor` for {{ self.id }}.
references: [internal policy 12]
requires: [vendor]
field: vendor
condition: self.vendor != ""
message: vendor is empty
tests:
  - {name: ok, as_of: 2026-11-28, declarations: {firewalls: [{id: a, vendor: X}]}, expect: pass}
  - {name: missing, as_of: 2026-11-28, declarations: {firewalls: [{id: a}]}, expect: fail}
"""


def test_user_policy_runs_beside_the_builtins(tree: Tree) -> None:
    tree({"pol/acme.yaml": GOOD, "d/fw.yaml": "firewalls:\n  - id: fw-1\n"})
    result = run_cli(["check", "d", "--policies", "pol", "--as-of", AS_OF, "--format", "json"])
    acme = [
        (f["rule"], f["target"], f["status"], f["line"])
        for f in findings_of(result)
        if f["rule"] == "ACME-001"
    ]
    assert acme == [("ACME-001", "firewalls/fw-1", "fail", 2)]
    assert any(f["rule"] == "FW-001" for f in findings_of(result))


def test_bad_cel_is_located(tree: Tree) -> None:
    tree(
        {
            "pol/acme.yaml": GOOD.replace('self.vendor != ""', "self.vendor !="),
            "d/fw.yaml": "firewalls:\n  - id: fw-1\n",
        }
    )
    result = run_cli(["check", "d", "--policies", "pol"])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "pol/acme.yaml:11:12: CEL does not compile: ERROR: condition:1:"
    )


def test_undeclared_helper_is_located(tree: Tree) -> None:
    tree(
        {
            "pol/acme.yaml": GOOD.replace('self.vendor != ""', "nope(self)"),
            "d/fw.yaml": "firewalls:\n  - id: fw-1\n",
        }
    )
    result = run_cli(["check", "d", "--policies", "pol"])
    assert result.exit_code == 2
    assert "undeclared reference to 'nope'" in result.stderr


def test_schema_violation_is_located(tree: Tree) -> None:
    tree(
        {
            "pol/acme.yaml": GOOD.replace("severity: low", "severity: severe"),
            "d/fw.yaml": "firewalls:\n  - id: fw-1\n",
        }
    )
    result = run_cli(["check", "d", "--policies", "pol"])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "pol/acme.yaml:3:11: severity: invalid value 'severe': write one of `critical`"
    )


def test_clash_with_a_builtin_needs_override(tree: Tree) -> None:
    clash = GOOD.replace("ACME-001", "FW-001")
    tree({"pol/fw.yaml": clash, "d/fw.yaml": "firewalls:\n  - id: fw-1\n    vendor: X\n"})
    refused = run_cli(["check", "d", "--policies", "pol"])
    assert refused.exit_code == 2
    assert "policy id FW-001 is already defined by" in refused.stderr
    assert "override: true" in refused.stderr
    (Path("pol/fw.yaml")).write_text(clash + "override: true\n")
    accepted = run_cli(["check", "d", "--policies", "pol", "--as-of", AS_OF, "--format", "json"])
    fw = [
        (f["rule"], f["status"], f["message"])
        for f in findings_of(accepted)
        if f["rule"] == "FW-001"
    ]
    assert fw == [("FW-001", "pass", "compliant: Firewalls have a vendor")]


BROKEN = """
id: ACME-002
title: Firewall model is x
severity: low
applies_to: firewalls
description: d
rationale: r
remediation: r
references: [internal]
condition: self.model == "x"
message: not x
tests:
  - {name: x, as_of: 2026-11-28, declarations: {firewalls: [{id: a, model: x}]}, expect: pass}
  - {name: y, as_of: 2026-11-28, declarations: {firewalls: [{id: a, model: y}]}, expect: fail}
  - {name: none, as_of: 2026-11-28, declarations: {firewalls: [{id: a}]}, expect: error}
"""


def test_runtime_error_is_an_error_finding_not_a_pass(tree: Tree) -> None:
    tree({"pol/acme.yaml": BROKEN, "d/fw.yaml": "firewalls:\n  - id: fw-1\n"})
    assert run_cli(["policies", "test", "pol"]).exit_code == 0
    result = run_cli(["check", "d", "--policies", "pol", "--as-of", AS_OF, "--format", "json"])
    acme = [f for f in findings_of(result) if f["rule"] == "ACME-002"]
    assert [f["status"] for f in acme] == ["error"]
    assert "Key not found" in acme[0]["message"]
    assert result.exit_code == 1


def test_policies_test_reports_a_wrong_case(tree: Tree) -> None:
    wrong = GOOD.replace(
        "declarations: {firewalls: [{id: a}]}, expect: fail",
        "declarations: {firewalls: [{id: a}]}, expect: pass",
    )
    wrong = wrong.replace(
        "{name: ok,",
        "{name: also-fails, as_of: 2026-11-28, declarations: "
        "{firewalls: [{id: a}]}, expect: fail}\n  - {name: ok,",
    )
    tree({"pol/acme.yaml": wrong})
    result = run_cli(["policies", "test", "pol"])
    assert result.exit_code == 1
    assert "FAIL ACME-001 pol/acme.yaml tests[2] missing" in result.stdout
    assert "expected pass, got fail: evidence missing: `vendor` is not declared" in result.stdout
    assert result.stdout.splitlines()[-1] == "2 passed, 1 failed"


def test_policies_test_passes_on_a_good_directory(tree: Tree) -> None:
    tree({"pol/acme.yaml": GOOD})
    result = run_cli(["policies", "test", "pol"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "2 passed, 0 failed"


def test_policies_test_on_a_folder_without_policies_is_an_error(tree: Tree) -> None:
    tree({"pol/README.md": "nothing here"})
    result = run_cli(["policies", "test", "pol"])
    assert result.exit_code == 2
    assert result.stderr == "pol: no policy file (.yaml, .yml) found here\n"


def test_policies_list_rejects_an_unknown_section() -> None:
    result = run_cli(["policies", "list", "--section", "firewall"])
    assert result.exit_code == 2
    assert "firewalls" in result.stderr


def test_a_policy_directory_named_twice_is_loaded_once(tree: Tree) -> None:
    # `--policies` adds to the config's `policies` (docs/configuration.md): naming the same
    # directory in both, or twice, must not make each policy collide with itself.
    tree(
        {
            "pol/acme.yaml": GOOD,
            "d/fw.yaml": "firewalls:\n  - id: fw-1\n    vendor: X\n",
            ".hdsguard.yaml": "version: 1\npolicies: [pol]\n",
        }
    )
    for extra in (["--policies", "pol"], ["--policies", "./pol/"]):
        result = run_cli(["check", "d", *extra, "--as-of", AS_OF, "--format", "json"])
        assert result.exit_code in (0, 1), result.stderr
        acme = [f["status"] for f in findings_of(result) if f["rule"] == "ACME-001"]
        assert acme == ["pass"]
    listed = run_cli(["policies", "list", "--policies", "pol"])
    assert listed.exit_code == 0, listed.stderr
    assert listed.stdout.count("ACME-001") == 1


def test_a_warn_if_that_returns_no_boolean_is_an_error_not_a_pass(tree: Tree) -> None:
    # Like `condition` and `applicable_if`: a non-boolean is never silently a pass.
    warns = GOOD.replace(
        "message: vendor is empty\n",
        "message: vendor is empty\nwarn_if: self.vendor\nwarn_message: odd vendor\n",
    )
    tree({"pol/acme.yaml": warns, "d/fw.yaml": "firewalls:\n  - id: fw-1\n    vendor: X\n"})
    result = run_cli(["check", "d", "--policies", "pol", "--as-of", AS_OF, "--format", "json"])
    acme = [(f["status"], f["message"]) for f in findings_of(result) if f["rule"] == "ACME-001"]
    assert acme == [("error", "warn_if returned 'X' (str), not true or false")]
    assert result.exit_code == 1


def test_a_section_listed_twice_in_applies_to_is_an_error(tree: Tree) -> None:
    # Each target would otherwise be evaluated, and reported, twice.
    twice = GOOD.replace("applies_to: firewalls", "applies_to: [firewalls, firewalls]")
    tree({"pol/acme.yaml": twice, "d/fw.yaml": "firewalls:\n  - id: fw-1\n    vendor: X\n"})
    result = run_cli(["check", "d", "--policies", "pol"])
    assert result.exit_code == 2
    assert result.stderr.startswith("pol/acme.yaml:4:13: applies_to: "), result.stderr
    assert "'firewalls' is listed twice" in result.stderr


def test_a_user_policy_without_help_uri_links_to_no_catalogue_page(tree: Tree) -> None:
    # The catalogue page (docs/policies.md) documents the built-in rules only: an anchor for
    # ACME-001 there would be a dead link in SARIF, Markdown and JUnit.
    tree({"pol/acme.yaml": GOOD, "d/fw.yaml": "firewalls:\n  - id: fw-1\n"})
    args = ["check", "d", "--policies", "pol", "--as-of", AS_OF]
    sarif = run_cli([*args, "--format", "sarif"])
    rules = {r["id"]: r for r in json.loads(sarif.stdout)["runs"][0]["tool"]["driver"]["rules"]}
    assert "helpUri" not in rules["ACME-001"]
    assert rules["FW-001"]["helpUri"].endswith("docs/policies.md#fw-001")
    markdown = run_cli([*args, "--format", "markdown"]).stdout
    assert "#acme-001" not in markdown
    assert "#fw-001)" in markdown
    linked = GOOD + "help_uri: https://intranet.example/acme-001\n"
    Path("pol/acme.yaml").write_text(linked)
    sarif = run_cli([*args, "--format", "sarif"])
    rules = {r["id"]: r for r in json.loads(sarif.stdout)["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["ACME-001"]["helpUri"] == "https://intranet.example/acme-001"


WITH_PARAM = GOOD.replace(
    'condition: self.vendor != ""', "condition: size(self.vendor) >= params.min_len"
).replace(
    "references: [internal policy 12]\n",
    "references: [internal policy 12]\n"
    "params:\n  min_len: {type: integer, default: 1, minimum: 1, description: shortest name}\n",
)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ("{min_lenn: 2}", "tests.0.params.min_lenn: unknown parameter 'min_lenn' of ACME-001; "
         "did you mean 'min_len'?"),
        ('{min_len: "2"}', "tests.0.params.min_len: expected an integer, got '2'"),
        ("{min_len: 0}", "tests.0.params.min_len: must be at least 1, got 0"),
    ],
)  # fmt: skip
def test_inline_case_params_are_checked_like_the_config_s(
    tree: Tree, params: str, message: str
) -> None:
    # A misspelt parameter left the case running on the default: the test passed for the
    # wrong reason. A wrong type made the case an `error` that said nothing of the cause.
    case = WITH_PARAM.replace("expect: pass}", f"expect: pass, params: {params}}}")
    tree({"pol/acme.yaml": case, "d/fw.yaml": "firewalls:\n  - id: fw-1\n    vendor: X\n"})
    for args in (["policies", "test", "pol"], ["check", "d", "--policies", "pol"]):
        result = run_cli(args)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("pol/acme.yaml:"), result.stderr
        assert message in result.stderr, result.stderr
    Path("pol/acme.yaml").write_text(
        WITH_PARAM.replace("expect: pass}", "expect: pass, params: {min_len: 1}}")
    )
    assert run_cli(["policies", "test", "pol"]).exit_code == 0


def test_an_unclosed_placeholder_is_a_located_error(tree: Tree) -> None:
    # Shown as is, `{{ self.vendor` would put CEL source into every failure message.
    broken = GOOD.replace("message: vendor is empty", "message: vendor {{ self.vendor is empty")
    tree({"pol/acme.yaml": broken, "d/fw.yaml": "firewalls:\n  - id: fw-1\n"})
    for args in (["policies", "test", "pol"], ["check", "d", "--policies", "pol"]):
        result = run_cli(args)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("pol/acme.yaml:12:10: "), result.stderr
        assert "unclosed placeholder: `{{` without `}}`" in result.stderr


def test_policies_test_refuses_a_builtin_id_as_check_does(tree: Tree) -> None:
    # The pre-commit hook `hdsguard-policies` runs `policies test DIR`: it must not pass a
    # policy that makes every `hdsguard check` stop with exit 2.
    clash = GOOD.replace("ACME-001", "FW-001")
    tree({"pol/fw.yaml": clash})
    refused = run_cli(["policies", "test", "pol"])
    assert refused.exit_code == 2
    assert refused.stderr.startswith("pol/fw.yaml:1:1: policy id FW-001 is already defined by ")
    assert "override: true" in refused.stderr
    Path("pol/fw.yaml").write_text(clash + "override: true\n")
    assert run_cli(["policies", "test", "pol"]).exit_code == 0


def test_a_key_the_target_lacks_says_to_require_it(tree: Tree) -> None:
    """A new policy's first runtime error: the condition reads a field some target leaves
    out. The error finding names the field and what to do, not only CEL's words."""
    unguarded = GOOD.replace("requires: [vendor]\n", "")
    tree({"pol/acme.yaml": unguarded, "d/fw.yaml": "firewalls:\n  - id: fw-1\n"})
    result = run_cli(["check", "d", "--policies", "pol", "--as-of", AS_OF, "--format", "json"])
    [acme] = [f for f in findings_of(result) if f["rule"] == "ACME-001"]
    assert acme["status"] == "error"
    assert acme["message"].startswith("condition could not be evaluated: ")
    assert acme["message"].endswith(
        "; it read `vendor`, which this target does not declare: name the field in the "
        "check's `requires`, so that a target without it fails as missing evidence, or test "
        "it with `has()`"
    )
    french = run_cli(["check", "d", "--policies", "pol", "--as-of", AS_OF, "--lang", "fr",
                      "--format", "json"])  # fmt: skip
    [acme] = [f for f in findings_of(french) if f["rule"] == "ACME-001"]
    assert "`vendor`" in acme["message"] and "`requires`" in acme["message"]
    assert "which this target" not in acme["message"]


@pytest.mark.parametrize(
    ("case", "where", "says"),
    [
        (  # the object written where its name goes
            "{target: {id: a, vendor: X}, expect: pass}",
            "tests.0.target",
            "a test case's `target` names the object it checks, as `section/id`",
        ),
        (
            "{name: no set, expect: pass}",
            "tests.0.declarations",
            "a test case runs on `declarations`, a declaration set",
        ),
        (
            "{declarations: {firewalls: [{id: a, vendor: X}]}}",
            "tests.0.expect",
            "a test case names the status it expects: `expect: pass`, `fail`",
        ),
    ],
)
def test_a_first_inline_case_s_mistakes_are_explained(
    tree: Tree, case: str, where: str, says: str
) -> None:
    head, _tests, _rest = GOOD.partition("tests:\n")
    tree({"pol/acme.yaml": f"{head}tests:\n  - {case}\n"})
    result = run_cli(["policies", "test", "pol"])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if f": {where}: " in line]
    assert lines and lines[0].startswith("pol/acme.yaml:") and says in lines[0], result.stderr
