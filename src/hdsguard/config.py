"""The organisation config, ``.hdsguard.yaml``: where the declarations are, which rules run, with
which thresholds and severities, and how waivers are governed.

Found by walking up from the current directory to the repository root (a directory holding
``.git``) or the filesystem root, or named with ``--config``. Paths inside it are relative to
its own directory, so a bare ``hdsguard check`` works from anywhere in the repository.
Command-line options win over the file. Its JSON Schema is ``schemas/config.schema.json``.

This module reads the file (:func:`load_config`) and checks its rule settings against the
catalogue (:func:`rule_problems`) without importing pydantic: a config certainly valid is read
in plain Python (:func:`hdsguard.speed.configcheck.plain_config`, the same values as the
model's); on any doubt the pydantic model, :mod:`hdsguard.configmodel` (the source of truth for
the schema, the docs and every message about a config in error), validates the file as it
always did.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from hdsguard.declarations.files import display_path
from hdsguard.declarations.located import SourceFile
from hdsguard.declarations.shapes import misplaced
from hdsguard.declarations.validate import did_you_mean, did_you_mean_rule
from hdsguard.errors import InputError, Problem
from hdsguard.i18n import _
from hdsguard.modelfile import at, read_source

if TYPE_CHECKING:
    from pydantic import ValidationError

    from hdsguard.configmodel import Config, WaiverPolicy
    from hdsguard.evidence.load import EvidenceSpec
    from hdsguard.policies.load import CompiledPolicy
    from hdsguard.policies.meta import PolicyMeta
    from hdsguard.speed.configcheck import PlainConfig, PlainWaiverPolicy

    # A config's values: the model's, or the same values read without it (load_config).
    ConfigValues: TypeAlias = Config | PlainConfig
    WaiverPolicyValues: TypeAlias = WaiverPolicy | PlainWaiverPolicy

DEFAULT_WAIVERS = "waivers.yaml"


@dataclass(frozen=True)
class LoadedConfig:
    """A validated config, with its source (for located errors) and its directory.

    ``model`` holds its values: a :class:`hdsguard.configmodel.Config`, or, for a config read
    without the model (certainly valid), a :class:`hdsguard.speed.configcheck.PlainConfig`
    with the same attribute names and values. A config read with
    ``load_config(path, partial=True)`` may have failed validation: its ``model`` then holds
    what was valid (the settings in error are left at their default) and ``broken`` names
    the top-level keys left out in whole or in part, so that what depends on them is not
    checked (:meth:`problems` reports them)."""

    file: Path
    source: SourceFile
    model: ConfigValues
    broken: frozenset[str] = frozenset()
    # The validation error of a config read in part; its messages are made by problems(),
    # once the run's language is known (the config's own `lang:` may choose it).
    invalid: ValidationError | None = None
    # The problems of a config that could not be read at all (read in part: every setting
    # is then in `broken`).
    unread: tuple[Problem, ...] = ()
    # The file is another kind of file (a declaration, waivers…) given as the config: it is
    # then not kept out of the declarations as the config's own file.
    misplaced: bool = False

    def problems(self) -> list[Problem]:
        """The config's problems (none when it validated)."""
        if self.invalid is None:
            return list(self.unread)
        from hdsguard.configmodel import Config
        from hdsguard.declarations.validate import schema_problems

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
        waivers = self.resolve(self.model.waivers or DEFAULT_WAIVERS)
        files = [waivers] if self.misplaced else [self.file, waivers]
        baseline = self.baseline_file()
        return (*files, baseline) if baseline else tuple(files)


def load_config(path: Path, *, partial: bool = False) -> LoadedConfig:
    """The config at ``path``; raises InputError with every problem of the file.

    ``partial``: a config that parses but fails validation is returned with what was valid
    and its problems (:attr:`LoadedConfig.broken`, :meth:`LoadedConfig.problems`), so that a
    run reports them together with every other problem of its input rather than alone (a bad
    `severity:` hid an unknown rule id, a missing directory and every declaration error)."""
    from hdsguard.speed.configcheck import plain_config

    file = Path(os.path.normpath(path.absolute()))
    try:
        source = read_source(path)
    except InputError as exc:
        if not partial:
            raise
        return _unread(path, file, exc)
    # Certainly valid (most configs): its values, without importing pydantic (start-up time).
    plain = plain_config(source.data)
    if plain is not None:
        return LoadedConfig(file, source, plain)
    other = misplaced(source.data, "config", source.path)  # never the shape of a valid config
    if other is not None:
        problem = InputError([Problem(source.path, None, None, other)])
        if not partial:
            raise problem
        return replace(_unread(path, file, problem), misplaced=True)
    from pydantic import ValidationError

    from hdsguard.configmodel import Config, salvage
    from hdsguard.modelfile import validate_model

    if not partial:
        return LoadedConfig(file, source, validate_model(source, Config, "config"))
    try:
        model = validate_model(source, Config, "config", keep=True)
    except ValidationError as exc:
        model, broken = salvage(source.data, exc)
        return LoadedConfig(file, source, model, broken, exc)
    except InputError as exc:
        return _unread(path, file, exc)
    return LoadedConfig(file, source, model)


def _unread(path: Path, file: Path, exc: InputError) -> LoadedConfig:
    """A config not read at all (a syntax error, a later format version): no setting of it
    is used, and nothing that depends on one is checked; the declarations named on the
    command line are still checked in the same run."""
    from hdsguard.configmodel import Config

    nothing = SourceFile(display_path(path), None, {})
    every_key = frozenset(Config.model_fields)
    return LoadedConfig(file, nothing, Config(), every_key, unread=exc.problems)


def rule_problems(
    config: ConfigValues,
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
