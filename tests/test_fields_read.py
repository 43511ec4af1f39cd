"""Every field the declaration schema collects is read by a built-in policy, or the schema
marks it informational and says why: a declared weakness that no rule reads is a false pass
waiting to happen (``mfa_remote: false`` passed every rule before issue 11).

The mechanism is deliberately simple. A field counts as read when its name appears in what a
built-in policy evaluates: a CEL expression (condition, applicable_if, warn_if, locate), a
``requires`` or ``field`` path, or the recipient field a partial adequacy decision names in
the reference data (read through ``is_adequate_for``). Messages do not count: quoting a value
is not deciding on it. Nor do the words of a string literal (``"admin"``) or the name of a
helper called (``kev_added(v)``, ``provider(id)``): a field that shares its name with a helper
was counted as read by every rule calling it. A field that no rule should decide on carries
``json_schema_extra={"x-informational": "why"}`` in the model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml
from pydantic import BaseModel

from hdsguard import data
from hdsguard.declarations.model import DeclarationFile, _unwrap
from tests.helpers import REPO

_EVALUATED = ("condition", "applicable_if", "warn_if", "locate")

# Fields a built-in policy reads through a helper function rather than by name in its CEL
# (the helper is named, so that a reader can check it).
READ_BY_HELPERS = {
    "sha256": "EVD-006, EVD-007: evidence.match matches a declared certificate by fingerprint",
    "kev_added": "PAT-003 reads a vulnerability's date of KEV listing through kev_added(v)",
    "addresses": "EVD-001, EVD-002, EVD-005 and the other evidence rules: evidence.match "
    "matches a service to the scanned hosts by its host and its declared addresses",
    "certifier": "HDS-001, HDS-002, HDS-003, VND-002, BKP-005 and the hosting chain read an HDS "
    "certificate's certifier through hds_flaws (policies.hdscert, the one definition)",
}
_NAME = re.compile(r"[a-z_][a-z0-9_]*")
# A CEL string literal, and a free function call (`provider(`, not `s.exists(`).
_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_CALL = re.compile(r"(?<![.\w])[a-z_][a-z0-9_]*\s*\(")


def _names(text: str) -> set[str]:
    """The names an expression reads: its identifiers, less string literals and the names of
    the functions it calls."""
    return set(_NAME.findall(_CALL.sub(" (", _LITERAL.sub(" ", text))))


def _expressions(policy: dict[str, Any]) -> Iterator[str]:
    for check in [policy, *policy.get("checks", [])]:
        for key in _EVALUATED:
            if isinstance(check.get(key), str):
                yield check[key]
        yield from [*check.get("requires", []), check.get("field") or ""]


def names_read() -> set[str]:
    names: set[str] = set()
    for path in sorted((REPO / "policies").glob("*.yaml")):
        policy = yaml.safe_load(path.read_text(encoding="utf-8"))
        for text in _expressions(policy):
            names.update(_names(text))
    names.update(READ_BY_HELPERS)
    for entry in data.load("countries")["adequacy"]:
        if entry.get("recipient_field"):
            names.add(entry["recipient_field"])
    return names


def fields(model: type[BaseModel], where: str = "") -> Iterator[tuple[str, str, Any]]:
    """(dotted place, field name as written, field info) of every field below the sections
    (a section itself is read by the rules that apply to it)."""
    if model is DeclarationFile:
        for name, info in model.model_fields.items():
            for sub in _models(info.annotation):
                yield from fields(sub, name)
        return
    for name, info in model.model_fields.items():
        key = info.alias or name
        place = f"{where}.{key}" if where else key
        yield place, key, info
        for sub in _models(info.annotation):
            yield from fields(sub, place)


def _models(annotation: Any) -> Iterator[type[BaseModel]]:
    inner = _unwrap(annotation)
    args = getattr(inner, "__args__", ())
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        yield inner
    for arg in args:
        yield from _models(arg)


def informational(info: Any) -> str | None:
    extra = info.json_schema_extra
    return extra.get("x-informational") if isinstance(extra, dict) else None


def test_every_declaration_field_is_read_or_informational() -> None:
    read = names_read()
    unread = sorted(
        place
        for place, key, info in fields(DeclarationFile)
        if key not in read and not informational(info)
    )
    assert unread == [], (
        "fields no built-in policy reads: write the rule, or mark the field informational "
        f"(json_schema_extra={{'x-informational': 'why'}}): {unread}"
    )


def test_informational_fields_say_why() -> None:
    for place, _key, info in fields(DeclarationFile):
        reason = informational(info)
        if reason is not None:
            assert len(reason) > 20, place


def test_the_scan_would_catch_an_unread_field() -> None:
    # The weaknesses of issue 11 are read now; a name no policy uses is not.
    read = names_read()
    assert {
        "mfa_remote",
        "audit_right",
        "reversibility",
        "remote_access_traces_centralised",
    } <= read
    assert {"dpf_certified", "transfer_frequency", "vulnerabilities_reviewed", "peers"} <= read
    assert "certainly_not_a_field" not in read
    # Neither a string literal nor a helper's name reads a field.
    assert {"site_to_site", "ransomware", "is_placeholder", "health_data_at"}.isdisjoint(read)
    names = _names('self.?role.orValue("") == "admin" && provider(self.hosted_by) != null')
    assert {"role", "hosted_by"} <= names
    assert {"admin", "provider"}.isdisjoint(names)


# Fields whose name a rule of another section reads, and that no rule of their own section
# needs to read by name: each with the reason. A field that appears here without a reason
# that holds is a weakness read on one section and not on another (providers' and vendors'
# shared `contract` block: `patch_sla` was read on vendors only).
READ_FROM_ELSEWHERE = {
    "providers.dpf_certified": "HDS-007 reads it through is_adequate_for(), the recipient "
    "field of the partial US adequacy decision (data/countries.json)",
    "vendors.dpf_certified": "VND-003 reads it through is_adequate_for()",
    "vendors.subprocessors.dpf_certified": "VND-003 reads it through is_adequate_for()",
    "systems.id": "an identifier: provider, vendor and service rules look systems up by it",
    "systems.name": "a label quoted in messages; no decision rests on it",
    "systems.hosted_by": "read from the provider's side: HDS-001, HDS-002, HDS-006 and HDS-009 "
    "find the systems a provider hosts (systems_hosted_by(), health_data_at())",
    "services.id": "an identifier: EVD-001 and EVD-008 find services by host and port",
    "firewalls.id": "an identifier",
    "firewalls.rules.port": "FW-004 reads it through any_to_any_alone() and any_to_any() "
    "(policies/anytoany.py), one call per firewall",
    "certificates.id": "an identifier: services name their certificate by it (tls.certificate)",
    "certificates.sha256": READ_BY_HELPERS["sha256"],
    "services.addresses": READ_BY_HELPERS["addresses"],
}


def names_read_by_section() -> dict[str, set[str]]:
    """The names each section's own rules evaluate (as :func:`names_read`, per section)."""
    per: dict[str, set[str]] = {}
    for path in sorted((REPO / "policies").glob("*.yaml")):
        policy = yaml.safe_load(path.read_text(encoding="utf-8"))
        sections = policy["applies_to"]
        names = {n for text in _expressions(policy) for n in _names(text)}
        for section in [sections] if isinstance(sections, str) else sections:
            per.setdefault(section, set()).update(names)
    return per


def test_every_field_is_read_on_its_own_section() -> None:
    """A name read on one section does not read the same name on another: a provider's
    `contract.patch_sla` was unread while VND-008 read the vendors' (engineer A2's audit)."""
    per, read = names_read_by_section(), names_read()
    elsewhere = {
        place
        for place, key, info in fields(DeclarationFile)
        if "." in place
        and not informational(info)
        and key in read
        and key not in per.get(place.split(".")[0], set())
    }
    assert elsewhere == set(READ_FROM_ELSEWHERE), (
        "fields read on another section only: read them on their own (or say why not, in "
        f"READ_FROM_ELSEWHERE): {sorted(elsewhere - set(READ_FROM_ELSEWHERE))}; listed but "
        f"now read: {sorted(set(READ_FROM_ELSEWHERE) - elsewhere)}"
    )
