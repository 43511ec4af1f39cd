"""A note appended to the findings of the rules that read scans (tagged ``scan``), once per
target: how the target was matched to the scans, which no rule's message can say alone
(:mod:`.ptr`: through a reverse DNS name only; :mod:`.elsewhere`: at an address the target
does not declare)."""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping, Sequence

from hdsguard.findings import Finding, Status


def with_scan_notes(
    findings: Sequence[Finding],
    rules: Mapping[str, Iterable[str]],
    statuses: Container[Status],
    note: Callable[[str], str],
) -> list[Finding]:
    """``findings`` with ``note(target)`` ("" for none, computed once per target) appended in
    parentheses to the message of each finding of a rule tagged ``scan`` (``rules``: rule id
    -> its tags) whose status is one of ``statuses``."""
    scan_rules = {rule for rule, tags in rules.items() if "scan" in tags}
    memo: dict[str, str] = {}
    out = []
    for f in findings:
        if f.rule in scan_rules and f.status in statuses:
            said = memo.get(f.target)
            if said is None:
                said = memo[f.target] = note(f.target)
            if said:
                f = f._replace(message=f"{f.message} ({said})")
        out.append(f)
    return out
