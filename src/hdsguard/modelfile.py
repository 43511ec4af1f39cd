"""Read a small YAML or JSON file (config, waivers, baseline) into a strict pydantic model.

The same guarantees as for declarations: safe YAML, positions kept, located problems with "did
you mean" hints for unknown keys, and a ``version`` other than 1 refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from hdsguard.declarations.errtext import file_kind
from hdsguard.declarations.files import display_path, read_text
from hdsguard.declarations.located import SourceFile
from hdsguard.declarations.reader import parse
from hdsguard.declarations.shapes import misplaced
from hdsguard.declarations.validate import schema_problems, version_problem
from hdsguard.errors import InputError, Problem
from hdsguard.i18n import _, labelled

if TYPE_CHECKING:
    # Imported where a model is validated: reading a file and locating a problem (read_source,
    # at) need no pydantic, so that a certainly valid config does not import it.
    from pydantic import BaseModel

M = TypeVar("M", bound="BaseModel")


def read_model(path: Path, model: type[M], what: str) -> tuple[SourceFile, M]:
    """Parse ``path`` and validate it as ``model``; ``what`` names the file in messages.

    An empty file is the model's defaults. Raises InputError with every located problem.
    """
    source = read_source(path)
    return source, validate_model(source, model, what)


def read_source(path: Path) -> SourceFile:
    """The parsed file at ``path``; raises InputError when it cannot be read or parsed."""
    display = display_path(path)
    return parse(read_text(path, display), display)


def validate_model(source: SourceFile, model: type[M], what: str, *, keep: bool = False) -> M:
    """Validate parsed ``source`` as ``model``, or raise InputError with located problems.

    ``keep``: a failed validation raises pydantic's ValidationError itself, for a caller
    that keeps what was valid (config.load_config); a file that is not a mapping, or of
    another format version, still raises InputError."""
    display = source.path
    data = {} if source.data is None else source.data
    if not isinstance(data, dict):
        message = _("a {what} file is a mapping of keys").format(what=file_kind(what))
        raise InputError([Problem(display, 1, 1, message)])
    problem = version_problem(source, data, what)
    if problem:
        raise InputError([problem])
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        other = misplaced(data, what, display)
        if other is not None:  # one sentence, not one "unknown key" per key of another file
            raise InputError([Problem(display, None, None, other)]) from None
        if keep:
            raise
        raise InputError(schema_problems(source, exc, model)) from None


def at(
    source: SourceFile, path: tuple[str | int, ...], message: str, *, key: bool = False
) -> Problem:
    """A problem at the value (or the ``key``) of ``path`` in ``source``, prefixed with it."""
    # A source without positions (options given to the library) has no line to point at.
    line, column = source.locate(path, value=not key) if source.positions else (None, None)
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    return Problem(source.path, line, column, labelled(where, message) if where else message)
