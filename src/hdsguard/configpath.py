"""Where the organisation config is: kept apart from the config model so that a run without
a config never imports pydantic models it does not use (start-up time of a pre-commit hook)."""

from __future__ import annotations

from pathlib import Path

CONFIG_NAME = ".hdsguard.yaml"


def find_config(start: Path) -> Path | None:
    """The nearest ``.hdsguard.yaml`` in ``start`` or above, not beyond a ``.git`` boundary."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
        if (folder / ".git").exists():
            return None
    return None
