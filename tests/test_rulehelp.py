"""A rule's remediation, as its help shows it (docs/policies*.md, ``policies explain``, SARIF's
``tool.driver.rules[].help``), is prose for every target: no placeholder's CEL in it."""

from __future__ import annotations

import datetime
import json
import re
from functools import cache

import pytest

from hdsguard.api import CheckOptions, check
from hdsguard.formatters import RenderOptions
from hdsguard.formatters.sarif import render
from hdsguard.i18n import language
from hdsguard.policies.celenv import CelRuntime
from hdsguard.policies.celtree import free_names, path, tree
from hdsguard.policies.load import CompiledPolicy, load_catalogue
from hdsguard.policies.rulehelp import remediation_help, worded_text
from tests.helpers import REPO, run_cli

# What CEL leaves in a text it was printed into: an operator, a string literal joined in, a
# call of its library, a placeholder.
_CEL = re.compile(
    r'\? "|" :|" \+|\+ "|\.\?|hasValue|orValue|\.map\(|\.join\(|\.filter\(|startsWith\(|\{\{|'
    r"<[^>]*[()?=\"!&|+][^>]*>"
)


@cache
def catalogue(lang: str) -> tuple[CelRuntime, dict[str, CompiledPolicy]]:
    runtime = CelRuntime()
    with language(lang):
        return runtime, load_catalogue(runtime, lang=lang)


def worded(lang: str, rule: str, params: dict[str, object] | None = None) -> str:
    runtime, policies = catalogue(lang)
    with language(lang):
        return remediation_help(runtime, policies[rule], params)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_no_rule_help_of_the_catalogue_prints_cel(lang: str) -> None:
    runtime, policies = catalogue(lang)
    with language(lang):
        bad = {
            p.id: text
            for p in policies.values()
            if _CEL.search(text := remediation_help(runtime, p)) or "<…>" in text
        }
    assert not bad


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_catalogue_pages_print_no_cel(lang: str) -> None:
    page = "policies.md" if lang == "en" else "policies.fr.md"
    text = (REPO / "docs" / page).read_text(encoding="utf-8")
    remediations = re.findall(r"### (?:Remediation|Correction)\n\n(.*?)\n### ", text, re.DOTALL)
    assert len(remediations) == 80
    assert not [r for r in remediations if _CEL.search(r)]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_sarif_rule_help_prints_no_cel(lang: str) -> None:
    options = CheckOptions(as_of=datetime.date(2026, 11, 28), lang=lang)
    with language(lang):
        report = check([str(REPO / "examples" / "hospital")], options)
        log = json.loads(render(report, RenderOptions()))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert len(rules) == 80
    helps = {r["id"]: r["help"]["text"] + r["help"]["markdown"] for r in rules}
    assert not [rule for rule, text in helps.items() if _CEL.search(text.replace("&lt;", "<"))]
    assert "at least once a day" in helps["BKP-001"] or "une fois par jour" in helps["BKP-001"]


def test_params_only_placeholders_are_evaluated_with_the_rules_params() -> None:
    assert "Back up <id> at least once a day," in worded("en", "BKP-001")
    assert "at least every 2 days," in worded("en", "BKP-001", {"max_backup_age_days": 2})
    assert "au moins tous les 2 jours," in worded("fr", "BKP-001", {"max_backup_age_days": 2})
    assert "within 30 days for critical" in worded("en", "VND-008")
    assert "publish it only through a VPN or through a reverse proxy:" in worded("en", "EXP-003")


def test_a_conditional_on_the_target_gives_each_case_with_its_condition() -> None:
    english = worded("en", "PAT-003").split("\n\n")
    assert [p.split(":")[0] for p in english] == [
        "If `vulnerabilities` is not declared",
        "Otherwise",
    ]
    assert english[0].startswith(
        "If `vulnerabilities` is not declared: Declare the vulnerabilities"
    )
    french = worded("fr", "PAT-003").split("\n\n")
    assert french[0].startswith("Si `vulnerabilities` n'est pas déclaré : Déclarer")
    assert french[1].startswith("Sinon : Corriger <id> dès maintenant")
    nested = worded("en", "EXP-004").split("\n\n")
    assert [p.split(":")[0] for p in nested] == [
        "If the target is declared in `firewalls`",
        "Otherwise, if `role` is not declared",
        "Otherwise",
    ]


def test_an_optional_fragment_stays_and_a_condition_takes_its_authors_words() -> None:
    assert worded("en", "TLS-002").startswith("Renew the certificate <id> (<subject>), deploy")
    tls3 = worded("en", "TLS-003").split("\n\n")
    assert tls3[0].startswith(
        "If `signature_algorithm` is not a SHA-2 or EdDSA signature: Reissue the certificate <id>"
    )
    assert tls3[1].startswith(
        "If the certificate is public and lasts longer than the CA/Browser Forum maximum for its "
        "issue date: Replace it"
    )
    assert worded("fr", "TLS-003").startswith(
        "Si `signature_algorithm` n'est pas une signature SHA-2 ou EdDSA : Réémettre"
    )
    assert worded("en", "EXP-001").startswith(
        "If a secure protocol is declared on the well-known port of a cleartext protocol (this "
        "rule's `cleartext_ports`): Find out what answers on port <port> of <host>"
    )
    assert tls3[2].startswith(
        "If `signature_algorithm` is not declared, or `public` is not declared, or `public` "
        "is `true` and `not_before` is not declared: Declare the missing fields"
    )


# What opens a case of the help, and a text that opens with a condition of its own.
_LEADS = {
    "en": r"(?:If |Otherwise, if |Otherwise|Where it applies|Otherwise, where it applies)",
    "fr": r"(?:Si |Sinon, si |Sinon|Le cas échéant|Sinon, le cas échéant)",
}
_OWN = {"en": r"If ", "fr": r"(?:Si |S'ils? )"}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_condition_of_the_catalogue_has_words(lang: str) -> None:
    runtime, policies = catalogue(lang)
    # "Where it applies: …", "Otherwise, where it applies: …": a case its reader cannot tell.
    unworded = re.compile("where it applies: " if lang == "en" else "le cas échéant : ", re.I)
    with language(lang):
        bad = [p.id for p in policies.values() if unworded.search(remediation_help(runtime, p))]
    assert bad == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_no_case_of_the_catalogue_opens_with_a_second_condition(lang: str) -> None:
    runtime, policies = catalogue(lang)
    twice = re.compile(_LEADS[lang] + r"[^\n]*? ?: " + _OWN[lang])
    with language(lang):
        helps = {p.id: remediation_help(runtime, p) for p in policies.values()}
    assert [rule for rule, text in helps.items() if twice.search(text)] == []
    english = worded("en", "VND-008").split("\n\n")[1]
    assert english.startswith(
        "If the target is not declared in `providers` and `supplies_software` is not declared and "
        "`contract.patch_sla` is not declared, and if <name> supplies no software the "
        "organisation runs ("
    )
    french = worded("fr", "VND-008").split("\n\n")[1]
    assert "n'est pas déclaré, et si <name> ne fournit aucun logiciel" in french


def test_a_case_whose_text_opens_with_a_condition_reads_as_one_sentence() -> None:
    runtime = catalogue("en")[0]
    template = (
        '{{ self.?role.hasValue() ? "If it is a relay, close it." : '
        '"If it is unused, remove it." }}'
    )
    assert worded_text(runtime, template, {}).split("\n\n") == [
        "If `role` is declared, and if it is a relay, close it.",
        "Otherwise, if it is unused, remove it.",
    ]


def test_a_choice_between_two_fragments_gives_the_whole_text_for_each() -> None:
    runtime = catalogue("en")[0]
    # At the top of a message (EXP-001 before the twenty-first session)...
    template = (
        '{{ self.protocol == "other" ? "Declare it; if it is cleartext, stop" : "Stop" }} '
        'exposing {{ self.protocol }}{{ self.?host.hasValue() ? " at " + self.host : "" }}.'
    )
    assert worded_text(runtime, template, {}).split("\n\n") == [
        "If `protocol` is `other`: Declare it; if it is cleartext, stop exposing <protocol> at "
        "<host>.",
        "Otherwise: Stop exposing <protocol> at <host>.",
    ]
    # ...or in the other branch of a conditional whose condition has no words here (EXP-001
    # as the twenty-first session rewrote it).
    template = (
        '{{ size(self.ports) > 2 && params.strict ? "Close the extra ports." '
        ': (self.protocol == "other" ? "Declare it, then stop" : "Stop") + " exposing " '
        '+ self.protocol + " on the Internet." }}'
    )
    assert worded_text(runtime, template, {"strict": True}).split("\n\n") == [
        "Where it applies: Close the extra ports.",
        "Otherwise, if `protocol` is `other`: Declare it, then stop exposing <protocol> on the "
        "Internet.",
        "Otherwise: Stop exposing <protocol> on the Internet.",
    ]
    # A choice between two plain slots stays one slot.
    template = 'presented by {{ self.host != "" ? self.host : self.id }}'
    assert worded_text(runtime, template, {}) == "presented by <host or id>"


def test_the_help_reads_the_checked_tree_of_each_placeholder() -> None:
    runtime = catalogue("en")[0]
    node = tree(
        runtime.compile(
            'required_activities(self.services).map(a, "activity " + string(a)).join(", ")'
        )
    )
    # The macro is a comprehension whose variable is bound: only functions are read.
    assert "a" not in free_names(node)
    assert {"required_activities()", "string()", "join()"} <= free_names(node)
    scoped = tree(runtime.compile('self.?a.orValue("x") == "" ? "" : params.b', "X-001"))
    assert scoped.kind == "cond"  # the binding that scoped params to the policy is unwrapped
    assert {"self", "params"} <= free_names(scoped)
    assert path(scoped.children[0].children[0]) == ("self", "a")
    # A placeholder that does not compile is no CEL in the help either.
    assert worded_text(runtime, "Fix {{ self.a ? }} now.", {}) == "Fix <…> now."


def test_explain_words_the_remediation_too() -> None:
    result = run_cli(["policies", "explain", "PAT-003"])
    assert result.exit_code == 0
    remediation = result.stdout.split("\nREMEDIATION\n")[1].split("\nREFERENCES\n")[0]
    assert not _CEL.search(remediation)
    assert "If `vulnerabilities` is not declared:" in remediation


def test_a_run_words_the_rules_remediation_only_when_asked() -> None:
    paths = [str(REPO / "examples" / "minimal")]
    as_of = datetime.date(2026, 11, 28)
    worded_run = check(paths, CheckOptions(as_of=as_of))
    plain_run = check(paths, CheckOptions(as_of=as_of, rule_help=False))
    assert "{{" not in worded_run.rules["BKP-001"].remediation
    assert "at least once a day" in worded_run.rules["BKP-001"].remediation
    assert "{{ params.max_backup_age_days" in plain_run.rules["BKP-001"].remediation


def test_check_words_the_rules_remediation_for_sarif_only(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def counted(runtime: object, policy: CompiledPolicy, params: object = None) -> str:
        calls.append(policy.id)
        return ""

    monkeypatch.setattr("hdsguard.policies.rulehelp.remediation_help", counted)
    args = ["check", str(REPO / "examples" / "minimal"), "--as-of", "2026-11-28", "--no-config"]
    run_cli([*args, "--format", "text"])
    assert calls == []
    run_cli([*args, "--format", "sarif"])
    assert len(calls) == 80
