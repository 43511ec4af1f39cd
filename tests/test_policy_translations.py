"""The French text of the built-in policies: complete where given, same values quoted, and
rendered on the policies' own inline cases.

The catalogue is walked whole: every built-in policy has French text for every field and
message, the same values are
quoted in both languages, and each inline case renders in both languages with the same status
and a French message that differs from the English one.
"""

from __future__ import annotations

import re

import pytest

from hdsguard.i18n import language
from hdsguard.policies.celenv import CelRuntime
from hdsguard.policies.load import CompiledPolicy, load_catalogue
from hdsguard.policies.model import Policy
from hdsguard.policies.selftest import run_case
from hdsguard.policies.template import placeholders
from hdsguard.policies.texts import CHECK_TEXT_KEYS, TEXT_KEYS

MAIN = load_catalogue(CelRuntime(), with_specs=True)
RUNTIME_EN, RUNTIME_FR = CelRuntime(), CelRuntime()
ENGLISH = load_catalogue(RUNTIME_EN, with_specs=True, lang="en")
FRENCH = load_catalogue(RUNTIME_FR, with_specs=True, lang="fr")
TRANSLATED = sorted(pid for pid, p in MAIN.items() if "fr" in p.authoring().translations)
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')


def _texts(spec: Policy) -> dict[str, str]:
    """Every text of the policy in its main language, by its path in the file."""
    required = ("title", "description", "rationale", "remediation")
    out = {k: getattr(spec, k) for k in TEXT_KEYS if k in required or getattr(spec, k)}
    for i, check in enumerate(spec.checks or []):
        for key in CHECK_TEXT_KEYS:
            if key == "message" or getattr(check, key):
                out[f"checks.{i}.{key}"] = getattr(check, key)
    for name, param in spec.params.items():
        out[f"params.{name}"] = param.description
    return out


def _french(spec: Policy) -> dict[str, str]:
    block = spec.translations["fr"]
    out = {k: getattr(block, k) for k in TEXT_KEYS if getattr(block, k)}
    for i, check in enumerate(block.checks or []):
        for key in CHECK_TEXT_KEYS:
            if getattr(check, key):
                out[f"checks.{i}.{key}"] = getattr(check, key)
    out.update({f"params.{name}": text for name, text in block.params.items()})
    return out


# `fr_de(x)` quotes x with its French preposition ("d'AlpCloud"): the same value as `x`.
# Its argument may hold one level of parentheses; the call may sit inside a longer expression.
_FR_DE = re.compile(r"\s*fr_de\(((?:[^()]|\([^()]*\))*)\)\s*", re.DOTALL)


def _values(text: str) -> set[str]:
    """What a text quotes: its placeholders, without their string literals (the words)."""
    return {re.sub(r"\s+", "", _STRING.sub('""', _FR_DE.sub(r"\1", p))) for p in placeholders(text)}


def test_every_builtin_policy_has_french_text() -> None:
    without = sorted(pid for pid in MAIN if pid not in TRANSLATED)
    assert not without, (
        f"no translations.fr block: {without}; translate them "
        "(docs/policy-format.md, docs/glossary.md)"
    )


@pytest.mark.parametrize("policy_id", TRANSLATED)
def test_every_text_has_its_french(policy_id: str) -> None:
    spec = MAIN[policy_id].authoring()
    english, french = _texts(spec), _french(spec)
    assert sorted(french) == sorted(english), "missing or extra French texts"
    for key, text in french.items():
        assert text.strip() != english[key].strip(), f"{key}: identical to the English"


@pytest.mark.parametrize("policy_id", TRANSLATED)
def test_french_quotes_the_same_values(policy_id: str) -> None:
    spec = MAIN[policy_id].authoring()
    english, french = _texts(spec), _french(spec)
    for key, text in french.items():
        assert _values(text) == _values(english[key]), key


def _cases(policy_id: str) -> list[tuple[int, object]]:
    return list(enumerate(MAIN[policy_id].authoring().tests))


@pytest.mark.parametrize("policy_id", TRANSLATED)
def test_inline_cases_render_in_french(policy_id: str) -> None:
    en: CompiledPolicy = ENGLISH[policy_id]
    fr: CompiledPolicy = FRENCH[policy_id]
    assert not fr.fell_back and fr.meta.title != en.meta.title
    for index, case in enumerate(en.authoring().tests):
        english = run_case(RUNTIME_EN, en, index, case)
        with language("fr"):  # the code's own messages (evidence missing) in French too
            french = run_case(RUNTIME_FR, fr, index, case)
        assert english.ok, english.problem
        assert french.got == english.got, (case.name, french.problem)
        if english.message:
            assert french.message and french.message != english.message, case.name
            assert "(inconnu)" not in french.message and "(unknown)" not in french.message


@pytest.mark.parametrize("policy_id", TRANSLATED)
def test_every_reference_has_its_french(policy_id: str) -> None:
    # The references were shown in English in French runs ("ANSSI hygiene guide, measure 21"
    # where the guide is the "Guide d'hygiène informatique de l'ANSSI"): each built-in policy
    # gives them in French, one for one, with the same identifiers, numbers and dates.
    spec = MAIN[policy_id].authoring()
    french = spec.translations["fr"].references
    assert french is not None, "no translations.fr.references"
    assert len(french) == len(spec.references), "one French reference per reference"
    for english, translated in zip(spec.references, french, strict=True):
        assert re.findall(r"\d+", translated) == re.findall(r"\d+", english), translated
    assert FRENCH[policy_id].meta.references == tuple(french)
    assert ENGLISH[policy_id].meta.references == tuple(spec.references)


def test_evd_012_s_french_pass_names_the_declared_minimum_correctly() -> None:
    """ "aucune version antérieure à TLS 1.2 déclaré": the participle agreed with nothing a
    French reader could find; the declared minimum is named as such."""
    fr = FRENCH["EVD-012"]
    cases = enumerate(fr.authoring().tests)
    index, case = next((i, c) for i, c in cases if c.name.startswith("the server accepts"))
    with language("fr"):
        french = run_case(RUNTIME_FR, fr, index, case)
    assert french.message.endswith("aucune version antérieure au minimum déclaré, TLS 1.2"), (
        french.message
    )
