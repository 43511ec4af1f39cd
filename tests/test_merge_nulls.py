"""A key written without a value counts as not declared, at any depth, and data without a
null is never copied (the parsed files keep theirs for locating findings)."""

from __future__ import annotations

from typing import Any

from hdsguard.declarations.merge import without_nulls


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
