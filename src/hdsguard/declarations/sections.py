"""The section names of the declaration format, without any model (imported on every run)."""

from __future__ import annotations

SECTIONS: dict[str, bool] = {
    "organisation": True,
    "identity": True,
    "logging": True,
    "providers": False,
    "systems": False,
    "services": False,
    "firewalls": False,
    "vendors": False,
    "certificates": False,
    "detection": True,
    "messaging": True,
    "biomedical": True,
}
"""Every section name, mapped to whether it is a singleton (a mapping, not a list)."""

SINGLETON_SECTIONS: tuple[str, ...] = tuple(name for name, one in SECTIONS.items() if one)
LIST_SECTIONS: tuple[str, ...] = tuple(name for name, one in SECTIONS.items() if not one)

# Read-only sections built from evidence files (hdsguard.evidence.view), never declared: rules
# may apply to them and read them, a declaration file may not hold them.
EVIDENCE_SECTIONS: tuple[str, ...] = (
    "evidence_files",
    "evidence_scans",
    "evidence_hosts",
    "evidence_ports",
    "evidence_certificates",
    "evidence_kev",
    "evidence_hds_registry",
)

# The references between sections, checked when the set is merged (declarations.merge) and
# named by the validation messages: (section, field path inside an item, referenced section).
# A "*" step walks a list.
REFERENCES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("providers", ("hosted_by",), "providers"),
    ("systems", ("hosted_by",), "providers"),
    ("systems", ("backup", "provider"), "providers"),
    ("services", ("system",), "systems"),
    ("services", ("tls", "certificate"), "certificates"),
    ("vendors", ("hosted_by",), "providers"),
    ("vendors", ("systems", "*"), "systems"),
)
