"""A condition on the target in words, and the case of a rule's help it opens ("If W: …",
"Otherwise: …"): for :mod:`.rulehelp`, which assembles the help.

A condition is worded from the declared fields and constants it compares (`` `protocol` is
`other` ``), from whether a field is declared, from the target's name or section, or from the
words its author gave it with ``when(words, condition)``; anything else has no words here
(None), and its case reads "Where it applies: …".
"""

from __future__ import annotations

from hdsguard.i18n import _
from hdsguard.policies.celtree import Node, path
from hdsguard.policies.inline import WHEN_VAR


def condition(node: Node, negate: bool = False) -> str | None:
    """``node``, a condition on the target, in words (its negation if ``negate``); None when
    it has none here."""
    terms = _terms(node, negate)
    if terms is None:
        return None
    kind, items = terms
    if kind == "or":
        return _(", or ").join(items)
    return _(" and ").join(items)


def _terms(node: Node, negate: bool) -> tuple[str, list[str]] | None:
    if node.kind == "not":
        return _terms(node.children[0], not negate)
    if node.kind == "op" and node.name in ("&&", "||"):
        joined = "and" if (node.name == "&&") != negate else "or"
        items: list[str] = []
        for child in node.children:
            inner = _terms(child, negate)
            if inner is None:
                return None
            if inner[0] == joined or len(inner[1]) == 1:
                items += inner[1]
            else:
                items.append(_(" and ").join(inner[1]))
        return joined, items
    atom = _atom(node, negate)
    return None if atom is None else ("and", [atom])


def _when_words(node: Node) -> str | None:
    """The words of ``when(words, condition)`` as inline.py compiles it (``cel.bind(hds_when,
    condition, type(hds_when) == bool ? hds_when : when(words, hds_when))``), else None."""
    if node.kind != "fold" or node.value != WHEN_VAR or node.children[4].kind != "cond":
        return None
    call = node.children[4].children[2]
    if call.kind != "call" or call.name != "when" or len(call.args) != 2:
        return None
    words = call.args[0]
    return words.value if words.kind == "lit" and isinstance(words.value, str) else None


def _atom(node: Node, negate: bool) -> str | None:
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
    words = _when_words(node)
    if words is not None:
        return None if negate else words
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


def case(words: str | None, kind: str, text: str, lang: str) -> str:
    """One case's paragraph: "If W: …" (``kind`` "if"), "Otherwise, if W: …" ("elif"),
    "Otherwise: …" ("else"); "Where it applies: …" when its condition has no words here
    (a user's rule: the catalogue words every one, tests/test_rulehelp.py). A text that
    opens with a condition of its own ("If <name> supplies no software …, declare …",
    VND-008) is joined to the case's in one sentence: "If W, and if <name> …"."""
    if not text.startswith(_OWN_CONDITION.get(lang, ("If ",))):
        return _lead_of(words, kind) + text
    own = text[:1].lower() + text[1:]
    if kind == "else":
        return _("Otherwise, {case}").format(case=own)
    if words is None:
        return _lead_of(words, kind) + text
    if kind == "if":
        return _("If {condition}, and {case}").format(condition=words, case=own)
    return _("Otherwise, if {condition}, and {case}").format(condition=words, case=own)


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
