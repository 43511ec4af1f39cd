"""Outputs that hide passes (text without --verbose, SARIF, annotations) count the pass and
not-applicable pairs: no finding is built nor located for them, and every summary still
counts each pair as a run with evidence does, cold, warm, without cache and forked."""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from hdsguard import engine
from hdsguard.api import CheckOptions, check, options_from_config
from hdsguard.config import load_config
from hdsguard.findings import COUNTED, Finding, Report, Status
from hdsguard.speed import evalsplit, findingsmemo, forkjobs
from hdsguard.speed.cache import seal, unseal_chunks
from tests.helpers import AS_OF, REPO, record_forks, run_cli, use_cache

DAY = datetime.date.fromisoformat(AS_OF)
EXAMPLES = sorted(p.name for p in (REPO / "examples").iterdir() if p.is_dir())
MODES = ("cold", "warm", "no-cache")


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[Status]:
    """The status of every finding the engine builds from now on (and locates: building a
    finding is what locates it)."""
    statuses: list[Status] = []
    original = engine._finding

    def recording(*args: Any) -> Finding:
        finding = original(*args)
        statuses.append(finding.status)
        return finding

    monkeypatch.setattr(engine, "_finding", recording)
    return statuses


def checked(paths: list[str], evidence: bool) -> Report:
    """The report of ``paths``; an example's directory that holds a config: with that config
    (its waivers, parameters and severities) on the declarations it names."""
    config_file = Path(paths[0]) / ".hdsguard.yaml"
    if len(paths) == 1 and config_file.is_file():
        config = load_config(config_file)
        options = options_from_config(config, as_of=DAY)
        paths = config.declaration_paths() or paths
    else:
        options = CheckOptions(as_of=DAY)
    return check(paths, dataclasses.replace(options, evidence=evidence))


def assert_counts_agree(verbose: Report, quiet: Report) -> None:
    """``quiet`` holds ``verbose``'s findings but passes and not-applicable pairs, which it
    counts: the same summary."""
    assert not verbose.counted
    assert quiet.findings == tuple(f for f in verbose.findings if f.status not in COUNTED)
    assert dict(quiet.counted) == dict(
        Counter(f.status for f in verbose.findings if f.status in COUNTED)
    )
    assert quiet.summary() == verbose.summary()
    assert quiet.notices == verbose.notices


def reports(
    paths: list[str], mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Report, Report]:
    """The reports of a check of ``paths`` with evidence and without, in ``mode``: cold (an
    empty cache), warm (the same run again, from the cache) or no-cache."""
    out = []
    for evidence in (True, False):
        cache = tmp_path / f"cache-{evidence}"
        use_cache(monkeypatch, None if mode == "no-cache" else cache)
        report = checked(paths, evidence)
        if mode == "warm":
            assert list((cache / "findings").glob("*.marshal"))  # the memo is used
            warm = checked(paths, evidence)
            assert warm == report
            report = warm
        out.append(report)
    return out[0], out[1]


def fork_small_sets(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Forked evaluation made worth it for a small set (as tests/test_parallel_eval.py)."""
    monkeypatch.setattr(evalsplit, "MIN_PAIRS_PER_JOB", 1)
    monkeypatch.setattr(evalsplit, "UNIT_TARGETS", 40)
    monkeypatch.setattr(forkjobs, "usable_cpus", lambda: 3)
    monkeypatch.setenv(forkjobs.ENV_JOBS, "3")
    return record_forks(monkeypatch)


@pytest.mark.parametrize("where", [*EXAMPLES, "failing"])
def test_a_quiet_check_builds_no_pass_finding(
    where: str, failing: Path, built: list[Status], monkeypatch: pytest.MonkeyPatch
) -> None:
    use_cache(monkeypatch, None)
    paths = [str(failing if where == "failing" else REPO / "examples" / where)]
    quiet = checked(paths, evidence=False)
    assert len(built) == len(quiet.findings)  # one built per finding kept, and no other:
    assert not set(built) & COUNTED  # the passes were neither built nor located
    assert not {f.status for f in quiet.findings} & COUNTED
    summary = quiet.summary()
    assert sum(quiet.counted.values()) == summary["pass"] + summary["not_applicable"]
    assert summary["pass"] > (1000 if where == "failing" else 0) or where == "minimal"
    built.clear()
    verbose = checked(paths, evidence=True)
    assert len(built) == len(verbose.findings)  # with evidence, every pair is built
    assert_counts_agree(verbose, quiet)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("example", EXAMPLES)
def test_quiet_and_verbose_summaries_agree_on_the_examples(
    example: str, mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    verbose, quiet = reports([str(REPO / "examples" / example)], mode, tmp_path, monkeypatch)
    assert_counts_agree(verbose, quiet)


@pytest.mark.parametrize("forked", [False, True], ids=["serial", "forked"])
@pytest.mark.parametrize("mode", MODES)
def test_quiet_and_verbose_summaries_agree_on_a_failing_estate(
    failing: Path, mode: str, forked: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forks = fork_small_sets(monkeypatch) if forked else []
    verbose, quiet = reports([str(failing)], mode, tmp_path, monkeypatch)
    assert_counts_agree(verbose, quiet)
    summary = quiet.summary()
    assert summary["fail"] > 500 and summary["pass"] > 1000
    if forked and mode != "warm":  # a warm run evaluates only what the memo lacks
        assert forks


def last_line(args: list[str]) -> str:
    result = run_cli(["check", *args, "--as-of", AS_OF])
    assert result.exit_code == 1, result.stderr
    return result.stdout.rstrip("\n").rsplit("\n", 1)[-1]


@pytest.mark.parametrize("forked", [False, True], ids=["serial", "forked"])
@pytest.mark.parametrize("mode", MODES)
def test_the_outputs_that_hide_passes_print_the_verbose_counts(
    failing: Path, mode: str, forked: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if forked:
        fork_small_sets(monkeypatch)
    use_cache(monkeypatch, None if mode == "no-cache" else tmp_path / "cache")
    runs = 2 if mode == "warm" else 1
    for _ in range(runs):  # the last run of a warm mode reads the memo
        verbose = last_line([str(failing), "--verbose"])
        text = last_line([str(failing)])
        github = last_line([str(failing), "--format", "github"])
    assert text == verbose + " (use --verbose to list passes)"
    assert github == verbose
    assert " 0 pass" not in verbose


def test_a_memo_entry_of_the_previous_format_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Format 2 kept a quiet run's passes as findings: such an entry is never read back."""
    cache = tmp_path / "cache"
    use_cache(monkeypatch, cache)
    lab = [str(REPO / "examples" / "lab-group")]
    cold = checked(lab, evidence=False)
    entries = sorted((cache / "findings").glob("*.marshal"))
    assert entries
    counts = 0  # some entries (a rule group on a file where it only fails) count nothing
    for entry in entries:
        key = entry.name.removesuffix(".marshal")
        rows, tally, _groups = findingsmemo._decode(entry.read_bytes(), key)
        counts += len(tally)
        # As format 2 wrote it: one row per pass, with an empty message.
        passes = [(r, s, "high", f"x/{i}", f, 1, 1, "", "") for i, ((r, s, f), n) in
                  enumerate(tally.items()) for _ in range(n)]  # fmt: skip
        old = seal(key, (2, [*rows, *passes]))
        assert old is not None
        entry.write_bytes(old)
    assert counts
    assert checked(lab, evidence=False) == cold
    for entry in entries:  # rewritten in the current format
        head, _chunks = unseal_chunks(entry.read_bytes(), entry.name.removesuffix(".marshal"))
        assert head[0] == findingsmemo._FORMAT
