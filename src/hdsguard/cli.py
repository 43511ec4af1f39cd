"""Command line: thin click commands that call the library and pick a formatter.

Exit codes: 0 nothing fails at or above the threshold; 1 at least one failing finding (or a
failing policy test); 2 invalid input, config, policy or command line.
"""

from __future__ import annotations

import dataclasses
import datetime
import gc
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hdsguard import __version__
from hdsguard.clicommon import (
    SEVERITIES,
    OutputPath,
    evidence_option,
    handle_errors,
    safe_text,
)
from hdsguard.clilang import LazyGroup, lang_option
from hdsguard.clirun import prepare_run, run_options, with_evidence
from hdsguard.formatters.escape import name as escape_name
from hdsguard.i18n import N_, _, ngettext

if TYPE_CHECKING:
    pass

# Commands imported only when named (or listed by --help): a pre-commit hook's `check`
# imports none of their modules (about 20 ms of a 0.19 s run).
_LAZY = {
    "calendar": "hdsguard.cli_audit:calendar",
    "init": "hdsguard.cli_init:init",
    "policies": "hdsguard.cli_policies:policies",
    "report": "hdsguard.cli_audit:report",
    "verify-pack": "hdsguard.cli_audit:verify_pack",
    "waivers": "hdsguard.cli_waivers:waivers",
}


@click.group(
    cls=LazyGroup,
    lazy=_LAZY,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, "--version", prog_name="hdsguard")
@lang_option
def main() -> None:
    """Check the declared infrastructure of a health organisation against HDS, ISO 27001,
    CaRE and ANSSI rules.

    New here: `hdsguard init` writes a commented starting set of declarations, a config, a
    pre-commit hook and a CI job; then `hdsguard check` lists what to declare. Field
    reference: `hdsguard schema --markdown` (docs/declarations.md).
    """


# What the command keeps until it leaves with ``os._exit`` (:func:`run`), so that it is not
# freed object by object when its frame unwinds, for nothing: the report of the 10k-object
# failing set (114,723 findings with their passes) took 40-85 ms to free. It is alive while
# it is written, the run's peak, so keeping it to the exit costs no memory. None when
# :func:`main` is called otherwise (the tests, a library caller): then nothing is kept.
_until_exit: list[object] | None = None


def run() -> None:
    """The ``hdsguard`` command (and ``python -m hdsguard``): :func:`main`, then out of the
    process without tearing the interpreter down.

    Tearing the interpreter down frees every object left one by one, for nothing: by then
    every output file is written and closed (atomically), every helper process reaped, and
    the standard streams are flushed here. Anything but an exit (an interruption) leaves the
    usual way.
    """
    global _until_exit
    _until_exit = []
    try:
        _run()
    finally:  # reached only when os._exit did not end the process (a test replaced it)
        _until_exit = None


def _interrupt_again(default: Callable[[Any], object]) -> Callable[[Any], None]:
    """A hook for the exceptions Python cannot raise (``sys.unraisablehook``): a Ctrl-C whose
    KeyboardInterrupt was raised inside a callback (a weak reference's, such as the import
    system's module locks) was printed as "Exception ignored in … Traceback" and lost, and the
    run went on. It is delivered again instead, as a signal sent from another thread, which
    the main thread handles at the next point where Python checks for one, out of the callback
    (tests/test_output_process.py); any other exception goes to ``default``."""

    def hook(unraisable: Any) -> None:
        if unraisable.exc_type is not None and issubclass(unraisable.exc_type, KeyboardInterrupt):
            import _thread

            # From another thread: called here, in the main thread, the handler would raise
            # inside this hook, and be ignored again.
            _thread.start_new_thread(_thread.interrupt_main, ())
            return
        default(unraisable)

    return hook


def _run() -> None:
    import contextlib
    import os
    import signal

    from hdsguard import stdstreams

    stdstreams.install()  # every byte written, or exit 2; a reader gone is not an error
    interrupted = False

    def on_interrupt(_signum: int, _frame: object) -> None:
        nonlocal interrupted
        interrupted = True
        raise KeyboardInterrupt

    with contextlib.suppress(ValueError):  # not the main thread
        signal.signal(signal.SIGINT, on_interrupt)
    sys.unraisablehook = _interrupt_again(sys.unraisablehook)
    try:
        main(prog_name="hdsguard")
        status: object = 0
    except SystemExit as exc:
        status = exc.code
    except KeyboardInterrupt:
        status = 130
    if interrupted:  # Ctrl-C: 130 as a shell reports it, never 1 (failing findings)
        status = 130
    if status is None:
        status = 0
    elif not isinstance(status, int):  # sys.exit("message"), as Python itself would show it
        print(status, file=sys.stderr)
        status = 1
    try:
        if sys.stdout is not None:  # None: started with it closed (`>&-`)
            sys.stdout.flush()
    except BrokenPipeError:
        pass  # a reader that went away (`| head`): nothing more to tell it
    except OSError as exc:  # a full disk: the report is incomplete, which must not pass
        if status != 2:  # else the error was told already
            with contextlib.suppress(OSError, ValueError):
                from hdsguard.declarations.files import cannot_write_text

                print(f"<standard output>: {cannot_write_text(exc)}", file=sys.stderr)
            status = 2
    except ValueError:
        pass  # closed by the caller
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.flush()
    os._exit(status)


def _echo_notices(notices: Sequence[str]) -> None:
    for notice in notices:
        click.echo(_("hdsguard: notice: {notice}").format(notice=escape_name(notice)), err=True)


_EXIT_CODES = N_(
    "Exit codes: 0 nothing fails at or above --fail-on; 1 a finding fails (or a rule could "
    "not be evaluated); 2 the declarations, config, a policy or the command line are invalid, "
    "or the report cannot be written (each problem on stderr as file:line:column: message)."
)


@main.command(epilog=_EXIT_CODES)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "formats",
    multiple=True,
    metavar="FORMAT[=FILE]",
    help="Output format: text (default; github when GITHUB_ACTIONS=true), json, sarif, junit, "
    "markdown, github, oscal. Repeat for several outputs; FORMAT=FILE writes that format to FILE.",
)
@click.option("--output", "-o", type=OutputPath(), help="Write the report to FILE.")
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    help="Exit 1 when a finding of this severity or above fails. "
    "Default: the config's `fail_on`, else low.",
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Baseline file (see `hdsguard baseline`): the failures it lists do not fail the gate. "
    "Default: the config's `baseline`, if any.",
)
@evidence_option(
    "Evidence file or directory (nmap XML scan, PEM/DER certificate, CISA KEV JSON, ANS "
    "HDS registry CSV), checked against the declarations; repeatable, adds to the config's "
    "`evidence`. See docs/evidence.md."
)
@run_options
@click.option(
    "--new-only",
    is_flag=True,
    help="Leave baselined failures out of every output (a notice says how many).",
)
@click.option("--verbose", "-v", is_flag=True, help="Text output: also list passes and N/A.")
@click.option(
    "--width",
    type=click.IntRange(min=40),
    help="Text output: wrap long lines to this many columns. Default: the terminal's width "
    "when writing to a terminal, else no wrapping.",
)
@click.option(
    "--color/--no-color",
    "colour",
    default=None,
    help="Colour text output. Default: when writing to a terminal and NO_COLOR is unset.",
)
@handle_errors
def check(
    paths: Sequence[str],
    formats: Sequence[str],
    output: str | None,
    fail_on: str | None,
    baseline_file: Path | None,
    evidence_paths: Sequence[Path],
    as_of: datetime.date | None,
    policy_dirs: Sequence[Path],
    config_file: Path | None,
    no_config: bool,
    new_only: bool,
    verbose: bool,
    width: int | None,
    colour: bool | None,
) -> None:
    """Check the declarations in PATHS (files or directories). Default: the config's
    `declarations`, else the current directory."""
    from hdsguard.api import check as run_check
    from hdsguard.findings import Severity
    from hdsguard.formatters import EVIDENCE_FORMATS, RULE_HELP_FORMATS
    from hdsguard.output import Output, parse_outputs, refuse_input_files, write_outputs

    # A one-shot run keeps millions of long-lived objects (declarations, findings) and makes
    # almost no reference cycles (a few hundred objects, whatever the size: tested), so the
    # cyclic garbage collector would only traverse live objects again and again (0.9 s of a
    # 100k-object check): reference counting frees what the run lets go of.
    gc.disable()
    outputs: list[Output] = parse_outputs(formats, output)
    targets, options, config = prepare_run(
        paths, as_of, policy_dirs, config_file, no_config, baseline_file
    )
    if new_only and options.baseline_file is None:
        # Without a baseline nothing is baselined: every failure would be shown as new, and a
        # gate meant to fail on new findings only would fail on all of them, saying nothing.
        raise click.UsageError(
            _(
                "--new-only leaves out the failures a baseline lists, and no baseline is "
                "named: give one with `--baseline FILE` or `baseline:` in the config (write "
                "it with `hdsguard baseline`), or drop --new-only"
            )
        )
    evidence = verbose or any(o.format in EVIDENCE_FORMATS for o in outputs)
    from hdsguard.progress import on_terminal

    options = dataclasses.replace(
        with_evidence(options, evidence_paths),
        evidence=evidence,
        rule_help=any(o.format in RULE_HELP_FORMATS for o in outputs),
    )
    refuse_input_files([o.file for o in outputs], targets, options)
    status = on_terminal()
    try:
        report = run_check(targets, dataclasses.replace(options, progress=status))
    finally:
        if status is not None:
            status.clear()  # before the report or the errors: nothing of it stays on screen
    if new_only:
        from hdsguard.baseline import new_only as without_baselined

        report = without_baselined(report)
    write_outputs(report, outputs, verbose=verbose, colour=colour, width=width)
    if ("text", None) not in outputs:  # the text report prints them itself
        _echo_notices(report.notices)
    threshold = fail_on or (config.model.fail_on if config else None) or "low"
    if _until_exit is not None:
        _until_exit.append(report)
    sys.exit(report.exit_code(Severity(threshold)))


@main.command(short_help="Record today's failures, so that only new ones fail the gate")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--output",
    "-o",
    type=OutputPath(path_type=Path),
    help="Baseline file to write. Default: the config's `baseline`, else "
    ".hdsguard-baseline.json in the current directory.",
)
@evidence_option(
    "Evidence file or directory, as for `check` (repeatable, adds to the config's "
    "`evidence`): record the evidence rules' failures too. See docs/evidence.md."
)
@run_options
@handle_errors
def baseline(
    paths: Sequence[str],
    output: Path | None,
    evidence_paths: Sequence[Path],
    as_of: datetime.date | None,
    policy_dirs: Sequence[Path],
    config_file: Path | None,
    no_config: bool,
) -> None:
    """Record the current failing findings of PATHS, keyed by (rule, target), so that
    `check --baseline FILE` fails only on new ones."""
    from dataclasses import replace

    from hdsguard.api import check as run_check
    from hdsguard.baseline import BASELINE_NAME, baseline_text
    from hdsguard.declarations.files import display_path
    from hdsguard.findings import Status
    from hdsguard.output import refuse_input_files, write_atomic

    targets, options, config = prepare_run(paths, as_of, policy_dirs, config_file, no_config)
    # As `check --evidence` reads it: a baseline recorded without the scans a gate checks
    # with made every evidence failure "new" (the option was missing).
    options = with_evidence(options, evidence_paths)
    target = output or (config.baseline_file() if config else None) or Path(BASELINE_NAME)
    refuse_input_files([target], targets, options, keep=target, hint=["--output"])
    # Only failing findings are recorded, with their reasons: pass messages need not be
    # rendered.
    options = replace(
        options,
        baseline_file=None,
        exclude=(*options.exclude, target),
        evidence=False,
        reasons=True,
    )
    report = run_check(targets, options)
    write_atomic(target, baseline_text(report))
    _echo_notices(report.notices)
    count = len({(f.rule, f.target) for f in report.findings if f.status is Status.FAIL})
    wrote = ngettext(
        "hdsguard: wrote {count} failing finding to {file}",
        "hdsguard: wrote {count} failing findings to {file}",
        count,
    )
    shown = escape_name(display_path(target))
    click.echo(safe_text(wrote.format(count=count, file=shown)), err=True)
    named = config.baseline_file() if config else None
    if named is None or named.resolve() != target.resolve():
        # A bare `check` reads only the baseline its config names: after `baseline`, it still
        # failed on every finding just recorded (found playing a new user).
        read = _(
            "hdsguard: `check` reads it with `--baseline {file}`, or once the config names it "
            "(`baseline: {file}`)"
        )
        click.echo(safe_text(read.format(file=shown)), err=True)


@main.command(short_help="Print a JSON Schema, or the field reference (--markdown)")
@click.argument(
    "name",
    type=click.Choice(["declaration", "policy", "config", "waivers", "baseline", "hds-registry"]),
    default="declaration",
)
@click.option(
    "--markdown",
    is_flag=True,
    help="Print the field reference of declarations in Markdown (docs/declarations.md): "
    "every section and field, its type, allowed values, meaning, rules and an example.",
)
@lang_option
@handle_errors
def schema(name: str, markdown: bool) -> None:
    """Print a JSON Schema: declaration (default), policy, config, waivers, baseline or
    hds-registry (an ANS HDS registry snapshot given as evidence)."""
    from hdsguard.schemagen import SCHEMAS, render

    if markdown:
        if name != "declaration":
            raise click.UsageError(_("--markdown documents declarations only"))
        from hdsguard.declref import markdown as reference

        click.echo(reference(), nl=False)
        return
    if name not in SCHEMAS:
        raise click.UsageError(_("no {name} schema yet").format(name=name))
    click.echo(render(SCHEMAS[name]()), nl=False)
