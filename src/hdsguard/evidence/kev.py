"""The CISA Known Exploited Vulnerabilities catalogue, in its published JSON format.

The catalogue carries no schema-version field; its schema (cisa.gov, "known_exploited_
vulnerabilities_schema.json", version 1) is what this reader checks: exactly the top-level keys
and the required keys of each entry, with their types, and ``count`` equal to the number of
entries (a cut file is refused). Another shape is another schema version: a located error.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass

from hdsguard.errors import InputError, fail
from hdsguard.i18n import _
from hdsguard.jsonwords import json_reason

TOP = {"title", "catalogVersion", "dateReleased", "count", "vulnerabilities"}
ENTRY = {
    "cveID",
    "vendorProject",
    "product",
    "vulnerabilityName",
    "dateAdded",
    "shortDescription",
    "requiredAction",
    "dueDate",
}
OPTIONAL = {"knownRansomwareCampaignUse", "notes", "cwes"}
_CVE = re.compile(r"^CVE-\d{4}-\d{4,}$")


@dataclass(frozen=True)
class KevEntry:
    cve: str
    vendor: str
    product: str
    name: str
    date_added: str
    line: int


@dataclass(frozen=True)
class Kev:
    path: str
    version: str
    released: str
    entries: tuple[KevEntry, ...]
    # The release instant (UTC), and the line and column of its `dateReleased` value: where
    # a catalogue from after the evaluation date is refused (evidence/load.py).
    released_at: datetime.datetime | None = None
    at: tuple[int, int] = (1, 1)


def read_kev(path: str, text: bytes) -> Kev:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        message = _("malformed JSON: {error}").format(error=json_reason(exc))
        raise fail(path, exc.lineno, exc.colno, message) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise fail(path, None, None, _("malformed JSON: {error}").format(error=exc)) from None
    if not isinstance(data, dict) or set(data) != TOP:
        keys = sorted(data) if isinstance(data, dict) else type(data).__name__
        raise _other_schema(path, 1, _("top-level keys {keys}").format(keys=keys))
    lines = _entry_lines(text)
    vulns = data["vulnerabilities"]
    if not isinstance(vulns, list) or data["count"] != len(vulns):
        raise _other_schema(
            path, 1, _("`count` {count!r} is not the number of entries").format(count=data["count"])
        )
    released = _date(path, 1, "dateReleased", data["dateReleased"])
    entries = [_entry(path, i, item, lines) for i, item in enumerate(vulns)]
    _plausible(path, released, entries)
    version = data["catalogVersion"]
    if not isinstance(version, str) or not isinstance(data["title"], str):
        raise _other_schema(path, 1, _("`catalogVersion` or `title` is not a string"))
    instant = _instant(data["dateReleased"], released)
    return Kev(path, version, released, tuple(entries), instant, _value_at(text, b"dateReleased"))


def _entry(path: str, index: int, item: object, lines: list[int]) -> KevEntry:
    line = lines[index] if index < len(lines) else 1
    if not isinstance(item, dict) or not ENTRY <= set(item) <= ENTRY | OPTIONAL:
        keys = sorted(item) if isinstance(item, dict) else type(item).__name__
        raise _other_schema(
            path, line, _("entry {index} has the keys {keys}").format(index=index, keys=keys)
        )
    if any(not isinstance(item[k], str) for k in ENTRY):
        raise _other_schema(
            path, line, _("entry {index} has a field that is not a string").format(index=index)
        )
    if not _CVE.match(item["cveID"]):
        raise fail(
            path,
            line,
            None,
            _("entry {index}: {cve!r} is not a CVE id").format(index=index, cve=item["cveID"]),
        )
    added = _date(path, line, "dateAdded", item["dateAdded"])
    return KevEntry(
        item["cveID"], item["vendorProject"], item["product"], item["vulnerabilityName"],
        added, line,
    )  # fmt: skip


def _plausible(path: str, released: str, entries: list[KevEntry]) -> None:
    """Entries a catalogue CISA released can hold: each CVE once (a second entry would give
    it a second `dateAdded`, and the rules one of the two), none added after the catalogue
    was released (a day of margin: `dateAdded` is CISA's calendar day, `dateReleased` UTC)."""
    first: dict[str, KevEntry] = {}
    latest = datetime.date.fromisoformat(released) + datetime.timedelta(days=1)
    for entry in entries:
        seen = first.setdefault(entry.cve, entry)
        if seen is not entry:
            raise fail(
                path,
                entry.line,
                None,
                _(
                    "{cve} is listed twice (line {line} and here): a catalogue CISA released "
                    "lists a CVE once; download it again from cisa.gov"
                ).format(cve=entry.cve, line=seen.line),
            )
        if datetime.date.fromisoformat(entry.date_added) > latest:
            raise fail(
                path,
                entry.line,
                None,
                _(
                    "{cve} was added on {added}, after the catalogue's release on {released} "
                    "(`dateReleased`): a catalogue lists no entry from its future; download "
                    "it again from cisa.gov"
                ).format(cve=entry.cve, added=entry.date_added, released=released),
            )


def _instant(value: object, day: str) -> datetime.datetime:
    """When the catalogue was released, in UTC: its `dateReleased` timestamp
    (``2026-11-26T17:02:11.0000Z``, CISA's format with four fractional digits), or the start
    of its day when the time cannot be read."""
    text = str(value)
    match = re.match(r"^\d{4}-\d{2}-\d{2}T(\d{2}):(\d{2}):(\d{2})", text)
    start = datetime.datetime.fromisoformat(day).replace(tzinfo=datetime.UTC)
    if match is None or not text.endswith("Z"):
        return start  # a bare day, or a time in another zone: the day is all that is sure
    hours, minutes, seconds = (int(g) for g in match.groups())
    try:
        return start.replace(hour=hours, minute=minutes, second=seconds)
    except ValueError:
        return start


def _value_at(text: bytes, key: bytes) -> tuple[int, int]:
    """Line and column (1-based) of the value of the first ``"key":`` in ``text``."""
    match = re.search(rb'"' + re.escape(key) + rb'"\s*:\s*', text)
    if match is None:
        return (1, 1)
    start = text.rfind(b"\n", 0, match.end()) + 1
    line = text.count(b"\n", 0, match.end()) + 1
    return (line, len(text[start : match.end()].decode("utf-8", "replace")) + 1)


def _entry_lines(text: bytes) -> list[int]:
    """The line of each entry's ``cveID`` (entries are objects in order, one cveID each)."""
    out, line, pos = [], 1, 0
    for match in re.finditer(rb'"cveID"\s*:', text):
        line += text.count(b"\n", pos, match.start())
        pos = match.start()
        out.append(line)
    return out


def _date(path: str, line: int, key: str, value: object) -> str:
    """A YYYY-MM-DD date; ``dateReleased`` is a timestamp (2026-11-26T17:02:11.0000Z): its day."""
    text = str(value)
    if len(text) > 10 and text[10] == "T":
        text = text[:10]
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise fail(
            path,
            line,
            None,
            _("`{key}` {value!r} is not a YYYY-MM-DD date").format(key=key, value=value),
        ) from None


def _other_schema(path: str, line: int, what: str) -> InputError:
    return fail(
        path,
        line,
        None,
        _(
            "not the CISA KEV catalogue schema hdsguard reads ({what}); expected {top} with "
            "entries of {entry}: download the catalogue again from cisa.gov "
            "(known_exploited_vulnerabilities.json) or upgrade hdsguard"
        ).format(what=what, top=sorted(TOP), entry=sorted(ENTRY)),
    )
