"""Several outputs from one evaluation (``--format text --format sarif=out.sarif``), for every
format, on the fixture tree and on each example declaration set."""

from __future__ import annotations

import json
import os
import shutil
import stat
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import click
import jsonschema
import pytest
from junitparser import JUnitXml

import hdsguard.api
from hdsguard.findings import Report
from hdsguard.formatters import FORMATS, RenderOptions, renderer
from hdsguard.output import Output, parse_outputs
from tests.format_samples import FIXTURE, nasty_report, sample_report
from tests.helpers import AS_OF, REPO, run_cli
from tests.test_fmt_markdown import tables
from tests.test_fmt_sarif import schema

FILES = {
    "json": "report.json",
    "sarif": "report.sarif",
    "junit": "junit.xml",
    "markdown": "summary.md",
    "github": "annotations.txt",
}


def validate(fmt: str, text: str) -> None:
    """The output of each format is what its consumers can read."""
    text.encode("utf-8")
    if fmt == "json":
        json.loads(text)
    elif fmt == "sarif":
        jsonschema.Draft4Validator(schema()).validate(json.loads(text))
    elif fmt == "junit":
        ET.fromstring(text.encode("utf-8"))
        JUnitXml.fromstring(text)
    elif fmt == "markdown":
        for table in tables(text):
            assert len({len(row) for row in table}) == 1
    elif fmt == "github":
        assert all(line.startswith(("::", "hdsguard ")) for line in text.splitlines())


@pytest.mark.parametrize(
    ("formats", "output", "expected"),
    [
        ([], None, [Output("text", None)]),
        (["json"], None, [Output("json", None)]),
        (["json"], "r.json", [Output("json", "r.json")]),
        (
            ["text", "sarif=r.sarif", "junit=j.xml", "markdown=s.md", "github=a.txt"],
            None,
            [
                Output("text", None),
                Output("sarif", "r.sarif"),
                Output("junit", "j.xml"),
                Output("markdown", "s.md"),
                Output("github", "a.txt"),
            ],
        ),
        (
            ["sarif=r.sarif", "text"],
            "out.txt",
            [Output("sarif", "r.sarif"), Output("text", "out.txt")],
        ),
    ],
)
def test_parse_outputs(
    formats: list[str],
    output: str | None,
    expected: list[Output],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert parse_outputs(formats, output) == expected


@pytest.mark.parametrize(
    ("formats", "output", "error"),
    [
        (["yaml"], None, "unknown format 'yaml'"),
        (["text", "json"], None, "only one format can go to standard output"),
        (["text", "json"], "r.txt", "--output names one file"),
        (["sarif=a", "junit=b"], "r.txt", "--output names one file"),
        # Two reports in one file: the second silently replaced the first.
        (["json=r.out", "sarif=r.out"], None, "r.out is named by two outputs"),
        (["json=r.out", "sarif=./r.out"], None, "r.out is named by two outputs"),
        (["json=r.out", "text"], "r.out", "r.out is named by two outputs"),
    ],
)
def test_parse_outputs_refuses(formats: list[str], output: str | None, error: str) -> None:
    with pytest.raises(click.BadParameter, match=error):
        parse_outputs(formats, output)


def test_every_format_is_registered() -> None:
    assert {"text", "json", "sarif", "junit", "markdown", "github"} <= set(FORMATS)


@pytest.fixture
def fixture_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "fixture")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def test_all_formats_in_one_run_evaluate_once(
    fixture_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports: list[Report] = []
    real_check = hdsguard.api.check

    def spy(*args: Any, **kwargs: Any) -> Report:
        reports.append(real_check(*args, **kwargs))
        return reports[-1]

    monkeypatch.setattr(hdsguard.api, "check", spy)
    args = ["check", "fixture/declarations", "--policies", "fixture/policies", "--as-of", AS_OF]
    args += ["--format", "text"] + [f"--format={fmt}={file}" for fmt, file in FILES.items()]
    result = run_cli(args)
    assert result.exit_code == 1, result.output
    assert len(reports) == 1
    (report,) = reports
    assert result.stdout == renderer("text")(report, RenderOptions())
    for fmt, file in FILES.items():
        text = (fixture_copy / file).read_text(encoding="utf-8")
        assert text == renderer(fmt)(report, RenderOptions()), fmt
        validate(fmt, text)
        assert "fixture/declarations/network.yaml" in text, fmt
    assert not list(fixture_copy.glob(".*.tmp*"))  # atomic writes leave nothing behind


def test_output_option_writes_the_single_format(fixture_copy: Path) -> None:
    args = ["check", "fixture/declarations", "--policies", "fixture/policies", "--as-of", AS_OF]
    result = run_cli([*args, "--format", "junit", "--output", "out.xml"])
    assert result.exit_code == 1
    assert result.stdout == ""
    JUnitXml.fromfile(str(fixture_copy / "out.xml"))


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
@pytest.mark.parametrize("mode", [0o640, 0o600, 0o604, 0o664])
def test_a_replaced_output_keeps_its_permissions(fixture_copy: Path, mode: int) -> None:
    # The report is written to a temporary file then renamed over the old one: without care
    # the new file gets the umask's mode, and a report kept 0600 becomes world-readable.
    args = ["check", "fixture/declarations", "--policies", "fixture/policies", "--as-of", AS_OF]
    for fmt, name in (("json", "report.json"), ("sarif", "report.sarif")):
        (fixture_copy / name).write_text("old", encoding="utf-8")
        os.chmod(fixture_copy / name, mode)
        result = run_cli([*args, "--format", fmt, "--output", name])
        assert result.exit_code == 1, result.output
        assert (fixture_copy / name).read_text(encoding="utf-8") != "old"
        assert stat.S_IMODE(os.stat(fixture_copy / name).st_mode) == mode, (fmt, oct(mode))


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_a_new_output_gets_the_umask_default(fixture_copy: Path) -> None:
    args = ["check", "fixture/declarations", "--policies", "fixture/policies", "--as-of", AS_OF]
    old = os.umask(0o027)
    try:
        result = run_cli([*args, "--format", "json", "--output", "new.json"])
    finally:
        os.umask(old)
    assert result.exit_code == 1, result.output
    assert stat.S_IMODE(os.stat(fixture_copy / "new.json").st_mode) == 0o640


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_the_audits_binary_files_keep_their_permissions(tmp_path: Path) -> None:
    from hdsguard.output import write_atomic

    path = tmp_path / "pack.zip"
    path.write_bytes(b"old")
    os.chmod(path, 0o600)
    write_atomic(path, b"new")
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["pack.zip"]  # no temporary file left
    # A read-only file is replaced too (as before), and stays read-only.
    os.chmod(path, 0o444)
    write_atomic(path, b"newer")
    assert path.read_bytes() == b"newer"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o444


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_a_read_only_report_is_replaced_and_stays_read_only(fixture_copy: Path) -> None:
    args = ["check", "fixture/declarations", "--policies", "fixture/policies", "--as-of", AS_OF]
    (fixture_copy / "report.json").write_text("old", encoding="utf-8")
    os.chmod(fixture_copy / "report.json", 0o444)
    result = run_cli([*args, "--format", "json", "--output", "report.json"])
    assert result.exit_code == 1, result.output
    assert (fixture_copy / "report.json").read_text(encoding="utf-8") != "old"
    assert stat.S_IMODE(os.stat(fixture_copy / "report.json").st_mode) == 0o444


def test_unwritable_output_is_exit_2_not_a_failing_finding(fixture_copy: Path) -> None:
    args = ["check", "fixture/declarations", "--policies", "fixture/policies", "--as-of", AS_OF]
    result = run_cli([*args, "--format", "sarif=missing/dir/report.sarif"])
    assert result.exit_code == 2
    assert "missing/dir/report.sarif" in result.output


@pytest.mark.parametrize("example", ["minimal", "lab-group", "hospital"])
def test_every_format_on_the_examples(
    example: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    files = {fmt: tmp_path / name for fmt, name in FILES.items()}
    args = ["check", f"examples/{example}", "--as-of", AS_OF]
    args += [f"--format={fmt}={file}" for fmt, file in files.items()]
    result = run_cli(args)
    assert result.exit_code in (0, 1), result.output
    for fmt, file in files.items():
        validate(fmt, file.read_text(encoding="utf-8"))
    sarif = json.loads(files["sarif"].read_text(encoding="utf-8"))
    for res in sarif["runs"][0]["results"]:
        for location in res["locations"]:
            if "physicalLocation" in location:
                uri = location["physicalLocation"]["artifactLocation"]["uri"]
                assert uri.startswith(f"examples/{example}/")
                assert (REPO / uri).is_file()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_neutralises_hostile_text(fmt: str) -> None:
    for report in (nasty_report(), sample_report()):
        text = renderer(fmt)(report, RenderOptions())
        assert "\x1b" not in text, fmt
        validate(fmt, text)


def test_two_formats_to_one_file_is_a_usage_error(fixture_copy: Path) -> None:
    args = ["check", "fixture/declarations", "--policies", "fixture/policies", "--as-of", AS_OF]
    result = run_cli([*args, "--format", "json=r.out", "--format", "sarif=r.out"])
    assert result.exit_code == 2
    assert "r.out is named by two outputs" in result.stderr
    assert not Path("r.out").exists()


@pytest.mark.parametrize(
    ("extra", "victim"),
    [
        (["--format", "json=fixture/declarations/network.yaml"],
         "fixture/declarations/network.yaml"),
        (["--output", "fixture/declarations/trust.yaml", "--format", "sarif"],
         "fixture/declarations/trust.yaml"),
        (["--format", "text", "--format", "junit=fixture/policies/FMT-001.yaml"],
         "fixture/policies/FMT-001.yaml"),
    ],
)  # fmt: skip
def test_an_output_never_replaces_an_input(
    fixture_copy: Path, extra: list[str], victim: str
) -> None:
    """hdsguard never modifies a declaration (nor a policy, config, waiver or evidence file):
    a report aimed at one is a usage error, and the file keeps its bytes."""
    before = Path(victim).read_bytes()
    args = ["check", "fixture/declarations", "--policies", "fixture/policies", "--as-of", AS_OF]
    result = run_cli([*args, *extra])
    assert result.exit_code == 2, result.stdout
    assert f"{victim} is an input of this run: writing the report there would replace it" in (
        result.stderr
    )
    assert Path(victim).read_bytes() == before


def test_an_earlier_report_among_the_declarations_is_no_input(fixture_copy: Path) -> None:
    """The walk skips hdsguard's own files (an earlier report): writing it again is fine, and
    so is any new file."""
    args = ["check", "fixture/declarations", "--policies", "fixture/policies", "--as-of", AS_OF]
    first = run_cli([*args, "--format", "json=fixture/declarations/report.json"])
    assert first.exit_code == 1, first.stderr
    again = run_cli([*args, "--format", "json=fixture/declarations/report.json"])
    assert again.exit_code == 1, again.stderr
    assert "skipped 1 file that is not a declaration" in again.stderr


def test_the_other_commands_never_replace_an_input(fixture_copy: Path) -> None:
    decl = "fixture/declarations/network.yaml"
    before = Path(decl).read_bytes()
    common = ["fixture/declarations", "--policies", "fixture/policies", "--as-of", AS_OF]
    for command in (["report", "-o", decl], ["report", "--pack", decl],
                    ["calendar", "-o", decl], ["baseline", "-o", decl]):  # fmt: skip
        result = run_cli([*command, *common])
        assert result.exit_code == 2, (command, result.stdout)
        assert "is an input of this run" in result.stderr, command
    assert Path(decl).read_bytes() == before
