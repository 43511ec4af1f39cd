"""What a piece of a rule's help reads only the rule's params for: evaluated with them (the
defaults in the docs, the run's in SARIF), cut out of the tree the runtime checked
(:func:`hdsguard.policies.listpart.alone`), never compiled again; a conditional whose test reads
only the params is its chosen branch (:mod:`.rulehelp`)."""

from __future__ import annotations

from typing import Any

from hdsguard.policies.celenv import DATE_READ, SECTIONS_READ, CelRuntime, evaluate
from hdsguard.policies.celtree import Node, free_names, path
from hdsguard.policies.listpart import alone


class Params:
    """The params a rule's help is worded with, and the runtime that evaluates with them."""

    def __init__(self, runtime: CelRuntime, params: dict[str, Any]) -> None:
        self.runtime = runtime
        self.params = params

    def pure(self, node: Node) -> bool:
        """Whether ``node`` reads nothing but the params and constants (helpers that read no
        section nor the date included)."""
        for name in free_names(node):
            if name.endswith("()"):
                helper = name[:-2]
                if SECTIONS_READ.get(helper) or helper in DATE_READ:
                    return False
            elif name != "params":
                return False
        return True

    def chosen(self, node: Node) -> Node:
        """A conditional whose test reads only the params, replaced by its chosen branch."""
        while node.kind == "cond" and self.pure(node.children[0]):
            test = self.evaluate(node.children[0])
            if not isinstance(test, bool):
                break
            node = node.children[1] if test else node.children[2]
        return node

    def conditional(self, node: Node) -> bool:
        """Whether ``node`` is a conditional on the target."""
        return node.kind == "cond" and not self.pure(node.children[0])

    def evaluate(self, node: Node) -> Any:
        """What ``node`` (:meth:`pure`) gives with the params; None when it fails."""
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

    def missing(self, node: Node) -> str | None:
        """The name of the parameter ``node`` quotes (``params.x``, ``string(params.x)``) when
        it has no value here: a template worded without its params (a RuleInfo built by hand,
        in SARIF), whose slot is then named after it."""
        while node.kind == "call" and node.name == "string" and len(node.args) == 1:
            node = node.args[0]
        chain = path(node)
        if chain and len(chain) == 2 and chain[0] == "params" and chain[1] not in self.params:
            return chain[1]
        return None
