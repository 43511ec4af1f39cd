"""`hdsguard init`: ask a few questions (or read flags) and write the starting files."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from hdsguard.clicommon import handle_errors, safe_text
from hdsguard.init import CI, HOSTING, KINDS, Answers

# Every sentence a user reads from this command, in one place (translation wraps these).
Q_NAME = "Name of the organisation"
Q_KIND = "Kind of organisation"
Q_HOSTING = "Where do the systems holding health data run: on your premises, or at a provider?"
Q_PROVIDER = "Name of the hosting provider"
Q_EXPOSE = (
    "Services reachable from the Internet, as protocols separated by commas (e.g. https, "
    "openvpn, ssh, rdp, sftp; empty for none)"
)
Q_CI = "CI to configure"
DONE = "hdsguard: wrote {path}"
NEXT = (
    "Next: run `hdsguard check` — it fails, listing the evidence to declare (field reference: "
    "docs/declarations.md or `hdsguard schema --markdown`). Then `pre-commit install`."
)


def _ask(
    value: str | None,
    question: str,
    default: str,
    interactive: bool,
    choices: Sequence[str] | None = None,
) -> str:
    if value is not None:
        return value
    if not interactive:
        return default
    kind = click.Choice(choices) if choices else None
    answer: str = click.prompt(question, default=default, type=kind)
    return answer


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--name", help=f"{Q_NAME}.")
@click.option("--kind", type=click.Choice(KINDS), help=f"{Q_KIND}. Default: clinic.")
@click.option(
    "--hosting",
    type=click.Choice(HOSTING),
    help="Where the systems holding health data run. Default: premises.",
)
@click.option("--provider", help="Name of the hosting provider (with --hosting provider).")
@click.option(
    "--expose",
    help="Protocols reachable from the Internet, comma-separated (https,openvpn). Default: none.",
)
@click.option(
    "--declarations", default="declarations", show_default=True, help="Declaration directory."
)
@click.option("--ci", type=click.Choice(CI), help="CI job to write. Default: github.")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.option(
    "--no-input",
    is_flag=True,
    help="Ask nothing: take the flags and defaults (the default when stdin is not a terminal).",
)
@handle_errors
def init(
    directory: Path,
    name: str | None,
    kind: str | None,
    hosting: str | None,
    provider: str | None,
    expose: str | None,
    declarations: str,
    ci: str | None,
    force: bool,
    no_input: bool,
) -> None:
    """Start a declaration set in DIRECTORY (default: here): a commented skeleton of
    declarations, .hdsguard.yaml, .pre-commit-config.yaml and a CI job. Asks what the flags
    do not say when run in a terminal. Never overwrites a file unless --force; writes all the
    files or none."""
    from typing import get_args

    from hdsguard.declarations.model import Protocol
    from hdsguard.init import files, write_all

    interactive = not no_input and _interactive()
    name = _ask(name, Q_NAME, "My organisation", interactive)
    kind = _ask(kind, Q_KIND, "clinic", interactive, KINDS)
    hosting = _ask(hosting, Q_HOSTING, "premises", interactive, HOSTING)
    if hosting == "provider":
        provider = _ask(provider, Q_PROVIDER, "Hosting provider", interactive)
    exposed = _ask(expose, Q_EXPOSE, "", interactive)
    ci = _ask(ci, Q_CI, "github", interactive, CI)
    answers = Answers(
        name=name,
        kind=kind,
        hosting=hosting,
        provider=provider or "Hosting provider",
        exposed=_protocols(exposed),
        declarations=declarations,
        ci=ci,
    )
    for path in write_all(directory, files(answers, get_args(Protocol)), force=force):
        click.echo(safe_text(DONE.format(path=path)), err=True)
    click.echo(NEXT, err=True)


def _interactive() -> bool:
    """Questions only for a person at a terminal, never in a script or CI."""
    return sys.stdin is not None and sys.stdin.isatty()


def _protocols(text: str) -> Sequence[str]:
    return tuple(dict.fromkeys(p.strip().lower() for p in text.split(",") if p.strip()))
