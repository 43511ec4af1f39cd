"""Issue 12, points 9-15: what libyaml (YAML 1.1) reads otherwise than YAML 1.2 is refused
with a located error or read as YAML 1.2 reads it; a ``.json`` file is strict JSON or a
located error, never read as YAML."""

from __future__ import annotations

import json

import pytest

from hdsguard.declarations.reader import parse
from hdsguard.errors import InputError


def refused(text: str, name: str = "f.yaml") -> str:
    with pytest.raises(InputError) as caught:
        parse(text, name)
    (problem,) = caught.value.problems
    assert problem.line is not None and problem.column is not None, problem
    return str(problem)


# --- 9. NEL, LS, PS ---------------------------------------------------------------------------


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"])
def test_characters_yaml_1_1_reads_as_line_breaks_are_refused_in_yaml(char: str) -> None:
    text = f'organisation:\n  name: "Bio{char}lab"\n  kind: medical_laboratory\n'
    assert refused(text).startswith("f.yaml:2:13: character U+")


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"])
def test_in_json_they_are_characters_and_lines_stay_true(char: str) -> None:
    text = json.dumps({"a": f"x{char}y", "b": {"c": 1}}, indent=2, ensure_ascii=False)
    source = parse(text, "f.json")
    assert source.data == {"a": f"x{char}y", "b": {"c": 1}}  # not a space
    assert source.locate(("b", "c")) == (4, 5)  # the line JSON (and editors) count


# --- 10. a BOM after the start ------------------------------------------------------------------


def test_a_bom_at_the_start_of_a_later_line_is_refused() -> None:
    text = "organisation:\n  name: x\n\ufeff  kind: medical_laboratory\n"
    assert refused(text).startswith("f.yaml:3:1: character U+FEFF")


def test_a_bom_at_the_start_of_the_text_is_fine() -> None:
    assert parse("\ufeffa: 1\n", "f.yaml").data == {"a": 1}


# --- 11. anchor names -----------------------------------------------------------------------


def test_an_anchor_name_with_a_colon_is_refused() -> None:
    assert refused("a: &an:chor value\nb: 1\n").startswith("f.yaml:1:4: anchor or alias name")


def test_plain_anchors_and_aliases_still_work() -> None:
    assert parse("a: &x-1 value\nb: *x-1\nc: [*x-1, 2]\n", "f.yaml").data == {
        "a": "value",
        "b": "value",
        "c": ["value", 2],
    }


# --- 12. `[?x]` -----------------------------------------------------------------------------


def test_a_question_mark_glued_to_a_flow_item_is_refused() -> None:
    assert refused("ports: [?x]\n").startswith("f.yaml:1:9: '?' glued")


def test_question_marks_inside_scalars_are_fine() -> None:
    data = parse('a: "what?"\nb: [a?b, "?x"]\nurl: http://h/?q=1\n', "f.yaml").data
    assert data == {"a": "what?", "b": ["a?b", "?x"], "url": "http://h/?q=1"}


# --- 13. tags --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["a: ! 3\n", 'a: !!int "3"\n', "a: !!float 3\n", "a: !!bool 'true'\n", "a: !!null ''\n"],
)
def test_the_non_specific_tag_and_core_tags_that_would_convert_are_refused(text: str) -> None:
    assert refused(text).startswith("f.yaml:1:4: ")


def test_str_tags_still_make_text() -> None:
    assert parse("a: !!str 3\nb: !!str '4'\n", "f.yaml").data == {"a": "3", "b": "4"}


# --- 14. a block scalar ending the file -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("a: |\n  text", "text\n"), ("a: >\n  folded\n  text", "folded text\n"), ("a: |-\n  x", "x")],
)
def test_a_block_scalar_ending_the_file_keeps_its_line_break(text: str, value: str) -> None:
    assert parse(text, "f.yaml").data == {"a": value}


# --- 15. JSON --------------------------------------------------------------------------------


def test_surrogate_pair_escapes_are_the_character() -> None:
    text = json.dumps({"organisation": {"name": "Biolab 🧪"}})  # as json.dumps writes emoji
    assert "\\ud83e\\uddea" in text
    source = parse(text, "f.json")
    assert source.data == {"organisation": {"name": "Biolab 🧪"}}
    assert source.locate(("organisation", "name")) == (1, 19)


def test_a_lone_surrogate_is_refused_located() -> None:
    assert refused('{"a": "x\\ud800"}', "f.json").startswith("f.json:1:9: \\ud800 is half")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"ports": [22 443]}', "f.json:1:15: not valid JSON"),
        ('{"a": 1,}', "f.json:1:8: not valid JSON: a trailing comma before '}'"),
        ("{'a': 1}", "f.json:1:2: not valid JSON"),
        ('{"a": 1} # comment', "f.json:1:10: not valid JSON"),
        ("a: 1\n", "f.json:1:1: not valid JSON"),
        ('{"a": NaN}', "f.json:1:7: NaN is not a JSON value"),
        # Comments (JSONC, JavaScript): JSON has none, and the error says so, at the comment.
        ('{\n  // the lab\n  "a": 1}', "f.json:2:3: not valid JSON: JSON has no comments"),
        ('{"a": 1 /* note */}', "f.json:1:9: not valid JSON: JSON has no comments"),
    ],
)
def test_a_json_file_is_strict_json_or_a_located_error(text: str, where: str) -> None:
    assert refused(text, "f.json").startswith(where)


def test_duplicate_json_keys_are_refused_located() -> None:
    assert refused('{"a": 1,\n "a": 2}', "f.json").startswith("f.json:2:2: duplicate key 'a'")


@pytest.mark.parametrize(
    ("text", "same"),
    [("1: x\n01: y\n", "'1'"), ("null: x\n~: y\n", "'null'"), ("true: x\nTrue: y\n", "'true'")],
)
def test_keys_equal_in_value_are_duplicates(text: str, same: str) -> None:
    assert refused(text).startswith("f.yaml:2:1: duplicate key ")
    assert f"the same key as {same}" in refused(text)


def test_a_non_core_tag_on_a_key_is_refused() -> None:
    assert refused("!foo a: 1\n").startswith("f.yaml:1:1: YAML tag '!foo' is not allowed")
