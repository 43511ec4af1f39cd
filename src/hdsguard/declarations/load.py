"""The one entry point for declarations: paths in, a validated, merged set out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from hdsguard.declarations.cache import DeclarationCache
from hdsguard.declarations.files import decode_text, discover, display_path, read_bytes
from hdsguard.declarations.merge import DeclarationSet, merge
from hdsguard.declarations.validate import validate
from hdsguard.declarations.yamlsource import SourceFile, parse
from hdsguard.errors import InputError, Problem


def load_declarations(paths: Sequence[str], exclude: Iterable[Path] = ()) -> DeclarationSet:
    """Read, validate and merge; raise InputError listing every problem of every file.

    A file that parsed and validated without problem in an earlier run, with the same bytes
    and the same code, is taken from the declaration cache (:mod:`.cache`) instead.
    """
    files = discover(paths, exclude)
    cache = DeclarationCache.open()
    sources: list[SourceFile] = []
    digests: dict[str, str] = {}
    problems: list[Problem] = []
    for path in files:
        display = display_path(path)
        try:
            raw = read_bytes(path, display)
            key = cache.key(raw, display) if cache is not None else ""
            source = cache.get(key, display, raw) if cache is not None else None
            if source is None:
                source = parse(decode_text(raw, display), display)
                file_problems = validate(source)
                if file_problems:
                    problems.extend(file_problems)  # never cached: read again on every run
                    continue
                if cache is not None:
                    cache.put(key, source)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        sources.append(source)
        if key:
            digests[display] = key
    if problems:
        raise InputError(problems)
    decl = merge(sources)
    decl.digests = digests
    return decl
