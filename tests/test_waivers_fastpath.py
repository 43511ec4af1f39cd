"""The waiver file read without pydantic (hdsguard.speed.waivercheck): it may only accept what
the model accepts, with the same values, and a run with a plain valid waiver file imports no
pydantic."""

from __future__ import annotations

import copy
import dataclasses
import datetime
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hdsguard.declarations.located import SourceFile
from hdsguard.declarations.reader import parse
from hdsguard.declarations.validate import version_problem
from hdsguard.speed.waivercheck import PlainWaiverEntry, plain_waivers
from hdsguard.waiverfile import load_waivers
from hdsguard.waivers import WaiverEntry, WaiverFile
from tests.helpers import REPO, cache_env


def same(plain: PlainWaiverEntry, model: WaiverEntry) -> None:
    names = [f.name for f in dataclasses.fields(plain)]
    assert names == list(WaiverEntry.model_fields)
    for name in names:
        got, want = getattr(plain, name), getattr(model, name)
        assert (type(got), got) == (type(want), want), name


def test_the_mirror_has_the_models_fields_in_order() -> None:
    assert [f.name for f in dataclasses.fields(PlainWaiverEntry)] == list(WaiverEntry.model_fields)
    assert PlainWaiverEntry.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert list(WaiverFile.model_fields) == ["version", "waivers"]


def test_the_example_waivers_are_read_without_the_model() -> None:
    """Otherwise every run with a waiver file would silently pay for pydantic again."""
    for path in sorted(REPO.glob("examples/**/waivers.yaml")):
        data = parse(path.read_text("utf-8"), path.name).data
        plain = plain_waivers(data)
        assert plain is not None, path
        model = WaiverFile.model_validate(data)
        assert len(plain) == len(model.waivers) > 0
        for p, m in zip(plain, model.waivers, strict=True):
            same(p, m)


ENTRY = {
    "rule": "FW-001",
    "target": "firewalls/*",
    "justification": "Replacement ordered",
    "owner": "IT",
    "approver": "RSSI",
    "expires": datetime.date(2026, 12, 20),
}


@pytest.mark.parametrize(
    "change",
    [
        {"rule": " FW-001"},  # the model strips it: its value would differ
        {"owner": "IT\n"},
        {"owner": "IT\x1c"},  # whitespace to Python only: left to the model all the same
        {"approver": ""},
        {"ticket": None},
        {"created": None},
        {"expires": "2026-02-30"},
        {"expires": "2026-1-1"},
        {"expires": datetime.datetime(2026, 12, 20)},
        {"expires": 20261220},
        {"extra": 1},
        {1: 1},
    ],
    ids=repr,
)
def test_anything_unusual_is_left_to_the_model(change: dict[Any, Any]) -> None:
    assert plain_waivers({"version": 1, "waivers": [ENTRY]}) is not None
    assert plain_waivers({"version": 1, "waivers": [{**ENTRY, **change}]}) is None


@pytest.mark.parametrize(
    "data",
    [{"version": True}, {"version": 2}, {"version": None}, {"waivers": None}, {"x": []}, []],
    ids=repr,
)
def test_an_unusual_file_is_left_to_the_model(data: Any) -> None:
    assert plain_waivers(data) is None


def test_a_missing_key_is_left_to_the_model() -> None:
    for key in ENTRY:
        entry = {k: v for k, v in ENTRY.items() if k != key}
        assert plain_waivers({"waivers": [entry]}) is None, key


texts = st.one_of(
    *[st.sampled_from(["FW-001", "firewalls/*", "IT", "Replacement ordered", "é"])] * 4,
    st.text(max_size=4),
    st.sampled_from(["", " a", "a ", "a\n", "a\x1c", "\u3000a", "a\u200b", None, 1, True]),
)
dates = st.one_of(
    *[st.dates()] * 4,
    st.sampled_from(
        ["2026-12-20", "2026-02-30", "2026-1-1", "20261220", "2026-12-20T00:00", " 2026-12-20"]
    ),
    st.datetimes(),
    st.none(),
    st.integers(),
)
entries = st.fixed_dictionaries(
    {k: texts for k in ("rule", "target", "justification", "owner", "approver")}
    | {"expires": dates},
    optional={"ticket": texts, "created": dates},
)
odd = st.sampled_from([None, 1, True, "", [], {}, "x", {"rule": "FW-001"}])


@st.composite
def files(draw: st.DrawFn) -> Any:
    data: dict[Any, Any] = {}
    if draw(st.booleans()):
        data["version"] = draw(st.sampled_from([1, 1, 1, True, 1.0, 2, None, "1"]))
    data["waivers"] = draw(st.lists(entries, max_size=3))
    for _ in range(draw(st.integers(0, 1))):
        place = draw(st.sampled_from([data, *data["waivers"]]))
        name = draw(st.sampled_from(["extra", "rule", "expires", "waivers", 1]))
        if draw(st.booleans()) and name in place:
            del place[name]
        else:
            place[name] = copy.deepcopy(draw(odd))
    return data


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.none(), files()))
def test_whatever_the_fast_read_accepts_the_model_accepts_with_equal_values(data: Any) -> None:
    from pydantic import ValidationError

    plain = plain_waivers(data)
    if plain is None:
        return
    assert data is None or version_problem(SourceFile("w.yaml", data, {}), data, "waiver") is None
    try:
        model = WaiverFile.model_validate(data or {})
    except ValidationError as exc:  # pragma: no cover - the failure this test exists for
        pytest.fail(f"the fast read accepted what the model refuses: {exc}")
    assert len(plain) == len(model.waivers)
    for p, m in zip(plain, model.waivers, strict=True):
        same(p, m)


def test_load_waivers_asks_the_model_on_a_doubt(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    text = (
        "version: 1\nwaivers:\n  - rule: FW-001\n    target: firewalls/*\n"
        "    justification: Replacement ordered\n    owner: IT\n    approver: RSSI\n"
        "    expires: 2026-12-20\n"
    )
    path.write_text(text, "utf-8")
    assert isinstance(load_waivers(path).entries[0], PlainWaiverEntry)
    path.write_text(text.replace("owner: IT", "owner: ' IT '"), "utf-8")
    [entry] = load_waivers(path).entries
    assert isinstance(entry, WaiverEntry)
    assert entry.owner == "IT"  # stripped by the model, as before


RUN = """
import os, sys
real_exit = os._exit
def leave(status):
    print(sorted(m for m in sys.modules if m.split('.')[0] == 'pydantic'))
    sys.stdout.flush()
    real_exit(status)
os._exit = leave
sys.argv = ['hdsguard', 'check', 'decl', '--as-of', '2026-11-28']
from hdsguard.cli import run
run()
"""


def test_a_run_with_a_plain_waiver_file_does_not_import_pydantic(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".hdsguard.yaml").write_text("version: 1\nrules: {enable: [FW-001]}\n", "utf-8")
    (tmp_path / "decl").mkdir()
    (tmp_path / "decl" / "network.yaml").write_text(
        "version: 1\nfirewalls:\n  - id: fw-edge-1\n    last_patch: 2025-06-02\n", "utf-8"
    )
    (tmp_path / "waivers.yaml").write_text(
        "version: 1\nwaivers:\n  - rule: FW-001\n    target: firewalls/fw-edge-1\n"
        "    justification: Replacement ordered\n    owner: IT\n    approver: RSSI\n"
        "    created: 2026-11-01\n    expires: 2026-12-20\n",
        "utf-8",
    )
    env = cache_env(None, {"PATH": ""})
    out = subprocess.run(
        [sys.executable, "-c", RUN], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert out.returncode == 0, out.stderr  # the one failure is waived
    assert "1 waived" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "[]"
