"""``hdsguard init``: the files a new organisation starts from.

From a few answers (name, kind, hosting, services exposed to the Internet, CI) it writes a
commented declaration skeleton, a ``.hdsguard.yaml``, a ``.pre-commit-config.yaml`` and a CI
job. The skeleton is valid and deliberately incomplete: every field whose value only the
organisation knows is left commented out, so the first ``hdsguard check`` fails with the list of
evidence to gather (a pass must be earned), never with an invalid-input error.

Nothing is overwritten unless asked (``force``), and the files appear together or not at all:
each is written to a temporary file beside its target (:mod:`hdsguard.atomic`), then all are
renamed. An infra repository often has its own ``.pre-commit-config.yaml`` or CI job already:
``skip_existing`` keeps every existing file untouched and writes the others, and the caller
shows what to merge by hand.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hdsguard.atomic import replacing_text
from hdsguard.declarations.files import cannot_write_text
from hdsguard.errors import InputError, Problem
from hdsguard.i18n import N_, _

KINDS = (
    "hospital",
    "ght",
    "clinic",
    "medical_laboratory",
    "imaging_centre",
    "medico_social",
    "health_software_vendor",
    "other",
)
HOSTING = ("premises", "provider")
CI = ("github", "gitlab", "none")
# Usual port of each protocol one may expose; anything else gets a commented port.
PORTS: Mapping[str, int] = {
    "https": 443,
    "http": 80,
    "ssh": 22,
    "sftp": 22,
    "ftp": 21,
    "ftps": 990,
    "rdp": 3389,
    "openvpn": 1194,
    "ipsec": 500,
    "wireguard": 51820,
    "smtp": 25,
    "imap": 993,
    "dicom": 104,
    "hl7": 2575,
    "vnc": 5900,
    "smb": 445,
}
# The role a service of that protocol usually has, as a hint to correct.
ROLES: Mapping[str, str] = {
    "https": "web",
    "http": "web",
    "ssh": "admin",
    "sftp": "file_transfer",
    "ftp": "file_transfer",
    "ftps": "file_transfer",
    "rdp": "remote_access",
    "vnc": "remote_access",
    "openvpn": "remote_access",
    "ipsec": "remote_access",
    "wireguard": "remote_access",
}
# The system holding health data that an organisation of each kind is first asked about, so
# that an imaging centre starts from its PACS rather than from a hospital's patient record.
MAIN_SYSTEMS: Mapping[str, tuple[str, str]] = {
    "imaging_centre": ("pacs", "RIS / PACS"),
    "medical_laboratory": ("sil", "Système d'information de laboratoire (SIL)"),
    "medico_social": ("dui", "Dossier usager informatisé"),
    "health_software_vendor": ("platform", "Plateforme hébergée"),
}
MAIN_SYSTEM = ("dpi", "Dossier patient informatisé")
# Who usually uses a service of that role, and how it authenticates them: a hint to correct,
# never "patients" on a VPN nor a password on SSH.
AUDIENCES: Mapping[str, str] = {"web": "patients", "file_transfer": "partners"}
AUTHENTICATIONS: Mapping[str, str] = {
    "ssh": "key",
    "sftp": "key",
    "openvpn": "certificate",
    "ipsec": "certificate",
    "wireguard": "key",
}
CI_FILES = {"github": ".github/workflows/hdsguard.yml", "gitlab": ".gitlab/hdsguard.gitlab-ci.yml"}

# Every sentence a user reads from this module, in one place (translation wraps these).
MSG_EXISTS = N_(
    "already exists: pass --skip-existing to keep it and write the other files, "
    "or --force to overwrite it"
)
MSG_UNKNOWN_PROTOCOL = N_("unknown protocol {name!r} in --expose; choose from {choices}")
MSG_DID_YOU_MEAN = N_(
    "unknown protocol {name!r} in --expose; did you mean {match!r}? (choose from {choices})"
)

# The skeleton's comments, in the run's language: a French RSSI fills in French guidance. The
# field names and the values they take stay as the schema spells them.
C_ORG_HEAD = N_(
    "Who you are, identity and logging. Field reference: `hdsguard schema --markdown`\n"
    "(hdsguard's docs/declarations.md). Uncomment a field once you hold the evidence for it:\n"
    "a rule whose evidence is missing fails and says what to declare."
)
C_FINESS = N_("FINESS numbers, 9 characters, quoted")
C_PSSI = N_("last review of the PSSI")
C_RESTORE_HOURS = N_("how long the restore of the exercise took")
C_MFA_ADMIN = N_("MFA for every administrator account")
C_MFA_REMOTE = N_("MFA for every remote access")
C_ADMIN_INTERNET = N_("administration workstations without Internet")
C_ADS_LEVEL = N_("ANSSI AD control points level, 1 to 5")
C_NOTES = N_("Fill in as the evidence is gathered.")
C_SYSTEMS_HEAD = N_(
    "Applications, and the providers that host them. Every item has an `id` (lower case,\n"
    "digits, `.`, `_`, `-`), unique in its section; items refer to each other by id."
)
C_SERVICES_BOUGHT = N_(
    "what you buy: colocation, dedicated_servers, iaas, paas, managed_services, saas, backup"
)
C_HDS = N_("its HDS certificate (required to host health data)")
C_CERTIFIER = N_("the accredited body that certified it")
C_TRANSPARENCY = N_("its page on transfers")
C_LAWS = N_('non-EU laws it discloses (e.g. "US: CLOUD Act")')
C_HOSTED_BY = N_("the id of its provider, above")
C_VENDORS = N_("subcontractors with access to systems or data; `vendors: []` if none")
C_NO_SERVICES = N_("none reachable from the Internet or partners, as answered")
C_CERTIFICATES = N_(
    "the TLS certificates the Internet services present; `certificates: []` if none is yours"
)
C_NETWORK_HEAD = N_("What can be reached from where, and the firewalls in front of it.")
C_SERVES = N_("the system it serves")
C_HOST = N_("its public name or address")
C_OWNER = N_("the person or team accountable for it")
C_PURPOSE = N_("why it is exposed")
C_LAST_PATCH = N_("date of the last firmware or security patch")
C_CONFIG_HEAD = N_(
    "hdsguard configuration: a bare `hdsguard check` reads the declarations below.\n"
    "Reference: hdsguard's docs/configuration.md (or `hdsguard schema config`)."
)
C_LANG = N_("messages and reports: en or fr (`--lang` wins)")
C_POLICIES = N_("your own rules, beside the built-in ones")
C_FAIL_ON = N_("the gate threshold (default: low)")
C_PARAMS = N_("stricter than the default 90 days")
C_WAIVERS = N_("accepted risks (dérogations)")
C_BASELINE = N_("written by `hdsguard baseline`; `check` reads it once uncommented")
C_PRECOMMIT_HEAD = N_(
    "pre-commit (https://pre-commit.com): `pre-commit install`, then every commit runs\n"
    "hdsguard on the whole declaration set. This hook uses the hdsguard you\n"
    "installed; to let pre-commit install it instead, see the `hdsguard` hook in "
    "hdsguard's docs/ci.md."
)
C_ALWAYS_RUN = N_("a waiver, the config or the baseline changes the verdict too")
C_GITLAB_INCLUDE = N_("Add to .gitlab-ci.yml:  include: [{{local: {file}}}]")
C_PIN = N_("Pin a commit: replace @main with a commit sha (see hdsguard's docs/install.md).")
C_GITHUB_HEAD = N_(
    "hdsguard on every push and pull request: annotations, a job summary, code scanning."
)


def _head(message: str) -> str:
    """A translated paragraph as comment lines."""
    return "".join(f"# {line}\n" for line in _(message).splitlines())


@dataclass(frozen=True)
class Answers:
    name: str = "My organisation"
    kind: str = "clinic"
    hosting: str = "premises"
    provider: str = "Hosting provider"
    exposed: Sequence[str] = field(default_factory=tuple)
    declarations: str = "declarations"
    ci: str = "github"
    lang: str = "en"


def slug(text: str, default: str) -> str:
    """An id (``^[a-z0-9][a-z0-9._-]*$``) made from free text."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    made = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return made or default


def _q(text: str) -> str:
    """A YAML scalar that reads back as this exact string (JSON strings are YAML)."""
    import json  # only when files are written: not on every start of hdsguard

    return json.dumps(text, ensure_ascii=False)


def files(answers: Answers, protocols: Sequence[str]) -> dict[str, str]:
    """Path (relative to the target directory) -> content."""
    unknown = [p for p in answers.exposed if p not in protocols]
    if unknown:
        import difflib

        choices = ", ".join(protocols)
        close = difflib.get_close_matches(unknown[0], protocols, n=1)
        message = (
            _(MSG_DID_YOU_MEAN).format(name=unknown[0], match=close[0], choices=choices)
            if close
            else _(MSG_UNKNOWN_PROTOCOL).format(name=unknown[0], choices=choices)
        )
        raise InputError([Problem("--expose", None, None, message)])
    decl = answers.declarations.strip("/") or "declarations"
    out = {
        f"{decl}/organisation.yaml": _organisation(answers),
        f"{decl}/systems.yaml": _systems(answers),
        f"{decl}/network.yaml": _network(answers),
        ".hdsguard.yaml": _config(decl, answers.lang),
        ".pre-commit-config.yaml": _precommit(),
    }
    if answers.ci != "none":
        out[CI_FILES[answers.ci]] = _ci(answers.ci)
    return out


def existing(root: Path, contents: Mapping[str, str]) -> list[str]:
    """The relative paths among ``contents`` that already exist under ``root``."""
    return [rel for rel in contents if (root / rel).exists()]


def write_all(root: Path, contents: Mapping[str, str], *, force: bool) -> list[Path]:
    """Write every file or none: refuse existing ones (unless ``force``), then rename together."""
    targets = {root / rel: text for rel, text in contents.items()}
    if not force:
        taken = [Problem(str(p), None, None, _(MSG_EXISTS)) for p in targets if p.exists()]
        if taken:
            raise InputError(taken)
    try:
        # Every file staged before any is renamed: on a refusal, none is replaced.
        with contextlib.ExitStack() as staged:
            for path, text in targets.items():
                path.parent.mkdir(parents=True, exist_ok=True)
                staged.enter_context(replacing_text(path)).write(text)
    except OSError as exc:
        reason = cannot_write_text(exc)
        raise InputError([Problem(str(exc.filename or root), None, None, reason)]) from None
    return list(targets)


def _organisation(a: Answers) -> str:
    return f"""\
{_head(C_ORG_HEAD)}version: 1

organisation:
  name: {_q(a.name)}
  kind: {a.kind}
  # finess: {{ej: "000000000", et: ["000000000"]}}   # {_(C_FINESS)}
  # security_officer: {{name: "…", email: rssi@example.org}}
  # dpo: {{name: "…", email: dpo@example.org}}
  # security_policy_reviewed: YYYY-MM-DD   # {_(C_PSSI)}
  # risk_analysis: YYYY-MM-DD
  # last_security_audit: YYYY-MM-DD
  # last_pentest: YYYY-MM-DD
  # last_exposure_scan: YYYY-MM-DD
  # continuity_plan: {{exists: true, business_impact_analysis: true, last_test: YYYY-MM-DD}}
  # incident_procedure: {{ars_cert_sante: true, cnil_72h: true, register: true}}
  # crisis_exercise:
  #   date: YYYY-MM-DD
  #   scenarios: [ransomware]
  #   degraded_mode: true
  #   measured_restore_hours: 24         # {_(C_RESTORE_HOURS)}
  # nis2:
  #   category: important                # essential, important, not_concerned
  #   registered: YYYY-MM-DD
  #   early_warning_hours: 24
  #   notification_hours: 72
  #   final_report_days: 30
  # gdpr: {{public_body: false, large_scale_health_data: true, record_of_processing: YYYY-MM-DD}}

identity:
  # mfa_admin: true                      # {_(C_MFA_ADMIN)}
  # mfa_remote: true                     # {_(C_MFA_REMOTE)}
  # default_credentials_changed: true
  # admin_workstations_internet: false   # {_(C_ADMIN_INTERNET)}
  # admin_accounts: {{dedicated: true, individual: true}}
  # inactive_disable_days: 90
  # active_directory:
  #   krbtgt_last_reset: YYYY-MM-DD
  #   ads_level: 3                       # {_(C_ADS_LEVEL)}
  #   tier0_isolated: true
  #   admin_via_bastion: true
  #   local_admin_passwords: laps
  notes: {_q(_(C_NOTES))}

logging:
  # centralised: true
  # ntp: true
  # transport_encrypted: true
  # health_data_access_logged: true
  # remote_access_traces_centralised: true
  # retention_days: 180
  # last_access_review: YYYY-MM-DD
  notes: {_q(_(C_NOTES))}

# detection:
#   edr: {{servers_percent: 100, workstations_percent: 100, measured: YYYY-MM-DD}}
#   alert_handling: round_the_clock      # round_the_clock, business_hours, none
# messaging:
#   health_data_email: mssante_only      # mssante_only, also_ordinary_email, not_sent
#   domains: [{{name: example.org, dmarc: reject}}]
# biomedical:
#   connected_devices: true
#   inventory_updated: YYYY-MM-DD
#   segmented: true
"""


def _systems(a: Answers) -> str:
    system, system_name = MAIN_SYSTEMS.get(a.kind, MAIN_SYSTEM)
    text = _head(C_SYSTEMS_HEAD) + "version: 1\n"
    hosted = ""
    if a.hosting == "provider":
        pid = slug(a.provider, "hosting-provider")
        hosted = f"\n    hosted_by: {pid}  # {_(C_HOSTED_BY)}"
        text += f"""
providers:
  - id: {pid}
    name: {_q(a.provider)}
    # {_(C_SERVICES_BOUGHT)}
    services: [iaas]
    # hds:                             # {_(C_HDS)}
    #   certificate: "…"
    #   certifier: "…"                 # {_(C_CERTIFIER)}
    #   activities: [1, 2, 3, 4, 5, 6]
    #   referential: v2
    #   valid_from: YYYY-MM-DD
    #   valid_until: YYYY-MM-DD
    #   last_surveillance_audit: YYYY-MM-DD
    #   transparency_url: https://provider.example/transparency   # {_(C_TRANSPARENCY)}
    # storage_countries: [FR]
    # remote_access_countries: [FR]
    # third_country_laws: []           # {_(C_LAWS)}
    # contract:
    #   signed: YYYY-MM-DD
    #   dpa: true
    #   hds_clauses: true
    #   reversibility: true
    #   audit_right: true
    #   breach_notice_hours: 48
"""
    return (
        text
        + f"""
systems:
  - id: {system}
    name: {_q(system_name)}
    health_data: true
    criticality: critical              # low, medium, high, critical{hosted}
    # end_of_support: YYYY-MM-DD
    # dpia: YYYY-MM-DD
    # backup:
    #   last_success: YYYY-MM-DD
    #   last_restore_test: YYYY-MM-DD
    #   monitored: true
    #   offline_or_immutable: true
    #   offsite: true
    #   encrypted: true
    #   isolated: true
    #   auth_independent: true
    #   mfa: true
    # ins: {{exchanged: true, qualified: true}}

# vendors:                             # {_(C_VENDORS)}
#   - id: editor
#     name: "…"
#     country: FR
#     systems: [{system}]
#     processes_personal_data: true
#     health_data_access: true
#     stores_health_data: false
#     subprocessors: []
#     last_audit: YYYY-MM-DD
#     contract: {{dpa: true, breach_notice_hours: 48}}
"""
    )


def _network(a: Answers) -> str:
    system = MAIN_SYSTEMS.get(a.kind, MAIN_SYSTEM)[0]
    text = _head(C_NETWORK_HEAD) + "version: 1\n"
    if not a.exposed:
        text += f"\n# services: []                       # {_(C_NO_SERVICES)}\n"
    if a.exposed:
        text += "\nservices:\n"
        for protocol in a.exposed:
            port = PORTS.get(protocol)
            port_line = f"port: {port}" if port else "# port: 443"
            host = f"host: {protocol}.example.org".ljust(35)
            kind = ROLES.get(protocol, "other")
            role = f"# role: {kind}".ljust(35)
            audience = f"# audience: [{AUDIENCES.get(kind, 'staff')}]".ljust(35)
            auth = f"# authentication: {AUTHENTICATIONS.get(protocol, 'password')}".ljust(35)
            text += f"""\
  - id: internet-{protocol}
    {f"system: {system}":<35}# {_(C_SERVES)}
    {host}# {_(C_HOST)}
    {port_line}
    protocol: {protocol}
    exposure: internet                 # internet, partner, internal
    # via: direct                      # direct, vpn, reverse_proxy, bastion
    {role}# web, file_transfer, remote_access, admin, api, other
    # owner: "…"                       # {_(C_OWNER)}
    # purpose: "…"                     # {_(C_PURPOSE)}
    {auth}# none, anonymous, password, key, certificate
    # mfa: true
    {audience}# health_professionals, patients, staff, partners, machines
    # tls: {{min_version: "1.2"}}
    # software: {{name: "…", version: "…", end_of_support: YYYY-MM-DD}}
    # vulnerabilities: []
    # vulnerabilities_reviewed: YYYY-MM-DD
"""
    return (
        text
        + f"""
firewalls:
  - id: fw-edge-1
    internet_facing: true
    # vendor: "…"
    # firmware: {{version: "…", end_of_support: YYYY-MM-DD}}
    # last_patch: YYYY-MM-DD             # {_(C_LAST_PATCH)}
    # last_rule_review: YYYY-MM-DD
    # management_exposed: false
    # vulnerabilities: []
    # vulnerabilities_reviewed: YYYY-MM-DD
    # rules:
    #   - {{from: internet, to: reverse-proxy, port: 443, action: allow}}
    #   - {{from: any, to: any, action: deny}}

# certificates:                        # {_(C_CERTIFICATES)}
#   - id: www
#     subject: www.example.org
#     not_before: YYYY-MM-DD
#     not_after: YYYY-MM-DD
#     public: true
#     signature_algorithm: sha256WithRSAEncryption
"""
    )


def _config(decl: str, lang: str) -> str:
    # Whoever ran init in French reads the reports in French: the config keeps the language,
    # so that a bare `hdsguard check`, the hook and the CI job do too.
    lang_line = "# lang: fr" if lang == "en" else f"lang: {lang}"
    return f"""\
{_head(C_CONFIG_HEAD)}version: 1
declarations: [{decl}]
{lang_line:<45}# {_(C_LANG)}
# policies: [policies]                       # {_(C_POLICIES)}
# fail_on: high                              # {_(C_FAIL_ON)}
# params:
#   FW-001: {{max_patch_age_days: 30}}        # {_(C_PARAMS)}
# waivers: waivers.yaml                      # {_(C_WAIVERS)}
# baseline: .hdsguard-baseline.json          # {_(C_BASELINE)}
"""


def _precommit() -> str:
    return f"""\
{_head(C_PRECOMMIT_HEAD)}repos:
  - repo: local
    hooks:
      - id: hdsguard
        name: hdsguard check
        entry: hdsguard check
        language: system
        pass_filenames: false
        always_run: true  # {_(C_ALWAYS_RUN)}
"""


def _ci(kind: str) -> str:
    install = 'pip install "hdsguard @ git+https://github.com/hdsguard/hdsguard@main"'
    if kind == "gitlab":
        include = _(C_GITLAB_INCLUDE).format(file=CI_FILES["gitlab"])
        return f"""\
{_head(include)}{_head(C_PIN)}hdsguard:
  stage: test
  image: python:3.12-slim
  script:
    - apt-get update -qq && apt-get install -y -qq git
    - {install}
    - hdsguard check --format text --format junit=hdsguard-junit.xml --format markdown=hdsguard.md
  artifacts:
    when: always
    paths:
      - hdsguard.md
    reports:
      junit: hdsguard-junit.xml
"""
    return f"""\
{_head(C_GITHUB_HEAD)}{_head(C_PIN)}name: hdsguard
on:
  push:
    branches: [main]
  pull_request:
permissions:
  contents: read
jobs:
  hdsguard:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      security-events: write
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: {install}
      - name: hdsguard check
        run: >-
          hdsguard check
          --format github
          --format sarif=hdsguard.sarif
          --format markdown=hdsguard.md
      - name: Job summary
        if: always()
        run: cat hdsguard.md >> "$GITHUB_STEP_SUMMARY"
      - name: Upload to code scanning
        if: always()
        uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: hdsguard.sarif
          category: hdsguard
"""
