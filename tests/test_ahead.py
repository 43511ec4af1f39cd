"""The catalogue compiled by a forked helper while a first run reads the declarations
(hdsguard.speed.ahead): the same report and the same problems as a run without it, whatever
the helper does."""

from __future__ import annotations

import datetime
import os
import shutil
import time
from pathlib import Path

import pytest

from hdsguard import api
from hdsguard.errors import InputError
from hdsguard.formatters import RenderOptions, writer
from hdsguard.policies import load
from hdsguard.speed import ahead, forkjobs
from tests.helpers import REPO, use_cache

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or forkjobs.usable_cpus() < 2, reason="needs fork and two CPUs"
)

AS_OF = datetime.date(2026, 11, 28)
HOSPITAL = str(REPO / "examples" / "hospital")


@pytest.fixture
def first_run(cache: Path, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """An empty cache, every estate large enough, and the pids of the processes that
    compiled the catalogue (a helper's compile is not seen by the parent)."""
    monkeypatch.setattr(ahead, "MIN_BYTES", 1)
    monkeypatch.delenv(forkjobs.ENV_JOBS, raising=False)
    compiled: list[int] = []
    files = load._load_files

    def counting(*args: object, **kwargs: object) -> object:
        compiled.append(os.getpid())
        return files(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(load, "_load_files", counting)
    return compiled


def _json(paths: list[str], **options: object) -> str:
    report = api.check(paths, api.CheckOptions(as_of=AS_OF, **options))  # type: ignore[arg-type]
    out: list[str] = []
    writer("json")(report, RenderOptions(), out.append)
    return "".join(out)


def _without_cache(paths: list[str], monkeypatch: pytest.MonkeyPatch, **options: object) -> str:
    with monkeypatch.context() as m:
        use_cache(m, None)
        return _json(paths, **options)


def _problems(paths: list[str], **options: object) -> list[str]:
    with pytest.raises(InputError) as raised:
        api.check(paths, api.CheckOptions(as_of=AS_OF, **options))  # type: ignore[arg-type]
    return [str(p) for p in raised.value.problems]


def test_a_first_run_reads_while_a_helper_compiles(
    first_run: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    report = _json([HOSPITAL])
    assert first_run == []  # the parent loaded what the helper stored
    assert load.catalogue_cached(lang="en") is True
    assert report == _without_cache([HOSPITAL], monkeypatch)
    first_run.clear()
    assert _json([HOSPITAL]) == report  # warm: no helper, the same report
    assert first_run == []


def test_no_helper_when_it_would_not_pay(
    first_run: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def start() -> ahead.Ahead | None:
        return ahead.start(lambda: None, (), "en", [HOSPITAL], ())

    monkeypatch.setenv(forkjobs.ENV_JOBS, "1")
    assert start() is None  # one process asked for
    monkeypatch.delenv(forkjobs.ENV_JOBS)
    monkeypatch.setattr(ahead, "MIN_BYTES", 1 << 30)
    assert start() is None  # reading is short: the parent compiles
    monkeypatch.setattr(ahead, "MIN_BYTES", 1)
    assert ahead.start(lambda: None, (), "en", ["no/such/dir"], ()) is None
    with monkeypatch.context() as m:
        use_cache(m, None)
        assert start() is None  # nowhere to store the catalogue
    _json([HOSPITAL])  # fills the cache
    assert start() is None  # already compiled


@pytest.mark.parametrize("how", ["fails", "is stuck"])
def test_the_parent_compiles_when_the_helper_does_not(
    how: str, first_run: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = os.getpid()
    policies = api.load_policies

    def helper_fails(*args: object, **kwargs: object) -> object:
        if os.getpid() != parent:
            if how == "fails":
                raise RuntimeError("the helper fails")
            time.sleep(60)
        return policies(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(api, "load_policies", helper_fails)
    monkeypatch.setattr(forkjobs, "patience", lambda _own: 1.0)
    started = time.monotonic()
    report = _json([HOSPITAL])
    assert time.monotonic() - started < 30  # a stuck helper is killed, not waited for
    assert first_run == [parent]
    assert report == _without_cache([HOSPITAL], monkeypatch)


def test_problems_are_those_of_a_run_without_helper(
    first_run: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    estate = tmp_path / "estate"
    shutil.copytree(HOSPITAL, estate)
    (estate / "broken.yaml").write_text("systems:\n  - name: [unclosed\n", encoding="utf-8")
    bad_rule = {"disabled": frozenset({"NO-SUCH-RULE"})}
    with_helper = _problems([str(estate)], **bad_rule)
    assert first_run == []  # the helper compiled
    monkeypatch.setenv(forkjobs.ENV_JOBS, "1")
    assert with_helper == _problems([str(estate)], **bad_rule)
    assert any("NO-SUCH-RULE" in p for p in with_helper)
    assert any("broken.yaml" in p for p in with_helper)


def test_a_broken_policy_is_reported_with_the_declarations_as_without_helper(
    first_run: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "mine.yaml").write_text("id: MINE-001\ntitle: [unclosed\n", encoding="utf-8")
    estate = tmp_path / "estate"
    shutil.copytree(HOSPITAL, estate)
    (estate / "broken.yaml").write_text("systems: 3\n", encoding="utf-8")
    with_helper = _problems([str(estate)], policy_dirs=[policies])
    assert any("mine.yaml" in p for p in with_helper)
    assert any("broken.yaml" in p for p in with_helper)
    monkeypatch.setenv(forkjobs.ENV_JOBS, "1")
    assert with_helper == _problems([str(estate)], policy_dirs=[policies])


def test_an_interrupted_read_leaves_no_helper_behind(
    first_run: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[ahead.Ahead] = []
    start = ahead.start

    def keep(*args: object) -> ahead.Ahead | None:
        helper = start(*args)  # type: ignore[arg-type]
        started.extend([helper] if helper is not None else [])
        return helper

    def interrupted(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(ahead, "start", keep)
    monkeypatch.setattr(api, "read_declarations", interrupted)
    with pytest.raises(KeyboardInterrupt):
        api.check([HOSPITAL], api.CheckOptions(as_of=AS_OF))
    assert len(started) == 1
    assert started[0].helper.status is not None  # reaped: no zombie
    with pytest.raises(ChildProcessError):
        os.waitpid(started[0].helper.pid, os.WNOHANG)
