"""What every command shares: error handling (exit 2, never a traceback), safe output, dates."""

from __future__ import annotations

import datetime
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from hdsguard.errors import InputError
from hdsguard.i18n import _
from hdsguard.isodate import parse_iso_text

SEVERITIES = ("critical", "high", "medium", "low", "info")
F = TypeVar("F", bound=Callable[..., Any])

# --policies, --config, --no-config: `check` and the `policies` commands read the same
# catalogue and settings, so they take the same options.
CONFIG_OPTIONS = [
    click.option(
        "--policies",
        "policy_dirs",
        multiple=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="Extra policy directory, loaded beside the built-in catalogue and the "
        "config's `policies` (repeatable).",
    ),
    click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Config file. Default: the nearest .hdsguard.yaml in the current directory "
        "or above (up to the repository root).",
    ),
    click.option("--no-config", is_flag=True, help="Ignore any .hdsguard.yaml."),
]


def evidence_option(help_text: str) -> Callable[[F], F]:
    """``--evidence PATH`` (repeatable), as every command that evaluates the declarations
    takes it; each command says in ``help_text`` what the evidence does for it."""
    return click.option(
        "--evidence",
        "evidence_paths",
        multiple=True,
        type=click.Path(path_type=Path),
        metavar="PATH",
        help=help_text,
    )


def handle_errors(func: F) -> F:
    """Map located problems to exit code 2 and never let a traceback reach the user."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            from hdsguard.formatters.escape import problem_text

            for problem in exc.problems:
                # A file name holding a newline must not forge a line: escaped.
                click.echo(problem_text(problem.location, problem.message), err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            # Ctrl-C: 130 as a shell reports it (click would make it 1, failing findings);
            # output files are left as they were (no temporary file: output.write_atomic).
            click.echo("hdsguard: interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:
            if os.environ.get("HDSGUARD_DEBUG"):
                raise
            click.echo(
                f"hdsguard: internal error: {type(exc).__name__}: {exc} "
                "(please report it; set HDSGUARD_DEBUG=1 for details)",
                err=True,
            )
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def safe_text(text: str) -> str:
    from hdsguard.formatters.escape import printable

    return printable(text)


class OutputPath(click.Path):
    """A file to write. An empty name (`-o "$UNSET"`) is refused: Path("") is the current
    directory, which no report can replace."""

    def __init__(self, path_type: type[Any] | None = None) -> None:
        super().__init__(dir_okay=False, path_type=path_type)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value:
            self.fail(_("the file name is empty"), param, ctx)
        return super().convert(value, param, ctx)


def parse_date(_ctx: Any, _param: Any, value: str | None) -> datetime.date | None:
    if value is None:
        return None
    try:
        return parse_iso_text(value)  # the same reading, and words, as a declared date
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
