"""The library entry point: ``check(paths) -> Report``. The CLI is a thin layer over this."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from hdsguard import __version__, progress
from hdsguard.errors import InputError, Problem
from hdsguard.findings import EvidenceFileInfo, Finding, Report, RuleInfo, Severity
from hdsguard.policies.celenv import CelRuntime
from hdsguard.policies.load import CompiledPolicy, load_catalogue

if TYPE_CHECKING:
    from hdsguard.baseline import Baseline
    from hdsguard.config import LoadedConfig, WaiverPolicyValues
    from hdsguard.declarations.merge import DeclarationSet
    from hdsguard.evidence.load import EvidenceSet, EvidenceSpec
    from hdsguard.speed.ahead import Ahead
    from hdsguard.waiverfile import WaiverSet

DOCS_URL = "https://github.com/hdsguard/hdsguard/blob/main/docs/policies.md"
T = TypeVar("T")


@dataclass(frozen=True)
class CheckOptions:
    """What a run needs besides the declaration paths; every field has a sensible default.

    Build it from a config file with :func:`options_from_config`.
    """

    as_of: datetime.date = field(default_factory=datetime.date.today)
    policy_dirs: Sequence[Path] = ()
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    severities: Mapping[str, Severity] = field(default_factory=dict)
    disabled: frozenset[str] = frozenset()
    only: frozenset[str] = frozenset()
    waivers_file: Path | None = None
    waiver_policy: WaiverPolicyValues | None = None  # None: the defaults (warn 30 days, no cap)
    baseline_file: Path | None = None
    # Files never read as declarations (the config, waiver and baseline files are added).
    exclude: Sequence[Path] = ()
    # Where rules, params and severities came from: locates their errors.
    config: LoadedConfig | None = None
    # False, for outputs that hide passes: passing and not-applicable pairs are only counted
    # (``Report.counted``), not built into findings (``Report.findings`` holds the fail,
    # warn, error and waived ones only; ``Report.summary()`` still counts every pair).
    evidence: bool = True
    # Whether failing findings carry their reason (``Finding.reason``: hdsguard.reasons),
    # which only a baseline compares; None: when ``baseline_file`` is given. Computing reasons
    # costs a first run about 5 % of its CPU and a large estate some MiB.
    reasons: bool | None = None
    # Whether each rule's remediation (``Report.rules``) is worded for every target, as SARIF's
    # rule help prints it (hdsguard.policies.rulehelp); False: its template as written, which
    # no other output prints. Wording it may build the CEL environment, which a run whose
    # findings all come from the memo otherwise never does.
    rule_help: bool = True
    # Evidence files or directories (scans, certificates, KEV, ANS registry): docs/evidence.md.
    evidence_files: Sequence[EvidenceSpec] = ()
    # The language of the report's prose, "en" or "fr"; None: the run's (hdsguard.i18n).
    lang: str | None = None
    # Told each stage of the run (hdsguard.progress: a terminal's status line); None: silent.
    progress: Callable[[str], None] | None = None
    # Problems found while the options were made (the config's: a setting in error, a
    # directory it names that does not exist): `check` raises them with every other problem
    # of the run, so that a bad config does not hide the rest.
    problems: tuple[Problem, ...] = ()


def options_from_config(
    config: LoadedConfig | None,
    *,
    as_of: datetime.date,
    policy_dirs: Sequence[Path] = (),
    baseline_file: Path | None = None,
) -> CheckOptions:
    """Options from ``config`` (may be None) and the command line, which wins over the file.

    ``policy_dirs`` add to the config's ``policies``; ``baseline_file`` replaces its ``baseline``.
    The config's problems (:meth:`LoadedConfig.problems`, a directory or waiver file it names
    that does not exist) are all gathered in ``problems``, raised by :func:`check`.
    """
    if config is None:
        return CheckOptions(
            as_of=as_of, policy_dirs=tuple(policy_dirs), baseline_file=baseline_file
        )
    model = config.model
    problems = config.problems()
    config_dirs = _collect(problems, config.policy_dirs)
    if config_dirs is None:  # reported: the directories that exist are still loaded
        config_dirs = tuple(d for d in map(config.resolve, model.policies) if d.is_dir())
    return CheckOptions(
        as_of=as_of,
        policy_dirs=(*config_dirs, *policy_dirs),
        params=model.params,
        severities={rule: Severity(s) for rule, s in model.severity.items()},
        disabled=frozenset(model.rules.disable),
        only=frozenset(model.rules.enable or ()),
        waivers_file=_collect(problems, config.waivers_file),
        waiver_policy=model.waiver_policy,
        baseline_file=baseline_file or config.baseline_file(),
        exclude=config.own_files(),
        config=config,
        evidence_files=config.evidence_specs(),
        problems=tuple(problems),
    )


def load_policies(
    policy_dirs: Sequence[Path] = (), *, with_specs: bool = False, lang: str | None = None
) -> tuple[CelRuntime, dict[str, CompiledPolicy]]:
    """The catalogue; ``lang``: the language of its texts (None: each policy's own)."""
    runtime = CelRuntime()
    return runtime, load_catalogue(runtime, policy_dirs, with_specs=with_specs, lang=lang)


def selected(
    catalogue: Mapping[str, CompiledPolicy], options: CheckOptions
) -> list[CompiledPolicy]:
    return [
        p
        for pid, p in catalogue.items()
        if pid not in options.disabled and (not options.only or pid in options.only)
    ]


def check(paths: Sequence[str], options: CheckOptions | None = None) -> Report:
    """Load declarations, policies, waivers and baseline, evaluate, and return the report.

    With the default ``options.evidence=True`` the report holds one finding per (rule,
    target) pair. With ``evidence=False`` its passes and not-applicable pairs are counted in
    ``Report.counted`` instead (``Report.summary()`` adds them): what the outputs that hide
    them (text without --verbose, SARIF, annotations) need, at a fraction of the cost.

    Raises ``hdsguard.errors.InputError`` (with every located problem) when the declarations,
    a policy, the config, the waivers or the baseline are invalid.
    """
    from hdsguard import i18n

    options = options or CheckOptions()
    with i18n.language(options.lang or i18n.current()):
        return _check(paths, options, options.lang or i18n.current())


def _check(paths: Sequence[str], options: CheckOptions, lang: str) -> Report:
    from hdsguard import data
    from hdsguard.engine import fields_in_use, run
    from hdsguard.policies.texts import fallback_notice

    tell = options.progress or _silent
    tell(progress.LOADING_POLICIES)
    skipped: list[str] = []  # inputs a walk did not read: announced with the notices
    ahead = _compile_ahead(paths, options, lang)
    early: list[Problem] = []
    read = None
    if ahead is not None:  # the declarations are read while a helper compiles the catalogue
        try:
            read = _collect(early, read_declarations, paths, options, None, skipped, tell)
        except BaseException:  # interrupted, or a bug: the helper is killed and reaped
            ahead.helper.stop()
            raise
        ahead.finish()
    problems = list(options.problems)
    loaded = _collect(problems, functools.partial(load_policies, lang=lang), options.policy_dirs)
    # A broken policy file stops the evaluation, not the reading: the declarations' own
    # problems come out in the same run. What names rules (the config's rule settings, the
    # waivers' rule ids) is only checked against a whole catalogue: against part of one, a
    # rule of the broken file would be called unknown, a cascade of the error shown.
    catalogue = loaded[1] if loaded is not None else None
    if catalogue is not None:
        problems.extend(_settings_problems(catalogue, options))
    waivers = _collect(problems, _load_waivers, options, catalogue)
    baseline = _collect(problems, _load_baseline, options)
    if ahead is None:
        try:  # its problems join ``problems``, which it is given
            read = read_declarations(paths, options, problems, skipped, tell)
        except InputError:
            read = None
    elif read is None or problems:  # as read_declarations raises: every problem, in order
        raise InputError([*problems, *early])
    if loaded is None or read is None:
        raise InputError(problems)
    runtime, catalogue = loaded
    decl, observed = read
    policies = selected(catalogue, options)
    targets = sum(map(len, decl.lists.values())) + len(decl.singletons)
    tell(
        progress.EVALUATING.format(
            rules=len(policies),
            rs=progress.plural(len(policies)),
            targets=targets,
            ts=progress.plural(targets),
        )
    )
    from hdsguard.speed.findingsmemo import FindingsMemo

    in_use = fields_in_use(policies, decl)
    with_reasons = wants_reasons(options, waivers)
    memo = FindingsMemo.open(
        runtime.catalogue_key,
        decl.digests,
        policies,
        options.as_of,
        options.params,
        options.severities,
        options.evidence,
        decl.observed(),
        in_use,
        with_reasons,
    )
    results = run(
        runtime,
        policies,
        decl,
        options.as_of,
        options.params,
        options.severities,
        evidence=options.evidence,
        with_reasons=with_reasons,
        memo=memo,
        in_use=in_use,
    )
    findings = results.findings
    if observed is not None:
        from hdsguard.evidence.elsewhere import with_elsewhere_notes
        from hdsguard.evidence.ptr import with_ptr_notes
        from hdsguard.evidence.related import with_related

        tags = {p.id: p.meta.tags for p in policies if "evidence" in p.meta.tags}
        findings = with_ptr_notes(with_related(findings, decl, tags), decl, tags)
        findings = with_elsewhere_notes(findings, decl, tags)
    findings, notices = _exceptions(findings, options, waivers, baseline)
    fallback = fallback_notice(lang, (p.id for p in policies if p.fell_back))
    if fallback:
        notices.insert(0, fallback)
    notices = [*decl.notices, *notices]
    return Report(
        tool_version=__version__,
        as_of=options.as_of.isoformat(),
        findings=tuple(findings),
        rules={
            p.id: rule_info(
                p, options.severities, runtime if options.rule_help else None, options.params
            )
            for p in policies
        },
        data_versions=data.data_versions(),
        notices=(*skipped, *notices),
        evidence=_evidence_files(observed),
        counted=results.counted(),
        ordered=True,
    )


def wants_reasons(options: CheckOptions, waivers: WaiverSet | None = None) -> bool:
    """Whether the run's failing findings need their reason: asked for, a baseline to
    compare them with, or a waiver that names what it `accepts` (hdsguard.waiveraccepts)."""
    if options.reasons is not None:
        return options.reasons
    if waivers is not None and any(entry.accepts for entry in waivers.entries):
        return True
    return options.baseline_file is not None


def _compile_ahead(paths: Sequence[str], options: CheckOptions, lang: str) -> Ahead | None:
    """A helper compiling the catalogue into its cache while the declarations are read
    (:mod:`hdsguard.speed.ahead`), or None."""
    from hdsguard.speed import ahead

    def compile_catalogue() -> None:
        load_policies(options.policy_dirs, lang=lang)

    exclude = [*options.exclude, *filter(None, (options.waivers_file, options.baseline_file))]
    return ahead.start(compile_catalogue, options.policy_dirs, lang, paths, exclude)


def _silent(_text: str) -> None:
    pass


def read_declarations(
    paths: Sequence[str],
    options: CheckOptions,
    problems: list[Problem] | None = None,
    skipped: list[str] | None = None,
    tell: Callable[[str], None] = _silent,
) -> tuple[DeclarationSet, EvidenceSet | None]:
    """The declarations as the rules see them, and the evidence read: the one place that
    reads both (``check`` and the audit's deadline projection evaluate the same data).

    The waiver, baseline and evidence files are not declarations, even inside a declaration
    directory. Declared dates after the evaluation date are refused (evidence from the future
    is no evidence). The evidence is then attached to the declarations it observes (rules
    compare the two). Raises InputError with ``problems`` (those the caller found first) and
    these, all at once.
    """
    from hdsguard.declarations.load import load_parts
    from hdsguard.declarations.plausible import implausible
    from hdsguard.declarations.portranges import port_range_problems

    problems = [] if problems is None else problems
    observed = _collect(problems, _load_evidence, options)
    if observed is not None:
        from hdsguard.evidence.load import from_the_future

        problems.extend(from_the_future(observed, options.as_of))
    exclude = [*options.exclude, *filter(None, (options.waivers_file, options.baseline_file))]
    exclude += observed.paths if observed is not None else []  # evidence is no declaration
    # No path with other problems: the config's `declarations` was in error, and no other
    # directory is read in its place (its problems would be noise).
    reading = paths or not problems
    parts = _collect(problems, load_parts, paths, exclude, skipped, tell) if reading else None
    decl = None
    if parts is not None:
        # What could be read is checked further even when other objects have problems (its
        # dates here): every independent problem in one run, not one kind per run.
        decl, found = parts
        problems.extend(found)
        problems.extend(implausible(decl, options.as_of))
        problems.extend(port_range_problems(decl))
    if problems or decl is None:
        raise InputError(problems)
    if observed is not None:
        from hdsguard.evidence.view import attach, sections

        attach(decl, sections(observed))
    return decl, observed


def _collect(problems: list[Problem], func: Callable[..., T], *args: Any) -> T | None:
    """Call ``func``; on InputError add its problems, so that users see all of them at once."""
    try:
        return func(*args)
    except InputError as exc:
        problems.extend(exc.problems)
        return None


def _settings_problems(
    catalogue: Mapping[str, CompiledPolicy], options: CheckOptions
) -> list[Problem]:
    """Unknown rule ids and bad parameters, located in the config when there is one."""
    if options.config is None and not (
        options.disabled or options.only or options.params or options.severities
    ):
        return []  # nothing to check, and no settings model to import (start-up time)
    from hdsguard.config import rule_problems

    if options.config is not None:
        config = options.config
        return rule_problems(config.model, catalogue, config.source, config)
    from hdsguard.configmodel import Config, Rules
    from hdsguard.declarations.located import SourceFile

    settings = Config(
        rules=Rules(disable=sorted(options.disabled), enable=sorted(options.only) or None),
        params={rule: dict(values) for rule, values in options.params.items()},
        severity={rule: s.value for rule, s in options.severities.items()},
    )
    if options.waiver_policy is not None:
        # As given, unvalidated: a policy read without the model (speed.configcheck) is no
        # WaiverPolicy instance; rule_problems reads its `forbidden` either way.
        settings = settings.model_copy(update={"waiver_policy": options.waiver_policy})
    return rule_problems(settings, catalogue, SourceFile("<options>", None, {}))


def _load_waivers(
    options: CheckOptions, catalogue: Mapping[str, CompiledPolicy] | None
) -> WaiverSet | None:
    """The waivers file; checked against ``catalogue`` and the waiver policy unless the
    catalogue could not be loaded (None): then only read."""
    if options.waivers_file is None:
        return None
    from hdsguard.speed.configcheck import PlainWaiverPolicy
    from hdsguard.waiverfile import load_waivers, review_notices, waiver_problems

    waivers = load_waivers(options.waivers_file)
    if catalogue is None:
        return waivers
    policy = options.waiver_policy or PlainWaiverPolicy()  # the model's defaults
    config_name = options.config.source.path if options.config else "the options"
    problems = waiver_problems(
        waivers, catalogue, options.severities, policy, options.as_of, config_name
    )
    if problems:
        raise InputError(problems)
    reviews = review_notices(waivers, catalogue, options.severities, policy, options.as_of)
    return replace(waivers, reviews=reviews) if reviews else waivers


def _evidence_files(observed: EvidenceSet | None) -> tuple[EvidenceFileInfo, ...]:
    files = observed.files if observed is not None else []
    return tuple(
        EvidenceFileInfo(f.path, f.kind, f.sha256, f.timestamp, f.sidecar, f.sidecar_sha256)
        for f in files
    )


def _load_evidence(options: CheckOptions) -> EvidenceSet | None:
    if not options.evidence_files:
        return None
    from hdsguard.evidence.load import load_evidence

    return load_evidence(options.evidence_files)


def _load_baseline(options: CheckOptions) -> Baseline | None:
    if options.baseline_file is None:
        return None
    from hdsguard.baseline import load_baseline

    return load_baseline(options.baseline_file)


def _exceptions(
    findings: Sequence[Finding],
    options: CheckOptions,
    waivers: WaiverSet | None,
    baseline: Baseline | None,
) -> tuple[list[Finding], list[str]]:
    """Apply waivers, then the baseline (to what still fails); their notices, in that order."""
    out, notices = list(findings), list[str]()
    if waivers is None and baseline is None:
        return out, notices
    if waivers is not None:
        from hdsguard.speed.configcheck import PlainWaiverPolicy
        from hdsguard.waiverfile import apply_waivers

        warn_days = (options.waiver_policy or PlainWaiverPolicy()).warn_days
        out, notices = apply_waivers(out, waivers, options.as_of, warn_days)
    if baseline is not None:
        # Imported only for a baseline: its module imports pydantic (start-up time).
        from hdsguard.baseline import apply_baseline

        out, more = apply_baseline(out, baseline, options.as_of)
        notices += more
    return out, notices


def rule_info(
    policy: CompiledPolicy,
    severities: Mapping[str, Severity] | None = None,
    runtime: CelRuntime | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
) -> RuleInfo:
    """The rule as SARIF describes it once; its remediation worded for every target, with the
    run's params (:mod:`hdsguard.policies.rulehelp`), when ``runtime`` is given."""
    meta = policy.meta
    remediation = meta.remediation
    if runtime is not None and remediation:
        from hdsguard.policies.rulehelp import remediation_help

        remediation = remediation_help(runtime, policy, (params or {}).get(policy.id))
    return RuleInfo(
        id=meta.id,
        title=meta.title,
        severity=(severities or {}).get(meta.id, Severity(meta.severity)),
        description=meta.description,
        rationale=meta.rationale,
        remediation=remediation,
        references=tuple(meta.references),
        tags=tuple(meta.tags),
        # The catalogue page documents the built-in rules only: a user's policy (an override
        # included) links to its own help_uri or to nothing, never to a missing anchor.
        help_uri=meta.help_uri or (f"{DOCS_URL}#{meta.id.lower()}" if policy.builtin else ""),
        controls=tuple(meta.controls),
    )
