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


# Checks whose remediation does not name their field, each for a reason: the fix line is read
# as the answer to the failure just above it, so a field it never names leaves the reader with
# a to-do item and no instruction.
REMEDIATION_NEED_NOT_NAME = {
    # The certificate's fields all come from one object the remediation names as a whole.
    ("EVD-006", "subject"),
    ("EVD-006", "not_before"),
    ("EVD-006", "not_after"),
    ("EVD-006", "signature_algorithm"),
    ("EVD-006", "issuer"),
    # The peers of a site-to-site tunnel are described in the remediation in words (restrict
    # the peers), and the missing-evidence message names the field.
    ("EXP-005", "peers"),
    # The location of each party: the remediation names the target to update as a whole.
    ("HDS-006", "country"),
    # Whether the vendor reaches health data decides applicability of the audit delay; its
    # missing-evidence message names the field, the fix is the audit itself.
    ("VND-005", "health_data_access"),
    # Mail domains: the remediation names each domain's `dmarc`, the entry's field.
    ("MSG-001", "domains"),
    # Whether a firewall faces the Internet only chooses between two deadlines; the
    # missing-evidence message names the field, the fix is the patch.
    ("PAT-003", "internet_facing"),
}


def _policy_files() -> list[Path]:
    return sorted((REPO / "policies").glob("*.yaml"))


def test_the_remediation_names_the_field_each_check_decides() -> None:
    """A failing check's field (or the block holding it, or its last name) is named by the
    remediation printed under it, in English and in French, or the check is listed above."""
    missing: list[str] = []
    for path in _policy_files():
        policy = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts = [policy["remediation"]]
        translations = policy.get("translations", {}).values()
        texts += [t["remediation"] for t in translations if "remediation" in t]
        for check in policy.get("checks", []):
            field = check.get("field")
            if not field or (policy["id"], field) in REMEDIATION_NEED_NOT_NAME:
                continue
            names = field.split(".")
            for text in texts:
                if not any(name.lower() in text.lower() for name in names):
                    missing.append(f"{policy['id']} {field}: {text[:60]}…")
    assert missing == []
