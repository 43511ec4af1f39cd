"""docs/declarations.md: generated from the model, in sync, and complete."""

from __future__ import annotations

import re

import pytest

from hdsguard.declref import markdown
from hdsguard.schemagen import declaration_schema
from tests.helpers import REPO, run_cli

DOC = REPO / "docs" / "declarations.md"


@pytest.fixture(scope="module")
def text() -> str:
    """The reference generated from the model and the catalogue (3-4 s), once for the module:
    the tests read parts of the same text."""
    return markdown()


def test_docs_are_in_sync_with_the_model(text: str) -> None:
    # After changing the model or a policy: hdsguard schema --markdown > docs/declarations.md
    assert DOC.read_text(encoding="utf-8") == text


def test_schema_markdown_prints_it(text: str) -> None:
    result = run_cli(["schema", "--markdown"])
    assert result.exit_code == 0
    assert result.stdout == text
    wrong = run_cli(["schema", "policy", "--markdown"])
    assert wrong.exit_code == 2
    assert "--markdown documents declarations only" in wrong.stderr


def test_every_section_and_field_is_documented(text: str) -> None:
    schema = declaration_schema()
    for section in schema["properties"]:
        assert f"## `{section}`" in text
    for model in schema["$defs"].values():
        for name in model.get("properties", {}):
            assert re.search(rf"^\| `{name}`", text, re.MULTILINE), name


def test_rows_say_type_values_meaning_readers_and_example(text: str) -> None:
    services = text[text.index("### `services[]`") :]
    protocol = next(line for line in services.splitlines() if line.startswith("| `protocol`"))
    cells = protocol.split(" | ")
    assert cells[0] == "| `protocol` **required**"
    assert cells[1] == "string"
    assert "`rdp`" in cells[2] and "`https`" in cells[2]
    assert cells[3] == "Application protocol spoken by the service."
    assert "[EXP-001](policies.md#exp-001)" in cells[4]
    firewalls = text[text.index("### `firewalls[]`") :]
    patch = next(line for line in firewalls.splitlines() if line.startswith("| `last_patch`"))
    cells = patch.split(" | ")
    assert cells[1:4] == [
        "date",
        "YYYY-MM-DD",
        "Date of the last firmware or security patch (YYYY-MM-DD).",
    ]
    assert "[FW-001](policies.md#fw-001)" in cells[4]
    assert re.fullmatch(r"`20[0-9]{2}-[0-9]{2}-[0-9]{2}` \|", cells[5])  # a real date, unquoted
    # a FINESS number stays quoted in its example, or YAML would read an integer
    ej = next(line for line in text.splitlines() if line.startswith("| `ej`"))
    assert ej.endswith('| `"750712184"` |')


def test_examples_come_from_passing_cases_before_the_traps_of_the_others(text: str) -> None:
    # BKP-003 fails `site: "Paris-1 "` (a trailing space), BKP-005 a certificate valid only
    # from the day after the evaluation date: a reader would copy either (HC, the fourteenth
    # session).
    systems = text[text.index("### `systems[]`") :]
    site = next(line for line in systems.splitlines() if line.startswith("| `site`"))
    assert site.endswith("| `Paris-1` |"), site
    starts = [line for line in text.splitlines() if line.startswith("| `valid_from`")]
    assert starts and all(not line.endswith("| `2026-11-29` |") for line in starts), starts


def _readers(text: str, heading: str, field: str) -> set[str]:
    part = text[text.index(f"### `{heading}`") :]
    part = part[: part.index("\n### ", 1)] if "\n### " in part[1:] else part
    row = next(line for line in part.splitlines() if line.startswith(f"| `{field}`"))
    return set(re.findall(r"\[([A-Z]+-[0-9]+)\]", row.split(" | ")[4]))


def test_a_rule_reads_what_its_expressions_read_not_the_words_of_its_messages(text: str) -> None:
    """EXP-005 was listed as reading `services[].addresses` because its message says "the
    addresses or networks of the partner's gateways"; FW-002 as reading a firewall's
    `vendor` ("left vendor support"), EXP-006 the organisation's `name` ("name the person
    accountable"). A rule reads a field through its conditions, requirements, located
    fields, the expressions of its messages, and the helpers that read it for it."""
    addresses = _readers(text, "services[]", "addresses")
    assert "EXP-005" not in addresses
    # evidence_ports_of(target) matches a service by its host, addresses, port and protocol.
    assert {"EVD-001", "EVD-003", "EVD-011", "EVD-012"} <= addresses
    assert {"EVD-003", "EVD-011", "EVD-012"} <= _readers(text, "services[]", "host")
    assert "FW-002" not in _readers(text, "firewalls[]", "vendor")
    assert "EVD-009" in _readers(text, "firewalls[]", "vendor")
    organisation = _readers(text, "organisation", "name")
    assert not {"EXP-006", "GOV-002"} & organisation and "EVD-010" in organisation
    # A subscript (`r["from"]`) and an optional field (`r.?to`) on a list item are reads.
    for field in ("from", "to", "port", "action"):
        assert "FW-004" in _readers(text, "firewalls[].rules[]", field), field


def test_a_field_a_helper_reads_on_the_object_it_is_given_has_its_readers(text: str) -> None:
    """VND-003 reads a sub-processor's `dpf_certified` through `is_adequate_for(s.country, s)`
    (a US recipient is covered only when certified): the table said no rule read it. The
    helper's fields are the data file's (countries.json, `recipient_field`)."""
    assert _readers(text, "vendors[].subprocessors[]", "dpf_certified") == {"VND-003"}
    assert "VND-003" in _readers(text, "vendors[]", "dpf_certified")
    assert "HDS-007" in _readers(text, "providers[]", "dpf_certified")
    # A rule that gives the helper its own target reads no field of the sub-processors.
    assert "HDS-007" not in _readers(text, "vendors[].subprocessors[]", "dpf_certified")


def test_optional_selects_and_named_fields_are_reads(text: str) -> None:
    """BKP-003 writes `self.?backup.?provider` (an optional select on each step) and PAT-002
    reads `kev_added` through `published_contradicted_by(v, ["kev_added", "cve"])`: the table
    listed neither (HB, twenty-fourth session)."""
    assert "BKP-003" in _readers(text, "systems[].backup", "provider")
    assert {"PAT-002", "PAT-003"} <= _readers(text, "services[].vulnerabilities[]", "kev_added")
    assert {"PAT-002", "PAT-003"} <= _readers(text, "firewalls[].vulnerabilities[]", "kev_added")
