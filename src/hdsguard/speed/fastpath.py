"""One CEL expression per policy that says, in a single evaluation, whether a target simply
passes, is not applicable, or needs the exact step-by-step evaluation.

On a large estate most (policy, target) pairs pass. The engine's exact path evaluates
``applicable_if``, then each check's ``requires``, ``condition`` and ``warn_if`` one by one
(three CEL calls per pair on average, each with its Python overhead). The verdict expression
folds them into one call:

    applicable_if ? (all checks hold cleanly ? 1 : 2 + which checks do not) : 0

where a check holds cleanly when its required fields are present, its condition is true and
its warning (if it has a message) is false. 1 is a pass and 0 not applicable, exactly as the
exact path would decide; 2 or more, a non-boolean, or any CEL error sends the pair to the
exact path, which then finds the failure, warning, missing evidence or error and its message.
The verdict can therefore only ever confirm what the exact path would say. "Which checks do
not" is a bit per check (check i: 2**i), computed only when one does not, for policies of
several checks: the exact path then evaluates those checks alone, since a check that holds
cleanly is a pass without a message there too (a failing pair of a four-check policy no
longer evaluates the three checks that hold).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hdsguard.policies.meta import CheckRules, PolicyRules
    from hdsguard.policies.model import Check, Policy

PASS = 1
NOT_APPLICABLE = 0
ASK = 2  # applicable, something to look at: the exact path, which need not ask applicable_if;
# above 2, it also says which checks to look at (failed_checks)


def verdict_source(spec: Policy | PolicyRules) -> str:
    """The verdict expression of a policy, in the policy's own CEL (not yet scoped/inlined)."""
    clauses: list[str | tuple[str, str]] = []  # a (name, value) pair: a shared binding's place
    # Conditions that bind the same name to the same value (BKP-005 looks the backup provider
    # up in four checks) share one binding: && is commutative in CEL, errors included, so the
    # verdict is the same, and the provider is looked up and converted once, not four times.
    bound: dict[tuple[str, str], list[str]] = {}
    for check in spec.all_checks():
        for path in check.requires:
            # The exact path's test: every step a mapping holding a non-null value.
            steps = "".join(f".?{step}" for step in path.split("."))
            clauses.append(f"self{steps}.orValue(null) != null")
        binding = _binding(check.condition)
        if binding is None:
            clauses.append(f"({_own_line(check.condition)})")
        else:
            name, value, body = binding
            if (name, value) not in bound:
                bound[(name, value)] = []
                clauses.append((name, value))
            bound[(name, value)].append(f"({body})")
        if check.warn_if is not None and check.warn_message is not None:
            clauses.append(f"!({_own_line(check.warn_if)})")
    checks = " && ".join(
        clause
        if isinstance(clause, str)
        else f"cel.bind({clause[0]}, {clause[1]}, {' && '.join(bound[clause])})"
        for clause in clauses
    )
    every: Sequence[Check | CheckRules] = spec.all_checks()
    ask = str(ASK)
    if len(every) > 1:
        flags = " + ".join(f"(({_clean(c)}) ? 0 : {1 << i})" for i, c in enumerate(every))
        ask = f"{ASK} + {flags}"
    applicable = spec.applicable_if
    if applicable is None:
        return f"({checks}) ? {PASS} : {ask}"
    return f"({_own_line(applicable)}) ? (({checks}) ? {PASS} : {ask}) : {NOT_APPLICABLE}"


def failed_checks(verdict: int) -> int:
    """The bits of the checks that do not hold cleanly, from a verdict of 2 or more (0: not
    known, every check must be evaluated)."""
    return verdict - ASK


def _clean(check: Check | CheckRules) -> str:
    """Whether one check holds cleanly, on its own (no binding shared with other checks)."""
    clauses = [f"self{''.join(f'.?{s}' for s in path.split('.'))}.orValue(null) != null"
               for path in check.requires]  # fmt: skip
    clauses.append(f"({_own_line(check.condition)})")
    if check.warn_if is not None and check.warn_message is not None:
        clauses.append(f"!({_own_line(check.warn_if)})")
    return " && ".join(clauses)


def _binding(condition: str) -> tuple[str, str, str] | None:
    """(name, value, body) of a condition that is one ``cel.bind(name, value, body)`` call and
    holds no comment (a ``//`` comment could hide brackets or commas from the scan)."""
    from hdsguard.policies.inline import matching, split_args

    text = condition.strip()
    if not text.startswith("cel.bind(") or "//" in text:
        return None
    open_paren = len("cel.bind")
    if matching(text, open_paren) != len(text) - 1:
        return None
    args = split_args(text[open_paren + 1 : -1])
    if len(args) != 3 or not args[0].strip().isidentifier():
        return None
    return args[0].strip(), " ".join(args[1].split()), args[2].strip()


def _own_line(source: str) -> str:
    # A trailing // comment in the policy's text must not swallow what follows it.
    return f"{source}\n"
