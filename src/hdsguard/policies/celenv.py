"""The CEL environment policies run in: variables, and the helper functions rules need.

One environment per process; helpers read the evaluation date and the declaration set from a
context that the engine rebinds per run (and per inline test case), so that every policy is
compiled once and never per target.

:data:`SECTIONS_READ` says which sections each helper reads, and the context holds every
helper to it: a helper registered with sections may read those only, through one accessor
(:meth:`Context.section`) that raises :class:`SectionNotAllowed` on any other (the pair is
then an ``error`` finding); outside a helper, and in a helper that reads none, nothing may be
read. The findings memo keys a rule's findings on the files declaring the sections its
helpers read (:mod:`hdsguard.policies.locality`), so a helper reading more than its entry
says would make it serve stale verdicts: it fails loudly instead.
"""

from __future__ import annotations

import calendar
import datetime
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from cel_expr_python import cel

from hdsguard import data, i18n, l10n
from hdsguard.declarations.sections import EVIDENCE_SECTIONS
from hdsguard.evidence import match
from hdsguard.isodate import declared_day
from hdsguard.policies import addresses, anytoany, hdscert, valuewords
from hdsguard.policies.owntwins import OWN_PATHS, OWN_TARGET, TWIN_OF, own_twin
from hdsguard.policies.placeholders import (
    cve_key,
    cve_year,
    is_placeholder,
    published_contradicted_by,
    vulnerability_id_flaw,
)

_S, _I, _B, _D, _L = cel.Type.STRING, cel.Type.INT, cel.Type.BOOL, cel.Type.DYN, cel.Type.LIST

VARIABLES = {
    "self": _D,  # the target object
    "params": _D,  # the policy's parameters, defaults merged with overrides
    "now": _S,  # the evaluation date, YYYY-MM-DD
    "target": _S,  # the target's name, section/id
    "decl": _D,  # the whole declaration set, one key per section
}


_date = declared_day


def months_before(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved ``months`` calendar months back (forward when negative): the same day of
    the month, or that month's last day when it has no such day (2024-03-31 less 1 month is
    2024-02-29, 2026-02-28 less 12 is 2025-02-28). A limit of N months holds for a date on or
    after this day: a review exactly 24 months old passes a 24-month limit, whatever the
    number of days (730 or 731 across a 29 February)."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise ValueError(f"months_before: {months} months from {day} is out of range")
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last))


def months_since(day: datetime.date, today: datetime.date) -> int:
    """Whole calendar months from ``day`` to ``today``, as :func:`months_before` counts them:
    the largest N with ``months_before(today, N) >= day`` (negative for a later ``day``). A
    review made exactly 24 months ago is 24 months old, one made a day earlier too (24 months
    and a day: over a 24-month limit, which :func:`months_before` decides)."""
    months = (today.year - day.year) * 12 + today.month - day.month
    return months if months_before(today, months) >= day else months - 1


def luhn_valid(digits: str) -> bool:
    """Luhn check; Corsican FINESS ``2A``/``2B`` count as ``20`` (a design default)."""
    text = digits.upper().replace("2A", "20", 1).replace("2B", "20", 1)
    if not text.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(text)):
        n = int(ch)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def finess_valid(number: str) -> bool:
    return len(number) == 9 and luhn_valid(number)


# How many characters a FINESS number has; the first two are the département, where Corsica's
# 2A and 2B are the only letters (domain.md, section 2).
FINESS_LENGTH = 9


def finess_text(value: Any) -> str:
    """The characters of a FINESS number as declared: a text as it is, an integer (a YAML
    number written without quotes) as its decimal digits."""
    return value if isinstance(value, str) else str(value)


def finess_position(value: Any) -> int:
    """The position (1-based) of the first character of ``value`` not allowed where it is,
    else 0: digits everywhere, but ``A`` or ``B`` second after a ``2`` (Corsica)."""
    text = finess_text(value)
    for i, ch in enumerate(text):
        if ch in "0123456789":
            continue
        if i == 1 and ch in "AB" and text[0] == "2":
            continue
        return i + 1
    return 0


def finess_flaw(value: Any) -> str:
    """What is wrong with a declared FINESS number, or "" when it is well-formed:
    ``digits_lost`` (an integer of fewer than 9 digits: YAML read an unquoted number and
    dropped its leading zeros), ``character`` (a character not allowed where it is,
    :func:`finess_position`; the length may be wrong too), ``length`` (digits, but not 9),
    ``luhn`` (a wrong check digit). A stray character comes before the length: in
    ``"7507 12184"`` the space is what to fix, not the count."""
    text = finess_text(value)
    if isinstance(value, int) and value >= 0 and len(text) < FINESS_LENGTH:
        return "digits_lost"
    if finess_position(text):
        return "character"
    if len(text) != FINESS_LENGTH:
        return "length"
    return "" if luhn_valid(text) else "luhn"


def finess_check_digit(value: Any) -> int:
    """The check digit that would make a FINESS number with these first eight characters
    pass, or -1 when none would (they are not eight well-formed characters)."""
    head = finess_text(value)[: FINESS_LENGTH - 1]
    return next((d for d in range(10) if finess_flaw(f"{head}{d}") == ""), -1)


def finess_flawed(numbers: Any) -> list[int]:
    """The indexes of the malformed FINESS numbers of a list (``finess.et``)."""
    if not isinstance(numbers, list):
        return []
    return [i for i, n in enumerate(numbers) if finess_flaw(n)]


# Domains no mail can reach (RFC 2606, RFC 6761): `.invalid` never resolves, `.test` is for
# testing, `localhost` is this very machine. The documentation names (`example.com`, `.net`,
# `.org` and the `.example` TLD) are not among them: the shipped examples and the rules' own
# cases use them for invented organisations, and they are a design choice left to the
# reader's judgement (docs/fidelity.md).
UNREACHABLE_TLDS = frozenset({"invalid", "test", "localhost"})


def email_flaw(address: str) -> str:
    """Why ``address`` reaches nobody, or "" when nothing shows it: ``placeholder`` (its
    local part or domain is blank or a placeholder: ``tbd@tbd``, ``x@hopital.fr``),
    ``no_dot`` (a domain without a dot, no mail host on the Internet: ``rssi@intranet``),
    ``reserved`` (a domain reserved so that it never reaches anyone: ``.invalid``, ``.test``,
    ``localhost``)."""
    local, _at, domain = address.strip().rpartition("@")
    name = domain.strip().rstrip(".").lower()
    if is_placeholder(local) or is_placeholder(name) or is_placeholder(name.split(".")[0]):
        return "placeholder"
    labels = name.split(".")
    if labels[-1] in UNREACHABLE_TLDS:
        return "reserved"
    if len(labels) < 2:
        return "no_dot"
    return ""


_NONE: frozenset[str] = frozenset()
_EVIDENCE = frozenset(EVIDENCE_SECTIONS)

# Helpers that read only their arguments (and the evaluation date, the data tables); FW-004's
# three, given `target`, the target's own rules (and `internet_facing`: Context.own refuses any
# other name).
_PURE = (
    "days_since", "days_until", "days_between", "months_before", "months_since", "is_date",
    "in_eea", "eea_or_adequate_for",
    "is_adequate", "is_adequate_for", "adequacy_field", "country_name", "required_activities",
    "activity_name", "fr_de", "worded", "when", "hds_language",
    "is_cleartext", "is_high_risk", "is_remote_access", "is_tls_protocol", "tls_rank",
    "cabf_max_days", "is_sha2", "is_weak_signature", "regulatory_date", "luhn_valid",
    "is_placeholder", "vulnerability_id_flaw", "cve_key", "cve_year", "email_flaw",
    "published_contradicted_by",
    "finess_valid", "finess_flaw", "finess_text", "finess_position", "finess_check_digit",
    "finess_flawed", "get", "present", "index_of", "version_order", "same_signature",
    "observed_cleartext", "names_host", "predates_patch", "transports", "stale", "scan_age_limit",
    "names_product", "covers_any_address", "names_addresses", "covers_any_port", "any_to_any",
    "any_to_any_alone", "internet_to_any", "internet_every_port", "any_every_port",
    "rules_not_stated", "states_address",
    "hds_params_bound", "hds_any_to_any", "hds_any_to_any_alone",
    "hds_internet_to_any", "hds_internet_every_port", "hds_any_every_port",
    "cleartext_on_port",
    "is_cleartext_without_tls", "has_explicit_tls", "hds_flaws", "hds_flaw_text", "same_holder",
)  # fmt: skip

# The one definition of a stale scan: one that started more than EVD-004's
# `max_scan_age_days` before the evaluation date (its effective value: the organisation's
# override, else the policy's default). The evidence rules read it through `stale(date)` and
# `scan_age_limit()`, never a copy of the number (docs/evidence.md, "Stale scans").
SCAN_AGE_RULE = "EVD-004"
SCAN_AGE_PARAM = "max_scan_age_days"


def scan_age_limit(
    values: Mapping[str, Mapping[str, Any]],
    overrides: Mapping[str, Mapping[str, Any]] | None,
    default: int | None,
) -> int | None:
    """EVD-004's effective `max_scan_age_days`: from the run's parameters (``values``) when
    EVD-004 is evaluated, else its override, else the catalogue's default (a run of other
    rules, a policy's inline test, EVD-004 disabled: a stale scan stays stale). None: no
    EVD-004 in the catalogue, so no scan is stale."""
    own = values.get(SCAN_AGE_RULE)
    if own is None:
        own = (overrides or {}).get(SCAN_AGE_RULE, {})
    value = own.get(SCAN_AGE_PARAM, default)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


COUNTED = "#count"
"""Suffix of a read that sees only how many objects a section holds (`services#count`), -1 when
no file declares it (:func:`section_count`). The findings memo keys such a read on that number
alone, not on every file declaring the section: EXP-006 asks the organisation whether a
services inventory exists, and keyed on the services files it made every service of a
10k-object set evaluated again after a comment was added to one services file (0.36 s to
1.14 s for the pre-commit hook's usual case)."""


def section_count(items: Any) -> int:
    """How many objects a list section holds, -1 when it is absent (None): what a counted
    read (:data:`COUNTED`) sees. `services: []` is declared (0); an absent section is not."""
    return -1 if items is None else len(items)


# The sections each helper reads, whatever its arguments: every helper has an entry (a test
# checks it), those reading nothing an empty one. The context enforces it (Context.guard).
SECTIONS_READ: dict[str, frozenset[str]] = {
    **dict.fromkeys(_PURE, _NONE),
    "provider": frozenset({"providers"}),
    "system": frozenset({"systems"}),
    "certificate": frozenset({"certificates"}),
    "vendor": frozenset({"vendors"}),
    "systems_hosted_by": frozenset({"systems"}),
    "systems_backed_up_by": frozenset({"systems"}),
    "vendors_hosted_by": frozenset({"vendors"}),
    "provider_hds_flaws": frozenset({"providers"}),
    "provider_hds_flaw_text": frozenset({"providers"}),
    "services_of": frozenset({"services"}),
    "services_without_mfa": frozenset({"services"}),
    "service_ids_without_mfa": frozenset({"services"}),
    "service_field": frozenset({"services"}),
    "first_items": frozenset(),
    "internet_service_ids_on_premises": frozenset({"services", "systems"}),
    "internet_facing_firewall_ids": frozenset({"firewalls"}),
    "health_data_at": frozenset({"systems", "vendors", "providers"}),
    "health_data_refs": frozenset({"systems", "vendors", "providers"}),
    "holdings_declared": frozenset({"systems", "vendors"}),
    "activities_needed": frozenset({"providers", "vendors", "systems"}),
    "organisation_kind": frozenset({"organisation"}),
    "internet_services_on_premises": frozenset({"services", "systems"}),
    "internet_facing_firewalls": frozenset({"firewalls"}),
    "systems_count": frozenset({"systems"}),
    "systems_silent_on_health_data": frozenset({"systems"}),
    "services_count": frozenset({"services" + COUNTED}),
    "vendors_count": frozenset({"vendors" + COUNTED}),
    "certificates_count": frozenset({"certificates" + COUNTED}),
    "exposed_tls_service_ids": frozenset({"services"}),
    # Evidence helpers: the evidence they match, and the declarations they match it with (the
    # object a target name names: a service's ports, a certificate's observations).
    "evidence_ports_of": frozenset({"evidence_ports", "services"}),
    "evidence_hosts_of": frozenset({"evidence_hosts", "services"}),
    "services_at": frozenset({"evidence_ports", "services"}),
    "observed_certificates": frozenset({"evidence_certificates", "certificates", "services"}),
    "predating_certificates": frozenset({"evidence_certificates", "certificates", "services"}),
    "declared_certificates": frozenset({"evidence_certificates", "certificates", "services"}),
    "kev_entries": frozenset({"evidence_kev"}),
    "kev_entries_of": frozenset({"evidence_kev"}),
    "kev_entry": frozenset({"evidence_kev"}),
    "hds_registry_entry": frozenset({"evidence_hds_registry"}),
    "kev_added": frozenset({"evidence_kev"}),
    "evidence_files": frozenset({"evidence_files"}),
    "evidence_scans": frozenset({"evidence_scans"}),
    "evidence_count": _EVIDENCE,
    "evidence_given": _EVIDENCE,
}


# The helpers that read the evaluation date (through the context: no helper is given `now`).
# What an expression quotes through one of them, or through `now` itself, changes with the
# passing of days: a finding's reason leaves it out (hdsguard.policies.locality.reads_date).
# The context holds every helper to it: any other reading the date raises DateNotAllowed (the
# pair is then an `error` finding), so a helper added later cannot read it unlisted.
DATE_READ = frozenset(
    {
        "days_since",
        "days_until",
        "months_since",
        "stale",
        "hds_flaws",
        "hds_flaw_text",
        "provider_hds_flaws",
        "provider_hds_flaw_text",
        # The activities a host covers count only while its certificate counts (hdscert).
        "activities_needed",
    }
)

# The twins of the helpers called on the target's own name or field (policies.owntwins): a
# twin reads what its helper reads (SECTIONS_READ, DATE_READ: the helper's own entry, looked
# up when the environment is built).
SECTIONS_READ.update({twin: SECTIONS_READ[name] for twin, name in TWIN_OF.items()})
DATE_READ = DATE_READ | {twin for twin, name in TWIN_OF.items() if name in DATE_READ}


class SectionNotAllowed(RuntimeError):
    """A helper read a section its entry of SECTIONS_READ does not name."""


class DateNotAllowed(RuntimeError):
    """A helper read the evaluation date without being named in DATE_READ."""


@dataclass
class Context:
    """What the helpers see: rebound before each run.

    Every read of the declarations goes through :meth:`section` (or :meth:`lookup`, which
    checks the same), allowed only for the sections of the helper running (:meth:`guard`).
    """

    # The evaluation date, read by the helpers of DATE_READ only (:attr:`as_of`).
    _as_of: datetime.date = field(default_factory=datetime.date.today)
    # Whether the running helper may read the date (it is one of DATE_READ: :meth:`dating`).
    _dated: bool = False
    _sections: dict[str, Any] = field(default_factory=dict)
    _index: dict[str, dict[str, Any]] = field(default_factory=dict)
    # (section, key path) -> {id: objects whose key holds it}, built on first use: a scan per
    # call would make rules such as HDS-001 quadratic in the number of objects.
    _refs: dict[tuple[str, str], dict[str, list[Any]]] = field(default_factory=dict)
    # The sections the running helper (named by `helper`) may read: none outside a helper.
    allowed: frozenset[str] = _NONE
    helper: str = ""
    # Whether any evidence section holds an item: what ``evidence_given()`` answers.
    observed: bool = False
    # EVD-004's limit, in days, past which a scan is stale (None: none known, none is).
    scan_age_limit: int | None = None
    # What helpers returning a new list gave for an argument, this run: cel-expr-python 0.1.3
    # keeps every object a helper returns, so the same argument gives the same list, kept once
    # (health_data_at alone: 1.6 MB at 10k objects).
    _given: dict[tuple[str, str, Any], Any] = field(default_factory=dict)
    # The target under evaluation, (name, object), named by the engine with its activation:
    # what a helper given `target` reads instead of a list of the target's own (see own()).
    _own: tuple[str, Any] = ("", None)
    params: Mapping[str, Mapping[str, Any]] | None = None

    def bind(
        self,
        as_of: datetime.date,
        sections: dict[str, Any],
        scan_age_limit: int | None = None,
        params: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        """``params``: each policy's parameters as the engine's activations give them, which
        FW-004's helpers read by name (policies.inline); None where no engine evaluates."""
        self.params = params
        self._as_of = as_of
        self._dated = False
        self.scan_age_limit = scan_age_limit
        self._sections = sections
        self.observed = any(sections.get(name) for name in _EVIDENCE)
        self._refs = {}
        self._given = {}
        self._own = ("", None)
        self.allowed, self.helper = _NONE, ""
        self._index = {
            name: {item["id"]: item for item in items if isinstance(item, dict) and "id" in item}
            for name, items in sections.items()
            if isinstance(items, list)
        }

    @property
    def as_of(self) -> datetime.date:
        """The evaluation date, for a helper of DATE_READ; DateNotAllowed for any other."""
        if not self._dated:
            raise DateNotAllowed(
                f"helper {self.helper or '(none named)'} read the evaluation date, and is not "
                "named in hdsguard.policies.celenv.DATE_READ"
            )
        return self._as_of

    def dating(self, impl: Callable[..., Any]) -> Callable[..., Any]:
        """A helper's ``impl``, allowed to read the evaluation date while it runs."""

        def dated(*args: Any) -> Any:
            outer = self._dated
            self._dated = True
            try:
                return impl(*args)
            finally:
                self._dated = outer

        return dated

    def once(self, name: str, impl: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """``impl`` giving, for an argument it was given before in this run and language,
        the same value (the argument hashable: a string, or a list made a tuple)."""

        def given(arg: Any) -> Any:
            key = (name, i18n.current(), tuple(arg) if isinstance(arg, list) else arg)
            try:
                return self._given[key]
            except KeyError:
                value = self._given[key] = impl(arg)
                return value
            except TypeError:  # an item that cannot be a key: computed each time
                return impl(arg)

        return given

    def remember(self, key: tuple[str, str, Any], compute: Callable[[], Any]) -> Any:
        """What ``compute`` gives, computed once per ``key`` in this run."""
        try:
            return self._given[key]
        except KeyError:
            value = self._given[key] = compute()
            return value

    def evaluating(self, target: str, obj: Any) -> None:
        """Name the target whose expressions are evaluated next (``target``, ``self``)."""
        self._own = (target, obj)

    def own_name(self) -> str:
        """The name of the target under evaluation ("" before any is named)."""
        return self._own[0]

    def own_field(self, keys: tuple[str, ...]) -> Any:
        """The field at ``keys`` of the target under evaluation, None where it has none."""
        value = self._own[1]
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    def shared(self, value: list[Any]) -> list[Any]:
        """One list for each value of ``value`` in this run: cel-expr-python 0.1.3 keeps
        every object a helper returns, and hds_flaws gave a new ``["expired"]`` at each of
        its 7,000 calls at 10k objects. Strings only (a key must not equate 1 and true)."""
        if not all(type(item) is str for item in value):
            return value
        found: list[Any] = self._given.setdefault(("shared", "", tuple(value)), value)
        return found

    def own(self, target: str) -> Any:
        """The object under evaluation, given its name: a helper given `target` reads the
        target's own fields there, where a list passed from CEL is converted at each call
        (and leaked by cel-expr-python 0.1.3: a firewall's 5,000 rules, ≈ 2.5 MB a call).
        Any other name is refused: the helper then reads nothing but the target, like
        ``self`` (so a rule calling it stays local, hdsguard.policies.locality)."""
        name, obj = self._own
        if target != name or not name:
            raise ValueError(
                f"helper {self.helper or '(running)'} reads the rules of the target under "
                f"evaluation ({name or 'none'}) given its name (`target`), not of '{target}'"
            )
        return obj

    def guard(
        self, name: str, sections: frozenset[str], impl: Callable[..., Any]
    ) -> Callable[..., Any]:
        """Helper ``name``'s ``impl``, allowed to read ``sections`` only while it runs (then
        what was allowed before: a helper calling another gets the other's sections, then its
        own again)."""

        def guarded(*args: Any) -> Any:
            outer = self.allowed, self.helper
            self.allowed, self.helper = sections, name
            try:
                return impl(*args)
            finally:
                self.allowed, self.helper = outer

        return guarded

    def _allow(self, section: str) -> None:
        if section not in self.allowed:
            allowed = ", ".join(sorted(self.allowed)) or "none"
            raise SectionNotAllowed(
                f"helper {self.helper or '(none running)'} read the section '{section}', which "
                f"its entry of hdsguard.policies.celenv.SECTIONS_READ does not name (it names: "
                f"{allowed})"
            )

    def section(self, name: str) -> Any:
        """The section ``name`` (None when absent), if the running helper may read it."""
        self._allow(name)
        return self._sections.get(name)

    def count(self, name: str) -> int:
        """How many objects the section ``name`` holds (:func:`section_count`), if the running
        helper may read it, or only count it (:data:`COUNTED`)."""
        if name not in self.allowed:
            self._allow(name + COUNTED)
        return section_count(self._sections.get(name))

    def lookup(self, section: str, ident: str) -> Any:
        self._allow(section)
        return self._index.get(section, {}).get(ident)

    def resolve(self, obj: Any) -> Any:
        """``obj``, or the object a target name (``services/web``) names (None: no such)."""
        if isinstance(obj, str):
            section, _, ident = obj.partition("/")
            return self.lookup(section, ident)
        return obj

    def referring(self, section: str, key: str, ident: str) -> list[Any]:
        """Objects of ``section`` whose ``key`` is ``ident``, in declaration order."""
        items = self.section(section)
        refs = self._refs.get((section, key))
        if refs is None:
            refs = self._refs[(section, key)] = {}
            for obj in items or ():
                value = _get(obj, key)
                if isinstance(value, str):
                    refs.setdefault(value, []).append(obj)
        return list(refs.get(ident, ()))

    def stale(self, date: str) -> bool:
        """Whether a scan started on ``date`` is older than EVD-004's limit: it then backs
        no pass of any evidence rule (docs/evidence.md, "Stale scans"). "" (evidence no scan
        dates: a certificate file) is not stale: it carries no scan age."""
        limit = self.scan_age_limit
        return limit is not None and date != "" and (self.as_of - _date(date)).days > limit

    def health_data_at(self, provider: str) -> list[str]:
        """What health data a provider holds for the organisation (:meth:`health_data_refs`),
        as readable phrases in the run's language, like the messages that quote them (see
        _country_name): "system gam (hosted)", "vendor tana (storage, through provider p2)"."""
        phrases = {
            ("systems", "hosted_by"): (
                i18n._("system {id} (hosted)"),
                i18n._("system {id} (hosted, through provider {via})"),
            ),
            ("systems", "backup.provider"): (
                i18n._("system {id} (backups)"),
                i18n._("system {id} (backups, through provider {via})"),
            ),
            ("vendors", "hosted_by"): (
                i18n._("vendor {id} (storage)"),
                i18n._("vendor {id} (storage, through provider {via})"),
            ),
        }
        held = []
        for ref in self.health_data_refs(provider):
            section, ident = ref[0].split("/", 1)
            direct, through = phrases[(section, ref[1])]
            if len(ref) == 2:
                held.append(direct.format(id=ident))
            else:
                held.append(through.format(id=ident, via=ref[2].split("/", 1)[1]))
        return held

    def health_data_refs(self, provider: str) -> list[list[str]]:
        """What health data a provider holds for the organisation, as ids: ``[target, field]``
        for an item whose ``field`` names the provider (``["systems/gam", "hosted_by"]``,
        ``["systems/gam", "backup.provider"]``, ``["vendors/tana", "hosted_by"]``), and
        ``[target, field, "providers/p2"]`` for one held through the provider p2 above it.
        What a reason quotes: ids and field names, which no translation or rewording changes
        (health_data_at's phrases are worded by hdsguard's catalogue).

        A system that does not declare ``health_data`` (a vendor ``stores_health_data``) counts
        as holding it: the rules that depend on this must not pass on missing evidence. What a
        provider running on this one (its ``hosted_by``, at any depth) holds is held here too:
        an IT service company whose platform runs on a backup or hosting subcontractor puts
        its clients' data on that subcontractor's disks, wherever its own contract says.
        """
        held = self._held_at(provider, "")
        seen = {provider}
        above = [str(p.get("id")) for p in self.referring("providers", "hosted_by", provider)]
        while above:
            ident = above.pop(0)
            if ident in seen:
                continue
            seen.add(ident)
            held += self._held_at(ident, ident)
            above += [str(p.get("id")) for p in self.referring("providers", "hosted_by", ident)]
        return held

    def _held_at(self, provider: str, through: str) -> list[list[str]]:
        """The health data a provider holds itself (hosted systems, backups, vendors' storage),
        as held through the provider ``through`` when it is not "" (the chain above)."""
        via = [f"providers/{through}"] if through else []
        held = [
            [f"systems/{s['id']}", "hosted_by", *via]
            for s in self.referring("systems", "hosted_by", provider)
            if s.get("health_data") is not False
        ]
        held += [
            [f"systems/{s['id']}", "backup.provider", *via]
            for s in self.referring("systems", "backup.provider", provider)
            if s.get("health_data") is not False
        ]
        held += [
            [f"vendors/{v['id']}", "hosted_by", *via]
            for v in self.referring("vendors", "hosted_by", provider)
            if v.get("stores_health_data") is not False
        ]
        return held

    def kev_added(self, vulnerability: Any) -> str:
        """When a declared vulnerability was added to the CISA KEV catalogue: the catalogue's
        ``dateAdded`` when one was given as evidence and lists the CVE (the declaration is not
        trusted then), else the declared ``kev_added``, whatever ``kev`` says (``kev: false``
        beside the date of a KEV listing contradicts it: the date is not left unread); "" if
        neither."""
        if not isinstance(vulnerability, dict):
            return ""
        entry = self.lookup("evidence_kev", cve_key(vulnerability.get("cve", "")))
        if entry is not None:
            return str(entry["date_added"])
        return str(vulnerability.get("kev_added") or "")

    def activities_needed(self, target: str) -> list[int]:
        """The HDS activities a certificate holder must cover for what it actually does.

        A design default [U]. A provider: the activities of the services bought from it,
        plus backup (6) when it backs up systems that may hold health data, whatever
        `services` says. A vendor storing health data: all six activities of hosting its
        application, less those the hosting chain below it (`hosted_by`, and that host's own
        `hosted_by`…) both performs and is certified for; an IaaS host certified for 1-3
        leaves 4-6, the platform, the operation of the application and its backups, to the
        vendor. See :meth:`_host_covers` for what a host is taken to perform.
        """
        section, _, ident = target.partition("/")
        if section not in ("providers", "vendors"):
            return []
        obj = self.lookup(section, ident)
        if not isinstance(obj, dict):
            return []
        if section == "providers":
            return self._provider_needs(ident, obj)
        if section != "vendors" or obj.get("stores_health_data") is False:
            return []
        host = obj.get("hosted_by")
        covered = self._chain_covers(host) if isinstance(host, str) else set()
        return [a for a in range(1, 7) if a not in covered]

    def _chain_covers(self, ident: str, seen: frozenset[str] = frozenset()) -> set[int]:
        """What the certified hosts of a chain perform: this host, then the host it runs on
        (a SaaS editor certified for 5-6 on an IaaS certified for 1-4 covers all six)."""
        host = self.lookup("providers", ident)
        if not isinstance(host, dict) or ident in seen:
            return set()
        seen = seen | {ident}
        covered = self._host_covers(ident, seen)
        below = host.get("hosted_by")
        if isinstance(below, str):
            covered |= self._chain_covers(below, seen)
        return covered

    def _provider_needs(
        self, ident: str, obj: dict[str, Any], seen: frozenset[str] = frozenset()
    ) -> list[int]:
        services = obj.get("services")
        bought = set(data.required_activities(services if isinstance(services, list) else []))
        needed = set(bought)
        backups = self.referring("systems", "backup.provider", ident)
        if any(s.get("health_data") is not False for s in backups):
            needed.add(6)
        # A service that hosts health data runs on an infrastructure (R.1111-8-8: 1 the site,
        # 2 the hardware, 3 the virtual machines, 4 the platform) that must be certified too,
        # by this provider or by the host it declares (`hosted_by`): a SaaS certified for 5
        # alone, on an undeclared infrastructure, has earned nothing for 1-4.
        hosting = sorted(bought - {6})
        if hosting and self._hosts_health_data(ident):
            host = obj.get("hosted_by")
            covered = (
                self._host_covers(host, seen | {ident})
                if isinstance(host, str) and host not in seen | {ident}
                else set()
            )
            needed |= {a for a in range(1, hosting[0]) if a not in covered}
        return sorted(needed)

    def _hosts_health_data(self, ident: str, seen: frozenset[str] = frozenset()) -> bool:
        """Whether health data runs on this provider: a system or a vendor's data it hosts,
        or a provider it hosts that hosts some (a SaaS editor on its IaaS)."""
        systems = self.referring("systems", "hosted_by", ident)
        vendors = self.referring("vendors", "hosted_by", ident)
        if any(s.get("health_data") is not False for s in systems) or any(
            v.get("stores_health_data") is not False for v in vendors
        ):
            return True
        seen = seen | {ident}
        return any(
            p.get("id") not in seen and self._hosts_health_data(str(p.get("id")), seen)
            for p in self.referring("providers", "hosted_by", ident)
        )

    def _host_covers(self, ident: str, seen: frozenset[str] = frozenset()) -> set[int]:
        """The activities a host both performs and is certified for.

        What it performs: the activities of its `services` (see :meth:`_provider_needs`),
        plus backup (6) when it operates the application (5): whoever runs a SaaS or a managed
        service backs it up. A host that declares no `services` is taken to perform what its
        certificate covers; HDS-002 fails it until it declares them, so the organisation is not
        left green by the presumption.
        """
        host = self.lookup("providers", ident)
        if not isinstance(host, dict):
            return set()
        hds = host.get("hds")
        held = hds.get("activities") if isinstance(hds, dict) else None
        # A certificate that does not count (no number, expired, self-certified…: the one
        # definition, hdscert) covers nothing it could lend to what runs on it.
        if not isinstance(held, list) or hdscert.flaws(host, self.as_of):
            return set()
        services = host.get("services")
        if not isinstance(services, list) or not services:
            return set(held)
        performs = set(self._provider_needs(ident, host, seen))
        if 5 in performs:
            performs.add(6)
        return set(held) & performs


def _get(obj: Any, path: str) -> Any:
    for step in path.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(step)
    return obj


def _country_name(code: str) -> str:
    """A country's name in the run's language ("Maroc" in a French message, not "Morocco"):
    the messages are rendered in the language the catalogue was compiled for, and the
    catalogue and findings caches are keyed on that language."""
    english = data.country_name(code)
    lang = i18n.current()
    if lang == "en":
        return english or code
    from hdsguard.l10n import country_name

    return country_name(code, english, lang) or code


Helper = tuple[str, list[Any], Any, Callable[..., Any]]


def _functions(ctx: Context) -> list[Helper]:
    """(name, parameter types, return type, implementation) of every helper, the twins of
    OWN_TARGET and OWN_PATHS included."""
    plain = _plain_functions(ctx)
    impls = {name: (returns, impl) for name, _params, returns, impl in plain}
    twins: list[Helper] = []
    for name in OWN_TARGET:
        returns, impl = impls[name]
        twins.append((own_twin(name), [], returns, lambda f=impl: f(ctx.own_name())))
    for name, paths in OWN_PATHS.items():
        returns, impl = impls[name]
        for path in paths:
            keys = tuple(path.split("."))
            twins.append(
                (own_twin(name, path), [], returns, lambda f=impl, k=keys: f(ctx.own_field(k)))
            )
    return plain + twins


def _plain_functions(ctx: Context) -> list[Helper]:
    """The helpers as the rules call them."""
    # What the evidence matchers (hdsguard.evidence.match) read: the context's sections, each
    # read checked. Not kept by the context, which would make a reference cycle (the run
    # goes without the cycle collector, cli.py).
    view = SectionView(ctx)
    return [
        ("days_since", [_S], _I, lambda d: (ctx.as_of - _date(d)).days),
        ("days_until", [_S], _I, lambda d: (_date(d) - ctx.as_of).days),
        ("days_between", [_S, _S], _I, lambda a, b: (_date(b) - _date(a)).days),
        ("months_before", [_S, _I], _S, lambda d, n: months_before(_date(d), n).isoformat()),
        ("months_since", [_S], _I, lambda d: months_since(_date(d), ctx.as_of)),
        ("is_date", [_S], _B, _is_date),
        ("in_eea", [_S], _B, data.in_eea),
        ("is_adequate", [_S], _B, lambda c: c in data.adequate()),
        ("is_adequate_for", [_S, _D], _B, data.adequate_for),
        (
            "eea_or_adequate_for",
            [_S, _D],
            _B,
            lambda c, r: data.in_eea(c) or data.adequate_for(c, r),
        ),
        (
            "adequacy_field",
            [_S],
            _S,
            lambda c: data.adequacy_recipient_field(c) or "",
        ),
        ("country_name", [_S], _S, _country_name),
        (
            "required_activities",
            [_L],
            _L,
            ctx.once("required_activities", lambda s: list(data.required_activities(s))),
        ),
        ("activity_name", [_I], _S, lambda n: data.activity_name(n, i18n.current())),
        # French templates: "de" before a name, elided before a vowel ("d'AlpCloud").
        ("fr_de", [_S], _S, lambda n: l10n.of_name(n, "fr")),
        # An enumerated value in words ("directly" for `via: direct`): policies/valuewords.py.
        ("worded", [_S, _S], _S, valuewords.worded),
        # A condition with the words a rule's help says it in (policies/conditionwords.py), where
        # they cannot be read from the condition itself; the condition's value, unchanged.
        ("when", [_S, _B], _B, lambda _words, test: test),
        # The run's language, which policies.inline's rewrite of `worded` tests before giving
        # the words of the language it was compiled in: no argument to convert, and the same
        # string object each time (cel-expr-python 0.1.3 leaks what a helper returns).
        ("hds_language", [], _S, i18n.current),
        ("is_cleartext", [_S], _B, lambda p: p in data.cleartext_protocols()),
        ("is_high_risk", [_S], _B, lambda p: p in data.high_risk_protocols()),
        ("is_remote_access", [_S], _B, lambda p: p in data.remote_access_protocols()),
        ("is_tls_protocol", [_S], _B, lambda p: p in data.tls_protocols()),
        ("is_cleartext_without_tls", [_S], _B, lambda p: p in data.cleartext_without_tls()),
        ("has_explicit_tls", [_S], _B, lambda p: p in data.explicit_tls_protocols()),
        ("cleartext_on_port", [_I], _S, data.cleartext_on_port),
        ("tls_rank", [_S], _I, lambda v: _rank(data.tls_version_rank(v))),
        ("cabf_max_days", [_S], _I, lambda d: data.cabf_max_lifetime(_date(d))),
        ("is_sha2", [_S], _B, data.is_sha2_signature),
        ("is_weak_signature", [_S], _B, data.is_weak_signature),
        ("regulatory_date", [_S], _S, lambda k: data.regulatory_date(k).isoformat()),
        ("luhn_valid", [_S], _B, luhn_valid),
        ("is_placeholder", [_S], _B, is_placeholder),
        ("vulnerability_id_flaw", [_S], _S, vulnerability_id_flaw),
        # A CVE id as the KEV catalogue spells it (`cve-2024-3400` and `2024-3400` are
        # CVE-2024-3400): EVD-009 compares declared ids to the catalogue's with it.
        ("cve_key", [_S], _S, cve_key),
        # Its year (0 when it is not a CVE id): PAT-002 and PAT-003 compare it with the year
        # of `published`.
        ("cve_year", [_S], _I, cve_year),
        # Whether fields of a vulnerability contradict its `published` (PAT-002, PAT-003);
        # policies.inline compiles a call into the tests it makes, in CEL.
        ("published_contradicted_by", [_D, _L], _B, published_contradicted_by),
        ("email_flaw", [_S], _S, email_flaw),
        ("finess_valid", [_S], _B, finess_valid),
        # A FINESS number is a text, or an integer where YAML read one without quotes.
        ("finess_flaw", [_D], _S, finess_flaw),
        ("finess_text", [_D], _S, finess_text),
        ("finess_position", [_D], _I, finess_position),
        ("finess_check_digit", [_D], _I, finess_check_digit),
        ("finess_flawed", [_D], _L, finess_flawed),
        ("get", [_D, _S, _D], _D, lambda o, p, d: _default(_get(o, p), d)),
        ("present", [_D, _S], _B, lambda o, p: _get(o, p) is not None),
        ("index_of", [_L, _D], _I, _index_of),
        ("covers_any_address", [_L, _L], _B, addresses.covers_any),
        ("names_addresses", [_S], _B, addresses.names_addresses),
        ("covers_any_port", [_L, _L], _B, anytoany.covers_any_port),
        # FW-004 (one rule, then several together): given `target`, on the target's own
        # rules read in Python, both answers computed once per firewall and run; given a list,
        # on that list.
        (
            "any_to_any",
            [_D, _L, _L],
            _D,
            lambda rules, a, p: _any_to_any(ctx, rules, a, p, "together"),
        ),
        (
            "any_to_any_alone",
            [_D, _L, _L],
            _L,
            lambda rules, a, p: _any_to_any(ctx, rules, a, p, "alone"),
        ),
        # FW-004's third reading: allow rules from the Internet (`from` a spelling of
        # `internet_values`) to any destination on any port, the Internet as every source.
        (
            "internet_to_any",
            [_D, _L, _L, _L],
            _L,
            lambda rules, i, a, p: _internet_to_any(ctx, rules, i, a, p),
        ),
        # FW-004: allow rules from the Internet to one named destination on every port.
        (
            "internet_every_port",
            [_S, _L, _L, _L],
            _L,
            lambda target, i, a, p: _internet_every_port(ctx, target, i, a, p),
        ),
        # FW-004: the same with a source spelt "any", on a firewall that does not say
        # whether it faces the Internet (`internet_facing` absent).
        (
            "any_every_port",
            [_S, _L, _L, _L],
            _L,
            lambda target, i, a, p: _any_every_port(ctx, target, i, a, p),
        ),
        # The same five on the target under evaluation, given the policy and its parameters'
        # names in one string: the lists read in Python from the run's parameters
        # (Context.params), none converted nor leaked at each call (policies.inline puts them
        # behind `hds_params_bound()`).
        ("hds_params_bound", [], _B, lambda: ctx.params is not None),
        (
            "hds_any_to_any",
            [_S],
            _D,
            lambda spec: _any_to_any(ctx, ctx.own_name(), *_named2(ctx, spec), "together"),
        ),
        (
            "hds_any_to_any_alone",
            [_S],
            _L,
            lambda spec: _any_to_any(ctx, ctx.own_name(), *_named2(ctx, spec), "alone"),
        ),
        (
            "hds_internet_to_any",
            [_S],
            _L,
            lambda spec: _internet_to_any(ctx, ctx.own_name(), *_named(ctx, spec, 3)),
        ),
        (
            "hds_internet_every_port",
            [_S],
            _L,
            lambda spec: _internet_every_port(ctx, ctx.own_name(), *_named(ctx, spec, 3)),
        ),
        (
            "hds_any_every_port",
            [_S],
            _L,
            lambda spec: _any_every_port(ctx, ctx.own_name(), *_named(ctx, spec, 3)),
        ),
        ("rules_not_stated", [_D], _L, lambda rules: _rules_not_stated(ctx, rules)),
        # FW-004: a rule's `from` or `to` names an address (not blank nor a placeholder; "*"
        # is any), as rules_not_stated reads it.
        ("states_address", [_S], _B, _stated),
        ("provider", [_S], _D, lambda i: ctx.lookup("providers", i)),
        ("system", [_S], _D, lambda i: ctx.lookup("systems", i)),
        ("certificate", [_S], _D, lambda i: ctx.lookup("certificates", i)),
        ("vendor", [_S], _D, lambda i: ctx.lookup("vendors", i)),
        ("systems_hosted_by", [_S], _L, lambda i: ctx.referring("systems", "hosted_by", i)),
        (
            "systems_backed_up_by",
            [_S],
            _L,
            lambda i: ctx.referring("systems", "backup.provider", i),
        ),
        ("vendors_hosted_by", [_S], _L, lambda i: ctx.referring("vendors", "hosted_by", i)),
        # The one definition of a certificate that counts (hdscert): the holder under
        # evaluation given `target` (read in Python, nothing converted) or a map; a provider
        # given its id.
        (
            "hds_flaws",
            [_D],
            _L,
            lambda h: ctx.shared(hdscert.flaws(_holder(ctx, h), ctx.as_of)),
        ),
        ("hds_flaw_text", [_D], _S, lambda h: hdscert.explain(_holder(ctx, h), ctx.as_of)),
        ("same_holder", [_S, _S], _B, hdscert.same_holder),
        (
            "provider_hds_flaws",
            [_S],
            _L,
            lambda i: ctx.shared(hdscert.flaws(ctx.lookup("providers", i), ctx.as_of)),
        ),
        (
            "provider_hds_flaw_text",
            [_S],
            _S,
            lambda i: hdscert.explain(ctx.lookup("providers", i), ctx.as_of),
        ),
        ("services_of", [_S], _L, lambda i: ctx.referring("services", "system", i)),
        # IAM-001: the services that deny an organisation-wide MFA statement, filtered here:
        # converting every service of a large estate to CEL cost 0.36 s at 10k objects.
        ("services_without_mfa", [_S], _L, lambda kind: _services_without_mfa(ctx, kind)),
        # The names, not the objects: CEL converts every object a helper returns, ≈ 6 KB a
        # service (20 MiB for the 1,750 services of the 10k benchmark's IAM-001 message).
        ("service_ids_without_mfa", [_S], _L, lambda kind: _ids(_services_without_mfa(ctx, kind))),
        ("service_field", [_S, _S], _D, lambda i, name: _scalar(ctx.lookup("services", i), name)),
        # CEL's map() and filter() copy their list at each item (cel-expr-python 0.1.3 does
        # not append in place): 52 MiB to name 1,750 services. A message names a few.
        ("first_items", [_L, _I], _L, lambda items, n: items[: max(n, 0)]),
        ("health_data_at", [_S], _L, ctx.once("health_data_at", ctx.health_data_at)),
        # The same as ids, for the reasons (hidden placeholders): no words to reword.
        ("health_data_refs", [_S], _L, ctx.once("health_data_refs", ctx.health_data_refs)),
        # HDS-006 … HDS-009: whether the declarations can show where health data is held (a
        # `systems` or `vendors` section holds an item). Without either, "holds no health
        # data" would be asserted on missing evidence; no argument, so nothing is converted.
        (
            "holdings_declared",
            [],
            _B,
            lambda: bool(ctx.section("systems")) or bool(ctx.section("vendors")),
        ),
        # Evidence (hdsguard.evidence.match says how observations match declarations). Each
        # takes an object or its target name (`target`): CEL converts an object argument back
        # to Python on every call (≈ 20 us for a scanned port), a name costs a look-up.
        ("evidence_ports_of", [_D], _L, lambda o: match.ports_of(ctx.resolve(o), view)),
        ("evidence_hosts_of", [_D], _L, lambda o: match.hosts_of(ctx.resolve(o), view)),
        ("services_at", [_D], _L, lambda o: match.services_at(ctx.resolve(o), view)),
        (
            "observed_certificates",
            [_D],
            _L,
            lambda o: match.observed_certificates(ctx.resolve(o), view),
        ),
        (
            "predating_certificates",
            [_D],
            _L,
            lambda o: match.predating_certificates(ctx.resolve(o), view),
        ),
        (
            "declared_certificates",
            [_D],
            _L,
            lambda o: match.declared_certificates(ctx.resolve(o), view),
        ),
        ("kev_entries", [_D], _L, lambda n: match.kev_entries(n, view)),
        (
            "kev_entries_of",
            [_S, _S],
            _L,
            lambda v, p: match.kev_entries_of(v, p, view),
        ),
        ("version_order", [_S, _S], _S, _version_order),
        ("observed_cleartext", [_S, _S], _S, data.observed_cleartext),
        ("kev_entry", [_S], _D, lambda i: ctx.lookup("evidence_kev", cve_key(i))),
        ("hds_registry_entry", [_S], _D, lambda i: ctx.lookup("evidence_hds_registry", i)),
        ("same_signature", [_S, _S], _B, lambda a, b: _alnum(a) == _alnum(b)),
        ("names_host", [_D, _S], _B, match.names_host),
        ("names_product", [_S, _S], _B, match.names_product),
        ("predates_patch", [_D, _D], _B, match.predates_patch),
        ("transports", [_S], _L, lambda p: list(data.transports(p))),
        ("stale", [_S], _B, ctx.stale),
        ("scan_age_limit", [], _I, lambda: _rank(ctx.scan_age_limit)),
        ("kev_added", [_D], _S, ctx.kev_added),
        ("activities_needed", [_S], _L, ctx.once("activities_needed", ctx.activities_needed)),
        # A rule on another section that depends on what the organisation is (BIO-001: a
        # hospital cannot run without biomedical devices) reads its kind through this helper,
        # so that the findings memo keys it on the file declaring the organisation.
        ("organisation_kind", [], _S, lambda: _organisation_kind(ctx)),
        # GOV-011: whether the inventory of systems is declared, and holds health data (a
        # count: the systems of a large estate are not converted to CEL for one target).
        (
            "systems_count",
            [_B],
            _I,
            lambda health_data_only: sum(
                1
                for s in ctx.section("systems") or ()
                if not health_data_only or s.get("health_data") is not False
            ),
        ),
        # GOV-011's pass: how many of those count as holding health data only because they do
        # not declare `health_data`, so that it does not say they hold it.
        (
            "systems_silent_on_health_data",
            [],
            _I,
            lambda: sum(1 for s in ctx.section("systems") or () if "health_data" not in s),
        ),
        # EXP-006: how many network services are declared, -1 when no file declares the
        # section. `services: []` is declared (0: none); an absent section is missing
        # evidence, not "nothing exposed": every exposure rule would have no target.
        (
            "services_count",
            [],
            _I,
            lambda: ctx.count("services"),
        ),
        # GOV-011: the same for the vendors (subcontractors with access to systems or data).
        (
            "vendors_count",
            [],
            _I,
            lambda: ctx.count("vendors"),
        ),
        # GOV-011: the same for the TLS certificates, and the services that present one to
        # the Internet: with no `certificates` section, TLS-002 and TLS-003 have no target.
        (
            "certificates_count",
            [],
            _I,
            lambda: ctx.count("certificates"),
        ),
        ("exposed_tls_service_ids", [], _L, lambda: _ids(_exposed_tls_services(ctx))),
        # FW-005: whether the perimeter that filters the organisation's own Internet services
        # is declared at all (an absent inventory is missing evidence).
        ("internet_services_on_premises", [], _L, lambda: _internet_services_on_premises(ctx)),
        (
            "internet_service_ids_on_premises",
            [],
            _L,
            lambda: _ids(_internet_services_on_premises(ctx)),
        ),
        (
            "internet_facing_firewall_ids",
            [],
            _L,
            lambda: _ids(_internet_facing_firewalls(ctx)),
        ),
        (
            "internet_facing_firewalls",
            [],
            _L,
            lambda: _internet_facing_firewalls(ctx),
        ),
        # Small evidence sections as lists, a big one by its size: an expression reading `decl`
        # converts the whole set, evidence included (10k scanned ports: 75 ms per evaluation).
        ("evidence_files", [], _L, lambda: list(ctx.section("evidence_files") or ())),
        ("evidence_scans", [], _L, lambda: list(ctx.section("evidence_scans") or ())),
        # Evidence sections only: the findings memo counts on it (policies.locality).
        ("evidence_count", [_S], _I, lambda s: _evidence_count(ctx, s)),
        # Whether any evidence is given, without an argument to convert (policies.inline puts
        # it before the evidence helpers' calls, which a run without evidence then skips).
        ("evidence_given", [], _B, lambda: ctx.observed),
    ]


def _holder(ctx: Context, holder: Any) -> Any:
    """A certificate holder given to the hds helpers: `target` (the object under evaluation)
    or the object itself."""
    return ctx.own(holder) if isinstance(holder, str) else holder


def _any_to_any(ctx: Context, rules: Any, any_values: Any, any_ports: Any, answer: str) -> Any:
    """FW-004's helpers (hdsguard.policies.anytoany): ``rules`` a list, or the target's name
    (its own `rules`, absent or not a list: none)."""
    if isinstance(rules, str):
        found = _analysed(ctx, rules, any_values, any_ports)[1]
        return found[0] if answer == "alone" else found[1]
    if not isinstance(rules, list):
        raise TypeError(f"the rules must be a list or `target`, not {type(rules).__name__}")
    if answer == "alone":
        return anytoany.any_to_any_alone(rules, any_values, any_ports)
    return anytoany.any_to_any(rules, any_values, any_ports)


def _analysed(
    ctx: Context, target: str, any_values: Any, any_ports: Any
) -> tuple[list[Any], tuple[list[int], dict[str, Any]]]:
    """The target's own `rules` (absent or not a list: none) and
    :func:`hdsguard.policies.anytoany.analyse`'s answer for them, computed once per firewall
    and spelling lists: FW-004's any-to-any checks and its Internet check share it."""
    obj = ctx.own(target)
    own = obj.get("rules") if isinstance(obj, dict) else None
    listed = own if isinstance(own, list) else []
    key = ("any_to_any", target, (tuple(map(str, any_values)), tuple(map(str, any_ports))))
    plain: tuple[list[int], dict[str, Any]] = ctx.remember(
        key, lambda: anytoany.analyse(listed, any_values, any_ports)
    )
    return listed, plain


def _internet_to_any(
    ctx: Context, rules: Any, internet_values: Any, any_values: Any, any_ports: Any
) -> list[int]:
    """FW-004's :func:`hdsguard.policies.anytoany.from_internet`: ``rules`` a list, or the
    target's name (its own `rules`, read in Python and computed once per firewall)."""
    if isinstance(rules, str):
        spellings = (tuple(map(str, any_values)), tuple(map(str, any_ports)))
        listed, plain = _analysed(ctx, rules, any_values, any_ports)
        found: list[int] = ctx.remember(
            ("internet_to_any", rules, (tuple(map(str, internet_values)), spellings)),
            lambda: anytoany.from_internet(listed, internet_values, any_values, any_ports, plain),
        )
        return found
    if not isinstance(rules, list):
        raise TypeError(f"the rules must be a list or `target`, not {type(rules).__name__}")
    return anytoany.from_internet(rules, internet_values, any_values, any_ports)


def _named(ctx: Context, spec: str, count: int) -> list[Any]:
    """The ``count`` parameters that ``spec`` names after its policy's id ("FW-004
    any_values any_port_values") in this run (KeyError when there are none)."""
    if ctx.params is None:
        raise KeyError("no parameters bound")
    policy, *names = spec.rsplit(" ", count)
    own = ctx.params[policy]
    return [own[name] for name in names]


def _named2(ctx: Context, spec: str) -> tuple[Any, Any]:
    first, second = _named(ctx, spec, 2)
    return first, second


def _internet_every_port(
    ctx: Context, target: str, internet_values: Any, any_values: Any, any_ports: Any
) -> list[int]:
    """FW-004's :func:`hdsguard.policies.anytoany.internet_every_port` for the firewall
    ``target``: its own `rules`, "any" a source from the Internet when it declares
    `internet_facing: true`; the rules FW-004's other checks name are left out."""
    obj = ctx.own(target)
    facing = isinstance(obj, dict) and obj.get("internet_facing") is True
    return _every_port(ctx, target, internet_values, any_values, any_ports, facing)


def _every_port(
    ctx: Context,
    target: str,
    internet_values: Any,
    any_values: Any,
    any_ports: Any,
    facing: bool,
) -> list[int]:
    """:func:`hdsguard.policies.anytoany.internet_every_port` for the firewall ``target``,
    less the rules FW-004's other checks name; computed once per firewall, spelling lists and
    ``facing`` (the condition, the locate, the message and the warning all ask)."""

    def compute() -> list[int]:
        listed, (alone, together) = _analysed(ctx, target, any_values, any_ports)
        found = anytoany.internet_every_port(listed, internet_values, any_values, any_ports, facing)
        # A rule the any-to-any or Internet-to-any checks name (`to: 0.0.0.0/1` beside
        # `128.0.0.0/1`) is theirs: reported twice, it read as two problems.
        named = {*alone, *together["rules"]}
        named.update(_internet_to_any(ctx, target, internet_values, any_values, any_ports))
        return [i for i in found if i not in named]

    spellings = tuple(tuple(map(str, v)) for v in (internet_values, any_values, any_ports))
    found: list[int] = ctx.remember(("every_port", target, (spellings, facing)), compute)
    return found


def _any_every_port(
    ctx: Context, target: str, internet_values: Any, any_values: Any, any_ports: Any
) -> list[int]:
    """FW-004 on a firewall that does not declare `internet_facing`: the allow rules that
    :func:`_internet_every_port` would name if it did declare `true` (a source spelt "any"
    to one named destination on every port), but does not name now. Whether "any" includes
    the Internet is then unknown: neither a failure (the field is optional) nor a pass
    (nothing shows the Internet is left out). A firewall declaring `false` has none."""
    obj = ctx.own(target)
    if not isinstance(obj, dict) or isinstance(obj.get("internet_facing"), bool):
        return []
    found = _every_port(ctx, target, internet_values, any_values, any_ports, True)
    named = set(_every_port(ctx, target, internet_values, any_values, any_ports, False))
    return [i for i in found if i not in named]


def _stated(value: Any) -> bool:
    """A rule's `from` or `to` names an address: not blank, nor a placeholder (TBD, "?"),
    as is_placeholder() reads it; but "*", which is_placeholder() reads as blank (it strips
    the stars of `*TBD*`), is the firewalls' own spelling of any (a false red, twenty-second
    session). FW-004's condition (`states_address`) and rules_not_stated read it here."""
    if not isinstance(value, str):
        return False
    # Stripped as FW-004's helpers read a spelling of any (policies.anytoany).
    return value.strip() == "*" or not is_placeholder(value)


def _rules_not_stated(ctx: Context, rules: Any) -> list[int]:
    """FW-004: the positions of the rules (a list, or the target's own given `target`) that
    do not state a `from` and a `to` (neither blank nor a placeholder) and an `action`."""
    if isinstance(rules, str):
        obj = ctx.own(rules)
        rules = obj.get("rules") if isinstance(obj, dict) else None
        rules = rules if isinstance(rules, list) else []
    if not isinstance(rules, list):
        raise TypeError(f"the rules must be a list or `target`, not {type(rules).__name__}")
    return [
        i
        for i, r in enumerate(rules)
        if not (
            isinstance(r, dict)
            and _stated(r.get("from"))
            and _stated(r.get("to"))
            and r.get("action") is not None
        )
    ]


def _organisation_kind(ctx: Context) -> str:
    """The declared ``organisation.kind``; "" when the organisation or its kind is absent."""
    organisation = ctx.section("organisation")
    kind = organisation.get("kind") if isinstance(organisation, dict) else None
    return kind if isinstance(kind, str) else ""


def _services_without_mfa(ctx: Context, kind: str) -> list[Any]:
    """Services declaring ``mfa: false`` that an organisation-wide statement covers: ``admin``,
    an administration interface (role admin); ``remote``, remote access reachable from the
    Internet or partners (role remote_access, or a remote access protocol), site-to-site
    links between machines aside."""
    remote = data.remote_access_protocols()
    out = []
    for s in ctx.section("services") or ():
        if s.get("mfa") is not False:
            continue
        role = s.get("role")
        if kind == "admin":
            hit = role == "admin"
        else:
            hit = (
                s.get("exposure") in ("internet", "partner")
                and role != "site_to_site"
                and (role == "remote_access" or s.get("protocol") in remote)
            )
        if hit:
            out.append(s)
    return out


def _internet_facing_firewalls(ctx: Context) -> list[Any]:
    return [f for f in ctx.section("firewalls") or () if f.get("internet_facing") is True]


def _ids(objects: Iterable[Any]) -> list[Any]:
    """The ``id`` of each object (None where it has none: an error where CEL reads it)."""
    return [o.get("id") for o in objects]


def _scalar(obj: Any, name: str) -> Any:
    """``obj``'s field ``name`` when it is a string, number or boolean, else None: a field
    to show beside an object's name, without converting the object."""
    value = obj.get(name) if isinstance(obj, dict) else None
    return value if isinstance(value, str | int | float | bool) else None


def _internet_services_on_premises(ctx: Context) -> list[Any]:
    """Services declared reachable from the Internet that the organisation runs itself: their
    system is not hosted by a provider (whose own perimeter its HDS certificate covers), or
    is not declared, which proves nothing either way."""
    out = []
    for service in ctx.section("services") or ():
        if service.get("exposure") != "internet":
            continue
        name = service.get("system")
        system = ctx.lookup("systems", name) if isinstance(name, str) else None
        if not (isinstance(system, dict) and isinstance(system.get("hosted_by"), str)):
            out.append(service)
    return out


def _exposed_tls_services(ctx: Context) -> list[Any]:
    """Services reachable from the Internet (EXP-001's reach: `exposure: internet`, or
    `partner` outside a VPN) that speak TLS (a protocol that runs over TLS by definition, or a
    declared `tls` block): each presents a certificate to clients the organisation does not
    control."""
    tls = data.tls_protocols()
    out = []
    for service in ctx.section("services") or ():
        exposure = service.get("exposure")
        reached = exposure == "internet" or (
            exposure == "partner" and service.get("via", "direct") != "vpn"
        )
        if reached and (service.get("protocol") in tls or isinstance(service.get("tls"), dict)):
            out.append(service)
    return out


def _evidence_count(ctx: Context, section: str) -> int:
    return len(ctx.section(section) or ()) if section in _EVIDENCE else 0


class SectionView(Mapping[str, Any]):
    """The sections of a context as a read-only mapping, each read checked like
    :meth:`Context.section` (what :mod:`hdsguard.evidence.match` is given)."""

    def __init__(self, context: Context) -> None:
        self._context = context

    def __getitem__(self, name: str) -> Any:
        value = self._context.section(name)
        if value is None:
            raise KeyError(name)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter([n for n in sorted(self._context.allowed) if n in self])

    def __len__(self) -> int:
        return len(list(iter(self)))


def _version_order(observed: str, declared: str) -> str:
    from hdsguard.evidence.versions import version_order  # imports packaging: only when used

    return version_order(observed, declared)


def _alnum(text: str) -> str:
    """A signature algorithm's name compared without case or punctuation (sha256RSA…)."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _index_of(items: list[Any], value: Any) -> int:
    """Position of ``value`` in ``items`` (-1 when absent): to locate a failing list item.
    Items compare as CEL compares them (``true`` is not ``1``), as the inlined form of a call
    (``policies.inline``) does."""
    for i, item in enumerate(items):
        if _cel_equal(item, value):
            return i
    return -1


def _cel_equal(a: Any, b: Any) -> bool:
    """CEL's ``==`` on plain values: numbers equal across int and float, a boolean equal only
    to a boolean, lists and maps item by item."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_cel_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_cel_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def _is_date(text: str) -> bool:
    try:
        _date(text)
    except ValueError:
        return False
    return True


def _rank(value: int | None) -> int:
    return -1 if value is None else value


def _default(value: Any, fallback: Any) -> Any:
    return fallback if value is None else value


def scope_to_policy(source: str, policy_id: str) -> str:
    """``source`` reading ``params`` as the parameters of policy ``policy_id`` (the engine's
    ``params`` variable maps policy ids to parameters, so one activation serves them all)."""
    if "params" not in source:
        return source
    # The newline ends a trailing // comment of the user's text.
    return f"cel.bind(params, params[{json.dumps(policy_id)}], {source}\n)"


# The variables a twin reads the value of in Python (policies.inline).
_OWN_NAMES = ("target", "self")


class CelRuntime:
    """A compiled-once CEL environment plus the context its helpers read."""

    def __init__(self) -> None:
        self.context = Context()
        # Set by load_catalogue: the hash of every input of the compiled catalogue (None when
        # it could not be computed); the findings memo keys on it.
        self.catalogue_key: str | None = None
        # Set by load_catalogue: EVD-004's default `max_scan_age_days` (None without EVD-004),
        # what a run that does not evaluate EVD-004 counts stale scans by (scan_age_limit).
        self.scan_age_default: int | None = None
        # Compiled expressions by (text, policy id when the text reads params): the catalogue
        # repeats many texts, placeholders such as `{{ self.id }}` above all.
        self._compiled: dict[tuple[str, str | None], cel.Expression] = {}
        # The texts known to parse (:meth:`parses`): `self.id` is a placeholder of many lists.
        self._parsed: set[str] = set()
        # The main-language messages a failure's reason quotes in a run in another language,
        # compiled when first needed, by (policy id, text) (hdsguard.reasons).
        self.reason_templates: dict[tuple[str, str], Any] = {}

    @cached_property
    def env(self) -> cel.Env:
        """The CEL environment, built when first needed: a run whose findings all come from
        the findings memo, over a cached catalogue, never compiles nor evaluates, and building
        it (every helper's declaration, four extensions) is about a tenth of such a run."""
        from cel_expr_python.ext import ext_bindings, ext_math, ext_optional, ext_strings

        decls = []
        for name, params, returns, impl in _functions(self.context):
            helper = TWIN_OF.get(name, name)  # a twin reads what its helper reads
            sections = SECTIONS_READ[helper]  # a helper without an entry is refused here
            if helper in DATE_READ:
                impl = self.context.dating(impl)
            if sections:  # the others run with nothing allowed
                impl = self.context.guard(helper, sections, impl)
            sig = "_".join(t.name().lower() for t in params)
            overload = cel.Overload(
                f"hds_{name}_{sig}", return_type=returns, parameters=params, impl=impl
            )
            decls.append(cel.FunctionDecl(name, [overload]))
        helpers = cel.CelExtension("hdsguard", decls)
        extensions: Sequence[cel.CelExtensionBase] = [
            helpers,
            ext_strings.ExtStrings(),
            ext_bindings.ExtBindings(),
            ext_optional.ExtOptional(),
            ext_math.ExtMath(),
        ]
        return cel.NewEnv(variables=VARIABLES, extensions=extensions)

    def compile(self, source: str, policy_id: str | None = None) -> cel.Expression:
        """Compile or raise ValueError with CEL's own caret-marked explanation.

        With ``policy_id``, ``params`` in the expression means that policy's entry of the
        ``params`` variable, which then maps policy ids to parameters: the engine builds one
        activation per target for all its policies, so CEL converts each object from Python
        once, not once per policy.
        """
        # Only a text that reads params depends on its policy: `{{ self.id }}` and the like
        # are compiled once for the whole catalogue.
        scope = policy_id if "params" in source else None
        known = self._compiled.get((source, scope))
        if known is not None:
            return known
        from hdsguard.policies.celtree import may_bind
        from hdsguard.policies.inline import (
            TARGET_READERS,
            TYPE_KEEPING,
            inline_helpers,
            worth_scanning,
        )

        def attempt(text: str, *, check: bool = True) -> cel.Expression | None:
            try:
                return self.env.compile(text, not check)
            except RuntimeError:
                return None

        # Most texts call no helper rewritten there: no scan.
        applied: set[str] = set()
        inlined = (
            inline_helpers(source, scope, applied=applied) if worth_scanning(source) else source
        )
        expr = None
        # The scoped text holds the user's text whole, where `params` is dyn as it is outside:
        # once the user's text parses, the scoped one type-checks only if the user's does, so
        # the user's text needs no full compile of its own. The parse matters: `a) || (b`
        # compiles once wrapped.
        if inlined == source and scope is not None and attempt(source, check=False) is not None:
            expr = attempt(scope_to_policy(source, scope))
        elif (
            applied
            and applied <= TYPE_KEEPING
            and scope is None
            and (expr := attempt(inlined)) is not None
            and may_bind(expr.serialize(), _OWN_NAMES)
        ):
            # Only twins (policies.inline): each call given `target` (a string) or a field of
            # `self` (dyn) type-checks, and its twin's program has the helper's type, so the
            # rewritten text compiles exactly when the text does (else the general way below
            # words the error), in one compilation where the general way makes two (89 texts
            # of the catalogue); the text's own comprehensions are those of its program.
            expr = None  # it may rebind `target` or `self`: the helpers as written
        if expr is None:  # the general way, which also words every error
            try:
                checked = self.env.compile(source)  # errors about the text the user wrote
            except RuntimeError as exc:
                text = str(exc).removeprefix("INVALID_ARGUMENT: ")
                text = text.removesuffix(" [INVALID_ARGUMENT]")
                raise ValueError(text.replace("<input>", "condition")) from None
            # A twin reads the target under evaluation (policies.inline): not where the text
            # may rebind `target` or `self`.
            if not applied.isdisjoint(TARGET_READERS) and may_bind(checked.serialize(), _OWN_NAMES):
                inlined = inline_helpers(source, scope, own=False)
            # The date-helper rewrite is only a speed-up: without it the helpers stay correct.
            for candidate in (inlined, source):
                if policy_id is not None:
                    candidate = scope_to_policy(candidate, policy_id)
                expr = checked if candidate == source else attempt(candidate)
                if expr is not None:
                    break
            else:
                raise ValueError("the expression cannot be scoped to its policy's parameters")
        self._compiled[(source, scope)] = expr
        return expr

    def parses(self, source: str) -> bool:
        """Whether ``source`` is one CEL expression, its types unchecked: what a placeholder
        compiled only inside its template's list must be on its own (``a, b`` fits in a list,
        and is no expression). Nothing is kept."""
        if source in self._parsed:
            return True
        try:
            self.env.compile(source, True)
        except RuntimeError:
            return False
        self._parsed.add(source)
        return True

    def activation(self, variables: dict[str, Any]) -> cel.Activation:
        """The activation of ``variables``; with ``target``, its target and ``self`` are from
        now on the target under evaluation, which the twins (policies.inline) read: an
        activation is evaluated before the next is made (the engine makes one per target)."""
        if "target" in variables:
            self.context.evaluating(variables["target"], variables.get("self"))
        return self.env.Activation(variables)


def evaluate(expr: cel.Expression, activation: cel.Activation) -> tuple[Any, str | None]:
    """(value, None) or (None, error text): a CEL error never becomes a value silently."""
    try:
        result = expr.eval(activation)
    except Exception as exc:  # the runtime raises plain RuntimeErrors on internal failures
        return None, str(exc)
    if result.type() == cel.Type.ERROR:
        return None, str(result.value())
    return result.plain_value(), None
