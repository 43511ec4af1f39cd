"""No import cycle among hdsguard's own modules.

Every ``import`` and ``from … import`` of ``src/hdsguard`` counts, at module level and inside
functions alike: a function-level import only defers a cycle to the first call, where it
fails the same way or, worse, half-way through a run. Imports under ``if TYPE_CHECKING:``
do not count, since they never run. ``from package import name`` counts as importing
``package.name`` when that is a module, else ``package``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.helpers import REPO

SRC = REPO / "src"


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted((SRC / "hdsguard").rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import under ``node``, those of ``if TYPE_CHECKING:`` blocks left out."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child):
            for other in child.orelse:
                yield from _imports(other)
            continue
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        yield from _imports(child)


def imported(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The hdsguard modules that module ``name`` (file ``path``) imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    return imports_in(path.read_text(encoding="utf-8"), name, package, set(known))


def imports_in(text: str, name: str, package: str, known: set[str]) -> set[str]:
    """The modules of ``known`` that the source ``text`` of module ``name`` imports."""
    out: set[str] = set()
    for node in _imports(ast.parse(text)):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            parents = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*parents, *([node.module] if node.module else [])])
        for alias in node.names:
            out.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {module for module in out if module in known and module != name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_among_hdsguard_modules() -> None:
    known = modules()
    graph = {name: imported(name, path, known) for name, path in known.items()}
    assert cycles(graph) == []


def test_the_check_finds_cycles_through_function_level_imports() -> None:
    """The test above can fail: a cycle closed by an import inside a function is found, one
    closed only under TYPE_CHECKING is not."""
    sources = {
        "p.a": "from p import b\n",
        "p.b": "def f():\n    from .a import x\n",
        "p.c": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import p.a\n",
    }
    graph = {name: imports_in(text, name, "p", set(sources)) for name, text in sources.items()}
    assert graph == {"p.a": {"p.b"}, "p.b": {"p.a"}, "p.c": set()}
    assert cycles(graph) == [["p.a", "p.b"]]
