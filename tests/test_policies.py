"""Every built-in policy: valid against the policy schema, and its inline cases behave."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from hdsguard.policies.celenv import CelRuntime
from hdsguard.policies.load import builtin_policy_dir, load_catalogue
from hdsguard.policies.selftest import CaseResult, run_case
from tests.helpers import REPO

RUNTIME = CelRuntime()
CATALOGUE = load_catalogue(RUNTIME, with_specs=True)
CASES = [
    pytest.param(policy, index, case, id=f"{policy.id}[{index}] {case.name}")
    for policy in CATALOGUE.values()
    for index, case in enumerate(policy.authoring().tests)
]


@pytest.mark.parametrize(("policy", "index", "case"), CASES)
def test_inline_case(policy: object, index: int, case: object) -> None:
    result: CaseResult = run_case(RUNTIME, policy, index, case)  # type: ignore[arg-type]
    assert result.ok, result.problem


def test_builtin_directory_is_the_repository_catalogue() -> None:
    assert builtin_policy_dir().resolve() == (REPO / "policies").resolve()


@pytest.mark.parametrize("path", sorted((REPO / "policies").glob("*.yaml")), ids=lambda p: p.name)
def test_policy_file_matches_the_published_schema(path: Path) -> None:
    schema = json.loads((REPO / "schemas" / "policy.schema.json").read_text())
    data = yaml.safe_load(path.read_text())
    # Dates in YAML test cases are strings for hdsguard; safe_load makes them dates.
    jsonschema.validate(json.loads(json.dumps(data, default=str)), schema)
    assert path.stem == data["id"], "a built-in policy file is named after its id"


def test_every_case_of_a_policy_covers_pass_and_fail() -> None:
    for policy in CATALOGUE.values():
        expected = {case.expect for case in policy.authoring().tests}
        assert {"pass", "fail"} <= expected, policy.id
