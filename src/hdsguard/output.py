"""Several outputs from one evaluation: ``--format text --format sarif=out.sarif``."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, NamedTuple

import click

from hdsguard.atomic import replacing, replacing_text
from hdsguard.declarations.files import cannot_write_text

if TYPE_CHECKING:
    from hdsguard.api import CheckOptions
from hdsguard.errors import InputError, Problem
from hdsguard.findings import Report
from hdsguard.formatters import FORMATS, Chunks, RenderOptions, Write, writer
from hdsguard.i18n import _


class Output(NamedTuple):
    format: str
    file: str | None  # None: standard output


def parse_outputs(formats: Sequence[str], output: str | None) -> list[Output]:
    """``FORMAT`` or ``FORMAT=FILE`` items; ``--output`` applies to a single bare FORMAT."""
    outputs: list[Output] = []
    for item in formats or [default_format(output)]:
        name, _sep, file = item.partition("=")
        if name not in FORMATS:
            raise click.BadParameter(
                _("unknown format {name}; choose from {choices}").format(
                    name=repr(name), choices=", ".join(FORMATS)
                ),
                param_hint="--format",
            )
        if _sep and not file:  # `sarif=$UNSET`: not standard output, which another may use
            raise click.BadParameter(
                _("{item}: the file name is empty").format(item=item), param_hint="--format"
            )
        outputs.append(Output(name, file or None))
    bare = [o for o in outputs if o.file is None]
    if output is not None:
        if len(bare) != 1:
            raise click.BadParameter(
                _("--output names one file: use FORMAT=FILE for several formats"),
                param_hint="--output",
            )
        outputs[outputs.index(bare[0])] = Output(bare[0].format, output)
    elif len(bare) > 1:
        raise click.BadParameter(
            _("only one format can go to standard output; write the others with FORMAT=FILE"),
            param_hint="--format",
        )
    _one_output_per_file(outputs)
    return outputs


def _real(path: str | os.PathLike[str]) -> Path:
    """The real path of ``path``; its absolute path when it cannot be resolved (a symbolic
    link loop: RuntimeError), so that the reader reports it, located, instead of a crash."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.resolve()
    except (RuntimeError, OSError):
        return absolute


def _one_output_per_file(outputs: Sequence[Output]) -> None:
    """Two outputs naming the same file (``json=r.out --format sarif=./r.out``) would leave
    only the last one written, with nothing to say the first is lost."""
    seen: dict[Path, str] = {}
    for out in outputs:
        if out.file is None:
            continue
        key = _real(out.file)
        if key in seen:
            raise click.BadParameter(
                _("{file} is named by two outputs: give each format its own file").format(
                    file=seen[key]
                ),
                param_hint="--format",
            )
        seen[key] = out.file


def refuse_inputs(
    outputs: Sequence[Output],
    declarations: Sequence[str],
    others: Sequence[Path],
    hint: Sequence[str] = ("--format", "--output"),
) -> None:
    """An output that names a file the run reads would replace it: a declaration file (one
    named, or a ``.yaml``, ``.yml`` or ``.json`` file under a declaration directory that is
    not one of hdsguard's own files, which the walk skips: an earlier report, a baseline…), or
    the config, waiver, baseline, evidence or policy files in ``others`` (files or
    directories). hdsguard never writes over its inputs: a usage error (exit 2), before
    anything is read."""
    existing = [o.file for o in outputs if o.file is not None and os.path.exists(o.file)]
    if not existing:  # a report to standard output or to new files replaces nothing
        return  # (the pre-commit hook's case: nothing more to import or resolve)
    from hdsguard.declarations.files import SUFFIXES
    from hdsguard.declarations.shapes import classify

    named = [_real(p) for p in declarations]
    read = [_real(p) for p in others]
    for file in existing:
        target = _real(file)
        under = any(target == d or d in target.parents for d in read)
        declared = any(
            target == d
            or (
                d in target.parents
                and target.suffix.lower() in SUFFIXES
                and classify(str(target), file) is None
            )
            for d in named
        )
        if under or declared:
            raise click.BadParameter(
                _(
                    "{file} is an input of this run: writing the report there would replace it; "
                    "choose another file"
                ).format(file=file),
                param_hint=list(hint),
            )


def refuse_input_files(
    files: Sequence[Path | str | None],
    targets: Sequence[str],
    options: CheckOptions,
    *,
    keep: Path | None = None,
    hint: Sequence[str] = ("--format", "--output"),
) -> None:
    """:func:`refuse_inputs` for the files a command writes, against the inputs ``options``
    names (config, waivers, baseline, evidence, policies) and the declaration ``targets``;
    ``keep``: an input the command rewrites on purpose (``baseline`` its baseline file)."""
    read = [*options.exclude, *options.policy_dirs, *(spec.path for spec in options.evidence_files)]
    read += filter(None, (options.waivers_file, options.baseline_file))
    if keep is not None:
        kept = _real(keep)
        read = [p for p in read if _real(p) != kept]
    outputs = [Output("", str(f)) for f in files if f is not None]
    refuse_inputs(outputs, targets, read, hint)


def default_format(output: str | None) -> str:
    """Annotations in a GitHub Actions log (``GITHUB_ACTIONS=true``), else text."""
    if output is None and os.environ.get("GITHUB_ACTIONS") == "true":
        return "github"
    return "text"


def use_colour(requested: bool | None) -> bool:
    if requested is not None:
        return requested
    return sys.stdout is not None and sys.stdout.isatty() and "NO_COLOR" not in os.environ


def terminal_width(requested: int | None) -> int | None:
    """``--width``, else the terminal's width when standard output is one, else None."""
    if requested is not None:
        return requested
    if sys.stdout is None or not _terminal(sys.stdout):
        return None
    import shutil

    return max(shutil.get_terminal_size().columns, 40)


def write_outputs(
    report: Report,
    outputs: Sequence[Output],
    *,
    verbose: bool,
    colour: bool | None,
    width: int | None = None,
) -> None:
    """Each output written as its format produces it, in chunks: never the whole document."""
    for out in outputs:
        write = writer(out.format)
        if out.file is None:
            if sys.stdout is None:  # started with it closed (`>&-`): the report would be lost
                problem = Problem("<standard output>", None, None, "cannot write: it is closed")
                raise InputError([problem])
            stream = sys.stdout  # what click.echo wrote to (Python's UTF-8 text stream)
            # Colour only on a terminal, as when click.echo wrote the report (it dropped the
            # codes on anything else, even with --colour).
            options = RenderOptions(
                colour=use_colour(colour) and _terminal(stream),
                verbose=verbose,
                width=terminal_width(width),
            )
            try:
                chunks = Chunks(stream.write)
                write(report, options, chunks)
                chunks.flush()
                stream.flush()
            except BrokenPipeError:
                # A reader that went away (`| head`): the rest has nobody to read it. The
                # run goes on (other outputs, exit code), as when the report was one write.
                continue
            except OSError as exc:  # a full disk, an I/O error: exit 2, as for a file
                problem = Problem("<standard output>", None, None, cannot_write_text(exc))
                raise InputError([problem]) from None
        else:
            options = RenderOptions(colour=False, verbose=verbose, width=width)
            write_atomic_with(Path(out.file), functools.partial(write, report, options))


def _terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except ValueError:  # closed
        return False


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write a whole file through :mod:`hdsguard.atomic`: readers never see half a report."""
    if isinstance(data, bytes):
        with _refused(path), replacing(path) as handle:
            handle.write(data)
        return
    text = data  # a str: the closure below does not see the narrowing

    def produce(put: Write) -> None:
        put(text)

    write_atomic_with(path, produce)


def write_atomic_with(path: Path, produce: Callable[[Write], None]) -> None:
    """:func:`write_atomic` for text that ``produce`` hands over piece by piece."""
    with _refused(path), replacing_text(path) as handle:
        chunks = Chunks(handle.write)
        produce(chunks)
        chunks.flush()


@contextlib.contextmanager
def _refused(path: Path) -> Iterator[None]:
    """A file the system refuses to write is an error of the run, located at the file."""
    try:
        yield
    except OSError as exc:
        # Exit 2, not 1: 1 means a failing finding, here the run could not do its job.
        raise InputError([Problem(str(path), None, None, cannot_write_text(exc))]) from None
