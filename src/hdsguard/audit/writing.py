"""Binary files of the audit (calendar, pack), written as atomically as the text reports."""

from __future__ import annotations

import os
from pathlib import Path

from hdsguard.declarations.files import cannot_write_text, keep_mode
from hdsguard.errors import InputError, Problem


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename: a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        tmp.touch(exist_ok=False)
        keep_mode(tmp, path)  # a replaced file keeps its permissions, before any byte
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        # Exit 2, not 1: 1 means a failing finding, here the run could not do its job.
        raise InputError([Problem(str(path), None, None, cannot_write_text(exc))]) from None
