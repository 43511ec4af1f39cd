"""GitHub Actions annotations: golden file, escaping, and the default under GITHUB_ACTIONS=true.

``parse_command`` follows the Actions runner's own parser (``ActionCommand.TryParseV2``): a
line that starts with ``::``, the command up to the next ``::``, properties split on ``,`` and
``=``, then ``%``-unescaping. Regenerate the golden file after an intended change with
``pytest --update-goldens`` (or ``HDSGUARD_UPDATE_GOLDENS=1``) and review
``git diff tests/golden``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from hdsguard.formatters import RenderOptions
from hdsguard.formatters.escape import document_text
from hdsguard.formatters.github import escape_data, escape_property, render
from hdsguard.output import Output, default_format, parse_outputs
from tests.format_samples import NASTY, empty_report, fixture_report, nasty_report, sample_report
from tests.helpers import AS_OF, REPO, run_cli


class Command(NamedTuple):
    name: str
    properties: dict[str, str]
    data: str


def _unescape(text: str, pairs: list[tuple[str, str]]) -> str:
    for escaped, plain in pairs:
        text = text.replace(escaped, plain)
    return text


_DATA = [("%0D", "\r"), ("%0A", "\n"), ("%25", "%")]
_PROPERTY = [("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")]


def parse_command(line: str) -> Command | None:
    if not line.startswith("::"):
        return None
    end = line.index("::", 2)
    head, data = line[2:end], line[end + 2 :]
    name, _, props = head.partition(" ")
    properties = {}
    for pair in filter(None, props.split(",")):
        key, _, value = pair.partition("=")
        properties[key] = _unescape(value, _PROPERTY)
    return Command(name, properties, _unescape(data, _DATA))


def commands(text: str) -> list[Command]:
    return [c for c in map(parse_command, text.splitlines()) if c is not None]


def test_golden(golden: Any) -> None:
    golden("sample.github.txt", render(sample_report(), RenderOptions()))


def test_annotations_for_fail_error_warn_and_baselined() -> None:
    got = [
        (c.name, c.properties.get("file"), c.properties.get("line"), c.properties["title"])
        for c in commands(render(sample_report(), RenderOptions()))
    ]
    assert got == [
        # most severe first: GitHub shows only the first ten errors and ten warnings
        ("error", None, None, "SMP-002 MFA for administrators [critical]"),
        ("error", "infra/firewalls.yaml", "6", "SMP-001 Firewall patched recently [high]"),
        ("warning", "infra/certs.yaml", "3", "SMP-003 Certificate not expiring soon [medium]"),
        ("error", "infra/vendor files/tana.yaml", "2", "SMP-004 Vendor audited [low]"),
        ("error", "infra/firewalls.yaml", "4", "SMP-005 Firmware recorded [info]"),
        # the baselined failure after every new one: GitHub shows only the first ten
        ("notice", "infra/firewalls.yaml", "20", "SMP-001 Firewall patched recently [high]"),
        ("notice", None, None, "hdsguard"),
    ]


def test_message_and_summary_line() -> None:
    text = render(sample_report(), RenderOptions())
    first = commands(text)[1]  # the critical finding without a location comes first
    assert first.properties["col"] == "17"
    assert first.data == "firewalls/fw-edge-1: patched 2025-06-02\nRemediation: Fix fw-edge-1."
    assert text.splitlines()[-1] == (
        "hdsguard 2026-11-28: 2 pass, 4 fail (3 new: 1 critical, 1 high, 1 low; 1 baselined), "
        "1 warn, 1 waived, 1 not applicable, 1 error"
    )
    assert render(empty_report(), RenderOptions()).count("\n") == 1


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("100%", "100%25", "100%25"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("a:b,c", "a:b,c", "a%3Ab%2Cc"),
        ("::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"),
        ("%0A", "%250A", "%250A"),
    ],
)
def test_escaping_rules_of_the_runner(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop
    assert _unescape(data, _DATA) == raw
    assert _unescape(prop, _PROPERTY) == raw


def test_hostile_text_cannot_split_or_inject_commands() -> None:
    text = render(nasty_report(), RenderOptions())
    assert "\x1b" not in text and "\r" not in text
    lines = text.splitlines()
    parsed = commands(text)
    assert len(lines) == len(parsed) + 1  # one line per annotation, plus the summary
    assert [c.name for c in parsed] == ["error", "warning", "error", "notice"]
    fail = parsed[0]
    target = "firewalls/fw|`<b>`,:%\x1b[31m"
    assert fail.properties["file"] == "in fra/a,b:c%|`<x>`.yaml"
    assert fail.properties["title"].startswith("SMP-001 a|b `code`")
    expected = f"{target}: {NASTY}\nRemediation: {NASTY}"
    assert fail.data == document_text(expected)


def test_default_format_under_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert default_format(None) == "github"
    assert parse_outputs([], None) == [Output("github", None)]
    assert parse_outputs(["text"], None) == [Output("text", None)]
    assert parse_outputs([], "report.txt") == [Output("text", "report.txt")]
    monkeypatch.setenv("GITHUB_ACTIONS", "false")
    assert parse_outputs([], None) == [Output("text", None)]
    monkeypatch.delenv("GITHUB_ACTIONS")
    assert default_format(None) == "text"


def test_cli_annotates_by_default_in_github_actions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    args = ["check", "tests/fixtures/formats/declarations", "--as-of", AS_OF]
    args += ["--policies", "tests/fixtures/formats/policies"]
    result = run_cli(args)
    assert result.exit_code == 1
    fmt = [c for c in commands(result.stdout) if c.properties.get("title", "").startswith("FMT-")]
    assert ("error", "tests/fixtures/formats/declarations/network.yaml", "12") in [
        (c.name, c.properties.get("file"), c.properties.get("line")) for c in fmt
    ]
    assert result.stdout.splitlines()[-1].startswith(f"hdsguard {AS_OF}: ")


def test_fixture_tree_through_the_library() -> None:
    got = [
        (c.name, c.properties["title"].split()[0])
        for c in commands(render(fixture_report(), RenderOptions()))
    ]
    assert got == [
        ("error", "FMT-004"),  # critical
        ("error", "FMT-001"),  # high
        ("warning", "FMT-002"),  # medium
        ("error", "FMT-003"),  # low
        ("error", "FMT-005"),  # info
    ]
