"""Upcoming deadlines as an iCalendar file (RFC 5545), written with the icalendar library.

Each deadline is an all-day event on the first day of failure. Its UID hashes what it is
about (kind, rule, target), not its date: when a certificate is renewed and the deadline
moves, re-importing the file updates the event instead of adding a second one. DTSTAMP is
the evaluation date, so the same inputs give the same bytes.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence

from hdsguard.audit.deadlines import Deadline
from hdsguard.formatters.escape import document_line, document_text
from hdsguard.i18n import _, current
from hdsguard.l10n import long_date

PRODID = "-//hdsguard//audit deadlines//EN"


def uid(deadline: Deadline) -> str:
    key = f"{deadline.kind}\0{deadline.rule}\0{deadline.target}".encode()
    return f"{hashlib.sha256(key).hexdigest()[:32]}@hdsguard"


def render(deadlines: Sequence[Deadline], as_of: datetime.date, organisation: str | None) -> bytes:
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    # In the run's language, like the deadlines' messages (the rules' own on that day).
    name = (
        _("hdsguard deadlines: {organisation}").format(organisation=document_line(organisation))
        if organisation
        else _("hdsguard deadlines")
    )
    lang = current()
    cal.add("x-wr-calname", name)
    stamp = datetime.datetime.combine(as_of, datetime.time(0, 0), tzinfo=datetime.UTC)
    for d in deadlines:
        event = icalendar.Event()
        event.add("uid", uid(d))
        event.add("dtstamp", stamp)
        event.add("dtstart", d.date)
        event.add("dtend", d.date + datetime.timedelta(days=1))
        summary = (
            _("{rule} waiver ends: {target} [{severity}]")
            if d.kind == "waiver"
            else _("{rule} fails: {target} [{severity}]")
        )
        event.add(
            "summary",
            document_line(summary.format(rule=d.rule, target=d.target, severity=d.severity)),
        )
        location = f"{d.file}:{d.line}" if d.file and d.line else (d.file or "")
        when = d.date.isoformat() if lang == "en" else long_date(d.date, lang)
        head = _("{rule} on {target} from {date}.").format(rule=d.rule, target=d.target, date=when)
        event.add(
            "description",
            document_text(f"{head}\n{d.message}")
            + ("\n" + _("Declared at {location}").format(location=location) if location else ""),
        )
        event.add("categories", ["hdsguard", d.kind, d.severity])
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data
