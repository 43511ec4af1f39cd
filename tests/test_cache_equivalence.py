"""Issue 12: warm, cold, cache-less and concurrent runs give byte-identical results (exit
code, report, problems) on the examples and through a sequence of mutations, with one cache
kept across the whole sequence, so that every run meets the entries of the states before it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO, cache_env, run_cli, use_cache

Mutation = Callable[[Path], None]


def _edit(name: str, old: str, new: str) -> Mutation:
    def apply(root: Path) -> None:
        path = root / name
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return apply


def _add(name: str, text: str) -> Mutation:
    def apply(root: Path) -> None:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")

    return apply


def _remove(name: str) -> Mutation:
    return lambda root: (root / name).unlink()


def _rename(old: str, new: str) -> Mutation:
    return lambda root: (root / old).rename(root / new)


def _to_json(name: str) -> Mutation:
    def apply(root: Path) -> None:
        path = root / name
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        path.with_suffix(".json").write_text(json.dumps(data, default=str, indent=2))
        path.unlink()

    return apply


VENDOR = """\
vendors:
  - id: new-transcription
    name: Transcription offshore
    country: MA
    data_access: true
"""

PATCH = "last_patch: "
# Applied in turn to one copy of examples/lab-group; each state is checked.
MUTATIONS: list[tuple[str, Mutation]] = [
    ("as shipped", lambda root: None),
    (
        "a firewall patched",
        _edit("firewalls.yaml", f"{PATCH}2025-06-02", f"{PATCH}2026-11-20"),
    ),
    ("a vendor added", _add("vendors/new.yaml", VENDOR)),
    ("a syntax error", _edit("vendors/new.yaml", "country: MA", "country: [MA")),
    ("the error fixed", _edit("vendors/new.yaml", "country: [MA", "country: FR")),
    ("a file removed", _remove("vendors/new.yaml")),
    ("a file renamed", _rename("certificates.yaml", "pki.yaml")),
    ("a file made JSON", _to_json("services.yaml")),
    (
        "a patch back in time",
        _edit("firewalls.yaml", f"{PATCH}2026-11-20", f"{PATCH}2025-06-02"),
    ),
    ("an id changed", _edit("firewalls.yaml", "id: fw-edge-1", "id: fw-edge-9")),
]


def hdsguard(root: Path, cache: Path | None, *args: str) -> tuple[int, str, str]:
    """One check, in this process (the caches are per directory, not per process)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        mp.delenv("GITHUB_ACTIONS", raising=False)
        use_cache(mp, cache)
        result = run_cli(["check", "decl", "--no-config", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("form", [("--format", "json"), ("--format", "text", "--verbose")])
def test_warm_cold_and_cacheless_runs_agree_through_mutations(
    tmp_path: Path, form: tuple[str, ...]
) -> None:
    root = tmp_path / "work"
    shutil.copytree(REPO / "examples" / "lab-group", root / "decl")
    kept = tmp_path / "kept-cache"  # across every state
    for n, (what, mutate) in enumerate(MUTATIONS):
        mutate(root / "decl")
        for as_of in ("2026-11-28", "2027-03-01"):
            args = (*form, "--as-of", as_of)
            expected = hdsguard(root, None, *args)
            assert expected[0] in (0, 1, 2), expected
            cold = hdsguard(root, tmp_path / f"cold-{n}-{as_of}", *args)
            first = hdsguard(root, kept, *args)
            warm = hdsguard(root, kept, *args)
            for label, got in (("cold", cold), ("kept", first), ("warm", warm)):
                assert got == expected, f"{what}, {as_of}: {label} run differs"


def written_baseline(root: Path, cache: Path | None, out: str) -> str:
    """The baseline `hdsguard baseline` writes (each failing finding's reason, cached in the
    findings memo like the rest of a finding, and its message)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        use_cache(mp, cache)
        args = ["baseline", "decl", "--no-config", "--as-of", "2026-11-28", "--output", out]
        result = run_cli(args)
    assert result.exit_code == 0, result.stderr
    return (root / out).read_text(encoding="utf-8")


def test_warm_cold_and_cacheless_baselines_agree(tmp_path: Path) -> None:
    root = tmp_path / "work"
    shutil.copytree(REPO / "examples" / "lab-group", root / "decl")
    kept = tmp_path / "kept-cache"
    states = ("as shipped", "a firewall patched", "a file made JSON", "an id changed")
    for n, (what, mutate) in enumerate(MUTATIONS):
        mutate(root / "decl")
        if what not in states:
            continue
        expected = written_baseline(root, None, "none.json")
        assert '"reason": "[[' in expected
        cold = written_baseline(root, tmp_path / f"cold-{n}", "cold.json")
        first = written_baseline(root, kept, "kept.json")
        warm = written_baseline(root, kept, "warm.json")
        for label, got in (("cold", cold), ("kept", first), ("warm", warm)):
            assert got == expected, f"{what}: {label} baseline differs"


def test_a_memo_without_reasons_never_serves_a_baseline(tmp_path: Path) -> None:
    # A check that compares no baseline makes no reasons (hdsguard.api.wants_reasons): its
    # memo entries hold none, and must serve neither `hdsguard baseline` nor `check
    # --baseline` (an empty reason would make every baselined finding new, or be recorded).
    root = tmp_path / "work"
    shutil.copytree(REPO / "examples" / "lab-group", root / "decl")
    kept = tmp_path / "kept-cache"
    plain = ("--format", "json", "--as-of", "2026-11-28")
    assert hdsguard(root, kept, *plain)[0] == 1
    expected = written_baseline(root, None, "none.json")
    assert written_baseline(root, kept, "warm.json") == expected
    compared = (*plain, "--baseline", "none.json")
    assert hdsguard(root, kept, *plain)[0] == 1
    warm = hdsguard(root, kept, *compared)
    assert warm == hdsguard(root, None, *compared)
    assert warm[0] == 0, warm  # every failure accepted: each reason matched


def test_concurrent_runs_agree(tmp_path: Path) -> None:
    root = tmp_path / "work"
    shutil.copytree(REPO / "examples" / "lab-group", root / "decl")
    args = ("--format", "json", "--as-of", "2026-11-28")
    expected = hdsguard(root, None, *args)
    args = ("--no-config", *args)
    cache = tmp_path / "shared-cache"
    env = cache_env(cache)
    for _round in range(2):  # an empty cache, then a full one
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "hdsguard", "check", "decl", *args],
                cwd=root,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        for run in runs:
            out, err = run.communicate(timeout=300)
            assert (run.returncode, out, err) == expected
    leftovers = [p.name for p in cache.rglob(".*") if p.name != ".pruned"]
    assert leftovers == []  # no temporary file left behind
