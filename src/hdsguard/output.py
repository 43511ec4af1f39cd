"""Several outputs from one evaluation: ``--format text --format sarif=out.sarif``."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import click

from hdsguard.errors import InputError, Problem
from hdsguard.findings import Report
from hdsguard.formatters import FORMATS, RenderOptions, renderer


class Output(NamedTuple):
    format: str
    file: str | None  # None: standard output


def parse_outputs(formats: Sequence[str], output: str | None) -> list[Output]:
    """``FORMAT`` or ``FORMAT=FILE`` items; ``--output`` applies to a single bare FORMAT."""
    outputs: list[Output] = []
    for item in formats or [default_format(output)]:
        name, _, file = item.partition("=")
        if name not in FORMATS:
            raise click.BadParameter(
                f"unknown format {name!r}; choose from {', '.join(FORMATS)}", param_hint="--format"
            )
        outputs.append(Output(name, file or None))
    bare = [o for o in outputs if o.file is None]
    if output is not None:
        if len(bare) != 1:
            raise click.BadParameter(
                "--output names one file: use FORMAT=FILE for several formats",
                param_hint="--output",
            )
        outputs[outputs.index(bare[0])] = Output(bare[0].format, output)
    elif len(bare) > 1:
        raise click.BadParameter(
            "only one format can go to standard output; write the others with FORMAT=FILE",
            param_hint="--format",
        )
    return outputs


def default_format(output: str | None) -> str:
    """Annotations in a GitHub Actions log (``GITHUB_ACTIONS=true``), else text."""
    if output is None and os.environ.get("GITHUB_ACTIONS") == "true":
        return "github"
    return "text"


def use_colour(requested: bool | None) -> bool:
    if requested is not None:
        return requested
    return sys.stdout is not None and sys.stdout.isatty() and "NO_COLOR" not in os.environ


def write_outputs(
    report: Report, outputs: Sequence[Output], *, verbose: bool, colour: bool | None
) -> None:
    for out in outputs:
        options = RenderOptions(colour=out.file is None and use_colour(colour), verbose=verbose)
        text = renderer(out.format)(report, options)
        if out.file is None:
            if sys.stdout is None:  # started with it closed (`>&-`): the report would be lost
                problem = Problem("<standard output>", None, None, "cannot write: it is closed")
                raise InputError([problem])
            try:
                click.echo(text, nl=False)
            except BrokenPipeError:
                raise  # a reader that went away (`| head`): click ends quietly
            except OSError as exc:  # a full disk, an I/O error: exit 2, as for a file
                problem = Problem("<standard output>", None, None, f"cannot write: {exc.strerror}")
                raise InputError([problem]) from None
        else:
            write_atomic(Path(out.file), text)


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so readers never see half a report."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        # Exit 2, not 1: 1 means a failing finding, here the run could not do its job.
        raise InputError(
            [Problem(str(path), None, None, f"cannot write: {exc.strerror}")]
        ) from None
