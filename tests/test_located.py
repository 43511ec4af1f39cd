"""A SourceFile keeps its positions as compact nodes (located.Located): every position the
readers built (located.Where, dicts and ints) is found in them, by the same paths, and a
lookup gives what it gave on the mirror of dicts, for every key of the examples and of odd
files (flow collections, nulls, nested lists, JSON with partial positions)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hdsguard.declarations import located
from hdsguard.declarations.located import Entry, Pos, SourceFile, Where, _walk, flatten
from hdsguard.declarations.reader import parse
from tests.helpers import REPO, data_paths

ODD = {
    "flow.yaml": "a: [1, 'x', \"y\"]\nb: {k: v, l: 2}\nc: []\nd: {}\n",
    "nulls.yaml": "a:\nb: ~\nc:\n  - \n  -\n    x: 1\n",
    "nested.yaml": "- - - 1\n    - 2\n  - [3]\n- k:\n    - a\n    - b: {c: d}\n",
    "composer.yaml": "a: |\n  text\nb: &x {k: 1}\nc: *x\n'quoted key': 1\n",
    "scalar.yaml": "just text\n",
    "empty.yaml": "",
    "list.json": '{\n  "a": ["x", "y"],\n  "b": [{"k": 1}, {}, [1, {"z": null}]]\n}\n',
    "compact.json": '{"a":{"b":[1,2,{"c":3}]},"d":null}',
    "root-list.json": '[1, {"a": 2}, []]\n',
    # Wider than located._SEARCHED: keys found through a dict.
    "wide.yaml": "".join(f"k{i}: {i}\n" for i in range(100)) + "last:\n  - {a: 1}\n",
    "wide.json": "{" + ", ".join(f'"k{i}": [{i}]' for i in range(100)) + "}",
}


def _raw_items(where: Where | None, path: tuple[str | int, ...]) -> Iterator[tuple[Any, Pos]]:
    """What the mirror of dicts holds, by path, in document order (the reference)."""
    if not where:
        return
    items: Any = where.items() if isinstance(where, dict) else enumerate(where)
    for step, entry in items:
        child = (*path, step)
        if isinstance(entry, tuple):
            if entry[0] is not None:
                yield child, entry[0]
            yield from _raw_items(entry[1], child)
        elif entry is not None:
            yield child, entry


def _raw_walk(where: Where | None, path: tuple[str | int, ...]) -> tuple[int, Pos | None]:
    """The lookup on the mirror of dicts, as it was before the compact nodes."""
    depth, found, node = 0, None, where
    for steps, step in enumerate(path, 1):
        entry: Entry
        if isinstance(node, dict) and step in node:
            entry = node[step]  # type: ignore[index]
        elif isinstance(node, list) and type(step) is int and 0 <= step < len(node):
            entry = node[step]
        else:
            break
        pos, node = entry if isinstance(entry, tuple) else (entry, None)
        if pos is not None:
            depth, found = steps, pos
    return depth, found


def _texts() -> list[tuple[str, str]]:
    files = sorted(REPO.glob("examples/**/*.yaml")) + sorted(REPO.glob("examples/**/*.json"))
    assert len(files) > 10
    return [(str(f.relative_to(REPO)), f.read_text()) for f in files] + sorted(ODD.items())


@pytest.mark.parametrize(("name", "text"), _texts(), ids=lambda v: Path(v).name[:40])
def test_compact_positions_hold_every_parsed_one(
    name: str, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[Any] = []
    real = located.compact

    def keep(where: Any) -> Any:
        built.append(where)
        return real(where)

    monkeypatch.setattr(located, "compact", keep)
    source = parse(text, name)
    raw = built[0]
    assert isinstance(raw, dict | list)  # what the reader built, before compaction
    assert isinstance(source.positions, tuple)
    assert list(flatten(source.positions).items()) == list(_raw_items(raw, ()))
    # Every key and item of the data, one step further, a step of the wrong kind, beyond.
    data = source.data
    paths = list(data_paths(data)) if isinstance(data, dict | list) else []
    probes = [*paths, ()]
    for path in paths:
        probes += [(*path, "missing"), (*path, 0), (*path, -1), (*path, 99, "x")]
    for path in probes:
        depth, pos, _ = _walk(source.positions, path)
        assert (depth, pos) == _raw_walk(raw, path), path


def test_same_shaped_objects_share_their_keys() -> None:
    text = "".join(f"- id: s{i}\n  name: n\n  tags: [a, b]\n" for i in range(50))
    source = parse(text, "s.yaml")
    nodes = source.positions[2]
    assert len(nodes) == 50
    assert all(node[0] is nodes[0][0] for node in nodes)
    assert nodes[0][0] == ("id", "name", "tags")


def test_positions_given_as_mirror_are_made_compact() -> None:
    source = SourceFile("f.yaml", {"a": [1]}, {"a": (located.pack_pos(1, 1, 1, 4), [None])})
    assert isinstance(source.positions, tuple)
    assert source.locate(("a",)) == (1, 1)
    assert source.locate(("a",), value=True) == (1, 4)
    assert source.locate(("a", 0), value=True) == (1, 4)  # no item position: the list's
    empty = SourceFile("f.yaml", None, {})
    assert not empty.positions  # "no positions": a source given as options has none
    assert empty.locate(("a",)) == (1, 1)


def test_a_wide_mapping_finds_its_keys_without_a_search() -> None:
    source = parse(ODD["wide.yaml"], "wide.yaml")
    keys = source.positions[0]
    assert isinstance(keys, dict)
    assert list(keys) == [*(f"k{i}" for i in range(100)), "last"]
    assert source.locate(("k57",), value=True) == (58, 6)
    assert source.locate(("last", 0, "a"), value=True) == (102, 9)
