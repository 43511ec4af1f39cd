"""Dated reference data used by the rules, with typed accessors.

Every list that changes over time (countries, adequacy decisions, certificate lifetimes, ...)
lives in a JSON file next to this module, with an ``as_of`` date and its ``sources``; rules
never hard-code it. See ``docs/data.md`` for what each file holds and how to update it.

Nothing is read at import time: each file is parsed on first use and cached for the life of
the process (this runs in a pre-commit hook, so start-up cost matters). Accessors return
immutable containers (``frozenset``, ``tuple``) or fresh ``dict`` copies, except :func:`load`,
whose raw ``dict`` is shared and must not be mutated.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "activity_name",
    "adequacy_recipient_field",
    "adequacy_recipient_fields",
    "adequacy_scope",
    "adequate",
    "adequate_for",
    "alpha2_of_alpha3",
    "cabf_max_lifetime",
    "cleartext_on_port",
    "cleartext_protocols",
    "cleartext_without_tls",
    "country_codes",
    "country_name",
    "data_files",
    "data_versions",
    "eea",
    "eea_territories",
    "explicit_tls_protocols",
    "high_risk_protocols",
    "in_eea",
    "is_sha2_signature",
    "is_weak_signature",
    "load",
    "regulatory_date",
    "remote_access_protocols",
    "required_activities",
    "service_activities",
    "tls_protocols",
    "tls_version_rank",
    "tls_versions",
    "well_known_port",
]

_PACKAGE = "hdsguard.data"
_NAME_RE = re.compile(r"^[a-z0-9_]+$")
_OID_RE = re.compile(r"^[0-9]+(\.[0-9]+)+$")
_NON_ALNUM_RE = re.compile(r"[^a-z0-9]")


# --------------------------------------------------------------------------- raw files


def _package_dir() -> Path:
    # The JSON files sit beside this module in the wheel and in a checkout; a plain path
    # avoids importlib.resources (~8 ms per run, paid by every pre-commit invocation).
    return Path(__file__).resolve().parent


def _stem(name: str) -> str:
    stem = name.removesuffix(".json")
    if not _NAME_RE.fullmatch(stem):
        raise ValueError(f"invalid data file name: {name!r}")
    return stem


@cache
def _load_stem(stem: str) -> dict[str, Any]:
    import json

    resource = _package_dir().joinpath(f"{stem}.json")
    if not resource.is_file():
        raise FileNotFoundError(f"no data file named {stem!r} in {_PACKAGE}")
    data = json.loads(resource.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("as_of"), str):
        raise ValueError(f"data file {stem}.json must be a JSON object with an 'as_of' date")
    return data


def load(name: str) -> dict[str, Any]:
    """Return the parsed content of data file ``name`` (``"countries"`` or ``"countries.json"``).

    The result is cached and shared: do not mutate it.
    """
    return _load_stem(_stem(name))


@cache
def data_files() -> tuple[str, ...]:
    """Stems of all data files shipped with the package, sorted."""
    return tuple(
        sorted(
            entry.name.removesuffix(".json")
            for entry in _package_dir().iterdir()
            if entry.name.endswith(".json") and entry.is_file()
        )
    )


def data_versions() -> dict[str, str]:
    """Map each data file stem to its ``as_of`` date (ISO string), for reports."""
    return {stem: str(load(stem)["as_of"]) for stem in data_files()}


# --------------------------------------------------------------------------- countries


@cache
def _country_names() -> dict[str, str]:
    return {str(e["code"]): str(e["name"]) for e in load("countries")["iso3166_alpha2"]}


def country_codes() -> frozenset[str]:
    """All officially assigned ISO 3166-1 alpha-2 codes (upper case)."""
    return frozenset(_country_names())


def country_name(code: str) -> str | None:
    """English short name of an ISO 3166-1 alpha-2 code, or ``None`` if it is not assigned."""
    return _country_names().get(code)


@cache
def _alpha3() -> dict[str, str]:
    return {str(e["alpha3"]): str(e["code"]) for e in load("countries")["iso3166_alpha2"]}


def alpha2_of_alpha3(code: str) -> str | None:
    """The alpha-2 code of an ISO 3166-1 alpha-3 code (``FRA`` -> ``FR``), or ``None``."""
    return _alpha3().get(code)


@cache
def eea() -> frozenset[str]:
    """The 30 EEA states: EU-27 plus Iceland, Liechtenstein and Norway."""
    return frozenset(str(c) for c in load("countries")["eea"])


@cache
def eea_territories() -> frozenset[str]:
    """Codes of territories that are in the EU but have their own ISO code (RE, GP, AX, ...)."""
    return frozenset(str(c) for c in load("countries")["eea_territories"])


def in_eea(code: str) -> bool:
    """True when data stored in ``code`` is stored in the EEA (states and their EU territories)."""
    return code in eea() or code in eea_territories()


@cache
def _adequacy() -> dict[str, str | None]:
    return {
        str(e["code"]): (None if e.get("scope") is None else str(e["scope"]))
        for e in load("countries")["adequacy"]
    }


def adequate() -> frozenset[str]:
    """Countries with a GDPR art. 45 adequacy decision (some partial: see adequacy_scope)."""
    return frozenset(_adequacy())


@cache
def _recipient_fields() -> dict[str, str]:
    return {
        str(e["code"]): str(e["recipient_field"])
        for e in load("countries")["adequacy"]
        if e.get("recipient_field")
    }


def adequacy_recipient_field(code: str) -> str | None:
    """The declaration field a recipient in ``code`` must set to true to be covered by a
    partial adequacy decision (``"dpf_certified"`` for the US), else ``None``."""
    return _recipient_fields().get(code)


def adequacy_recipient_fields() -> frozenset[str]:
    """Every declaration field a partial adequacy decision reads on a recipient: what
    :func:`adequate_for` (the helper ``is_adequate_for``) may read of the object it is given."""
    return frozenset(_recipient_fields().values())


def adequate_for(code: str, recipient: object) -> bool:
    """Whether a transfer to ``recipient`` (a provider, vendor or sub-processor mapping) in
    ``code`` is covered by an adequacy decision: the country has one and, when the decision
    is partial with a recipient field, the recipient declares that field true."""
    if code not in _adequacy():
        return False
    field = adequacy_recipient_field(code)
    return field is None or (isinstance(recipient, dict) and recipient.get(field) is True)


def adequacy_scope(code: str) -> str | None:
    """The limit of a partial adequacy decision (CA, JP, US), else ``None``.

    ``None`` also when ``code`` has no adequacy decision at all: test ``adequate()`` first.
    """
    return _adequacy().get(code)


# --------------------------------------------------------------------------- HDS activities


@cache
def _service_activities() -> dict[str, tuple[int, ...]]:
    raw = load("hds_activities")["service_activities"]
    return {str(k): tuple(sorted(int(n) for n in v)) for k, v in raw.items()}


def service_activities() -> dict[str, tuple[int, ...]]:
    """Design mapping [U] from what is bought from a provider to the HDS activities required.

    Keys are the ``providers[].services`` vocabulary. Returns a fresh copy.
    """
    return dict(_service_activities())


@cache
def _activity_names() -> dict[int, str]:
    return {int(a["number"]): str(a["name"]) for a in load("hds_activities")["activities"]}


@cache
def _activity_names_fr() -> dict[int, str]:
    return {int(a["number"]): str(a["name_fr"]) for a in load("hds_activities")["activities"]}


def activity_name(n: int, lang: str = "en") -> str:
    """Name of HDS activity ``n`` (1..6, CSP R.1111-8-8): the English summary, or with
    ``lang="fr"`` the short French label of the data file; ``KeyError`` otherwise."""
    try:
        return (_activity_names_fr() if lang == "fr" else _activity_names())[n]
    except KeyError:
        raise KeyError(f"no HDS activity {n!r} (activities are 1 to 6)") from None


def required_activities(services: Iterable[str]) -> tuple[int, ...]:
    """Sorted union of the activities required by ``services``; unknown names are ignored."""
    mapping = _service_activities()
    needed: set[int] = set()
    for service in services:
        needed.update(mapping.get(service, ()))
    return tuple(sorted(needed))


# --------------------------------------------------------------------------- protocols


@cache
def cleartext_protocols() -> frozenset[str]:
    """Protocols that carry credentials or data in clear (EXP-001)."""
    return frozenset(str(p) for p in load("protocols")["cleartext"])


@cache
def cleartext_without_tls() -> frozenset[str]:
    """Protocols in clear unless the service runs them over TLS (its ``tls`` block) (EXP-001)."""
    return frozenset(str(p) for p in load("protocols")["cleartext_without_tls"])


@cache
def explicit_tls_protocols() -> frozenset[str]:
    """Cleartext protocols that can upgrade a session to TLS on their own port (EXP-001)."""
    return frozenset(str(p) for p in load("protocols")["explicit_tls"])


@cache
def _cleartext_ports() -> dict[int, str]:
    ports = load("protocols")["well_known_ports"]
    return {int(ports[p]): p for p in sorted(cleartext_protocols()) if p in ports}


def cleartext_on_port(port: int) -> str:
    """The cleartext protocol whose well-known port ``port`` is (``ftp`` for 21), or ""."""
    return _cleartext_ports().get(port, "")


@cache
def _nmap_cleartext() -> dict[str, str]:
    return {str(k): str(v) for k, v in load("protocols")["nmap_cleartext"].items()}


def observed_cleartext(service: str, tunnel: str) -> str:
    """The cleartext protocol of the vocabulary that a service nmap named ``service`` and
    reached through ``tunnel`` ("ssl", or "" for none) speaks; "" when it is not one (through
    TLS, or a name that is no cleartext protocol) (EVD-011)."""
    return "" if tunnel else _nmap_cleartext().get(service, "")


@cache
def _transports() -> dict[str, tuple[str, ...]]:
    raw = load("protocols")
    out: dict[str, tuple[str, ...]] = {str(p): ("udp",) for p in raw["udp"]}
    out.update({str(p): ("tcp", "udp") for p in raw["tcp_or_udp"]})
    return out


def transports(protocol: str) -> tuple[str, ...]:
    """The transports ``protocol`` (the services[].protocol vocabulary) runs on: ("udp",),
    ("tcp", "udp") or, for every other name, ("tcp",). A scan covers a service only through
    the port ranges of its transport (EVD-002, EVD-005, EVD-013)."""
    return _transports().get(protocol, ("tcp",))


@cache
def high_risk_protocols() -> frozenset[str]:
    """Protocols that must never be directly on the Internet (EXP-003)."""
    return frozenset(str(p) for p in load("protocols")["high_risk"])


@cache
def remote_access_protocols() -> frozenset[str]:
    """Protocols that give remote access into the organisation (EXP-005)."""
    return frozenset(str(p) for p in load("protocols")["remote_access"])


@cache
def tls_protocols() -> frozenset[str]:
    """Protocols that are TLS by definition and must declare ``tls``."""
    return frozenset(str(p) for p in load("protocols")["tls_protocols"])


@cache
def tls_versions() -> tuple[str, ...]:
    """Known TLS versions, oldest first."""
    return tuple(str(v) for v in load("protocols")["tls_versions"])


def tls_version_rank(v: str) -> int | None:
    """Position of TLS version ``v`` (``"1.0"`` → 0 ... ``"1.3"`` → 3), ``None`` if unknown."""
    versions = tls_versions()
    return versions.index(v) if v in versions else None


def well_known_port(protocol: str) -> int | None:
    """IANA default port of ``protocol``, or ``None``."""
    port = load("protocols")["well_known_ports"].get(protocol)
    return None if port is None else int(port)


# --------------------------------------------------------------------------- certificates


@cache
def _cabf_schedule() -> tuple[int, tuple[tuple[datetime.date, int], ...]]:
    """(max days before the first dated step, ((from, max days), ...) in ascending order)."""
    entries = load("cabf_lifetimes")["schedule"]
    if not entries or entries[0]["from"] is not None:
        raise ValueError("cabf_lifetimes.json: the schedule must start with 'from': null")
    steps = tuple(
        (datetime.date.fromisoformat(str(e["from"])), int(e["max_days"])) for e in entries[1:]
    )
    if [d for d, _ in steps] != sorted(d for d, _ in steps):
        raise ValueError("cabf_lifetimes.json: the schedule must be ordered by date")
    return int(entries[0]["max_days"]), steps


def cabf_max_lifetime(issued: datetime.date) -> int:
    """Maximum validity in days (CA/B Forum BR 6.3.2) of a public TLS cert issued on ``issued``."""
    if isinstance(issued, datetime.datetime):
        issued = issued.date()
    result, steps = _cabf_schedule()
    for start, max_days in steps:
        if issued >= start:
            result = max_days
    return result


@cache
def _signature_sets() -> tuple[frozenset[str], frozenset[str], re.Pattern[str], re.Pattern[str]]:
    raw = load("signature_algorithms")
    patterns = raw["hash_patterns"]
    return (
        frozenset(_normalise_alg(str(a)) for a in raw["strong"]),
        frozenset(_normalise_alg(str(a)) for a in raw["weak"]),
        re.compile(str(patterns["sha2"])),
        re.compile(str(patterns["weak"])),
    )


def _normalise_alg(alg: str) -> str:
    alg = alg.strip()
    if _OID_RE.fullmatch(alg):
        return alg
    return _NON_ALNUM_RE.sub("", alg.lower())


def _is_oid(normalised: str) -> bool:
    return "." in normalised


def is_weak_signature(alg: str) -> bool:
    """True for known weak signature algorithms (MD2/MD4/MD5, SHA-1, SHA-0)."""
    norm = _normalise_alg(alg)
    _, weak, _, weak_re = _signature_sets()
    if norm in weak:
        return True
    return bool(norm) and not _is_oid(norm) and weak_re.search(norm) is not None


def is_sha2_signature(alg: str) -> bool:
    """True when ``alg`` signs with a SHA-2 hash (or EdDSA); tolerant of spelling.

    ``"sha256WithRSAEncryption"``, ``"SHA256-RSA"``, ``"sha256RSA"``, ``"RSA-SHA256"``,
    ``"ecdsa-with-SHA384"``, ``"Ed25519"`` and the matching OIDs are all accepted.
    """
    if is_weak_signature(alg):
        return False
    norm = _normalise_alg(alg)
    strong, _, sha2_re, _ = _signature_sets()
    if norm in strong:
        return True
    return bool(norm) and not _is_oid(norm) and sha2_re.search(norm) is not None


# --------------------------------------------------------------------------- regulatory dates


def regulatory_date(key: str) -> datetime.date:
    """A dated regulatory fact (e.g. ``"hds_v2_deadline"``); ``KeyError`` if unknown."""
    dates = load("regulatory")["dates"]
    if key not in dates:
        raise KeyError(f"no regulatory date {key!r} (known: {', '.join(sorted(dates))})")
    return datetime.date.fromisoformat(str(dates[key]["date"]))
