"""`hdsguard check` runs with the cyclic garbage collector off (cli.py): it is only safe if a
run makes no reference cycles that grow with the estate."""

from __future__ import annotations

import datetime
import gc
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hdsguard.api import CheckOptions, check
from tests.helpers import AS_OF, REPO

sys.path.insert(0, str(REPO / "bench"))
from generate import generate


@pytest.fixture
def saved_garbage() -> Iterator[list[object]]:
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield gc.garbage
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def cycles_made(root: Path, garbage: list[object]) -> int:
    gc.collect()
    garbage.clear()
    check([str(root)], CheckOptions(as_of=datetime.date.fromisoformat(AS_OF)))
    gc.collect()
    return len(garbage)


def test_cycles_do_not_grow_with_the_estate(tmp_path: Path, saved_garbage: list[object]) -> None:
    generate(100, tmp_path / "small")
    generate(1000, tmp_path / "large")
    cycles_made(tmp_path / "small", saved_garbage)  # first: imports, caches
    small = cycles_made(tmp_path / "small", saved_garbage)
    large = cycles_made(tmp_path / "large", saved_garbage)
    assert large - small < 100, (small, large)
