"""A policy ready to run: its metadata and compiled expressions, as the loader builds them
and the catalogue cache stores them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cel_expr_python import cel

from hdsguard.policies.meta import PolicyMeta
from hdsguard.policies.template import Template

if TYPE_CHECKING:
    from hdsguard.policies.model import Policy


@dataclass(frozen=True)
class CompiledCheck:
    condition: cel.Expression
    message: Template
    warn_if: cel.Expression | None
    warn_message: Template | None
    field: tuple[str | int, ...]
    locate: cel.Expression | None
    requires: tuple[tuple[str, ...], ...]
    # How a finding's reason names the check (hdsguard.reasons): its `id`, else its position.
    key: str = "0"
    # The main-language messages when the run's are translations (None: the run's are the
    # main ones): a reason quotes the main-language values, whatever the run's language.
    main_message: str | None = None
    main_warn_message: str | None = None


@dataclass(frozen=True)
class CompiledPolicy:
    """A policy ready to run: its metadata, its compiled expressions and where it came from.

    ``spec`` (the validated policy file, with its inline tests) is kept when the policy was
    read from its file for the authoring commands, or is a user's; runs only need ``meta``,
    so the cached catalogue and the built-in policies read for a run have none.
    """

    meta: PolicyMeta
    spec: Policy | None
    file: str
    builtin: bool
    applicable_if: cel.Expression | None
    not_applicable_message: Template
    pass_message: Template
    remediation: Template
    checks: tuple[CompiledCheck, ...]
    # True when no expression can read another object than the target (see locality.py).
    local: bool = False
    # True when that holds in any run given no evidence file (locality.EVIDENCE_HELPERS).
    local_without_evidence: bool = False
    # In a run given no evidence file, the declaration sections its helpers read, sorted;
    # None: any, as far as anyone can tell (locality.classify). The findings memo keys its
    # findings on the files declaring these.
    reads: tuple[str, ...] | None = None
    # Pass / not applicable / ask the exact path, in one evaluation (see fastpath.py).
    verdict: cel.Expression | None = None
    # Some text was asked in a language the file does not give: the main one stands in.
    fell_back: bool = False

    @property
    def id(self) -> str:
        return self.meta.id

    def local_in(self, observed: bool) -> bool:
        """Whether the policy's findings on a file are decided by that file alone, in a run
        that was given evidence (``observed``) or not."""
        return self.local or (self.local_without_evidence and not observed)

    def default_params(self) -> dict[str, Any]:
        return {name: p.default for name, p in self.meta.params.items()}

    def authoring(self) -> Policy:
        """The full policy file model (tests, raw texts), for the authoring commands."""
        if self.spec is None:
            raise RuntimeError(f"{self.id} was loaded for a run, without its file model")
        return self.spec
