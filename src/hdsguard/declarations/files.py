"""Find declaration files and read them safely (size, type and encoding checks)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from hdsguard.errors import InputError, Problem, fail

SUFFIXES = (".yaml", ".yml", ".json")
MAX_FILE_BYTES = 32 * 1024 * 1024


def display_path(path: Path) -> str:
    """The path as users see it in messages: relative to the current directory (``../infra``
    when the declarations sit above it, as with a config found in a parent directory)."""
    try:
        return Path(os.path.relpath(path)).as_posix()
    except ValueError:  # another drive on Windows: no relative path exists
        return path.as_posix()


def discover(paths: Sequence[str], exclude: Iterable[Path] = ()) -> list[Path]:
    """Every declaration file named by ``paths`` (files, or directories walked recursively).

    Hidden files and directories (``.git``, ``.hdsguard.yaml``) are skipped when walking;
    symlinked directories are not followed, so a symlink loop cannot trap the walk.
    """
    excluded = {_real(p) for p in exclude}
    found: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        try:
            st = path.stat()
        except OSError as exc:
            problems.append(Problem(raw, None, None, f"cannot read: {exc.strerror or exc}"))
            continue
        if stat.S_ISDIR(st.st_mode):
            found.extend(_walk(path, problems))
        elif path.suffix.lower() not in SUFFIXES:
            problems.append(
                Problem(raw, None, None, "not a declaration file: expected .yaml, .yml or .json")
            )
        else:
            found.append(path)
    unique = sorted({p for p in found if _real(p) not in excluded}, key=lambda p: p.as_posix())
    if problems:
        raise InputError(problems)
    if not unique:
        where = ", ".join(paths) if paths else "."
        raise InputError(
            [Problem(where, None, None, "no declaration file (.yaml, .yml, .json) found here")]
        )
    return unique


def _real(path: Path) -> str:
    """The canonical path; unlike ``Path.resolve`` it never raises on a symlink loop."""
    return os.path.realpath(path)


def _walk(root: Path, problems: list[Problem]) -> list[Path]:
    def on_error(exc: OSError) -> None:
        name = display_path(Path(exc.filename)) if exc.filename else display_path(root)
        problems.append(Problem(name, None, None, f"cannot read directory: {exc.strerror}"))

    out: list[Path] = []
    for folder, dirs, files in os.walk(root, onerror=on_error, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in SUFFIXES:
                out.append(Path(folder) / name)
    return out


def read_text(path: Path, display: str) -> str:
    """The file's text; refuses what is not a regular file, too large, or not UTF-8."""
    return decode_text(read_bytes(path, display), display)


def read_bytes(path: Path, display: str) -> bytes:
    """The file's bytes; refuses what is not a regular file, or too large.

    The file is opened without blocking and checked through its descriptor, so that a FIFO
    (or a file swapped for one after a check) can never hang a pre-commit hook, and at most
    ``MAX_FILE_BYTES`` are read whatever the file claims its size is.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise _cannot_read(display, exc) from None
    with os.fdopen(fd, "rb") as handle:
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise fail(display, None, None, "not a regular file (FIFO or device?)")
            if st.st_size > MAX_FILE_BYTES:
                raise _too_large(display, st.st_size)
            raw = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise _cannot_read(display, exc) from None
    if len(raw) > MAX_FILE_BYTES:
        raise _too_large(display, len(raw))
    return raw


def decode_text(raw: bytes, display: str) -> str:
    """The text of a file's bytes (UTF-8, an optional BOM dropped); a located error if not."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            [
                Problem(
                    display,
                    line,
                    column,
                    f"file is not UTF-8 (byte 0x{raw[exc.start]:02x}): save it as UTF-8",
                )
            ]
        ) from None


def _cannot_read(display: str, exc: OSError) -> InputError:
    return fail(display, None, None, f"cannot read: {exc.strerror or exc}")


def _too_large(display: str, size: int) -> InputError:
    limit = MAX_FILE_BYTES // 1024 // 1024
    return fail(
        display,
        None,
        None,
        f"file is {size / 1024 / 1024:.0f} MiB, over the {limit} MiB limit: split it",
    )
