"""Golden files: expected outputs kept under tests/golden/, compared byte for byte.

Regenerate them after an intended change with ``pytest --update-goldens`` (or
``HDSGUARD_UPDATE_GOLDENS=1 pytest``), then review the diff with ``git diff tests/golden``.
"""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"


def check_golden(name: str, text: str, *, update: bool = False) -> None:
    path = GOLDEN_DIR / name
    if update or os.environ.get("HDSGUARD_UPDATE_GOLDENS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        return
    assert path.exists(), f"missing golden file {path}: run pytest --update-goldens"
    expected = path.read_bytes().decode("utf-8")
    assert text == expected, f"{name} differs from its golden file (pytest --update-goldens)"
