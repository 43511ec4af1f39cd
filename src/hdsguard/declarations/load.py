"""The one entry point for declarations: paths in, a validated, merged set out."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from hdsguard.declarations.files import decode_text, discover, display_path, read_bytes
from hdsguard.declarations.located import SourceFile
from hdsguard.declarations.merge import DeclarationSet, merge_parts
from hdsguard.declarations.reader import parse
from hdsguard.declarations.shapes import classify, named_message, nothing_left, skipped_notice
from hdsguard.declarations.validate import Broken, validate_parts
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
    decl, problems = load_parts(paths, exclude, notices, tell)
    if problems:
        raise InputError(problems)
    return decl


def load_parts(
    paths: Sequence[str],
    exclude: Iterable[Path] = (),
    notices: list[str] | None = None,
    tell: Callable[[str], None] | None = None,
) -> tuple[DeclarationSet, list[Problem]]:
    """What :func:`load_declarations` reads, and every problem of every file, not raised.

    With problems, the set holds what could be read: the objects that passed validation in
    every file that parsed, so that their dates (:mod:`hdsguard.declarations.plausible`) and
    references are checked in the same run. A reference to an object that failed validation,
    or that a file which did not parse may declare, is not reported (its file's own error
    is). Raises InputError only when no file can be found, or past the object cap.
    """
    files = discover(paths, exclude, notices)
    if tell is not None:  # a status line for a person waiting (hdsguard.progress)
        tell(READING.format(count=len(files), s="s" * (len(files) != 1)))
    named = {Path(p) for p in paths if not Path(p).is_dir()}
    cache = DeclarationCache.open()
    # Per file, in order: (displayed path, cache key, its source or None, its problems, its
    # bytes when it did not parse: what ids it may declare is searched in them).
    outcomes: list[tuple[str, str, SourceFile | None, _Checked | None, bytes]] = []
    for path in files:
        display = display_path(path)
        try:
            raw = read_bytes(path, display)
        except InputError as exc:
            outcomes.append((display, "", None, (exc.problems, frozenset()), b""))
            continue
        key = cache.key(raw, display) if cache is not None else ""
        source = cache.get(key, display, raw) if cache is not None else None
        if source is None:
            source, checked = _parse_one(raw, display)
            if checked is None and cache is not None and source is not None:
                # Only a file without any problem is cached: one with problems is read
                # again on every run, so its messages are the same warm and cold.
                cache.put(key, source)
            outcomes.append((display, key, source, checked, raw if source is None else b""))
        else:
            outcomes.append((display, key, source, None, b""))
        del raw  # the file's bytes: no longer needed
    sources: list[SourceFile] = []
    digests: dict[str, str] = {}
    problems: list[Problem] = []
    skipped: list[tuple[str, str]] = []
    broken: dict[str, Broken] = {}
    unread: list[bytes] = []  # the bytes of the files that did not parse
    invalid_ids: set[str] = set()  # every id written in a file that did not validate
    for path, (display, key, source, checked, raw) in zip(files, outcomes, strict=True):
        if checked is not None:
            found, bad = checked
            kind = classify(str(path), display) if found else None
            if kind is not None and path not in named:
                skipped.append((display, kind))  # a policy, waivers…: not a declaration
                continue
            if kind is not None:
                problems.append(Problem(display, None, None, named_message(kind)))
                continue
            problems.extend(found)  # never cached: read again on every run
            if source is None:
                unread.append(raw)
                continue
            broken[display] = bad
            _ids(source.data, invalid_ids)
        elif key:
            digests[display] = key
        if source is not None:  # always, here: a file that did not parse went on above
            sources.append(source)
    if skipped and not sources and not problems:
        # Every file found was something else: say that nothing is left to check, not only
        # what was skipped (the notice alone left an exit 2 unexplained).
        raise InputError([Problem(", ".join(paths) or ".", None, None, nothing_left(skipped))])

    def unsure(ident: str) -> bool:
        # An id written in a file that did not validate, or whose text appears in a file
        # that did not parse, may be declared there: a reference to it is not "unknown".
        if ident in invalid_ids:
            return True
        # As a whole word: `rsi` is not declared by a file because it says `version`.
        word = re.compile(rb"(?<![A-Za-z0-9._-])%b(?![A-Za-z0-9._-])" % re.escape(ident.encode()))
        return any(word.search(text) for text in unread)

    try:
        decl, more = merge_parts(sources, broken, unsure if problems else None, bool(unread))
    except InputError as exc:  # past the object cap: nothing more is checked
        raise InputError([*problems, *exc.problems]) from None
    decl.digests = digests
    decl.notices = [skipped_notice(skipped)] if skipped else []
    return decl, [*problems, *more]


# The problems of a file that did not parse and validate, and the objects they make unreadable.
_Checked = tuple[Sequence[Problem], Broken]


def _parse_one(raw: bytes, display: str) -> tuple[SourceFile | None, _Checked | None]:
    """A file's source (None when it does not parse), and its problems (None: it has none)."""
    try:
        source = parse(decode_text(raw, display), display)
    except InputError as exc:
        return None, (exc.problems, frozenset())
    found, bad = validate_parts(source)
    return source, ((found, bad) if found else None)


def _ids(node: Any, out: set[str]) -> None:
    """Add to ``out`` every string written as an ``id`` anywhere under ``node``."""
    if isinstance(node, dict):
        ident = node.get("id")
        if isinstance(ident, str):
            out.add(ident)
        for value in node.values():
            _ids(value, out)
    elif isinstance(node, list):
        for value in node:
            _ids(value, out)
