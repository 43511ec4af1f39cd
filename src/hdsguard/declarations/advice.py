"""What to write instead: validation errors turned into the fix a person can type.

A pattern error names the form and gives a valid value made from the wrong one (an id made
from free text; countries have their own validator with the same kind of hint); an enum error
with the right word in the wrong case says ``write `rdp```; a list item pasted under the wrong
section gives one message naming the section it belongs to, instead of one "unknown key" per
field. Every sentence is a constant here, in one place, for translation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from hdsguard.i18n import N_, _

if TYPE_CHECKING:
    from pydantic import BaseModel

ID_PATTERN = "^[a-z0-9][a-z0-9._-]*$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+$"
# "any", "all" or "*" in any case (firewall exports write each: Fortinet's service ALL, a
# "*" column), or a range: every spelling of FW-004's `any_port_values` that is not a range.
RULE_PORT_PATTERN = r"^([Aa][Nn][Yy]|[Aa][Ll][Ll]|\*|[0-9]{1,5}-[0-9]{1,5})$"

MSG_ID = N_(
    "'{got}' is not a valid id: an id is lower case letters, digits, '.', '_' and '-', "
    "starting with a letter or a digit; write `{fix}`"
)
MSG_EMAIL = N_("'{got}' is not an e-mail address: write one such as `rssi@example.org`")
MSG_RULE_PORT = N_(
    "'{got}' is not a port: write a port number (`443`), a range (`8000-8080`), or `any` "
    "(or leave `port` out) for every port"
)
MSG_QUOTED_PORT = N_("'{got}' is quoted: a port number is written without quotes, `{got}`")
MSG_PORT_RANGE = N_(
    "{got} is not a port: a port number runs from 1 to 65535; write one (`443`), a range "
    "(`8000-8080`), or `any` (or leave `port` out) for every port"
)
MSG_BAD_RANGE = N_(
    "'{got}' is not a port range: its ends run from 0 to 65535, the first no greater than "
    "the second; write one such as `8000-8080`, or `any` (or leave `port` out) for every port"
)
MSG_ZERO_RANGE = N_(
    "'{got}' is not a port range: port 0 is no destination port, so it allows none; write "
    "the ports it allows, from 1 to 65535 (`8000-8080`), or `any` (or leave `port` out) for "
    "every port"
)
MSG_PATTERN = N_("'{got}' does not have the expected form (it must match `{pattern}`)")
MSG_CASE = N_("invalid value '{got}': write `{fix}` (lower case)")
MSG_CHOICES = N_("invalid value '{got}': write one of {choices}")
MSG_CLOSE = N_("; did you mean `{close}`?")
MSG_MISPLACED = N_(
    "this looks like {item} ({keys} are fields of {section}), not {here}; "
    "{section} go under `{section}:`"
)

# A single key written in the wrong section (`mfa_admin:` under `logging:`), when it is a
# field of the top level of other sections and no spelling is close in its own.
MSG_FIELD_ELSEWHERE = N_("; `{key}` belongs to {place}, not to {here}: move it there")
MSG_FIELD_ELSEWHERE_2 = N_(
    "; `{key}` belongs to {place} or to {other}, not to {here}: move it to the right one"
)
MSG_FIELD_OF_ITEMS = N_("the items of `{section}`")

# How one item of each list section is called in messages, with its article.
SINGULAR = {
    "providers": N_("a provider"),
    "systems": N_("a system"),
    "services": N_("a service"),
    "firewalls": N_("a firewall"),
    "vendors": N_("a vendor"),
    "certificates": N_("a certificate"),
}


def pattern_message(pattern: str, got: str) -> str:
    """What is wrong with ``got`` for ``pattern``, and what to write instead."""
    if pattern == ID_PATTERN:
        return _(MSG_ID).format(got=got, fix=make_id(got))
    if pattern == EMAIL_PATTERN:
        return _(MSG_EMAIL).format(got=got)
    if pattern == RULE_PORT_PATTERN:
        if re.fullmatch(r"-?[0-9]+", got):
            # A quoted number out of range would be refused once unquoted too: say so now.
            quoted = 1 <= int(got) <= 65535
            return _(MSG_QUOTED_PORT if quoted else MSG_PORT_RANGE).format(got=got)
        return _(MSG_RULE_PORT).format(got=got)
    return _(MSG_PATTERN).format(got=got, pattern=pattern)


def port_range_problem(text: str) -> str | None:
    """What is wrong with a firewall rule's port range of the right form (``0-70000``,
    ``8080-8000``), or None for ``any`` and a range that makes sense."""
    low, sep, high = text.partition("-")
    if not sep or not (re.fullmatch("[0-9]+", low) and re.fullmatch("[0-9]+", high)):
        return None
    if int(high) > 65535 or int(low) > int(high):
        return _(MSG_BAD_RANGE).format(got=text)
    if int(high) == 0:
        # Port 0 alone is refused as no port (1 to 65535); as the low end of a range it is
        # read as the range from 1 (`0-65535`, every port): `0-0` named no port, yet passed.
        return _(MSG_ZERO_RANGE).format(got=text)
    return None


def make_id(text: str) -> str:
    """A valid id close to ``text``: ``Tana Transcription`` -> ``tana-transcription``."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    made = re.sub(r"[^a-z0-9._-]+", "-", plain).strip("-._")
    return made or "item-1"


def choice_message(got: str, options: Sequence[str]) -> str:
    """``write `rdp``` for ``RDP``; else the allowed values, with the closest one."""
    same = [o for o in options if o.lower() == got.strip().lower()]
    if same:
        return _(MSG_CASE).format(got=got, fix=same[0])
    choices = ", ".join(f"`{o}`" for o in options)
    message = _(MSG_CHOICES).format(got=got, choices=choices)
    close = closest_choice(got, options)
    return message + (_(MSG_CLOSE).format(close=close) if close else "")


def closest_choice(got: str, options: Sequence[str]) -> str | None:
    """The option ``got`` most likely means: the same word in another case, a French or
    everyday word for it (`clinique`, `ehpad`, `hebergeur`), else the closest by its letters;
    None when nothing is close."""
    import difflib

    same = [o for o in options if o.lower() == got.strip().lower()]
    meant = WORDS_FOR.get(_plain(got), "")
    if same or meant in options:
        return same[0] if same else meant
    close = difflib.get_close_matches(got.lower(), list(options), n=1)
    return close[0] if close else None


# What French (and a few everyday) words name in the vocabulary, as users write them: an
# EHPAD is a medico-social establishment, and `ehpad` is close to no value by its letters.
# Used only where the value is one of the field's options.
WORDS_FOR = {
    "ehpad": "medico_social", "ssiad": "medico_social", "esms": "medico_social",
    "medico-social": "medico_social", "medicosocial": "medico_social",
    "laboratoire": "medical_laboratory", "labo": "medical_laboratory",
    "lbm": "medical_laboratory", "laboratory": "medical_laboratory",
    "chu": "hospital", "ch": "hospital", "hopital": "hospital", "chru": "hospital",
    "clinique": "clinic", "imagerie": "imaging_centre", "radiologie": "imaging_centre",
    "cabinet": "other", "editeur": "health_software_vendor",
    "sauvegarde": "backup", "infogerance": "managed_services",
    "interne": "internal", "partenaire": "partner",
    "aucune": "none", "aucun": "none", "mot de passe": "password", "certificat": "certificate",
    "cle": "key", "anonyme": "anonymous",
    "critique": "critical", "elevee": "high", "haute": "high", "moyenne": "medium",
    "faible": "low", "basse": "low",
    "autoriser": "allow", "refuser": "deny", "interdire": "deny",
    # `hdsguard init --hosting` and `--ci`
    "locaux": "premises", "sur site": "premises", "sur place": "premises",
    "hebergeur": "provider", "prestataire": "provider", "fournisseur": "provider",
}  # fmt: skip


def _plain(text: str) -> str:
    """``text`` lower-cased, without accents or surrounding blanks: `Élevée` -> `elevee`."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return decomposed.encode("ascii", "ignore").decode().lower()


def misplaced_section(
    data: Any, container: tuple[str | int, ...], unknown: Sequence[str], model: type[BaseModel]
) -> str | None:
    """When the keys of the mapping at ``container`` belong to another list section's items,
    the message that says so; else None (the unknown keys are reported one by one)."""
    from hdsguard.declarations.model import field_names

    if len(unknown) < 2 or not container or not isinstance(container[0], str):
        return None
    node = _at(data, container)
    if not isinstance(node, dict):
        return None
    keys = {str(k) for k in node}
    here = container[0]
    fits = [
        section
        for section in SINGULAR
        if section != here and keys <= set(field_names(model, [section, 0]))
    ]
    if len(fits) != 1:
        return None
    section = fits[0]
    where = _(SINGULAR[here]) if here in SINGULAR else f"`{here}`"
    shown = ", ".join(f"`{k}`" for k in unknown)
    return _(MSG_MISPLACED).format(
        item=_(SINGULAR[section]), keys=shown, section=section, here=where
    )


def _at(data: Any, path: tuple[str | int, ...]) -> Any:
    node = data
    for step in path:
        in_list = isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        if in_list or (isinstance(node, dict) and step in node):
            node = node[step]
        else:
            return None
    return node


def field_elsewhere(container: tuple[str | int, ...], key: str, model: type[BaseModel]) -> str:
    """``"; `mfa_admin` belongs to `identity`, not to `logging`: move it there"`` when
    ``key``, unknown at the top of the section object at ``container`` (a singleton, or an
    item of a list section), is a field at the top of other sections; else ``""``.

    A field pasted under the neighbouring section is the mistake a person makes when several
    sections share a file; "expected one of: …" lists what the section holds, not where the
    key belongs."""
    from hdsguard.declarations.model import field_names
    from hdsguard.declarations.sections import SECTIONS

    if not container or not isinstance(container[0], str) or container[0] not in SECTIONS:
        return ""
    here = container[0]
    if len(container) != (1 if SECTIONS[here] else 2):
        return ""  # deeper (a `backup` block, a contract): the key's place is less certain
    places = [
        f"`{section}`" if one else _(MSG_FIELD_OF_ITEMS).format(section=section)
        for section, one in SECTIONS.items()
        if section != here and key in field_names(model, [section] if one else [section, 0])
    ]
    if not places or len(places) > 2:
        return ""  # a name most sections have (`name`, `notes`) says nothing of where it goes
    shown_here = f"`{here}`" if SECTIONS[here] else _(MSG_FIELD_OF_ITEMS).format(section=here)
    if len(places) == 2:
        return _(MSG_FIELD_ELSEWHERE_2).format(
            key=key, place=places[0], other=places[1], here=shown_here
        )
    return _(MSG_FIELD_ELSEWHERE).format(key=key, place=places[0], here=shown_here)
