"""Policies in French, in English, or both: the text of the run's language, else the other
one, said once."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.helpers import AS_OF, run_cli

DECLARATIONS = """
firewalls:
  - {id: fw-1, last_patch: 2025-06-02}
  - {id: fw-2, last_patch: 2026-11-01}
"""

BOTH = """
id: ACME-001
title: Firewall patched this quarter
severity: high
applies_to: firewalls
description: The last patch is at most `max_days` days old.
rationale: Our own rule.
remediation: Patch {{ self.id }}.
references: [ACME security policy 4.2]
params:
  max_days: {type: integer, default: 90, description: Maximum age of the last patch.}
requires: [last_patch]
field: last_patch
condition: days_since(self.last_patch) <= params.max_days
message: last patched {{ self.last_patch }}, {{ days_since(self.last_patch) }} days ago
translations:
  fr:
    title: Pare-feu corrigé ce trimestre
    references: [Politique de sécurité ACME 4.2]
    description: Le dernier correctif date d'au plus `max_days` jours.
    rationale: Notre propre règle.
    remediation: Corriger {{ self.id }}.
    message: >-
      dernier correctif le {{ self.last_patch }},
      il y a {{ days_since(self.last_patch) }} jours
    params: {max_days: Âge maximal du dernier correctif.}
tests:
  - name: ok
    as_of: 2026-11-28
    declarations: {firewalls: [{id: f, last_patch: 2026-11-01}]}
    expect: pass
  - name: old
    as_of: 2026-11-28
    declarations: {firewalls: [{id: f, last_patch: 2025-06-02}]}
    expect: fail
    message_contains: ["544 days ago"]
"""

FRENCH_ONLY = """
id: ACME-002
lang: fr
title: Pare-feu identifié
severity: low
applies_to: firewalls
description: Chaque pare-feu a un identifiant.
rationale: Inventaire.
remediation: Nommer {{ self.id }}.
references: [PSSI ACME 1.1]
condition: self.id != "fw-0"
message: identifiant {{ self.id }} réservé
pass_message: identifiant {{ self.id }}, déclaré le {{ now }}
tests:
  - name: ok
    as_of: 2026-11-28
    declarations: {firewalls: [{id: f}]}
    expect: pass
    message_contains: ["déclaré le 28 novembre 2026"]
  - {name: ko, as_of: 2026-11-28, declarations: {firewalls: [{id: fw-0}]}, expect: fail}
"""


def _check(tree: Callable[[dict[str, str]], Path], policy: str, *args: str) -> tuple[int, str, str]:
    tree({"decl/firewalls.yaml": DECLARATIONS, "pol/p.yaml": policy})
    result = run_cli(["check", "decl", "--policies", "pol", "--as-of", AS_OF, "--verbose", *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_translated_policy_speaks_the_language_of_the_run(
    tree: Callable[[dict[str, str]], Path],
) -> None:
    code, out, _ = _check(tree, BOTH, "--lang", "fr")
    assert code == 1
    assert "Pare-feu corrigé ce trimestre" in out
    assert "dernier correctif le 2 juin 2025, il y a 544 jours" in out
    assert "correction : Corriger fw-1." in out
    # No fallback notice for it (with every built-in rule translated, no notice at all).
    assert not any(line.startswith("avis") and "ACME-001" in line for line in out.splitlines())
    code, out, _ = _check(tree, BOTH, "--lang", "en")
    assert "last patched 2025-06-02, 544 days ago" in out and "fix: Patch fw-1." in out


def _sarif_references(tree: Callable[[dict[str, str]], Path], policy: str, *args: str) -> str:
    tree({"decl/firewalls.yaml": DECLARATIONS, "pol/p.yaml": policy})
    argv = ["check", "decl", "--policies", "pol", "--as-of", AS_OF, "--format", "sarif", *args]
    result = run_cli(argv)
    assert result.exit_code == 1, result.stderr
    (rule,) = [
        r
        for r in json.loads(result.stdout)["runs"][0]["tool"]["driver"]["rules"]
        if r["id"] == "ACME-001"
    ]
    return json.dumps(rule, ensure_ascii=False)


def test_references_are_in_the_language_of_the_run(
    tree: Callable[[dict[str, str]], Path],
) -> None:
    # The references were printed in the policy's main language whatever the run's
    # language: a French auditor read "ACME security policy 4.2" in a French report.
    french = _sarif_references(tree, BOTH, "--lang", "fr")
    assert "Politique de sécurité ACME 4.2" in french and "ACME security policy" not in french
    english = _sarif_references(tree, BOTH, "--lang", "en")
    assert "ACME security policy 4.2" in english and "Politique de sécurité" not in english


def test_references_not_translated_fall_back_said_once(
    tree: Callable[[dict[str, str]], Path],
) -> None:
    untranslated = BOTH.replace("    references: [Politique de sécurité ACME 4.2]\n", "")
    _code, out, _ = _check(tree, untranslated, "--lang", "fr")
    notices = [line for line in out.splitlines() if line.startswith("avis") and "ACME-001" in line]
    assert len(notices) == 1, out
    assert "Pare-feu corrigé ce trimestre" in out  # the rest is French all the same


def test_a_french_only_policy_falls_back_in_english_said_once(
    tree: Callable[[dict[str, str]], Path],
) -> None:
    _code, out, _ = _check(tree, FRENCH_ONLY, "--lang", "en", "--no-config")
    assert "Pare-feu identifié" in out
    notices = [line for line in out.splitlines() if line.startswith("notice:")]
    assert len(notices) == 1 and "ACME-002" in notices[0], out
    assert "no English text" in notices[0]
    # Built-in policies are English: a French-only user policy is no reason to warn about them.
    assert "identifiant fw-1, déclaré le 28 novembre 2026" in out


def test_a_french_only_policy_tests_itself_in_french(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(FRENCH_ONLY, encoding="utf-8")
    result = run_cli(["policies", "test", str(tmp_path)])
    assert result.exit_code == 0, result.stdout
    assert result.stdout.strip().endswith("2 passed, 0 failed")


def test_policy_docs_in_french_use_the_french_texts(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(BOTH, encoding="utf-8")
    result = run_cli(
        ["policies", "explain", "ACME-001", "--policies", str(tmp_path), "--lang", "fr"]
    )
    assert result.exit_code == 0
    assert "ACME-001  Pare-feu corrigé ce trimestre" in result.stdout
    assert "CE QUI EST CONTRÔLÉ" in result.stdout
    assert "`max_days` = `90`: Âge maximal du dernier correctif." in result.stdout


def _invalid(tree: Callable[[dict[str, str]], Path], policy: str) -> str:
    code, _, err = _check(tree, policy, "--lang", "fr")
    assert code == 2, err
    return err


def test_translation_mistakes_are_located_errors(tree: Callable[[dict[str, str]], Path]) -> None:
    typo = BOTH.replace("    rationale: Notre", "    rationnale: Notre")
    assert "pol/p.yaml:" in _invalid(tree, typo)
    # a French run: the errors are French (tests/test_i18n_errors.py has both languages)
    assert (
        "translations.fr.rationnale : clé inconnue 'rationnale' ; vouliez-vous dire "
        "'rationale' ?" in _invalid(tree, typo)
    )
    param = BOTH.replace("params: {max_days: Âge", "params: {max_day: Âge")
    assert "cette règle n'a pas de paramètre 'max_day'" in _invalid(tree, param)
    main = BOTH.replace("translations:\n  fr:", "translations:\n  en:")
    assert "en est la langue principale de cette règle" in _invalid(tree, main)
    cel = BOTH.replace("il y a {{ days_since(self.last_patch) }}", "il y a {{ days_since( }}")
    err = _invalid(tree, cel)
    assert "pol/p.yaml:22:14: dans l'expression {{ days_since( }}" in err  # the French text


def test_a_references_list_of_another_length_is_a_located_error(
    tree: Callable[[dict[str, str]], Path],
) -> None:
    # The n-th French reference stands for the n-th one: a list one short would cite the
    # wrong document, so it is refused where it stands (line 18 of BOTH), like a policy error.
    two = BOTH.replace("[Politique de sécurité ACME 4.2]", "[Politique ACME 4.2, Charte ACME]")
    err = _invalid(tree, two)
    assert (
        "pol/p.yaml:18:5: translations.fr.references : pas la longueur de `references` (2 au lieu "
        "de 1) ; donnez-en une par référence, dans le même ordre" in err
    ), err
    code, _, err = _check(tree, two, "--lang", "en")  # whatever the run's language
    assert code == 2
    assert "pol/p.yaml:18:5: translations.fr.references: not the length of `references`" in err


HOSTING = """
systems:
  - {id: lims, name: LIMS, health_data: true, hosted_by: infolab}
providers:
  - id: infolab
    name: InfoLab
    services: [iaas]
    hds: {certificate: C1, certifier: LNE, activities: [1, 2], referential: v2,
          valid_from: 2025-01-01, valid_until: 2027-12-31}
    storage_countries: [FR]
    remote_access_countries: [MA]
    transfer_mechanism: none
"""


def test_words_the_helpers_compute_are_in_the_language_of_the_run(tmp_path: Path) -> None:
    # Country names, HDS activity names and what a provider holds were English in French
    # messages ("MA (Morocco)", "activité 3 (provision and operational maintenance of the
    # virtual infrastructure)", "system lims (hosted)"). The English run comes first: a
    # cached English message must not be served to the French run.
    (tmp_path / "decl.yaml").write_text(HOSTING)
    argv = ["check", str(tmp_path / "decl.yaml"), "--as-of", AS_OF, "--no-config", "--verbose"]
    english = run_cli(argv).stdout
    assert "MA (Morocco)" in english
    assert "activity 3 (provision and operational maintenance of the virtual infrastructure)" in (
        english
    )
    assert "system lims (hosted)" in english
    french = run_cli([*argv, "--lang", "fr"]).stdout
    assert "MA (Maroc)" in french and "Morocco" not in french
    assert "activité 3 (infrastructure virtuelle)" in french
    assert "système lims (hébergé)" in french and "(hosted)" not in french


def test_policies_test_of_a_directory_speaks_the_configs_language(
    tree: Callable[[dict[str, str]], Path],
) -> None:
    # With DIRS the config's policies are not tested, but its `lang: fr` still holds: the
    # `hdsguard-policies` hook of a French organisation answered in English.
    tree({".git/x": "", ".hdsguard.yaml": "version: 1\nlang: fr\n", "pol/p.yaml": FRENCH_ONLY})
    result = run_cli(["policies", "test", "pol"])
    assert result.exit_code == 0, result.stdout
    assert result.stdout.strip().endswith("2 réussis, 0 en échec")
    english = run_cli(["policies", "test", "pol", "--no-config"])
    assert english.stdout.strip().endswith("2 passed, 0 failed")
