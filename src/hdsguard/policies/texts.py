"""A policy's texts in the language of a run.

A policy file writes its texts (title, description, rationale, remediation, messages, the
descriptions of its parameters) in its main language, ``lang`` (English unless it says
``lang: fr``), and may carry the same texts in the other language under
``translations: {fr: {…}}``. A run in a language the file does not give, wholly or for one
text, uses the main text instead: :class:`PolicyTexts` records it, and the run says so in
one notice (:func:`fallback_notice`), never once per finding. The ``references`` are texts too:
``translations.fr.references`` lists them in French, one per reference, in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from hdsguard.i18n import _, ngettext

TEXT_KEYS = (
    "title",
    "description",
    "rationale",
    "remediation",
    "message",
    "warn_message",
    "pass_message",
    "not_applicable_message",
)
CHECK_TEXT_KEYS = ("message", "warn_message")
LANGUAGE_NAMES = {"en": "English", "fr": "French"}

Where = tuple[str | int, ...]


class _Spec(Protocol):
    """What both policy models (pydantic ``Policy`` and ``meta.PolicyRules``) offer."""

    @property
    def lang(self) -> str: ...
    @property
    def checks(self) -> Any: ...
    @property
    def params(self) -> Any: ...
    @property
    def translations(self) -> Any: ...
    @property
    def references(self) -> Any: ...


def as_dict(block: Any) -> dict[str, Any]:
    """A translation block as plain data, whichever model read it."""
    if block is None:
        return {}
    if isinstance(block, dict):
        return block
    dumped: dict[str, Any] = block.model_dump(exclude_none=True)
    return dumped


class PlacedProblem(ValueError):
    """What does not fit in a policy, and the path in the file it is about: the load reports
    it there (file:line:column), not at the top of the file."""

    def __init__(self, message: str, where: Where) -> None:
        super().__init__(message)
        self.where = where


class TranslationProblem(PlacedProblem):
    """What does not fit in a policy's translations, and the path in the file it is about:
    the load reports it there (file:line:column), not at the top of the file."""


def translation_problem(spec: _Spec) -> TranslationProblem | None:
    """What does not fit in the translations of ``spec`` (checks, parameters, references),
    or None."""
    for lang, raw in spec.translations.items():
        block = as_dict(raw)
        where = f"translations.{lang}"
        at: Where = ("translations", lang)
        if lang == spec.lang:
            return TranslationProblem(
                _(
                    "{where}: {lang} is this policy's main language (`lang`); its texts are the "
                    "main fields, translations are for the other language"
                ).format(where=where, lang=lang),
                at,
            )
        checks = block.get("checks")
        if spec.checks:
            if any(block.get(key) for key in CHECK_TEXT_KEYS):
                return TranslationProblem(
                    _(
                        "{where}: this policy has `checks`; translate their messages under "
                        "{where}.checks"
                    ).format(where=where),
                    at,
                )
            if checks is not None and len(checks) != len(spec.checks):
                return TranslationProblem(
                    _(
                        "{where}.checks: {count} entries for {checks} checks; give one per "
                        "check, in the same order"
                    ).format(where=where, count=len(checks), checks=len(spec.checks)),
                    (*at, "checks"),
                )
        elif checks is not None:
            return TranslationProblem(
                _("{where}.checks: this policy has no `checks` list; translate `message`").format(
                    where=where
                ),
                (*at, "checks"),
            )
        unknown = sorted(set(block.get("params") or {}) - set(spec.params))
        if unknown:
            return TranslationProblem(
                _("{where}.params: this policy has no parameter '{name}'").format(
                    where=where, name=unknown[0]
                ),
                (*at, "params", unknown[0]),
            )
        # The references are read side by side: the n-th French one stands for the n-th
        # one, so a list of another length would cite the wrong document for some of them.
        references = block.get("references")
        if references is not None and len(references) != len(spec.references):
            return TranslationProblem(
                _(
                    "{where}.references: not the length of `references` ({count} instead of "
                    "{references}); give one per reference, in the same order"
                ).format(where=where, count=len(references), references=len(spec.references)),
                (*at, "references"),
            )
    return None


class PolicyTexts:
    """The text of each field in the run's language, where it stands in the file, and in
    which language it finally is."""

    def __init__(self, spec: _Spec, lang: str | None) -> None:
        self.main: str = spec.lang
        self.lang: str = lang or spec.lang
        self.block = None if self.lang == self.main else as_dict(spec.translations.get(self.lang))
        self.fell_back = False  # a text was wanted in ``lang`` and only the main one exists

    def get(
        self, value: str | None, key: str, check: int | None = None
    ) -> tuple[str | None, Where, str]:
        """(text, its path in the file, its language) for the main-language ``value``."""
        base: Where = () if check is None else ("checks", check)
        if self.block is None or value is None:
            return value, (*base, key), self.main
        scope = self.block
        if check is not None:
            scope = (scope.get("checks") or [{}] * (check + 1))[check]
        found = scope.get(key) if isinstance(scope, dict) else None
        if found:
            return found, ("translations", self.lang, *base, key), self.lang
        self.fell_back = True
        return value, (*base, key), self.main

    def text(self, value: str, key: str) -> str:
        found, _where, _lang = self.get(value, key)
        return found if found is not None else value

    def references(self, values: Sequence[str]) -> tuple[str, ...]:
        """The references in the run's language: the translated list, whole, or the main one
        (a fallback, said in the run's notice)."""
        if self.block is None:
            return tuple(values)
        found = self.block.get("references")
        # A list of another length is refused at load (translation_problem); never mix them.
        if found and len(found) == len(values):
            return tuple(found)
        self.fell_back = True
        return tuple(values)

    def param(self, name: str, description: str) -> str:
        params = (self.block or {}).get("params") or {}
        found = params.get(name) if isinstance(params, Mapping) else None
        if self.block is not None and not found:
            self.fell_back = True
        return found or description


def fallback_notice(lang: str, policy_ids: Iterable[str]) -> str | None:
    """One notice for every policy shown partly or wholly in another language than ``lang``."""
    ids = sorted(set(policy_ids))
    if not ids:
        return None
    shown = ", ".join(ids[:10]) + (", …" if len(ids) > 10 else "")
    if lang == "fr":
        template = ngettext(
            "{count} policy has no French text for some of its texts, shown in English instead: "
            "{ids}",
            "{count} policies have no French text for some of their texts, shown in English "
            "instead: {ids}",
            len(ids),
        )
    else:
        template = ngettext(
            "{count} policy has no English text for some of its texts, shown in French instead: "
            "{ids}",
            "{count} policies have no English text for some of their texts, shown in French "
            "instead: {ids}",
            len(ids),
        )
    return template.format(count=len(ids), ids=shown)


def default_pass_message(title: str) -> str:
    return _("compliant: {title}").format(title=title)


def default_not_applicable_message() -> str:
    return _("not applicable to this target")
