"""A key written without a value counts as not declared, at any depth, and data without a
null is never copied (the parsed files keep theirs for locating findings)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hdsguard.declarations.merge import without_nulls
from tests.helpers import holds_none, write


def test_nulls_go_at_every_depth_and_order_is_kept() -> None:
    data = {
        "a": 1,
        "b": None,
        "c": {"d": None, "e": [1, None, {"f": None, "g": "x"}], "h": {"i": 2}},
        "j": [[{"k": None}]],
    }
    assert list(without_nulls(data).items()) == [
        ("a", 1),
        ("c", {"e": [1, None, {"g": "x"}], "h": {"i": 2}}),
        ("j", [[{}]]),
    ]
    assert data["b"] is None and data["c"]["d"] is None  # the input is left untouched


def test_data_without_nulls_is_returned_as_is() -> None:
    data = {"a": [{"b": 1}, "c"], "d": {"e": False, "f": 0, "g": ""}}
    assert without_nulls(data) is data
    partly = {"same": {"x": [1]}, "other": {"y": None}}
    cleaned = without_nulls(partly)
    assert cleaned == {"same": {"x": [1]}, "other": {}}
    assert cleaned["same"] is partly["same"]


def test_deep_nesting_with_nulls_stays_linear() -> None:
    data: Any = None
    for _ in range(60):
        data = {"a": data, "b": None}
    cleaned = without_nulls(data)
    depth = 0
    while cleaned:
        assert set(cleaned) == {"a"}
        cleaned, depth = cleaned["a"], depth + 1
    assert depth == 59


def test_a_file_known_to_hold_no_null_is_not_walked(tmp_path: Path) -> None:
    """Readers say when data certainly holds no null; merging then takes it as it is, and
    still drops the nulls of every other file, whichever way it was read."""
    from hdsguard.declarations.load import load_declarations

    write(
        tmp_path,
        {
            "a.yaml": "systems:\n  - id: a\n    name: A\n    backup:\n      monitored: true\n",
            "b.yaml": "systems:\n  - id: b\n    name: B\n    criticality:\n",  # empty value
            "c.yaml": "systems:\n  - id: c\n    name: C\n    criticality: ~\n",
            "d.json": '{"systems": [{"id": "d", "name": "D", "criticality": null}]}',
            "e.yaml": "systems:\n  - id: e\n    name: nullable  # the word: a walk, no harm\n",
        },
    )
    decl = load_declarations([str(tmp_path)])
    nulls = {Path(s.path).name: s.nulls for s in decl.sources}
    assert nulls == {
        "a.yaml": False,
        "b.yaml": True,
        "c.yaml": True,
        "d.json": True,
        "e.yaml": True,
    }
    assert not holds_none(decl.lists["systems"])
    first = next(s for s in decl.sources if s.path.endswith("a.yaml"))
    assert decl.by_id["systems"]["a"] is first.data["systems"][0]  # as it is, not copied
