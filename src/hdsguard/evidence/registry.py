"""A snapshot of the ANS list of certified HDS hosts, in a CSV format hdsguard defines.

The ANS publishes the list as a web page; a user copies the rows that matter into this file:

    # ANS HDS registry snapshot 2026-11-20
    certificate,holder,certifier,activities,valid_from,valid_until
    HDS-2024-0001,OVH SAS,LNE,1;2;3;4;5;6,2024-03-01,2027-02-28

The first line names the day the list was read (it is the file's timestamp in reports).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass

from hdsguard.errors import fail
from hdsguard.i18n import _

HEADER = ["certificate", "holder", "certifier", "activities", "valid_from", "valid_until"]
FIRST = re.compile(r"^# ANS HDS registry snapshot (\d{4}-\d{2}-\d{2})\s*$")


@dataclass(frozen=True)
class RegistryEntry:
    certificate: str
    holder: str
    certifier: str
    activities: tuple[int, ...]
    valid_from: str
    valid_until: str
    line: int


@dataclass(frozen=True)
class Registry:
    path: str
    snapshot: str
    entries: tuple[RegistryEntry, ...]
    # Line and column of the snapshot's date: where a snapshot dated after the evaluation
    # date is refused (evidence/load.py).
    at: tuple[int, int] = (1, 1)


def read_registry(path: str, text: bytes) -> Registry:
    try:
        lines = text.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise fail(path, None, None, _("not UTF-8 text: {error}").format(error=exc)) from None
    first = FIRST.match(lines[0]) if lines else None
    if first is None:
        raise fail(path, 1, 1, _("the first line must be `# ANS HDS registry snapshot YYYY-MM-DD`"))
    snapshot = _date(path, 1, first.group(1))
    rows = list(csv.reader(io.StringIO("\n".join(lines[1:]))))
    if not rows or rows[0] != HEADER:
        raise fail(
            path,
            2,
            1,
            _("the second line must be the header {header}").format(header=",".join(HEADER)),
        )
    entries = [_entry(path, n + 3, row) for n, row in enumerate(rows[1:]) if row]
    return Registry(path, snapshot, tuple(entries), (1, first.start(1) + 1))


def _entry(path: str, line: int, row: list[str]) -> RegistryEntry:
    if len(row) != len(HEADER):
        message = _("{count} columns, expected {expected}: {header}")
        raise fail(
            path,
            line,
            1,
            message.format(count=len(row), expected=len(HEADER), header=",".join(HEADER)),
        )
    number, holder, certifier, activities, valid_from, valid_until = (c.strip() for c in row)
    try:
        acts = tuple(sorted({int(a) for a in activities.split(";")}))
    except ValueError:
        acts = ()
    if not acts or any(a < 1 or a > 6 for a in acts):
        raise fail(
            path,
            line,
            None,
            _("activities {activities!r}: numbers 1 to 6 joined by `;`").format(
                activities=activities
            ),
        )
    if not number or not holder:
        raise fail(path, line, 1, _("a row needs a certificate number and a holder"))
    return RegistryEntry(
        number, holder, certifier, acts, _date(path, line, valid_from),
        _date(path, line, valid_until), line,
    )  # fmt: skip


def _date(path: str, line: int, text: str) -> str:
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise fail(
            path, line, None, _("{text!r} is not a YYYY-MM-DD date").format(text=text)
        ) from None
