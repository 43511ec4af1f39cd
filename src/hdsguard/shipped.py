"""Where the top-level data folders (``policies/``, ``schemas/``) are at run time."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent


def shipped(folder: str) -> Path:
    """``folder`` as the wheel ships it (``hdsguard/_builtin/<folder>``), or, in a source
    checkout or an editable install, the repository's own top-level ``<folder>``."""
    packaged = _PACKAGE / "_builtin" / folder
    return packaged if packaged.is_dir() else _PACKAGE.parent.parent / folder


@cache
def shipped_schema(name: str) -> dict[str, Any] | None:
    """The shipped JSON Schema ``name`` (declaration, config, waivers, baseline), parsed once
    per process and shared by its readers, who never change it; None when it cannot be read."""
    try:
        loaded = json.loads((shipped("schemas") / f"{name}.schema.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None
