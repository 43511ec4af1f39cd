"""One CEL expression per policy that says, in a single evaluation, whether a target simply
passes, is not applicable, or needs the exact step-by-step evaluation.

On a large estate most (policy, target) pairs pass. The engine's exact path evaluates
``applicable_if``, then each check's ``requires``, ``condition`` and ``warn_if`` one by one
(three CEL calls per pair on average, each with its Python overhead). The verdict expression
folds them into one call:

    applicable_if ? (no check fails to hold cleanly ? 1 : 2 + which checks do not) : 0

where a check holds cleanly when its required fields are present, its condition is true and
its warning (if it has a message) is false. 1 is a pass and 0 not applicable, exactly as the
exact path would decide; 2 or more, a non-boolean, or any CEL error sends the pair to the
exact path, which then finds the failure, warning, missing evidence or error and its message.
The verdict can therefore only ever confirm what the exact path would say. "Which checks do
not" is a bit per check (check i: 2**i), for policies of several checks, and the verdict is
computed from those bits, so that each condition is in the expression once: the exact path
then evaluates the checks that do not hold alone, since a check that holds cleanly is a pass
without a message there too (a failing pair of a four-check policy does not evaluate the
three checks that hold again). Conditions that bind the same name to the same value
(``cel.bind(p, provider(…), …)``) share one binding.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hdsguard.policies.meta import CheckRules, PolicyRules
    from hdsguard.policies.model import Check, Policy

PASS = 1
NOT_APPLICABLE = 0
# The environment's variables (celenv.VARIABLES): a binding of one of those names is not
# shared, since a check's other clauses read the variable, not the binding.
_GLOBALS = frozenset({"self", "params", "now", "target", "decl"})
ASK = 2  # applicable, something to look at: the exact path, which need not ask applicable_if;
# above 2, it also says which checks to look at (failed_checks)


def verdict_source(spec: Policy | PolicyRules) -> str:
    """The verdict expression of a policy, in the policy's own CEL (not yet scoped/inlined)."""
    every: Sequence[Check | CheckRules] = spec.all_checks()
    if len(every) == 1:
        checks = f"({_clean(every[0])}) ? {PASS} : {ASK}"
    else:
        # Each condition once: the bits of the checks that do not hold, then the verdict from
        # them. (Folding the conditions with && first, then the bits again on a failure, put
        # every condition twice in the program: 1.1 MB of the 2.2 MB the built-in catalogue's
        # programs serialize to, ten times that once deserialized; and a failing target
        # evaluated its conditions twice.) An error in any condition is the whole verdict's,
        # as it was, and sends the pair to the exact path.
        verdict = f"hds_failed == 0 ? {PASS} : {ASK} + hds_failed"
        checks = f"cel.bind(hds_failed, {_flags(every)}, {verdict})"
    applicable = spec.applicable_if
    if applicable is None:
        return checks
    return f"({_own_line(applicable)}) ? ({checks}) : {NOT_APPLICABLE}"


def failed_checks(verdict: int) -> int:
    """The bits of the checks that do not hold cleanly, from a verdict of 2 or more (0: not
    known, every check must be evaluated)."""
    return verdict - ASK


def _flags(checks: Sequence[Check | CheckRules]) -> str:
    """The sum of the bits of the checks that do not hold cleanly. Checks whose conditions
    bind the same name to the same value share one binding here too: BKP-005's failing
    targets looked their backup provider up once per check (six helper calls, each leaking
    its converted argument in cel-expr-python 0.1.3), now once. A sum is commutative and any
    error makes the whole verdict one (the exact path then decides), so the value is the same.
    A check's other clauses (its required fields, its warning) stay outside the binding."""
    terms: list[str | tuple[str, str]] = []
    bound: dict[tuple[str, str], list[str]] = {}
    for i, check in enumerate(checks):
        binding = _binding(check.condition)
        if binding is None or binding[0] in _GLOBALS:
            terms.append(f"(({_clean(check)}) ? 0 : {1 << i})")
            continue
        name, value, body = binding
        if (name, value) not in bound:
            bound[(name, value)] = []
            terms.append((name, value))
        holds = " && ".join([*_around(check), f"({body})"])
        bound[(name, value)].append(f"(({holds}) ? 0 : {1 << i})")
    return " + ".join(
        term
        if isinstance(term, str)
        else f"cel.bind({term[0]}, {term[1]}, {' + '.join(bound[term])})"
        for term in terms
    )


def _clean(check: Check | CheckRules) -> str:
    """Whether one check holds cleanly, on its own (no binding shared with other checks)."""
    return " && ".join([*_around(check), f"({_own_line(check.condition)})"])


def _around(check: Check | CheckRules) -> list[str]:
    """What a check needs besides its condition to hold cleanly: its required fields present
    (the exact path's test: every step a mapping holding a non-null value), its warning
    false."""
    clauses = [f"self{''.join(f'.?{s}' for s in path.split('.'))}.orValue(null) != null"
               for path in check.requires]  # fmt: skip
    if check.warn_if is not None and check.warn_message is not None:
        clauses.append(f"!({_own_line(check.warn_if)})")
    return clauses


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
