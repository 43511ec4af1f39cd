"""JUnit XML output: parsed by junitparser (what CI report plugins read), golden file, escaping.

Regenerate the golden file after an intended change with ``pytest --update-goldens`` (or
``HDSGUARD_UPDATE_GOLDENS=1``) and review ``git diff tests/golden``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest
from junitparser import Error, Failure, JUnitXml, Skipped, TestCase

from hdsguard.findings import Report
from hdsguard.formatters import RenderOptions, junit
from hdsguard.formatters.junit import render
from hdsguard.i18n import language
from tests import legacy_junit
from tests.format_samples import (
    empty_report,
    fixture_report,
    nasty_report,
    repeated_report,
    sample_report,
)


def parse(report: Report) -> JUnitXml:
    text = render(report, RenderOptions())
    ET.fromstring(text.encode("utf-8"))  # well-formed XML 1.0
    return JUnitXml.fromstring(text)


def cases(report: Report) -> dict[tuple[str, str], TestCase]:
    return {(case.classname, case.name): case for suite in parse(report) for case in suite}


def outcome(case: TestCase) -> tuple[str, str | None]:
    if not case.result:
        return ("passed", None)
    (result,) = case.result
    kind = {Failure: "failure", Error: "error", Skipped: "skipped"}[type(result)]
    return (kind, result.message)


def test_golden(golden: Any) -> None:
    golden("sample.junit.xml", render(sample_report(), RenderOptions()))


def test_one_case_per_rule_and_target_with_its_outcome() -> None:
    got = {key: outcome(case) for key, case in cases(sample_report()).items()}
    assert got == {
        ("SMP-001", "firewalls/fw-core-1"): ("passed", None),
        ("SMP-001", "firewalls/fw-dmz-1"): (
            "skipped",
            "waived: Replacement ordered; the DMZ firewall is isolated until then "
            "(approved by RSSI, until 2027-01-31)",
        ),
        ("SMP-001", "firewalls/fw-edge-1"): ("failure", "patched 2025-06-02"),
        ("SMP-001", "firewalls/fw-old-1"): ("skipped", "baselined: patched 2024-01-02"),
        ("SMP-002", "identity"): ("failure", "evidence missing: `mfa_admin`"),
        ("SMP-003", "certificates/intranet"): ("passed", None),
        ("SMP-003", "certificates/portal"): ("passed", None),
        ("SMP-004", "vendors/cleaning"): ("skipped", "not applicable: no health data"),
        ("SMP-004", "vendors/tana"): ("failure", "never audited"),
        ("SMP-005", "firewalls/fw-edge-1"): (
            "error",
            "condition could not be evaluated: no such key: firmware",
        ),
    }


def test_one_suite_per_rule_with_counts() -> None:
    xml = parse(sample_report())
    assert (xml.tests, xml.failures, xml.errors, xml.skipped) == (10, 3, 1, 3)
    suites = {suite.name: suite for suite in xml}
    assert list(suites) == ["SMP-001", "SMP-002", "SMP-003", "SMP-004", "SMP-005"]
    smp1 = suites["SMP-001"]
    assert (smp1.tests, smp1.failures, smp1.errors, smp1.skipped) == (4, 1, 0, 2)
    props = {p.name: p.value for p in smp1.properties()}
    assert props == {
        "title": "Firewall patched recently",
        "severity": "high",
        "help_uri": "https://github.com/hdsguard/hdsguard/blob/main/docs/policies.md#smp-001",
    }


def test_failure_body_has_message_remediation_and_location() -> None:
    edge = cases(sample_report())[("SMP-001", "firewalls/fw-edge-1")]
    (failure,) = edge.result
    assert failure.type == "high"
    assert failure.text.splitlines() == [
        "firewalls/fw-edge-1: patched 2025-06-02",
        "Remediation: Fix fw-edge-1.",
        "Location: infra/firewalls.yaml:6:17",
        "Severity: high",
        "Reference: ISO/IEC 27001:2022 Annex A 8.1",
    ]
    element = ET.fromstring(render(sample_report(), RenderOptions()).encode())
    case = element.find(".//testcase[@name='firewalls/fw-edge-1'][@classname='SMP-001']")
    assert case is not None
    assert (case.get("file"), case.get("line")) == ("infra/firewalls.yaml", "6")


def test_warnings_pass_with_the_warning_in_system_out() -> None:
    portal = cases(sample_report())[("SMP-003", "certificates/portal")]
    assert portal.is_passed
    assert portal.system_out.startswith("WARN certificates/portal: expires on 2026-12-10")


def test_finding_without_file_says_so() -> None:
    identity = cases(sample_report())[("SMP-002", "identity")]
    assert "Location: (not declared)" in identity.result[0].text


def test_empty_report_is_a_valid_document() -> None:
    xml = parse(empty_report())
    assert (xml.tests, xml.failures) == (0, 0)


def test_hostile_text_stays_well_formed() -> None:
    text = render(nasty_report(), RenderOptions())
    text.encode("utf-8")
    assert "\x1b" not in text
    root = ET.fromstring(text.encode("utf-8"))
    failure = root.find(".//failure")
    assert failure is not None
    message = failure.get("message")
    assert message is not None and "<script>alert(1)</script>" in message
    assert "\\x1b[31mred" in message and "\n" not in message
    assert "::warning::y" in (failure.text or "")
    names = [case.name for suite in JUnitXml.fromstring(text) for case in suite]
    assert "firewalls/fw|`<b>`,:%\\x1b[31m" in names


@pytest.mark.parametrize("bad", ["\x00", "\x0b", "\x1f", "\ud800", "\ufffe", "\x7f"])
def test_characters_xml_cannot_carry_are_escaped(bad: str) -> None:
    report = nasty_report()
    f = report.findings[0]._replace(message=f"x{bad}y", target=f"t{bad}")
    parse(Report("0", "2026-11-28", (f,)))


def test_fixture_tree_through_the_library() -> None:
    got = {key: outcome(case)[0] for key, case in cases(fixture_report()).items()}
    assert got == {
        ("FMT-001", "firewalls/fw-core-1"): "passed",
        ("FMT-001", "firewalls/fw-edge-1"): "failure",
        ("FMT-002", "certificates/cert-intranet"): "passed",
        ("FMT-002", "certificates/cert-portal"): "passed",
        ("FMT-003", "vendors/biomaint"): "passed",
        ("FMT-003", "vendors/cleaning-co"): "skipped",
        ("FMT-003", "vendors/transcription-tana"): "failure",
        ("FMT-004", "identity"): "failure",
        ("FMT-005", "firewalls/fw-core-1"): "passed",
        ("FMT-005", "firewalls/fw-edge-1"): "error",
    }


def test_repeated_hostile_texts_give_the_elementtree_document() -> None:
    report = repeated_report()
    assert render(report, RenderOptions()) == legacy_junit.render(report)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_failures_escaped_piece_by_piece_as_written_whole(
    lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure's details escaped piece by piece (each message, target, file once for the
    report) give the bytes of the details escaped whole (the general path, taken when the
    words around a field are not plain text), in both languages."""
    report = repeated_report()
    with language(lang):
        pieces = render(report, RenderOptions())
        monkeypatch.setattr(junit, "_around", lambda template, field: None)
        whole = render(report, RenderOptions())
    assert pieces == whole
    assert ("Emplacement" in whole) is (lang == "fr")


def test_a_report_without_related_locations_does_not_import_the_text_formatter() -> None:
    """Only findings from evidence have related locations, worded as text words them: a
    JUnit report without any does not import the text formatter (≈ 4 ms of each run)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from hdsguard.formatters import RenderOptions, junit\n"
        "from tests.format_samples import sample_report\n"
        "junit.render(sample_report(), RenderOptions())\n"
        "print('hdsguard.formatters.text' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
