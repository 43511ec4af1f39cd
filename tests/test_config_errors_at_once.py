"""A config setting in error hides none of the run's other problems: the config's other
settings (unknown rule ids, parameters, directories that do not exist) and the declarations'
problems come in the same run, in the config's language, exit 2. What may only follow from
the setting in error is not said (a rule of a policy directory that is not loaded is not
"unknown"; no other directory is read in place of `declarations`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import run_cli, use_cache

AS_OF = "2026-12-01"
Tree = Callable[[dict[str, str]], Path]

SYSTEMS = """\
version: 1
systems:
  - id: dpi
    name: Dossier patient
    criticality: extreme
  - id: gam
    name: Gestion administrative
    hosted_by: nuage
"""

CONFIG = """\
declarations: [decl, missing]
severity: {FW-001: urgent, FW-999: high}
rules: {disable: [FW-01]}
params: {FW-001: {max_age: 3}}
"""

EXPECTED = [
    ".hdsguard.yaml:1:22: declarations[1]: declaration file or directory not found: missing",
    ".hdsguard.yaml:2:20: severity.FW-001: invalid value 'urgent': write one of `critical`, "
    "`high`, `medium`, `low`, `info`",
    ".hdsguard.yaml:2:28: severity.FW-999: unknown rule 'FW-999'",
    ".hdsguard.yaml:3:19: rules.disable[0]: unknown rule 'FW-01'; did you mean 'FW-001'?",
    ".hdsguard.yaml:4:19: params.FW-001.max_age: unknown parameter 'max_age' of FW-001; it "
    "has: max_patch_age_days",
    "decl/systems.yaml:5:18: systems/dpi.criticality: invalid value 'extreme': write one of "
    "`low`, `medium`, `high`, `critical`",
    "decl/systems.yaml:8:16: systems/gam: hosted_by refers to 'nuage', but no item of "
    "providers has that id (none is declared); declare it under `providers:` (`- id: nuage`), "
    "or correct the id",
]


def check(*args: str) -> tuple[int, str, str]:
    result = run_cli(["check", *args, "--as-of", AS_OF])
    return result.exit_code, result.stdout, result.stderr


def test_a_bad_severity_hides_nothing(tree: Tree) -> None:
    tree({".hdsguard.yaml": CONFIG, "decl/systems.yaml": SYSTEMS})
    code, out, err = check()
    assert (code, out) == (2, "")
    assert err.splitlines() == EXPECTED


def test_the_configs_language_holds_though_the_config_has_errors(tree: Tree) -> None:
    tree({".hdsguard.yaml": "lang: fr\n" + CONFIG, "decl/systems.yaml": SYSTEMS})
    code, _out, err = check()
    lines = err.splitlines()
    assert code == 2
    assert len(lines) == len(EXPECTED)
    assert "valeur invalide 'urgent'" in err
    assert "règle inconnue 'FW-999'" in err
    assert "fichier ou répertoire de déclarations introuvable" in err
    assert "aucun élément de providers" in err


def test_rules_of_a_policy_directory_not_loaded_are_not_unknown(tree: Tree) -> None:
    tree(
        {
            ".hdsguard.yaml": "policies: [ours]\nseverity: {ORG-001: high, FW-001: hi}\n",
            "decl/systems.yaml": SYSTEMS,
        }
    )
    code, _out, err = check("decl")
    assert code == 2
    assert ".hdsguard.yaml:1:12: policies[0]: policy directory not found: ours" in err
    assert ".hdsguard.yaml:2:35: severity.FW-001: invalid value 'hi'" in err
    assert "ORG-001" not in err  # may be a rule of `ours`: not called unknown
    assert "decl/systems.yaml:5:18: systems/dpi.criticality" in err


def test_declarations_in_error_read_no_other_directory(tree: Tree) -> None:
    tree(
        {
            ".hdsguard.yaml": "declarations: 5\nfail_on: x\n",
            "here.yaml": "version: 1\nsystems: [\n",  # would be an error if read
        }
    )
    code, _out, err = check()
    assert code == 2
    assert err.splitlines() == [
        ".hdsguard.yaml:1:15: declarations: Input should be a valid list, got an integer; write "
        "a list, each item a text",
        ".hdsguard.yaml:2:10: fail_on: invalid value 'x': write one of `critical`, `high`, "
        "`medium`, `low`, `info`",
    ]


def test_waivers_in_error_read_no_other_waiver_file(tree: Tree) -> None:
    tree(
        {
            ".hdsguard.yaml": "waivers: [a, b]\n",
            "waivers.yaml": "waivers: [\n",  # the default file: would be an error if read
            "decl/systems.yaml": SYSTEMS,
        }
    )
    code, _out, err = check("decl")
    assert code == 2
    assert ".hdsguard.yaml:1:10: waivers: " in err
    assert "waivers.yaml:" not in err.replace(".hdsguard.yaml:", "")
    assert "systems/dpi.criticality" in err


def test_policies_list_reports_every_problem_of_the_config(tree: Tree) -> None:
    tree({".hdsguard.yaml": CONFIG.replace("declarations: [decl, missing]\n", "")})
    result = run_cli(["policies", "list"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        line.replace(":2:", ":1:").replace(":3:", ":2:").replace(":4:", ":3:")
        for line in EXPECTED[1:5]
    ]


@pytest.mark.usefixtures("cache")
def test_config_and_declaration_problems_are_the_same_cold_warm_and_without_cache(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree({".hdsguard.yaml": CONFIG, "decl/systems.yaml": SYSTEMS})
    cold = check()
    assert cold[2].splitlines() == EXPECTED
    assert check() == cold
    with monkeypatch.context() as m:
        use_cache(m, None)
        assert check() == cold


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ("declarations: [decl\n", ".hdsguard.yaml:1:15: YAML syntax error: the '[' opened here"),
        ("version: 2\nlang: fr\n", ".hdsguard.yaml:1:10: config format version 2 is newer"),
    ],
    ids=["syntax-error", "later-version"],
)
def test_a_config_that_cannot_be_read_hides_no_declaration_problem(
    tree: Tree, config: str, problem: str
) -> None:
    """No setting of it is used (not even `lang`), but the declarations named on the
    command line are checked in the same run; without any, no directory is read."""
    tree({".hdsguard.yaml": config, "decl/systems.yaml": SYSTEMS, "here.yaml": "a: [\n"})
    code, _out, err = check("decl")
    lines = err.splitlines()
    assert code == 2
    assert len(lines) == 3
    assert lines[0].startswith(problem)
    assert lines[1:] == EXPECTED[5:]
    code, _out, err = check()
    assert code == 2
    assert len(err.splitlines()) == 1
    assert err.startswith(problem)
    result = run_cli(["policies", "list"])
    assert result.exit_code == 2
    assert result.stderr.startswith(problem)
