"""The baseline read without pydantic (hdsguard.speed.baselinecheck): it may only accept what
the model accepts, with the same values, and a run with a valid baseline imports no pydantic."""

from __future__ import annotations

import copy
import dataclasses
import datetime
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from hdsguard.baseline import load_baseline
from hdsguard.baselinemodel import BaselineEntry, BaselineFile, Tool
from hdsguard.declarations.located import SourceFile
from hdsguard.declarations.reader import parse
from hdsguard.declarations.validate import version_problem
from hdsguard.errors import InputError
from hdsguard.speed import baselinecheck
from hdsguard.speed.baselinecheck import (
    PlainBaselineEntry,
    PlainBaselineFile,
    PlainTool,
    plain_baseline,
)
from tests.helpers import REPO, cache_env, run_cli

MIRRORS: list[tuple[type[BaseModel], type[Any]]] = [
    (BaselineFile, PlainBaselineFile),
    (Tool, PlainTool),
    (BaselineEntry, PlainBaselineEntry),
]


def same(plain: Any, model: Any) -> None:
    """Equal values, field by field, down every sub-model, of the same types."""
    if isinstance(model, BaseModel):
        assert [f.name for f in dataclasses.fields(plain)] == list(type(model).model_fields)
        for name in type(model).model_fields:
            same(getattr(plain, name), getattr(model, name))
    elif isinstance(model, list):
        assert type(plain) is list and len(plain) == len(model)
        for p, m in zip(plain, model, strict=True):
            same(p, m)
    else:
        assert (type(plain), plain) == (type(model), model)


@pytest.mark.parametrize(("model", "mirror"), MIRRORS, ids=lambda c: c.__name__)
def test_each_mirror_has_its_models_fields_in_order(model: type[BaseModel], mirror: type) -> None:
    assert [f.name for f in dataclasses.fields(mirror)] == list(model.model_fields)
    assert mirror.__dataclass_params__.frozen


def test_what_hdsguard_baseline_writes_is_read_without_the_model(tmp_path: Path) -> None:
    """Otherwise every run with a baseline would silently pay for pydantic again."""
    out = tmp_path / "base.json"
    args = ["baseline", str(REPO / "examples/lab-group"), "--no-config", "--output", str(out)]
    assert run_cli([*args, "--as-of", "2026-11-28"]).exit_code == 0
    data = parse(out.read_text("utf-8"), out.name).data
    plain = plain_baseline(data)
    assert plain is not None
    assert len(plain.findings) > 10
    same(plain, BaselineFile.model_validate(data))
    # The same values as json reads them (the file is JSON): as_of a string.
    assert plain_baseline(json.loads(out.read_text("utf-8"))) == plain


GOOD: dict[str, Any] = {
    "version": 1,
    "tool": {"name": "hdsguard", "version": "0.1.0"},
    "as_of": "2026-11-28",
    "findings": [{"rule": "FW-001", "target": "firewalls/fw-edge-1"}],
}


@pytest.mark.parametrize(
    "change",
    [
        {"version": True},
        {"version": 1.0},
        {"version": 2},
        {"version": "1"},
        {"version": None},
        {"as_of": "2026-02-30"},
        {"as_of": "2026-1-1"},
        {"as_of": " 2026-11-28"},
        {"as_of": datetime.datetime(2026, 11, 28)},
        {"as_of": 20261128},
        {"tool": {"name": "hdsguard"}},
        {"tool": {"name": "hdsguard", "version": 1}},
        {"tool": {"name": "hdsguard", "version": "1", "extra": "x"}},
        {"tool": None},
        {"findings": None},
        {"findings": [{"rule": "FW-001"}]},
        {"findings": [{"rule": "FW-001", "target": None}]},
        {"findings": [{"rule": 1, "target": "x"}]},
        {"findings": [{"rule": "FW-001", "target": "x", "file": "a.yaml"}]},
        {"findings": [{"rule": "FW-001", "target": "x", "reason": None}]},
        {"findings": [{"rule": "FW-001", "target": "x", "message": "m", "reason": 1}]},
        {"findings": ["FW-001"]},
        {"findings": {"rule": "FW-001", "target": "x"}},
        {"extra": 1},
        {1: 1},
    ],
    ids=repr,
)
def test_anything_unusual_is_left_to_the_model(change: dict[Any, Any]) -> None:
    assert plain_baseline(GOOD) is not None
    assert plain_baseline({**GOOD, **change}) is None


@pytest.mark.parametrize("data", [None, [], "x", 1, {}], ids=repr)
def test_an_unusual_file_is_left_to_the_model(data: Any) -> None:
    assert plain_baseline(data) is None


def test_a_missing_key_is_left_to_the_model() -> None:
    for key in GOOD:
        assert plain_baseline({k: v for k, v in GOOD.items() if k != key}) is None, key


texts = st.one_of(
    *[st.sampled_from(["FW-001", "firewalls/fw-edge-1", "hdsguard", "0.1.0", "é", ""])] * 4,
    st.text(max_size=4),
    st.sampled_from([" a", "a\n", None, 1, True, 1.5, [], {}]),
)
dates = st.one_of(
    *[st.dates()] * 4,
    st.sampled_from(["2026-11-28", "2026-02-30", "2026-1-1", "20261128", "2026-11-28T00:00"]),
    st.datetimes(),
    st.none(),
    st.integers(),
)
# What each entry said and why it failed are optional (baselines written before they were).
entries = st.fixed_dictionaries(
    {"rule": texts, "target": texts}, optional={"message": texts, "reason": texts}
)
tools = st.fixed_dictionaries({"name": texts, "version": texts})
odd = st.sampled_from([None, 1, True, "", [], {}, "x", {"rule": "FW-001"}])


@st.composite
def files(draw: st.DrawFn) -> Any:
    data: dict[Any, Any] = {
        "version": draw(st.sampled_from([1, 1, 1, True, 1.0, 2, None, "1"])),
        "tool": draw(tools),
        "as_of": draw(dates),
        "findings": draw(st.lists(entries, max_size=3)),
    }
    for _ in range(draw(st.integers(0, 1))):
        place = draw(st.sampled_from([data, data["tool"], *data["findings"]]))
        name = draw(st.sampled_from(["extra", "rule", "target", "name", "version", "as_of", 1]))
        if draw(st.booleans()) and name in place:
            del place[name]
        else:
            place[name] = copy.deepcopy(draw(odd))
    return data


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files())
def test_whatever_the_fast_read_accepts_the_model_accepts_with_equal_values(data: Any) -> None:
    from pydantic import ValidationError

    plain = plain_baseline(data)
    if plain is None:
        return
    assert version_problem(SourceFile("b.json", data, {}), data, "baseline") is None
    try:
        model = BaselineFile.model_validate(data)
    except ValidationError as exc:  # pragma: no cover - the failure this test exists for
        pytest.fail(f"the fast read accepted what the model refuses: {exc}")
    same(plain, model)


def test_load_baseline_asks_the_model_on_a_doubt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "base.json"
    path.write_text(json.dumps(GOOD), "utf-8")
    asked: list[Any] = []
    real = baselinecheck.plain_baseline

    def spy(data: Any) -> Any:
        asked.append(result := real(data))
        return result

    monkeypatch.setattr(baselinecheck, "plain_baseline", spy)
    good = load_baseline(path)
    assert asked[-1] is not None
    assert (good.as_of, good.keys) == (
        datetime.date(2026, 11, 28),
        frozenset({("FW-001", "firewalls/fw-edge-1")}),
    )
    # A doubt: the model validates the file and words its problem, located, as before.
    path.write_text(json.dumps({**GOOD, "findings": [{"rule": "FW-001"}]}), "utf-8")
    with pytest.raises(InputError) as raised:
        load_baseline(path)
    assert asked[-1] is None
    [problem] = raised.value.problems
    assert problem.message == (
        "findings[0]: required field 'target' is missing; add `target:` with a text"
    )


RUN = """
import os, sys
real_exit = os._exit
def leave(status):
    print(sorted(m for m in sys.modules if m.split('.')[0] == 'pydantic'))
    sys.stdout.flush()
    real_exit(status)
os._exit = leave
sys.argv = ['hdsguard', 'check', 'decl', '--as-of', '2026-11-28', '--baseline', 'base.json']
from hdsguard.cli import run
run()
"""


def test_a_run_with_a_valid_baseline_does_not_import_pydantic(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".hdsguard.yaml").write_text("version: 1\nrules: {enable: [FW-001]}\n", "utf-8")
    (tmp_path / "decl").mkdir()
    (tmp_path / "decl" / "network.yaml").write_text(
        "version: 1\nfirewalls:\n  - id: fw-edge-1\n    last_patch: 2025-06-02\n", "utf-8"
    )
    (tmp_path / "base.json").write_text(json.dumps(GOOD, indent=2) + "\n", "utf-8")
    env = cache_env(None, {"PATH": ""})
    out = subprocess.run(
        [sys.executable, "-c", RUN], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert out.returncode == 0, out.stderr  # the one failure is baselined
    assert "1 fail (0 new; 1 baselined)" in out.stdout, out.stdout
    assert out.stdout.strip().splitlines()[-1] == "[]"


# --- the baseline read with json alone (baselinecheck.json_baseline) ----------------------


def test_the_characters_refused_are_pyyamls() -> None:
    import yaml.reader

    assert baselinecheck._NON_PRINTABLE.pattern == yaml.reader.Reader.NON_PRINTABLE.pattern


def _outcome(path: Path) -> Any:
    """What load_baseline gives: the baseline, or its problems."""
    try:
        return load_baseline(path)
    except InputError as exc:
        return [(p.file, p.line, p.column, p.message) for p in exc.problems]


# JSON texts around what `hdsguard baseline` writes, with what the locating reader refuses or
# reads otherwise: duplicate keys, NaN, huge integers, \u escapes (lone surrogates among
# them), characters YAML refuses, broken JSON.
_GOOD_TEXTS = st.sampled_from(['"firewalls/fw-1"', '"é"', '"\\n"', '"\\/"', '""'])
_TARGETS = st.one_of(
    *[_GOOD_TEXTS] * 6,
    st.sampled_from(
        ['"a\\u00e9"', '"\\ud800"', '"\\ud83d\\ude00"', '"\x7f"', '"\x85"', '"\ufffe"',
         "NaN", "1" * 4400, "1", "null"]
    ),
)  # fmt: skip
_VERSIONS = st.one_of(
    *[st.just("1")] * 6,
    st.sampled_from(["1.0", "true", "2", "Infinity", "-1", "1" * 4400, '"1"']),
)


@st.composite
def _texts(draw: st.DrawFn) -> str:
    entries = [
        f'{{"rule": {draw(_TARGETS)}, "target": {draw(_TARGETS)}}}'
        for _ in range(draw(st.integers(0, 3)))
    ]
    if entries and draw(st.booleans()):
        entries[0] = entries[0][:-1] + ', "rule": "FW-002"}'  # a duplicate key
    head = f'"version": {draw(_VERSIONS)}, "tool": {{"name": "hdsguard", "version": "0.1.0"}}'
    text = f'{{{head}, "as_of": "2026-11-28", "findings": [{", ".join(entries)}]}}\n'
    if draw(st.booleans()):
        text = text.replace(", ", ",\n  ")
    cut = draw(st.sampled_from([None, None, None, None, None, -3, 10]))
    return text if cut is None else text[:cut]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_texts(), name=st.sampled_from(["b.json", "B.JSON", "b.txt"]))
def test_whatever_json_alone_accepts_the_locating_reader_reads_alike(text: str, name: str) -> None:
    try:
        quick = baselinecheck.json_baseline(text, name)
    except json.JSONDecodeError as exc:
        with pytest.raises(json.JSONDecodeError) as plain:  # the same error, where
            json.loads(text, parse_int=lambda _digits: 0)  # a huge integer raised

        assert (plain.value.msg, plain.value.pos) == (exc.msg, exc.pos)
        return
    if quick is not None:
        assert plain_baseline(parse(text, name).data) == quick  # parses: no problem to word


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_texts(), name=st.sampled_from(["b.json", "b.txt"]))
def test_load_baseline_gives_what_it_gave_without_the_json_read(
    tmp_path_factory: pytest.TempPathFactory, text: str, name: str
) -> None:
    path = tmp_path_factory.mktemp("b") / name
    path.write_text(text, "utf-8")
    quick = _outcome(path)

    def locating_only(text: str, _display: str) -> None:
        json.loads(text, parse_int=lambda _digits: 0)  # not JSON: the same error
        # Valid JSON: the locating reader and the model, every time.

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(baselinecheck, "json_baseline", locating_only)
        assert _outcome(path) == quick


def test_a_large_baseline_is_read_without_the_locating_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """5,000 findings: the locating reader took 36 ms of the 58 for positions only a problem
    needs."""
    findings = [{"rule": "FW-001", "target": f"firewalls/fw-{i:05d}"} for i in range(5000)]
    path = tmp_path / ".hdsguard-baseline.json"
    path.write_text(json.dumps({**GOOD, "findings": findings}, indent=2) + "\n", "utf-8")
    import hdsguard.baseline

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the locating reader read a certainly valid baseline")

    monkeypatch.setattr(hdsguard.baseline, "parse", refuse)
    assert len(load_baseline(path).keys) == 5000
    # A doubt still takes it: its problem located, as before.
    path.write_text(json.dumps({**GOOD, "findings": [{"rule": "FW-001"}]}, indent=2), "utf-8")
    with pytest.raises(AssertionError, match="locating reader"):
        load_baseline(path)


def test_an_integer_over_pythons_digit_limit_is_a_located_problem(tmp_path: Path) -> None:
    """It was an internal error: json.loads raised a ValueError no one caught."""
    path = tmp_path / "base.json"
    path.write_text(json.dumps(GOOD).replace('"version": 1', '"version": ' + "1" * 5000))
    with pytest.raises(InputError) as raised:
        load_baseline(path)
    [problem] = raised.value.problems
    assert (problem.file.endswith("base.json"), problem.line) == (True, 1)
