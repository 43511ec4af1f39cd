"""Fixtures shared by the test suite (plain helpers live in tests/helpers.py)."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers import REPO, use_cache, write


@pytest.fixture(autouse=True)
def _collector_back_on() -> Iterator[None]:
    """``hdsguard check`` switches the cyclic garbage collector off for its one-shot process
    (``cli.check``). The suite's process gets it back on after every test, whatever ran the
    check: the test, or a module- or session-scoped fixture set up before this one (the oscal
    fixture of tests/test_audit_outputs.py left it off for the rest of the run: the process
    grew to 4 GB, and forks and full collections in later tests cost seconds each)."""
    yield
    gc.enable()


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, str]], Path]:
    """Write a declaration tree in a temporary directory and chdir there (relative paths)."""
    monkeypatch.chdir(tmp_path)

    def make(files: dict[str, str]) -> Path:
        return write(tmp_path, files)

    return make


@pytest.fixture(scope="session")
def failing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated estate of 600 objects of the bench's high-failure shape (a quarter of pairs
    fail or warn), shared by the tests that only read it (copy it to change it)."""
    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate

    root = tmp_path_factory.mktemp("failing")
    generate(600, root, shape="failing")
    return root


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """hdsguard's caches in a fresh directory of the test, switched on even where the
    environment switches them off."""
    folder = tmp_path / "cache"
    use_cache(monkeypatch, folder)
    return folder


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="Rewrite the files under tests/golden/ from the current output instead of comparing.",
    )


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The compiled-catalogue cache of the test run lives in a temporary directory, never in
    the developer's ~/.cache: tests start from a cold cache and cannot disturb real use."""
    import os

    os.environ["HDSGUARD_CACHE_DIR"] = str(tmp_path_factory.mktemp("hdsguard-cache"))
    # Outputs are English unless a test asks for French: a developer's French locale must
    # not change what the goldens compare (the language tests set these themselves).
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        os.environ.pop(name, None)
    os.environ["LANG"] = "C.UTF-8"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: a real external tool (pre-commit); runs in CI too")
    # pytest-xdist's own mark, declared here too: a venv made before xdist joined the test
    # extra runs the suite in one process, where the mark changes nothing.
    config.addinivalue_line("markers", "xdist_group(name): tests kept on one xdist worker")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Compare text with tests/golden/NAME, or rewrite it under ``--update-goldens``."""
    from tests.goldens import check_golden

    update = bool(request.config.getoption("--update-goldens"))
    return lambda name, text: check_golden(name, text, update=update)
