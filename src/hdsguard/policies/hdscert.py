"""The one definition of "holds a real HDS certificate on the evaluation date".

Every rule that reads an HDS certificate, the holder's own (HDS-001 to HDS-003, VND-002) or
another's it leans on (a vendor's host in VND-002, a backup provider in BKP-005, the hosting
chain beneath a certificate holder in ``activities_needed``), asks this module, through the
CEL helpers ``hds_flaws`` / ``hds_flaw_text`` (and their ``provider_…`` forms): a copy per
rule let a self-certified host fail HDS-001 yet lend its activities to HDS-002 and pass
VND-002 and BKP-005 (found by HB).

A certificate counts when it is declared (``hds``), has a number that is not blank or a
placeholder, a last valid day (``valid_until``) not past and a first one (``valid_from``, when
declared) reached, and a certifier (``hds.certifier``) that is neither a placeholder nor the
holder itself: HDS certificates are issued by accredited bodies, and the ANS list of certified
hosts names the certifier of each. A certificate that names no certifier is missing evidence
(domain.md, section 3: a missing field a rule needs is reported as missing evidence); it
counted until session 17 (found by HB). Whether the body named is accredited cannot be checked
offline: EVD-010 compares the declaration with the ANS registry.
"""

from __future__ import annotations

import datetime
import unicodedata
from typing import Any

from hdsguard import i18n, l10n
from hdsguard.isodate import declared_day
from hdsguard.policies.placeholders import is_placeholder

# Why a certificate does not count, in the order a reader fixes them (and HDS-001's checks
# read them): no certificate, no number, no end date, outside its dates, no real certifier.
FLAWS = (
    "absent",
    "certificate_missing",
    "certificate_placeholder",
    "valid_until_missing",
    "expired",
    "not_yet_valid",
    "certifier_missing",
    "certifier_placeholder",
    "self_certified",
)


def _day(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return declared_day(value)
        except ValueError:
            return None
    return None


def same_name(a: str, b: str) -> bool:
    """Whether two names are the same name, as a reader sees them: Unicode-normalised (NFKC),
    case-folded and with their spaces collapsed ("MÉDI-INFRA" and "Médi-Infra")."""
    return _key(a) == _key(b) and _key(a) != ""


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


# Legal forms a registry appends to a holder's name ("OVH SAS" for a provider declared "OVH").
LEGAL_FORMS = (
    "sas", "sasu", "sa", "sarl", "eurl", "se", "sca", "snc", "gie", "gmbh", "ag", "ltd",
    "limited", "inc", "llc", "bv", "nv", "spa", "srl", "sl",
)  # fmt: skip


def same_holder(registry: str, declared: str) -> bool:
    """Whether the holder the ANS registry lists and a declared name are the same entity
    (EVD-010): the same name as :func:`same_name` reads them (case-folded, Unicode-normalised:
    EVD-010 lowercased ASCII only, so "MÉDI-INFRA" was another holder than "Médi-Infra"), or
    one is the other with a legal form after it ("OVH SAS", "OVH")."""
    held, named = _key(registry), _key(declared)
    return held == named or any(
        held == f"{named} {form}" or named == f"{held} {form}" for form in LEGAL_FORMS
    )


def flaws(holder: Any, as_of: datetime.date) -> list[str]:
    """Every reason (codes of :data:`FLAWS`, in that order) why ``holder`` (a provider or a
    vendor, as declared) holds no real HDS certificate on ``as_of``; [] when it holds one."""
    hds = holder.get("hds") if isinstance(holder, dict) else None
    if not isinstance(hds, dict):
        return ["absent"]
    found = []
    number = hds.get("certificate")
    if not isinstance(number, str):
        found.append("certificate_missing")
    elif is_placeholder(number):
        found.append("certificate_placeholder")
    until = _day(hds.get("valid_until"))
    if until is None:
        found.append("valid_until_missing")
    elif until < as_of:
        found.append("expired")
    since = _day(hds.get("valid_from"))
    if since is not None and since > as_of:
        found.append("not_yet_valid")
    certifier = hds.get("certifier")
    if not isinstance(certifier, str):
        found.append("certifier_missing")
    elif is_placeholder(certifier):
        found.append("certifier_placeholder")
    elif any(
        isinstance(own, str) and same_name(certifier, own)
        for own in (holder.get("name"), holder.get("id"))
    ):
        found.append("self_certified")
    return found


def explain(holder: Any, as_of: datetime.date) -> str:
    """Why ``holder``'s HDS certificate does not count, as a clause naming the holder and
    every reason, in the run's language ("" when it counts)."""
    codes = flaws(holder, as_of)
    if not codes:
        return ""
    hds = holder.get("hds") if isinstance(holder, dict) else None
    hds = hds if isinstance(hds, dict) else {}
    name = str(holder.get("name") or holder.get("id") or "?") if isinstance(holder, dict) else "?"
    number = hds.get("certificate")
    shown = number.strip() if isinstance(number, str) and not is_placeholder(number) else ""
    parts = [_reason(code, hds, shown, as_of) for code in codes]
    if codes == ["absent"]:
        return i18n._("{name} declares no HDS certificate (no `hds` block)").format(name=name)
    # French sets a space before a semicolon or a colon, as in the rules' own messages.
    reasons = (" ; " if i18n.current() == "fr" else "; ").join(parts)
    # "of AlpCloud", "d'AlpCloud": French elides its preposition before a vowel.
    of_name = l10n.of_name(name, i18n.current())
    if shown:
        return i18n._("HDS certificate {number} {of_name} does not count: {reasons}").format(
            number=shown, of_name=of_name, reasons=reasons
        )
    return i18n._("the HDS certificate {of_name} does not count: {reasons}").format(
        of_name=of_name, reasons=reasons
    )


def _reason(code: str, hds: dict[str, Any], number: str, as_of: datetime.date) -> str:
    now = as_of.isoformat()
    if code == "certificate_missing":
        return i18n._("it has no number (`hds.certificate` is not declared)")
    if code == "certificate_placeholder":
        value = str(hds.get("certificate", "")).strip()
        if not value:
            return i18n._("its number `hds.certificate` is blank")
        text = i18n._('its number `hds.certificate` is "{value}", a placeholder')
        return text.format(value=value)
    if code == "valid_until_missing":
        return i18n._("evidence missing: it gives no last valid day (`hds.valid_until`)")
    if code == "expired":
        until = _day(hds.get("valid_until")) or as_of
        days = (as_of - until).days
        return i18n.ngettext(
            "it expired on {date}, {n} day before {now}",
            "it expired on {date}, {n} days before {now}",
            days,
        ).format(date=until.isoformat(), n=days, now=now)
    if code == "not_yet_valid":
        since = _day(hds.get("valid_from")) or as_of
        days = (since - as_of).days
        return i18n.ngettext(
            "it is valid only from {date}, {n} day after {now}",
            "it is valid only from {date}, {n} days after {now}",
            days,
        ).format(date=since.isoformat(), n=days, now=now)
    if code == "certifier_missing":
        return i18n._(
            "evidence missing: it names no certifier (`hds.certifier` is not declared: write "
            "the accredited body printed on it and in the ANS list of certified hosts, such as "
            "`certifier: LNE`)"
        )
    certifier = str(hds.get("certifier", "")).strip()
    if code == "certifier_placeholder":
        return i18n._(
            "certifier `{certifier}` is a placeholder, naming no accredited certification body"
        ).format(certifier=certifier)
    # self_certified
    return i18n._(
        "certified by itself (`hds.certifier` is `{certifier}`, its holder; an HDS certificate "
        "is issued by an accredited certification body, never by its holder)"
    ).format(certifier=certifier)
