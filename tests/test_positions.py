"""Positions mirror the data (located.Where): one entry per key and per item, found by
path, and the closest recorded ancestor when a path goes further than the file."""

from __future__ import annotations

import json

import pytest

from hdsguard.declarations.located import Anchor, flatten
from hdsguard.declarations.reader import parse
from hdsguard.declarations.yamlsource import _parse_yaml
from tests.helpers import REPO
from tests.helpers import data_paths as paths

TEXT = """\
version: 1
systems:
  - id: a
    tags: [x, "y"]
    backup:
      provider: p
  -
  - plain
empty:
"""


@pytest.mark.parametrize("reader", ["block", "composer"])
def test_every_key_and_item_has_its_position(reader: str) -> None:
    source = parse(TEXT, "f.yaml") if reader == "block" else _parse_yaml(TEXT, "f.yaml")
    assert list(flatten(source.positions)) == list(paths(source.data))
    assert source.locate(("systems", 0, "backup", "provider")) == (6, 7)
    assert source.locate(("systems", 0, "backup", "provider"), value=True) == (6, 17)
    assert source.locate(("systems", 0, "tags", 1), value=True) == (4, 15)
    assert source.locate(("systems", 1)) == (7, 4)  # a null item: where the composer puts it
    assert source.locate(("systems", 2), value=True) == (8, 5)
    assert source.locate(("empty",), value=True) == (9, 7)


def test_a_path_beyond_the_file_gets_its_closest_ancestor() -> None:
    source = parse(TEXT, "f.yaml")
    assert source.locate(("systems", 0, "backup", "missing", 3)) == (5, 5)  # backup:
    assert source.locate(("systems", 0, "id", "deeper")) == (3, 5)  # a scalar has no content
    assert source.locate(("systems", 7)) == (2, 1)  # no such item: the list itself
    assert source.locate(("systems", -1)) == (2, 1)
    assert source.locate(("systems", "0")) == (2, 1)  # a list is not a mapping
    assert source.locate(("nothing",)) == (1, 1)
    assert source.locate(()) == (1, 1)


def test_a_file_without_content_has_no_positions() -> None:
    for text in ("", "# only a comment\n", "42\n", "---\n"):
        source = parse(text, "f.yaml")
        assert flatten(source.positions) == {}
        assert source.locate(("a", 0)) == (1, 1)


def test_the_examples_positions_mirror_their_data() -> None:
    files = sorted(REPO.glob("examples/**/*.yaml")) + sorted(REPO.glob("examples/**/*.json"))
    assert files
    for file in files:
        source = parse(file.read_text("utf-8"), file.name)
        recorded = flatten(source.positions)
        every = list(paths(source.data))
        if file.suffix == ".yaml":
            assert list(recorded) == every, file
        else:  # the JSON fast path leaves scalar items out, and completes them on demand
            assert set(recorded) <= set(every), file
            for path in every:
                assert source.locate(path) != (1, 1), (file, path)


@pytest.mark.parametrize("form", ["yaml", "json", "compact json"])
def test_an_anchor_locates_as_its_file_does(form: str) -> None:
    """Also where positions are partial (JSON) and get completed on the way."""
    files = sorted(REPO.glob("examples/**/*.yaml"))
    assert files
    for file in files:
        text = file.read_text("utf-8")
        if form != "yaml":
            data = parse(text, file.name).data
            text = json.dumps(data, indent=None if form == "compact json" else 2)
        name = file.name if form == "yaml" else "f.json"
        source = parse(text, name)
        reference = parse(text, name)  # completes its own positions, separately
        every = list(paths(source.data))
        anchors = [p for p in every if len(p) <= 2] + [(), ("nothing",), ("systems", 999)]
        assert form == "yaml" or source.text is not None  # partial positions
        for anchor_path in anchors:
            anchor = Anchor(source, anchor_path)
            under = [p[len(anchor_path) :] for p in every if p[: len(anchor_path)] == anchor_path]
            for field in [*under, ("nothing",), ("id", "deeper"), (0, "x")]:
                for value in (False, True):
                    full = (*anchor_path, *field)
                    assert anchor.locate(field, value=value) == reference.locate(
                        full, value=value
                    ), (file, full, value)
