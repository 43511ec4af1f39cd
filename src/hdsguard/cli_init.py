"""`hdsguard init`: ask a few questions (or read flags) and write the starting files."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from hdsguard import i18n
from hdsguard.clicommon import handle_errors, safe_text
from hdsguard.clilang import LocalisedCommand, lang_option
from hdsguard.i18n import N_, _
from hdsguard.init import CI, HOSTING, KINDS, Answers

# Every sentence a user reads from this command, in one place, translated where it is shown
# (`_()`), so that `--lang fr` or a French locale asks and reports in French.
Q_NAME = N_("Name of the organisation")
# Placeholders written when a name is not given: in the run's language, like the comments.
DEFAULT_NAME = N_("My organisation")
DEFAULT_PROVIDER = N_("Hosting provider")
Q_KIND = N_("Kind of organisation")
Q_HOSTING = N_("Where do the systems holding health data run: on your premises, or at a provider?")
Q_PROVIDER = N_("Name of the hosting provider")
Q_EXPOSE = N_(
    "Services reachable from the Internet, as protocols separated by commas (e.g. https, "
    "openvpn, ssh, rdp, sftp; empty for none)"
)
Q_CI = N_("CI to configure")
DONE = N_("hdsguard: wrote {path}")
KEPT = N_("hdsguard: kept {path} (it exists); merge by hand what hdsguard would have written:")
NOTHING = N_("hdsguard: every file exists already; nothing written")
NEXT = N_(
    "Next: run `hdsguard check` — it fails, listing the evidence to declare (field reference: "
    "`hdsguard schema --markdown`, or hdsguard's docs/declarations.md). Then `pre-commit install`."
)


class HintedChoice(click.Choice):  # type: ignore[type-arg]
    """A choice whose refusal names the option meant: `--kind clinique` -> did you mean
    `clinic`? (French words, another case or a slip of the letters, as in declarations)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as error:
            from hdsguard.declarations.advice import MSG_CLOSE, closest_choice

            close = closest_choice(str(value), [str(c) for c in self.choices])
            if close is None:
                raise
            message = error.message.rstrip(". ") + _(MSG_CLOSE).format(close=close)
            raise click.BadParameter(message, ctx=ctx, param=param) from None


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
    kind = HintedChoice(choices) if choices else None
    answer: str = click.prompt(_(question), default=default, type=kind)
    return answer


@click.command(
    cls=LocalisedCommand,
    short_help="Write a starting declaration set, config, hook and CI job",
)
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--name", help=f"{Q_NAME}.")
@click.option(
    "--kind",
    type=HintedChoice(KINDS),
    help=f"{Q_KIND}; it names the system the skeleton starts from (pacs for an imaging centre, "
    "sil for a laboratory, dpi for a hospital or a clinic). Default: clinic.",
)
@click.option(
    "--hosting",
    type=HintedChoice(HOSTING),
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
@click.option("--ci", type=HintedChoice(CI), help="CI job to write. Default: github.")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.option(
    "--skip-existing",
    is_flag=True,
    help="Keep the files that already exist (an infra repo's own .pre-commit-config.yaml or "
    "CI job), write the others, and print what to merge into the kept ones.",
)
@click.option(
    "--no-input",
    is_flag=True,
    help="Ask nothing: take the flags and defaults (the default when stdin is not a terminal).",
)
@lang_option
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
    skip_existing: bool,
    no_input: bool,
) -> None:
    """Start a declaration set in DIRECTORY (default: here): a commented skeleton of
    declarations, .hdsguard.yaml, .pre-commit-config.yaml and a CI job. Asks what the flags
    do not say when run in a terminal. Never overwrites a file unless --force; writes all the
    files or none (with --skip-existing: all the missing ones, the existing ones untouched)."""
    from typing import get_args

    from hdsguard.declarations.model import Protocol
    from hdsguard.init import existing, files, write_all

    interactive = not no_input and _interactive()
    name = _ask(name, Q_NAME, _(DEFAULT_NAME), interactive)
    kind = _ask(kind, Q_KIND, "clinic", interactive, KINDS)
    hosting = _ask(hosting, Q_HOSTING, "premises", interactive, HOSTING)
    if hosting == "provider":
        provider = _ask(provider, Q_PROVIDER, _(DEFAULT_PROVIDER), interactive)
    exposed = _ask(expose, Q_EXPOSE, "", interactive)
    ci = _ask(ci, Q_CI, "github", interactive, CI)
    answers = Answers(
        name=name,
        kind=kind,
        hosting=hosting,
        provider=provider or _(DEFAULT_PROVIDER),
        exposed=_protocols(exposed),
        declarations=declarations,
        ci=ci,
        lang=i18n.current(),
    )
    contents = files(answers, get_args(Protocol))
    kept = [] if force or not skip_existing else existing(directory, contents)
    wanted = {rel: text for rel, text in contents.items() if rel not in kept}
    for path in write_all(directory, wanted, force=force) if wanted else []:
        click.echo(safe_text(_(DONE).format(path=path)), err=True)
    for rel in kept:
        click.echo(safe_text(_(KEPT).format(path=directory / rel)), err=True)
        click.echo(_indent(contents[rel]), err=True)
    click.echo(_(NEXT) if wanted else _(NOTHING), err=True)


def _indent(text: str) -> str:
    """A file's content set off from the messages around it."""
    return "".join(f"    {line}" for line in text.splitlines(keepends=True))


def _interactive() -> bool:
    """Questions only for a person at a terminal, never in a script or CI."""
    return sys.stdin is not None and sys.stdin.isatty()


def _protocols(text: str) -> Sequence[str]:
    return tuple(dict.fromkeys(p.strip().lower() for p in text.split(",") if p.strip()))
