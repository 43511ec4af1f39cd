"""The two ways a file is read (YAML composer, JSON fast path) give the same data and positions.

Also pins the YAML 1.2 core-schema scalar rules (``NO`` stays a string, dates stay strings) and
the start-up shortcut of validation (the pre-check never accepts what the model refuses).
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hdsguard.declarations.load import load_declarations
from hdsguard.declarations.located import SourceFile, flatten, unpack_pos
from hdsguard.declarations.reader import parse
from hdsguard.errors import InputError
from hdsguard.speed import precheck
from tests.helpers import REPO, holds_none, random_spot

sys.path.insert(0, str(REPO / "bench"))
from generate import generate


def both(text: str) -> tuple[SourceFile, SourceFile]:
    """(fast JSON path, YAML path) for the same text."""
    return parse(text, "f.json"), parse(text, "f.yaml")


def assert_same(text: str) -> None:
    fast, slow = both(text)
    assert fast.data == slow.data
    assert fast.nulls or not holds_none(fast.data)  # "no null" is never wrong
    for path, packed in flatten(slow.positions).items():
        pos = unpack_pos(packed)
        assert fast.locate(path) == (pos[0], pos[1]), path
        assert fast.locate(path, value=True) == (pos[2], pos[3]), path


@pytest.mark.parametrize(
    ("plain", "value"),
    [
        ("NO", "NO"),
        ("no", "no"),
        ("yes", "yes"),
        ("on", "on"),
        ("Off", "Off"),
        ("y", "y"),
        ("true", True),
        ("True", True),
        ("FALSE", False),
        ("tRUE", "tRUE"),
        ("~", None),
        ("null", None),
        ("Null", None),
        ("nULL", "nULL"),
        ("", None),
        ("2026-11-28", "2026-11-28"),
        ("2026-11-28T10:00:00Z", "2026-11-28T10:00:00Z"),
        ("12", 12),
        ("+12", 12),
        ("-0", 0),
        ("0o17", 15),
        ("0x1F", 31),
        ("1_000", "1_000"),
        ("0b101", "0b101"),
        ("1.5", 1.5),
        ("1.", 1.0),
        (".5", 0.5),
        ("-.5", -0.5),
        ("1e5", 100000.0),
        ("1.5E-3", 0.0015),
        (".inf", float("inf")),
        ("-.Inf", float("-inf")),
        (".iNf", ".iNf"),
        ("1:20", "1:20"),
        ("7.2.8", "7.2.8"),
        ("FR", "FR"),
        ("=", "="),
    ],
)
def test_yaml_core_schema_scalars(plain: str, value: Any) -> None:
    data = parse(f"k: {plain}\n", "f.yaml").data
    assert data == {"k": value}
    assert type(data["k"]) is type(value)


def test_nan_is_a_number_in_yaml_and_refused_as_json_constant() -> None:
    assert parse("k: .nan\n", "f.yaml").data["k"] != parse("k: .nan\n", "f.yaml").data["k"]
    # NaN is not JSON: a .json file is strict JSON or a located error (issue 12, point 15).
    with pytest.raises(InputError, match="NaN is not a JSON value"):
        parse('{"k": NaN}', "f.json")


# A number written with a leading zero is read otherwise by YAML 1.1 (octal, or a text) and 1.2
# (the zero dropped): refused at its place. Read as 1.2 reads it, `ej: 0750712184` (10 digits)
# passed GOV-001 as the valid FINESS number 750712184 (found by HB, session 17).
@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        ("organisation:\n  finess: {ej: 0750712184}\n", "f.yaml:2:16", "`0750712184` is a number "
         "written with a leading zero, which YAML reads as 750712184, dropping the zero: write it "
         'in quotes, `"0750712184"`'),
        ("organisation:\n  finess:\n    et:\n      - 010002345\n", "f.yaml:4:9",
         "which YAML reads as 10002345"),
        ("k: -0123\n", "f.yaml:1:4", "or `-123` if it is a number"),
    ],
)  # fmt: skip
def test_a_number_with_a_leading_zero_is_refused_at_its_place(
    text: str, where: str, says: str
) -> None:
    with pytest.raises(InputError) as caught:
        parse(text, "f.yaml")
    (problem,) = caught.value.problems
    assert str(problem).startswith(where + ": ") and says in str(problem), str(problem)


@pytest.mark.parametrize(
    "text",
    ["k: 0\n", "k: '0123'\n", 'k: "0750712184"\n', "k: 0o17\n", "k: 2026-01-05\n", "k: 0.5\n"],
)
def test_zero_and_quoted_zeros_are_read(text: str) -> None:
    parse(text, "f.yaml")


@pytest.mark.parametrize(
    "text",
    ['k: "NO"\n', "k: 'true'\n", "k: !!str 12\n", "k: |\n  12\n", 'k: "2026-11-28"\n'],
)
def test_quoted_tagged_and_block_scalars_stay_text(text: str) -> None:
    assert isinstance(parse(text, "f.yaml").data["k"], str)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "b": [1, 2.5, "x", true, null], "c": {"d": {}, "e": []}}',
        '{\n  "a": {\n    "b": [\n      {"c": 1},\n      {}\n    ]\n  }\n}\n',
        '{"k\\"ey": "v\\u00e9", "t": "a\\tb", "": 0, "n": -0.0, "big": 12345678901234567890}',
        '{"x": 1e5, "y": 1E-2, "z": 0.5e+3}',
        '{"a":[[1,[2]],{"b":[{"c":"d"}]}]}',
        '\r\n{\r\n  "crlf": [\r\n    {"a": 1}\r\n  ]\r\n}\r\n',
        '[{"a": 1}, [2], "three"]',
        '"just a string"',
    ],
)
def test_json_fast_path_matches_the_yaml_path(text: str) -> None:
    assert_same(text)


@pytest.mark.parametrize(
    ("text", "general"),
    [
        (json.dumps({"a": [{"b": 1, "c": {"d": [1, 2]}}, {"e": None}], "f": "x"}, indent=2), 0),
        ('{\n  "a": {\n    "b": [\n      {\n        "c": 1\n      }\n    ]\n  }\n}', 0),
        ('{"a":1,"b":{"c":[{"d":2},{"e":3}]}}', 1),  # compact: a second, general scan
        ('{\n "a": 1, "b": 2,\n "c": {"d": [\n{"e": 1}]}}', 1),  # mixed
        ('[\n  {"a": 1},\n  {\n   "b": 2}]', 1),
        ('{\n "a": "x\\": y",\n "b": 1}', 0),  # what looks like a key in a string: not first
        ('{"a": "x\\": y", "b": 1}', 1),  # compact, and the same in a string
    ],
)
def test_keys_first_on_their_line_need_no_general_scan(
    text: str, general: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hdsguard.declarations import yamlsource

    made: list[object] = []
    real = yamlsource._every_key

    def counting(*args: Any) -> Any:
        made.append(args)
        return real(*args)

    monkeypatch.setattr(yamlsource, "_every_key", counting)
    assert_same(text)
    assert len(made) == general


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ('{"a": "\\ud83d\\ude00"}', {"a": "\U0001f600"}),  # a surrogate pair: the character
        ('{"a": "x\u2028y"}', {"a": "x\u2028y"}),  # a line break for YAML 1.1, not for JSON
        ('{"a": "x\x7fy"}', "control character 0x7f"),  # a character YAML refuses: so do we
        ('{\n  "a": "x\x85y"\n}', {"a": "x\x85y"}),  # NEL, on a line the fast scan reads
        ('{\n  "k\x7f": 1\n}', "control character 0x7f"),  # in a key
        ('{\n  "a": [\n    "x\u2029"\n  ]\n}', {"a": ["x\u2029"]}),  # in an item of a list
        ('{"a": 1,\n "b": "\ufffe"}', "control character 0xfffe"),
        ('{\n  "a": 1,\n  "b": "\x9f"}', "control character 0x9f"),
        ('{"a": 1, "a": 2}', "duplicate key 'a'"),
        ("{a: 1}", "not valid JSON"),  # YAML flow, not JSON (issue 12, point 15)
        ('{"a": NaN}', "NaN is not a JSON value"),
    ],
)
def test_what_is_not_plain_json_is_json_or_a_located_error(text: str, outcome: Any) -> None:
    if isinstance(outcome, str):
        with pytest.raises(InputError) as caught:
            parse(text, "f.json")
        (problem,) = caught.value.problems
        assert outcome in problem.message and problem.line is not None
        return
    assert parse(text, "f.json").data == outcome


def test_positions_past_a_million_columns() -> None:
    """Minified JSON puts a whole file on one line: columns go past 2**20 (up to 32 MiB)."""
    items = [{"id": f"s{i}", "name": "x" * 100} for i in range(9000)]
    text = json.dumps({"systems": items})
    assert len(text) > 1 << 20
    fast = parse(text, "f.json")
    assert fast.text is not None  # the JSON way
    last = text.rindex('"name"')
    assert fast.locate(("systems", 8999, "name")) == (1, last + 1)
    assert fast.locate(("systems", 8999, "name"), value=True) == (1, last + len('"name": ') + 1)
    assert fast.locate(("systems", 8999)) == (1, text.rindex("{", 0, last) + 1)


def test_tabs_and_cr_lf_keep_the_fast_path() -> None:
    text = '{\r\n\t"a": [\r\n\t\t{\r\n\t\t\t"b": "\u00e9\u2014\U0001f600"\r\n\t\t}\r\n\t]\r\n}\r\n'
    fast = parse(text, "f.json")
    assert fast.text is not None  # the JSON way: partial positions, text kept
    assert_same(text)


def test_positions_missing_from_the_fast_path_are_completed_on_demand() -> None:
    text = '{\n  "vendors": [\n    {\n      "id": "v",\n      "systems": ["a",\n        "b"]\n'
    text += "    }\n  ]\n}\n"
    fast, slow = both(text)
    path = ("vendors", 0, "systems", 1)
    assert path not in flatten(fast.positions)  # items of a list of strings are not scanned...
    assert fast.locate(path, value=True) == slow.locate(path, value=True) == (6, 9)  # ...but found


def test_a_reference_error_is_located_the_same_in_json_and_yaml(tmp_path: Path) -> None:
    data = {
        "systems": [{"id": "dpi", "name": "DPI"}],
        "vendors": [{"id": "v", "name": "V", "systems": ["dpi", "pacs"]}],
    }
    (tmp_path / "a.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(json.dumps(data, indent=2), encoding="utf-8")
    messages = []
    for name in ("a.json", "b.yaml"):
        with pytest.raises(InputError) as caught:
            load_declarations([str(tmp_path / name)])
        messages.append(str(caught.value).replace(name, "F"))
    assert messages[0] == messages[1]
    assert ":14:9: vendors/v: systems[] refers to 'pacs'" in messages[0]


def test_generated_yaml_and_json_sets_agree(tmp_path: Path) -> None:
    """The benchmark's two variants of one set: same data and same positions, file by file."""
    yaml_files = generate(300, tmp_path / "y")
    json_files = generate(300, tmp_path / "j", as_json=True)
    for y, j in zip(yaml_files, json_files, strict=True):
        assert (
            parse(y.read_text("utf-8"), "f.yaml").data == parse(j.read_text("utf-8"), "f.json").data
        )
        assert_same(j.read_text("utf-8"))


def test_examples_read_the_same_as_json() -> None:
    for path in sorted((REPO / "examples").rglob("*.yaml")):
        data = parse(path.read_text("utf-8"), path.name).data
        assert_same(json.dumps(data, indent=2, ensure_ascii=False))
        assert_same(json.dumps(data))


# ------------------------------------------------------------------------- property tests

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(
    data=st.dictionaries(st.text(max_size=8), json_values, max_size=5),
    indent=st.sampled_from([None, 0, 1, 2, 4, "\t"]),
    ascii_only=st.booleans(),
)
def test_any_json_reads_the_same_both_ways(data: Any, indent: Any, ascii_only: bool) -> None:
    text = json.dumps(data, indent=indent, ensure_ascii=ascii_only)
    try:
        slow = parse(text, "f.yaml")
    except InputError:
        # YAML refuses what YAML 1.1 and 1.2 read differently (NEL, LS, PS, surrogate
        # escapes): JSON reads them as JSON does; or refuses what YAML refuses (controls).
        try:
            assert parse(text, "f.json").data == json.loads(text)
        except InputError as exc:
            assert all("control character" in p.message for p in exc.problems)
        return
    fast = parse(text, "f.json")
    assert fast.data == slow.data == json.loads(text)
    for path, packed in flatten(slow.positions).items():
        pos = unpack_pos(packed)
        assert fast.locate(path) == (pos[0], pos[1])
        assert fast.locate(path, value=True) == (pos[2], pos[3])


def _valid_file() -> dict[str, Any]:
    files = sorted((REPO / "examples" / "lab-group").rglob("*.yaml"))
    merged: dict[str, Any] = {}
    for path in files:
        for key, value in parse(path.read_text("utf-8"), path.name).data.items():
            if isinstance(value, list):
                merged.setdefault(key, []).extend(value)
            else:
                merged.setdefault(key, value)
    return merged


VALID = _valid_file()
odd_values = (
    json_scalars
    | st.sampled_from(["2026-02-30", "2026-1-1", "fw-1\n", "FR\n", "x@y", "1.2", "any", "80-90"])
    | st.sampled_from([0, 1, 6, 7, 65535, 65536, -1, 10.5, 1.0, True, [], {}, [1], ["FR"]])
)


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    """The valid lab-group set with a few random edits anywhere in it."""
    data = json.loads(json.dumps(VALID))
    for _ in range(draw(st.integers(1, 3))):
        parent, key = random_spot(draw, data)
        if parent is None:
            continue
        action = draw(st.sampled_from(["replace", "drop", "add"]))
        # A copy: `sampled_from` hands out the same `[]` and `{}` every time, and a later edit
        # inside one would change what every following example draws (hypothesis then
        # reports the strategy as flaky).
        if action == "replace":
            parent[key] = copy.deepcopy(draw(odd_values))
        elif action == "drop":
            del parent[key]
        elif isinstance(parent, dict):
            name = draw(st.sampled_from(["notes", "nam", "id", "extra", "version"]))
            parent[name] = copy.deepcopy(draw(odd_values))
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_the_precheck_never_accepts_what_the_model_refuses(data: Any) -> None:
    from pydantic import ValidationError

    from hdsguard.declarations.model import DeclarationFile

    if precheck.certainly_valid(data):
        try:
            DeclarationFile.model_validate(data)
        except ValidationError as exc:  # pragma: no cover - the failure this test exists for
            pytest.fail(f"pre-check accepted what the model refuses: {exc}")


def test_the_precheck_accepts_the_examples_and_benchmark_sets(tmp_path: Path) -> None:
    """Otherwise every run would silently pay for building the model again."""
    assert precheck.certainly_valid(VALID)
    for path in generate(200, tmp_path):
        assert precheck.certainly_valid(parse(path.read_text("utf-8"), path.name).data), path
    assert not precheck.certainly_valid({"organisation": {"name": None}})


def test_a_check_of_valid_files_does_not_build_the_declaration_model() -> None:
    import subprocess

    code = (
        "import sys; from hdsguard.declarations.load import load_declarations; "
        "load_declarations(['examples/hospital']); "
        "print('hdsguard.declarations.model' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert out.stdout.strip() == "False"
