"""End-to-end tests of `hdsguard check`: located findings, exit codes, located input errors."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import AS_OF, findings_of, run_cli

Tree = Callable[[dict[str, str]], Path]

FIREWALLS = """
version: 1
firewalls:
  - id: fw-edge-1
    vendor: Fortinet
    internet_facing: true
    last_patch: 2025-06-02
  - id: fw-core-1
    vendor: Stormshield
    last_patch: 2026-10-20
"""


def fw001(result_stdout: str) -> list[tuple[str, str, str, str | None, int | None, int | None]]:
    report = json.loads(result_stdout)
    return [
        (f["rule"], f["target"], f["status"], f["file"], f["line"], f["column"])
        for f in report["findings"]
        if f["rule"] == "FW-001"
    ]


def test_findings_are_located_at_the_deciding_field(tree: Tree) -> None:
    tree({"infra/firewalls.yaml": FIREWALLS})
    result = run_cli(["check", "infra", "--as-of", AS_OF, "--format", "json"])
    assert result.exit_code == 1
    assert fw001(result.stdout) == [
        ("FW-001", "firewalls/fw-core-1", "pass", "infra/firewalls.yaml", 9, 5),
        ("FW-001", "firewalls/fw-edge-1", "fail", "infra/firewalls.yaml", 6, 5),
    ]
    edge = next(
        f
        for f in findings_of(result)
        if f["target"] == "firewalls/fw-edge-1" and f["rule"] == "FW-001"
    )
    assert edge["message"] == (
        "last patched 2025-06-02, 544 days before 2026-11-28; the limit is 90 days"
    )
    assert edge["severity"] == "high"
    assert "fw-edge-1" in edge["remediation"]
    assert edge["references"]


def test_json_report_follows_the_contract_and_is_byte_identical(tree: Tree) -> None:
    tree({"firewalls.yaml": FIREWALLS})
    first = run_cli(["check", ".", "--as-of", AS_OF, "--format", "json"])
    second = run_cli(["check", ".", "--as-of", AS_OF, "--format", "json"])
    assert first.stdout == second.stdout
    report = json.loads(first.stdout)
    assert report["tool"]["name"] == "hdsguard"
    assert report["as_of"] == AS_OF
    assert list(report["summary"]) == ["pass", "fail", "warn", "waived", "not_applicable", "error"]
    assert sum(report["summary"].values()) == len(report["findings"])
    keys = [(f["rule"], f["target"]) for f in report["findings"]]
    assert keys == sorted(keys)
    assert set(report["findings"][0]) >= {
        "rule",
        "status",
        "severity",
        "target",
        "file",
        "line",
        "column",
        "message",
        "remediation",
        "references",
    }


@pytest.mark.parametrize(
    ("as_of", "status"),
    [("2025-08-31", "pass"), ("2025-09-01", "fail")],  # 90 days old passes, 91 fails
)
def test_as_of_sets_the_evaluation_date(tree: Tree, as_of: str, status: str) -> None:
    # Only fw-edge-1: fw-core-1's patch of 2026-10-20 would lie after these evaluation dates,
    # which is an input error (a date from the future is no evidence).
    tree({"firewalls.yaml": FIREWALLS.split("  - id: fw-core-1")[0]})
    result = run_cli(["check", ".", "--as-of", as_of, "--format", "json"])
    statuses = {t: s for _, t, s, *_ in fw001(result.stdout)}
    assert statuses["firewalls/fw-edge-1"] == status


def test_text_output_lists_failures_first_with_a_summary(tree: Tree) -> None:
    tree({"firewalls.yaml": FIREWALLS})
    result = run_cli(["check", ".", "--as-of", AS_OF])
    lines = result.stdout.splitlines()
    assert lines[0].startswith("FAIL ")
    assert "firewalls.yaml:6:5  firewalls/fw-edge-1" in result.stdout
    assert "\nPASS " not in result.stdout  # passes are hidden without --verbose
    assert lines[-1].startswith("hdsguard 2026-11-28: ")
    assert "\x1b[" not in result.stdout  # not a terminal: no colour
    verbose = run_cli(["check", ".", "--as-of", AS_OF, "--verbose"])
    assert "\nPASS FW-001 [high] Firewall firmware patched recently\n" in verbose.stdout


def test_output_file(tree: Tree, tmp_path: Path) -> None:
    tree({"firewalls.yaml": FIREWALLS})
    result = run_cli(["check", ".", "--as-of", AS_OF, "--format", "json", "--output", "r.json"])
    assert result.stdout == ""
    assert json.loads((tmp_path / "r.json").read_text())["as_of"] == AS_OF


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {"a.yaml": "firewalls:\n  - id: fw-1\n    last_pach: 2026-01-01\n"},
            ["a.yaml:3:5: unknown key 'last_pach' in firewalls/fw-1; did you mean 'last_patch'?"],
            id="unknown-key",
        ),
        pytest.param(
            {"a.yaml": "firewalls:\n  - id: fw-1\n    last_patch: 2026-13-45\n"},
            [
                "a.yaml:3:17: firewalls/fw-1.last_patch: expected an ISO 8601 date (YYYY-MM-DD), "
                "got '2026-13-45': month must be in 1..12"
            ],
            id="impossible-date",
        ),
        # Dates as people write them: the fix is the ISO form of the same day.
        pytest.param(
            {"a.yaml": "firewalls:\n  - id: fw-1\n    last_patch: 14/10/2026\n"},
            [
                "a.yaml:3:17: firewalls/fw-1.last_patch: expected an ISO 8601 date (YYYY-MM-DD), "
                "got '14/10/2026': write `2026-10-14`"
            ],
            id="day-first-date",
        ),
        pytest.param(
            {"a.yaml": "firewalls:\n  - id: fw-1\n    last_patch: 3.4.2026\n"},
            [
                "a.yaml:3:17: firewalls/fw-1.last_patch: expected an ISO 8601 date (YYYY-MM-DD), "
                "got '3.4.2026': write `2026-04-03` (read day first)"
            ],
            id="ambiguous-date",
        ),
        pytest.param(
            {"a.yaml": "firewalls:\n  - id: fw-1\n    last_patch: 31/02/2026\n"},
            [
                "a.yaml:3:17: firewalls/fw-1.last_patch: expected an ISO 8601 date (YYYY-MM-DD), "
                "got '31/02/2026'"
            ],
            id="no-such-day-written-day-first",
        ),
        pytest.param(
            {"a.yaml": "firewalls:\n  - id: fw-1\n    internet_facing: yes\n"},
            [
                "a.yaml:3:22: firewalls/fw-1.internet_facing: Input should be a valid boolean: "
                "got 'yes' (write true or false)"
            ],
            id="yes-is-not-a-boolean",
        ),
        pytest.param(
            {"a.yaml": "services:\n  - id: s\n    protocol: ftpp\n    exposure: internet\n"},
            ["a.yaml:3:15: services/s.protocol: invalid value 'ftpp'"],
            id="bad-enum",
        ),
        pytest.param(
            {"a.yaml": "firewalls:\n  - id: fw-1\n", "b.yaml": "firewalls:\n  - id: fw-1\n"},
            [
                "b.yaml:2:5: duplicate id 'fw-1' in firewalls: already declared at a.yaml:2:5; "
                "ids must be unique within a section"
            ],
            id="duplicate-id-across-files",
        ),
        pytest.param(
            {"a.yaml": "organisation:\n  name: A\n", "b.yaml": "organisation:\n  name: A\n"},
            [
                "b.yaml:1:1: section 'organisation' is declared twice: it is also declared at "
                "a.yaml:1:1; keep one"
            ],
            id="singleton-twice",
        ),
        pytest.param(
            {"a.yaml": "organisation:\n  name: A\n", "b.yaml": "organisation:\n  name: B\n"},
            [
                "b.yaml:1:1: a second organisation in the same run: 'B' here, 'A' at a.yaml:1:1; "
                "hdsguard checks one organisation per run"
            ],
            id="two-organisations",
        ),
        pytest.param(
            {
                "a.yaml": "providers:\n  - id: webagency\n    name: W\n"
                "systems:\n  - id: portal\n    name: P\n    hosted_by: webagencie\n"
            },
            [
                "a.yaml:7:16: systems/portal: hosted_by refers to 'webagencie', but no item of "
                "providers has that id (did you mean 'webagency'?)"
            ],
            id="unknown-reference",
        ),
        pytest.param(
            {
                "a.yaml": "providers:\n  - id: editor\n    name: E\n    hosted_by: clud\n"
                "  - id: cloud\n    name: C\n"
            },
            [
                "a.yaml:4:16: providers/editor: hosted_by refers to 'clud', but no item of "
                "providers has that id (did you mean 'cloud'?)"
            ],
            id="unknown-host-of-a-provider",
        ),
        pytest.param(
            {"a.yaml": "version: 2\nfirewalls: []\n"},
            [
                "a.yaml:1:10: declaration format version 2 is newer than this hdsguard understands "
                "(version 1): upgrade hdsguard rather than risk misreading the file"
            ],
            id="future-version",
        ),
        pytest.param(
            {"a.yaml": 'version: "1"\nfirewalls: []\n'},
            ["a.yaml:1:10: unsupported declaration format version '1': write `version: 1`"],
            id="version-as-text-yaml",
        ),
        pytest.param(
            # The YAML fix pasted into a JSON file is a syntax error: the fix is JSON there.
            {"a.json": '{"version": "1", "firewalls": []}\n'},
            ["a.json:1:13: unsupported declaration format version '1': write `\"version\": 1`"],
            id="version-as-text-json",
        ),
        pytest.param(
            {"a.yaml": "firewalls:\n  - id: fw-1\n  last_patch: [\n"},
            ["a.yaml:3:3: YAML syntax error:"],
            id="yaml-syntax",
        ),
        pytest.param(
            {"a.yaml": "firewalls: !!python/object/apply:os.system ['true']\n"},
            [
                "a.yaml:1:12: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not "
                "allowed in declarations"
            ],
            id="python-tag",
        ),
        pytest.param(
            {"a.yaml": "firewalls:\n  - id: Bad Id\n"},
            [
                "a.yaml:2:9: firewalls[0].id: 'Bad Id' is not a valid id: an id is lower case "
                "letters, digits, '.', '_' and '-', starting with a letter or a digit; write "
                "`bad-id`"
            ],
            id="bad-id",
        ),
        pytest.param(
            {
                "a.yaml": "services:\n  - id: s\n    protocol: https\n    exposure: internal\n"
                "    tls: {min_version: 1.2}\n"
            },
            [
                "a.yaml:5:24: services/s.tls.min_version: invalid value 1.2 (a number): write "
                '`"1.2"`, in quotes'
            ],
            id="number-for-a-quoted-choice",
        ),
        pytest.param(
            {
                "a.json": '{"services": [{"id": "s", "protocol": "https", "exposure": "internal", '
                '"tls": {"min_version": 1.3}}]}'
            },
            [
                "a.json:1:95: services/s.tls.min_version: invalid value 1.3 (a number): write "
                '`"1.3"`, in quotes'
            ],
            id="number-for-a-quoted-choice-json",
        ),
        pytest.param(
            {"a.yaml": "- just\n- a list\n"},
            ["a.yaml:1:1: a declaration file is a mapping of sections"],
            id="top-level-list",
        ),
        pytest.param(
            {"notes.txt": "nothing here"},
            [".: no declaration file (.yaml, .yml, .json) found here"],
            id="no-declaration-file",
        ),
    ],
)
def test_bad_input_is_a_located_error(
    tree: Tree, files: dict[str, str], expected: list[str]
) -> None:
    tree(files)
    result = run_cli(["check", ".", "--as-of", AS_OF])
    assert result.exit_code == 2
    errors = result.stderr.splitlines()
    assert len(errors) == len(expected), result.stderr
    for line, prefix in zip(errors, expected, strict=False):
        assert line.startswith(prefix), line
    assert all(re.match(r"^[^:]+(:\d+:\d+)?: \S", line) for line in errors), errors
    assert "Traceback" not in result.output


def test_all_problems_are_reported_at_once(tree: Tree) -> None:
    tree(
        {
            "a.yaml": "firewalls:\n  - id: fw-1\n    last_pach: 2026-01-01\n",
            "b.yaml": "certificates:\n  - id: c\n    not_after: 2026-02-30\n",
        }
    )
    result = run_cli(["check", ".", "--as-of", AS_OF])
    assert result.exit_code == 2
    assert result.stderr.count("a.yaml:") == 1
    assert result.stderr.count("b.yaml:") == 1


def test_not_utf8(tree: Tree, tmp_path: Path) -> None:
    tree({})
    (tmp_path / "a.yaml").write_bytes(b"organisation:\n  name: H\xf4pital\n")
    result = run_cli(["check", ".", "--as-of", AS_OF])
    assert result.exit_code == 2
    assert result.stderr.startswith("a.yaml:2:10: file is not UTF-8 (byte 0xf4)")


def test_alias_bomb_is_refused(tree: Tree) -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=False):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    tree({"bomb.yaml": "\n".join(lines) + "\n"})
    result = run_cli(["check", ".", "--as-of", AS_OF])
    assert result.exit_code == 2
    assert "alias bomb" in result.stderr


def test_norway_is_not_false(tree: Tree) -> None:
    tree({"p.yaml": "providers:\n  - id: p\n    name: P\n    storage_countries: [NO, FR]\n"})
    result = run_cli(["check", ".", "--as-of", AS_OF, "--format", "json"])
    assert result.exit_code in (0, 1)


def test_bad_command_line_exits_2(tree: Tree) -> None:
    tree({"firewalls.yaml": FIREWALLS})
    assert run_cli(["check", ".", "--as-of", "28/11/2026"]).exit_code == 2
    assert run_cli(["check", ".", "--format", "pdf"]).exit_code == 2
    assert run_cli(["check", ".", "--fail-on", "severe"]).exit_code == 2
    assert run_cli(["check", "missing-dir"]).exit_code == 2


@pytest.mark.parametrize(
    "as_of",
    ["20261128", "2026-W48-6", "2026W486", "2026-W48", "2026-02-30", "2026-11-28T00:00", ""],
)
def test_as_of_is_a_calendar_date_written_yyyy_mm_dd(tree: Tree, as_of: str) -> None:
    """format.md: dates are ISO 8601 calendar dates. Python reads week dates (`2026-W48` is
    Monday 2026-11-23) and the basic format too: an evaluation date a user did not mean."""
    tree({"firewalls.yaml": FIREWALLS})
    result = run_cli(["check", ".", "--as-of", as_of, "--format", "json"])
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    assert f"expected an ISO 8601 date (YYYY-MM-DD), got {as_of!r}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["check", ".", "--format", "json", "--output", ""],
        ["check", ".", "-o", ""],
        ["check", ".", "--format", "json="],
        ["check", ".", "--format", "text", "--format", "sarif="],
        ["baseline", ".", "--output", ""],
        ["report", ".", "-o", ""],
        ["report", ".", "--pack", ""],
        ["calendar", ".", "-o", ""],
        ["policies", "docs", "--output", ""],
    ],
)
def test_an_empty_output_file_name_is_a_command_line_error(tree: Tree, args: list[str]) -> None:
    """`-o ""` (an unset shell variable) was Path("."): an internal error, or the report
    silently on standard output. A wrong command line exits 2 with a clear message."""
    tree({"firewalls.yaml": FIREWALLS})
    result = run_cli([*args, "--as-of", AS_OF] if args[0] != "policies" else args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "the file name is empty" in result.stderr
    assert "internal error" not in result.stderr


def test_version_and_schema() -> None:
    from hdsguard import __version__

    assert run_cli(["--version"]).stdout.strip() == f"hdsguard, version {__version__}"
    schema = json.loads(run_cli(["schema"]).stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "firewalls" in schema["properties"]
    policy = json.loads(run_cli(["schema", "policy"]).stdout)
    assert "tests" in policy["properties"]


def test_a_failing_list_item_is_located_precisely(tree: Tree) -> None:
    tree(
        {
            "fw.yaml": """
            firewalls:
              - id: fw-1
                rules:
                  - {from: internet, to: dmz, port: 443, action: allow}
                  - {from: any, to: any, action: allow}
            """
        }
    )
    result = run_cli(["check", ".", "--as-of", AS_OF, "--format", "json"])
    fw004 = [
        (f["status"], f["line"], f["column"]) for f in findings_of(result) if f["rule"] == "FW-004"
    ]
    assert fw004 == [("fail", 5, 9)]


def test_a_late_vulnerability_is_located_at_its_item(tree: Tree) -> None:
    """PAT-002 and PAT-003 point at the vulnerability that is late, not at the list: in a
    long list, the line says which entry to fix (format.md: the field that decides)."""
    tree(
        {
            "fw.yaml": """
            firewalls:
              - id: fw-1
                internet_facing: true
                vulnerabilities_reviewed: 2026-11-27
                vulnerabilities:
                  - {cve: CVE-2024-0001, cvss: 5.0, published: 2024-01-01, kev: false}
                  - {cve: CVE-2024-0002, cvss: 9.8, published: 2024-01-01, kev: false}
                  - {cve: CVE-2024-0003, cvss: 7.5, published: 2024-02-01, kev: true,
                     kev_added: 2024-03-01}
            """
        }
    )
    result = run_cli(["check", ".", "--as-of", AS_OF, "--format", "json"])
    located = sorted(
        (f["rule"], f["status"], f["line"], f["column"])
        for f in findings_of(result)
        if f["rule"] in ("PAT-002", "PAT-003")
    )
    assert located == [("PAT-002", "fail", 7, 9), ("PAT-003", "fail", 8, 9)]


def test_missing_vulnerability_evidence_is_located_where_it_is_missing(tree: Tree) -> None:
    """An absent inventory (or review date) points at the object that lacks it, as every
    "evidence missing" finding does; an entry without its `cvss`, `published` or `kev` points
    at that entry, as a late one does, not at the head of a long list."""
    tree(
        {
            "svc.yaml": """
            services:
              - id: api
                host: api.example.org
                port: 443
                protocol: https
                exposure: internet
                vulnerabilities_reviewed: 2026-11-27
                vulnerabilities:
                  - {cve: CVE-2026-0001, cvss: 5.0, published: 2026-11-01, kev: false}
                  - {cve: CVE-2026-0002, cvss: 9.8, kev: false}
                  - {cve: CVE-2026-0003, cvss: 4.0, published: 2026-11-01}
              - id: bare
                host: bare.example.org
                port: 443
                protocol: https
                exposure: internet
              - id: undated
                host: undated.example.org
                port: 443
                protocol: https
                exposure: internet
                vulnerabilities: []
            """
        }
    )
    result = run_cli(["check", ".", "--as-of", AS_OF, "--format", "json"])
    located = sorted(
        (f["rule"], f["target"], f["status"], f["line"], f["column"])
        for f in findings_of(result)
        if f["rule"] in ("PAT-002", "PAT-003")
    )
    assert located == [
        ("PAT-002", "services/api", "fail", 10, 9),  # CVE-2026-0002: no `published`
        ("PAT-002", "services/bare", "fail", 12, 5),  # no inventory: the object
        # An empty list without a review date is the declared inventory: it passes
        # (docs/fidelity.md, "Where the contract reads two ways").
        ("PAT-002", "services/undated", "pass", 17, 5),
        ("PAT-003", "services/api", "fail", 11, 9),  # CVE-2026-0003: no `kev`
        ("PAT-003", "services/bare", "fail", 12, 5),
        ("PAT-003", "services/undated", "pass", 17, 5),
    ]


def test_pass_messages_are_computed_only_for_outputs_that_show_them(tree: Tree) -> None:
    import datetime

    from hdsguard.api import CheckOptions, check
    from hdsguard.findings import Status

    tree({"firewalls.yaml": FIREWALLS})
    as_of = datetime.date(2026, 11, 28)
    full = check(["."], CheckOptions(as_of=as_of))
    lean = check(["."], CheckOptions(as_of=as_of, evidence=False))
    # Without evidence, passes and not-applicable pairs are counted, not findings.
    counted = ("pass", "not_applicable")
    assert [(f.rule, f.target, f.status) for f in full.findings if f.status not in counted] == [
        (f.rule, f.target, f.status) for f in lean.findings
    ]
    assert lean.summary() == full.summary()
    core = ("FW-001", "firewalls/fw-core-1")
    passed = next(f for f in full.findings if (f.rule, f.target) == core)
    assert (passed.status, passed.message) == (
        "pass",
        "last patched 2026-10-20, 39 days before 2026-11-28",
    )
    assert core not in {(f.rule, f.target) for f in lean.findings}
    assert lean.counted[Status.PASS] > 0
    failing = [f.message for f in lean.findings if f.status.value == "fail"]
    assert failing and all(failing)  # failures always keep their message
    verbose = run_cli(["check", ".", "--as-of", AS_OF, "--verbose"])
    assert "last patched 2026-10-20, 39 days before 2026-11-28" in verbose.stdout


def test_a_declared_weakness_comes_before_the_evidence_still_missing(tree: Tree) -> None:
    """A finding that fails on a declared value and on missing evidence says the weakness
    first and points at it: that is what to fix; the missing field is what to declare next."""
    tree(
        {
            "org.yaml": """
            organisation:
              name: Clinique du Parc
              kind: clinic
              crisis_exercise:
                date: 2026-06-01
                scenarios: [outage]
                degraded_mode: true
            """
        }
    )
    result = run_cli(["check", ".", "--as-of", AS_OF, "--format", "json"])
    (gov,) = [f for f in findings_of(result) if f["rule"] == "GOV-007"]
    assert gov["status"] == "fail"
    assert gov["message"].startswith("the exercise played no ransomware scenario")
    assert gov["message"].endswith(
        "evidence missing: `crisis_exercise.measured_restore_hours` is not declared; "
        "declare it so this rule can be checked"
    )
    assert (gov["line"], gov["column"]) == (6, 5)  # `scenarios`, the declared weakness
