"""The suite's own process: the cyclic garbage collector is back on after every test.

``hdsguard check`` switches it off for its one-shot process. Run in-process by a module-scoped
fixture, which is set up before the function-scoped guard of tests/conftest.py, it stayed off
for the rest of the session: the process grew to 4 GB, and later forks and full collections
cost seconds each (about 200 s of the suite).

The two tests run in this order in one process (pytest keeps a file's order; under xdist the
group keeps them on one worker)."""

from __future__ import annotations

import gc

import pytest

from tests.helpers import AS_OF, REPO, run_cli

pytestmark = pytest.mark.xdist_group("collector")


@pytest.fixture(scope="module")
def checked() -> int:
    gc.enable()
    result = run_cli(["check", str(REPO / "examples" / "minimal"), "--no-config",
                      "--as-of", AS_OF])  # fmt: skip
    assert not gc.isenabled()  # the command's doing, for its own process
    return result.exit_code


def test_a_module_fixture_runs_the_check(checked: int) -> None:
    assert checked in (0, 1)


def test_the_next_test_runs_with_the_collector() -> None:
    assert gc.isenabled()
