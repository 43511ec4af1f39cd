"""The helpers called as twins without arguments on the target under evaluation.

Helpers the shipped rules call on the target's own name (`hds_flaws(target)`) or on a field
of the target (`provider(self.hosted_by)`): 45,000 calls at 10k objects, and
cel-expr-python 0.1.3 never releases the arguments of a call (the tuple and the string
converted from CEL, ≈ 110 bytes a call). Each has a twin without arguments
(:func:`own_twin`, registered by :mod:`.celenv`) that reads the same value in Python from the
target under evaluation, and :mod:`.inline` calls the twin where the text gives that name or
field and cannot rebind ``target`` or ``self`` (the helper as written otherwise). Apart from
both modules, which import it: celenv imports inline only when it compiles.
"""

from __future__ import annotations

OWN_TARGET = ("hds_flaws", "hds_flaw_text", "activities_needed", "rules_not_stated")
OWN_PATHS: dict[str, tuple[str, ...]] = {
    "provider": ("backup.provider", "hosted_by"),
    "system": ("system",),
    "certificate": ("tls.certificate",),
    "provider_hds_flaws": ("backup.provider", "hosted_by"),
    "provider_hds_flaw_text": ("backup.provider", "hosted_by"),
    "health_data_at": ("id",),
    "is_placeholder": (
        "owner", "purpose", "site", "backup.site", "hds.certifier", "security_officer.name",
    ),
    "is_sha2": ("signature_algorithm",),
    "is_weak_signature": ("signature_algorithm",),
    "cabf_max_days": ("not_before",),
    "country_name": ("country",),
    "tls_rank": ("tls.min_version",),
}  # fmt: skip


def own_twin(helper: str, path: str | None = None) -> str:
    """The name of ``helper``'s twin given the target's name (``path`` None) or the target's
    field ``path``."""
    return f"hds_own_{helper}" + ("" if path is None else "__" + path.replace(".", "__"))


# Each twin and the helper it stands for: it reads what its helper reads (celenv), and the
# rule help names a slot computed by a twin after its helper (slotwords).
TWIN_OF: dict[str, str] = {
    **{own_twin(name): name for name in OWN_TARGET},
    **{own_twin(name, path): name for name, paths in OWN_PATHS.items() for path in paths},
}
