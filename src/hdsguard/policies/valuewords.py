"""Declared values in prose: ``via: direct`` reads "directly", ``audit_kind: on_site``
"on-site audit".

A message that quotes an enumerated value as it is declared ("(port 21, via direct)",
"exposition internal") reads as code, in French above all. The CEL helper
``worded(field, value)`` gives the words of the run's language for a value of one of the
fields below; a value it does not know is quoted as it is. A message that asks the user to
edit a field keeps the field and its value in backticks (`` `via: direct` ``): those are
what the user types.
"""

from __future__ import annotations

from hdsguard.i18n import N_, _

WORDS: dict[str, dict[str, str]] = {
    # Adverbial: "exposed directly", "publish it only through a VPN or through a bastion".
    "via": {
        "direct": N_("directly"),
        "vpn": N_("through a VPN"),
        "reverse_proxy": N_("through a reverse proxy"),
        "bastion": N_("through a bastion"),
    },
    # After "the service is".
    "exposure": {
        "internet": N_("exposed to the Internet"),
        "partner": N_("exposed to partners"),
        "internal": N_("reachable only from the internal network"),
    },
    # A noun phrase with its article: "the organisation is a medical laboratory".
    "kind": {
        "hospital": N_("a hospital"),
        "ght": N_("a hospital group (GHT)"),
        "clinic": N_("a clinic"),
        "medical_laboratory": N_("a medical laboratory"),
        "imaging_centre": N_("an imaging centre"),
        "medico_social": N_("a medico-social establishment"),
        "health_software_vendor": N_("a health software vendor"),
        "other": N_("an organisation of another kind"),
    },
    # After "covered by": "transfers to … are covered by standard contractual clauses".
    "transfer_mechanism": {
        "adequacy": N_("an adequacy decision"),
        "scc": N_("standard contractual clauses (`scc`)"),
        "bcr": N_("binding corporate rules (`bcr`)"),
        "derogation": N_("a GDPR art. 49 derogation"),
        "none": N_("no safeguard"),
    },
    "audit_kind": {
        "on_site": N_("on-site audit"),
        "questionnaire": N_("audit by questionnaire"),
        "certification": N_("certification audit"),
        "pentest": N_("penetration test"),
    },
}


def worded(field: str, value: str) -> str:
    """``value`` of ``field`` in words of the run's language; as it is when not listed."""
    words = WORDS.get(field, {}).get(value)
    return _(words) if words else value
