"""A rule's remediation as its help reads it: for every target, not one.

A finding's remediation is its template rendered on the failing target. The rule's own help
(the "Remediation" of docs/policies.md and docs/policies.fr.md, ``policies explain``, the
``help`` of SARIF's ``tool.driver.rules`` that GitHub code scanning shows) has no target:
printing a placeholder's CEL there (``<!self.?vulnerabilities.hasValue() ? "Declare …" :
…>``) gives an auditor a program to read. So each placeholder is worded (docs/policies.md
says the same to its readers):

- one that reads only ``params`` and constants is evaluated with the rule's params (the
  defaults in the docs, the run's in SARIF): ``{{ params.max_backup_age_days == 1 ? "once a
  day" : … }}`` reads "once a day";
- a plain path of the target is a slot named after the declared field, ``<id>``,
  ``<backup.provider>`` (``<target>`` for the target's name, ``<date>`` for the evaluation
  date); a computation on the target is a slot named after what it computes;
- a conditional on the target whose alternatives are sentences becomes one paragraph per
  alternative, each with its condition in words ("If `vulnerabilities` is not declared: …",
  "Otherwise: …"): the declared fields and constants it compares, or the words its author gave
  it with ``when(words, condition)`` (TLS-003: "If the certificate is public and lasts longer
  than …"), else "Where it applies: …" (a user's rule); a case whose text opens with a
  condition of its own joins the two in one sentence ("If W, and if <name> …", VND-008); one whose
  alternative is empty and the other a fragment (`` at <host>``) keeps the fragment; one that
  chooses between two fragments of a sentence gives the whole sentence once per alternative,
  at the top of the message or in another conditional's branch ("Otherwise, if `protocol` is
  `other`: Declare …, stop exposing <protocol> …" / "Otherwise: Stop exposing <protocol> …").

No CEL operator is left in the prose (tests/test_rulehelp.py reads the whole catalogue).

Each placeholder is read from the tree the runtime checked when the policy loaded
(:mod:`.celtree`: its item of the message's list, or its own program), never parsed again from
its text: the help says what the runtime runs. Wording the whole catalogue this way costs a
SARIF run ≈ 25-40 ms (decoding the trees, evaluating the parts that read only params); no
other run words it (``CheckOptions.rule_help``).

This module assembles the help (paragraphs, cases, a sentence once per alternative); what a
condition says in words is :mod:`.conditionwords`, what a slot is called :mod:`.slotwords`,
and what the params alone decide :mod:`.paramvalues`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from hdsguard.i18n import _
from hdsguard.policies.celenv import CelRuntime
from hdsguard.policies.celtree import Node, tree
from hdsguard.policies.compiled import CompiledPolicy
from hdsguard.policies.conditionwords import case, condition
from hdsguard.policies.paramvalues import Params
from hdsguard.policies.slotwords import ELLIPSIS, slot
from hdsguard.policies.template import (
    _PLACEHOLDER,
    DeferredPart,
    Template,
    _grammar,
    compile_template,
    to_text,
)


def remediation_help(
    runtime: CelRuntime, policy: CompiledPolicy, params: Mapping[str, Any] | None = None
) -> str:
    """The rule-level remediation of ``policy``, in the language of its texts, with its
    default params overridden by ``params``; paragraphs separated by a blank line."""
    values = {**policy.default_params(), **(params or {})}
    wording = _Wording(runtime, policy.id, values, policy.remediation.lang)
    return wording.text(policy.remediation)


def worded_text(
    runtime: CelRuntime,
    template: str,
    params: Mapping[str, Any],
    lang: str = "en",
    policy_id: str | None = None,
) -> str:
    """Any message ``template`` worded as :func:`remediation_help` words a remediation, its
    ``params`` given whole (a placeholder that does not compile reads ``<…>``)."""
    wording = _Wording(runtime, policy_id, dict(params), lang)
    try:
        compiled = compile_template(runtime, template, policy_id, lang)
    except ValueError:
        pieces = _PLACEHOLDER.split(template)
        return wording.words([ELLIPSIS if i % 2 else p for i, p in enumerate(pieces)])
    return wording.text(compiled)


class _Wording:
    def __init__(
        self, runtime: CelRuntime, policy_id: str | None, params: dict[str, Any], lang: str
    ) -> None:
        self.values = Params(runtime, params)
        self.policy_id = policy_id
        self.lang = lang
        # The tree of each list expression a template's placeholders are items of, by id.
        self._lists: dict[int, Node] = {}

    def text(self, template: Template) -> str:
        """``template``'s text and shown placeholders, each read from its checked tree."""
        parts: list[str | Node | None] = []  # None: a placeholder that is never shown
        number = 0
        for part in template.parts:
            if isinstance(part, str):
                parts.append(part)
                continue
            if number in template.hidden:
                parts.append(None)
            else:
                try:
                    parts.append(self._tree(part))
                except ValueError:
                    parts.append(ELLIPSIS)
            number += 1
        return self.words(parts)

    def words(self, parts: list[str | Node | None]) -> str:
        return "\n\n".join(self._paragraphs(parts))

    def _tree(self, part: Any) -> Node:
        """A placeholder's tree: its own program's, or its item of the list that renders it
        (no program is made for it). A cached catalogue's program is read from the bytes it
        holds, not deserialized (:mod:`hdsguard.speed.catalogue_cache`): a warm run that
        words the help keeps no program more in memory than one that does not, and those
        bytes are the compiled program's (tests/test_catalogue_lazy.py)."""
        if not isinstance(part, DeferredPart):
            return tree(part)
        listed = self._lists.get(id(part.listed))
        if listed is None:
            listed = self._lists[id(part.listed)] = tree(part.listed)
        if listed.kind != "list" or not 0 <= part.position < len(listed.children):
            raise ValueError("no such item")
        return listed.children[part.position]

    def _paragraphs(self, parts: list[str | Node | None]) -> list[str]:
        out: list[str] = []
        line = ""
        for index, part in enumerate(parts):
            if part is None:
                continue
            if isinstance(part, str):
                line += part
                continue
            node = self.values.chosen(part)
            if self.values.conditional(node):
                test, yes, no = node.children
                yes_text, no_text = self._inline(yes), self._inline(no)
                if _sentence(yes_text) or _sentence(no_text) or no.kind == "cond":
                    out.append(line)
                    out += self._alternatives(node)
                    line = ""
                    continue
                if (
                    yes_text.strip()
                    and no_text.strip()
                    and not (_slot(yes_text) and _slot(no_text))
                ):
                    # Two fragments of one sentence: the whole text once for each.
                    words = condition(test)
                    first = self._paragraphs([*parts[:index], yes, *parts[index + 1 :]])
                    other = self._paragraphs([*parts[:index], no, *parts[index + 1 :]])
                    return [
                        *self._lead(first, words, "if"),
                        *self._lead(other, None, "else"),
                    ]
            line += self._inline(node)
        out.append(line)
        return [_grammar(" ".join(p.split(" ")).strip(), self.lang) for p in out if p.strip()]

    def _alternatives(self, node: Node, first: bool = True) -> list[str]:
        """One paragraph per case of a conditional on the target: "If W: …", then for the
        other branch "Otherwise, if …: …" (a conditional again, or a branch that chooses
        between two fragments of its sentence) or "Otherwise: …"."""
        test, yes, no = node.children
        words = condition(test)
        yes_text = self._inline(yes).strip()
        other = self._unfolded(self.values.chosen(no))
        kind = "if" if first else "elif"
        if self.values.conditional(other) and yes_text:
            return [self._case_of(words, kind, yes_text), *self._alternatives(other, first=False)]
        no_text = self._inline(no).strip()
        if not yes_text:
            negated = condition(test, negate=True) if words is not None else None
            return [self._case_of(negated, kind, no_text)] if no_text else []
        out = [self._case_of(words, kind, yes_text)]
        if no_text:
            out.append(self._case_of(None, "else", no_text))
        return out

    def _lead(self, paragraphs: list[str], words: str | None, kind: str) -> list[str]:
        """``paragraphs`` with their first one opened as a case (:meth:`_case`)."""
        if not paragraphs:
            return []
        return [self._case_of(words, kind, paragraphs[0]), *paragraphs[1:]]

    def _case_of(self, words: str | None, kind: str, text: str) -> str:
        return case(words, kind, text, self.lang)

    def _unfolded(self, node: Node) -> Node:
        """``(c ? "Declare …, stop" : "Stop") + " exposing …"``, a sentence whose start
        depends on the target, as ``c ? "Declare …, stop exposing …" : "Stop exposing …"``:
        each case then reads whole. Any other node as it is."""
        choice = self._fragment_choice(node)
        if choice is None or choice is node:
            return node
        test, yes, no = choice.children
        return Node(
            "cond", children=(test, _replaced(node, choice, yes), _replaced(node, choice, no))
        )

    def _fragment_choice(self, node: Node) -> Node | None:
        """The first conditional on the target, among the pieces ``node`` joins with ``+``,
        that chooses between two fragments (neither empty nor both plain slots)."""
        node = self.values.chosen(node)
        if node.kind == "op" and node.name == "+":
            for child in node.children:
                found = self._fragment_choice(child)
                if found is not None:
                    return found
            return None
        if self.values.conditional(node):
            yes, no = (self._inline(child) for child in node.children[1:])
            if yes.strip() and no.strip() and not (_slot(yes) and _slot(no)):
                return node
        return None

    # -- inline text -------------------------------------------------------------------

    def _inline(self, node: Node) -> str:
        node = self.values.chosen(node)
        if node.kind == "lit":
            return to_text(node.value, self.lang)
        if node.kind == "op" and node.name == "+":
            # Piece by piece, before any evaluation: a sentence _unfolded rebuilt is no node
            # of a checked tree, and its pieces are.
            return "".join(self._inline(child) for child in node.children)
        if self.values.pure(node):
            missing = self.values.missing(node)
            if missing is not None:
                return "<" + missing + ">"
            value = self.values.evaluate(node)
            return ELLIPSIS if value is None else to_text(value, self.lang)
        if node.kind == "call" and node.name == "string" and node.target is None and node.args:
            return self._inline(node.args[0])
        if node.kind == "cond":
            yes, no = (self._inline(child) for child in node.children[1:])
            if not yes.strip() or not no.strip():
                return yes or no  # an optional fragment (" at <host>")
            if _slot(yes) and _slot(no):
                return "<" + _("{a} or {b}").format(a=yes[1:-1], b=no[1:-1]) + ">"
            return f"{yes} / {no}"
        return slot(node)

    # -- what reads only the params ------------------------------------------------------

    # -- conditions in words ---------------------------------------------------------------


def _sentence(text: str) -> bool:
    text = text.strip()
    return bool(text) and text[0].isupper() and text.endswith(".")


def _slot(text: str) -> bool:
    return text.startswith("<") and text.endswith(">") and text.count("<") == 1


def _replaced(node: Node, old: Node, new: Node) -> Node:
    """``node`` with ``old`` (one of its pieces, by identity) replaced by ``new``."""
    if node is old:
        return new
    if not node.children:
        return node
    # No longer the node of the checked tree it was: never evaluated as that one (expr).
    children = tuple(_replaced(c, old, new) for c in node.children)
    return replace(node, children=children, expr=b"")
