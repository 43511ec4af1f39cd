"""`hdsguard init`: valid, commented starting files; questions or flags; never overwrites."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from pre_commit.clientlib import load_config

from hdsguard import cli_init
from hdsguard.config import load_config as load_hdsguard_config
from hdsguard.init import CI_FILES
from tests.helpers import AS_OF, run_cli
from tests.test_docs_ci import schema_check

FLAGS = [
    "init",
    "--name",
    "Clinique Saint-Roch",
    "--kind",
    "clinic",
    "--hosting",
    "provider",
    "--provider",
    "AlpCloud Santé",
    "--expose",
    "https,openvpn",
]
WRITTEN = [
    "declarations/organisation.yaml",
    "declarations/systems.yaml",
    "declarations/network.yaml",
    ".hdsguard.yaml",
    ".pre-commit-config.yaml",
    ".github/workflows/hdsguard.yml",
]
NEXT = (
    "Next: run `hdsguard check` — it fails, listing the evidence to declare (field reference: "
    "`hdsguard schema --markdown`, or hdsguard's docs/declarations.md). "
    "Then `pre-commit install`.\n"
)


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()  # the config search stops at the repository root
    return tmp_path


def test_flags_write_every_file_and_say_what_next(here: Path) -> None:
    result = run_cli(FLAGS)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == "".join(f"hdsguard: wrote {p}\n" for p in WRITTEN) + NEXT
    assert sorted(str(p.relative_to(here)) for p in here.rglob("*") if p.is_file()) == sorted(
        WRITTEN
    )


def test_the_skeleton_is_valid_and_its_first_check_lists_evidence_to_gather(here: Path) -> None:
    assert run_cli(FLAGS).exit_code == 0
    result = run_cli(["check", "--as-of", AS_OF, "--format", "json"])
    assert result.exit_code == 1, result.stderr  # failing findings, not invalid input (2)
    assert result.stderr == ""
    report = json.loads(result.stdout)
    statuses = {(f["rule"], f["target"]): f["status"] for f in report["findings"]}
    assert statuses[("FW-001", "firewalls/fw-edge-1")] == "fail"
    assert statuses[("HDS-001", "providers/alpcloud-sante")] == "fail"
    assert statuses[("EXP-001", "services/internet-https")] == "pass"
    messages = [f["message"] for f in report["findings"] if f["status"] == "fail"]
    assert sum("evidence missing" in m for m in messages) >= 20
    systems = yaml.safe_load((here / "declarations/systems.yaml").read_text(encoding="utf-8"))
    assert systems["systems"][0]["hosted_by"] == "alpcloud-sante"
    assert systems["providers"][0]["name"] == "AlpCloud Santé"


def test_config_pre_commit_and_ci_files_are_valid(here: Path) -> None:
    assert run_cli(FLAGS).exit_code == 0
    config = load_hdsguard_config(here / ".hdsguard.yaml")
    assert config.declaration_paths() == [str(here / "declarations")]
    assert config.model.lang is None  # an English run leaves the language to the locale
    hooks = load_config(str(here / ".pre-commit-config.yaml"))["repos"][0]["hooks"]
    assert [(h["id"], h["entry"], h["pass_filenames"]) for h in hooks] == [
        ("hdsguard", "hdsguard check", False)
    ]
    workflow = (here / ".github/workflows/hdsguard.yml").read_text(encoding="utf-8")
    schema_check("vendor.github-workflows", workflow, here)


def test_gitlab_job(here: Path) -> None:
    assert run_cli([*FLAGS, "--ci", "gitlab"]).exit_code == 0
    job = (here / ".gitlab/hdsguard.gitlab-ci.yml").read_text(encoding="utf-8")
    schema_check("vendor.gitlab-ci", job, here)
    assert not (here / ".github").exists()


def test_existing_files_are_refused_and_nothing_is_written(here: Path) -> None:
    (here / ".pre-commit-config.yaml").write_text("repos: []\n")
    result = run_cli(FLAGS)
    assert result.exit_code == 2
    assert result.stderr == (
        ".pre-commit-config.yaml: already exists: pass --skip-existing to keep it and write "
        "the other files, or --force to overwrite it\n"
    )
    assert sorted(p.name for p in here.iterdir()) == [".git", ".pre-commit-config.yaml"]
    assert (here / ".pre-commit-config.yaml").read_text() == "repos: []\n"
    forced = run_cli([*FLAGS, "--force"])
    assert forced.exit_code == 0
    assert "hdsguard check" in (here / ".pre-commit-config.yaml").read_text()


def test_skip_existing_keeps_the_repo_s_own_files_and_writes_the_others(here: Path) -> None:
    (here / ".pre-commit-config.yaml").write_text("repos: []\n")
    result = run_cli([*FLAGS, "--skip-existing"])
    assert result.exit_code == 0, result.stderr
    assert (here / ".pre-commit-config.yaml").read_text() == "repos: []\n"
    assert (here / "declarations/organisation.yaml").is_file()
    assert (here / ".hdsguard.yaml").is_file()
    assert "wrote .pre-commit-config.yaml" not in result.stderr
    kept = result.stderr.split("kept .pre-commit-config.yaml (it exists)", 1)[1]
    # The hook to merge by hand is shown, indented, and parses as the file hdsguard would write.
    block = kept.split("\n", 1)[1].split("\nNext:", 1)[0]
    shown = yaml.safe_load("\n".join(line[4:] for line in block.splitlines()))
    assert shown["repos"][0]["hooks"][0]["entry"] == "hdsguard check"
    again = run_cli([*FLAGS, "--skip-existing"])
    assert again.exit_code == 0
    assert again.stderr.rstrip().endswith("every file exists already; nothing written")


def test_unknown_protocol_is_refused(here: Path) -> None:
    result = run_cli(["init", "--expose", "https,XYZZY"])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "--expose: unknown protocol 'xyzzy' in --expose; choose from ftp"
    )
    assert list(here.iterdir()) == [here / ".git"]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "--expose: unknown protocol 'htps' in --expose; did you mean 'https'? (choose "),
        ("fr", "--expose: protocole inconnu 'htps' dans --expose ; vouliez-vous dire 'https' ? "),
    ],
)
def test_a_misspelt_protocol_gets_the_likely_one(here: Path, lang: str, expected: str) -> None:
    result = run_cli(["--lang", lang, "init", "--expose", "htps,openvpn"])
    assert result.exit_code == 2
    assert result.stderr.startswith(expected)
    assert list(here.iterdir()) == [here / ".git"]


@pytest.mark.parametrize(
    ("args", "lang", "meant"),
    [
        (["--kind", "clinique"], "en", "'other'; did you mean `clinic`?"),
        (["--kind", "clinique"], "fr", "'other' ; vouliez-vous dire `clinic` ?"),
        (["--kind", "EHPAD"], "fr", "vouliez-vous dire `medico_social` ?"),
        (["--kind", "Hospital"], "en", "did you mean `hospital`?"),
        (["--hosting", "hébergeur"], "fr", "vouliez-vous dire `provider` ?"),
        (["--hosting", "prem"], "en", "did you mean `premises`?"),
        (["--ci", "gitlb"], "en", "did you mean `gitlab`?"),
    ],
)
def test_every_choice_of_init_names_the_one_meant(
    here: Path, args: list[str], lang: str, meant: str
) -> None:
    # A French user writes `--kind clinique`: every enum init takes says which value it meant.
    result = run_cli(["--lang", lang, "init", "--no-input", *args])
    assert result.exit_code == 2
    assert meant in result.stderr, result.stderr
    assert list(here.iterdir()) == [here / ".git"]


def test_a_choice_close_to_none_gets_no_guess(here: Path) -> None:
    result = run_cli(["init", "--no-input", "--kind", "zzz"])
    assert result.exit_code == 2
    assert "did you mean" not in result.stderr


@pytest.mark.parametrize(
    ("kind", "system"),
    [
        ("imaging_centre", "pacs"),
        ("medical_laboratory", "sil"),
        ("medico_social", "dui"),
        ("health_software_vendor", "platform"),
        ("hospital", "dpi"),
        ("clinic", "dpi"),
    ],
)
def test_the_system_holding_health_data_is_the_kind_s_own(
    here: Path, kind: str, system: str
) -> None:
    # An imaging centre started from a hospital's "dpi" (patient record) and had to rename it
    # and every reference to it; its system is its RIS / PACS.
    flags = [*FLAGS, "--no-input"]
    flags[flags.index("clinic")] = kind
    assert run_cli(flags).exit_code == 0
    systems = yaml.safe_load((here / "declarations/systems.yaml").read_text(encoding="utf-8"))
    assert [s["id"] for s in systems["systems"]] == [system]
    network = yaml.safe_load((here / "declarations/network.yaml").read_text(encoding="utf-8"))
    assert {s["system"] for s in network["services"]} == {system}
    result = run_cli(["check", "--as-of", AS_OF])
    assert result.exit_code == 1, result.stderr  # evidence to gather, no invalid reference


def test_the_commented_hints_of_a_service_suit_its_protocol(here: Path) -> None:
    # Uncommenting the hints of a VPN must not declare it open to patients with a password.
    assert run_cli([*FLAGS[:-1], "https,openvpn,sftp"]).exit_code == 0
    text = (here / "declarations/network.yaml").read_text(encoding="utf-8")
    blocks = {b.split("\n", 1)[0]: b for b in text.split("  - id: internet-")[1:]}
    hints = {
        name: (
            re.search(r"# audience: \[(\w+)\]", block).group(1),  # type: ignore[union-attr]
            re.search(r"# authentication: (\w+)", block).group(1),  # type: ignore[union-attr]
        )
        for name, block in blocks.items()
    }
    assert hints == {
        "https": ("patients", "password"),
        "openvpn": ("staff", "certificate"),
        "sftp": ("partners", "key"),
    }


def test_questions_in_a_terminal(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_init, "_interactive", lambda: True)
    from click.testing import CliRunner

    from hdsguard.cli import main

    answers = "Clinique du Lac\nclinic\npremises\nhttps\ngitlab\n"
    result = CliRunner().invoke(main, ["init"], input=answers)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "Name of the organisation [My organisation]: Clinique du Lac\n"
        "Kind of organisation (hospital, ght, clinic, medical_laboratory, imaging_centre, "
        "medico_social, health_software_vendor, other) [clinic]: clinic\n"
    )
    organisation = yaml.safe_load((here / "declarations/organisation.yaml").read_text())
    assert organisation["organisation"] == {"name": "Clinique du Lac", "kind": "clinic"}
    assert (here / ".gitlab/hdsguard.gitlab-ci.yml").exists()
    network = yaml.safe_load((here / "declarations/network.yaml").read_text())
    assert [s["id"] for s in network["services"]] == ["internet-https"]
    no_questions = CliRunner().invoke(main, ["init", "--no-input", "sub"])
    assert no_questions.exit_code == 0 and no_questions.stdout == ""


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_hint_in_the_skeleton_is_a_valid_field(here: Path, lang: str) -> None:
    """Uncommenting the skeleton's hints (dates filled in) gives valid declarations: the
    hints cannot drift from the model, and their comments, French in a French run, cannot
    break the YAML."""
    import re

    assert run_cli(["--lang", lang, *FLAGS]).exit_code == 0
    hint = re.compile(r"^(\s*)#( +)((?:[a-z_0-9]+:|- ).*?)(\s+#.*)?$")
    for path in (here / "declarations").glob("*.yaml"):
        lines = []
        for line in path.read_text(encoding="utf-8").splitlines():
            match = hint.match(line)
            if match:
                line = match.group(1) + match.group(2)[1:] + match.group(3)
            lines.append(line.replace("YYYY-MM-DD", "2026-11-01").replace('"…"', '"x"'))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli(["check", "--as-of", AS_OF])
    assert result.exit_code in (0, 1), result.stderr
    text = (here / "declarations/organisation.yaml").read_text(encoding="utf-8")
    assert "\ndetection:\n" in text and "  mfa_admin: true" in text
    systems = (here / "declarations/systems.yaml").read_text(encoding="utf-8")
    assert ("# Qui vous êtes" in text) == (lang == "fr")
    assert ("# l'id de son hébergeur, ci-dessus" in systems) == (lang == "fr")


def test_existing_files_are_refused_in_french_too(here: Path) -> None:
    (here / ".pre-commit-config.yaml").write_text("repos: []\n")
    result = run_cli(["--lang", "fr", *FLAGS])
    assert result.exit_code == 2
    assert result.stderr == (
        ".pre-commit-config.yaml: existe déjà : passez --skip-existing pour le garder et écrire "
        "les autres fichiers, ou --force pour le remplacer\n"
    )


def test_init_offers_exactly_the_model_s_organisation_kinds() -> None:
    """init keeps its own copy of the kinds (importing the model would slow every start of the
    CLI, which builds init's click.Choice); this keeps the copy equal to the model."""
    from typing import get_args

    from hdsguard.declarations.model import OrganisationKind
    from hdsguard.init import KINDS

    assert get_args(OrganisationKind) == KINDS


def test_every_field_the_first_check_asks_for_has_a_hint_in_the_skeleton(here: Path) -> None:
    """The first `check` is the new user's to-do list: each field it names as missing evidence
    has a commented hint in the skeleton, so that the answer is an uncommenting away."""
    import json
    import re

    assert run_cli([*FLAGS[:-1], "https,openvpn,rdp,sftp"]).exit_code == 0
    skeleton = "".join(
        path.read_text(encoding="utf-8") for path in (here / "declarations").glob("*.yaml")
    )
    result = run_cli(["check", "--format", "json", "--as-of", AS_OF])
    assert result.exit_code == 1, result.stderr
    asked: set[str] = set()
    for finding in json.loads(result.stdout)["findings"]:
        for part in finding["message"].split("evidence missing")[1:]:
            asked.update(re.findall(r"`([a-z_0-9.]+)`", part.split(";")[0]))
    assert len(asked) > 40
    no_hint = sorted(
        name
        for name in asked
        if not re.search(rf"#\s+(?:[a-z_0-9]+: \{{[^}}]*)?\b{name.split('.')[-1]}:", skeleton)
    )
    assert no_hint == []


@pytest.mark.parametrize("where", ["after", "before"])
def test_init_speaks_french_with_lang_fr(here: Path, where: str) -> None:
    # `--lang` is accepted by every command (README), init included, on either side of its
    # name; its help, messages and questions are then French.
    argv = [*FLAGS, "--no-input", "--lang", "fr"] if where == "after" else ["--lang", "fr", *FLAGS]
    result = run_cli(argv)
    assert result.exit_code == 0, result.output
    assert "hdsguard : declarations/organisation.yaml écrit\n" in result.stderr
    assert "Ensuite : lancez `hdsguard check`" in result.stderr
    assert "wrote" not in result.stderr
    assert load_hdsguard_config(here / ".hdsguard.yaml").model.lang == "fr"
    # ...so the next bare `hdsguard check` reports in French, as the user chose
    assert "non conformes" in run_cli(["check", "--as-of", AS_OF]).stdout
    help_text = run_cli(["init", "--lang", "fr", "--help"]).stdout
    assert "Usage : " in help_text and " init [OPTIONS] [DIRECTORY]" in help_text
    assert "Démarrer un jeu de déclarations" in help_text


def test_init_asks_its_questions_in_french(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_init, "_interactive", lambda: True)
    from click.testing import CliRunner

    from hdsguard.cli import main

    answers = "Clinique Saint-Roch\nclinic\npremises\nhttps\nnone\n"
    result = CliRunner().invoke(main, ["init", "--lang", "fr"], input=answers)
    assert result.exit_code == 0, result.output
    assert "Nom de l'organisation" in result.output
    assert "Où tournent les systèmes qui détiennent des données de santé" in result.output


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_the_hook_and_ci_files_are_commented_in_the_runs_language(here: Path, ci: str) -> None:
    assert run_cli(["--lang", "fr", *FLAGS, "--ci", ci, "--no-input"]).exit_code == 0
    written = [".pre-commit-config.yaml", CI_FILES[ci]]
    comments = [
        line
        for name in written
        for line in (here / name).read_text(encoding="utf-8").splitlines()
        if "#" in line
    ]
    text = "\n".join(comments)
    assert "puis chaque commit lance" in text
    assert "remplacez @main par le sha d'un commit" in text
    for english in ("every commit runs", "Pin a commit", "changes the verdict", "Add to"):
        assert english not in text
    # the files stay what the tools read
    assert load_config(str(here / ".pre-commit-config.yaml"))["repos"][0]["hooks"][0]["id"]
    assert yaml.safe_load((here / CI_FILES[ci]).read_text(encoding="utf-8"))


def test_the_baseline_line_of_the_config_adopts_the_gate(here: Path) -> None:
    # `hdsguard baseline` writes .hdsguard-baseline.json, but `check` reads no baseline the
    # config does not name: the config's commented line says so, and uncommenting it is all
    # it takes for the gate to pass on the recorded failures.
    assert run_cli(FLAGS).exit_code == 0
    config = here / ".hdsguard.yaml"
    line = next(x for x in config.read_text().splitlines() if x.startswith("# baseline:"))
    assert line.endswith("# written by `hdsguard baseline`; `check` reads it once uncommented")
    assert run_cli(["baseline", "--as-of", AS_OF]).exit_code == 0
    assert run_cli(["check", "--as-of", AS_OF]).exit_code == 1
    config.write_text(config.read_text().replace(line, line[2:]))
    result = run_cli(["check", "--as-of", AS_OF])
    assert result.exit_code == 0, result.stdout[-400:]


def test_the_readme_names_the_system_each_kind_starts_from() -> None:
    from hdsguard.init import MAIN_SYSTEM, MAIN_SYSTEMS
    from tests.helpers import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Start your own", 1)[1].split("\n## ", 1)[0]
    for system, _name in [*MAIN_SYSTEMS.values(), MAIN_SYSTEM]:
        assert f"`{system}`" in section
