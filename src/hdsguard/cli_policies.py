"""`hdsguard policies`: list, explain, document and test policies."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hdsguard.clicommon import CONFIG_OPTIONS, SEVERITIES, F, OutputPath, handle_errors, safe_text
from hdsguard.clilang import LocalisedGroup, lang_option
from hdsguard.declarations.sections import SECTIONS
from hdsguard.errors import InputError, Problem
from hdsguard.formatters.escape import name as escape_name
from hdsguard.i18n import _, current

if TYPE_CHECKING:
    from hdsguard.api import CheckOptions
    from hdsguard.policies.celenv import CelRuntime
    from hdsguard.policies.load import CompiledPolicy

# Every sentence a user reads from this module, in one place (translation wraps these).
OFF = "off in {config}"


@click.group(cls=LocalisedGroup, short_help="List, explain, test and document the policies")
@lang_option  # `hdsguard policies --lang fr list`, as every command takes it
def policies() -> None:
    """List, explain and test policies (the built-in catalogue, plus the `policies`
    directories and settings of your .hdsguard.yaml)."""


def config_options(func: F) -> F:
    """--policies, --config, --no-config: the same catalogue and settings as `check`."""
    for option in reversed(CONFIG_OPTIONS):
        func = option(func)
    return func


def _settings(
    policy_dirs: Sequence[Path], config_file: Path | None, no_config: bool, *, specs: bool
) -> tuple[CelRuntime, dict[str, CompiledPolicy], CheckOptions]:
    """The catalogue with the config's policies, and its settings checked against it."""
    import datetime

    from hdsguard.api import load_policies, options_from_config
    from hdsguard.clirun import load_run_config

    # Read in part: every problem of the config is reported together (api.options_from_config
    # gathers them; a setting in error hides none of the others).
    config = load_run_config(config_file, no_config, partial=True)
    options = options_from_config(config, as_of=datetime.date.today(), policy_dirs=policy_dirs)
    runtime, catalogue = load_policies(options.policy_dirs, with_specs=specs, lang=current())
    problems = list(options.problems)
    if config is not None:
        from hdsguard.config import rule_problems

        problems.extend(rule_problems(config.model, catalogue, config.source, config))
    if problems:
        raise InputError(problems)
    return runtime, catalogue, options


def _severity(policy: CompiledPolicy, options: CheckOptions) -> str:
    chosen = options.severities.get(policy.id)
    return chosen.value if chosen is not None else policy.meta.severity


def _is_on(policy_id: str, options: CheckOptions) -> bool:
    return policy_id not in options.disabled and (not options.only or policy_id in options.only)


@policies.command("list", short_help="List the policies: id, severity, sections, title")
@config_options
@click.option(
    "--section", type=click.Choice(SECTIONS), help="Only policies that apply to this section."
)
@click.option("--severity", type=click.Choice(SEVERITIES), help="Only this severity.")
@lang_option
@handle_errors
def list_policies(
    policy_dirs: Sequence[Path],
    config_file: Path | None,
    no_config: bool,
    section: str | None,
    severity: str | None,
) -> None:
    """List policies: id, severity (as your config sets it), sections, title; rules your
    config turns off say so."""
    _runtime, catalogue, options = _settings(policy_dirs, config_file, no_config, specs=False)
    config = options.config.source.path if options.config else ""
    for policy in catalogue.values():
        meta = policy.meta
        level = _severity(policy, options)
        if section and section not in meta.applies_to:
            continue
        if severity and level != severity:
            continue
        off = "" if _is_on(meta.id, options) else f" ({OFF.format(config=config)})"
        line = f"{meta.id:<9} {level:<8} {','.join(meta.applies_to):<22} {meta.title}{off}"
        click.echo(safe_text(line))


@policies.command(
    "explain", short_help="Explain one policy: what, why, parameters, fix, references"
)
@click.argument("policy_id")
@config_options
@lang_option
@handle_errors
def explain_policy(
    policy_id: str, policy_dirs: Sequence[Path], config_file: Path | None, no_config: bool
) -> None:
    """Explain one policy: what, why, defaults and your config's values, remediation,
    references, example, tests."""
    from hdsguard.policies.docs import explain_text

    runtime, catalogue, options = _settings(policy_dirs, config_file, no_config, specs=True)
    policy = catalogue.get(policy_id.upper())
    if policy is None:
        from hdsguard.declarations.validate import closest_rule

        close = closest_rule(policy_id, sorted(catalogue))
        if close:
            message = _("no policy {id!r}; did you mean {close}?")
        else:
            message = _("no policy {id!r}; see `hdsguard policies list`")
        raise click.BadParameter(
            message.format(id=policy_id, close=close or ""), param_hint="POLICY_ID"
        )
    text = explain_text(runtime, policy)
    if options.config is not None:
        from hdsguard.policies.effective import effective_section

        text += effective_section(policy, options)
    click.echo(safe_text(text), nl=False)


@policies.command("docs", short_help="Write the Markdown catalogue of the built-in policies")
@click.option("--output", "-o", type=OutputPath(), help="Write to FILE.")
@lang_option
@handle_errors
def policy_docs(output: str | None) -> None:
    """Generate the Markdown catalogue of the built-in policies (docs/policies.md; with
    --lang fr, docs/policies.fr.md)."""
    from hdsguard.api import load_policies
    from hdsguard.output import write_atomic
    from hdsguard.policies.docs import markdown_catalogue

    runtime, catalogue = load_policies(with_specs=True, lang=current())
    text = markdown_catalogue(runtime, catalogue.values(), current())
    if output:
        write_atomic(Path(output), text)
    else:
        click.echo(text, nl=False)


@policies.command("test", short_help="Run the inline test cases of the policies")
@click.argument("dirs", nargs=-1, type=click.Path(file_okay=False, path_type=Path))
@click.option("--verbose", "-v", is_flag=True, help="List passing cases too.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file. Default: the nearest .hdsguard.yaml in the current directory or above.",
)
@click.option("--no-config", is_flag=True, help="Ignore any .hdsguard.yaml.")
@lang_option
@handle_errors
def test_policies(
    dirs: Sequence[Path], verbose: bool, config_file: Path | None, no_config: bool
) -> None:
    """Run the inline test cases of the policies in DIRS (default: the built-in catalogue and
    the `policies` directories of your .hdsguard.yaml, whose settings are checked too). Each
    case runs with its own `params`, else the policy's defaults."""
    from hdsguard.policies.celenv import CelRuntime
    from hdsguard.policies.load import builtin_clashes, load_catalogue
    from hdsguard.policies.selftest import run_cases

    if dirs:
        # The config's policies and settings are not tested here, but its `lang:` is the
        # run's language like everywhere else (a French organisation's hook answered in
        # English). A config that does not load is the other commands' to report.
        from hdsguard.clirun import load_run_config

        with contextlib.suppress(InputError):
            load_run_config(config_file, no_config)
        runtime = CelRuntime()
        catalogue = load_catalogue(runtime, dirs, builtin=False, with_specs=True)
        clashes = builtin_clashes(catalogue.values())
        if clashes:
            raise InputError(clashes)
    else:
        runtime, catalogue, _settings_used = _settings((), config_file, no_config, specs=True)
    if not catalogue:
        # A hook pointed at the wrong folder must not pass silently.
        where = ", ".join(str(d) for d in dirs)
        raise InputError([Problem(where, None, None, _("no policy file (.yaml, .yml) found here"))])
    results = run_cases(runtime, catalogue.values())
    failed = [r for r in results if not r.ok]
    for r in results:
        if r.ok and not verbose:
            continue
        status = "ok  " if r.ok else "FAIL"
        click.echo(
            safe_text(f"{status} {r.policy} {escape_name(r.file)} tests[{r.index}] {r.name}")
        )
        if not r.ok:
            click.echo(safe_text(f"     {r.problem}"))
    click.echo(
        _("{passed} passed, {failed} failed").format(
            passed=len(results) - len(failed), failed=len(failed)
        )
    )
    sys.exit(1 if failed else 0)
