"""A repository root holds policies, waivers, a baseline, configs: skipped by their shape."""

from __future__ import annotations

import pytest

from hdsguard.declarations.shapes import shape
from tests.config_support import AS_OF, FIREWALLS, Tree, waiver
from tests.helpers import REPO, run_cli

POLICY = (REPO / "policies" / "FW-001.yaml").read_text(encoding="utf-8")
BASELINE = '{"version": 1, "tool": {"name": "hdsguard", "version": "0"}, "as_of": "2026-11-28",'
BASELINE += ' "findings": []}\n'
NOTICE = (
    "notice: skipped 4 files that are not declarations: hdsguard-baseline.json (baseline file), "
    "hdsguard.yaml (hdsguard config), policies/FW-900.yaml (policy), waivers.yaml (waivers); "
    "to read only your declarations, pass their directory (`hdsguard check DIR`) or set "
    "`declarations:` in .hdsguard.yaml"
)


@pytest.fixture
def root(tree: Tree) -> None:
    tree(
        {
            ".git/HEAD": "",
            "infra/fw.yaml": FIREWALLS,
            "policies/FW-900.yaml": POLICY.replace("FW-001", "FW-900"),
            "waivers.yaml": "waivers:\n" + waiver("firewalls/fw-edge-1", "2027-01-31"),
            "hdsguard-baseline.json": BASELINE,
            "hdsguard.yaml": "version: 1\nfail_on: high\n",
        }
    )


def test_check_at_a_root_skips_them_with_one_notice(root: None) -> None:
    result = run_cli(["check", "--as-of", AS_OF])
    assert result.exit_code == 1
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[-3:-1] == [NOTICE, ""]  # one notice, just before the summary
    assert "firewalls/fw-edge-1" in result.stdout  # the declarations were read
    assert "unknown key" not in result.output


def test_other_formats_tell_it_on_stderr(root: None) -> None:
    result = run_cli(["check", "--as-of", AS_OF, "--format", "json"])
    assert result.exit_code == 1
    assert result.stderr == "hdsguard: " + NOTICE + "\n"
    assert '"notices": [' in result.stdout


def test_the_notice_names_each_kind_in_french(root: None) -> None:
    result = run_cli(["--lang", "fr", "check", "--as-of", AS_OF, "--format", "json"])
    assert result.stderr == (
        "hdsguard : avis : 4 fichiers ignorés, qui ne sont pas des fichiers de déclarations : "
        "hdsguard-baseline.json (fichier de référence), hdsguard.yaml (configuration hdsguard), "
        "policies/FW-900.yaml (règle), waivers.yaml (dérogations) ; pour ne lire que vos "
        "déclarations, passez leur répertoire (`hdsguard check DIR`) ou renseignez "
        "`declarations:` dans .hdsguard.yaml\n"
    )


def test_a_named_file_is_never_skipped_but_says_what_it_is(root: None) -> None:
    result = run_cli(["check", "infra", "policies/FW-900.yaml"])
    assert result.exit_code == 2
    assert result.stderr == (
        "policies/FW-900.yaml: this file is not a declaration: it looks like a policy (pass its "
        "directory with --policies, or list it under `policies:` in .hdsguard.yaml)\n"
    )


def test_a_directory_with_only_such_files_is_an_error(root: None) -> None:
    result = run_cli(["check", "policies"])
    assert result.exit_code == 2
    assert result.stderr == (
        "policies: no declaration to check: 1 file found, and it is not a declaration: "
        "policies/FW-900.yaml (policy); name the declaration files or directories to check, or "
        "run `hdsguard init` to start a set\n"
    )


def test_an_invalid_declaration_is_still_an_error(tree: Tree) -> None:
    tree({"d/fw.yaml": "firewalls:\n  - id: fw-1\n    last_pach: 2026-01-01\n"})
    result = run_cli(["check", "d"])
    assert result.exit_code == 2
    assert "unknown key 'last_pach'" in result.stderr


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        ({"id": "X-1", "severity": "low", "condition": "true"}, "policy"),
        ({"waivers": []}, "waivers"),
        ({"version": 1, "tool": {}, "as_of": "2026-01-01", "findings": []}, "baseline"),
        ({"version": 1, "declarations": ["infra"]}, "config"),
        ({"repos": []}, "pre-commit"),
        ({"jobs": {}}, "ci"),
        ({"title": "KEV", "catalogVersion": "1", "count": 0, "vulnerabilities": []}, "evidence"),
        ({"firewalls": [{"id": "x", "severity": "low"}]}, None),
        ({"version": 1}, None),
        ([1, 2], None),
    ],
)
def test_shapes(data: object, kind: str | None) -> None:
    assert shape(data) == kind
