"""Find declaration files and read them safely (size, type and encoding checks)."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from hdsguard.errors import InputError, Problem, fail
from hdsguard.i18n import N_, _, ngettext

SUFFIXES = (".yaml", ".yml", ".json")
MAX_FILE_BYTES = 32 * 1024 * 1024


def display_path(path: Path) -> str:
    """The path as users see it in messages: relative to the current directory (``../infra``
    when the declarations sit above it, as with a config found in a parent directory)."""
    try:
        return Path(os.path.relpath(path)).as_posix()
    except ValueError:  # another drive on Windows: no relative path exists
        return path.as_posix()


# The suffix of an evidence file's sidecar (hdsguard.evidence.load.SIDECAR): a directory so
# named is no declaration directory.
_SIDECAR = ".evidence"
# A directory named as a sidecar, in a declaration or an evidence directory: one message for
# both walkers (here, as hdsguard.evidence.load imports this module, not the reverse).
SIDECAR_DIRECTORY = N_(
    "not a file: a sidecar is a YAML file named after its evidence file (scan.xml -> "
    "scan.xml.evidence) holding `vantage` and/or `host`; replace this directory with such a "
    "file"
)

# Version-control metadata: never declarations, and too large to search for them.
_VCS_DIRS = frozenset({".git", ".hg", ".svn"})


def discover(
    paths: Sequence[str], exclude: Iterable[Path] = (), notices: list[str] | None = None
) -> list[Path]:
    """Every declaration file named by ``paths`` (files, or directories walked recursively).

    The rule for a walked directory (README, "Which files are read"): files ending in
    ``.yaml``, ``.yml`` or ``.json`` are read; symbolic links to directories are followed
    when they stay inside the directory walked (each real directory once, so a loop ends);
    a symbolic link to a file or a directory outside it is refused, located, and never read;
    hidden files and directories (a leading dot) are not read, and each one that holds a
    declaration file is announced in ``notices`` (``.git``, ``.hg``, ``.svn`` are not
    searched); a directory named like an evidence sidecar (``scan.xml.evidence``) is a
    located error, never walked. A file named on the command line is read wherever it is.
    """
    excluded = {_real(p) for p in exclude}
    found: list[Path] = []
    reals: dict[Path, str] = {}  # the canonical path of each file a walk found
    problems: list[Problem] = []
    skipped: list[str] = []
    for raw in paths:
        path = Path(raw)
        try:
            st = path.stat()
        except OSError as exc:
            problems.append(Problem(raw, None, None, _cannot_read_text(exc)))
            continue
        if stat.S_ISDIR(st.st_mode):
            walk = _Walk(path, problems, skipped, excluded)
            found.extend(walk.files)
            reals.update(zip(walk.files, walk.reals, strict=True))
        elif path.suffix.lower() not in SUFFIXES:
            problems.append(
                Problem(raw, None, None, _("not a declaration file: expected .yaml, .yml or .json"))
            )
        else:
            found.append(path)
    unique: list[Path] = []
    seen: set[str] = set()
    for p in sorted(set(found), key=lambda p: p.as_posix()):
        real = reals.get(p) or _real(p)
        if real not in excluded and real not in seen:  # a file reached twice is read once
            seen.add(real)
            unique.append(p)
    if problems:
        raise InputError(problems)
    if notices is not None:
        notices.extend(skipped)
    if not unique:
        where = ", ".join(paths) if paths else "."
        raise InputError(
            [
                Problem(
                    where,
                    None,
                    None,
                    _(
                        "no declaration file (.yaml, .yml, .json) found here: name the files "
                        "or directories to check, or run `hdsguard init` to start a set"
                    ),
                )
            ]
        )
    return unique


def _real(path: Path) -> str:
    """The canonical path; unlike ``Path.resolve`` it never raises on a symlink loop."""
    return os.path.realpath(path)


def _declaration_name(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in SUFFIXES


class _Walk:
    """The declaration files under ``root`` by the rule of :func:`discover`."""

    def __init__(
        self, root: Path, problems: list[Problem], skipped: list[str], excluded: set[str]
    ) -> None:
        self.top = _real(root)
        self.problems = problems
        self.skipped = skipped
        self.excluded = excluded
        self.visited: set[str] = set()
        self.files: list[Path] = []
        self.reals: list[str] = []  # the canonical path of each file
        self.visit(root, self.top)

    def inside(self, real: str) -> bool:
        return real == self.top or real.startswith(self.top.rstrip(os.sep) + os.sep)

    def visit(self, folder: Path, real: str) -> None:
        if real in self.visited:  # a loop, or a directory linked twice: walked once
            return
        self.visited.add(real)
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            self.problems.append(
                Problem(
                    display_path(folder),
                    None,
                    None,
                    _("cannot read directory: {reason}").format(reason=os_reason(exc)),
                )
            )
            return
        for entry in entries:
            path = folder / entry.name
            try:
                is_dir = entry.is_dir()  # follows a symbolic link
                is_link = entry.is_symlink()
            except OSError:
                is_dir = is_link = False
            hidden = entry.name.startswith(".")
            if is_dir:
                if hidden:
                    if entry.name not in _VCS_DIRS:
                        self.hidden_dir(path)
                    continue
                if entry.name.endswith(_SIDECAR):
                    self.sidecar_dir(path)
                    continue
                target = _real(path)
                if is_link and not self.inside(target):
                    self.outside(path, _("symbolic link to a directory outside {top}"))
                    continue
                self.visit(path, target)
            elif _declaration_name(entry.name):
                # A name that is no link, in the canonical directory ``real``, is canonical
                # once joined: no realpath (a stat per component) for each of its files.
                canonical = _real(path) if is_link else os.path.join(real, entry.name)
                if canonical in self.excluded:
                    continue  # the config, waiver or baseline file in use
                if hidden:
                    self.skipped.append(
                        _(
                            "{path}: hidden file, not read: rename it without the leading dot "
                            "to check it"
                        ).format(path=display_path(path))
                    )
                elif is_link and not self.inside(canonical):
                    self.outside(path, _("symbolic link to a file outside {top}"))
                else:
                    self.files.append(path)
                    self.reals.append(canonical)

    def outside(self, path: Path, what: str) -> None:
        # Never read, so nothing of it can be echoed.
        self.problems.append(
            Problem(
                display_path(path),
                None,
                None,
                what.format(top=display_path(Path(self.top)))
                + _(
                    ": not read; name its target on the command line to check it, or copy it "
                    "into the tree"
                ),
            )
        )

    def sidecar_dir(self, path: Path) -> None:
        # A directory named as an evidence sidecar (scan.xml.evidence/): never walked, as in
        # an evidence directory (hdsguard.evidence.load), and the same located error, so that
        # a check with or without --evidence says one thing. Its files were read as
        # declarations: a `vantage.yaml` inside was an "unknown key", and a YAML or JSON file
        # shaped like a declaration was counted silently.
        self.problems.append(Problem(display_path(path), None, None, _(SIDECAR_DIRECTORY)))

    def hidden_dir(self, path: Path) -> None:
        count = 0
        for _folder, dirs, files in os.walk(path, followlinks=False):
            dirs[:] = [d for d in dirs if d not in _VCS_DIRS]
            count += sum(1 for name in files if _declaration_name(name))
        if count:
            self.skipped.append(
                ngettext(
                    "{path}: hidden directory, not read ({count} declaration file): rename it "
                    "without the leading dot to check it",
                    "{path}: hidden directory, not read ({count} declaration files): rename it "
                    "without the leading dot to check it",
                    count,
                ).format(path=display_path(path), count=count)
            )


def read_text(path: Path, display: str) -> str:
    """The file's text; refuses what is not a regular file, too large, or not UTF-8."""
    return decode_text(read_bytes(path, display), display)


def read_bytes(path: Path, display: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes; refuses what is not a regular file, or over ``limit`` bytes.

    The file is opened without blocking and checked through its descriptor, so that a FIFO
    (or a file swapped for one after a check) can never hang a pre-commit hook, and at most
    ``limit`` bytes are read whatever the file claims its size is.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise _cannot_read(display, exc) from None
    with os.fdopen(fd, "rb") as handle:
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise fail(display, None, None, _("not a regular file (FIFO or device?)"))
            if st.st_size > limit:
                raise _too_large(display, st.st_size, limit)
            raw = handle.read(limit + 1)
        except OSError as exc:
            raise _cannot_read(display, exc) from None
    if len(raw) > limit:
        raise _too_large(display, len(raw), limit)
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
                    _("file is not UTF-8 (byte {byte}): save it as UTF-8").format(
                        byte=f"0x{raw[exc.start]:02x}"
                    ),
                )
            ]
        ) from None


def _cannot_read(display: str, exc: OSError) -> InputError:
    return fail(display, None, None, _cannot_read_text(exc))


def _cannot_read_text(exc: OSError) -> str:
    return _("cannot read: {reason}").format(reason=os_reason(exc))


# The reasons users meet, in the run's language (the system's own text otherwise).
_REASONS = {
    errno.ENOENT: N_("No such file or directory"),
    errno.EACCES: N_("Permission denied"),
    errno.EISDIR: N_("Is a directory"),
    errno.ENOTDIR: N_("Not a directory"),
    errno.ELOOP: N_("Too many levels of symbolic links"),
    errno.ENOSPC: N_("No space left on device"),
    errno.EROFS: N_("Read-only file system"),
}


def cannot_write_text(exc: OSError) -> str:
    """``cannot write: <why>``, in the run's language."""
    return _("cannot write: {reason}").format(reason=os_reason(exc))


def os_reason(exc: OSError) -> str:
    """Why the system refused a file, in the run's language when it is a common reason."""
    known = _REASONS.get(exc.errno) if exc.errno is not None else None
    return _(known) if known else str(exc.strerror or exc)


def _too_large(display: str, size: int, limit_bytes: int) -> InputError:
    limit = limit_bytes // 1024 // 1024
    return fail(
        display,
        None,
        None,
        _("file is {size} MiB, over the {limit} MiB limit: split it").format(
            size=f"{size / 1024 / 1024:.0f}", limit=limit
        ),
    )
