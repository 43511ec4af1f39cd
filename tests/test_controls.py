"""Structured references: every built-in rule cites requirements the matrix can place."""

from __future__ import annotations

import json
import typing
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
import yaml

from hdsguard.audit.frameworks import framework_lists, listed_requirement
from hdsguard.policies.controls import FRAMEWORKS, id_problem
from hdsguard.policies.model import FrameworkName
from tests.helpers import REPO, run_cli
from tests.test_policy_loading import GOOD

Tree = Callable[[dict[str, str]], Path]
POLICY_FILES = sorted((REPO / "policies").glob("*.yaml"))


def _controls(path: Path) -> list[dict[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return list(data.get("controls", []))


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.stem)
def test_every_builtin_policy_has_a_structured_control(path: Path) -> None:
    assert _controls(path), f"{path.name}: add `controls:` (see docs/policy-format.md)"


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.stem)
def test_builtin_controls_are_listed_requirements(path: Path) -> None:
    """A control of a framework with a requirement list falls under a listed requirement,
    so that no rule is missing from its matrix (ISO 27001 clauses 4-10 are not listed)."""
    listed = {rl.framework for rl in framework_lists()}
    for control in _controls(path):
        framework, cid = control["framework"], control["id"]
        if framework not in listed or (framework == "iso27001-2022" and cid[0].isdigit()):
            continue
        assert listed_requirement(framework, cid) is not None, (path.name, framework, cid)


def test_framework_enum_of_the_model_is_the_framework_table() -> None:
    assert list(typing.get_args(FrameworkName)) == list(FRAMEWORKS)


def test_requirement_lists_have_the_expected_sizes_and_dates() -> None:
    sizes = {rl.framework: len(rl.requirements) for rl in framework_lists()}
    assert sizes["iso27001-2022"] == 93
    assert sizes["anssi-hygiene"] == 42
    assert {"hds-v2", "care", "gdpr", "csp"} <= sizes.keys()
    complete = {rl.framework: rl.complete for rl in framework_lists()}
    # GDPR: every article of chapters II to V (art. 5 to 50), no other, in order.
    gdpr = next(rl for rl in framework_lists() if rl.framework == "gdpr")
    assert [r.id for r in gdpr.requirements] == [f"art. {n}" for n in range(5, 51)]
    assert complete["gdpr"] and "chapters II to V" in gdpr.scope
    # HDS v2: the 31 numbered requirements EXI 1 to EXI 31, in order.
    hds = next(rl for rl in framework_lists() if rl.framework == "hds-v2")
    assert [r.id for r in hds.requirements] == [f"EXI-{n}" for n in range(1, 32)]
    assert complete["hds-v2"] and "EXI 1 to EXI 31" in hds.scope
    # Lists hdsguard could not verify in full stay selections, and the report says so.
    assert not complete["care"] and not complete["csp"]
    for rl in framework_lists():
        assert rl.as_of[:2] == "20" and rl.sources and rl.scope
    iso = next(rl for rl in framework_lists() if rl.framework == "iso27001-2022")
    themes = [r.id.split(".")[1] for r in iso.requirements]
    assert [themes.count(t) for t in "5678"] == [37, 8, 14, 34]


@pytest.mark.parametrize(
    ("framework", "good", "bad"),
    [
        ("hds-v2", "EXI-28", "EXI 28"),
        ("iso27001-2022", "A.8.8", "8,8"),
        ("anssi-hygiene", "34", "43"),
        ("care", "D2.O3.a", "D2-O4"),
        ("gdpr", "art. 28(3)", "article 28"),
        ("csp", "L.1111-8-2", "L1111-8"),
        ("nis2", "art. 21(2)(b)", "art. 21.2"),
    ],
)
def test_id_patterns(framework: str, good: str, bad: str) -> None:
    assert id_problem(framework, good) is None
    assert "is not a" in (id_problem(framework, bad) or "")
    assert "unknown framework" in (id_problem("iso9001", "1") or "")


def _schema_errors(controls: object) -> list[str]:
    schema = json.loads((REPO / "schemas" / "policy.schema.json").read_text(encoding="utf-8"))
    policy = json.loads(json.dumps(yaml.safe_load(GOOD), default=str))  # dates as text
    policy["controls"] = controls
    validator = jsonschema.Draft202012Validator(schema)
    return [e.message for e in validator.iter_errors(policy)]


def test_published_schema_checks_framework_and_id_pattern() -> None:
    assert _schema_errors([{"framework": "hds-v2", "id": "EXI-28"}]) == []
    assert _schema_errors([{"framework": "gdpr", "id": "art. 28", "note": "contract"}]) == []
    assert _schema_errors([{"framework": "hds-v2", "id": "EXI 28"}])
    assert _schema_errors([{"framework": "iso9001", "id": "1"}])
    assert _schema_errors([{"framework": "care"}])


@pytest.mark.parametrize(
    ("controls", "expected"),
    [
        ("[{framework: hds-v2, id: EXI 28}]", "'EXI 28' is not a hds-v2 id"),
        ("[{framework: iso9001, id: '1'}]", "framework"),
        ("[{framework: care, id: D2.O4, url: x}]", "url"),
    ],
)
def test_bad_control_in_a_user_policy_is_a_located_error(
    tree: Tree, controls: str, expected: str
) -> None:
    tree(
        {
            "pol/acme.yaml": GOOD + f"controls: {controls}\n",
            "d/fw.yaml": "firewalls:\n  - id: fw-1\n",
        }
    )
    result = run_cli(["check", "d", "--policies", "pol"])
    assert result.exit_code == 2
    assert result.stderr.startswith("pol/acme.yaml:16:"), result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_good_control_in_a_user_policy_is_accepted(tree: Tree) -> None:
    tree(
        {
            "pol/acme.yaml": GOOD + "controls: [{framework: anssi-hygiene, id: '4'}]\n",
            "d/fw.yaml": "firewalls:\n  - id: fw-1\n",
        }
    )
    assert run_cli(["check", "d", "--policies", "pol", "--as-of", "2026-11-28"]).exit_code == 1
