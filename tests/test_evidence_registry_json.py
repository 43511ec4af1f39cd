"""The ANS HDS registry snapshot in JSON: the same rows as the CSV, validated against its
schema, every problem located; both formats give the same findings."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from hdsguard.errors import InputError
from hdsguard.evidence.load import sniff
from hdsguard.evidence.registry import read_registry
from hdsguard.evidence.registry_json import read_registry_json
from tests.helpers import REPO
from tests.test_evidence_check import FIXTURES, PROVIDERS, check
from tests.test_evidence_check import _in_repo as _in_repo

JSON_FILE = FIXTURES / "hds-registry.json"
ROW = {
    "certificate": "HDS-1",
    "holder": "OVH SAS",
    "certifier": "LNE",
    "activities": [1],
    "valid_from": "2024-03-01",
    "valid_until": "2027-02-28",
}


def text(rows: list[dict[str, object]], **top: object) -> bytes:
    data = {"ans_hds_registry_snapshot": "2026-11-20", **top, "certificates": rows}
    return json.dumps(data, indent=2).encode()


def problems(data: bytes) -> list[str]:
    with pytest.raises(InputError) as exc:
        read_registry_json("r.json", data)
    return [str(p) for p in exc.value.problems]


def test_the_json_snapshot_reads_as_the_csv_one() -> None:
    from_json = read_registry_json("r.json", JSON_FILE.read_bytes())
    from_csv = read_registry("r.csv", (FIXTURES / "hds-registry.csv").read_bytes())
    assert from_json.snapshot == from_csv.snapshot == "2026-11-20"
    assert [(e.certificate, e.holder, e.certifier, e.activities, e.valid_from, e.valid_until)
            for e in from_json.entries] == [
        (e.certificate, e.holder, e.certifier, e.activities, e.valid_from, e.valid_until)
        for e in from_csv.entries
    ]  # fmt: skip
    assert [e.line for e in from_json.entries] == [6, 14]  # each row's opening brace


def test_it_is_recognised_by_its_content() -> None:
    assert sniff(JSON_FILE.read_bytes()) == "hds_registry_json"
    assert sniff(b'{"certificates": []}') is None


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (text([{**ROW, "activities": [1, 7]}]), "r.json:10:9: certificates[0].activities[1]"),
        (text([{**ROW, "valid_until": "2027-02-30"}]), "r.json:12:22: certificates[0].valid_until"),
        (text([{**ROW, "holdr": "x"}]), "r.json:13:7: unknown key 'holdr' in certificates[0]"),
        (text([{k: v for k, v in ROW.items() if k != "holder"}]), "r.json:4:5: certificates[0]"),
        (text([ROW], version=2), "r.json:3:14: ANS HDS registry snapshot format version 2"),
        (text([ROW, ROW]), "r.json:14: certificate HDS-1 is listed twice (first on line 4)"),
        (
            b'{"ans_hds_registry_snapshot": "2026-11-20", "certificates": [',
            "r.json:1:62: not valid",
        ),
        (b'{"ans_hds_registry_snapshot": "2026-13-01", "certificates": []}', "r.json:1:31: "),
        (b"[1]", "r.json:1:1: an ANS HDS registry snapshot is a JSON object"),
        (b'{"ans_hds_registry_snapshot": "2026-11-20"}', "r.json:1:1: the top level: required"),
    ],
)
def test_every_problem_is_located(data: bytes, expected: str) -> None:
    found = problems(data)
    assert any(p.startswith(expected) for p in found), found


def test_bad_values_are_explained() -> None:
    (bad,) = problems(text([{**ROW, "activities": [1, 7]}]))
    assert "less than or equal to 6" in bad
    (typo,) = problems(text([{**ROW, "holdr": "x"}]))
    assert "did you mean 'holder'?" in typo
    (newer,) = problems(text([ROW], version=2))
    assert "newer than this hdsguard understands" in newer


def test_the_committed_schema_accepts_the_example_and_refuses_a_bad_row() -> None:
    schema = json.loads((REPO / "schemas" / "hds-registry.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert not list(validator.iter_errors(json.loads(JSON_FILE.read_text("utf-8"))))
    assert list(validator.iter_errors(json.loads(text([{**ROW, "activities": []}]))))


def test_a_json_snapshot_gives_the_findings_of_the_csv_one(tmp_path: Path) -> None:
    from tests.helpers import write

    decl = write(tmp_path / "decl", {"providers.yaml": PROVIDERS})
    results = {}
    for name in ("hds-registry.csv", "hds-registry.json"):
        code, report, err = check(str(decl), "--evidence", str(FIXTURES / name))
        assert code == 1, err
        results[name] = {
            f["target"]: (f["status"], f["message"])
            for f in report["findings"]
            if f["rule"] == "EVD-010"
        }
        assert {"path": f"tests/fixtures/evidence/{name}", "kind": "hds_registry"}.items() <= (
            report["evidence"][0].items()
        )
    assert results["hds-registry.json"] == results["hds-registry.csv"]
    assert results["hds-registry.json"]["providers/ghost"][0] == "fail"
