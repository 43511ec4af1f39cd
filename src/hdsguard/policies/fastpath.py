"""One CEL expression per policy that says, in a single evaluation, whether a target simply
passes, is not applicable, or needs the exact step-by-step evaluation.

On a large estate most (policy, target) pairs pass. The engine's exact path evaluates
``applicable_if``, then each check's ``requires``, ``condition`` and ``warn_if`` one by one
(three CEL calls per pair on average, each with its Python overhead). The verdict expression
folds them into one call:

    applicable_if ? (all checks hold cleanly ? 1 : 2) : 0

where a check holds cleanly when its required fields are present, its condition is true and
its warning (if it has a message) is false. 1 is a pass and 0 not applicable, exactly as the
exact path would decide; 2, a non-boolean, or any CEL error sends the pair to the exact path,
which then finds the failure, warning, missing evidence or error and its message. The verdict
can therefore only ever confirm what the exact path would say.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hdsguard.policies.model import Policy

PASS = 1
NOT_APPLICABLE = 0


def verdict_source(spec: Policy) -> str:
    """The verdict expression of a policy, in the policy's own CEL (not yet scoped/inlined)."""
    clauses: list[str] = []
    for check in spec.all_checks():
        for path in check.requires:
            # The exact path's test: every step a mapping holding a non-null value.
            steps = "".join(f".?{step}" for step in path.split("."))
            clauses.append(f"self{steps}.orValue(null) != null")
        clauses.append(f"({_own_line(check.condition)})")
        if check.warn_if is not None and check.warn_message is not None:
            clauses.append(f"!({_own_line(check.warn_if)})")
    checks = " && ".join(clauses)
    applicable = spec.applicable_if
    if applicable is None:
        return f"({checks}) ? {PASS} : 2"
    return f"({_own_line(applicable)}) ? (({checks}) ? {PASS} : 2) : {NOT_APPLICABLE}"


def _own_line(source: str) -> str:
    # A trailing // comment in the policy's text must not swallow what follows it.
    return f"{source}\n"
