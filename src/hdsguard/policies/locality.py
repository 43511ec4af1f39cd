"""Whether a compiled CEL expression can read another object than its target, and which
sections it can read, decided from its checked syntax tree, never from its text.

A policy is *local* when none of its expressions can: the findings memo (:mod:`hdsguard.
speed.findingsmemo`) then reuses its findings on an unchanged file. Reading the text with a
regular expression was fooled by CEL's raw and triple-quoted strings; the checker's reference
map is not: it lists every variable an expression reads and every function it calls, with the
overload chosen (decoded by :func:`hdsguard.policies.celtree.references`). A local expression
reads no global variable but ``self``, ``params``, ``now`` and ``target`` (so never ``decl``)
and calls no hdsguard helper but those that read no section (:data:`LOCAL_HELPERS`: an empty
entry in ``celenv.SECTIONS_READ``; a helper added later has no entry, so it is refused until
it gets one).
Anything uncertain (a payload that does not decode as expected) counts as non-local, which
only costs speed.

A policy is *local without evidence* when its only other reads go through the helpers of
:data:`EVIDENCE_HELPERS`: in a run given no evidence file every evidence section is empty, and
each of these helpers then returns the same value (an empty list, null, 0 or the target's own
declared date) whatever the other objects declare, so the policy's findings on a file are
decided by that file alone, like a local policy's. ``tests/test_locality.py`` calls each
helper on estates that differ everywhere but the argument to check it.

Any other policy's *reads* (:func:`classify`, from the same decoding) are, in a run given no
evidence file, the union of the sections its helpers read (``celenv.SECTIONS_READ``, which
the CEL context enforces), or None, meaning any, when it reads ``decl`` or anything not
decoded: the memo keys its findings on a file on the files declaring those sections.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from cel_expr_python import cel

from hdsguard.policies.celenv import COUNTED, DATE_READ, SECTIONS_READ, VARIABLES
from hdsguard.policies.celtree import references
from hdsguard.policies.protowire import CHECKED_URL

# Variables whose value is decided by the target, its policy's parameters and the date.
LOCAL_VARIABLES = frozenset({"self", "params", "now", "target"})
# hdsguard helpers that read only their arguments: those whose entry of SECTIONS_READ is
# empty (the context lets them read nothing, so a wrong entry fails loudly).
LOCAL_HELPERS = frozenset(name for name, sections in SECTIONS_READ.items() if not sections)
# hdsguard helpers whose value, when every evidence section is empty, depends only on their
# arguments: they read the evidence sections and, through those, nothing else.
EVIDENCE_HELPERS = frozenset(
    {
        "evidence_ports_of",
        "evidence_hosts_of",
        "observed_certificates",
        "predating_certificates",
        "declared_certificates",
        "kev_entries",
        "kev_entries_of",
        "kev_entry",
        "kev_added",
        "hds_registry_entry",
        "evidence_files",
        "evidence_scans",
        "evidence_given",
        "evidence_count",
    }
)
# The environment's global variables (the checker refuses any other free name, so any other
# name in the reference map is bound by a macro or cel.bind); those not listed above, `decl`
# and any added later, are non-local.
_GLOBALS = frozenset(VARIABLES)
_HELPER_OVERLOAD = "hds_"  # prefix of every hdsguard helper's overload id (celenv)
_CHECKED = CHECKED_URL.decode()


def reads_other_objects(expr: cel.Expression, allowed: frozenset[str] = LOCAL_HELPERS) -> bool:
    """Whether ``expr`` may read objects other than its target (True when in doubt), calling
    only the hdsguard helpers of ``allowed`` counted as reading nothing else."""
    return _reach(expr) - allowed != frozenset()


class Locality(NamedTuple):
    """What a policy's expressions may read beyond their target."""

    local: bool  # nothing, in any run
    local_without_evidence: bool  # nothing, in a run given no evidence file
    # In a run given no evidence file, the sections its helpers read (sorted); None: any
    # (it reads `decl`, calls a helper without an entry, or could not be decoded).
    reads: tuple[str, ...] | None


def classify(exprs: Iterable[cel.Expression | None]) -> Locality:
    """What the expressions read beyond their target; each expression's syntax tree is
    decoded once."""
    reach: set[str] = set()
    for expr in exprs:
        if expr is not None:
            reach |= _reach(expr)
    return Locality(
        not reach - LOCAL_HELPERS,
        not reach - LOCAL_HELPERS - EVIDENCE_HELPERS,
        sections_read(reach - EVIDENCE_HELPERS),
    )


def sections_read(helpers: Iterable[str]) -> tuple[str, ...] | None:
    """The sections ``helpers`` read (SECTIONS_READ), None when one is not a known helper."""
    sections: set[str] = set()
    for name in helpers:
        known = SECTIONS_READ.get(name)
        if known is None:  # _OTHER, or a helper without an entry
            return None
        sections |= known
    # A section read whole says its count too: a counted read of it adds nothing.
    return tuple(sorted(s for s in sections if s.removesuffix(COUNTED) not in sections - {s}))


# What an expression may reach beyond its target: the hdsguard helpers it calls, and
# _OTHER when it reads a global variable other than the local ones or cannot be decoded (a
# name no helper has, so no list of allowed helpers ever contains it).
_OTHER = "\0other objects"


# The bytes without which a serialized checked expression cannot reach anything: every name
# of its reference map is stored as plain UTF-8, so an hdsguard helper's overload id holds
# _HELPER_OVERLOAD, a non-local global holds its name, and a reference qualified below a
# local variable (``self.x`` as one name) holds that variable and a dot. Nearly half the
# catalogue's expressions hold none of them (a comparison of `self`'s fields), and need not
# be decoded: decoding in Python was a fifth of compiling the catalogue.
_MAY_REACH = re.compile(
    b"|".join(
        re.escape(name.encode())
        for name in sorted(
            {_HELPER_OVERLOAD}
            | (_GLOBALS - LOCAL_VARIABLES)
            | {variable + "." for variable in LOCAL_VARIABLES}
        )
    )
)
# How a serialized ``google.protobuf.Any`` holding a checked expression starts: its type URL,
# field 1, written first (anything else is decoded in full).
_CHECKED_HEAD = b"\x0a" + bytes([len(_CHECKED)]) + _CHECKED.encode()


def _reach(expr: cel.Expression) -> frozenset[str]:
    try:
        blob = expr.serialize()
    except Exception:  # the runtime raises plain RuntimeErrors: doubt
        return frozenset({_OTHER})
    if blob.startswith(_CHECKED_HEAD) and _MAY_REACH.search(blob) is None:
        return frozenset()
    return _decoded_reach(blob)


def _decoded_reach(blob: bytes) -> frozenset[str]:
    """What the reference map of ``blob``, a serialized checked expression, reaches."""
    try:
        entries = list(references(blob))
    except Exception:  # an unexpected payload: doubt
        return frozenset({_OTHER})
    reach: set[str] = set()
    for name, overloads in entries:
        if not overloads:  # a variable: a global one, or one bound by a macro (`x` in all(x, …))
            if name.split(".")[0] in _GLOBALS and name not in LOCAL_VARIABLES:
                reach.add(_OTHER)
        elif any(o.startswith(_HELPER_OVERLOAD) for o in overloads):
            reach.add(name)
    return frozenset(reach)


# The bytes without which a serialized checked expression cannot read the evaluation date:
# the variable's name, or a helper of DATE_READ's overload id (``hds_days_since_string``).
_MAY_DATE = re.compile(
    b"|".join(
        re.escape(name.encode())
        for name in ["now", *sorted(f"{_HELPER_OVERLOAD}{h}_" for h in DATE_READ)]
    )
)


def reads_date(expr: cel.Expression) -> bool:
    """Whether ``expr`` reads the evaluation date: the variable ``now``, or a helper that
    reads it (``celenv.DATE_READ``, which the CEL context enforces), as its checked syntax
    tree's reference map says. What such an expression gives changes with the passing of
    days alone (an age, a number of days left). In doubt (a payload that does not decode),
    False: what it quotes is then part of a finding's reason, so that a change to it is
    never hidden (at worst the finding counts as new)."""
    try:
        blob = expr.serialize()
    except Exception:  # the runtime raises plain RuntimeErrors: doubt
        return False
    if _MAY_DATE.search(blob) is None:
        return False
    try:
        entries = list(references(blob))
    except Exception:  # an unexpected payload: doubt
        return False
    for name, overloads in entries:
        if not overloads and name == "now":
            return True
        if any(o.startswith(_HELPER_OVERLOAD) for o in overloads) and name in DATE_READ:
            return True
    return False
