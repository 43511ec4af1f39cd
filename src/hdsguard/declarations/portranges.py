"""Firewall rule port ranges of the right form but no meaning, checked on every set.

An end above 65535, or the ends reversed (`65535-1`, every port written backwards, read as no
port at all, let an any-to-any rule pass FW-004). The schema's pattern (digits-digits) cannot
say it, and a file the schema's pre-check accepts never meets the model, so the check is made
on the merged set, before any rule runs, like the dates of :mod:`.plausible`; what is wrong
with one range is :func:`hdsguard.declarations.advice.port_range_problem`.
"""

from __future__ import annotations

from collections.abc import Iterator

from hdsguard.declarations.advice import port_range_problem
from hdsguard.declarations.merge import DeclarationSet, problem_at
from hdsguard.errors import Problem


def port_range_problems(decl: DeclarationSet) -> Iterator[Problem]:
    """Each firewall rule's port range that names no real port, located at the range."""
    for target, obj, origin in decl.targets("firewalls"):
        rules = obj.get("rules") if isinstance(obj, dict) else None
        if not isinstance(rules, list):
            continue
        for i, rule in enumerate(rules):
            port = rule.get("port") if isinstance(rule, dict) else None
            if isinstance(port, str):
                bad = port_range_problem(port)
                if bad:
                    yield problem_at(target, origin, ("rules", i, "port"), bad)
