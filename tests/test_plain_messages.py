"""Messages whose placeholders are plain key paths (``{{ self.name }}``, ``{{ now }}``,
``{{ params.max_age_days }}``) are read from the engine's Python values without a CEL call
(policies/plainpath.py), and give exactly the text CEL gives.

Every message of the built-in catalogue, in English and in French, is rendered both ways on
every target of the examples and of generated estates, then with hostile values in the
fields its placeholders read (missing, null, booleans, floats, lists, maps, non-ASCII text,
dates that French text rewrites, NUL, lone surrogates, integers beyond 64 bits, a step that is
not a map) and elsewhere in the variable (a value CEL cannot convert fails every expression
reading that variable): each rendering must equal the one CEL alone gives.
"""

from __future__ import annotations

import copy
import dataclasses
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from hdsguard.declarations.load import load_declarations
from hdsguard.declarations.merge import DeclarationSet
from hdsguard.engine import Evaluation
from hdsguard.policies import template as template_module
from hdsguard.policies.celenv import CelRuntime
from hdsguard.policies.load import CompiledPolicy, load_catalogue
from hdsguard.policies.plainpath import Variables, path_of
from hdsguard.policies.template import Template, compile_template
from hdsguard.speed import catalogue_cache
from hdsguard.speed.cache import seal, unseal
from tests.helpers import REPO
from tests.test_template_render import templates
from tests.test_verdict import DAY

_DROP = object()  # the key is removed
HOSTILE: list[Any] = [
    _DROP,
    None,
    True,
    False,
    0,
    -7,
    2**63 - 1,
    2**63,  # CEL converts it (unsigned): read through CEL
    -(2**63) - 1,  # CEL cannot convert it
    2**70,
    1.5,
    2.0,
    float("nan"),
    "",
    "Hôpital Saint-Éloi — 😀",
    "2026-11-28",  # French text writes it "28 novembre 2026"
    "le 2026-02-30 ou le 2026-03-01",
    "a\x00b",  # CEL ends a string at its NUL
    "\ud800",  # CEL cannot convert a lone surrogate
    [],
    ["a", 1, None],
    {},
    {"k": "v"},
    (1, 2),  # CEL cannot convert a tuple
]
# Values CEL cannot convert, put beside the fields read: every expression reading the
# variable then fails.
ELSEWHERE: list[Any] = [2**70, (1, 2), "\ud800", {"a\x00": 1, "a": 2}, b"bytes", {1.5: "x"}]


@cache
def catalogue(lang: str) -> tuple[CelRuntime, tuple[CompiledPolicy, ...]]:
    runtime = CelRuntime()
    return runtime, tuple(load_catalogue(runtime, lang=lang).values())


@pytest.fixture(scope="module")
def usual(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated estate of the bench's usual shape."""
    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate

    root = tmp_path_factory.mktemp("usual")
    generate(150, root, shape="usual")
    return root


@cache
def _declarations(folder: str) -> DeclarationSet:
    return load_declarations([folder])


def estate(name: str, request: pytest.FixtureRequest) -> DeclarationSet:
    """An example, or a generated estate (the session's `failing` one, or `usual`)."""
    if name in ("usual", "failing"):
        return _declarations(str(request.getfixturevalue(name)))
    return _declarations(str(REPO / "examples" / name))


ESTATES = ["lab-group", "hospital", "minimal", "usual", "failing"]


class Renders:
    """Renders templates both ways on one target's variables and counts the messages read
    from Python (a comparison where none was would prove nothing)."""

    def __init__(self) -> None:
        self.compared = 0
        self.from_python = 0

    def compare(
        self,
        runtime: CelRuntime,
        found: list[Template],
        values: dict[str, Any],
        where: str,
    ) -> None:
        activation = runtime.activation(values)
        variables = Variables(values)
        for tmpl in found:
            by_cel = tmpl.render(activation)
            read = tmpl.paths is not None and variables.read(tmpl._reads) is not None
            assert tmpl.render(activation, variables) == by_cel, (where, tmpl.parts)
            self.compared += 1
            self.from_python += read


def targets(
    runtime: CelRuntime, policies: tuple[CompiledPolicy, ...], decl: DeclarationSet
) -> Iterator[tuple[list[CompiledPolicy], dict[str, Any]]]:
    """Each target's policies and the variables the engine evaluates them with."""
    evaluation = Evaluation(runtime, list(policies), decl, DAY, None, None, evidence=True)
    for section, group in evaluation.by_section.items():
        for target, obj, _origin in decl.targets(section):
            values = {
                "self": obj,
                "params": evaluation.scoped[section],
                "now": evaluation.now,
                "target": target,
                "decl": evaluation.sections,
            }
            yield group, values


def messages(group: list[CompiledPolicy]) -> list[Template]:
    return [t for policy in group for t in templates(policy)]


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("name", ESTATES)
def test_every_message_reads_as_cel_renders_it(
    lang: str, name: str, request: pytest.FixtureRequest
) -> None:
    runtime, policies = catalogue(lang)
    renders = Renders()
    for group, values in targets(runtime, policies, estate(name, request)):
        renders.compare(runtime, messages(group), values, values["target"])
    assert renders.from_python > 0  # else the comparison proves nothing


def _set(obj: dict[str, Any], keys: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A deep copy of ``obj`` with ``value`` at ``keys`` (maps made on the way)."""
    out = copy.deepcopy(obj)
    node = out
    for key in keys[:-1]:
        if type(node.get(key)) is not dict:
            node[key] = {}
        node = node[key]
    if value is _DROP:
        node.pop(keys[-1], None)
    else:
        node[keys[-1]] = value
    return out


def _hostile_selves(keys: tuple[str, ...], obj: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for value in HOSTILE:
        yield _set(obj, keys, value)
    for step in range(1, len(keys)):  # a step that is not a map
        for value in ("text", [1], None):
            yield _set(obj, keys[:step], value)


def _first_targets(
    runtime: CelRuntime, policies: tuple[CompiledPolicy, ...], decl: DeclarationSet
) -> Iterator[tuple[list[CompiledPolicy], dict[str, Any]]]:
    seen: set[str] = set()
    for group, values in targets(runtime, policies, decl):
        section = values["target"].partition("/")[0]
        if section not in seen:
            seen.add(section)
            yield group, values


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("name", ["hospital", "failing"])
def test_hostile_values_read_as_cel_renders_them(
    lang: str, name: str, request: pytest.FixtureRequest
) -> None:
    runtime, policies = catalogue(lang)
    renders = Renders()
    for group, values in _first_targets(runtime, policies, estate(name, request)):
        found = messages(group)
        where = values["target"]
        paths = {p for t in found for p in t.paths or ()}
        for root, *rest in sorted(paths):
            keys = tuple(rest)
            reading = [t for t in found if t.paths and any(p[0] == root for p in t.paths)]
            if root == "self" and type(values["self"]) is dict:
                for obj in _hostile_selves(keys, values["self"]):
                    renders.compare(runtime, reading, {**values, "self": obj}, where)
            if root == "params":
                for params in _hostile_selves(keys, values["params"]):
                    renders.compare(runtime, reading, {**values, "params": params}, where)
        for bad in ELSEWHERE:  # the fields read are fine, the variable is not
            for root in ("self", "params"):
                if type(values[root]) is dict:
                    spoilt = {**values[root], "zz_hostile": bad}
                    renders.compare(runtime, found, {**values, root: spoilt}, where)
        for now in ("2026-11-28", "28 novembre", "a\x00b", "\ud800"):
            renders.compare(runtime, found, {**values, "now": now}, where)
        for target in ("services/hôpital-😀", "x\x00y", "\ud800"):
            renders.compare(runtime, found, {**values, "target": target}, where)
    assert renders.from_python > 100


def test_only_plain_key_paths_are_read_from_python() -> None:
    assert path_of("self.name", "P-1") == ("self", "name")
    assert path_of(" self.hds.certificate ", None) == ("self", "hds", "certificate")
    assert path_of("params.max_age_days", "P-1") == ("params", "P-1", "max_age_days")
    assert path_of("params.max_age_days", None) == ("params", "max_age_days")
    assert path_of("now", "P-1") == ("now",)
    assert path_of("target", None) == ("target",)
    for source in [
        "self",
        "params",
        "decl.hosts",
        "now.x",
        "self.a[0]",
        "self['a']",
        "self.?a",
        "self.a.orValue('')",
        "has(self.a)",
        "self . a",
        "self.a // comment",
        "self.a + ''",
        "selfish.a",
        "string(self.a)",
    ]:
        assert path_of(source, "P-1") is None, source


def test_a_message_is_read_from_python_once_cel_has_read_its_variables() -> None:
    runtime = CelRuntime()
    tmpl = compile_template(runtime, "{{ self.name }} on {{ now }}")
    other = compile_template(runtime, "{{ self.id }}")
    values = {"self": {"name": "web", "id": "w-1"}, "now": "2026-11-28"}
    activation = runtime.activation(values)
    variables = Variables(values)
    calls = 0
    real = template_module.evaluate

    def counting(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        return real(*args)

    template_module.evaluate = counting  # type: ignore[assignment]
    try:
        assert tmpl.render(activation, variables) == "web on 2026-11-28"
        assert calls == 1  # nothing says yet that CEL converts `self`
        assert other.render(activation, variables) == "w-1"
        assert tmpl.render(activation, variables) == "web on 2026-11-28"
        assert calls == 1
    finally:
        template_module.evaluate = real  # type: ignore[assignment]


def test_a_variable_cel_cannot_convert_is_never_read_from_python() -> None:
    runtime = CelRuntime()
    tmpl = compile_template(runtime, "{{ self.id }} since {{ now }}")
    values = {"self": {"id": "w-1", "port": 2**70}, "now": "2026-11-28"}
    activation = runtime.activation(values)
    variables = Variables(values)
    for _ in range(2):
        assert tmpl.render(activation, variables) == "(unknown) since 2026-11-28"


def test_a_cached_catalogue_carries_the_same_paths() -> None:
    runtime, policies = catalogue("en")
    blob = catalogue_cache.dumps(policies, key="k")
    assert blob is not None
    again = catalogue_cache.loads(runtime, blob, key="k")
    assert [[t.paths for t in templates(p)] for p in again] == [
        [t.paths for t in templates(p)] for p in policies
    ]
    assert sum(t.paths is not None for p in again for t in templates(p)) > 100


_PATHS = [f.name for f in dataclasses.fields(Template)].index("paths") + 1  # after the tag


def _forge(item: Any, paths: Any, done: list[bool]) -> Any:
    """``item`` (a catalogue entry's body, as dumps encodes it) with ``paths`` in place of
    those of its first template of one plain placeholder."""
    if type(item) is tuple and item and item[0] == b"T" and not done:
        old = item[_PATHS]
        if type(old) is tuple and len(old) == 1:
            done.append(True)
            return (*item[:_PATHS], paths, *item[_PATHS + 1 :])
    if type(item) is tuple:
        return tuple(_forge(v, paths, done) for v in item)
    if type(item) is list:
        return [_forge(v, paths, done) for v in item]
    return item


@pytest.mark.parametrize(
    "paths",
    [
        (("decl", "hosts"),),  # a variable the engine does not hold as Python values
        (("self",), ("self", "name")),  # more paths than placeholders
        (("self", b"name"),),
        ("self.name",),
        ((),),
        (("self", 1),),
        {"self": "name"},
    ],
)
def test_a_cached_template_with_wrong_paths_is_refused(paths: Any) -> None:
    runtime, policies = catalogue("en")
    blob = catalogue_cache.dumps(policies, key="k")
    assert blob is not None
    fmt, expressions, body = unseal(blob, "k")
    done: list[bool] = []
    forged = seal("k", (fmt, expressions, _forge(body, paths, done)))
    assert done and forged is not None
    with pytest.raises(ValueError):
        catalogue_cache.loads(runtime, forged, key="k")
    assert len(catalogue_cache.loads(runtime, blob, key="k")) == len(policies)
