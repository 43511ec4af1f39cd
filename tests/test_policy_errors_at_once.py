"""A broken policy file (``--policies`` or the config's ``policies``) hides none of the run's
other problems: the declarations' problems come out in the same run, exit 2, whether the
catalogue is compiled while the declarations are read (a large estate) or before. What only
follows from the broken file is not said: a rule it may define is not called unknown by the
config or the waivers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hdsguard.speed import ahead
from tests.helpers import run_cli

AS_OF = "2026-12-01"
Tree = Callable[[dict[str, str]], Path]

BROKEN_POLICY = """\
id: ORG-001
title: [unclosed
"""

SYSTEMS = """\
version: 1
systems:
  - id: dpi
    name: Dossier patient
    criticality: extreme
"""

WAIVERS = """\
version: 1
waivers:
  - rule: ORG-001
    target: systems/dpi
    justification: the broken policy's own rule
    owner: A
    approver: B
    ticket: T-1
    created: 2026-11-01
    expires: 2026-12-31
"""

POLICY_ERROR = (
    "ours/ORG-001.yaml:2:8: YAML syntax error: the '[' opened here is never closed, or two "
    "of its items have no ',' between them: add the ']' or the ',' (while parsing a flow "
    "sequence: did not find expected ',' or ']')"
)
DECLARATION_ERROR = (
    "decl/systems.yaml:5:18: systems/dpi.criticality: invalid value 'extreme': write one of "
    "`low`, `medium`, `high`, `critical`"
)


def check(*args: str) -> tuple[int, str, list[str]]:
    result = run_cli(["check", *args, "--as-of", AS_OF])
    return result.exit_code, result.stdout, result.stderr.splitlines()


@pytest.mark.parametrize("compiled_ahead", [False, True], ids=["before", "while-reading"])
def test_a_broken_policy_hides_no_declaration_problem(
    tree: Tree, monkeypatch: pytest.MonkeyPatch, compiled_ahead: bool
) -> None:
    monkeypatch.setattr(ahead, "MIN_BYTES", 1 if compiled_ahead else 1 << 30)
    tree({"ours/ORG-001.yaml": BROKEN_POLICY, "decl/systems.yaml": SYSTEMS})
    assert check("decl", "--policies", "ours") == (2, "", [DECLARATION_ERROR, POLICY_ERROR])


def test_the_config_and_waivers_do_not_call_the_broken_files_rule_unknown(tree: Tree) -> None:
    tree(
        {
            ".hdsguard.yaml": (
                "policies: [ours]\nwaivers: waivers.yaml\nseverity: {ORG-001: high}\n"
            ),
            "ours/ORG-001.yaml": BROKEN_POLICY,
            "waivers.yaml": WAIVERS,
            "decl/systems.yaml": SYSTEMS,
        }
    )
    assert check("decl") == (2, "", [DECLARATION_ERROR, POLICY_ERROR])


def test_a_broken_waiver_file_is_still_reported_beside_a_broken_policy(tree: Tree) -> None:
    tree(
        {
            ".hdsguard.yaml": "policies: [ours]\nwaivers: waivers.yaml\n",
            "ours/ORG-001.yaml": BROKEN_POLICY,
            "waivers.yaml": "version: 1\nwaivers: [\n",
            "decl/systems.yaml": SYSTEMS,
        }
    )
    code, out, err = check("decl")
    assert (code, out) == (2, "")
    assert err[0] == DECLARATION_ERROR
    assert err[1] == POLICY_ERROR
    assert [line for line in err if line.startswith("waivers.yaml:")]


def test_with_a_whole_catalogue_the_unknown_rule_is_still_reported(tree: Tree) -> None:
    tree(
        {
            ".hdsguard.yaml": "waivers: waivers.yaml\nseverity: {ORG-001: high}\n",
            "waivers.yaml": WAIVERS,
            "decl/systems.yaml": SYSTEMS,
        }
    )
    code, _out, err = check("decl")
    assert code == 2
    assert any("severity.ORG-001: unknown rule 'ORG-001'" in line for line in err)
    assert any("waivers[0].rule: unknown rule 'ORG-001'" in line for line in err)
    assert DECLARATION_ERROR in err
