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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from hdsguard.i18n import N_, _
from hdsguard.policies.celenv import DATE_READ, SECTIONS_READ, CelRuntime, evaluate
from hdsguard.policies.celtree import Node, free_names, path, tree
from hdsguard.policies.compiled import CompiledPolicy
from hdsguard.policies.inline import WORDED_VAR
from hdsguard.policies.listpart import alone
from hdsguard.policies.template import (
    _PLACEHOLDER,
    DeferredPart,
    Template,
    _grammar,
    compile_template,
    to_text,
)

# What a computation on the target is called in a slot: by the helper it calls.
_HELPER_WORDS = {
    "provider": N_("provider"),
    "system": N_("system"),
    "vendor": N_("vendor"),
    "observed_certificates": N_("observed certificates"),
    "evidence_ports_of": N_("protocols observed"),
    "internet_service_ids_on_premises": N_("services exposed from the premises"),
    "cabf_max_days": N_("maximum lifetime"),
}
_ELLIPSIS = "<…>"


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
        return wording.words([_ELLIPSIS if i % 2 else p for i, p in enumerate(pieces)])
    return wording.text(compiled)


class _Wording:
    def __init__(
        self, runtime: CelRuntime, policy_id: str | None, params: dict[str, Any], lang: str
    ) -> None:
        self.runtime = runtime
        self.policy_id = policy_id
        self.params = params
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
                    parts.append(_ELLIPSIS)
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
            node = self._chosen(part)
            if self._conditional(node):
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
                    words = self._condition(test)
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
        words = self._condition(test)
        yes_text = self._inline(yes).strip()
        other = self._unfolded(self._chosen(no))
        kind = "if" if first else "elif"
        if self._conditional(other) and yes_text:
            return [self._case(words, kind, yes_text), *self._alternatives(other, first=False)]
        no_text = self._inline(no).strip()
        if not yes_text:
            negated = self._condition(test, negate=True) if words is not None else None
            return [self._case(negated, kind, no_text)] if no_text else []
        out = [self._case(words, kind, yes_text)]
        if no_text:
            out.append(self._case(None, "else", no_text))
        return out

    def _lead(self, paragraphs: list[str], words: str | None, kind: str) -> list[str]:
        """``paragraphs`` with their first one opened as a case (:meth:`_case`)."""
        if not paragraphs:
            return []
        return [self._case(words, kind, paragraphs[0]), *paragraphs[1:]]

    def _case(self, words: str | None, kind: str, text: str) -> str:
        """One case's paragraph: "If W: …" (``kind`` "if"), "Otherwise, if W: …" ("elif"),
        "Otherwise: …" ("else"); "Where it applies: …" when its condition has no words here
        (a user's rule: the catalogue words every one, tests/test_rulehelp.py). A text that
        opens with a condition of its own ("If <name> supplies no software …, declare …",
        VND-008) is joined to the case's in one sentence: "If W, and if <name> …"."""
        if not text.startswith(_OWN_CONDITION.get(self.lang, ("If ",))):
            return _lead_of(words, kind) + text
        case = text[:1].lower() + text[1:]
        if kind == "else":
            return _("Otherwise, {case}").format(case=case)
        if words is None:
            return _lead_of(words, kind) + text
        if kind == "if":
            return _("If {condition}, and {case}").format(condition=words, case=case)
        return _("Otherwise, if {condition}, and {case}").format(condition=words, case=case)

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
        node = self._chosen(node)
        if node.kind == "op" and node.name == "+":
            for child in node.children:
                found = self._fragment_choice(child)
                if found is not None:
                    return found
            return None
        if self._conditional(node):
            yes, no = (self._inline(child) for child in node.children[1:])
            if yes.strip() and no.strip() and not (_slot(yes) and _slot(no)):
                return node
        return None

    # -- inline text -------------------------------------------------------------------

    def _inline(self, node: Node) -> str:
        node = self._chosen(node)
        if node.kind == "lit":
            return to_text(node.value, self.lang)
        if node.kind == "op" and node.name == "+":
            # Piece by piece, before any evaluation: a sentence _unfolded rebuilt is no node
            # of a checked tree, and its pieces are.
            return "".join(self._inline(child) for child in node.children)
        if self._pure(node):
            missing = self._missing_param(node)
            if missing is not None:
                return "<" + missing + ">"
            value = self._evaluate(node)
            return _ELLIPSIS if value is None else to_text(value, self.lang)
        if node.kind == "call" and node.name == "string" and node.target is None and node.args:
            return self._inline(node.args[0])
        if node.kind == "cond":
            yes, no = (self._inline(child) for child in node.children[1:])
            if not yes.strip() or not no.strip():
                return yes or no  # an optional fragment (" at <host>")
            if _slot(yes) and _slot(no):
                return "<" + _("{a} or {b}").format(a=yes[1:-1], b=no[1:-1]) + ">"
            return f"{yes} / {no}"
        return self._slot(node)

    def _missing_param(self, node: Node) -> str | None:
        """The name of the parameter ``node`` quotes (``params.x``, ``string(params.x)``) when
        it has no value here: a template worded without its params (a RuleInfo built by hand,
        in SARIF), whose slot is then named after it."""
        while node.kind == "call" and node.name == "string" and len(node.args) == 1:
            node = node.args[0]
        chain = path(node)
        if chain and len(chain) == 2 and chain[0] == "params" and chain[1] not in self.params:
            return chain[1]
        return None

    def _slot(self, node: Node) -> str:
        chain = path(node)
        if chain is not None:
            if chain[0] == "self" and len(chain) > 1:
                return "<" + ".".join(chain[1:]) + ">"
            if chain == ("target",):
                return "<" + _("target") + ">"
            if chain == ("now",):
                return "<" + _("date") + ">"
        helper = _innermost_call(node)
        if helper is not None:
            word = _HELPER_WORDS.get(helper)
            return "<" + (_(word) if word else helper.replace("_", " ")) + ">"
        return _ELLIPSIS

    # -- what reads only the params ------------------------------------------------------

    def _pure(self, node: Node) -> bool:
        for name in free_names(node):
            if name.endswith("()"):
                helper = name[:-2]
                if SECTIONS_READ.get(helper) or helper in DATE_READ:
                    return False
            elif name != "params":
                return False
        return True

    def _chosen(self, node: Node) -> Node:
        """A conditional whose test reads only the params, replaced by its chosen branch."""
        while node.kind == "cond" and self._pure(node.children[0]):
            test = self._evaluate(node.children[0])
            if not isinstance(test, bool):
                break
            node = node.children[1] if test else node.children[2]
        return node

    def _conditional(self, node: Node) -> bool:
        return node.kind == "cond" and not self._pure(node.children[0])

    def _evaluate(self, node: Node) -> Any:
        chain = path(node)
        if chain is not None and chain[0] == "params" and len(chain) == 2:
            return self.params.get(chain[1])  # no compilation for the most common case
        try:
            expr = alone(self.runtime.env, node)
        except ValueError:
            return None
        # Cut out of the binding that scoped it to its policy: ``params`` is the policy's own.
        activation = self.runtime.activation({"params": self.params})
        value, error = evaluate(expr, activation)
        return None if error else value

    # -- conditions in words ---------------------------------------------------------------

    def _condition(self, node: Node, negate: bool = False) -> str | None:
        terms = self._terms(node, negate)
        if terms is None:
            return None
        kind, items = terms
        if kind == "or":
            return _(", or ").join(items)
        return _(" and ").join(items)

    def _terms(self, node: Node, negate: bool) -> tuple[str, list[str]] | None:
        if node.kind == "not":
            return self._terms(node.children[0], not negate)
        if node.kind == "op" and node.name in ("&&", "||"):
            joined = "and" if (node.name == "&&") != negate else "or"
            items: list[str] = []
            for child in node.children:
                inner = self._terms(child, negate)
                if inner is None:
                    return None
                if inner[0] == joined or len(inner[1]) == 1:
                    items += inner[1]
                else:
                    items.append(_(" and ").join(inner[1]))
            return joined, items
        atom = self._atom(node, negate)
        return None if atom is None else ("and", [atom])

    def _atom(self, node: Node, negate: bool) -> str | None:
        if (
            node.kind == "call"
            and node.name == "when"
            and node.target is None
            and len(node.args) == 2
            and node.args[0].kind == "lit"
            and isinstance(node.args[0].value, str)
        ):
            # The author's words for the condition (docs/policy-format.md); none for its
            # negation, which they do not say.
            return None if negate else node.args[0].value
        if node.kind == "call" and node.name == "hasValue" and node.target is not None:
            field = _field(path(node.target))
            if field is None:
                return None
            text = _("`{field}` is not declared") if negate else _("`{field}` is declared")
            return text.format(field=field)
        if node.kind == "op" and node.name in ("==", "!="):
            left, right = node.children
            if left.kind == "lit":
                left, right = right, left
            if right.kind != "lit":
                return None
            equal = (node.name == "==") != negate
            value = _literal(right.value)
            if path(left) == ("target",):
                text = _("the target is {value}") if equal else _("the target is not {value}")
                return text.format(value=value)
            field = _field(path(left))
            if field is None:
                return None
            text = _("`{field}` is {value}") if equal else _("`{field}` is not {value}")
            return text.format(field=field, value=value)
        if (
            node.kind == "call"
            and node.name == "startsWith"
            and node.target is not None
            and path(node.target) == ("target",)
            and len(node.args) == 1
            and node.args[0].kind == "lit"
        ):
            section = str(node.args[0].value).rstrip("/")
            if negate:
                return _("the target is not declared in `{section}`").format(section=section)
            return _("the target is declared in `{section}`").format(section=section)
        return None


def _field(chain: tuple[str, ...] | None) -> str | None:
    if chain is None or chain[0] != "self" or len(chain) < 2:
        return None
    return ".".join(chain[1:])


def _literal(value: object) -> str:
    if value == "":
        return _("empty")
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    return f"`{value}`"


def _innermost_call(node: Node) -> str | None:
    """The helper a computation starts from: ``provider`` in ``provider(x).name``,
    ``observed_certificates`` in ``observed_certificates(self).map(…).join(…)``."""
    found: str | None = None
    while True:
        if node.kind == "fold" and node.value == WORDED_VAR and node.children[4].kind == "cond":
            # ``worded(f, v)`` as inline.py compiles it: its last branch calls the helper.
            node = node.children[4].children[2]
            continue
        if node.kind == "fold":  # a macro: what it ranges over
            node = node.children[0]
            continue
        if node.kind == "cond" and _evidence_guard(node.children[0]):
            node = node.children[1]
            continue
        if node.kind == "call":
            if node.target is None:
                return node.name
            found = node.name
        if node.kind in ("call", "select") and node.target is not None:
            node = node.target
            continue
        return found if node.kind == "call" else None


def _evidence_guard(node: Node) -> bool:
    """``evidence_given()`` (or ``evidence_given() || …``): what the compiled program tests
    before it calls the evidence helper the text calls (``evidence_given() ?
    observed_certificates(self) : []``, :mod:`hdsguard.policies.inline`)."""
    if node.kind == "op" and node.name == "||":
        return _evidence_guard(node.children[0])
    return node.kind == "call" and node.name == "evidence_given" and not node.args


def _sentence(text: str) -> bool:
    text = text.strip()
    return bool(text) and text[0].isupper() and text.endswith(".")


def _slot(text: str) -> bool:
    return text.startswith("<") and text.endswith(">") and text.count("<") == 1


# How a text of each language opens with a condition ("S'il" as well as "Si" in French; not
# "S'" alone, which opens "S'assurer que …").
_OWN_CONDITION = {"en": ("If ",), "fr": ("Si ", "S'il ", "S'ils ")}


def _lead_of(words: str | None, kind: str) -> str:
    """What opens a case of ``kind`` ("if", "elif", "else"): "If W: ", "Otherwise, if W: ",
    "Otherwise: "; a condition without words here, "Where it applies: "."""
    if kind == "else":
        return _("Otherwise: ")
    if words is None:
        return _("Where it applies: ") if kind == "if" else _("Otherwise, where it applies: ")
    if kind == "if":
        return _("If {condition}: ").format(condition=words)
    return _("Otherwise, if {condition}: ").format(condition=words)


def _replaced(node: Node, old: Node, new: Node) -> Node:
    """``node`` with ``old`` (one of its pieces, by identity) replaced by ``new``."""
    if node is old:
        return new
    if not node.children:
        return node
    # No longer the node of the checked tree it was: never evaluated as that one (expr).
    children = tuple(_replaced(c, old, new) for c in node.children)
    return replace(node, children=children, expr=b"")
