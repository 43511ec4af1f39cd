"""`hdsguard waivers suggest`: the `accepts` of a waiver, ready to paste.

A waiver's ``accepts`` names the reason it accepts (:mod:`hdsguard.waiveraccepts`) in the
terms of a finding's reason, which nobody should have to write by hand: this prints, for each
finding that does not pass (waived ones included, whose waiver may gain an ``accepts``), a
waiver item holding its rule, target and ``accepts``, with the message as a comment. The
item lacks what only a person can write (justification, owner, approver, expires): pasted as
it is, the waiver file is refused until they are written, so nothing is waived by a copy.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import click

from hdsguard.clicommon import evidence_option, handle_errors, safe_text
from hdsguard.clilang import LocalisedGroup, lang_option
from hdsguard.clirun import prepare_run, run_options, with_evidence
from hdsguard.findings import Finding, Status
from hdsguard.i18n import _

_SUGGESTED = frozenset({Status.FAIL, Status.WARN, Status.ERROR, Status.WAIVED})


@click.group(cls=LocalisedGroup, short_help="Help write waivers (suggest their `accepts`)")
@lang_option
def waivers() -> None:
    """Help write waivers (docs/configuration.md, "Waivers")."""


@waivers.command(
    "suggest",
    short_help="Print waiver items, with the `accepts` of each finding that does not pass",
)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--rule", "rules", multiple=True, metavar="RULE", help="Only this rule's findings (repeatable)."
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="PATTERN",
    help="Only the findings of targets matching this fnmatch pattern (repeatable).",
)
@evidence_option("Evidence file or directory, as for `check` (repeatable).")
@run_options
@handle_errors
def suggest(
    paths: Sequence[str],
    rules: Sequence[str],
    targets: Sequence[str],
    evidence_paths: Sequence[Path],
    as_of: datetime.date | None,
    policy_dirs: Sequence[Path],
    config_file: Path | None,
    no_config: bool,
) -> None:
    """Print, as waiver items in YAML, the rule, target and `accepts` of each finding of
    PATHS that does not pass (waived ones included), with its message as a comment. Paste an
    item under `waivers:` and write its justification, owner, approver and expires: the
    waiver then waives the finding only while it fails for the reason shown."""
    from dataclasses import replace

    from hdsguard.api import check as run_check

    paths_, options, _config = prepare_run(paths, as_of, policy_dirs, config_file, no_config)
    # Reasons are what it prints: asked for even without a baseline (api.wants_reasons).
    options = replace(
        with_evidence(options, evidence_paths), baseline_file=None, evidence=False, reasons=True
    )
    report = run_check(paths_, options)
    chosen = [
        f
        for f in report.findings
        if f.status in _SUGGESTED
        and f.reason
        and (not rules or f.rule in rules)
        and (not targets or any(fnmatchcase(f.target, t) for t in targets))
    ]
    click.echo(safe_text(suggestions(chosen, report.as_of)), nl=False)


def suggestions(findings: Sequence[Finding], as_of: str) -> str:
    """The waiver items of ``findings``, after a comment saying what to add."""
    from hdsguard.waiveraccepts import parts  # one reading of a reason, as `accepts` reads it

    head = _(
        "Waiver items for the findings that do not pass on {as_of} (hdsguard waivers suggest). "
        "Paste one under `waivers:` and write its justification, owner, approver and expires "
        "(required: until then the file is refused). With `accepts`, the waiver waives the "
        "finding only while it does not pass for the reason shown."
    ).format(as_of=as_of)
    lines = [f"# {line}" for line in _wrap(head)]
    if not findings:
        lines.append("# " + _("No finding to waive."))
    for f in findings:
        lines.append("")
        where = f" ({f.file}:{f.line}:{f.column})" if f.file and f.line else ""
        lines.append(f"# {f.rule} {f.target}, {f.status.value}{where}:")
        lines += [f"#   {line}" for line in _wrap(" ".join(f.message.split()))]
        lines.append(f"- rule: {_scalar(f.rule)}")
        lines.append(f"  target: {_scalar(f.target)}")
        lines.append("  accepts:")
        lines += [f"    - {_item(part)}" for part in parts(f.reason)]
    return "\n".join(lines) + "\n"


def _item(part: Sequence[Any]) -> str:
    key, outcome, field, values = part
    return (
        f"{{check: {_scalar(key)}, outcome: {outcome}, field: {_scalar(field)}, "
        f"values: {_scalar(values)}}}"
    )


def _scalar(value: Any) -> str:
    # JSON is YAML: a string quoted so is read back as the same string, whatever it holds.
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), sort_keys=True)


def _wrap(text: str, width: int = 92) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]
