"""Where the top-level data folders (``policies/``, ``schemas/``) are at run time."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def shipped(folder: str) -> Path:
    """``folder`` as the wheel ships it (``hdsguard/_builtin/<folder>``), or, in a source
    checkout or an editable install, the repository's own top-level ``<folder>``."""
    packaged = _PACKAGE / "_builtin" / folder
    return packaged if packaged.is_dir() else _PACKAGE.parent.parent / folder
