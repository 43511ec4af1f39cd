"""The audit commands: `report` (HTML, evidence pack), `calendar` (iCalendar), `verify-pack`.

Exit codes: 0 nothing fails at or above --fail-on; 1 a finding fails (or a rule could not be
evaluated); 2 invalid input,
config, policy or command line, or the output cannot be written. `verify-pack` has its own:
0 the pack is intact and reproduces its reports, 1 it does not, 2 it cannot be read.
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from hdsguard import i18n
from hdsguard.clicommon import SEVERITIES, OutputPath, evidence_option, handle_errors, safe_text
from hdsguard.clilang import LocalisedCommand, lang_option
from hdsguard.clirun import prepare_run, run_options, with_evidence

_HORIZON = click.option(
    "--horizon",
    type=click.IntRange(0, 3660),
    default=180,
    show_default=True,
    metavar="DAYS",
    help="Deadlines: how many days ahead of the evaluation date to look.",
)
_BASELINE = click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Baseline file. Default: the config's `baseline`, if any.",
)
_EVIDENCE = evidence_option(
    "Evidence file or directory, as for `check` (repeatable, adds to the config's "
    "`evidence`). See docs/evidence.md."
)


_FAIL_ON = click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    help="The verdict's threshold and exit 1 when a finding of this severity or above fails. "
    "Default: the config's `fail_on`, else low.",
)


@click.command(
    cls=LocalisedCommand,
    short_help="Write the audit report (HTML), or the evidence pack (--pack)",
    epilog="Exit codes: 0 nothing fails at or above --fail-on; 1 a finding fails (or a rule "
    "could not be evaluated); 2 invalid input, config, policy or command line, or the report "
    "cannot be written.",
)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--output",
    "-o",
    type=OutputPath(path_type=Path),
    help="The HTML report to write. Default: audit.html (unless --pack is given alone).",
)
@click.option(
    "--pack",
    type=OutputPath(path_type=Path),
    help="Also write the evidence pack (zip): HTML, JSON and SARIF reports, the files read, "
    "and a manifest with their SHA-256. Check it with `hdsguard verify-pack`.",
)
@_HORIZON
@_FAIL_ON
@_BASELINE
@_EVIDENCE
@run_options
@handle_errors
def report(
    paths: Sequence[str],
    output: Path | None,
    pack: Path | None,
    horizon: int,
    fail_on: str | None,
    baseline_file: Path | None,
    evidence_paths: Sequence[Path],
    as_of: datetime.date | None,
    policy_dirs: Sequence[Path],
    config_file: Path | None,
    no_config: bool,
) -> None:
    """Write the audit report of PATHS: one self-contained HTML file (summary, coverage
    matrix per framework, findings per target, waivers and baseline, upcoming deadlines,
    provenance). See docs/report.md."""
    from hdsguard.audit.html import render
    from hdsguard.audit.run import audit
    from hdsguard.findings import Severity
    from hdsguard.output import refuse_input_files, write_atomic

    targets, options, config = prepare_run(
        paths, as_of, policy_dirs, config_file, no_config, baseline_file
    )
    options = with_evidence(options, evidence_paths)
    # The HTML is written unless --pack is given alone.
    html_file = output if output is not None else Path("audit.html") if pack is None else None
    refuse_input_files([html_file, pack], targets, options, hint=["--output", "--pack"])
    threshold = Severity(fail_on or (config.model.fail_on if config else None) or "low")
    result = audit(targets, options, threshold=threshold, horizon_days=horizon)
    html = render(result.view, warn_days=result.warn_days, lang=i18n.current())
    if html_file is not None:
        write_atomic(html_file, html)
    if pack is not None:
        from hdsguard.audit.pack import write_pack
        from hdsguard.declarations.files import display_path

        record = result.view.provenance
        # What verify-pack needs to run the same check: the command line, not what the
        # config adds (the config is packed and read again).
        command = {
            "paths": [display_path(Path(t)) for t in targets],
            "as_of": options.as_of.isoformat(),
            "config": record.config_file.path if record.config_file else None,
            "policy_dirs": [display_path(d) for d in policy_dirs],
            "baseline": display_path(baseline_file) if baseline_file else None,
            "evidence": [display_path(p) for p in evidence_paths],
            # The reports' prose depends on it: verify-pack re-runs in this language.
            "lang": i18n.current(),
            # report.html's verdict and deadlines depend on them: verify-pack rebuilds it.
            "fail_on": threshold.value,
            "horizon": horizon,
        }
        write_pack(pack, result, html, command)
    # Like `calendar` and `init`: a CI log shows what was written (the verdict is the exit
    # code, and in the report).
    for written in (html_file, pack):
        if written is not None:
            wrote = i18n._("hdsguard: wrote {path}").format(path=written)
            click.echo(safe_text(wrote), err=True)
    sys.exit(result.report.exit_code(threshold))


@click.command(
    cls=LocalisedCommand,
    short_help="Write the upcoming deadlines as an iCalendar file",
    epilog="Exit codes: 0 the calendar is written; 2 invalid input, config, policy or "
    "command line, or the file cannot be written.",
)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--output",
    "-o",
    type=OutputPath(path_type=Path),
    default=Path("deadlines.ics"),
    show_default=True,
    help="The iCalendar file to write.",
)
@_HORIZON
@_BASELINE
@_EVIDENCE
@run_options
@handle_errors
def calendar(
    paths: Sequence[str],
    output: Path,
    horizon: int,
    baseline_file: Path | None,
    evidence_paths: Sequence[Path],
    as_of: datetime.date | None,
    policy_dirs: Sequence[Path],
    config_file: Path | None,
    no_config: bool,
) -> None:
    """Write the upcoming deadlines of PATHS as an iCalendar file (RFC 5545): one all-day
    event per rule that will fail and per waiver that ends, with stable UIDs."""
    from hdsguard.audit import calendar as ics
    from hdsguard.audit.run import audit
    from hdsguard.findings import Severity
    from hdsguard.output import refuse_input_files, write_atomic

    targets, options, _ = prepare_run(
        paths, as_of, policy_dirs, config_file, no_config, baseline_file
    )
    options = with_evidence(options, evidence_paths)
    refuse_input_files([output], targets, options, hint=["--output"])
    result = audit(targets, options, threshold=Severity.LOW, horizon_days=horizon)
    data = ics.render(result.view.deadlines, options.as_of, result.view.organisation)
    write_atomic(output, data)
    count = len(result.view.deadlines)
    wrote = i18n.ngettext(
        "hdsguard: wrote {count} deadline to {file}",
        "hdsguard: wrote {count} deadlines to {file}",
        count,
    )
    click.echo(wrote.format(count=count, file=output), err=True)


@click.command(
    "verify-pack",
    cls=LocalisedCommand,
    short_help="Check that an evidence pack is intact and reproducible",
    epilog="Exit codes: 0 every file matches the manifest and re-running the report on the "
    "packed inputs gives the packed reports (JSON, HTML, SARIF) and manifest; 1 a file was "
    "changed, added or removed, or a report differs; 2 the file is not a readable pack.",
)
@click.argument("pack", type=click.Path(dir_okay=False, path_type=Path))
@lang_option
@handle_errors
def verify_pack(pack: Path) -> None:
    """Check an evidence pack written by `hdsguard report --pack`: the SHA-256 of every file,
    and that the packed inputs still give the packed reports and manifest, byte for byte."""
    from hdsguard.audit.pack import verify_pack as verify
    from hdsguard.audit.packread import PackError
    from hdsguard.clicommon import safe_text

    try:
        problems = verify(pack)
    except PackError as exc:
        click.echo(safe_text(i18n.labelled("hdsguard", str(exc))), err=True)
        sys.exit(2)
    for problem in problems:
        click.echo(safe_text(i18n.labelled(str(pack), problem)), err=True)
    if problems:
        sys.exit(1)
    intact = i18n._(
        "hdsguard: {pack}: intact; the packed inputs reproduce its reports and manifest"
    )
    click.echo(intact.format(pack=pack), err=True)
