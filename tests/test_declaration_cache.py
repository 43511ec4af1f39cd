"""The declaration cache: a warm run reports exactly what a cold run reports, only changed
files are parsed again, files with problems are never cached, and a corrupt or disabled cache
changes nothing but speed."""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hdsguard.declarations import load
from hdsguard.declarations.located import SourceFile, flatten
from hdsguard.speed import declaration_cache as decl_cache
from tests.helpers import AS_OF, REPO, data_paths, run_cli, text_of, use_cache, write

sys.path.insert(0, str(REPO / "bench"))
from generate import generate

LAB = REPO / "examples" / "lab-group"
FORMATS = ("text", "json", "sarif")


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    use_cache(monkeypatch, tmp_path / "cache")
    return tmp_path / "cache" / decl_cache.SUBDIR


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The displayed path of every file parsed, in order (the parse function, counted)."""
    calls: list[str] = []
    real = load.parse

    def counting(text: str, display: str, **kwargs: Any) -> SourceFile:
        calls.append(display)
        return real(text, display, **kwargs)

    monkeypatch.setattr(load, "parse", counting)
    return calls


def report(target: str, fmt: str = "text") -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of a check: what a user sees, byte for byte."""
    args = ["check", target, "--no-config", "--as-of", AS_OF, "--format", fmt]
    result = run_cli(args)
    return result.exit_code, result.stdout, result.stderr


def cold(target: str, fmt: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    with monkeypatch.context() as m:
        use_cache(m, None)
        return report(target, fmt)


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"*{decl_cache.SUFFIX}"))


def assert_warm_equals_cold(
    target: str, cache_dir: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = {fmt: cold(target, fmt, monkeypatch) for fmt in FORMATS}
    assert not cache_dir.exists()
    assert report(target) == expected["text"]  # fills the cache
    assert entries(cache_dir)
    parsed.clear()
    for fmt in FORMATS:
        assert report(target, fmt) == expected[fmt]
    assert parsed == []  # every file came from the cache


def test_lab_group_warm_report_is_identical(
    cache_dir: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert_warm_equals_cold(str(LAB), cache_dir, parsed, monkeypatch)
    assert len(entries(cache_dir)) == len(list(LAB.rglob("*.yaml")))


@pytest.mark.parametrize("as_json", [False, True], ids=["yaml", "json"])
def test_generated_set_warm_report_is_identical(
    as_json: bool,
    tmp_path: Path,
    cache_dir: Path,
    parsed: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    files = generate(500, tmp_path / "decl", as_json=as_json)
    assert len(files) > 5
    assert_warm_equals_cold("decl", cache_dir, parsed, monkeypatch)
    assert len(entries(cache_dir)) == len(files)


def test_cached_source_is_the_parsed_source(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    generate(300, tmp_path / "y")
    generate(300, tmp_path / "j", as_json=True)
    for folder in ("y", "j"):
        with monkeypatch.context() as m:
            use_cache(m, None)
            fresh = load.load_declarations([folder]).sources
        load.load_declarations([folder])
        warm = load.load_declarations([folder]).sources
        assert [s.path for s in warm] == [s.path for s in fresh]
        for got, want in zip(warm, fresh, strict=True):
            assert repr(got.data) == repr(want.data)  # types and order too (True is not 1)
            assert got.positions == want.positions
            assert got.nulls == want.nulls
            assert list(flatten(got.positions)) == list(flatten(want.positions))
            # JSON keeps its text (its bytes, from the cache), to complete positions later.
            assert text_of(got) == text_of(want)
            if folder == "j":  # and completes them from there as from the text
                for path in list(data_paths(got.data))[:400]:
                    assert got.locate(path, value=True) == want.locate(path, value=True)
        if folder == "j":
            assert any(s.text is None for s in warm)  # some did complete their positions
        assert any(s.text for s in warm) == (folder == "j")


def test_a_cached_files_positions_are_made_when_first_needed(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warm run whose findings all come from the memo locates nothing: a cached file's
    positions are made from their bytes on first use only, once, equal to the parsed ones."""
    monkeypatch.chdir(tmp_path)
    generate(300, tmp_path / "y")
    with monkeypatch.context() as m:
        use_cache(m, None)
        fresh = load.load_declarations(["y"]).sources
    load.load_declarations(["y"])  # fills the cache
    made: list[bytes] = []
    real = decl_cache._positions

    def counting(packed: bytes) -> Any:
        made.append(packed)
        return real(packed)

    monkeypatch.setattr(decl_cache, "_positions", counting)
    warm = load.load_declarations(["y"])
    assert made == []  # read, merged and checked without a position
    origin = warm.origin("systems", warm.lists["systems"][-1]["id"])
    assert origin is not None
    parsed = next(s for s in fresh if s.path == origin.source.path)
    assert origin.locate(("id",)) == parsed.locate((*origin.path, "id"))
    assert len(made) == 1  # that file's only
    for got, want in zip(warm.sources, fresh, strict=True):
        assert got.positions == want.positions
        assert got.positions is got.positions  # made once
    assert len(made) == len(warm.sources)


@pytest.mark.parametrize(
    "packed", [b"", b"not marshal", marshal.dumps({"a": 1})[:-1], marshal.dumps("text")]
)
def test_positions_bytes_that_are_not_positions_locate_nothing(packed: bytes) -> None:
    """Only a forged entry (its checksum recomputed) can hold them: no traceback, no position."""
    assert decl_cache._positions(packed) == ()
    source = SourceFile("f.yaml", {"a": 1}, lambda: decl_cache._positions(packed))
    assert source.locate(("a",)) == (1, 1)


@pytest.mark.parametrize(
    "node",
    [
        ("a",),
        (("a",), b"short", None),
        (("a",), 5, None),
        ("a", b"\0" * 14, None),
        (None, b"\0" * 14, None),
        (("a",), b"\0" * 14, ("not a node",)),
        (("a",), b"\0" * 14, ()),
        ((1,), b"\0" * 14, None),
        ({"a": -1}, b"\1" * 14, None),
        ({"a": "x"}, b"\1" * 14, None),
        ({"a": 5}, b"\1" * 14, None),
        ({"b": 0}, b"\0" * 14, None),
    ],
)
def test_positions_nodes_that_are_not_nodes_locate_nothing(node: tuple[object, ...]) -> None:
    """Marshal bytes that are a tuple but not a node (a forged entry): no traceback."""
    packed = marshal.dumps(node)
    source = SourceFile("f.yaml", {"a": {"b": [1]}}, lambda: decl_cache._positions(packed))
    for path in [("a",), ("a", "b"), ("a", "b", 0), (0,), ("b",)]:
        assert source.locate(path) == (1, 1)
        assert source.locate(path, value=True) == (1, 1)


def test_editing_one_file_parses_only_that_file(
    tmp_path: Path, cache_dir: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(LAB, tmp_path / "lab")
    first = report("lab")
    assert len(parsed) == len(list((tmp_path / "lab").rglob("*.yaml")))
    parsed.clear()
    systems = tmp_path / "lab" / "systems.yaml"
    systems.write_text(systems.read_text(encoding="utf-8") + "\n# reviewed\n", encoding="utf-8")
    assert report("lab") == first
    assert parsed == ["lab/systems.yaml"]
    parsed.clear()
    assert report("lab") == first
    assert parsed == []


def test_a_renamed_file_is_parsed_again(
    tmp_path: Path, cache_dir: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key holds the displayed path: positions and messages name the file as it is now."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(LAB, tmp_path / "lab")
    report("lab")
    (tmp_path / "lab" / "systems.yaml").rename(tmp_path / "lab" / "apps.yaml")
    parsed.clear()
    _, out, _ = report("lab")
    assert parsed == ["lab/apps.yaml"]
    assert "lab/apps.yaml" in out and "lab/systems.yaml" not in out


INVALID = """\
version: 1
systems:
  - id: dpi
    name: DPI
    helth_data: true
"""


def test_an_invalid_file_is_never_cached_and_keeps_its_error(
    tree: Callable[[dict[str, str]], Path],
    cache_dir: Path,
    parsed: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tree(
        {
            "decl/organisation.yaml": "version: 1\norganisation:\n  name: Clinique\n",
            "decl/systems.yaml": INVALID,
        }
    )
    expected = cold("decl", "text", monkeypatch)
    assert expected[0] == 2
    assert "decl/systems.yaml:5:5: unknown key 'helth_data'" in expected[2]
    for _ in range(3):
        parsed.clear()
        assert report("decl") == expected
        assert "decl/systems.yaml" in parsed
    assert parsed == ["decl/systems.yaml"]  # the valid file came from the cache
    assert len(entries(cache_dir)) == 1


def test_a_syntax_error_is_never_cached(
    tree: Callable[[dict[str, str]], Path], cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree({"decl/broken.yaml": "version: 1\nsystems: [\n"})
    expected = cold("decl", "text", monkeypatch)
    assert "decl/broken.yaml:3:1: YAML syntax error" in expected[2]
    assert report("decl") == expected
    assert report("decl") == expected
    assert entries(cache_dir) == []


MERGE_A = {"version": 1, "systems": [{"id": "lims", "name": "LIMS"}]}
MERGE_B = {
    "version": 1,
    "systems": [{"id": "lims", "name": "LIMS again"}],
    "vendors": [{"id": "acme", "name": "Acme", "systems": ["lims", "limz"]}],
}


def test_errors_across_cached_files_are_located_the_same(
    tree: Callable[[dict[str, str]], Path],
    cache_dir: Path,
    parsed: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Duplicate ids and unknown references (merge) are checked on every run, and located in
    cached files exactly as in fresh ones, JSON positions completed from the file's text."""
    tree(
        {
            "decl/a.json": json.dumps(MERGE_A, indent=2),
            "decl/b.json": json.dumps(MERGE_B, indent=2),
        }
    )
    expected = cold("decl", "text", monkeypatch)
    assert "duplicate id 'lims'" in expected[2]
    assert "refers to 'limz'" in expected[2]
    assert "decl/b.json:15:9: vendors/acme: systems[] refers to 'limz'" in expected[2]
    assert report("decl") == expected
    assert len(entries(cache_dir)) == 2
    parsed.clear()
    assert report("decl") == expected
    assert parsed == []


def test_corrupt_entries_are_ignored(
    tmp_path: Path, cache_dir: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(LAB, tmp_path / "lab")
    expected = report("lab")
    found = entries(cache_dir)
    assert len(found) >= 6
    blob = found[0].read_bytes()
    damage: list[bytes] = [
        b"",
        b"not marshal at all",
        blob[: len(blob) // 2],  # truncated
        blob[:-1] + bytes([blob[-1] ^ 1]),  # one flipped bit: the checksum catches it
        blob[:40] + b"\xff" * 8 + blob[48:],
    ]
    for index, bad in enumerate(damage):
        found[index].write_bytes(bad)
    # A well-formed entry of the wrong shape.
    payload = marshal.dumps(("not", "an", "entry"))
    found[-1].write_bytes(hashlib.sha256(payload).digest() + payload)
    parsed.clear()
    assert report("lab") == expected
    assert len(parsed) == len(damage) + 1  # every damaged entry was ignored, its file parsed
    parsed.clear()
    assert report("lab") == expected
    assert parsed == []  # and the entries were written again


def test_an_entry_for_another_path_is_not_used(
    tmp_path: Path, cache_dir: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(LAB, tmp_path / "lab")
    report("lab")
    source = next(iter(entries(cache_dir)))
    cache = decl_cache.DeclarationCache(cache_dir)
    # An entry copied to the name of another key is refused: it names its own key inside.
    raw = b"version: 1\n"
    other = cache_dir / f"{cache.key(raw, 'elsewhere.yaml')}{decl_cache.SUFFIX}"
    shutil.copy(source, other)
    assert cache.get(cache.key(raw, "elsewhere.yaml"), "elsewhere.yaml", raw) is None


def test_no_cache_when_disabled(
    tmp_path: Path, cache_dir: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(LAB, tmp_path / "lab")
    use_cache(monkeypatch, None)
    report("lab")
    parsed.clear()
    report("lab")
    assert len(parsed) == len(list((tmp_path / "lab").rglob("*.yaml")))
    assert not cache_dir.exists()
    assert decl_cache.DeclarationCache.open() is None


def test_an_unwritable_cache_only_costs_speed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory should be")
    use_cache(monkeypatch, blocker)
    with monkeypatch.context() as m:
        use_cache(m, None)
        expected = report(str(LAB))
    assert report(str(LAB)) == expected
    assert report(str(LAB)) == expected


def test_the_code_fingerprint_is_part_of_the_key(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = decl_cache.DeclarationCache(cache_dir)
    before = cache.key(b"version: 1\n", "a.yaml")
    assert cache.key(b"version: 1\n", "a.yaml") == before
    assert cache.key(b"version: 1\n", "b.yaml") != before
    assert cache.key(b"version: 2\n", "a.yaml") != before
    monkeypatch.setattr(decl_cache, "_FORMAT", decl_cache._FORMAT + 1)
    decl_cache._code_digest.cache_clear()
    try:
        assert cache.key(b"version: 1\n", "a.yaml") != before
    finally:
        decl_cache._code_digest.cache_clear()


def test_pruning_deletes_unused_entries_then_the_oldest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "declarations"
    cache = decl_cache.DeclarationCache(folder)
    write(folder, {f"{name}{decl_cache.SUFFIX}": "x" * 100 for name in ("old", "a", "b", "c")})
    write(folder, {".stray.marshal.123": "tmp of a dead writer"})
    now = time.time()
    day = 24 * 3600
    for name, age in (("old", 31), ("a", 3), ("b", 2), ("c", 1)):
        os.utime(folder / f"{name}{decl_cache.SUFFIX}", (now - age * day, now - age * day))
    os.utime(folder / ".stray.marshal.123", (now - 2 * day, now - 2 * day))
    monkeypatch.setattr(decl_cache, "MAX_BYTES", 250)
    cache.prune(now)
    assert sorted(p.name for p in folder.iterdir()) == [".pruned", "b.marshal", "c.marshal"]
    # At most once a day: a second run (or a second writer) the same day does nothing.
    os.utime(folder / "b.marshal", (now - 40 * day, now - 40 * day))
    decl_cache.DeclarationCache(folder).prune(now + 3600)
    assert (folder / "b.marshal").exists()
    decl_cache.DeclarationCache(folder).prune(now + day + 1)
    assert not (folder / "b.marshal").exists()


def test_a_used_entry_is_kept_by_pruning(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(LAB, tmp_path / "lab")
    report("lab")
    long_ago = time.time() - 40 * 24 * 3600
    for entry in entries(cache_dir):
        os.utime(entry, (long_ago, long_ago))
    report("lab")  # every entry is used: its time is refreshed
    decl_cache.DeclarationCache(cache_dir).prune(time.time() + 2 * 24 * 3600)
    assert len(entries(cache_dir)) == len(list((tmp_path / "lab").rglob("*.yaml")))
