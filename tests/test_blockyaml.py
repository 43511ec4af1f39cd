"""The block-style fast path reads exactly what the composer reads, or declines.

``parse_block`` must never give other data (types and key order included) or other positions
than ``_parse_yaml``; whatever it is not sure of it declines (None), and the composer reads the
file and reports its errors. Checked on every YAML file of the repository, on a generated set,
on random documents (dumped by PyYAML with comments, blank lines and CR LF added, or written
the uneven ways people write), on random edits of those, and on the edge cases of the subset
one by one.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hdsguard.declarations import yamlsource
from hdsguard.declarations.located import SourceFile, flatten, unpack_pos
from hdsguard.declarations.reader import parse
from hdsguard.declarations.yamlsource import MAX_DEPTH, MAX_SCALAR_CHARS, _parse_yaml
from hdsguard.errors import InputError
from hdsguard.speed import blockyaml
from hdsguard.speed.blockyaml import parse_block
from tests.helpers import REPO, holds_none

sys.path.insert(0, str(REPO / "bench"))
from generate import generate


def same(a: Any, b: Any) -> bool:
    """Equal, with the same types throughout (True is not 1, 1.0 is not 1) and key order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def _unpacked(source: SourceFile, path: Any) -> Any:
    packed = flatten(source.positions).get(path)
    return None if packed is None else unpack_pos(packed)


def conforms(text: str) -> SourceFile | None:
    """The fast path's result, after checking it is the composer's; None if it declined."""
    fast = parse_block(text, "f.yaml")
    if fast is None:
        return None
    try:
        slow = _parse_yaml(text, "f.yaml")
    except InputError as exc:
        pytest.fail(f"the fast path accepted what the composer refuses: {exc}\n{text!r}")
    assert same(fast.data, slow.data), (text, fast.data, slow.data)
    fast_at, slow_at = flatten(fast.positions), flatten(slow.positions)
    differ = {
        path: (_unpacked(fast, path), _unpacked(slow, path))
        for path in fast_at.keys() | slow_at.keys()
        if fast_at.get(path) != slow_at.get(path)
    }
    assert not differ, (text, differ)
    assert fast.positions == slow.positions  # the same structure, not only the same values
    assert fast.path == slow.path and fast.text is None
    assert fast.nulls or not holds_none(fast.data)  # "no null" is never wrong
    return fast


# ------------------------------------------------------------------ files of the repository


def _repository_yaml() -> list[Path]:
    roots = [REPO / "examples", REPO / "tests", REPO / "policies"]
    return sorted(p for root in roots for p in root.rglob("*") if p.suffix in (".yaml", ".yml"))


@pytest.mark.parametrize("path", _repository_yaml(), ids=lambda p: str(p.relative_to(REPO)))
def test_repository_files_read_the_same(path: Path) -> None:
    conforms(path.read_text("utf-8-sig"))


def test_examples_take_the_fast_path() -> None:
    files = [
        path
        for folder in ("hospital", "lab-group", "minimal")
        for path in sorted((REPO / "examples" / folder).rglob("*.yaml"))
    ]
    assert len(files) >= 10
    for path in files:
        assert conforms(path.read_text("utf-8")) is not None, path


def test_a_generated_set_takes_the_fast_path(tmp_path: Path) -> None:
    files = generate(1000, tmp_path)
    assert len(files) >= 7
    for path in files:
        assert conforms(path.read_text("utf-8")) is not None, path


@pytest.mark.parametrize("piece", [1, 13, 200, 5000])
def test_lines_matched_piece_by_piece_read_the_same(
    piece: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file's lines are matched in pieces of whole lines (less memory held at once): the
    data and positions are the composer's whatever the size of a piece, files of the
    generated set, the examples and texts that end anywhere near a piece's end."""
    files = generate(1000, tmp_path, shape="failing")
    files += sorted((REPO / "examples" / "hospital").rglob("*.yaml"))
    texts = [path.read_text("utf-8") for path in files]
    assert max(map(len, texts)) > 4 * 5000  # several pieces at every size tried
    texts += [
        "".join(f"k{i}: {i}\n" for i in range(n)) + "b:\n  - x\n  - y: [1, 2]\n"
        for n in range(0, 40, 3)
    ]
    monkeypatch.setattr(blockyaml, "_PIECE", piece)
    for text in texts:
        pieces = list(blockyaml._pieces(text if text.endswith("\n") else text + "\n"))
        assert "".join(pieces) == (text if text.endswith("\n") else text + "\n")
        assert all(p.endswith("\n") for p in pieces)
        assert conforms(text) is not None, text[:200]


def test_parse_uses_the_fast_path_and_the_composer_for_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []

    def composer(text: str, display: str) -> SourceFile:
        calls.append(display)
        return _parse_yaml(text, display)

    monkeypatch.setattr(yamlsource, "_parse_yaml", composer)
    assert parse("a: 1\nb: [x]\n", "f.yaml").data == {"a": 1, "b": ["x"]}
    assert calls == []
    assert parse("a: |\n  text\n", "g.yaml").data == {"a": "text\n"}
    assert calls == ["g.yaml"]
    # Errors are the composer's, located as before.
    with pytest.raises(InputError) as caught:
        parse("a: 1\na: 2\n", "h.yaml")
    assert "duplicate key 'a'" in str(caught.value) and calls[-1] == "h.yaml"
    # A JSON file is strict JSON or a located error (issue 12, point 15), never block YAML.
    with pytest.raises(InputError, match="not valid JSON"):
        parse("a: 1\n", "i.json")


# ------------------------------------------------------------------------- edge cases


ACCEPTED = [
    "",
    "\n\n",
    "# only a comment\n",
    "---\n",
    "---\na: 1\n",
    "# before\n---   \na: 1\n",
    "a: 1",
    "a:\n",
    "a:",
    "a:   # nothing\nb: 2\n",
    "a:\nb:\n",
    "a: x #y\nb: x#y\nc: 'x' # z\n",
    "a: value   \n",
    "a:    spaced\n",
    "  a: 1\n  b: 2\n",
    "a:\n  b:\n    c: 1\n  d: 2\ne: 3\n",
    "a:\n- x\n- y\nb: 1\n",
    "a:\n  - x\n  -   y\n",
    "- a\n- b\n",
    "-\n-   # null\n- x\n",
    "- \n- x\n",
    "-\n  a: 1\n",
    "-\n  - x\n",
    "- a: 1\n  b: 2\n- c: 3\n",
    "-   a: 1\n    b:\n    - x\n",
    "- a:\n  - x\n  b:\n- c\n",
    "- a:\n- b\n",
    "a:\n-\nb: 1\n",
    "a:\n- x: 1\n  y: 2\nb: 3\n",
    "a:\n\n  # comment in between\n\n  b: 1\n",
    "n: NO\ny: yes\no: on\nt: true\nT: True\nf: FALSE\nz: ~\nnl: null\nN: Null\n",
    "i: 12\np: +12\nm: -3\nz: 0\no: 0o17\nh: 0x1F\nu: 1_000\nb: 0b101\n",
    "f: 1.5\ng: 1.\nh: .5\ni: -.5\ne: 1e5\nE: 1.5E-3\nd: 2026-11-28\nt: 2026-11-28T10:00:00Z\n",
    "inf: .inf\nninf: -.Inf\nnan: .nan\nbad: .iNf\nver: 7.2.8\ntime: 1:20\n",
    "date-like: 12e-3\nneg-exp: 1e-5\nweird: 1234-\n",
    "a: x, y\nb: x[1]\nc: x]\nd: x}\ne: a ,b\nf: a - b\ng: http://x.example/a?b=c#d\n",
    "a: ...\nc: 'it''s'\nd: \"x y\"  \ne: ''\nf: \"\"\ng: '#not a comment'\n",
    "a: [a b , c  ]\nb: []\nc: {}\nd: [ ]\ne: [~, -1, .5, 'q', \"r\"]\nf: [FR]   # c\n",
    "- {from: a, to: b c, port: 443}\n- {x: 'y', z: \"w\"}\n",
    "a: é\nb: 😀 x\nc: [😀, é]\nd: Évreux — site\né: accent key\n",
    "a: x\u00a0\nb: \u00a0x\n",
    "key.with-dots_and-dashes: 1\n2026-x: year\n_: underscore\n",
    "a: 1\r\nb:\r\n  - x\r\n",
    "a: x\n# trailing comment\n\n",
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_the_subset_is_read_exactly(text: str) -> None:
    assert conforms(text) is not None


DECLINED = [
    "2026: year\n",  # a key that is a number to YAML 1.2 (`1` and `01` are one key)
    "null: x\n",
    "a:\tb\n",
    "a:\n\tb: 1\n",
    "a: |\n  text\n",
    "a: >-\n  folded\n",
    "a: b\n  continued\n",
    "a: 'multi\n  line'\n",
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "a: !custom x\n",
    "base: {x: 1}\nother:\n  <<: {y: 2}\n",
    "'quoted': 1\n",
    '"quoted": 1\n',
    "? complex\n: key\n",
    "a: 1\na: 2\n",
    "a: {x: 1, x: 2}\n",
    "a: 1\n...\n",
    "%YAML 1.2\n---\na: 1\n",
    "a: 1\n---\nb: 2\n",
    "---\n---\na: 1\n",
    "--- a: 1\n",
    "\ufeffa: 1\n",
    "a: 1\rb: 2\n",
    "a: x\x85y\n",
    "a: x\u2028y\n",
    "a: x\u2029y\n",
    "a: x\x01y\n",
    "a: x\x7fy\n",
    'a: "esc\\n"\n',
    "a: b: c\n",
    "a: b:\n",
    "- a:b: c\n",
    "a: @x\n",
    "a: `x\n",
    "a: %x\n",
    "a: ,x\n",
    "a: ?x\n",
    "a: :x\n",
    "- - nested\n",
    "a: - x\n",
    "a: [x, [y]]\n",
    "a: [x,\n  y]\n",
    "a: [x, ]\n",
    # A number with a leading zero: refused by the composer, at its place.
    "z: 0123\n",
    "- [1, 0123]\n",
    "a: {b: -007}\n",
    "- 00\n",
    "a: {x: [1]}\n",
    "a: 'x'#c\n",
    "a: 1\n b: 2\n",
    "a:\n  b: 1\n c: 2\n",
    "a:\n  - x\n - y\n",
    "a:\n  - x\n- y\n",
    "- a: 1\n  - x\n",
    "- a\nb: 1\n",
    "a: 1\n- b\n",
    "plain scalar document\n",
    "- x\n  continued\n",
    "key : value\n",
    "a:b\n",
    "k" * 1001 + ": 1\n",
    "a: " + "x" * (MAX_SCALAR_CHARS + 1) + "\n",
    "a: '" + "x" * (MAX_SCALAR_CHARS + 1) + "'\n",
    "a: [" + "x" * (MAX_SCALAR_CHARS + 1) + "]\n",
    "".join(f"{' ' * i}k{i}:\n" for i in range(MAX_DEPTH + 2)),
    "".join(f"{' ' * i}-\n" for i in range(0, 2 * (MAX_DEPTH + 2), 2)) + " " * 200 + "- x\n",
]


@pytest.mark.parametrize("text", DECLINED)
def test_what_is_outside_the_subset_is_declined(text: str) -> None:
    """Left to the composer, whether YAML accepts it or not."""
    assert parse_block(text, "f.yaml") is None


def test_the_limits_themselves_are_read_exactly() -> None:
    assert conforms("a: " + "x" * MAX_SCALAR_CHARS + "\n") is not None
    assert conforms("k" * 1000 + ": 1\n") is not None
    nested = "".join(f"{' ' * i}k{i}:\n" for i in range(MAX_DEPTH - 2))
    assert conforms(nested + " " * (MAX_DEPTH - 2) + "x: 1\n") is not None
    items = "".join(f"{' ' * i}-\n" for i in range(0, 2 * (MAX_DEPTH - 2), 2))
    assert conforms(items + " " * 200 + "- x\n") is not None


# ------------------------------------------------------------------ random documents


_TRICKY = [
    *("NO", "no", "yes", "Yes", "on", "Off", "y", "n", "true", "True", "TRUE", "tRUE", "false"),
    *("null", "Null", "NULL", "nULL", "~", "", " ", " x", "x ", "a: b", "a:b", "a:", ":a"),
    *("a #b", "a#b", "#a", "- a", "-a", "-", "--", "---", "...", "? a", "?a", "1e5", "1E-5"),
    *("12e-3", "1.5", "1.", ".5", "-.5", "+1", "0o17", "0x1F", "0b1", "1_000", "0123", "-0"),
    *(".inf", "-.Inf", ".nan", ".NaN", "2026-01-01", "2026-01-01T10:00:00Z", "1:20", "7.2.8"),
    *("[a]", "{a: 1}", "a, b", "'q'", '"q"', "it's", 'say "hi"', "back\\slash", "tab\there"),
    *("x\ny", "&a", "*a", "!a", "|", ">", "%", "@a", "`a", "<<", "é", "Évreux — site", "😀"),
    *("\u00a0x", "x\u00a0", "a  b", "a   # b", "sys-000001", "https://x.example/?a=b#c"),
    "\u3000",
]
scalars = (
    st.sampled_from(_TRICKY)
    | st.text(st.sampled_from(list("ab1 -:#'\"[]{},.é~")), max_size=8)
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.booleans()
    | st.none()
)
keys = st.from_regex(r"[a-z_][a-z0-9_.-]{0,7}", fullmatch=True) | st.sampled_from(
    ["id", "name", "on", "yes", "null", "1", "2026", "é", "a b", "-x", "x:", "<<", "'q'", ""]
)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=30,
)


# What declarations hold, in the shapes they have (mappings of scalars, of lists of scalars or
# of mappings; no list directly in a list): the fast path should read nearly all of these.
_ORDINARY = [
    *("NO", "yes", "on", "true", "null", "~", "", " x", "x ", "a: b", "a #b", "a#b", "it's"),
    *("1e5", "0o17", "0x1F", "1.5", "-1", "2026-01-01", "7.2.8", "1:20", "[a]", "{a: 1}"),
    *("sys-000001", "Évreux — site", "😀", "https://x.example/?a=b#c", "R&D", "50%", "a, b"),
]
_ordinary_scalars = (
    st.integers()
    | st.floats(allow_nan=False)
    | st.booleans()
    | st.none()
    | st.sampled_from(_ORDINARY)
)
_ordinary_keys = st.from_regex(r"[a-z_][a-z0-9_]{0,7}", fullmatch=True)
_ordinary_maps = st.deferred(
    lambda: st.dictionaries(
        _ordinary_keys,
        _ordinary_scalars
        | st.lists(_ordinary_scalars, max_size=3)
        | st.lists(_ordinary_maps, max_size=3)
        | _ordinary_maps,
        max_size=4,
    )
)


@st.composite
def dumped(draw: st.DrawFn) -> str:
    """A document dumped by PyYAML in block style, with comments and blank lines added."""
    data = draw(
        st.dictionaries(keys, documents, min_size=1, max_size=5) | documents | _ordinary_maps
    )
    text = yaml.safe_dump(
        data,
        default_flow_style=draw(st.sampled_from([False, False, None])),
        indent=draw(st.sampled_from([2, 3, 4])),
        width=draw(st.sampled_from([20, 80, 10_000])),
        allow_unicode=draw(st.booleans()),
        default_style=draw(st.sampled_from([None, None, None, "'", '"'])),
        explicit_start=draw(st.booleans()),
        sort_keys=False,
    )
    lines = text.split("\n")
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(lines)))
        indent = " " * draw(st.integers(0, 6))
        lines.insert(at, draw(st.sampled_from(["", indent, indent + "# comment", "#"])))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(lines) - 1))
        lines[at] += draw(st.sampled_from([" # trailing", "  #", "   "]))
    text = "\n".join(lines)
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return text


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dumped())
def test_random_documents_read_exactly_or_decline(text: str) -> None:
    conforms(text)


def test_random_documents_mostly_take_the_fast_path() -> None:
    """The properties above are not vacuous: ordinary documents take the fast path."""
    seen = {"yes": 0, "no": 0}

    @settings(max_examples=200, deadline=None, database=None)
    @given(_ordinary_maps, st.sampled_from([2, 4]))
    def run(data: Any, indent: int) -> None:
        text = yaml.safe_dump(
            data, indent=indent, sort_keys=False, width=10_000, allow_unicode=True
        )
        seen["yes" if conforms(text) is not None else "no"] += 1

    run()
    assert seen["yes"] > 19 * seen["no"], seen


@st.composite
def hand_written(draw: st.DrawFn) -> str:
    """Block YAML written the ways people write it, which PyYAML's emitter never does: uneven
    indentation, indented or indentless lists, extra spaces after "-" and ":", nulls left
    empty, flow lists, comments anywhere. Not always valid YAML: the composer decides."""
    out: list[str] = []
    scalar_text = st.sampled_from(
        [
            *_ORDINARY,
            *("1", "-2", "0.5", "x", "~", "null", "'q'", "'it''s'", '"d q"', "[]", "{}"),
            *("[a, 1]", "[ 'x' , \"y\" ]", "{a: 1, b: 'c'}", "x # comment", ""),
        ]
    )

    def spaces(low: int, high: int) -> str:
        return " " * draw(st.integers(low, high))

    def comment() -> None:
        if draw(st.integers(0, 5)) == 0:
            out.append(spaces(0, 8) + draw(st.sampled_from(["# note", "", "#"])))

    def block(indent: int, depth: int, first_prefix: str | None = None) -> None:
        """A mapping or a list at ``indent``; its first line may start with ``first_prefix``
        ("- " of the list item it is the value of)."""
        is_list = depth > 0 and draw(st.integers(0, 2)) == 0
        for index in range(draw(st.integers(1, 3))):
            comment()
            prefix = first_prefix if index == 0 and first_prefix is not None else " " * indent
            if is_list:
                head = prefix + "-" + spaces(1, 3)
            else:
                head = f"{prefix}{draw(_ordinary_keys)}{index}:{spaces(1, 3)}"
            inner = len(head) if is_list else indent
            kind = draw(st.integers(0, 3)) if depth < 4 else 0
            if kind == 0:
                out.append(head + draw(scalar_text))
            elif kind == 1 and is_list:
                block(len(head), depth + 1, first_prefix=head)  # "- key: ..."
            else:
                out.append(head.rstrip(" ") + draw(st.sampled_from(["", " # c"])))
                comment()
                deeper = inner + draw(st.integers(1, 4))
                if not is_list and draw(st.booleans()):
                    deeper = indent  # an indentless list, or a wrongly indented block
                block(deeper, depth + 1)

    block(draw(st.integers(0, 2)), 0)
    comment()
    return "\n".join(out) + draw(st.sampled_from(["\n", "", "\n\n"]))


_EDITS = [*" -:#'\"[]{},\n\t\r&*!|>?%@.a1~\\\u0085\u2028", "---", "...", "- ", ": ", " #"]


@st.composite
def edited(draw: st.DrawFn) -> str:
    """A document as above with a few characters inserted, deleted or replaced anywhere."""
    text = draw(dumped() | hand_written())
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(st.sampled_from(_EDITS))
        if action == "insert":
            text = text[:at] + piece + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + 1 :]
        else:
            text = text[:at] + piece + text[at + 1 :]
    return text


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited())
def test_randomly_edited_documents_read_exactly_or_decline(text: str) -> None:
    conforms(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hand_written())
def test_hand_written_documents_read_exactly_or_decline(text: str) -> None:
    conforms(text)
