"""A sidecar that is a directory, and an evidence directory of sidecars and hidden files only.

`scan.xml.evidence/` was passed over: the scan then read as one without a vantage point ("write
it into scan.xml.evidence", a name that existed), and every file inside the directory was
read as evidence. A directory of sidecars and dot-files looked full in a listing and was said
to hold no evidence without saying what was skipped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hdsguard.errors import InputError
from hdsguard.evidence.load import EvidenceSpec, load_evidence
from hdsguard.i18n import language
from tests.helpers import REPO

SCAN = REPO / "examples/lab-group/evidence/scan-external.xml"


def _problems(path: str) -> list[str]:
    with pytest.raises(InputError) as exc:
        load_evidence([EvidenceSpec(Path(path))])
    return [str(p) for p in exc.value.problems]


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("given", ["ev", "ev/scan.xml"])
def test_a_sidecar_directory_beside_its_scan_is_a_located_error(here: Path, given: str) -> None:
    (here / "ev/scan.xml.evidence").mkdir(parents=True)
    (here / "ev/scan.xml").write_bytes(SCAN.read_bytes())
    (here / "ev/scan.xml.evidence/vantage.yaml").write_text("vantage: external\n")
    assert _problems(given) == [
        "ev/scan.xml.evidence: not a file: a sidecar is a YAML file named after its evidence "
        "file (scan.xml -> scan.xml.evidence) holding `vantage` and/or `host`; replace this "
        "directory with such a file"
    ]


def test_a_sidecar_directory_alone_is_never_walked(here: Path) -> None:
    (here / "ev/old.xml.evidence").mkdir(parents=True)
    (here / "ev/old.xml.evidence/scan.xml").write_bytes(SCAN.read_bytes())
    problems = _problems("ev")
    assert problems[0].startswith(
        "ev: no evidence file in this directory (hidden files, README.md and .evidence "
        "sidecars are skipped); skipped here: old.xml.evidence: see docs/evidence.md"
    )
    assert problems[1].startswith("ev/old.xml.evidence: not a file: a sidecar is a YAML file")
    assert len(problems) == 2  # the scan inside was not read


def test_a_directory_of_sidecars_and_hidden_files_names_what_it_skipped(here: Path) -> None:
    (here / "ev/.git").mkdir(parents=True)
    for name in (".scan.xml", "README.md", "a.evidence", "b.evidence", "c.evidence"):
        (here / "ev" / name).write_text("vantage: internal\n")
    problems = _problems("ev")
    assert problems[0] == (
        "ev: no evidence file in this directory (hidden files, README.md and .evidence "
        "sidecars are skipped); skipped here: .git, .scan.xml, README.md and 3 "
        "more: see docs/evidence.md"
    )
    assert problems[1].startswith("ev/a.evidence:1:1: sidecar of a, which is not in")


def test_in_french(here: Path) -> None:
    (here / "ev/scan.xml.evidence").mkdir(parents=True)
    with language("fr"):
        problems = _problems("ev")
    assert problems[0].startswith(
        "ev: aucun fichier de preuve dans ce répertoire (les fichiers cachés, README.md et "
    )
    assert " ; ignorés ici : scan.xml.evidence : voir docs/evidence.md" in problems[0]
    assert problems[1].startswith("ev/scan.xml.evidence: pas un fichier : ")


DECLARATION = "version: 1\norganisation: {name: Clinique du Lac, kind: clinic}\n"


@pytest.mark.parametrize("evidence", [False, True])
def test_a_sidecar_directory_in_a_declaration_directory_is_the_same_located_error(
    here: Path, evidence: bool
) -> None:
    """`infra/evidence/scan.xml.evidence/` inside the declaration directory: the declaration
    walker read its YAML and JSON files as declarations (a file shaped like one counted
    silently), while the evidence walker refused the directory. Both say one thing now, once,
    with or without --evidence, and neither reads its files."""
    from tests.helpers import run_cli

    (here / "infra/evidence/scan.xml.evidence").mkdir(parents=True)
    (here / "infra/org.yaml").write_text(DECLARATION)
    (here / "infra/evidence/scan.xml").write_bytes(SCAN.read_bytes())
    # Shaped like a declaration: it was read as one, and its duplicate organisation refused.
    (here / "infra/evidence/scan.xml.evidence/old.yaml").write_text(DECLARATION)
    args = ["check", "infra", "--as-of", "2026-11-28", "--no-config"]
    args += ["--evidence", "infra/evidence"] if evidence else []
    result = run_cli(args)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        "infra/evidence/scan.xml.evidence: not a file: a sidecar is a YAML file named after its "
        "evidence file (scan.xml -> scan.xml.evidence) holding `vantage` and/or `host`; replace "
        "this directory with such a file"
    ]


def test_evidence_kept_inside_a_declaration_directory_is_never_read_as_declarations(
    here: Path,
) -> None:
    """The documented layout `infra/` + `infra/evidence/` checked without --evidence: scans
    and sidecars are no declaration files; a KEV catalogue and an ANS registry snapshot in
    JSON are recognised and skipped with a notice (the snapshot was read as a declaration, its
    rows as the `certificates` section: one error per key)."""
    from tests.helpers import run_cli

    fixtures = REPO / "tests/fixtures/evidence"
    (here / "infra/evidence").mkdir(parents=True)
    (here / "infra/org.yaml").write_text(DECLARATION)
    (here / "infra/evidence/scan.xml").write_bytes(SCAN.read_bytes())
    (here / "infra/evidence/scan.xml.evidence").write_text("vantage: external\n")
    for name in ("kev.json", "hds-registry.json"):
        (here / "infra/evidence" / name).write_bytes((fixtures / name).read_bytes())
    result = run_cli(["check", "infra", "--as-of", "2026-11-28", "--no-config"])
    assert result.exit_code == 1, result.output
    assert (
        "notice: skipped 2 evidence files in the declarations: infra/evidence/hds-registry.json "
        "(evidence), infra/evidence/kev.json (evidence); they are not declarations: give them "
        "with --evidence" in result.output
    ), result.output
