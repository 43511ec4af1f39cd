"""A cached catalogue's expressions are deserialised when first evaluated (issue 17, warm
runs): a warm run whose findings all come from the memo deserialises none; one that evaluates
deserialises each expression it uses once; a fork finds them all done; an expression whose
checksummed bytes do not deserialise has the catalogue compiled again, as a refused entry
has, and the entry rewritten."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hdsguard.api import CheckOptions, check
from hdsguard.policies.celenv import CelRuntime
from hdsguard.policies.compiled import CompiledPolicy
from hdsguard.policies.load import load_catalogue
from hdsguard.policies.template import DeferredPart, Template
from hdsguard.speed import catalogue_cache
from hdsguard.speed.cache import seal, unseal
from hdsguard.speed.catalogue_cache import LazyExpression
from tests.helpers import REPO, run_cli, use_cache

AS_OF = datetime.date(2026, 11, 28)
LAB = [str(REPO / "examples" / "lab-group")]


@pytest.fixture
def cache_dir(cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HDSGUARD_JOBS", "1")
    return cache


class _CountingEnv:
    """A CEL environment that counts what it deserialises."""

    def __init__(self, env: Any) -> None:
        self.env = env
        self.deserialised: list[bytes] = []

    def deserialize(self, data: bytes) -> Any:
        self.deserialised.append(data)
        return self.env.deserialize(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.env, name)


def _lazy(value: Any) -> Iterator[LazyExpression]:
    if isinstance(value, LazyExpression):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _lazy(getattr(value, field.name))
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _lazy(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _lazy(item)


def _warm(cache_dir: Path) -> tuple[list[CompiledPolicy], _CountingEnv, str]:
    """The built-in catalogue read back from the cache, into a counting environment."""
    runtime = CelRuntime()
    load_catalogue(runtime)  # compiled, stored
    key = runtime.catalogue_key
    assert key is not None
    warm_runtime = CelRuntime()
    env = _CountingEnv(warm_runtime.env)
    warm_runtime.env = env
    policies = catalogue_cache.load(warm_runtime, key)
    assert policies is not None
    return policies, env, key


def test_a_cached_expression_is_deserialised_once_on_first_use(cache_dir: Path) -> None:
    policies, env, _key = _warm(cache_dir)
    lazy = {id(e): e for e in _lazy(policies)}
    assert len(lazy) > 500 and not env.deserialised  # the built-in catalogue: none yet
    assert not any(e.deserialized for e in lazy.values())
    policy = next(p for p in policies if p.id == "FW-001")
    assert isinstance(policy.verdict, LazyExpression)
    activation = CelRuntime().activation({"self": {}, "params": {}, "now": "2026-11-28"})
    first = policy.verdict.eval(activation).value()
    assert env.deserialised == [policy.verdict.serialize()]
    assert policy.verdict.eval(activation).value() == first
    assert len(env.deserialised) == 1  # the second evaluation reads the one deserialised
    assert [e for e in lazy.values() if e.deserialized] == [policy.verdict]
    # What the stand-in evaluates is the compiled expression it was stored from.
    compiled = load_catalogue(CelRuntime())["FW-001"].verdict
    assert compiled is not None
    assert compiled.eval(activation).value() == first
    assert policy.verdict.serialize() == compiled.serialize()


def test_a_warm_run_deserialises_nothing_and_another_date_what_it_evaluates(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    used: list[int] = []
    real = catalogue_cache._Source.expression

    def counted(self: Any, index: int) -> Any:
        used.append(index)
        return real(self, index)

    cold = check(LAB, CheckOptions(as_of=AS_OF))  # compiled: nothing lazy
    monkeypatch.setattr(catalogue_cache._Source, "expression", counted)
    again = check(LAB, CheckOptions(as_of=AS_OF))
    assert again.findings == cold.findings
    assert used == []  # every finding from the memo: no expression evaluated
    # The rules' help, worded from the cached programs' bytes, is the compiled ones'.
    assert again.rules == cold.rules
    later = datetime.date(2027, 3, 1)  # the memo misses: every pair evaluated again
    warm = check(LAB, CheckOptions(as_of=later))
    assert used
    use_cache(monkeypatch, None)
    assert warm.findings == check(LAB, CheckOptions(as_of=later)).findings


def _deferred(value: Any) -> Iterator[DeferredPart]:
    if isinstance(value, DeferredPart):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _deferred(getattr(value, field.name))
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _deferred(item)


def _quoting_only(policies: list[CompiledPolicy]) -> dict[int, LazyExpression]:
    """The expressions that are only the list of every placeholder of a template with hidden
    ones (Template.values), which only a finding's reason evaluates."""
    quoting: dict[int, LazyExpression] = {}
    elsewhere: set[int] = set()

    def walk(value: Any) -> None:
        if isinstance(value, LazyExpression):
            elsewhere.add(id(value))
        elif isinstance(value, Template):
            if value.hidden and isinstance(value.values, LazyExpression):
                quoting[id(value.values)] = value.values
            else:
                walk(value.values)
            walk(value.parts)
            walk(value.shown)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for field in dataclasses.fields(value):
                walk(getattr(value, field.name))
        elif isinstance(value, (tuple, list)):
            for item in value:
                walk(item)

    walk(policies)
    return {k: v for k, v in quoting.items() if k not in elsewhere}


def test_materialise_deserialises_what_a_run_without_reasons_evaluates(
    cache_dir: Path,
) -> None:
    # What evalsplit calls before the helpers fork, so that each does not deserialise its own
    # copy (test_parallel_eval: a Ctrl-C there stops the run).
    policies, env, _key = _warm(cache_dir)
    lazy = list({id(e): e for e in _lazy(policies)}.values())
    spare = _quoting_only(policies)
    deferred = list(_deferred(policies))
    # The lists of the messages with hidden placeholders: a quarter of the programs' bytes.
    assert len(spare) > 100
    # The placeholders a template's list renders are stored as their source, compiled only
    # when needed alone (Template.render_each): a third of what the catalogue compiled.
    assert len(deferred) > 300
    catalogue_cache.materialise()
    assert all(e.deserialized is (id(e) not in spare) for e in lazy)
    assert len(env.deserialised) == len(lazy) - len(spare)  # each once
    assert not any(part.compiled for part in deferred)
    # A fallback is compiled when a template needs it: FW-001's message, each part alone.
    check = next(p for p in policies if p.id == "FW-001").checks[0]
    assert check.message.values is not None
    firewall = {"id": "fw", "last_patch": "2020-01-01"}
    variables = {"self": firewall, "params": {}, "now": "2026-11-28", "target": "firewalls/fw"}
    activation = CelRuntime().activation({**variables, "decl": {}})
    assert check.message.render_each(activation) == check.message.render(activation)
    assert any(part.compiled for part in deferred)
    # A reason deserializes the list of all when it needs it.
    hidden = next(t for p in policies for c in p.checks for t in [c.message] if t.hidden)
    assert isinstance(hidden.values, LazyExpression) and not hidden.values.deserialized
    hidden.render_quoting(activation)
    assert hidden.values.deserialized


def test_released_expressions_are_deserialised_again_when_used(cache_dir: Path) -> None:
    policies, env, _key = _warm(cache_dir)
    policy = next(p for p in policies if p.id == "FW-001")
    assert isinstance(policy.verdict, LazyExpression)
    activation = CelRuntime().activation({"self": {}, "params": {}, "now": "2026-11-28"})
    first = policy.verdict.eval(activation).value()
    catalogue_cache.release()
    assert not any(e.deserialized for e in _lazy(policies))
    assert policy.verdict.eval(activation).value() == first
    assert env.deserialised == [policy.verdict.serialize()] * 2


def _forge(entry: Path, key: str) -> None:
    """The entry with every expression's bytes replaced, its checksum recomputed."""
    fmt, serialized, body = unseal(entry.read_bytes(), key)
    blob = seal(key, (fmt, [b"not an expression"] * len(serialized), body))
    assert blob is not None
    entry.write_bytes(blob)


def test_an_expression_that_does_not_deserialise_has_the_catalogue_compiled_again(
    cache_dir: Path,
) -> None:
    later = datetime.date(2027, 3, 1)
    check(LAB, CheckOptions(as_of=AS_OF))
    (entry,) = cache_dir.glob("catalogue-*.marshal")
    key = entry.name.removeprefix("catalogue-").removesuffix(".marshal")
    _forge(entry, key)
    forged = entry.read_bytes()
    warm = check(LAB, CheckOptions(as_of=later))  # evaluates: reaches the forged bytes
    with pytest.MonkeyPatch.context() as mp:
        use_cache(mp, None)
        fresh = check(LAB, CheckOptions(as_of=later))
    assert warm.findings == fresh.findings
    assert entry.read_bytes() != forged  # rewritten from the compiled catalogue
    policies = catalogue_cache.load(CelRuntime(), key)
    assert policies is not None
    catalogue_cache.materialise()  # every expression of the rewritten entry deserialises


def test_an_expression_that_cannot_be_recovered_is_an_error_and_the_entry_deleted(
    cache_dir: Path,
) -> None:
    policies, _env, key = _warm(cache_dir)
    (entry,) = cache_dir.glob("catalogue-*.marshal")
    _forge(entry, key)
    # No way to compile it again (a library caller's load): the evaluation's error.
    forged = catalogue_cache.loads(CelRuntime(), entry.read_bytes(), key=key, rebuild=None)
    first = next(iter(_lazy(forged)))
    assert first.serialize() == b"not an expression"
    with pytest.raises(ValueError, match="cannot be read; it was deleted: run the command"):
        first.eval  # noqa: B018 (the first read of ``eval`` deserialises)
    assert not entry.exists()
    assert policies  # the catalogue read before the forgery is unaffected


def _deferred_marks(value: Any) -> Iterator[tuple[Any, ...]]:
    """Each placeholder an entry stores as its list's (the tag b"D"), as stored."""
    if type(value) is tuple and value and value[0] == b"D":
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _deferred_marks(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _deferred_marks(item)


@pytest.mark.parametrize(
    "forged",
    ["self.(", '"a forged message"', "now"],  # no CEL; valid CEL that says something else
)
def test_a_forged_placeholder_changes_nothing_a_run_without_cache_says(
    cache_dir: Path, tmp_path: Path, forged: str
) -> None:
    # An attacker holding the entry's key rewrites what it stores of each placeholder its
    # list renders, and seals it again. A finding's reason reads those placeholders' trees
    # (Template.steady, dated_fields), as a baseline does: from their list, never from a text
    # of the entry that could say something else (format 6 stored their source: a traceback,
    # or silently another reason, another verdict against the baseline).
    lab = str(REPO / "examples" / "lab-group")
    baseline = str(tmp_path / "accepted.json")
    assert run_cli(["baseline", lab, "--as-of", "2026-11-28", "-o", baseline]).exit_code == 0
    (entry,) = cache_dir.glob("catalogue-*.marshal")
    key = entry.name.removeprefix("catalogue-").removesuffix(".marshal")
    fmt, serialized, body = unseal(entry.read_bytes(), key)
    assert len(list(_deferred_marks(body))) > 300

    def forge(value: Any) -> Any:
        if type(value) is tuple and value and value[0] == b"D":
            return tuple(forged if type(v) is str else v for v in value)
        if isinstance(value, tuple):
            return tuple(forge(v) for v in value)
        if isinstance(value, list):
            return [forge(v) for v in value]
        if isinstance(value, dict):
            return {k: forge(v) for k, v in value.items()}
        return value

    blob = seal(key, (fmt, serialized, forge(body)))
    assert blob is not None
    entry.write_bytes(blob)
    # Another day: the memo misses, every pair is evaluated and compared with the baseline.
    args = [lab, "--as-of", "2027-01-15"]
    rerecorded = str(tmp_path / "again.json")
    runs = [
        run_cli(["check", *args, "--baseline", baseline, "--format", "json"]),
        run_cli(["baseline", *args, "-o", rerecorded]),
    ]
    warm = [(r.exit_code, r.stdout) for r in runs]
    again = Path(rerecorded).read_text(encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        use_cache(mp, None)
        runs = [
            run_cli(["check", *args, "--baseline", baseline, "--format", "json"]),
            run_cli(["baseline", *args, "-o", rerecorded]),
        ]
    assert warm == [(r.exit_code, r.stdout) for r in runs]
    assert again == Path(rerecorded).read_text(encoding="utf-8")
