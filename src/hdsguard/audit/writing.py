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
        with open(tmp, "wb") as f:
            # A replaced file keeps its permissions, set before any byte; through the open
            # file, so that a read-only original (0444) leaves the copy writable until closed.
            keep_mode(tmp, path)
            f.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        # Exit 2, not 1: 1 means a failing finding, here the run could not do its job.
        raise InputError([Problem(str(path), None, None, cannot_write_text(exc))]) from None
