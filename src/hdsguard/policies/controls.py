"""Structured references: which requirement of which framework a rule assesses.

A policy's ``controls`` list names requirements by framework and id (``{framework: hds-v2,
id: EXI-28}``), so that a report can build a coverage matrix per framework; its free-text
``references`` stay as notes for readers. Each framework has an id pattern: a typo such as
``EXI28`` or ``8,8`` is refused when the policy is loaded, not silently left out of a matrix.

No pydantic here: the fast path of policy loading (``meta.rules_of``) checks controls too.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from hdsguard.i18n import N_, _


class Framework(NamedTuple):
    """A framework a control may cite: its name in reports and the shape of its ids."""

    title: str  # English, marked for the catalogue: a French report shows it in French
    pattern: str  # a full-match regular expression for the control ids
    example: str  # a valid id, shown in error messages


# Frameworks with a requirement list under hdsguard/data/frameworks/ get a coverage matrix;
# the others are references a rule may cite, listed but without a matrix.
FRAMEWORKS: dict[str, Framework] = {
    "hds-v2": Framework(
        N_("HDS certification referential v2 (2024)"), r"EXI-[1-9][0-9]?", "EXI-28"
    ),
    "iso27001-2022": Framework(
        N_("ISO/IEC 27001:2022 (Annex A controls; clauses 4 to 10)"),
        r"A\.[5-8]\.[1-9][0-9]?|(?:[4-9]|10)(?:\.[1-9][0-9]?){1,2}",
        "A.8.8",
    ),
    "anssi-hygiene": Framework(
        N_("ANSSI guide d'hygiène informatique (42 measures)"), r"[1-9]|[1-3][0-9]|4[0-2]", "34"
    ),
    "care": Framework(
        N_("CaRE programme (cyber-resilience of health establishments)"),
        r"D[1-9](?:\.[OP][1-9][0-9]?(?:\.[a-z])?)?",
        "D2.O4",
    ),
    "gdpr": Framework(
        N_("GDPR (Regulation (EU) 2016/679)"), r"art\. [1-9][0-9]?(?:\([1-9][0-9]?\))?", "art. 28"
    ),
    "csp": Framework(
        N_("Code de la santé publique (French public health code)"),
        r"[LR]\.[0-9]{4}-[0-9]+(?:-[0-9]+)?",
        "L.1111-8",
    ),
    "pgssi-s": Framework(
        N_("PGSSI-S (ANS security policy framework for health information systems)"),
        r"[0-9]+(?:\.[0-9]+)*",
        "7.4.4.6",
    ),
    "ans": Framework(
        N_("Agence du numérique en santé registers and references"), r"[A-Z][A-Z0-9-]*", "FINESS"
    ),
    "anssi-tls": Framework(N_("ANSSI TLS security recommendations"), r"R[1-9][0-9]*", "R3"),
    "anssi-admin": Framework(N_("ANSSI secure administration guide"), r"R[1-9][0-9]*", "R36"),
    "pci-dss-4": Framework("PCI DSS v4.0", r"[1-9][0-9]?(?:\.[0-9]+){1,3}", "6.3.3"),
    "cisa-bod": Framework(N_("CISA Binding Operational Directives"), r"[0-9]{2}-[0-9]{2}", "22-01"),
    "hipaa": Framework(
        N_("HIPAA Security Rule (45 CFR Part 164)"),
        r"164\.[0-9]{3}(?:\([a-z0-9]+\))*",
        "164.312(b)",
    ),
    "club-rssi-sante": Framework(
        N_("Club RSSI Santé security clause book (2024)"), r"O-[0-9]+(?:\.[0-9]+)*", "O-7.2"
    ),
    "cabf-br": Framework(
        N_("CA/Browser Forum Baseline Requirements"), r"[1-9](?:\.[0-9]+)*", "6.3.2"
    ),
    "cnil": Framework(N_("CNIL deliberations"), r"[0-9]{4}-[0-9]{3}", "2021-122"),
    "nis2": Framework(
        N_("NIS2 directive (EU) 2022/2555"),
        r"art\. [1-9][0-9]?(?:\([1-9][0-9]?\))?(?:\([a-j]\))?",
        "art. 23(4)",
    ),
}

FRAMEWORK_NAMES: tuple[str, ...] = tuple(FRAMEWORKS)
_COMPILED = {name: re.compile(f.pattern) for name, f in FRAMEWORKS.items()}
CONTROL_KEYS = frozenset({"framework", "id", "note"})


class Control(NamedTuple):
    """One structured reference of a rule."""

    framework: str
    id: str
    note: str | None = None


def id_problem(framework: str, control_id: str) -> str | None:
    """Why ``control_id`` is not an id of ``framework`` (None when it is)."""
    spec = FRAMEWORKS.get(framework)
    if spec is None:
        return _("unknown framework {name}; one of: {names}").format(
            name=repr(framework), names=", ".join(FRAMEWORK_NAMES)
        )
    if _COMPILED[framework].fullmatch(control_id) is None:
        return _("{id} is not a {framework} id (pattern {pattern}, e.g. {example})").format(
            id=repr(control_id),
            framework=framework,
            pattern=spec.pattern,
            example=repr(spec.example),
        )
    return None
