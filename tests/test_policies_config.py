"""`policies list/explain/test` read .hdsguard.yaml: its policy directories and settings."""

from __future__ import annotations

import pytest

from tests.config_support import Tree
from tests.helpers import REPO, run_cli

OWN = (REPO / "policies" / "FW-001.yaml").read_text(encoding="utf-8").replace("FW-001", "ACME-001")
CONFIG = """\
version: 1
policies: [pol]
fail_on: high
params:
  FW-001: {max_patch_age_days: 30}
severity:
  FW-002: critical
rules:
  disable: [GOV-001]
waiver_policy:
  forbidden: [EXP-001]
  max_days: {high: 90}
"""


@pytest.fixture
def org(tree: Tree) -> None:
    tree({".git/HEAD": "", ".hdsguard.yaml": CONFIG, "pol/ACME-001.yaml": OWN})


def test_explain_shows_the_organisation_values(org: None) -> None:
    result = run_cli(["policies", "explain", "FW-001"])
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(
        "\n"
        "IN THIS ORGANISATION (.hdsguard.yaml)\n"
        "  - runs\n"
        "  - severity: high\n"
        "  - fails the gate when it fails: the config's `fail_on` is high\n"
        "  - `max_patch_age_days` = `30` (default `90`)\n"
        "  - waivers last at most 90 days (`waiver_policy.max_days.high`)\n"
    )
    exp = run_cli(["policies", "explain", "EXP-001"]).stdout
    assert "  - may not be waived (`waiver_policy.forbidden`)\n" in exp
    fw2 = run_cli(["policies", "explain", "FW-002"]).stdout
    assert "  - severity: critical (default high)\n" in fw2
    gov = run_cli(["policies", "explain", "GOV-001"]).stdout
    assert "  - does not run: turned off by `rules` in the config\n" in gov
    plain = run_cli(["policies", "explain", "FW-001", "--no-config"]).stdout
    assert "IN THIS ORGANISATION" not in plain


def test_explain_shows_the_organisation_values_in_french(org: None) -> None:
    """A French `explain` ended with this section in English ("IN THIS ORGANISATION",
    "runs", "severity", "the default")."""
    result = run_cli(["policies", "explain", "FW-001", "--lang", "fr"])
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(
        "\n"
        "DANS CET ÉTABLISSEMENT (.hdsguard.yaml)\n"
        "  - s'exécute\n"
        "  - gravité : high\n"
        "  - rend le verdict non conforme quand elle échoue : le `fail_on` de la "
        "configuration est high\n"
        "  - `max_patch_age_days` = `30` (par défaut : `90`)\n"
        "  - dérogations de 90 jours au plus (`waiver_policy.max_days.high`)\n"
    )
    gov = run_cli(["policies", "explain", "GOV-001", "--lang", "fr"]).stdout
    assert "  - ne s'exécute pas : désactivée par `rules` dans la configuration\n" in gov
    own = run_cli(["policies", "explain", "acme-001", "--lang", "fr"]).stdout
    assert "  - une règle propre à l'établissement, définie dans pol/ACME-001.yaml\n" in own


def test_explain_and_list_know_the_organisation_rules(org: None) -> None:
    own = run_cli(["policies", "explain", "acme-001"])
    assert own.exit_code == 0
    assert "  - an organisation's own rule, from pol/ACME-001.yaml\n" in own.stdout
    listed = run_cli(["policies", "list"]).stdout.splitlines()
    assert "ACME-001  high     firewalls              Firewall firmware patched recently" in listed
    assert (
        "FW-002    critical firewalls              Firewall firmware still supported by its vendor"
        in listed
    )
    assert listed[[line[:7] for line in listed].index("GOV-001")].endswith(
        "(off in .hdsguard.yaml)"
    )
    critical = run_cli(["policies", "list", "--severity", "critical"]).stdout
    assert "FW-002" in critical
    assert "ACME-001" not in run_cli(["policies", "list", "--no-config"]).stdout


def test_test_runs_the_organisation_rules_too(org: None) -> None:
    with_config = run_cli(["policies", "test", "-v"])
    assert with_config.exit_code == 0
    assert "ACME-001 pol/ACME-001.yaml tests[0]" in with_config.stdout
    without = run_cli(["policies", "test", "-v", "--no-config"])
    assert "ACME-001" not in without.stdout


def test_a_bad_setting_is_an_error_for_every_command(tree: Tree) -> None:
    tree({".git/HEAD": "", ".hdsguard.yaml": "version: 1\nparams:\n  FW-001: {max_age: 3}\n"})
    for args in (["list"], ["explain", "FW-001"], ["test"]):
        result = run_cli(["policies", *args])
        assert result.exit_code == 2, args
        assert result.stderr == (
            ".hdsguard.yaml:3:12: params.FW-001.max_age: unknown parameter 'max_age' of FW-001; "
            "it has: max_patch_age_days\n"
        ), args


def test_every_policies_option_has_help() -> None:
    for command in ("list", "explain", "test"):
        text = run_cli(["policies", command, "--help"]).stdout
        for option in ("--config", "--no-config"):
            assert option in text
        if command != "test":
            assert "Extra policy directory" in text


def test_the_config_language_is_the_policies_commands_language(tree: Tree) -> None:
    tree({".git/HEAD": "", ".hdsguard.yaml": "version: 1\nlang: fr\n"})
    listed = run_cli(["policies", "list"])
    assert listed.exit_code == 0, listed.output
    assert "Micrologiciel des pare-feu à jour des correctifs" in listed.stdout
    explained = run_cli(["policies", "explain", "FW-001", "--lang", "en"])
    assert "Firewall firmware patched recently" in explained.stdout  # --lang wins
