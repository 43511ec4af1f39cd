"""Typed model of one hdsguard declaration file (the declaration format contract).

Every model derives from :class:`Strict`: unknown keys are errors and instances are immutable.
Scalars are strict: a quoted ``"443"`` is not a port, ``"yes"`` is not a boolean and dates are
ISO 8601 strings (``2026-11-28``) parsed into :class:`datetime.date`.

Required fields are kept to a minimum (ids, names, a service's protocol and exposure, a
certificate's ``not_after``): policies report missing evidence themselves.
"""

import functools
import types
from collections.abc import Sequence
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    StringConstraints,
    WithJsonSchema,
)

# Shared scalar types and section names live in a light module (no model classes), so that
# importing them does not build the ~40 models below (start-up time).
from hdsguard.declarations.fieldhint import ENGINE_INT_MAX
from hdsguard.declarations.types import (  # noqa: F401  (re-exported)
    LIST_SECTIONS,
    SECTIONS,
    SINGLETON_SECTIONS,
    FormatVersion,
    IsoDate,
    _describe_type,
    _format_version,
)

__all__ = [
    "LIST_SECTIONS",
    "SECTIONS",
    "SECTION_MODELS",
    "SINGLETON_SECTIONS",
    "ActiveDirectory",
    "AdminAccounts",
    "AdsLevel",
    "AlertHandling",
    "Audience",
    "AuditKind",
    "Authentication",
    "Backup",
    "Biomedical",
    "Certificate",
    "ContinuityPlan",
    "Contract",
    "Country",
    "CrisisExercise",
    "CrisisScenario",
    "Criticality",
    "Cvss",
    "DeclarationFile",
    "Detection",
    "DmarcPolicy",
    "Edr",
    "Email",
    "Exposure",
    "Finess",
    "FinessNumber",
    "Firewall",
    "FirewallRule",
    "FirewallRuleAction",
    "Firmware",
    "FormatVersion",
    "Gdpr",
    "HdsActivity",
    "HdsCertificate",
    "HdsReferential",
    "HealthDataEmail",
    "Id",
    "Identity",
    "IncidentProcedure",
    "Ins",
    "Iso27001",
    "IsoDate",
    "LocalAdminPasswords",
    "Logging",
    "MailDomain",
    "Messaging",
    "Nis2",
    "Nis2Category",
    "NonNegativeInt",
    "Organisation",
    "OrganisationKind",
    "PatchSla",
    "Percent",
    "Person",
    "Port",
    "PositiveNumber",
    "ProfessionalAuthentication",
    "Protocol",
    "Provider",
    "ProviderService",
    "RemoteAccess",
    "Service",
    "ServiceRole",
    "ServiceVia",
    "Software",
    "Strict",
    "Subprocessor",
    "System",
    "Tls",
    "TlsVersion",
    "TransferFrequency",
    "TransferMechanism",
    "Vendor",
    "Vulnerability",
    "field_names",
]

# --------------------------------------------------------------------------------------------
# Scalar types
# --------------------------------------------------------------------------------------------

Id = Annotated[str, StringConstraints(strict=True, pattern=r"^[a-z0-9][a-z0-9._-]*$")]
"""Identifier of a list item, unique within its section; also used in references."""


# Codes people write for a country that ISO 3166-1 spells otherwise.
_COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}


def _country(code: str) -> str:
    """Accept only officially assigned ISO 3166-1 alpha-2 codes, with a hint for common slips."""
    from hdsguard import data
    from hdsguard.i18n import _

    known = data.country_codes()
    if code in known:
        return code
    hint = _country_hint(code, known)
    if hint:
        from hdsguard.i18n import current
        from hdsguard.l10n import country_name

        name = country_name(hint, data.country_name(hint), current())
        raise ValueError(
            _(
                "{code} is not an ISO 3166-1 alpha-2 country code; did you mean {hint} ({name})?"
            ).format(code=repr(code), hint=repr(hint), name=name)
        )
    if code.upper() == "EU":
        raise ValueError(
            _("'EU' is not a country: list the member states where the data is (e.g. FR, DE)")
        )
    raise ValueError(
        _(
            "{code} is not an officially assigned ISO 3166-1 alpha-2 country code "
            "(two capital letters, e.g. FR, DE, MA; see docs/data.md)"
        ).format(code=repr(code))
    )


def _country_hint(code: str, known: frozenset[str]) -> str | None:
    """The alpha-2 code meant by a common slip: a reserved code (``UK``), the wrong case
    (``fr``), an alpha-3 code (``FRA``) or a country's name in English or French (``France``,
    ``Maroc``, ``Royaume-Uni``), accents, case and punctuation aside."""
    from hdsguard import data

    upper = code.upper()
    if upper in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[upper]
    if upper in known:
        return upper
    return data.alpha2_of_alpha3(upper) or _country_names().get(_name_key(code))


def _name_key(name: str) -> str:
    """``name`` compared without accents, case, spaces nor punctuation (``Côte d'Ivoire``)."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c)).casefold()


@functools.cache
def _country_names() -> dict[str, str]:
    """Names of the data file's countries -> their code: the file's ISO English short names,
    and the English and French names of the Unicode CLDR (through Babel, a dependency).
    Built on the first unknown country only. A name two countries share is left out."""
    from babel import Locale

    from hdsguard import data

    found: dict[str, set[str]] = {}
    locales = [Locale.parse("en").territories, Locale.parse("fr").territories]
    for code in data.country_codes():
        names = [data.country_name(code) or ""] + [t.get(code, "") for t in locales]
        for name in names:
            if key := _name_key(name):
                found.setdefault(key, set()).add(code)
    return {key: next(iter(codes)) for key, codes in found.items() if len(codes) == 1}


def _country_schema() -> dict[str, Any]:
    from hdsguard import data

    # One alternation rather than an enum: the 249 codes once per use, on one line.
    return {"type": "string", "pattern": f"^({'|'.join(sorted(data.country_codes()))})$"}


Country = Annotated[
    str,
    StringConstraints(strict=True),
    AfterValidator(_country),
    WithJsonSchema(_country_schema()),
]
"""ISO 3166-1 alpha-2 country code (``FR``, ``MA``), checked against ``countries.json``."""


def _ip_address(text: str) -> str:
    """An IPv4 or IPv6 address, as the standard library reads it (no network, no name)."""
    import ipaddress

    from hdsguard.i18n import _

    try:
        ipaddress.ip_address(text)
    except ValueError:
        raise ValueError(
            _(
                "{text} is not an IP address (IPv4 such as 192.0.2.10, or IPv6 such as "
                "2001:db8::10): a host name goes in `host`"
            ).format(text=repr(text))
        ) from None
    return text


IpAddress = Annotated[
    str,
    StringConstraints(strict=True),
    AfterValidator(_ip_address),
    WithJsonSchema(
        {"anyOf": [{"type": "string", "format": "ipv4"}, {"type": "string", "format": "ipv6"}]}
    ),
]
"""An IPv4 or IPv6 address (``192.0.2.10``, ``2001:db8::10``)."""

FinessNumber = Annotated[
    StrictStr | Annotated[int, Field(strict=True)],
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "integer"}]}),
]
"""A FINESS number, as declared: any text, or an integer (quotes forgotten in YAML). Its form
(9 characters, digits but Corsica's 2A/2B, a Luhn check digit) is judged by GOV-001, not here:
a malformed number is a finding located at the field, not an input error that stops the run."""

Email = Annotated[str, StringConstraints(strict=True, pattern=r"^[^@\s]+@[^@\s]+$")]
"""An e-mail address (only loosely checked)."""

Port = Annotated[int, Field(strict=True, ge=1, le=65535)]
"""A TCP/UDP port number."""

NonNegativeInt = Annotated[int, Field(strict=True, ge=0, le=ENGINE_INT_MAX)]
"""An integer >= 0 (counts of days or hours)."""

Cvss = Annotated[float, Field(strict=True, ge=0, le=10)]
"""A CVSS base score, 0 to 10 (an integer or a decimal number)."""

HdsActivity = Annotated[int, Field(strict=True, ge=1, le=6)]
"""One of the six HDS activities of CSP R.1111-8-8 (1 to 6)."""

AdsLevel = Annotated[int, Field(strict=True, ge=1, le=5)]


# --------------------------------------------------------------------------------------------
# Enumerations
# --------------------------------------------------------------------------------------------

OrganisationKind = Literal[
    "hospital",
    "ght",
    "clinic",
    "medical_laboratory",
    "imaging_centre",
    "medico_social",
    "health_software_vendor",
    "other",
]
ProviderService = Literal[
    "colocation", "dedicated_servers", "iaas", "paas", "managed_services", "saas", "backup"
]
HdsReferential = Literal["v1.1", "v2"]
TransferMechanism = Literal["adequacy", "scc", "bcr", "derogation", "none"]
TransferFrequency = Literal["occasional", "systematic"]
Criticality = Literal["low", "medium", "high", "critical"]
Protocol = Literal[
    "ftp",
    "ftps",
    "sftp",
    "ssh",
    "telnet",
    "http",
    "https",
    "rdp",
    "smb",
    "vnc",
    "ldap",
    "ldaps",
    "dicom",
    "hl7",
    "mysql",
    "postgresql",
    "mssql",
    "oracle",
    "mongodb",
    "smtp",
    "imap",
    "pop3",
    "snmp",
    "ipsec",
    "openvpn",
    "wireguard",
    "rsync",
    "nfs",
    "dns",
    "other",
]
Exposure = Literal["internet", "partner", "internal"]
ServiceVia = Literal["direct", "vpn", "reverse_proxy", "bastion"]
ServiceRole = Literal[
    "web", "file_transfer", "remote_access", "admin", "api", "site_to_site", "other"
]
Authentication = Literal["none", "anonymous", "password", "key", "certificate"]
TlsVersion = Literal["1.0", "1.1", "1.2", "1.3"]
FirewallRuleAction = Literal["allow", "deny"]
AuditKind = Literal["on_site", "questionnaire", "certification", "pentest"]
CrisisScenario = Literal["ransomware", "data_breach", "outage", "supply_chain", "physical", "other"]
Nis2Category = Literal["essential", "important", "not_concerned"]
LocalAdminPasswords = Literal["laps", "equivalent", "shared", "unmanaged"]
AlertHandling = Literal["round_the_clock", "business_hours", "none"]
Audience = Literal["health_professionals", "patients", "staff", "partners", "machines"]
ProfessionalAuthentication = Literal["pro_sante_connect", "e_cps", "cps", "local_mfa", "password"]
HealthDataEmail = Literal["mssante_only", "also_ordinary_email", "not_sent"]
DmarcPolicy = Literal["none", "quarantine", "reject"]
Percent = Annotated[float, Field(strict=True, ge=0, le=100)]
"""A percentage, 0 to 100."""
PositiveNumber = Annotated[float, Field(strict=True, ge=0)]
"""A number >= 0 (a measured duration)."""

_NOTES = "Free-text remarks for auditors; never read by policies."


def informational(reason: str) -> dict[str, Any]:
    """Field metadata: no rule decides on this field, because ``reason``.

    Every other field is read by a built-in policy (tests/test_fields_read.py): a declared
    weakness that no rule reads would be a false pass waiting to happen.
    """
    return {"x-informational": reason}


_IDENTIFIES = "identifies the object for people; rules decide on its dated, checkable facts"
_NOTES_INFO = informational("free text for people; a rule cannot decide on prose")
_WHY_3 = "rules decide on the clauses, not on the signature date (checked for plausibility only)"
_WHY_6 = (
    "SecNumCloud is not required of health-data hosts by the CSP or HDS v2; context for "
    "the non-EU law exposure of HDS-008"
)
_WHY_7 = "VND-005 checks that an audit took place recently; its kind is context for the auditor"
_WHY_8 = "support is decided by `end_of_support`; a version string cannot be compared offline"
_WHY_9 = (
    "support is decided by `firmware.end_of_support`; a version string cannot be compared offline"
)


# --------------------------------------------------------------------------------------------
# Base class
# --------------------------------------------------------------------------------------------


class Strict(BaseModel):
    """Base of every declaration model: unknown keys are errors, instances are immutable."""

    # defer_build: the validator is built on first use, not at import (start-up time).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# --------------------------------------------------------------------------------------------
# organisation
# --------------------------------------------------------------------------------------------


class Finess(Strict):
    """FINESS numbers of the organisation (legal entity and establishments)."""

    ej: FinessNumber | None = Field(
        None,
        description="FINESS number of the legal entity (entité juridique): 9 characters, "
        'quoted ("750712184"); its form and Luhn check digit are checked by GOV-001.',
    )
    et: list[FinessNumber] | None = Field(
        None,
        description="FINESS numbers of the geographic establishments (établissements), "
        "9 characters each, quoted; checked by GOV-001.",
    )


class Person(Strict):
    """A named contact."""

    name: StrictStr | None = Field(None, description="Full name of the person.")
    email: Email | None = Field(None, description="E-mail address of the person.")


class ContinuityPlan(Strict):
    """Business continuity and disaster recovery plan."""

    exists: StrictBool | None = Field(
        None, description="Whether a written continuity / recovery plan exists."
    )
    business_impact_analysis: StrictBool | None = Field(
        None, description="Whether the plan rests on a business impact analysis."
    )
    last_test: IsoDate | None = Field(
        None, description="Date of the last test or exercise of the plan (YYYY-MM-DD)."
    )


class IncidentProcedure(Strict):
    """Security incident handling procedure."""

    ars_cert_sante: StrictBool | None = Field(
        None,
        description="Whether the procedure reports serious incidents to the ARS and CERT Santé "
        "without delay (CSP L.1111-8-2).",
    )
    cnil_72h: StrictBool | None = Field(
        None,
        description="Whether the procedure notifies personal-data breaches to the CNIL within "
        "72 hours (GDPR art. 33).",
    )
    # ``register`` would shadow ``ABCMeta.register`` on the model class: keep it as an alias.
    register_: StrictBool | None = Field(
        None,
        alias="register",
        description="Whether incidents are recorded in an incident register.",
    )


class CrisisExercise(Strict):
    """The last cyber-crisis exercise (CaRE: yearly exercises in every health establishment)."""

    date: IsoDate | None = Field(
        None, description="Date of the last cyber-crisis exercise (YYYY-MM-DD)."
    )
    scenarios: list[CrisisScenario] | None = Field(
        None, description="Scenarios played during that exercise (ransomware, data_breach…)."
    )
    degraded_mode: StrictBool | None = Field(
        None,
        description="Whether care services actually ran in degraded mode (paper procedures, "
        "no information system) during the exercise.",
    )
    measured_restore_hours: PositiveNumber | None = Field(
        None,
        description="Time, in hours, measured during the exercise to restore a critical "
        "system from its backups (declared only when the restore was actually timed).",
    )


class Nis2(Strict):
    """NIS2 status (directive (EU) 2022/2555 as transposed in France)."""

    category: Nis2Category | None = Field(
        None,
        description="NIS2 category of the organisation: essential, important, or "
        "not_concerned (below the size thresholds and not designated).",
    )
    registered: IsoDate | None = Field(
        None,
        description="Date the organisation registered with the national authority (ANSSI, "
        "MonEspaceNIS2) (YYYY-MM-DD).",
    )
    early_warning_hours: NonNegativeInt | None = Field(
        None,
        description="Hours, after becoming aware of a significant incident, within which the "
        "procedure sends the early warning to the authority (NIS2 art. 23(4)(a): 24).",
    )
    notification_hours: NonNegativeInt | None = Field(
        None,
        description="Hours within which the procedure sends the incident notification "
        "(NIS2 art. 23(4)(b): 72).",
    )
    final_report_days: NonNegativeInt | None = Field(
        None,
        description="Days, after the incident notification, within which the procedure "
        "sends the final report (NIS2 art. 23(4)(d): one month).",
    )


class Gdpr(Strict):
    """GDPR governance facts that decide whether a DPO is mandatory, and the art. 30 record."""

    public_body: StrictBool | None = Field(
        None,
        description="Whether the organisation is a public authority or body (a public "
        "hospital, a GHT): a DPO is then mandatory (GDPR art. 37(1)(a)).",
    )
    large_scale_health_data: StrictBool | None = Field(
        None,
        description="Whether its core activities include large-scale processing of health "
        "data (a hospital, a clinic, a laboratory group; not a single practitioner): a DPO is "
        "then mandatory (GDPR art. 37(1)(c)).",
    )
    record_of_processing: IsoDate | None = Field(
        None,
        description="Date of the last update of the record of processing activities "
        "(GDPR art. 30) (YYYY-MM-DD).",
    )


class Organisation(Strict):
    """The organisation whose infrastructure is declared (singleton section)."""

    name: StrictStr = Field(description="Name of the organisation.")
    kind: OrganisationKind | None = Field(None, description="Kind of organisation.")
    finess: Finess | None = Field(None, description="FINESS numbers of the organisation.")
    security_officer: Person | None = Field(
        None, description="Information security officer (RSSI or security referent)."
    )
    dpo: Person | None = Field(None, description="Data protection officer (GDPR art. 37).")
    security_policy_reviewed: IsoDate | None = Field(
        None, description="Date of the last review of the security policy (PSSI) (YYYY-MM-DD)."
    )
    risk_analysis: IsoDate | None = Field(
        None, description="Date of the last information security risk analysis (YYYY-MM-DD)."
    )
    last_security_audit: IsoDate | None = Field(
        None, description="Date of the last independent security audit (YYYY-MM-DD)."
    )
    last_pentest: IsoDate | None = Field(
        None, description="Date of the last penetration test (YYYY-MM-DD)."
    )
    last_exposure_scan: IsoDate | None = Field(
        None,
        description="Date of the last external Internet exposure scan, e.g. the ANS scan "
        "(YYYY-MM-DD).",
    )
    continuity_plan: ContinuityPlan | None = Field(
        None, description="Business continuity plan and its last test."
    )
    incident_procedure: IncidentProcedure | None = Field(
        None, description="What the security incident procedure covers."
    )
    crisis_exercise: CrisisExercise | None = Field(
        None, description="The last cyber-crisis exercise (GOV-007)."
    )
    nis2: Nis2 | None = Field(
        None, description="NIS2 category, registration and incident deadlines (GOV-008)."
    )
    gdpr: Gdpr | None = Field(
        None, description="GDPR governance: DPO obligation and record of processing (GOV-009)."
    )
    notes: StrictStr | None = Field(None, description=_NOTES, json_schema_extra=_NOTES_INFO)


# --------------------------------------------------------------------------------------------
# identity
# --------------------------------------------------------------------------------------------


class AdminAccounts(Strict):
    """How administrator accounts are organised."""

    dedicated: StrictBool | None = Field(
        None,
        description="Whether administrators use accounts dedicated to administration, "
        "separate from their everyday accounts.",
    )
    individual: StrictBool | None = Field(
        None, description="Whether administrator accounts are individual (no shared accounts)."
    )


class ActiveDirectory(Strict):
    """Active Directory security state."""

    krbtgt_last_reset: IsoDate | None = Field(
        None, description="Date of the last reset of the krbtgt account password (YYYY-MM-DD)."
    )
    ads_level: AdsLevel | None = Field(
        None, description="ANSSI Active Directory security level (ADS), 1 (worst) to 5 (best)."
    )
    tier0_isolated: StrictBool | None = Field(
        None,
        description="Whether tier 0 (domain controllers, their administrators and the systems "
        "that control them) is isolated: tier-0 accounts log on only to tier-0 systems.",
    )
    admin_via_bastion: StrictBool | None = Field(
        None,
        description="Whether directory administration goes only through an administration "
        "bastion (no direct administration from office workstations).",
    )
    local_admin_passwords: LocalAdminPasswords | None = Field(
        None,
        description="How local administrator passwords are managed: laps (Microsoft or "
        "Windows LAPS), equivalent (another tool giving each machine a unique, rotated "
        "password), shared (one password on many machines) or unmanaged.",
    )


class Identity(Strict):
    """Identity and access management (singleton section)."""

    mfa_admin: StrictBool | None = Field(
        None, description="Whether all administrative access requires multi-factor authentication."
    )
    mfa_remote: StrictBool | None = Field(
        None, description="Whether all remote access requires multi-factor authentication."
    )
    default_credentials_changed: StrictBool | None = Field(
        None, description="Whether default passwords have been changed on every device and account."
    )
    admin_workstations_internet: StrictBool | None = Field(
        None, description="Whether administration workstations can reach the Internet."
    )
    admin_accounts: AdminAccounts | None = Field(
        None, description="How administrator accounts are organised."
    )
    inactive_disable_days: NonNegativeInt | None = Field(
        None,
        description="Number of days of inactivity after which an account is disabled (at "
        'least 1: 0, which many directory tools read as "never", fails IAM-004).',
    )
    active_directory: ActiveDirectory | None = Field(
        None,
        description="Active Directory security state (IAM-005 needs it; "
        "without an AD, waive IAM-005).",
    )
    notes: StrictStr | None = Field(None, description=_NOTES, json_schema_extra=_NOTES_INFO)


# --------------------------------------------------------------------------------------------
# logging
# --------------------------------------------------------------------------------------------


class Logging(Strict):
    """Security logging (singleton section)."""

    centralised: StrictBool | None = Field(
        None, description="Whether security logs are collected on a central log server or SIEM."
    )
    ntp: StrictBool | None = Field(
        None, description="Whether all systems synchronise their clocks on a common NTP source."
    )
    transport_encrypted: StrictBool | None = Field(
        None, description="Whether logs are encrypted in transit to the central collector."
    )
    health_data_access_logged: StrictBool | None = Field(
        None, description="Whether accesses to health data are logged."
    )
    remote_access_traces_centralised: StrictBool | None = Field(
        None, description="Whether traces of remote access sessions are centralised."
    )
    retention_days: NonNegativeInt | None = Field(
        None, description="Number of days security logs are kept."
    )
    last_access_review: IsoDate | None = Field(
        None, description="Date of the last review of health-data access logs (YYYY-MM-DD)."
    )
    notes: StrictStr | None = Field(None, description=_NOTES, json_schema_extra=_NOTES_INFO)


# --------------------------------------------------------------------------------------------
# providers and vendors
# --------------------------------------------------------------------------------------------


class HdsCertificate(Strict):
    """An HDS (hébergeur de données de santé) certificate."""

    certificate: StrictStr | None = Field(None, description="Certificate number.")
    certifier: StrictStr | None = Field(
        None,
        description="Accredited certification body that issued the certificate, as printed on "
        "it and in the ANS list of certified hosts: neither a placeholder nor the holder "
        "itself (its name or id); a certificate that names none is missing evidence and, like "
        "one with a placeholder or self-certified, counts for no rule (HDS-001 to HDS-005, "
        "VND-002, BKP-005); its accreditation is not checked offline, the ANS registry of "
        "certified hosts is the evidence, EVD-010.",
    )
    activities: list[HdsActivity] | None = Field(
        None, description="HDS activities covered by the certificate (CSP R.1111-8-8), 1 to 6."
    )
    referential: HdsReferential | None = Field(
        None, description="HDS referential version the certificate was issued under."
    )
    valid_from: IsoDate | None = Field(
        None, description="First day of validity of the certificate (YYYY-MM-DD)."
    )
    valid_until: IsoDate | None = Field(
        None, description="Last valid day of the certificate, inclusive (YYYY-MM-DD)."
    )
    last_surveillance_audit: IsoDate | None = Field(
        None, description="Date of the last yearly surveillance audit (YYYY-MM-DD)."
    )
    transparency_url: StrictStr | None = Field(
        None,
        description="URL of the host's public transparency page on data transfers (HDS EXI 31).",
    )


class Iso27001(Strict):
    """An ISO/IEC 27001 certificate."""

    certificate: StrictStr | None = Field(None, description="Certificate number.")
    valid_until: IsoDate | None = Field(
        None, description="Last valid day of the certificate, inclusive (YYYY-MM-DD)."
    )


class PatchSla(Strict):
    """Contractual deadlines to deliver security patches."""

    critical_days: NonNegativeInt | None = Field(
        None, description="Days allowed to deliver a patch for a critical vulnerability."
    )
    high_days: NonNegativeInt | None = Field(
        None, description="Days allowed to deliver a patch for a high-severity vulnerability."
    )


class Contract(Strict):
    """The contract with a provider or vendor."""

    signed: IsoDate | None = Field(
        None,
        description="Date the contract was signed (YYYY-MM-DD).",
        json_schema_extra=informational(_WHY_3),
    )
    dpa: StrictBool | None = Field(
        None, description="Whether the contract holds GDPR art. 28 processor clauses (DPA)."
    )
    breach_notice_hours: NonNegativeInt | None = Field(
        None, description="Maximum delay, in hours, to notify the organisation of a data breach."
    )
    audit_right: StrictBool | None = Field(
        None, description="Whether the organisation has a contractual right to audit."
    )
    reversibility: StrictBool | None = Field(
        None, description="Whether the contract provides for reversibility (data return)."
    )
    hds_clauses: StrictBool | None = Field(
        None, description="Whether the contract holds the hosting clauses of CSP R.1111-11."
    )
    objection_days: NonNegativeInt | None = Field(
        None,
        description=(
            "Days the organisation has to object to a new sub-processor after notice "
            "(0, no opportunity to object, fails VND-004 and HDS-009: GDPR art. 28(2))."
        ),
    )
    patch_sla: PatchSla | None = Field(
        None, description="Contractual deadlines to deliver security patches."
    )


class Provider(Strict):
    """A hosting or IT provider that hosts or runs systems for the organisation."""

    id: Id = Field(description="Identifier of the provider, unique among providers.")
    name: StrictStr = Field(description="Name of the provider.")
    services: list[ProviderService] | None = Field(
        None,
        description="What is bought from the provider; drives the HDS activities required.",
    )
    hds: HdsCertificate | None = Field(
        None, description="The provider's HDS certificate; absent when it holds none."
    )
    hosted_by: Id | None = Field(
        None,
        description="Id of the provider whose infrastructure this provider's service runs on "
        "(a SaaS editor's IaaS host), when it does not run its own: the activities that host "
        "performs and is certified for need not be on this provider's HDS certificate. "
        "Declare that host as a provider too, with its `hds` block and, in `services`, what "
        "it provides (iaas…). The chain must end at a provider that runs its own "
        "infrastructure: a loop (A hosted by B and B by A, or A by itself) names no real host "
        "and is a located error, each link named.",
    )
    # Read since the twenty-third session: it was informational, and an expired ISO 27001
    # certificate passed silently, though HDS v2 is an ISO 27001 ISMS plus HDS requirements.
    iso27001: Iso27001 | None = Field(
        None,
        description="The provider's ISO 27001 certificate. Optional; once its `valid_until` "
        "has passed, HDS-003 warns on a provider that declares an HDS certificate (HDS v2 "
        "is an ISO 27001 ISMS plus HDS requirements; the HDS certificate stays the binding "
        "evidence).",
    )
    secnumcloud: StrictBool | None = Field(
        None,
        description="Whether the service bought is SecNumCloud-qualified.",
        json_schema_extra=informational(_WHY_6),
    )
    storage_countries: list[Country] | None = Field(
        None, description="Countries where data is stored (ISO 3166-1 alpha-2)."
    )
    remote_access_countries: list[Country] | None = Field(
        None,
        description="Countries from which the provider's staff or subcontractors access the "
        "data remotely (ISO 3166-1 alpha-2).",
    )
    transfer_mechanism: TransferMechanism | None = Field(
        None,
        description="Legal basis of transfers outside the EEA (GDPR art. 45-49); "
        "none when there is none.",
    )
    dpf_certified: StrictBool | None = Field(
        None,
        description="Whether the provider is certified under the EU-US Data Privacy Framework "
        "(on the DPF list): the US adequacy decision (EU) 2023/1795 covers only certified "
        "organisations.",
    )
    third_country_laws: list[StrictStr] | None = Field(
        None,
        description="Non-EU laws the provider is exposed to (e.g. US CLOUD Act), as disclosed "
        "by the provider (HDS EXI 30).",
    )
    contract: Contract | None = Field(None, description="The contract with the provider.")
    notes: StrictStr | None = Field(None, description=_NOTES, json_schema_extra=_NOTES_INFO)


class Subprocessor(Strict):
    """A sub-processor used by a vendor."""

    name: StrictStr | None = Field(None, description="Name of the sub-processor.")
    country: Country | None = Field(
        None, description="Country where the sub-processor processes data (ISO 3166-1 alpha-2)."
    )
    authorised: StrictBool | None = Field(
        None, description="Whether the organisation authorised this sub-processor in writing."
    )
    # Added in the nineteenth session: HDS EXI 28 bounds where the host's subcontractors store
    # health data, and nothing else said which sub-processors store it (HDS-006).
    stores_health_data: StrictBool | None = Field(
        None,
        description="Whether the sub-processor stores the organisation's health data (in its "
        "`country`). `true` makes it a storage location HDS-006 checks is in the EEA; absent, "
        "its transfer is VND-003's.",
    )
    dpf_certified: StrictBool | None = Field(
        None,
        description="Whether the sub-processor is certified under the EU-US Data Privacy Framework "
        "(on the DPF list): the US adequacy decision (EU) 2023/1795 covers only certified "
        "organisations.",
    )
    notes: StrictStr | None = Field(None, description=_NOTES, json_schema_extra=_NOTES_INFO)


class RemoteAccess(Strict):
    """How a vendor accesses the organisation's systems remotely."""

    via_gateway: StrictBool | None = Field(
        None, description="Whether remote access goes through the organisation's own gateway."
    )
    mfa: StrictBool | None = Field(
        None, description="Whether remote access requires multi-factor authentication."
    )
    time_bounded: StrictBool | None = Field(
        None, description="Whether access is opened only for the time of an intervention."
    )
    nominative: StrictBool | None = Field(
        None, description="Whether each technician uses a personal (nominative) account."
    )


class Vendor(Strict):
    """A subcontractor with access to systems or data (maintenance, software editor...)."""

    id: Id = Field(description="Identifier of the vendor, unique among vendors.")
    name: StrictStr = Field(description="Name of the vendor.")
    service: StrictStr | None = Field(
        None,
        description="What the vendor does for the organisation.",
        json_schema_extra=informational(_IDENTIFIES),
    )
    country: Country | None = Field(
        None, description="Country where the vendor operates from (ISO 3166-1 alpha-2)."
    )
    critical: StrictBool | None = Field(
        None, description="Whether the vendor is critical to the organisation's activity."
    )
    processes_personal_data: StrictBool | None = Field(
        None, description="Whether the vendor processes personal data on the organisation's behalf."
    )
    health_data_access: StrictBool | None = Field(
        None, description="Whether the vendor can access health data."
    )
    stores_health_data: StrictBool | None = Field(
        None, description="Whether the vendor stores health data."
    )
    hosted_by: Id | None = Field(
        None, description="Id of the provider where the vendor keeps the data."
    )
    hds: HdsCertificate | None = Field(
        None, description="The vendor's own HDS certificate, when it hosts the data itself."
    )
    # Added in the nineteenth session: `country` says where the vendor operates from, which
    # need not be where its own servers are; HDS-006 read it as the storage location, for
    # want of anything else.
    storage_countries: list[Country] | None = Field(
        None,
        description="Countries where the vendor stores the organisation's data on its own "
        "servers (ISO 3166-1 alpha-2); `[]` with `hosted_by` when it keeps none itself. "
        "Absent, HDS-006 takes a vendor storing health data without `hosted_by` to store it "
        "in its `country`.",
    )
    systems: list[Id] | None = Field(None, description="Ids of the systems the vendor reaches.")
    supplies_software: StrictBool | None = Field(
        None,
        description="Whether the vendor supplies software the organisation runs (an editor, "
        "a maintenance company), whose security patches its contract must time (VND-008). "
        "Absent: assumed when the vendor reaches `systems` or has `remote_access`.",
    )
    transfer_mechanism: TransferMechanism | None = Field(
        None, description="Legal basis of transfers outside the EEA (GDPR art. 45-49)."
    )
    transfer_frequency: TransferFrequency | None = Field(
        None,
        description="Whether transfers outside the EEA are occasional or systematic (routine "
        "processing); a GDPR art. 49 derogation never covers systematic transfers.",
    )
    dpf_certified: StrictBool | None = Field(
        None,
        description="Whether the vendor is certified under the EU-US Data Privacy Framework "
        "(on the DPF list): the US adequacy decision (EU) 2023/1795 covers only certified "
        "organisations.",
    )
    subprocessors: list[Subprocessor] | None = Field(
        None, description="Sub-processors the vendor uses."
    )
    last_audit: IsoDate | None = Field(
        None, description="Date of the last audit of the vendor (YYYY-MM-DD)."
    )
    audit_kind: AuditKind | None = Field(
        None, description="Kind of the last audit.", json_schema_extra=informational(_WHY_7)
    )
    remote_access: RemoteAccess | None = Field(
        None, description="How the vendor accesses systems remotely; absent when it does not."
    )
    contract: Contract | None = Field(None, description="The contract with the vendor.")
    notes: StrictStr | None = Field(None, description=_NOTES, json_schema_extra=_NOTES_INFO)


# --------------------------------------------------------------------------------------------
# systems
# --------------------------------------------------------------------------------------------


class Backup(Strict):
    """Backups of a system."""

    last_success: IsoDate | None = Field(
        None, description="Date of the last successful backup (YYYY-MM-DD)."
    )
    last_restore_test: IsoDate | None = Field(
        None, description="Date of the last successful restore test (YYYY-MM-DD)."
    )
    monitored: StrictBool | None = Field(
        None, description="Whether backup failures raise alerts that someone handles."
    )
    offline_or_immutable: StrictBool | None = Field(
        None, description="Whether at least one copy is offline or immutable."
    )
    offsite: StrictBool | None = Field(
        None, description="Whether at least one copy is kept off-site."
    )
    encrypted: StrictBool | None = Field(None, description="Whether backups are encrypted.")
    auth_independent: StrictBool | None = Field(
        None,
        description="Whether backup authentication is independent from production "
        "(e.g. not joined to the production Active Directory).",
    )
    mfa: StrictBool | None = Field(
        None, description="Whether access to the backup console requires multi-factor auth."
    )
    isolated: StrictBool | None = Field(
        None, description="Whether the backup infrastructure is isolated from production."
    )
    provider: Id | None = Field(
        None, description="Id of the provider running the backups; absent when done in-house."
    )
    site: StrictStr | None = Field(
        None,
        description="Where the off-site copy is kept (a building, a datacentre or a cloud "
        "region, named as for the system's `site`): a copy at the system's own site is not "
        "off-site (BKP-003).",
    )


class Ins(Strict):
    """Patient identities exchanged by a system, and their INS qualification."""

    exchanged: StrictBool | None = Field(
        None,
        description="Whether the system sends or receives patient identities to or from other "
        "systems or organisations (results, letters, orders, shared records).",
    )
    qualified: StrictBool | None = Field(
        None,
        description="Whether the identities it exchanges carry the INS in the "
        "'identité qualifiée' status (retrieved through the INSi teleservice and checked "
        "against an identity document, référentiel INS).",
    )


class System(Strict):
    """An application or information system."""

    id: Id = Field(description="Identifier of the system, unique among systems.")
    name: StrictStr = Field(description="Name of the system.")
    health_data: StrictBool | None = Field(
        None, description="Whether the system holds personal health data."
    )
    criticality: Criticality | None = Field(None, description="Business criticality of the system.")
    hosted_by: Id | None = Field(
        None,
        description="Id of the provider hosting the system; absent means hosted on the "
        "organisation's own premises.",
    )
    end_of_support: IsoDate | None = Field(
        None, description="Last day of vendor support, inclusive (YYYY-MM-DD)."
    )
    backup: Backup | None = Field(None, description="Backups of the system.")
    site: StrictStr | None = Field(
        None,
        description="Where the system runs (a building, a datacentre or a cloud region, named "
        "as its host names it), compared with `backup.site` (BKP-003).",
    )
    dpia: IsoDate | None = Field(
        None,
        description="Date of the data protection impact assessment (GDPR art. 35) of the "
        "processing the system supports, or of its last review (YYYY-MM-DD).",
    )
    ins: Ins | None = Field(
        None, description="Exchange of patient identities and INS qualification (IAM-009)."
    )
    notes: StrictStr | None = Field(None, description=_NOTES, json_schema_extra=_NOTES_INFO)


# --------------------------------------------------------------------------------------------
# services
# --------------------------------------------------------------------------------------------


class Tls(Strict):
    """TLS configuration of a service."""

    min_version: TlsVersion | None = Field(
        None, description='Lowest TLS version accepted, as a string ("1.2").'
    )
    certificate: Id | None = Field(
        None, description="Id of the certificate (in certificates) the service presents."
    )


Sha256Fingerprint = Annotated[
    str, StringConstraints(strict=True, pattern=r"^[0-9a-fA-F]{2}(:?[0-9a-fA-F]{2}){31}$")
]


class Software(Strict):
    """Software that implements a service."""

    name: StrictStr | None = Field(None, description="Name of the software product.")
    version: StrictStr | None = Field(
        None,
        description='Version deployed, as a string ("7.4.2").',
        json_schema_extra=informational(_WHY_8),
    )
    end_of_support: IsoDate | None = Field(
        None, description="Last day of vendor support for this version, inclusive (YYYY-MM-DD)."
    )
    last_patch: IsoDate | None = Field(
        None,
        description="Day the latest security update of this software was applied (YYYY-MM-DD): "
        "CISA KEV entries added after it are listed for review (EVD-009); a version a scan "
        "identified before it neither confirms nor contradicts `version` (EVD-003).",
    )


class Vulnerability(Strict):
    """A known, not yet fixed vulnerability."""

    cve: StrictStr | None = Field(
        None,
        description="CVE identifier (CVE-2024-3400, any case), or the vendor's advisory id "
        "(GHSA-…, FG-IR-24-015) for a flaw that has none. A placeholder (TBD, N/A, CVE-XXXX) "
        "names no vulnerability: its `kev: false` cannot be checked (PAT-003).",
        json_schema_extra=informational(_IDENTIFIES),
    )
    cvss: Cvss | None = Field(None, description="CVSS base score, 0 to 10.")
    published: IsoDate | None = Field(
        None, description="Date the vulnerability was published (YYYY-MM-DD)."
    )
    kev: StrictBool | None = Field(
        None, description="Whether it is listed in the CISA Known Exploited Vulnerabilities."
    )
    kev_added: IsoDate | None = Field(
        None, description="Date it was added to the CISA KEV catalogue (YYYY-MM-DD)."
    )
    notes: StrictStr | None = Field(None, description=_NOTES, json_schema_extra=_NOTES_INFO)


class Service(Strict):
    """A network service: what can be reached, and from where."""

    id: Id = Field(description="Identifier of the service, unique among services.")
    system: Id | None = Field(None, description="Id of the system the service belongs to.")
    host: StrictStr | None = Field(
        None,
        description="Host name or IP address of the service.",
        json_schema_extra=informational(_IDENTIFIES),
    )
    addresses: list[IpAddress] | None = Field(
        None,
        description="IP addresses the service is reached at, when `host` is a name: a scan of "
        "one of them observes the service, whatever the reverse DNS says (docs/evidence.md).",
    )
    port: Port | None = Field(None, description="TCP or UDP port, 1 to 65535.")
    protocol: Protocol = Field(description="Application protocol spoken by the service.")
    exposure: Exposure = Field(
        description="From where the service can be reached: the Internet, partners, or only "
        "the internal network."
    )
    via: ServiceVia | None = Field(None, description="How external clients reach the service.")
    role: ServiceRole | None = Field(None, description="What the service is used for.")
    authentication: Authentication | None = Field(None, description="How clients authenticate.")
    mfa: StrictBool | None = Field(
        None, description="Whether access requires multi-factor authentication."
    )
    owner: StrictStr | None = Field(None, description="Person or team accountable for the service.")
    purpose: StrictStr | None = Field(
        None, description="Why the service is exposed (business justification)."
    )
    tls: Tls | None = Field(None, description="TLS configuration of the service.")
    software: Software | None = Field(None, description="Software implementing the service.")
    vulnerabilities: list[Vulnerability] | None = Field(
        None, description="Known vulnerabilities not yet fixed."
    )
    audience: list[Audience] | None = Field(
        None,
        description="Who uses the service: health_professionals (outside the organisation's "
        "staff, e.g. referring doctors), patients, staff, partners, machines.",
    )
    professional_authentication: ProfessionalAuthentication | None = Field(
        None,
        description="How health professionals authenticate: pro_sante_connect, e_cps, cps "
        "(the CPS smart card), local_mfa (the service's own second factor) or password.",
    )
    vulnerabilities_reviewed: IsoDate | None = Field(
        None,
        description="Date of the last vulnerability scan or vendor-advisory review that the "
        "`vulnerabilities` list reflects (YYYY-MM-DD), to show the list is current: PAT-002 "
        "and PAT-003 fail a review older than their limit (31 and 14 days by default).",
    )
    peers: list[StrictStr] | None = Field(
        None,
        description="For a site-to-site interconnection (`role: site_to_site`): the addresses "
        "or networks of the remote peers allowed to connect.",
    )
    notes: StrictStr | None = Field(None, description=_NOTES, json_schema_extra=_NOTES_INFO)


# --------------------------------------------------------------------------------------------
# firewalls
# --------------------------------------------------------------------------------------------


class Firmware(Strict):
    """Firmware of a firewall."""

    product: StrictStr | None = Field(
        None,
        description="Name of the firmware product as its vendor and the CISA KEV catalogue "
        'name it ("FortiOS", "PAN-OS", "Adaptive Security Appliance"): KEV entries are '
        "matched by the firewall's vendor and this product (EVD-009).",
    )
    version: StrictStr | None = Field(
        None,
        description='Firmware version, as a string ("7.2.8").',
        json_schema_extra=informational(_WHY_9),
    )
    end_of_support: IsoDate | None = Field(
        None, description="Last day of vendor support for this firmware, inclusive (YYYY-MM-DD)."
    )


# The pattern is hdsguard.declarations.advice.RULE_PORT_PATTERN (its located message).
RulePort = Annotated[
    str,
    StringConstraints(
        strict=True, pattern=r"^([Aa][Nn][Yy]|[Aa][Ll][Ll]|\*|[0-9]{1,5}-[0-9]{1,5})$"
    ),
]


class FirewallRule(Strict):
    """A filtering rule of a firewall."""

    from_: StrictStr | None = Field(
        None, alias="from", description='Source zone, network or address ("any" for any).'
    )
    to: StrictStr | None = Field(
        None, description='Destination zone, network or address ("any" for any).'
    )
    port: Port | RulePort | None = Field(
        None,
        description='Destination port (1 to 65535), a range "8000-8080", or "any" (also "all" '
        'or "*", in any case, as firewall exports write it); absent means any port. '
        "A range's ends run from 0 to 65535 (port 0 is no destination "
        'port: "0-65535" is every port, "0-0" none, and refused); digits are ASCII.',
    )
    action: FirewallRuleAction | None = Field(
        None, description="Whether the rule allows or denies the traffic."
    )
    notes: StrictStr | None = Field(None, description=_NOTES, json_schema_extra=_NOTES_INFO)


class Firewall(Strict):
    """A firewall."""

    id: Id = Field(description="Identifier of the firewall, unique among firewalls.")
    vendor: StrictStr | None = Field(
        None,
        description="Manufacturer of the firewall.",
        json_schema_extra=informational(_IDENTIFIES),
    )
    model: StrictStr | None = Field(
        None, description="Model of the firewall.", json_schema_extra=informational(_IDENTIFIES)
    )
    internet_facing: StrictBool | None = Field(
        None, description="Whether the firewall is connected to the Internet."
    )
    firmware: Firmware | None = Field(None, description="Firmware running on the firewall.")
    last_patch: IsoDate | None = Field(
        None, description="Date of the last firmware or security patch (YYYY-MM-DD)."
    )
    last_rule_review: IsoDate | None = Field(
        None, description="Date of the last review of the rule set (YYYY-MM-DD)."
    )
    management_exposed: StrictBool | None = Field(
        None,
        description="Whether the management interface is reachable from the Internet.",
    )
    vulnerabilities: list[Vulnerability] | None = Field(
        None, description="Known vulnerabilities not yet fixed."
    )
    vulnerabilities_reviewed: IsoDate | None = Field(
        None,
        description="Date of the last vulnerability scan or vendor-advisory review that the "
        "`vulnerabilities` list reflects (YYYY-MM-DD), to show the list is current: PAT-002 "
        "and PAT-003 fail a review older than their limit (31 and 14 days by default).",
    )
    rules: list[FirewallRule] | None = Field(None, description="Filtering rules (optional).")
    notes: StrictStr | None = Field(None, description=_NOTES, json_schema_extra=_NOTES_INFO)


# --------------------------------------------------------------------------------------------
# certificates
# --------------------------------------------------------------------------------------------


class Certificate(Strict):
    """A TLS certificate."""

    id: Id = Field(description="Identifier of the certificate, unique among certificates.")
    subject: StrictStr | None = Field(
        None,
        description="Subject (common name or main DNS name) of the certificate.",
        json_schema_extra=informational(_IDENTIFIES),
    )
    not_before: IsoDate | None = Field(
        None, description="First day of validity of the certificate (YYYY-MM-DD)."
    )
    not_after: IsoDate = Field(
        description="Last valid day of the certificate, inclusive (YYYY-MM-DD)."
    )
    public: StrictBool | None = Field(
        None, description="Whether it is issued by a publicly trusted certification authority."
    )
    signature_algorithm: StrictStr | None = Field(
        None, description="Signature algorithm of the certificate (sha256WithRSAEncryption)."
    )
    issuer: StrictStr | None = Field(
        None,
        description="Common name of the issuing certification authority (compared with the "
        "certificate a server presents, see docs/evidence.md).",
    )
    sha256: Sha256Fingerprint | None = Field(
        None,
        description="SHA-256 fingerprint of the certificate (64 hexadecimal digits, colons "
        "allowed): the surest way to match the certificate a server presents.",
    )
    notes: StrictStr | None = Field(None, description=_NOTES, json_schema_extra=_NOTES_INFO)


# --------------------------------------------------------------------------------------------
# detection, messaging, biomedical (singletons)
# --------------------------------------------------------------------------------------------


class Edr(Strict):
    """Endpoint detection and response (EDR) coverage, as measured on a given day."""

    servers_percent: Percent | None = Field(
        None, description="Share of servers, in percent, on which the EDR agent is active."
    )
    workstations_percent: Percent | None = Field(
        None, description="Share of workstations, in percent, on which the EDR agent is active."
    )
    measured: IsoDate | None = Field(
        None,
        description="Date the coverage figures were measured, e.g. from the EDR console "
        "(YYYY-MM-DD).",
    )


class Detection(Strict):
    """Detection of attacks on servers and workstations (singleton section)."""

    edr: Edr | None = Field(None, description="EDR coverage of servers and workstations.")
    alert_handling: AlertHandling | None = Field(
        None,
        description="When security alerts are handled by someone able to act (an internal or "
        "outsourced SOC): round_the_clock (24/7), business_hours, or none.",
    )
    notes: StrictStr | None = Field(None, description=_NOTES, json_schema_extra=_NOTES_INFO)


class MailDomain(Strict):
    """An e-mail domain of the organisation and its DMARC policy."""

    name: StrictStr = Field(description="The domain name (chvalmont.fr).")
    dmarc: DmarcPolicy | None = Field(
        None,
        description="The published DMARC policy (p=): none, quarantine or reject; absent when "
        "the domain publishes no DMARC record.",
    )


class Messaging(Strict):
    """E-mail: how health data is sent, and the organisation's domains (singleton section)."""

    health_data_email: HealthDataEmail | None = Field(
        None,
        description="How health data leaves by e-mail: mssante_only (only through MSSanté "
        "mailboxes), also_ordinary_email, or not_sent (never by e-mail).",
    )
    domains: list[MailDomain] | None = Field(
        None, description="Every e-mail domain of the organisation, with its DMARC policy."
    )
    notes: StrictStr | None = Field(None, description=_NOTES, json_schema_extra=_NOTES_INFO)


class Biomedical(Strict):
    """Network-connected biomedical devices (singleton section)."""

    connected_devices: StrictBool | None = Field(
        None,
        description="Whether the organisation runs biomedical devices connected to its network "
        "(imaging modalities, analysers, infusion pumps, monitors).",
    )
    inventory_updated: IsoDate | None = Field(
        None,
        description="Date of the last update of the inventory of connected biomedical devices "
        "(YYYY-MM-DD).",
    )
    segmented: StrictBool | None = Field(
        None,
        description="Whether connected biomedical devices sit on dedicated network segments, "
        "filtered from the office network and without direct Internet access.",
    )
    notes: StrictStr | None = Field(None, description=_NOTES, json_schema_extra=_NOTES_INFO)


# --------------------------------------------------------------------------------------------
# a declaration file
# --------------------------------------------------------------------------------------------


class DeclarationFile(Strict):
    """One hdsguard declaration file: any subset of the sections."""

    version: FormatVersion | None = Field(
        None, description="Version of the declaration format; only 1 exists."
    )
    organisation: Organisation | None = Field(
        None, description="The organisation whose infrastructure is declared."
    )
    identity: Identity | None = Field(None, description="Identity and access management.")
    logging: Logging | None = Field(None, description="Security logging.")
    providers: list[Provider] | None = Field(
        None, description="Hosting and IT providers that host or run systems."
    )
    systems: list[System] | None = Field(None, description="Applications and information systems.")
    services: list[Service] | None = Field(
        None, description="Network services: what can be reached, and from where."
    )
    firewalls: list[Firewall] | None = Field(None, description="Firewalls.")
    vendors: list[Vendor] | None = Field(
        None, description="Subcontractors with access to systems or data."
    )
    certificates: list[Certificate] | None = Field(None, description="TLS certificates.")
    detection: Detection | None = Field(
        None, description="Detection: EDR coverage and alert handling."
    )
    messaging: Messaging | None = Field(
        None, description="E-mail: MSSanté for health data, DMARC on the domains."
    )
    biomedical: Biomedical | None = Field(None, description="Network-connected biomedical devices.")


SECTION_MODELS: dict[str, type[Strict]] = {
    "organisation": Organisation,
    "identity": Identity,
    "logging": Logging,
    "providers": Provider,
    "systems": System,
    "services": Service,
    "firewalls": Firewall,
    "vendors": Vendor,
    "certificates": Certificate,
    "detection": Detection,
    "messaging": Messaging,
    "biomedical": Biomedical,
}
"""Section name -> model of the section (singletons) or of one item (list sections)."""


# --------------------------------------------------------------------------------------------
# field names at a location (for "did you mean" hints)
# --------------------------------------------------------------------------------------------


def _unwrap(annotation: Any) -> Any:
    """Strip ``Annotated`` and ``Optional`` wrappers from a type annotation."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin is Union or origin is types.UnionType:
            members = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def field_names(model: type[BaseModel], path: Sequence[str | int]) -> list[str]:
    """Allowed keys of the model found at ``path`` inside ``model``.

    ``path`` is a location as in a pydantic error's ``loc`` (keys and list indexes), e.g.
    ``("firewalls", 0, "firmware")``. Keys are given as written in files (aliases, such as
    ``from``). Returns ``[]`` when the path does not lead to a model.
    """
    current: Any = model
    for step in path:
        current = _unwrap(current)
        if isinstance(step, int) and not isinstance(step, bool):
            if get_origin(current) not in (list, tuple, Sequence):
                return []
            args = get_args(current)
            if not args:
                return []
            current = args[0]
        elif isinstance(step, str) and _is_model(current):
            fields = current.model_fields
            match = next(
                (info for name, info in fields.items() if (info.alias or name) == step), None
            )
            if match is None:
                return []
            current = match.annotation
        elif isinstance(step, str) and get_origin(current) is dict and len(get_args(current)) == 2:
            current = get_args(current)[1]  # a mapping's value (`translations.fr`)
        else:
            return []
    current = _unwrap(current)
    if not _is_model(current):
        return []
    return [info.alias or name for name, info in current.model_fields.items()]
