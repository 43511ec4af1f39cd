"""Placeholders: what people write in a text field they have not filled in.

Shared by the CEL helper ``is_placeholder`` (``policies.celenv``) and the rules that read an
e-mail address or a name. The helper is called, never rewritten into CEL: the rewrite that
spared a long text its call matched a pattern, which cel-expr-python compiles at each
evaluation (109 µs against 6 µs for the call; ``tests/test_inline.py``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

# What people write in a text field they have not filled in, in English and French: such a
# value names no certificate, no person, no law (a certificate number "N/A" or an owner "TBD"
# passed the rules that asked for them). Compared case-folded, without accents, with the
# spaces collapsed and the punctuation around it aside.
PLACEHOLDERS = frozenset(
    {
        "", "n/a", "na", "n.a", "n/c", "nc", "tbd", "tbc", "todo", "to do", "none", "null",
        "nil", "unknown", "not applicable", "pending", "x", "xx", "xxx",
        "a definir", "a completer", "a confirmer", "inconnu", "neant", "aucun", "aucune",
        "non applicable", "sans objet", "en cours", "non communique",
    }
)  # fmt: skip


@lru_cache(maxsize=4096)
def is_placeholder(text: str) -> bool:
    """Whether ``text`` is blank or a placeholder (``N/A``, ``TBD``, ``à définir``, ``-``…)
    rather than a value: a rule asking for a name, a number or a reference reads it as not
    declared. Cached: the rules ask it of the same owners, names and firewall rule sides
    over and over (32,000 calls at 10k objects)."""
    if text.isascii():  # nothing to decompose, no accent to drop
        plain = text
    else:
        import unicodedata

        decomposed = unicodedata.normalize("NFKD", text)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    key = " ".join(plain.casefold().split()).strip(" .,;:!?-_*()[]\"'`")
    return key in PLACEHOLDERS


# A CVE id: the year, then a number (CVE-2024-3400, CVE-2021-44228); any case, as people copy
# them from advisories. MITRE writes four digits or more, but a shorter number is still a
# number (test data writes CVE-2026-1): only letters or nothing where the digits go
# (CVE-XXXX, CVE-2024-xxxx, CVE-24-3400) are the form of an id without one.
_CVE_ID = re.compile(r"CVE-\d{4}-\d+", re.IGNORECASE)


def vulnerability_id_flaw(text: str) -> str:
    """Why ``text`` names no vulnerability, as a code: ``placeholder`` (``TBD``, ``N/A``,
    blank), ``malformed_cve`` (``CVE-XXXX``, ``CVE-2024-xxxx``: the form of a CVE id without
    one), or "" for an id. Any other id is accepted (``GHSA-…``, a vendor's advisory id such
    as ``FG-IR-24-015``): a flaw without a CVE has only those, and the KEV catalogue cannot
    list it (PAT-003)."""
    if is_placeholder(text):
        return "placeholder"
    plain = text.strip()
    if plain[:3].upper() == "CVE" and not _CVE_ID.fullmatch(plain):
        return "malformed_cve"
    return ""


# A CVE id without its prefix, as some scanners' reports print it (2024-3400).
_BARE_CVE = re.compile(r"\d{4}-\d+")


def cve_key(cve: object) -> str:
    """A declared ``cve`` as the KEV catalogue spells its ids (upper case, no spaces around,
    the ``CVE-`` prefix): ``cve-2024-3400`` and ``2024-3400`` are the catalogue's
    CVE-2024-3400."""
    text = str(cve).strip().upper()
    return f"CVE-{text}" if _BARE_CVE.fullmatch(text) else text


_CVE_YEAR = re.compile(r"CVE-([0-9]{4})-[0-9]+")


def cve_year(cve: object) -> int:
    """The year of a declared ``cve`` spelt as :func:`cve_key` spells it (``CVE-2026-1234``:
    2026), 0 when it is not a CVE id. PAT-002 and PAT-003 compare it with the `published`
    year in one call, where a ``matches`` in CEL compiled its pattern at each evaluation."""
    found = _CVE_YEAR.fullmatch(cve_key(cve))
    return int(found.group(1)) if found else 0


def published_contradicted_by(vulnerability: Mapping[str, object], fields: list[str]) -> bool:
    """Whether one of ``fields`` of a declared vulnerability contradicts its ``published``
    date: ``kev_added`` lying before it (CISA lists a flaw after its publication, never
    before), ``cve`` an id of a later year (:func:`cve_year`). PAT-002 and PAT-003 warn on
    them; ``policies.inline`` compiles a call into those tests written in CEL."""
    if not isinstance(vulnerability, Mapping) or not set(fields) <= {"kev_added", "cve"}:
        raise TypeError("published_contradicted_by(vulnerability, ['kev_added', 'cve'])")
    published = vulnerability.get("published")
    return published is not None and any(
        _contradicts(published, field, vulnerability.get(field)) for field in fields
    )


def _contradicts(published: object, field: str, value: object) -> bool:
    if value is None:
        return False
    if field == "kev_added":
        return str(value) < str(published)
    if not isinstance(value, str) or len(str(published)) < 4:  # CEL's errors
        raise TypeError(f"no year in `published` {published!r} or `cve` {value!r}")
    return cve_year(value) > int(str(published)[:4])
