"""Calendar (RFC 5545), evidence pack and verify-pack, OSCAL assessment results."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import icalendar
import pydantic
import pytest
from trestle.oscal.assessment_results import Model as AssessmentResults

from tests.audit_support import files
from tests.helpers import REPO, run_cli

Tree = Callable[[dict[str, str]], Path]


# ------------------------------------------------------------------------------ calendar


def _events(path: Path) -> dict[str, tuple[str, str]]:
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    return {
        str(e["uid"]): (e.decoded("dtstart").isoformat(), str(e["summary"]))
        for e in cal.walk("VEVENT")
    }


def test_calendar_has_one_event_per_deadline_with_stable_uids(tree: Tree) -> None:
    tree(files())
    result = run_cli(["calendar", "--as-of", "2026-11-28", "-o", "d.ics"])
    assert result.exit_code == 0, result.stderr
    first = Path("d.ics").read_bytes()
    events = _events(Path("d.ics"))
    assert sorted(events.values()) == [
        ("2026-12-31", "FW-001 fails: firewalls/fw-1 [high]"),
        ("2027-01-16", "TLS-002 fails: certificates/www [high]"),
        ("2027-03-01", "GOV-002 waiver ends: organisation [medium]"),
        ("2027-05-01", "FW-003 fails: firewalls/fw-1 [medium]"),
    ]
    run_cli(["calendar", "--as-of", "2026-11-28", "-o", "d.ics"])
    assert Path("d.ics").read_bytes() == first  # same inputs, same bytes
    # The firewall is patched: its event moves, under the same UID (an update, not a copy).
    tree(files(last_patch="2026-11-20"))
    run_cli(["calendar", "--as-of", "2026-11-28", "-o", "d.ics"])
    moved = _events(Path("d.ics"))
    assert moved.keys() == events.keys()
    fw = next(uid for uid, (_, summary) in events.items() if summary.startswith("FW-001"))
    assert moved[fw][0] == "2027-02-19" and events[fw][0] == "2026-12-31"


def test_calendar_speaks_the_runs_language(tree: Tree) -> None:
    """`calendar --lang fr`: summaries, descriptions and the rules' messages in French (the
    events said "fails", "on … from …" and the rules' English messages)."""
    tree(files())
    result = run_cli(["--lang", "fr", "calendar", "--as-of", "2026-11-28", "-o", "d.ics"])
    assert result.exit_code == 0, result.stderr
    cal = icalendar.Calendar.from_ical(Path("d.ics").read_bytes())
    assert str(cal["x-wr-calname"]) == "Échéances hdsguard : Clinique Test"
    events = {str(e["summary"]): str(e["description"]) for e in cal.walk("VEVENT")}
    assert sorted(events) == [
        "FW-001 échoue : firewalls/fw-1 [high]",
        "FW-003 échoue : firewalls/fw-1 [medium]",
        "Fin de dérogation GOV-002 : organisation [medium]",
        "TLS-002 échoue : certificates/www [high]",
    ]
    fw = events["FW-001 échoue : firewalls/fw-1 [high]"]
    assert fw.startswith("FW-001 sur firewalls/fw-1 à partir du 31 décembre 2026.\ndernier ")
    assert "\nDéclaré dans " in fw


def test_calendar_is_rfc5545_with_dtstamp_and_prodid(tree: Tree) -> None:
    tree(files())
    run_cli(["calendar", "--as-of", "2026-11-28", "-o", "d.ics"])
    text = Path("d.ics").read_bytes().decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert text.count("DTSTAMP:20261128T000000Z") == 4
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))  # folded lines


# ------------------------------------------------------------------------------ pack


def _pack(tree: Tree) -> bytes:
    tree(files())
    assert run_cli(["report", "--as-of", "2026-11-28", "--pack", "p.zip"]).exit_code == 1
    return Path("p.zip").read_bytes()


def test_pack_holds_reports_inputs_and_manifest(tree: Tree) -> None:
    data = _pack(tree)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
        listed = {f["path"]: f["sha256"] for f in manifest["files"]}
        for name in names:
            if name != "manifest.json":
                assert hashlib.sha256(archive.read(name)).hexdigest() == listed[name]
        report = json.loads(archive.read("report.json"))
        sarif = json.loads(archive.read("report.sarif"))
    assert set(names) == {
        "manifest.json", "report.html", "report.json", "report.sarif",
        "inputs/.hdsguard.yaml", "inputs/decl/decl.yaml", "inputs/waivers.yaml",
    }  # fmt: skip
    assert manifest["command"]["as_of"] == "2026-11-28" and report["as_of"] == "2026-11-28"
    assert sarif["version"] == "2.1.0"
    assert not Path("audit.html").exists()  # --pack alone writes only the pack


def test_pack_is_deterministic(tree: Tree) -> None:
    first = _pack(tree)
    run_cli(["report", "--as-of", "2026-11-28", "--pack", "p.zip"])
    assert Path("p.zip").read_bytes() == first


def test_verify_pack_accepts_an_intact_pack_from_elsewhere(
    tree: Tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pack(tree)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # no declarations here: the pack carries them
    result = run_cli(["verify-pack", str(tmp_path / "p.zip")])
    assert result.exit_code == 0, result.stderr
    assert "intact" in result.stderr


def _rewrite(path: Path, change: Callable[[dict[str, bytes]], None]) -> None:
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    change(members)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_verify_pack_finds_a_changed_declaration(tree: Tree) -> None:
    _pack(tree)

    def edit(m: dict[str, bytes]) -> None:
        m["inputs/decl/decl.yaml"] = m["inputs/decl/decl.yaml"].replace(
            b"2026-10-01", b"2026-11-27"
        )

    _rewrite(Path("p.zip"), edit)
    result = run_cli(["verify-pack", "p.zip"])
    assert result.exit_code == 1
    assert "inputs/decl/decl.yaml: SHA-256" in result.stderr


def test_verify_pack_finds_a_report_the_inputs_do_not_give(tree: Tree) -> None:
    """A consistent forgery (the manifest rewritten too) fails on reproduction."""
    _pack(tree)

    def forge(m: dict[str, bytes]) -> None:
        m["report.json"] = m["report.json"].replace(b'"fail"', b'"pass"', 1)
        manifest = json.loads(m["manifest.json"])
        for entry in manifest["files"]:
            entry["sha256"] = hashlib.sha256(m[entry["path"]]).hexdigest()
        m["manifest.json"] = json.dumps(manifest).encode()

    _rewrite(Path("p.zip"), forge)
    result = run_cli(["verify-pack", "p.zip"])
    assert result.exit_code == 1
    assert "re-running the check on the packed inputs gives another report" in result.stderr


def _forged(m: dict[str, bytes], member: str, old: bytes, new: bytes) -> None:
    """``member`` changed, and the manifest's digest and size of it rewritten to match."""
    assert old in m[member]
    m[member] = m[member].replace(old, new)
    manifest = json.loads(m["manifest.json"])
    for entry in manifest["files"]:
        entry["sha256"] = hashlib.sha256(m[entry["path"]]).hexdigest()
        entry["size"] = len(m[entry["path"]])
    m["manifest.json"] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()


def test_verify_pack_finds_a_forged_html_verdict(tree: Tree) -> None:
    """report.html is what a director reads: its verdict turned to PASS, with the manifest
    rewritten to match, was "intact" when only report.json was reproduced."""
    _pack(tree)
    with zipfile.ZipFile("p.zip") as archive:
        html = archive.read("report.html").decode("utf-8")
    verdict = re.search(r'<p class="verdict fail" id="verdict">[^<]*</p>', html)
    assert verdict is not None
    forged = '<p class="verdict pass" id="verdict">PASS: nothing fails.</p>'
    _rewrite(Path("p.zip"), lambda m: _forged(m, "report.html", verdict[0].encode(),
                                              forged.encode()))  # fmt: skip
    result = run_cli(["verify-pack", "p.zip"])
    assert result.exit_code == 1, result.stderr
    assert "report.html: re-running the report on the packed inputs gives another " in (
        result.stderr
    )


def test_verify_pack_finds_a_forged_sarif(tree: Tree) -> None:
    _pack(tree)
    _rewrite(Path("p.zip"), lambda m: _forged(m, "report.sarif", b'"error"', b'"note"'))
    result = run_cli(["verify-pack", "p.zip"])
    assert result.exit_code == 1
    assert "report.sarif: re-running the report on the packed inputs" in result.stderr


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        (b'"size": ', b'"size": 1', "(changed: files)"),
        (b'"name": "hdsguard"', b'"name": "hdsguard2"', "(changed: tool)"),
        (b'"format": 1', b'"format": 2', "(changed: format)"),
        (b'\n  "as_of"', b'\n "as_of"', "(changed: its text)"),
    ],
)
def test_verify_pack_finds_a_changed_byte_of_the_manifest(
    tree: Tree, old: bytes, new: bytes, says: str
) -> None:
    """The manifest is no member of its own list: a size, the tool or the format changed in
    it was "intact"."""
    _pack(tree)

    def edit(m: dict[str, bytes]) -> None:
        assert old in m["manifest.json"]
        m["manifest.json"] = m["manifest.json"].replace(old, new, 1)

    _rewrite(Path("p.zip"), edit)
    result = run_cli(["verify-pack", "p.zip"])
    assert result.exit_code == 1, result.stderr
    assert "manifest.json: not the manifest the packed inputs give " + says in result.stderr


def test_a_key_nothing_reads_in_the_recorded_command_is_refused(tree: Tree) -> None:
    """`lang` changed to `lago` would be read as absent (English) and pass unseen."""
    _pack(tree)
    _rewrite(Path("p.zip"), lambda m: m.update(
        {"manifest.json": m["manifest.json"].replace(b'"lang"', b'"lago"')}))  # fmt: skip
    result = run_cli(["verify-pack", "p.zip"])
    assert result.exit_code == 2
    assert "no valid manifest.json (unknown key 'lago' in command)" in result.stderr


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        # an internal error (ValueError, TypeError) before
        ("as_of", "2026-13-45", "(month must be in 1..12)"),
        ("paths", 5, "(paths 5: not a list)"),
        # read as its characters, its "/" walked the whole file system
        ("evidence", "decl", "(evidence 'decl': not a list)"),
        # read outside the pack
        ("evidence", ["/etc/ssl"], "(evidence '/etc/ssl': not a path inside the pack)"),
        ("paths", ["../decl"], "(paths '../decl': not a path inside the pack)"),
        ("config", "/etc/hdsguard.yaml", "(config '/etc/hdsguard.yaml': not a path inside"),
    ],
)
def test_a_recorded_command_report_pack_never_writes_is_refused(
    tree: Tree, key: str, value: object, says: str
) -> None:
    _pack(tree)

    def edit(m: dict[str, bytes]) -> None:
        manifest = json.loads(m["manifest.json"])
        manifest["command"][key] = value
        m["manifest.json"] = json.dumps(manifest).encode()

    _rewrite(Path("p.zip"), edit)
    result = run_cli(["verify-pack", "p.zip"])
    assert result.exit_code == 2, result.stderr
    assert "no valid manifest.json " + says in result.stderr
    assert "internal error" not in result.stderr


def test_the_verdicts_threshold_and_horizon_are_recorded_and_reproduced(tree: Tree) -> None:
    """report.html's verdict and deadlines depend on --fail-on and --horizon: recorded, so
    that verify-pack rebuilds the same page."""
    tree(files())
    argv = ["report", "--as-of", "2026-11-28", "--pack", "p.zip", "--fail-on", "critical",
            "--horizon", "30"]  # fmt: skip
    assert run_cli(argv).exit_code == 1  # a critical rule fails (missing evidence)
    with zipfile.ZipFile("p.zip") as archive:
        command = json.loads(archive.read("manifest.json"))["command"]
    assert (command["fail_on"], command["horizon"]) == ("critical", 30)
    result = run_cli(["verify-pack", "p.zip"])
    assert result.exit_code == 0, result.stderr
    assert "intact; the packed inputs reproduce its reports and manifest" in result.stderr


def _drop_waivers(m: dict[str, bytes]) -> None:
    """The pack without its waiver file, nor the manifest's entry for it: its inputs no
    longer reproduce its reports."""
    del m["inputs/waivers.yaml"]
    manifest = json.loads(m["manifest.json"])
    manifest["files"] = [f for f in manifest["files"] if f["path"] != "inputs/waivers.yaml"]
    m["manifest.json"] = json.dumps(manifest).encode()


def test_an_input_removed_with_its_manifest_entry_is_exit_1(tree: Tree) -> None:
    """The packed inputs no longer run: the pack does not reproduce its reports (exit 1),
    not "an unreadable pack" (exit 2) with a located error in a temporary directory."""
    _pack(tree)

    _rewrite(Path("p.zip"), _drop_waivers)
    result = run_cli(["verify-pack", "p.zip"])
    assert result.exit_code == 1, result.stderr
    assert "the packed inputs cannot be checked again (" in result.stderr
    assert "Traceback" not in result.stderr


def test_inputs_a_french_pack_cannot_rerun_are_reported_in_the_verifiers_language(
    tree: Tree,
) -> None:
    """A French pack whose inputs no longer run, verified in English: its reason was the
    French of the re-run, whatever --lang said (the docs: verify-pack reports in its own run's
    language)."""
    tree(files())
    assert (
        run_cli(["report", "--as-of", "2026-11-28", "--pack", "p.zip", "--lang", "fr"]).exit_code
        == 1
    )

    _rewrite(Path("p.zip"), _drop_waivers)
    english = run_cli(["verify-pack", "p.zip", "--lang", "en"])
    assert english.exit_code == 1, english.stderr
    assert "the packed inputs cannot be checked again (" in english.stderr
    assert "entrées archivées" not in english.stderr and " : " not in english.stderr, english.stderr
    french = run_cli(["verify-pack", "p.zip", "--lang", "fr"])
    assert "les entrées archivées ne peuvent plus être contrôlées (" in french.stderr


def test_verify_pack_finds_an_added_file(tree: Tree) -> None:
    _pack(tree)
    _rewrite(Path("p.zip"), lambda m: m.update({"inputs/extra.yaml": b"firewalls: []\n"}))
    result = run_cli(["verify-pack", "p.zip"])
    assert result.exit_code == 1 and "not in the manifest" in result.stderr


def test_a_french_pack_verifies_on_an_english_machine(tree: Tree) -> None:
    """The packed report.json holds French prose: verify-pack re-runs in the language the
    manifest records, whatever the verifying run's language (it said "gives another report"
    for every French pack verified in English)."""
    tree(files())
    argv = ["report", "--as-of", "2026-11-28", "--pack", "p.zip"]
    assert run_cli([*argv, "--lang", "fr"]).exit_code == 1
    with zipfile.ZipFile("p.zip") as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert "non conforme" in archive.read("report.html").decode("utf-8")
    assert manifest["command"]["lang"] == "fr"
    english = run_cli(["verify-pack", "p.zip", "--lang", "en"])
    assert english.exit_code == 0, english.stderr
    assert "intact; the packed inputs reproduce its reports and manifest" in english.stderr
    # A forged French pack is reported in French to a French reader.
    _rewrite(Path("p.zip"), lambda m: m.update({"inputs/extra.yaml": b"firewalls: []\n"}))
    french = run_cli(["verify-pack", "p.zip", "--lang", "fr"])
    assert french.exit_code == 1
    assert "p.zip : inputs/extra.yaml : dans le dossier de preuves mais absent du manifeste" in (
        french.stderr
    )


def test_a_pack_with_an_unknown_language_is_exit_2(tree: Tree) -> None:
    _pack(tree)

    def relabel(m: dict[str, bytes]) -> None:
        manifest = json.loads(m["manifest.json"])
        assert manifest["command"]["lang"] == "en"
        manifest["command"]["lang"] = "xx"
        m["manifest.json"] = json.dumps(manifest).encode()

    _rewrite(Path("p.zip"), relabel)
    result = run_cli(["verify-pack", "p.zip"])
    assert result.exit_code == 2 and "no valid manifest.json (lang 'xx')" in result.stderr


def test_verify_pack_of_something_else_is_exit_2(tree: Tree) -> None:
    tree({"p.zip": "not a zip"})
    result = run_cli(["verify-pack", "p.zip"])
    assert result.exit_code == 2 and "not a readable zip file" in result.stderr
    assert "Traceback" not in result.stderr


def test_pack_refuses_files_outside_the_current_directory(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(files())
    (root / "sub").mkdir()
    monkeypatch.chdir(root / "sub")
    result = run_cli(["report", "../decl", "--no-config", "--as-of", "2026-11-28",
                      "--pack", "p.zip"])  # fmt: skip
    assert result.exit_code == 2
    assert "cannot pack a file outside the current directory" in result.stderr


# ------------------------------------------------------------------------------ OSCAL


@pytest.fixture(scope="module")
def oscal() -> dict[str, object]:
    result = run_cli(["check", str(REPO / "examples" / "lab-group"), "--no-config",
                      "--as-of", "2026-11-28", "--format", "oscal"])  # fmt: skip
    assert result.exit_code == 1
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_oscal_is_valid_assessment_results(oscal: dict[str, object]) -> None:
    model = AssessmentResults.model_validate(oscal)
    (result,) = model.assessment_results.results
    findings = json.loads(
        run_cli(["check", str(REPO / "examples" / "lab-group"), "--no-config",
                 "--as-of", "2026-11-28", "--format", "json"]).stdout
    )["findings"]  # fmt: skip
    assert result.observations is not None and len(result.observations) == len(findings)
    assert result.findings is not None
    states = {f.target.target_id: f.target.status.state.value for f in result.findings}  # type: ignore[union-attr]
    assert states["iso27001-2022_A.8.8"] == "not-satisfied"  # FW-001 fails on the lab group
    assert states["gdpr_art._28_3_"] in {"satisfied", "not-satisfied"}


def test_the_oscal_models_do_reject_a_broken_document(oscal: dict[str, object]) -> None:
    broken = json.loads(json.dumps(oscal))
    broken["assessment-results"]["results"][0]["findings"][0]["target"]["status"]["state"] = "ok"
    with pytest.raises(pydantic.ValidationError):
        AssessmentResults.model_validate(broken)
    del broken["assessment-results"]["import-ap"]
    with pytest.raises(pydantic.ValidationError):
        AssessmentResults.model_validate(broken)


def test_oscal_is_deterministic() -> None:
    args = ["check", str(REPO / "examples" / "hospital"), "--no-config", "--as-of",
            "2026-11-28", "--format", "oscal"]  # fmt: skip
    first, second = run_cli(args), run_cli(args)
    assert first.exit_code == 0 and first.stdout == second.stdout
    AssessmentResults.model_validate(json.loads(first.stdout))


def test_pack_with_evidence_carries_and_reproduces_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    shutil.copytree(REPO / "examples" / "lab-group", tmp_path / "lab")
    monkeypatch.chdir(tmp_path)
    result = run_cli(["report", "lab", "--no-config", "--evidence", "lab/evidence",
                      "--as-of", "2026-11-28", "--pack", "p.zip", "-o", "a.html"])  # fmt: skip
    assert result.exit_code == 1, result.stderr
    with zipfile.ZipFile("p.zip") as archive:
        names = set(archive.namelist())
        report = json.loads(archive.read("report.json"))
    assert {
        "inputs/lab/evidence/scan-external.xml",
        "inputs/lab/evidence/scan-external.xml.evidence",
        "inputs/lab/evidence/scan-internal.xml",
    } <= names
    assert any(f["rule"] == "EVD-001" and f["status"] == "fail" for f in report["findings"])
    html = Path("a.html").read_text(encoding="utf-8")
    sha = hashlib.sha256(Path("lab/evidence/scan-external.xml").read_bytes()).hexdigest()
    assert '<td class="mono">lab/evidence/scan-external.xml</td><td>nmap scan</td>' in html
    assert sha in html
    verified = run_cli(["verify-pack", "p.zip"])
    assert verified.exit_code == 0, verified.stderr


def test_the_provenance_names_each_sidecar_with_its_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sidecar declares a scan's vantage point (or a certificate's host), which decides the
    evidence rules' verdicts: the pack carried it, but the HTML provenance and the JSON
    report named only the scans, so an auditor reading them could not tell which vantage
    point the verdicts rest on, nor check it. Each is named now with its SHA-256, as every
    other input, and the manifest lists its packed copy with the same digest."""
    import shutil

    shutil.copytree(REPO / "examples" / "lab-group", tmp_path / "lab")
    monkeypatch.chdir(tmp_path)
    result = run_cli(["report", "lab", "--no-config", "--evidence", "lab/evidence",
                      "--as-of", "2026-11-28", "--pack", "p.zip", "-o", "a.html"])  # fmt: skip
    assert result.exit_code == 1, result.stderr
    sidecar = "lab/evidence/scan-external.xml.evidence"
    sha = hashlib.sha256(Path(sidecar).read_bytes()).hexdigest()
    html = Path("a.html").read_text(encoding="utf-8")
    assert (
        f'<tr><td class="mono">{sidecar}</td><td>sidecar (vantage point, host)</td>'
        f'<td></td><td class="mono">{sha}</td></tr>'
    ) in html
    with zipfile.ZipFile("p.zip") as archive:
        report = json.loads(archive.read("report.json"))
        manifest = json.loads(archive.read("manifest.json"))
        packed_html = archive.read("report.html").decode("utf-8")
    assert sha in packed_html
    (scan,) = [e for e in report["evidence"] if e["path"] == "lab/evidence/scan-external.xml"]
    assert scan["sidecar"] == {"path": sidecar, "sha256": sha}
    assert {"path": f"inputs/{sidecar}", "sha256": sha, "size": 80} in manifest["files"]
    # A scan whose vantage point the config gives has no sidecar, and no `sidecar` key.
    Path(sidecar).unlink()
    Path("c.yaml").write_text(
        "evidence:\n  - {path: lab/evidence/scan-external.xml, vantage: external}\n"
        "  - lab/evidence/scan-internal.xml\n"
    )
    plain = run_cli(["check", "lab", "--config", "c.yaml", "--as-of", "2026-11-28",
                     "--format", "json"])  # fmt: skip
    assert plain.exit_code == 1, plain.stderr
    listed = {e["path"]: e for e in json.loads(plain.stdout)["evidence"]}
    assert "sidecar" not in listed["lab/evidence/scan-external.xml"]
    assert listed["lab/evidence/scan-internal.xml"]["sidecar"]["path"] == (
        "lab/evidence/scan-internal.xml.evidence"
    )
