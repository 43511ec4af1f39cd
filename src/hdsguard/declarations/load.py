"""The one entry point for declarations: paths in, a validated, merged set out."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from hdsguard.declarations.files import decode_text, discover, display_path, read_bytes
from hdsguard.declarations.merge import DeclarationSet, merge
from hdsguard.declarations.reader import parse
from hdsguard.declarations.shapes import classify, named_message, skipped_notice
from hdsguard.declarations.validate import validate
from hdsguard.declarations.yamlsource import SourceFile
from hdsguard.errors import InputError, Problem
from hdsguard.progress import READING
from hdsguard.speed.declaration_cache import DeclarationCache


def load_declarations(
    paths: Sequence[str],
    exclude: Iterable[Path] = (),
    notices: list[str] | None = None,
    tell: Callable[[str], None] | None = None,
) -> DeclarationSet:
    """Read, validate and merge; raise InputError listing every problem of every file.

    A file that parsed and validated without problem in an earlier run, with the same bytes
    and the same code, is taken from the declaration cache
    (:mod:`hdsguard.speed.declaration_cache`) instead; the others are parsed, validated and
    stored there. ``notices`` receives what a walk did not read (hidden files).
    """
    files = discover(paths, exclude, notices)
    if tell is not None:  # a status line for a person waiting (hdsguard.progress)
        tell(READING.format(count=len(files), s="s" * (len(files) != 1)))
    named = {Path(p) for p in paths if not Path(p).is_dir()}
    cache = DeclarationCache.open()
    # Per file, in order: (displayed path, cache key, its source or its problems).
    outcomes: list[tuple[str, str, SourceFile | Sequence[Problem]]] = []
    for path in files:
        display = display_path(path)
        try:
            raw = read_bytes(path, display)
        except InputError as exc:
            outcomes.append((display, "", exc.problems))
            continue
        key = cache.key(raw, display) if cache is not None else ""
        source = cache.get(key, display, raw) if cache is not None else None
        if source is None:
            parsed = _parse_one(raw, display)
            if cache is not None and isinstance(parsed, SourceFile):
                cache.put(key, parsed)
            outcomes.append((display, key, parsed))
        else:
            outcomes.append((display, key, source))
        del raw  # the file's bytes: no longer needed
    sources: list[SourceFile] = []
    digests: dict[str, str] = {}
    problems: list[Problem] = []
    skipped: list[tuple[str, str]] = []
    for path, (display, key, outcome) in zip(files, outcomes, strict=True):
        if not isinstance(outcome, SourceFile):
            kind = classify(str(path), display) if outcome else None
            if kind is not None and path not in named:
                skipped.append((display, kind))  # a policy, waivers…: not a declaration
            elif kind is not None:
                problems.append(Problem(display, None, None, named_message(kind)))
            else:
                problems.extend(outcome)  # never cached: read again on every run
            continue
        sources.append(outcome)
        if key:
            digests[display] = key
    if skipped and not sources and not problems:
        raise InputError([Problem(", ".join(paths) or ".", None, None, skipped_notice(skipped))])
    if problems:
        raise InputError(problems)
    decl = merge(sources)
    decl.digests = digests
    decl.notices = [skipped_notice(skipped)] if skipped else []
    return decl


def _parse_one(raw: bytes, display: str) -> SourceFile | list[Problem]:
    """A file's source when it parses and validates without problem, else its problems."""
    try:
        source = parse(decode_text(raw, display), display)
    except InputError as exc:
        return list(exc.problems)
    return validate(source) or source
