"""What the commands that run a check share: their options (date, policies, config,
language) and the set-up of a run from them (:func:`prepare_run`)."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hdsguard import i18n
from hdsguard.clicommon import CONFIG_OPTIONS, F, parse_date
from hdsguard.clilang import lang_option, localise_click
from hdsguard.i18n import _

if TYPE_CHECKING:
    from hdsguard.api import CheckOptions
    from hdsguard.config import LoadedConfig


def run_options(func: F) -> F:
    """Options shared by `check` and `baseline`: evaluation date, policies, config."""
    options = [
        click.option(
            "--as-of",
            callback=parse_date,
            metavar="DATE",
            help="Evaluate as on this date (YYYY-MM-DD). Default: today.",
        ),
        *CONFIG_OPTIONS,
        lang_option,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def load_run_config(
    config_file: Path | None, no_config: bool, *, partial: bool = False
) -> LoadedConfig | None:
    """The config every command reads: --config, else the nearest .hdsguard.yaml unless
    --no-config. Its `lang:` becomes the run's language unless --lang or the command line
    chose one. ``partial``: a config that fails validation is returned with what was valid
    (:func:`hdsguard.config.load_config`), its problems left for the caller to report."""
    from hdsguard.configpath import find_config

    if config_file is not None and no_config:
        raise click.UsageError(_("--config and --no-config exclude each other"))
    path = config_file or (None if no_config else find_config(Path.cwd()))
    if path is None:
        return None
    from hdsguard.config import load_config

    config = load_config(path, partial=partial)
    i18n.set_default(config.model.lang)
    localise_click()
    return config


def prepare_run(
    paths: Sequence[str],
    as_of: datetime.date | None,
    policy_dirs: Sequence[Path],
    config_file: Path | None,
    no_config: bool,
    baseline_file: Path | None = None,
) -> tuple[list[str], CheckOptions, LoadedConfig | None]:
    """The declaration paths, options and config of a run; the command line wins.

    The config's problems are in ``options.problems``, for the check to report with every
    other problem of its input (every command given these options runs the check first)."""
    from hdsguard.api import options_from_config
    from hdsguard.errors import InputError

    config = load_run_config(config_file, no_config, partial=True)
    options = options_from_config(
        config,
        as_of=as_of or datetime.date.today(),
        policy_dirs=policy_dirs,
        baseline_file=baseline_file,
    )
    problems = list(options.problems)
    targets: list[str] | None = list(paths) or None
    if targets is None and config is not None:
        try:
            targets = config.declaration_paths()
        except InputError as exc:  # reported; the paths that exist are still read
            problems.extend(exc.problems)
            targets = [str(p) for p in map(config.resolve, config.model.declarations or ())]
            targets = [t for t in targets if Path(t).exists() or Path(t).is_symlink()]
        if targets is None and "declarations" in config.broken:
            targets = []  # in error: the current directory is not read in its place
    options = dataclasses.replace(options, lang=i18n.current(), problems=tuple(problems))
    return ["."] if targets is None else targets, options, config


def with_evidence(options: CheckOptions, evidence_paths: Sequence[Path]) -> CheckOptions:
    """``options`` reading the config's evidence files and then those given with
    ``--evidence`` (which adds to them), as every command that evaluates reads them."""
    if not evidence_paths:  # a pre-commit hook's case: the evidence reader is not imported
        return options
    from hdsguard.evidence.load import EvidenceSpec

    specs = (*options.evidence_files, *(EvidenceSpec(p) for p in evidence_paths))
    return dataclasses.replace(options, evidence_files=specs)
