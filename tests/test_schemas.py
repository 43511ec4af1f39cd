"""Committed JSON Schemas are in sync with the models and are valid 2020-12 schemas."""

from __future__ import annotations

import json

import jsonschema
import pytest

from hdsguard.schemagen import SCHEMAS, render
from tests.helpers import REPO, run_cli


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_committed_schema_is_generated_from_the_model(name: str) -> None:
    committed = (REPO / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8")
    assert committed == render(SCHEMAS[name]()), "run: python -m hdsguard.schemagen"
    jsonschema.Draft202012Validator.check_schema(json.loads(committed))


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schema_command_prints_it(name: str) -> None:
    result = run_cli(["schema", name])
    assert result.exit_code == 0
    assert result.stdout == render(SCHEMAS[name]())
