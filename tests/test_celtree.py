"""The one decoder of a checked CEL tree (:mod:`hdsguard.policies.celtree`): every node the
checker typed is one of its nodes, and its reference map reads as the checker wrote it. The
readers of the tree (selffields, listpart, locality, rulehelp) decode it nowhere else."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from hdsguard.api import load_policies
from hdsguard.policies.celenv import CelRuntime
from hdsguard.policies.celtree import Node, decode, ids, may_bind, references, tree
from hdsguard.policies.load import located_expressions
from hdsguard.policies.protowire import ANY_VALUE, CHECKED_TYPES, each
from tests.helpers import REPO, use_cache


def _typed(checked: bytes) -> set[int]:
    """The node ids of the type map of ``checked``, a serialized checked expression."""
    body = next(v for n, _w, v, _s, _e in each(checked) if n == ANY_VALUE)
    assert isinstance(body, bytes)
    keys: set[int] = set()
    for number, _wire, entry, _start, _end in each(body):
        if number == CHECKED_TYPES:
            assert isinstance(entry, bytes)
            keys |= {v for n, _w, v, _s, _e in each(entry) if n == 1 and isinstance(v, int)}
    return keys


def test_every_node_the_checker_typed_is_a_node_of_the_tree(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The ids :func:`ids` gives are those listpart keeps the reference and type entries of
    when it cuts a node out: a node it missed would be left untyped in the piece."""
    use_cache(monkeypatch, tmp_path)
    runtime = CelRuntime()
    exprs = [
        e
        for policy in load_policies(())[1].values()
        for _where, located in located_expressions(policy, single=False)
        for e in located
        if e is not None
    ]
    exprs += [
        runtime.compile(text)
        for text in ('self.?a.?b.orValue("") == "x"', '{"k": self.a, self.b: 1}.size() > 0')
    ]
    assert len(exprs) > 500
    for expr in exprs:
        checked = expr.serialize()
        assert _typed(checked) <= ids(decode(checked))


def test_the_reference_map_names_each_variable_and_helper() -> None:
    checked = CelRuntime().compile("provider(self.hosted_by).name == 'x'").serialize()
    found = dict(references(checked))
    assert found["self"] == []
    assert found["provider"] and all(o.startswith("hds_") for o in found["provider"])
    with pytest.raises(ValueError):
        list(references(checked[:-3]))


def test_tree_unwraps_the_binding_of_params_to_its_policy() -> None:
    runtime = CelRuntime()
    bound = runtime.compile('cel.bind(params, params["X-001"], params.max_age > 3)')
    assert tree(bound).kind == "op"
    assert decode(bound.serialize()).kind == "fold"


def test_no_other_module_reads_the_wire_format() -> None:
    """Only celtree decodes a checked tree and listpart copies its fields: the readers that
    each walked the wire with a loop of their own (selffields, locality) read celtree's
    nodes (locality still matches the bytes against names before it decodes anything)."""
    readers = sorted(
        p.name
        for p in (REPO / "src" / "hdsguard").rglob("*.py")
        for node in ast.walk(ast.parse(p.read_text()))
        if isinstance(node, ast.ImportFrom)
        and node.module == "hdsguard.policies.protowire"
        and {a.name for a in node.names} & {"each", "fields", "first", "varint"}
    )
    assert readers == ["celtree.py", "listpart.py"]


def _bound(node: Node) -> set[str]:
    """The names the comprehensions of ``node`` bind (item and accumulator variables)."""
    found = {node.name, str(node.value)} if node.kind == "fold" else set()
    for child in (*node.args, *node.children, *([node.target] if node.target else [])):
        found |= _bound(child)
    return found


BINDING = [
    "decl.systems.map(self, self.id)",
    "decl.systems.map((self), self.id)",
    "decl.systems.map( ( self ) , self.id)",
    "decl.systems.filter(self, self.id == '')",
    "decl.systems.map(self, self.id != '', self.id)",
    "decl.systems.all(target, target.id != '')",
    "decl.systems.exists(target, target.id != '')",
    "decl.systems.exists_one(target, target.id != '')",
    "cel.bind(self, 1, self) > 0",
    "cel.bind(target, 'x', target) == target",
    "self.?a.optMap(self, self) == optional.none()",
    "decl.systems.map(s, cel.bind(x, s, [1].all(target, target > 0)))",
]
NOT_BINDING = [
    "self.a == target",
    ".self.a == 'self'",
    "'self, target' == target",
    "decl.systems.map(s, s.id + target).exists(x, x == self.id)",
    "cel.bind(selfish, self, selfish.targets) == []",
    "decl.systems.map(targets, targets.self)",
]
# A string holding the bytes of a comprehension's variable `self`: counted as one (a doubt).
DOUBT = ['"\\n\\x04self" == target']


@pytest.mark.parametrize("text", BINDING + NOT_BINDING + DOUBT)
def test_may_bind_says_whether_a_comprehension_binds_self_or_target(text: str) -> None:
    checked = CelRuntime().env.compile(text).serialize()
    binds = bool(_bound(decode(checked)) & {"self", "target"})
    assert binds == (text in BINDING)
    assert may_bind(checked, ("self", "target")) == (binds or text in DOUBT)


def test_may_bind_agrees_with_the_decoded_tree_over_the_catalogue(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Exact for `self` and `target` on every expression of the catalogue (a doubt would
    lose its twins, inline.py), and never False where a comprehension binds the name, for
    each name one binds there."""
    use_cache(monkeypatch, tmp_path)
    exprs = [
        e
        for policy in load_policies(())[1].values()
        for _where, located in located_expressions(policy, single=False)
        for e in located
        if e is not None
    ]
    names = set().union(*(_bound(decode(e.serialize())) for e in exprs)) - {""}
    assert {"hds_own_v", "x", "@result"} <= names
    for expr in exprs:
        checked = expr.serialize()
        bound = _bound(decode(checked))
        assert may_bind(checked, ("self", "target")) == bool(bound & {"self", "target"})
        for name in bound & names:
            assert may_bind(checked, (name,))
