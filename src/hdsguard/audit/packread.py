"""Reading an evidence pack someone sent: bounded, before anything is trusted.

A pack comes from elsewhere, so it is hostile until checked. A zip states the size of each
member; a few kilobytes can state (or hide) gigabytes, and a member can be a symbolic link
or named ``../../etc/x``. Every limit is checked on what the zip declares before a byte is
inflated, then again while reading, in chunks, since a declared size can lie. The limits are
far above what a declaration set and its scans weigh, and below what would exhaust a
laptop's memory (docs/report.md, "Verifying a pack").
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from hdsguard.i18n import _, labelled

MAX_MEMBERS = 10_000
MAX_MEMBER_BYTES = 256 * 2**20
MAX_TOTAL_BYTES = 1024 * 2**20
# The zip's directory of members, read whole by zipfile before any check can run: 4 MiB is
# 10,000 members with names of 400 characters.
MAX_DIRECTORY_BYTES = 4 * 2**20
# Inflation ratio: deflate reaches about 1000:1 on a file of one repeated byte; the examples'
# declarations and scans compress about 3:1, a generated estate's repeated objects more. Small
# members may compress further harmlessly: only those over RATIO_FLOOR bytes are held to it.
MAX_RATIO = 200
RATIO_FLOOR = 2**20
_CHUNK = 2**16
_END = b"PK\x05\x06"
_END64_LOCATOR = b"PK\x06\x07"
_END64 = b"PK\x06\x06"


class PackError(Exception):
    """The pack cannot be read as a pack (exit 2)."""


def _mib(size: int) -> str:
    return _("{size} MiB").format(size=f"{size / 2**20:.0f}")


def _refuse(path: Path, member: str | None, says: str) -> PackError:
    """A located refusal: the pack, the member when one is at fault, and what to do."""
    where = str(path) if member is None else labelled(str(path), member)
    advice = _(
        "`hdsguard report --pack` never writes such a pack: do not use it, ask its sender "
        "for the pack as written"
    )
    return PackError(labelled(where, _("{problem}; {advice}").format(problem=says, advice=advice)))


def open_pack(path: Path) -> zipfile.ZipFile:
    """The zip at ``path``, its directory of members checked for size before zipfile reads
    it (zipfile builds an object per member, whatever their number)."""
    try:
        with path.open("rb") as stream:
            directory = _directory_size(stream)
        if directory > MAX_DIRECTORY_BYTES:
            says = _("its directory of members is {size} bytes, over the limit of {limit}")
            raise _refuse(path, None, says.format(size=directory, limit=_mib(MAX_DIRECTORY_BYTES)))
        return zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile, EOFError, ValueError) as exc:
        message = _("{path}: not a readable zip file ({error})")
        raise PackError(message.format(path=path, error=exc)) from None


def _directory_size(stream: BinaryIO) -> int:
    """The size of the central directory the end record declares (0 when there is no end
    record: zipfile then refuses the file itself)."""
    stream.seek(0, 2)
    size = stream.tell()
    tail_size = min(size, 22 + 65_535)  # the end record and its longest comment
    stream.seek(size - tail_size)
    tail = stream.read(tail_size)
    at = tail.rfind(_END)
    if at < 0 or len(tail) < at + 22:
        return 0
    declared = int.from_bytes(tail[at + 12 : at + 16], "little")
    locator = tail[at - 20 : at] if at >= 20 else b""
    if declared == 0xFFFFFFFF and locator.startswith(_END64_LOCATOR):
        stream.seek(int.from_bytes(locator[8:16], "little"))
        record = stream.read(56)
        if record.startswith(_END64) and len(record) == 56:
            declared = int.from_bytes(record[40:48], "little")
    return declared


def read_members(path: Path, archive: zipfile.ZipFile) -> dict[str, bytes]:
    """Every member of ``archive``, each checked (name, kind, declared sizes) before any is
    read, and read in chunks that stop at its declared size."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        says = _("{count} members, over the limit of {limit}")
        raise _refuse(path, None, says.format(count=len(infos), limit=MAX_MEMBERS))
    seen: set[str] = set()
    total = 0
    for info in infos:
        _check_member(path, info, seen)
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        says = _("its members declare {size} bytes in all, over the limit of {limit}")
        raise _refuse(path, None, says.format(size=total, limit=_mib(MAX_TOTAL_BYTES)))
    return {info.filename: _read(path, archive, info) for info in infos}


def _check_member(path: Path, info: zipfile.ZipInfo, seen: set[str]) -> None:
    name = info.filename
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts or "\\" in name:
        says = _("a path outside the pack (absolute, or with `..` or `\\`)")
        raise _refuse(path, repr(name), says)
    if name in seen:
        raise _refuse(path, name, _("in the pack twice"))
    seen.add(name)
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise _refuse(path, name, _("a symbolic link: a pack holds regular files only"))
    if info.file_size > MAX_MEMBER_BYTES:
        says = _("declares {size} bytes, over the limit of {limit} for one member")
        raise _refuse(path, name, says.format(size=info.file_size, limit=_mib(MAX_MEMBER_BYTES)))
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        ratio = info.file_size // max(info.compress_size, 1)
        says = _("compressed {ratio}:1 ({packed} bytes for {size}), over the limit of {limit}:1")
        raise _refuse(
            path,
            name,
            says.format(
                ratio=ratio, packed=info.compress_size, size=info.file_size, limit=MAX_RATIO
            ),
        )


def _read(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The member's bytes, never more than it declares (zipfile stops there and checks the
    CRC: a member inflating to more than declared fails it)."""
    chunks: list[bytes] = []
    got = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                got += len(chunk)
                if got > info.file_size:
                    says = _("holds more than the {size} bytes it declares")
                    raise _refuse(path, info.filename, says.format(size=info.file_size))
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as exc:
        # RuntimeError: an encrypted member; NotImplementedError: an unknown compression.
        says = _("cannot be read ({error})")
        raise _refuse(path, info.filename, says.format(error=exc)) from None
    return b"".join(chunks)
