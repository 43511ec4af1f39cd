"""What a slot of a rule's help is called (``<backup.provider>``, ``<provider>``,
``<target>``): a computation on the target the help cannot show, named after the declared
field it reads or the helper it starts from (:mod:`.rulehelp`)."""

from __future__ import annotations

from hdsguard.i18n import N_, _
from hdsguard.policies.celtree import Node, path
from hdsguard.policies.inline import OWN_VAR, WORDED_VAR
from hdsguard.policies.owntwins import TWIN_OF

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
# A slot that names nothing: what a placeholder reads is not said here.
ELLIPSIS = "<…>"


def slot(node: Node) -> str:
    """The slot ``node``, a computation on the target, stands as in the help."""
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
    return ELLIPSIS


def _innermost_call(node: Node) -> str | None:
    """The helper a computation starts from: ``provider`` in ``provider(x).name``,
    ``observed_certificates`` in ``observed_certificates(self).map(…).join(…)``."""
    found: str | None = None
    while True:
        if (
            node.kind == "fold"
            and node.value in (WORDED_VAR, OWN_VAR)
            and node.children[4].kind == "cond"
        ):
            # ``worded(f, v)``, ``provider(self.hosted_by)``… as inline.py compiles them: the
            # last branch calls the helper.
            node = node.children[4].children[2]
            continue
        if node.kind == "fold":  # a macro: what it ranges over
            node = node.children[0]
            continue
        if node.kind == "cond" and _evidence_guard(node.children[0]):
            node = node.children[1]
            continue
        if node.kind == "call":
            if node.target is None:  # a twin (inline.py) is its helper's call
                return TWIN_OF.get(node.name, node.name)
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
