"""Loops of `hosted_by` between providers: a declaration error, like a reference to an id
that does not exist.

A provider may run on another provider's infrastructure (`hosted_by`, a SaaS editor on its
IaaS host), and that host on another: the chain must end at a provider that runs its own
infrastructure. A chain that comes back on itself (A hosted by B, B by A; or A by A) names
no real host: what it says about who performs the hosting activities (HDS-001, HDS-002,
VND-002, HDS-006) cannot be true, and the rules that follow it would read it as one host's
word vouching for the other's. format.md makes a reference to nothing a located error that
names its locations; a loop is refused the same way, each link located (file:line:column).
Systems and vendors refer to providers but are never referred to through `hosted_by`, so
only providers can loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hdsguard.errors import Problem
from hdsguard.i18n import _

if TYPE_CHECKING:
    from hdsguard.declarations.merge import DeclarationSet, Origin


def hosting_loops(decl: DeclarationSet) -> list[Problem]:
    """One problem per loop of providers' `hosted_by`, at the link of its smallest id."""
    hosts = _hosts(decl)
    problems: list[Problem] = []
    done: set[str] = set()
    for start in sorted(hosts):
        walk: list[str] = []
        here: str | None = start
        while here is not None and here not in done and here not in walk:
            walk.append(here)
            here = hosts.get(here)
        done.update(walk)
        if here is not None and here in walk:
            problems.append(_loop_problem(decl, walk[walk.index(here) :]))
    return problems


def _hosts(decl: DeclarationSet) -> dict[str, str]:
    """provider id -> the declared provider it names in `hosted_by` (unknown ids are
    check_references' to report)."""
    known = decl.by_id.get("providers", {})
    return {
        ident: item["hosted_by"]
        for ident, item in known.items()
        if isinstance(item.get("hosted_by"), str) and item["hosted_by"] in known
    }


def _loop_problem(decl: DeclarationSet, loop: list[str]) -> Problem:
    """The problem of ``loop`` (each provider hosted by the next, the last by the first),
    located at the `hosted_by` of its smallest id, naming every link's location."""
    first = loop.index(min(loop))
    loop = loop[first:] + loop[:first]
    where = [decl.origins[("providers", i)] for i in loop]
    line, column = where[0].locate(("hosted_by",), value=True)
    if len(loop) == 1:
        message = _(
            "providers/{id}: `hosted_by` names {id} itself, which is no host: name the "
            "provider whose infrastructure it runs on, or remove `hosted_by` if it runs its own"
        ).format(id=loop[0])
    else:
        links = [
            _("{id} hosted by {host} ({where})").format(
                id=ident, host=loop[(k + 1) % len(loop)], where=_at(origin)
            )
            for k, (ident, origin) in enumerate(zip(loop, where, strict=True))
        ]
        message = _(
            "providers/{id}: `hosted_by` forms a loop that names no real host: {links}; a "
            "chain of hosts ends at a provider that runs its own infrastructure (no "
            "`hosted_by`): correct the `hosted_by` that points back"
        ).format(id=loop[0], links=", ".join(links))
    return Problem(where[0].source.path, line, column, message)


def _at(origin: Origin) -> str:
    """file:line:column of the value of an object's `hosted_by`."""
    line, column = origin.locate(("hosted_by",), value=True)
    return f"{origin.source.path}:{line}:{column}"
