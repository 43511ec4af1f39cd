"""A policy's texts in the language of a run.

A policy file writes its texts (title, description, rationale, remediation, messages, the
descriptions of its parameters) in its main language, ``lang`` (English unless it says
``lang: fr``), and may carry the same texts in the other language under
``translations: {fr: {…}}``. A run in a language the file does not give, wholly or for one
text, uses the main text instead: :class:`PolicyTexts` records it, and the run says so in
one notice (:func:`fallback_notice`), never once per finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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


def as_dict(block: Any) -> dict[str, Any]:
    """A translation block as plain data, whichever model read it."""
    if block is None:
        return {}
    if isinstance(block, dict):
        return block
    dumped: dict[str, Any] = block.model_dump(exclude_none=True)
    return dumped


def translation_problem(spec: _Spec) -> str | None:
    """What does not fit in the translations of ``spec`` (checks, parameters), or None."""
    for lang, raw in spec.translations.items():
        block = as_dict(raw)
        where = f"translations.{lang}"
        if lang == spec.lang:
            return _(
                "{where}: {lang} is this policy's main language (`lang`); its texts are the "
                "main fields, translations are for the other language"
            ).format(where=where, lang=lang)
        checks = block.get("checks")
        if spec.checks:
            if any(block.get(key) for key in CHECK_TEXT_KEYS):
                return _(
                    "{where}: this policy has `checks`; translate their messages under "
                    "{where}.checks"
                ).format(where=where)
            if checks is not None and len(checks) != len(spec.checks):
                return _(
                    "{where}.checks: {count} entries for {checks} checks; give one per check, "
                    "in the same order"
                ).format(where=where, count=len(checks), checks=len(spec.checks))
        elif checks is not None:
            return _(
                "{where}.checks: this policy has no `checks` list; translate `message`"
            ).format(where=where)
        unknown = sorted(set(block.get("params") or {}) - set(spec.params))
        if unknown:
            return _("{where}.params: this policy has no parameter '{name}'").format(
                where=where, name=unknown[0]
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
