"""The config read without pydantic (hdsguard.speed.configcheck): it may only accept what the
model accepts, with the same values, and a run with a plain valid config imports no pydantic."""

from __future__ import annotations

import copy
import dataclasses
import math
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from hdsguard.api import load_policies
from hdsguard.config import load_config, rule_problems
from hdsguard.configmodel import Config, EvidenceEntry, MaxDays, Rules, WaiverPolicy
from hdsguard.declarations.reader import parse
from hdsguard.declarations.validate import version_problem
from hdsguard.init import Answers, files
from hdsguard.policies.model import SeverityName
from hdsguard.speed import configcheck
from hdsguard.speed.configcheck import (
    PlainConfig,
    PlainEvidenceEntry,
    PlainMaxDays,
    PlainRules,
    PlainWaiverPolicy,
    plain_config,
)
from tests.helpers import REPO, cache_env

MIRRORS: list[tuple[type[BaseModel], type[Any]]] = [
    (Config, PlainConfig),
    (Rules, PlainRules),
    (MaxDays, PlainMaxDays),
    (WaiverPolicy, PlainWaiverPolicy),
    (EvidenceEntry, PlainEvidenceEntry),
]


def same(plain: Any, model: Any, where: str = "config") -> None:
    """``plain`` (the fast read) holds ``model``'s values, field by field, with its types."""
    if isinstance(model, BaseModel):
        assert dataclasses.is_dataclass(plain), where
        names = [f.name for f in dataclasses.fields(plain)]
        assert names == list(type(model).model_fields), where
        for name in names:
            same(getattr(plain, name), getattr(model, name), f"{where}.{name}")
        return
    assert type(plain) is type(model), (where, plain, model)
    if isinstance(model, dict):
        assert list(plain) == list(model), where
        for key in model:
            same(plain[key], model[key], f"{where}.{key}")
    elif isinstance(model, list):
        assert len(plain) == len(model), where
        for index, (p, m) in enumerate(zip(plain, model, strict=True)):
            same(p, m, f"{where}[{index}]")
    elif isinstance(model, float) and math.isnan(model):
        assert math.isnan(plain), where  # a parameter override, kept as written
    else:
        assert plain == model, where


def test_the_mirror_has_the_models_fields_and_defaults() -> None:
    """A field added to the model and not to the mirror would be missing from a fast read."""
    for model, plain in MIRRORS:
        assert [f.name for f in dataclasses.fields(plain)] == list(model.model_fields), model
        assert plain.__dataclass_params__.frozen, plain
    same(PlainConfig(), Config())
    same(PlainEvidenceEntry("scan.xml"), EvidenceEntry(path="scan.xml"))
    assert typing.get_args(SeverityName) == configcheck.SEVERITIES
    assert tuple(MaxDays.model_fields) == configcheck.SEVERITIES
    lang = Config.model_fields["lang"].annotation
    assert typing.get_args(typing.get_args(lang)[0]) == configcheck.LANGS
    vantage = EvidenceEntry.model_fields["vantage"].annotation
    assert typing.get_args(typing.get_args(vantage)[0]) == configcheck.VANTAGES


def init_config(lang: str) -> str:
    return files(Answers(lang=lang), ())[".hdsguard.yaml"]


def test_the_usual_configs_are_read_without_the_model() -> None:
    """Otherwise the pre-commit run would silently pay for pydantic again."""
    texts = {
        "init en": init_config("en"),
        "init fr": init_config("fr"),
        "examples/config": (REPO / "examples/config/.hdsguard.yaml").read_text("utf-8"),
        "version only": "version: 1\n",
        "empty": "",
    }
    for name, text in texts.items():
        data = parse(text, "c.yaml").data
        plain = plain_config(data)
        assert plain is not None, name
        same(plain, Config.model_validate(data or {}), name)


DOUBTS = [
    {"version": True},  # True == 1 in Python: the model refuses it
    {"version": 2},
    {"version": None},
    {"version": "1"},
    {"nope": 1},
    {1: "x"},
    {"declarations": []},
    {"declarations": ["a", 1]},
    {"policies": None},
    {"rules": None},
    {"rules": {"enable": []}},
    {"rules": {"disable": [""]}},
    {"rules": {"disable": ["FW-001"], "extra": 1}},
    {"params": {"FW-001": None}},
    {"params": {"FW-001": {1: 2}}},
    {"params": {"": {}}},
    {"severity": {"FW-001": "severe"}},
    {"severity": {"FW-001": None}},
    {"fail_on": "High"},
    {"lang": "de"},
    {"waivers": 3},
    {"waiver_policy": {"warn_days": True}},
    {"waiver_policy": {"warn_days": -1}},
    {"waiver_policy": {"warn_days": 3.0}},
    {"waiver_policy": {"warn_days": 2**63}},
    {"waiver_policy": {"max_days": {"high": 0}}},
    {"waiver_policy": {"max_days": {"severe": 10}}},
    {"waiver_policy": {"max_days": None}},
    {"evidence": [{"vantage": "external"}]},
    {"evidence": [{"path": "a", "port": 1}]},
    {"evidence": [["a"]]},
    ["version", 1],
    "version: 1",
]


@pytest.mark.parametrize("data", DOUBTS, ids=repr)
def test_anything_unusual_is_left_to_the_model(data: Any) -> None:
    assert plain_config(data) is None


# Values of every kind a YAML or JSON file may hold, and the edges of the config's own types.
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.sampled_from([2**63 - 1, 2**63, -(2**63), 10**30, 0.0, 1.0, 30.5, float("nan")])
    | st.text(max_size=4)
    | st.sampled_from(["", "FW-001", "high", "en", "fr", "external", "1", "x\n"])
    | st.dates()
)
anything = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(scalars, inner, max_size=3),
    max_leaves=6,
)
odd = anything | st.sampled_from([True, False, 0, -1, 1.0, "", None, [], {}, [""], {"": 1}, {1: 1}])


# Well-formed configs: values of the types the model accepts, edges included, and now and
# then a value just outside them (an empty rule id, a day count of 0, a null, a bool).
def mostly(valid: st.SearchStrategy[Any], *outside: Any) -> st.SearchStrategy[Any]:
    return st.one_of(*[valid] * 15, st.sampled_from(outside))


rule_ids = mostly(
    st.sampled_from(["FW-001", "BKP-001", "EXP-006", "LOG-002", "FW-01", "nope"])
    | st.text(min_size=1, max_size=3),
    "",
    None,
    1,
)
severities = mostly(st.sampled_from(typing.get_args(SeverityName)), "High", "", None)
counts = mostly(st.integers(0, 400) | st.sampled_from([2**31, 2**63 - 1]), -1, True, 1.0, None)
texts = mostly(st.text(max_size=4), None, 1, True)
param_values = st.dictionaries(
    st.sampled_from(["max_patch_age_days", "min_retention_days", "x"]) | texts,
    anything | counts,
    max_size=2,
)
well_formed = st.fixed_dictionaries(
    {},
    optional={
        "version": mostly(st.just(1), True, 1.0, 2, None),
        "declarations": mostly(st.lists(texts, min_size=1, max_size=3) | st.none(), []),
        "policies": mostly(st.lists(texts, max_size=2), None),
        "rules": st.fixed_dictionaries(
            {},
            optional={
                "disable": st.lists(rule_ids, max_size=3),
                "enable": mostly(st.lists(rule_ids, min_size=1, max_size=3) | st.none(), []),
            },
        ),
        "params": st.dictionaries(rule_ids, param_values, max_size=3),
        "severity": st.dictionaries(rule_ids, severities, max_size=3),
        "fail_on": severities | st.none(),
        "lang": mostly(st.sampled_from(["en", "fr", None]), "EN", "de"),
        "waivers": texts | st.none(),
        "baseline": texts | st.none(),
        "waiver_policy": st.fixed_dictionaries(
            {},
            optional={
                "warn_days": counts,
                "max_days": st.fixed_dictionaries(
                    {},
                    optional={s: mostly(counts, 0) for s in typing.get_args(SeverityName)},
                ),
                "forbidden": st.lists(rule_ids, max_size=3),
            },
        ),
        "evidence": st.lists(
            texts
            | st.fixed_dictionaries(
                {"path": texts},
                optional={
                    "vantage": mostly(st.sampled_from(["external", "internal", None]), "ext"),
                    "host": texts | st.none(),
                },
            ),
            max_size=3,
        ),
    },
)


def containers(value: Any) -> list[Any]:
    """Every mapping and list in ``value``, itself included."""
    if isinstance(value, dict):
        return [value, *(c for v in value.values() for c in containers(v))]
    if isinstance(value, list):
        return [value, *(c for v in value for c in containers(v))]
    return []


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    """A well-formed config with a few edits anywhere: a value replaced, dropped or added."""
    data = draw(well_formed)
    for _ in range(draw(st.integers(0, 2))):
        places = containers(data)
        place = draw(st.sampled_from(places))
        if not place:
            continue
        spot = draw(st.sampled_from(list(place) if isinstance(place, dict) else range(len(place))))
        action = draw(st.sampled_from(["replace", "drop", "add"]))
        # A copy: `sampled_from` hands out the same `[]` and `{}` every time, and a later
        # edit inside one would change what every following example draws.
        if action == "replace":
            place[spot] = copy.deepcopy(draw(odd))
        elif action == "drop":
            del place[spot]
        elif isinstance(place, dict):
            name = draw(st.sampled_from(["extra", "path", "disable", "high", 1, None]))
            place[name] = copy.deepcopy(draw(odd))
        else:
            place.append(copy.deepcopy(draw(odd)))
    return data


configs = st.one_of(st.none(), anything, well_formed, mutated())

CATALOGUE = load_policies()[1]


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs)
def test_whatever_the_fast_read_accepts_the_model_accepts_with_equal_values(data: Any) -> None:
    from pydantic import ValidationError

    from hdsguard.declarations.located import SourceFile

    before = repr(data)
    plain = plain_config(data)
    assert repr(data) == before  # read only (repr: a NaN is unequal to itself)
    if plain is None:
        return
    # The path the model takes (modelfile.validate_model): the version check, then validation.
    source = SourceFile("c.yaml", data, {})
    assert data is None or version_problem(source, data, "config") is None
    try:
        model = Config.model_validate(data or {})
    except ValidationError as exc:  # pragma: no cover - the failure this test exists for
        pytest.fail(f"the fast read accepted what the model refuses: {exc}")
    same(plain, model)
    # Unknown rules and parameters, typed against the policies: the same problems.
    assert rule_problems(plain, CATALOGUE, source) == rule_problems(model, CATALOGUE, source)


def test_load_config_reads_a_plain_config_without_the_model(tmp_path: Path) -> None:
    path = tmp_path / ".hdsguard.yaml"
    path.write_text(init_config("fr"), "utf-8")
    fast = load_config(path)
    assert isinstance(fast.model, PlainConfig)
    assert fast.model.lang == "fr"
    assert fast.problems() == []
    path.write_text(init_config("fr") + "nope: 1\n", "utf-8")
    slow = load_config(path, partial=True)
    assert isinstance(slow.model, Config)  # asked the model, which words the problem
    assert slow.model.lang == "fr"  # what was valid is kept, as before
    [problem] = slow.problems()
    assert problem.line == len(init_config("fr").splitlines()) + 1
    assert "unknown key 'nope'" in problem.message


RUN = """
import os, sys
real_exit = os._exit
def leave(status):
    print(sorted(m for m in sys.modules if m.split('.')[0] == 'pydantic'))
    sys.stdout.flush()
    real_exit(status)
os._exit = leave
sys.argv = ['hdsguard', 'check', '--as-of', '2026-11-28']
from hdsguard.cli import run
run()
"""


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_run_with_the_config_init_writes_does_not_import_pydantic(
    tmp_path: Path, lang: str
) -> None:
    """The pre-commit hook's case: `hdsguard init`, then a bare `hdsguard check`."""
    (tmp_path / ".git").mkdir()  # the repository root: the config is looked for up to here
    for name, text in files(Answers(lang=lang, ci="none"), ()).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, "utf-8")
    env = cache_env(None, {"PATH": ""})
    out = subprocess.run(
        [sys.executable, "-c", RUN], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert out.returncode == 1, out.stderr  # the skeleton fails: evidence is still to gather
    assert out.stdout.strip().splitlines()[-1] == "[]"
