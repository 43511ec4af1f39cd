"""The language of the command line: ``--lang`` on every command, and help in that language.

Click reads a command's help when the command is defined (at import), before any option is
parsed; so help texts stay the English constants click holds, and are translated when the
help is shown, through the same catalogue as every other message (:mod:`hdsguard.i18n`).
``--lang`` is eager, so ``hdsguard check --lang fr --help`` is already in French; the locale
variables make ``hdsguard check --help`` French too.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from hdsguard import i18n
from hdsguard.i18n import N_, translate

F = TypeVar("F", bound=Callable[..., Any])

LANG_HELP = N_(
    "Language of messages and reports: en or fr. Default: the config's `lang`, else "
    "LC_ALL / LC_MESSAGES / LANG, else English."
)
# Click's own words in a help page (its catalogue is not ours).
CLICK_WORDS = (
    N_("Usage:"),
    N_("{heading}:"),
    N_("Options"),
    N_("Commands"),
    N_("Show this message and exit."),
    N_("Show the version and exit."),
)


def _set_lang(_ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        i18n.set_language(value, explicit=True)
        localise_click()


def localise_click() -> None:
    """Click's own usage errors in the run's language from now on (see clickwords)."""
    if i18n.current() != i18n.DEFAULT:
        from hdsguard import clickwords

        clickwords.install()


def _early_lang(args: Sequence[str]) -> None:
    """``--lang`` as soon as the run starts: click reports a bad option while parsing, before
    the ``--lang`` option's own callback could run."""
    for index, arg in enumerate(args):
        if arg == "--":
            return
        value = arg.removeprefix("--lang=") if arg.startswith("--lang=") else None
        if arg == "--lang" and index + 1 < len(args):
            value = args[index + 1]
        if value in i18n.LANGUAGES:
            i18n.set_language(value, explicit=True)


def lang_option(func: F) -> F:
    option = click.option(
        "--lang",
        type=click.Choice(i18n.LANGUAGES),
        is_eager=True,
        expose_value=False,
        callback=_set_lang,
        help=LANG_HELP,
    )
    return option(func)


class _Formatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix or f"{translate('Usage:')} ")

    def write_heading(self, heading: str) -> None:
        # click writes "{heading}:"; French puts a space before the colon, as "Usage :" has
        # ("Options:" and "Commandes:" stood beside it in every French --help).
        line = translate("{heading}:").format(heading=translate(heading))
        self.write(f"{'':>{self.current_indent}}{line}\n")


class _Context(click.Context):
    formatter_class = _Formatter


class LocalisedCommand(click.Command):
    """A command whose help, option help and epilog are shown in the run's language."""

    context_class = _Context

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.help:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(translate(_clean(self.help)))

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.epilog:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(translate(_clean(self.epilog)))

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        records = _option_records(self.get_params(ctx), ctx)
        if records:
            with formatter.section("Options"):
                formatter.write_dl(records)

    def get_short_help_str(self, limit: int = 45) -> str:
        return _short_help(self, limit)


class LocalisedGroup(click.Group):
    """A group whose commands and sub-groups are localised, and whose top-level invocation
    starts from the environment's language (a new run, even in the same process)."""

    context_class = _Context
    command_class = LocalisedCommand
    group_class = type  # sub-groups: this class

    def main(self, *args: Any, **kwargs: Any) -> Any:
        i18n.reset()
        argv = args[0] if args else kwargs.get("args")
        _early_lang(sys.argv[1:] if argv is None else list(argv))
        localise_click()
        try:
            return super().main(*args, **kwargs)
        finally:
            i18n.reset()  # a library call after the command (tests) is not left in French

    format_help_text = LocalisedCommand.format_help_text
    format_epilog = LocalisedCommand.format_epilog

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        LocalisedCommand.format_options(self, ctx, formatter)  # type: ignore[arg-type]
        self.format_commands(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        return _short_help(self, limit)


class LazyGroup(LocalisedGroup):
    """A :class:`LocalisedGroup` whose commands of ``lazy`` (name -> ``module:attribute``) are
    imported when named on the command line or listed by ``--help``, not at start-up."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.lazy.pop(cmd_name, None)
        if target is not None:
            import importlib

            module, _, attribute = target.partition(":")
            command = getattr(importlib.import_module(module), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{target} is not a click command")
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


def _clean(text: str) -> str:
    return inspect.cleandoc(text).partition("\f")[0]


def _short_help(command: click.Command, limit: int) -> str:
    if command.short_help:
        return translate(inspect.cleandoc(command.short_help))
    if not command.help:
        return ""
    return _first_sentence(translate(_clean(command.help)), limit)


def _first_sentence(text: str, limit: int) -> str:
    """The first sentence of a help text, cut at a word when longer than ``limit``."""
    words = text.split("\n\n")[0].split()
    out: list[str] = []
    for word in words:
        if len(" ".join([*out, word])) > limit:
            return " ".join(out) + "..."
        out.append(word)
        if word.endswith("."):
            break
    return " ".join(out).removesuffix(".")


def _option_records(params: Sequence[click.Parameter], ctx: click.Context) -> list[tuple[str, str]]:
    records = []
    for param in params:
        record = param.get_help_record(ctx)
        if record is None or isinstance(param, click.Argument):
            continue
        term, text = record
        own = getattr(param, "help", None)
        if own and text.startswith(own):  # click may append "[default: …]"
            text = translate(own) + text[len(own) :]
        records.append((term, text))
    return records


def help_texts(command: click.Command) -> list[str]:
    """Every help text of ``command`` and its sub-commands, as the catalogue keys them."""
    texts = [_clean(t) for t in (command.help, command.epilog, command.short_help) if t]
    for param in command.params:
        own = getattr(param, "help", None)
        if own:
            texts.append(own)
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                texts.extend(help_texts(sub))
    return texts
