"""The organisation config, ``.hdsguard.yaml``: where the declarations are, which rules run, with
which thresholds and severities, and how waivers are governed.

Found by walking up from the current directory to the repository root (a directory holding
``.git``) or the filesystem root, or named with ``--config``. Paths inside it are relative to
its own directory, so a bare ``hdsguard check`` works from anywhere in the repository.
Command-line options win over the file. Its JSON Schema is ``schemas/config.schema.json``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError

from hdsguard.declarations.files import display_path
from hdsguard.declarations.types import FormatVersion
from hdsguard.declarations.validate import (
    data_path,
    did_you_mean,
    did_you_mean_rule,
    schema_problems,
)
from hdsguard.declarations.yamlsource import SourceFile
from hdsguard.errors import InputError, Problem
from hdsguard.i18n import _
from hdsguard.modelfile import at, read_model, read_source, validate_model
from hdsguard.policies.model import SeverityName

if TYPE_CHECKING:
    from hdsguard.evidence.load import EvidenceSpec
    from hdsguard.policies.load import CompiledPolicy
    from hdsguard.policies.meta import PolicyMeta

DEFAULT_WAIVERS = "waivers.yaml"
DEFAULT_WARN_DAYS = 30

RuleId = Annotated[str, Field(strict=True, min_length=1, description="A policy id (FW-001).")]
Days = Annotated[int, Field(strict=True, ge=1)]


class _Strict(BaseModel):
    # defer_build: the validator is built on first use, not at import (start-up time).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Rules(_Strict):
    """Which rules run: `enable` selects, then `disable` removes from the selection."""

    disable: list[RuleId] = Field(default_factory=list, description="Rules that never run.")
    enable: list[RuleId] | None = Field(
        default=None,
        min_length=1,
        description="When set, only these rules run (all others are off).",
    )


class MaxDays(_Strict):
    """Longest waiver allowed per severity of the waived rule, in days (no key: no cap)."""

    critical: Days | None = None
    high: Days | None = None
    medium: Days | None = None
    low: Days | None = None
    info: Days | None = None


class WaiverPolicy(_Strict):
    """How waivers (accepted risks) are governed."""

    warn_days: Annotated[int, Field(strict=True, ge=0)] = Field(
        default=DEFAULT_WARN_DAYS,
        description="A waiver expiring at most this many days after the evaluation date is "
        "reported as expiring soon.",
    )
    max_days: MaxDays = Field(
        default_factory=MaxDays,
        description="Cap on a waiver's duration (expires - created, or expires - the "
        "evaluation date when `created` is absent), by the rule's severity.",
    )
    forbidden: list[RuleId] = Field(
        default_factory=list, description="Rules that may never be waived."
    )


class EvidenceEntry(_Strict):
    """An evidence path with what is declared about it (instead of a sidecar file)."""

    path: StrictStr = Field(description="Evidence file or directory.")
    vantage: Literal["external", "internal"] | None = Field(
        default=None,
        description="Where a scan ran from: `external` (the Internet) or `internal`.",
    )
    host: StrictStr | None = Field(
        default=None, description="The host that served a certificate file."
    )


class Config(_Strict):
    """One ``.hdsguard.yaml`` file."""

    version: FormatVersion | None = Field(
        default=None, description="Version of the config format: 1."
    )
    declarations: list[StrictStr] | None = Field(
        default=None,
        min_length=1,
        description="Declaration files or directories, relative to this file's directory; "
        "used when `hdsguard check` is given no PATHS.",
    )
    policies: list[StrictStr] = Field(
        default_factory=list,
        description="Extra policy directories, relative to this file's directory, loaded "
        "beside the built-in catalogue (and any --policies).",
    )
    rules: Rules = Field(default_factory=Rules)
    params: dict[RuleId, dict[StrictStr, Any]] = Field(
        default_factory=dict,
        description="Parameter overrides per rule: `FW-001: {max_patch_age_days: 30}`; "
        "type-checked against the parameters the policy declares.",
    )
    severity: dict[RuleId, SeverityName] = Field(
        default_factory=dict, description="Severity overrides per rule: `EXP-006: medium`."
    )
    fail_on: SeverityName | None = Field(
        default=None, description="Default of --fail-on (else `low`)."
    )
    lang: Literal["en", "fr"] | None = Field(
        default=None,
        description="Language of messages and reports, `en` or `fr` (--lang wins). Default: "
        "from LC_ALL / LC_MESSAGES / LANG, else English.",
    )
    waivers: StrictStr | None = Field(
        default=None,
        description="Waiver file, relative to this file's directory. Default: `waivers.yaml` "
        "next to this file, when it exists.",
    )
    baseline: StrictStr | None = Field(
        default=None,
        description="Baseline file used by `check` and written by `baseline`, relative to "
        "this file's directory (default: none for check, .hdsguard-baseline.json for baseline).",
    )
    waiver_policy: WaiverPolicy = Field(default_factory=WaiverPolicy)
    evidence: list[StrictStr | EvidenceEntry] = Field(
        default_factory=list,
        description="Evidence files or directories, relative to this file's directory (scans, "
        "certificates, the CISA KEV catalogue, an ANS HDS registry snapshot): a path, or "
        "`{path, vantage, host}` to declare a scan's vantage point or a certificate's host. "
        "See docs/evidence.md.",
    )


@dataclass(frozen=True)
class LoadedConfig:
    """A validated config, with its source (for located errors) and its directory.

    A config read with ``load_config(path, partial=True)`` may have failed validation: its
    ``model`` then holds what was valid (the settings in error are left at their default)
    and ``broken`` names the top-level keys left out in whole or in part, so that what
    depends on them is not checked (:meth:`problems` reports them)."""

    file: Path
    source: SourceFile
    model: Config
    broken: frozenset[str] = frozenset()
    # The validation error of a config read in part; its messages are made by problems(),
    # once the run's language is known (the config's own `lang:` may choose it).
    invalid: ValidationError | None = None
    # The problems of a config that could not be read at all (read in part: every setting
    # is then in `broken`).
    unread: tuple[Problem, ...] = ()

    def problems(self) -> list[Problem]:
        """The config's problems (none when it validated)."""
        if self.invalid is None:
            return list(self.unread)
        return [*self.unread, *schema_problems(self.source, self.invalid, Config)]

    def policies_incomplete(self) -> bool:
        """Whether some `policies` directory is not loaded (invalid, or missing): a rule id
        unknown to the catalogue may then be one of its rules."""
        if "policies" in self.broken:
            return True
        return any(not self.resolve(p).is_dir() for p in self.model.policies)

    @property
    def directory(self) -> Path:
        return self.file.parent

    def resolve(self, value: str) -> Path:
        # Normalised (no `config/../`), so that reports name files the way users expect.
        return Path(os.path.normpath(self.directory / value))

    def declaration_paths(self) -> list[str] | None:
        """The ``declarations`` paths; a missing one is an error located in the config (it
        was reported as an absolute path that cannot be read, with no hint where it came
        from)."""
        if self.model.declarations is None:
            return None
        paths = [self.resolve(p) for p in self.model.declarations]
        problems = [
            at(
                self.source,
                ("declarations", index),
                _("declaration file or directory not found: {path}").format(
                    path=display_path(path)
                ),
            )
            for index, path in enumerate(paths)
            if not path.exists() and not path.is_symlink()
        ]
        if problems:
            raise InputError(problems)
        return [str(p) for p in paths]

    def policy_dirs(self) -> tuple[Path, ...]:
        """The ``policies`` directories; a missing one is an error located in the config."""
        dirs = tuple(self.resolve(p) for p in self.model.policies)
        problems = [
            at(
                self.source,
                ("policies", index),
                _("policy directory not found: {path}").format(path=display_path(path)),
            )
            for index, path in enumerate(dirs)
            if not path.is_dir()
        ]
        if problems:
            raise InputError(problems)
        return dirs

    def waivers_file(self) -> Path | None:
        """The waiver file named by ``waivers:`` (must exist), else ``waivers.yaml`` if any."""
        if "waivers" in self.broken:
            return None  # the value is in error: no other file is read in its place
        if self.model.waivers is None:
            default = self.resolve(DEFAULT_WAIVERS)
            return default if default.is_file() else None
        path = self.resolve(self.model.waivers)
        if not path.is_file():
            message = _("waiver file not found: {path}").format(path=display_path(path))
            raise InputError([at(self.source, ("waivers",), message)])
        return path

    def evidence_specs(self) -> tuple[EvidenceSpec, ...]:
        from hdsguard.evidence.load import EvidenceSpec

        return tuple(
            EvidenceSpec(self.resolve(e))
            if isinstance(e, str)
            else EvidenceSpec(self.resolve(e.path), e.vantage, e.host)
            for e in self.model.evidence
        )

    def baseline_file(self) -> Path | None:
        return None if self.model.baseline is None else self.resolve(self.model.baseline)

    def own_files(self) -> tuple[Path, ...]:
        """Files that are never declarations: this config, its waivers and its baseline."""
        files = [self.file, self.resolve(self.model.waivers or DEFAULT_WAIVERS)]
        baseline = self.baseline_file()
        return (*files, baseline) if baseline else tuple(files)


def load_config(path: Path, *, partial: bool = False) -> LoadedConfig:
    """The config at ``path``; raises InputError with every problem of the file.

    ``partial``: a config that parses but fails validation is returned with what was valid
    and its problems (:attr:`LoadedConfig.broken`, :meth:`LoadedConfig.problems`), so that a
    run reports them together with every other problem of its input rather than alone (a bad
    `severity:` hid an unknown rule id, a missing directory and every declaration error)."""
    file = Path(os.path.normpath(path.absolute()))
    if not partial:
        source, model = read_model(path, Config, "config")
        return LoadedConfig(file, source, model)
    try:
        source = read_source(path)
        model = validate_model(source, Config, "config", keep=True)
    except ValidationError as exc:
        model, broken = _salvage(source.data, exc)
        return LoadedConfig(file, source, model, broken, exc)
    except InputError as exc:
        # Not read at all (a syntax error, a later format version): no setting of it is
        # used, and nothing that depends on one is checked; the declarations named on the
        # command line are still checked in the same run.
        nothing = SourceFile(display_path(path), None, {})
        return LoadedConfig(file, nothing, Config(), _EVERY_KEY, unread=exc.problems)
    return LoadedConfig(file, source, model)


_EVERY_KEY = frozenset(Config.model_fields)


def _salvage(data: dict[str, Any], exc: ValidationError) -> tuple[Config, frozenset[str]]:
    """The config without the settings in error, and the top-level keys they were under.

    A setting is as small as can be left out alone: an entry of a mapping of rules
    (`severity.FW-001`, `params.FW-001`) or of a block (`rules.disable`,
    `waiver_policy.max_days`), else the top-level key. If what is left still fails (an
    error pydantic reported only once another was gone), the keys in error go whole; the
    defaults are the last resort."""
    kept: dict[str, Any] = dict(data)
    broken: set[str] = set()
    for err in exc.errors(include_url=False):
        path = data_path(data, tuple(err["loc"]))
        if not path or not isinstance(path[0], str):
            return Config(), frozenset(data)
        top = path[0]
        broken.add(top)
        inner = kept.get(top)
        if len(path) >= 2 and isinstance(inner, dict) and isinstance(path[1], str):
            kept[top] = {k: v for k, v in inner.items() if k != path[1]}
        else:
            kept.pop(top, None)
    for _attempt in range(2):
        try:
            return Config.model_validate(kept), frozenset(broken)
        except ValidationError as again:
            for err in again.errors(include_url=False):
                key = err["loc"][0] if err["loc"] else None
                if not isinstance(key, str):
                    return Config(), frozenset(data)
                broken.add(key)
                kept.pop(key, None)
    return Config(), frozenset(data)


def rule_problems(
    config: Config,
    catalogue: Mapping[str, CompiledPolicy],
    source: SourceFile,
    loaded: LoadedConfig | None = None,
) -> list[Problem]:
    """Unknown rule ids and bad parameter overrides, located in ``source`` (the config).

    ``loaded``: the config read in part (:func:`load_config`), whose other problems are
    reported apart: nothing is said that may only follow from them (a rule id unknown
    because a `policies` directory is not loaded; no rule left because `rules` is in
    error)."""
    ids = sorted(catalogue)
    problems: list[Problem] = []
    unsure = loaded is not None and loaded.policies_incomplete()

    def known(path: tuple[str | int, ...], rule: str, *, key: bool = False) -> bool:
        if rule in catalogue:
            return True
        if unsure:
            return False  # may be a rule of a directory not loaded: not told unknown
        message = _("unknown rule '{rule}'").format(rule=rule) + did_you_mean_rule(rule, ids)
        problems.append(at(source, path, message, key=key))
        return False

    for name, items in (("disable", config.rules.disable), ("enable", config.rules.enable or [])):
        for index, rule in enumerate(items):
            known(("rules", name, index), rule)
    for index, rule in enumerate(config.waiver_policy.forbidden):
        known(("waiver_policy", "forbidden", index), rule)
    for rule in config.severity:
        known(("severity", rule), rule, key=True)
    for rule, values in config.params.items():
        if known(("params", rule), rule, key=True):
            problems.extend(_param_problems(catalogue[rule].meta, values, source))
    enabled = set(catalogue) if config.rules.enable is None else set(config.rules.enable)
    settled = loaded is None or "rules" not in loaded.broken
    if catalogue and settled and not problems and not enabled - set(config.rules.disable):
        # A gate that evaluates nothing reports "0 fail" and exits 0: a green that says
        # nothing. Located at what left no rule (`enable`, else `disable`).
        where = ("rules", "enable") if config.rules.enable is not None else ("rules", "disable")
        message = _(
            "these settings leave no rule to evaluate (every enabled rule is disabled): a run "
            "would check nothing and pass; enable at least one rule"
        )
        problems.append(at(source, where, message))
    return problems


def _param_problems(
    spec: PolicyMeta, values: Mapping[str, Any], source: SourceFile
) -> list[Problem]:
    from hdsguard.policies.params import param_problem

    problems: list[Problem] = []
    for name, value in values.items():
        path = ("params", spec.id, name)
        param = spec.params.get(name)
        if param is None:
            declared = list(spec.params)
            hint = did_you_mean(name, declared)
            if not hint:
                hint = (
                    _("; it has: {names}").format(names=", ".join(declared))
                    if declared
                    else _("; it has none")
                )
            message = _("unknown parameter '{name}' of {rule}").format(name=name, rule=spec.id)
            message += hint
            problems.append(at(source, path, message, key=True))
        elif (wrong := param_problem(param, value)) is not None:
            problems.append(at(source, path, wrong))
    return problems
