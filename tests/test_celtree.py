"""The one decoder of a checked CEL tree (:mod:`hdsguard.policies.celtree`): every node the
checker typed is one of its nodes, and its reference map reads as the checker wrote it. The
readers of the tree (selffields, listpart, locality, rulehelp) decode it nowhere else."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from hdsguard.api import load_policies
from hdsguard.policies.celenv import CelRuntime
from hdsguard.policies.celtree import decode, ids, references, tree
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
