"""The one entry point for declarations: paths in, a validated, merged set out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from hdsguard.declarations.files import discover, display_path, read_text
from hdsguard.declarations.merge import DeclarationSet, merge
from hdsguard.declarations.validate import validate
from hdsguard.declarations.yamlsource import SourceFile, parse
from hdsguard.errors import InputError, Problem


def load_declarations(paths: Sequence[str], exclude: Iterable[Path] = ()) -> DeclarationSet:
    """Read, validate and merge; raise InputError listing every problem of every file."""
    files = discover(paths, exclude)
    sources: list[SourceFile] = []
    problems: list[Problem] = []
    for path in files:
        display = display_path(path)
        try:
            source = parse(read_text(path, display), display)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        file_problems = validate(source)
        problems.extend(file_problems)
        if not file_problems:
            sources.append(source)
    if problems:
        raise InputError(problems)
    return merge(sources)
