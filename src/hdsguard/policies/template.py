"""Messages that quote actual values: ``"last patched {{ self.last_patch }}"``.

Each ``{{ … }}`` holds a CEL expression, compiled with the policy and evaluated with the same
variables as its conditions. A message with several placeholders also gets them all as one
list expression: one CEL call renders it (most of the cost of a call from Python is the call
itself), and only when that list fails (a placeholder's error fails the whole list) is each
placeholder evaluated on its own, so that only the failing one reads "(unknown)". Such a
placeholder is then cut out of its list's program (:class:`DeferredPart`), never compiled
alone: holding every placeholder compiled twice, alone and in its list, was 458 of the
built-in catalogue's 1,299 programs, most of them never evaluated alone.

A placeholder written ``{{# … }}`` is never shown: the hidden placeholders of a message are
what a finding's reason quotes (:mod:`hdsguard.reasons`), where the shown ones cannot say it:
a CVE quoted with its age, a sentence built in CEL (docs/policy-format.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from sys import intern
from typing import Any

from cel_expr_python import cel

from hdsguard.i18n import _
from hdsguard.policies.celenv import CelRuntime, evaluate

_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
# What opens a hidden placeholder: ``{{# self.vulnerabilities.map(v, v.cve) }}`` (no CEL
# expression starts with it).
HIDDEN = "#"


class DeferredPart:
    """A placeholder that a list expression renders (:attr:`Template.values`, and
    :attr:`Template.shown` with hidden placeholders), cut out of that list's checked tree
    (:func:`hdsguard.policies.listpart.item`) the first time it is needed alone: its list
    failed to evaluate (:meth:`Template.render_each`), or a finding's reason reads its own
    syntax tree (:attr:`Template.steady`). Its source parses alone (:func:`compile_template`).

    Compiled programs are what a first run's memory holds (issue 17: 0.1-0.5 MiB of C heap
    each, ten times their serialized size); a template's list already holds every
    placeholder. Nothing but its list and its position in it is kept: a cached catalogue
    stores no text of it that could say something else than its list
    (:mod:`hdsguard.speed.catalogue_cache`)."""

    __slots__ = ("_compiled", "_runtime", "listed", "position")

    def __init__(self, runtime: CelRuntime, listed: cel.Expression, position: int) -> None:
        self._runtime = runtime
        self.listed = listed
        self.position = position
        self._compiled: cel.Expression | None = None

    def expression(self) -> cel.Expression:
        """The placeholder as a program of its own (made now, if it was not yet); ValueError
        if its list has no such item."""
        compiled = self._compiled
        if compiled is None:
            # Imported here: a warm run (every finding from the memo) never cuts one out, and a
            # pre-commit hook pays for each import (listpart and protowire: ~3 ms).
            from hdsguard.policies.listpart import item

            # A cached list is deserialized first: bytes that do not deserialise have the
            # catalogue compiled again, as for any cached program.
            data = _real(self.listed).serialize()
            try:
                compiled = self._runtime.env.deserialize(item(data, self.position))
            except Exception as exc:  # the runtime raises plain RuntimeErrors
                raise ValueError(f"placeholder {self.position + 1}: {exc}") from None
            self._compiled = compiled
        return compiled

    @property
    def compiled(self) -> bool:
        return self._compiled is not None


def deferred(
    runtime: CelRuntime,
    index: int,
    values: cel.Expression | None,
    shown: cel.Expression | None,
    hidden: Sequence[int],
) -> DeferredPart:
    """Placeholder ``index`` of a template as its list renders it: a shown one beside hidden
    ones from the list of the shown ones, any other from the list of all. ValueError when
    no list renders it."""
    if hidden and index not in hidden and shown is not None:
        return DeferredPart(runtime, shown, index - sum(1 for h in hidden if h < index))
    if values is None or (hidden and index not in hidden):
        raise ValueError("no list renders this placeholder")
    return DeferredPart(runtime, values, index)


# A part of a template: its text, or a placeholder (compiled, a cached catalogue's stand-in
# for a compiled one, or compiled when first needed alone).
Part = str | cel.Expression | DeferredPart


@dataclass(frozen=True)
class Template:
    parts: tuple[Part, ...]
    # Every placeholder, in order, as one list expression (None: fewer than two, or the list
    # does not compile).
    values: cel.Expression | None = None
    # The language of the text: quoted values are written as its readers expect (dates).
    lang: str = "en"
    # The positions, among the placeholders, of those written ``{{# … }}``: evaluated for a
    # finding's reason, never shown.
    hidden: tuple[int, ...] = ()
    # With hidden placeholders, the shown ones as one list expression (None: fewer than two,
    # or the list does not compile): a message only shown, as in every run that makes no
    # reason, does not evaluate what only a reason quotes (a first run on a failing estate
    # paid 3-4 % of its CPU for it).
    shown: cel.Expression | None = None

    def render(self, activation: cel.Activation) -> str:
        """The message for ``activation``'s values, without the blanks a placeholder that
        gives nothing leaves at either end (TLS-003's remediation when only its first part
        applies), interned: most messages of a large estate
        repeat (a pass or not-applicable message without a name in it: 114,700 findings at
        10k objects hold 39,400 distinct messages), and one shared string for each saves
        8 MB there; a helper process's interned messages stay shared through ``marshal``."""
        listed = self.shown if self.hidden else self.values
        if listed is not None:
            values, error = evaluate(listed, activation)
            if error is None and type(values) is list:
                return self._filled(values, shown=True)
        return intern(_grammar(self.render_each(activation).strip(), self.lang))

    def render_quoting(self, activation: cel.Activation) -> tuple[str, list[Any]]:
        """:meth:`render`, and the value of every placeholder (None for one that could not be
        evaluated): a failing check's reason quotes some (hdsguard.reasons), at no further
        evaluation."""
        if self.values is not None:
            values, error = evaluate(self.values, activation)
            if error is None and type(values) is list:
                return self._filled(values), values
        out: list[str] = []
        quoted: list[Any] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value, error = _evaluate(part, activation)
            if len(quoted) not in self.hidden:
                out.append(_unknown(self.lang) if error else to_text(value, self.lang))
            quoted.append(None if error else value)
        return intern(_grammar("".join(out).strip(), self.lang)), quoted

    def _filled(self, values: list[Any], *, shown: bool = False) -> str:
        """The message of the placeholders' ``values``: every placeholder's, or (``shown``)
        only the shown ones'."""
        lang = self.lang
        if self.hidden and not shown:
            values = [v for i, v in enumerate(values) if i not in self.hidden]
        if lang == "en":  # a string is quoted as it is (to_text's first case)
            texts = [v if type(v) is str else to_text(v, lang) for v in values]
        else:
            texts = [to_text(v, lang) for v in values]
        return intern(_grammar(self._pattern.format(*texts).strip(), lang))

    @cached_property
    def steady(self) -> tuple[int, ...]:
        """The positions, among the placeholders, of those that do not read the evaluation
        date (:func:`hdsguard.policies.locality.reads_date`): what a finding's reason quotes.
        Decided once per template, when a finding first needs it."""
        from hdsguard.policies.locality import reads_date

        if self.hidden:
            # The policy says what the reason quotes: its shown placeholders are words (an
            # English sentence a placeholder builds), and what a hidden one selects by date
            # (the CVEs past their limit) changes only when another crosses it: a new reason.
            return self.hidden
        placeholders = [p for p in self.parts if not isinstance(p, str)]
        return tuple(i for i, p in enumerate(placeholders) if not reads_date(_real(p)))

    @cached_property
    def dated_fields(self) -> tuple[str, ...]:
        """The fields of ``self`` (first step of a path) that a placeholder reading the date
        reads and no other placeholder does (with hidden placeholders: that a shown one reads
        and no hidden one does): left out with their placeholder, they would leave a declared
        value out of a finding's reason (a CVE quoted with its age)."""
        from hdsguard.policies.locality import reads_date
        from hdsguard.policies.selffields import self_paths

        dated: set[str] = set()
        steady: set[str] = set()
        placeholders = [_real(p) for p in self.parts if not isinstance(p, str)]
        for i, part in enumerate(placeholders):
            heads = {str(path[0]) for path in self_paths(part) if path}
            if self.hidden:  # a field a shown placeholder reads and no hidden one quotes
                (steady if i in self.hidden else dated).update(heads)
            else:
                (dated if reads_date(part) else steady).update(heads)
        return tuple(sorted(dated - steady))

    def steady_values(
        self, activation: cel.Activation, values: list[Any] | None = None
    ) -> list[Any]:
        """The values of the :attr:`steady` placeholders: picked from ``values`` (every
        placeholder's, from :meth:`render_quoting`) when given, else evaluated (all in one
        evaluation when it can); one that cannot be evaluated is None."""
        steady = self.steady
        if values is None and self.values is not None:
            found, error = evaluate(self.values, activation)
            values = found if error is None and type(found) is list else None
        if values is not None and len(values) > (steady[-1] if steady else -1):
            return [values[i] for i in steady]
        placeholders = [p for p in self.parts if not isinstance(p, str)]
        out: list[Any] = []
        for i in steady:
            value, error = _evaluate(placeholders[i], activation)
            out.append(None if error else value)
        return out

    @cached_property
    def _pattern(self) -> str:
        """The parts as one ``str.format`` pattern, ``{}`` for each shown placeholder: a
        message rendered for each of 10,000 failing ports is one call, not one per part."""
        out: list[str] = []
        index = 0
        for part in self.parts:
            if isinstance(part, str):
                out.append(part.replace("{", "{{").replace("}", "}}"))
                continue
            if index not in self.hidden:
                out.append("{}")
            index += 1
        return "".join(out)

    def render_each(self, activation: cel.Activation) -> str:
        """Each placeholder evaluated on its own (what :meth:`render` falls back to)."""
        out: list[str] = []
        index = -1
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            index += 1
            if index in self.hidden:
                continue
            value, error = _evaluate(part, activation)
            out.append(_unknown(self.lang) if error else to_text(value, self.lang))
        return "".join(out)


def _evaluate(
    part: cel.Expression | DeferredPart, activation: cel.Activation
) -> tuple[Any, str | None]:
    """A placeholder evaluated alone: :func:`evaluate`, a deferred one cut out of its list
    first (should that fail, its error, as an evaluation's)."""
    if isinstance(part, DeferredPart):
        try:
            return evaluate(part.expression(), activation)
        except ValueError as exc:
            return None, str(exc)
    return evaluate(part, activation)


def _real(part: Any) -> Any:
    """The compiled expression itself: a deferred placeholder is compiled, and a cached
    catalogue's stand-in (a LazyExpression, hdsguard.speed.catalogue_cache) deserialized, so
    that what is decided from its tree is decided on a checked expression, never on bytes
    read back from the cache (forged bytes have the catalogue compiled again there)."""
    real = getattr(part, "expression", None)
    return real() if callable(real) else part


# French counts 0 and 1 in the singular ("0 jour", "1 heure"), English only 1: a message
# writes its unit once, for every number it quotes ("{{ days_since(x) }} jours").
_FR_SINGULAR = re.compile(r"(?<![\d,.])([01]) (jour|heure)s\b")


def _grammar(text: str, lang: str) -> str:
    if lang != "fr" or ("jours" not in text and "heures" not in text):
        return text
    return _FR_SINGULAR.sub(r"\1 \2", text)


def _unknown(lang: str) -> str:
    return "(inconnu)" if lang == "fr" else "(unknown)"


def compile_template(
    runtime: CelRuntime, text: str, policy_id: str | None = None, lang: str = "en"
) -> Template:
    """Compile the placeholders: several as one list expression (with hidden ones, the shown
    ones as a second list), each alone only where no list renders the message; raise
    ValueError naming the first that does not compile."""
    sources, hidden = _sources(text)
    values = _values(sources, runtime, policy_id)
    shown = None
    if hidden:
        shown = _values([s for i, s in enumerate(sources) if i not in hidden], runtime, policy_id)
    compiled: list[cel.Expression | DeferredPart] = []
    for index, source in enumerate(sources):
        # Alone, a placeholder is evaluated at each rendering when no list holds it; a
        # hidden one is only ever evaluated in the list of all.
        alone = values is None or (index not in hidden and hidden != [] and shown is None)
        try:
            if alone or not runtime.parses(source):
                # Compiled now: what renders it, or the error that names it (`{{ a, b }}`
                # fits in a list, not alone).
                compiled.append(runtime.compile(source, policy_id))
            else:
                compiled.append(deferred(runtime, index, values, shown, hidden))
        except ValueError as exc:
            message = _("in placeholder {placeholder}: {error}")
            raise ValueError(message.format(placeholder=f"{{{{ {source} }}}}", error=exc)) from None
    texts = _PLACEHOLDER.split(text)[::2]
    for part in texts:
        # `{{ self.id` and no `}}`: a placeholder that cannot compile, not text to show as is.
        if "{{" in part:
            message = _("unclosed placeholder: {opening} without {closing}")
            raise ValueError(message.format(opening="`{{`", closing="`}}`"))
    parts: list[Part] = []
    for index, piece in enumerate(texts):
        if piece:
            parts.append(piece)
        if index < len(compiled):
            parts.append(compiled[index])
    return Template(tuple(parts), values, lang, tuple(hidden), shown)


def _sources(text: str) -> tuple[list[str], list[int]]:
    """The CEL source of each placeholder, and the positions of the hidden ones."""
    sources: list[str] = []
    hidden: list[int] = []
    for index, match in enumerate(_PLACEHOLDER.finditer(text)):
        source = match.group(1).strip()
        if source.startswith(HIDDEN):
            hidden.append(index)
            source = source[len(HIDDEN) :].strip()
        sources.append(source)
    return sources, hidden


def _values(
    sources: list[str], runtime: CelRuntime, policy_id: str | None
) -> cel.Expression | None:
    """``sources`` as one list expression, or None."""
    if len(sources) < 2:
        return None
    # Each on its own line: a trailing // comment must not swallow what follows it.
    try:
        return runtime.compile("[" + ",".join(f"{s}\n" for s in sources) + "]", policy_id)
    except ValueError:  # e.g. a checker that refuses a list of mixed types: one call each
        return None


def placeholders(text: str) -> list[str]:
    """The CEL source of every ``{{ … }}`` of a message (a hidden one's, ``{{# … }}``,
    without its mark)."""
    return _sources(text)[0]


# The words of quoted values in French text (a value, not a message of the code's catalogue:
# the template's language decides, not the run's).
_WORDS = {
    "en": {None: "none", True: "true", False: "false"},
    "fr": {None: "aucun", True: "oui", False: "non"},
}


def to_text(value: Any, lang: str = "en") -> str:
    """Values as a person would write them: no quotes, lists joined with commas; in French,
    ISO dates as ``28 novembre 2026`` (also inside a text a CEL expression built, such as
    ``"daté du " + self.date``) and decimals with a comma (:mod:`hdsguard.l10n`).
    Integers (days, ports, CVSS-free counts) are written plainly in both languages."""
    kind = type(value)
    if kind is int or (kind is str and lang == "en"):
        return str(value)  # most values quoted (ports, names, dates in English): no more tests
    words = _WORDS.get(lang, _WORDS["en"])
    if value is None:
        return words[None]
    if isinstance(value, bool):
        return words[value]
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return str(value) if lang == "en" else str(_l10n().decimal(value, lang))
    if isinstance(value, (list, tuple)):
        return ", ".join(to_text(v, lang) for v in value) if value else words[None]
    if isinstance(value, dict):
        return ", ".join(f"{k}: {to_text(v, lang)}" for k, v in value.items())
    if isinstance(value, str) and lang != "en":
        return str(_l10n().dates_in_text(value, lang))
    return str(value)


def _l10n() -> Any:
    from hdsguard import l10n

    return l10n


def literal(text: str, lang: str = "en") -> Template:
    return Template((text,), None, lang)


def join_rendered(parts: Sequence[str]) -> str:
    """The messages of several failing checks as one (French: a space before the
    semicolon)."""
    return _("; ").join(p for p in parts if p)
