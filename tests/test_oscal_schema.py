"""``--format oscal`` against NIST's official OSCAL assessment-results JSON Schema.

compliance-trestle's models (tests/test_audit_outputs.py) are one reading of OSCAL; this test
holds the output to the schema NIST publishes, committed under tests/data/oscal with its licence.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import regex
from jsonschema import Draft7Validator, validators
from jsonschema.exceptions import ValidationError

from tests.helpers import REPO, run_cli

SCHEMA = Path(__file__).resolve().parent / "data" / "oscal" / "oscal_assessment-results_schema.json"


def _unicode_pattern(
    validator: Any, pattern: str, instance: object, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    # The schema's patterns use \p{L} and \p{N}, which only the `regex` engine compiles.
    if validator.is_type(instance, "string") and not regex.search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


OscalValidator = validators.extend(Draft7Validator, {"pattern": _unicode_pattern})


def _errors(document: object) -> list[str]:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = OscalValidator(schema)
    return sorted(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(document)
    )


def _oscal(example: str, expected_exit: int) -> Any:
    result = run_cli(["check", str(REPO / "examples" / example), "--no-config",
                      "--as-of", "2026-11-28", "--format", "oscal"])  # fmt: skip
    assert result.exit_code == expected_exit, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(("example", "expected_exit"), [("lab-group", 1), ("hospital", 0)])
def test_oscal_output_is_valid_against_the_official_schema(
    example: str, expected_exit: int
) -> None:
    assert _errors(_oscal(example, expected_exit)) == []


def test_the_official_schema_rejects_a_broken_document() -> None:
    document = _oscal("lab-group", 1)
    document["assessment-results"]["uuid"] = "not-a-uuid"
    document["assessment-results"]["results"][0]["findings"][0]["target"]["status"]["state"] = "ok"
    errors = _errors(document)
    assert any(e.startswith("assessment-results/uuid:") for e in errors), errors
    assert any("'ok' is not one of" in e for e in errors), errors
