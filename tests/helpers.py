"""Shared helpers for the test suite."""

from __future__ import annotations

import json
import os
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from hdsguard.cli import main
from hdsguard.declarations.located import SourceFile

REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-28"


def write(root: Path, files: dict[str, str]) -> Path:
    """Create files (dedented) under root and return root."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def run_cli(args: Sequence[str]) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def findings_of(result: Result) -> list[dict[str, Any]]:
    report: dict[str, Any] = json.loads(result.stdout)
    findings: list[dict[str, Any]] = report["findings"]
    return findings


def check_declaration(tmp_path: Path, text: str, *extra: str) -> Result:
    """``hdsguard check`` of ``text`` as the one declaration file ``decl.yaml`` in
    ``tmp_path``, as of :data:`AS_OF`, with a JSON report."""
    write(tmp_path, {"decl.yaml": text})
    args = ["check", str(tmp_path / "decl.yaml"), "--as-of", AS_OF, "--format", "json"]
    return run_cli([*args, *extra])


def only_finding(result: Result, rule: str, target: str) -> dict[str, Any]:
    """The one finding of ``rule`` on ``target`` in a JSON report (the test fails, showing
    the output, unless there is exactly one)."""
    found = [f for f in findings_of(result) if f["rule"] == rule and f["target"] == target]
    assert len(found) == 1, (rule, target, result.stdout, result.stderr)
    return found[0]


def random_spot(draw: Any, data: Any) -> tuple[Any, Any]:
    """A random (container, key) pair some levels deep in ``data`` (hypothesis ``draw``), or
    (None, None) to mean the whole document: where a mutation test edits."""
    from hypothesis import strategies as st

    node, parent, key = data, None, None
    for _depth in range(draw(st.integers(0, 5))):
        if isinstance(node, dict) and node:
            parent, key = node, draw(st.sampled_from(sorted(node)))
        elif isinstance(node, list) and node:
            parent, key = node, draw(st.integers(0, len(node) - 1))
        else:
            break
        node = parent[key]
    return parent, key


def record_forks(monkeypatch: Any) -> list[int]:
    """The pid of every helper process this process forks from now on (pytest's
    ``monkeypatch`` undoes the recording)."""
    import os

    pids: list[int] = []
    real = os.fork
    parent = os.getpid()

    def fork() -> int:
        pid = real()
        if os.getpid() == parent:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    return pids


def forbid_forks(monkeypatch: Any) -> None:
    """Make any fork from now on fail the test with AssertionError("forked")."""
    import os

    def no_fork() -> int:
        raise AssertionError("forked")

    monkeypatch.setattr(os, "fork", no_fork)


def data_paths(data: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Every key and item of ``data`` as a path, in document order."""
    steps: Any = data.items() if isinstance(data, dict) else enumerate(data)
    for step, value in steps:
        yield (*prefix, step)
        if isinstance(value, dict | list):
            yield from data_paths(value, (*prefix, step))


def text_of(source: SourceFile) -> str | None:
    """The text a source keeps to complete its positions (bytes when read from the cache)."""
    text = source.text
    return text.decode("utf-8-sig") if isinstance(text, bytes) else text


def holds_none(data: Any) -> bool:
    """Whether ``data`` holds a null (None) at any depth."""
    if isinstance(data, dict):
        return any(holds_none(v) for v in data.values())
    if isinstance(data, list):
        return any(holds_none(v) for v in data)
    return data is None


def assert_counted_as_found(verbose: Any, quiet: Any) -> None:
    """``quiet`` (an engine run without evidence) holds exactly ``verbose``'s findings that
    are not passes or not applicable, and counts those per (rule, status, file)."""
    from collections import Counter

    from hdsguard.findings import COUNTED

    assert not verbose.tally
    assert quiet.findings == [f for f in verbose.findings if f.status not in COUNTED]
    expected = Counter(
        (f.rule, f.status.value, f.file) for f in verbose.findings if f.status in COUNTED
    )
    assert quiet.tally == dict(expected)


def cache_env(
    cache: Path | None, base: Mapping[str, str] | None = None, **extra: str
) -> dict[str, str]:
    """The environment of a child hdsguard process (``base``, default this process's, with
    ``extra``) keeping its caches in ``cache``, or using none (None). As :func:`use_cache`,
    both variables are set together: a child given a cache directory while an inherited
    ``HDSGUARD_NO_CACHE=1`` stays in place would run without cache and measure nothing."""
    env = {**(os.environ if base is None else base), **extra}
    if cache is None:
        env["HDSGUARD_NO_CACHE"] = "1"
        env.pop("HDSGUARD_CACHE_DIR", None)
    else:
        env.pop("HDSGUARD_NO_CACHE", None)
        env["HDSGUARD_CACHE_DIR"] = str(cache)
    return env


def use_cache(monkeypatch: pytest.MonkeyPatch, cache: Path | None) -> None:
    """Runs from now on (until ``monkeypatch`` undoes it) keep hdsguard's caches in the
    directory ``cache``, or use none (None). Both variables are set together: a test that
    set the directory and left an earlier "no cache" in place measured nothing."""
    if cache is None:
        monkeypatch.setenv("HDSGUARD_NO_CACHE", "1")
    else:
        monkeypatch.delenv("HDSGUARD_NO_CACHE", raising=False)
        monkeypatch.setenv("HDSGUARD_CACHE_DIR", str(cache))
