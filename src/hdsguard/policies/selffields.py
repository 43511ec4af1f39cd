"""The fields of ``self`` a policy's expressions read, checked against the declaration schema.

A user's rule whose condition reads ``self.management_exposd`` (a typo) compiles, since
``self`` is dynamic, and then never sees a declared value: ``!has(self.management_exposd) ||
…`` passes on every firewall, a green that lies. Declarations refuse every key the schema does
not name, so a field the schema does not have can never be declared; reading one is refused
when the policy loads, with the field it most likely meant.

The paths are read from each expression's checked syntax tree (``self.a.b`` is a select of
``b`` on a select of ``a`` on the identifier ``self``), never from its text, so strings and
comments cannot fool it. A path is refused only when no declared section the policy applies
to has it (a rule on services and systems reads ``self.software`` in its services branch);
a policy that also applies to an evidence section, whose objects the schema does not
describe, and a field whose schema is free-form (no listed properties) are not checked.

The same walk refuses ``params.max_ag`` when the policy declares no such parameter, and
``decl.firewall`` (no such section): both were an ``error`` finding on every target at run
time, and ``has(params.x)`` a silent false.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Iterator, Sequence

from cel_expr_python import cel

from hdsguard.declarations.fieldhint import Node, declaration_schema, node_at, resolve
from hdsguard.declarations.sections import EVIDENCE_SECTIONS, SECTIONS
from hdsguard.i18n import _
from hdsguard.policies.celtree import Node as Expr
from hdsguard.policies.celtree import tree

# A chain read from a variable: the variable, then field names, and 0 for "an item of the
# list" (``r`` in ``self.rules.exists(r, …)`` is ``("self", "rules", 0)``).
FieldPath = tuple[str | int, ...]
# The variables whose fields are known when a policy loads: the target, the policy's own
# parameters, the declaration set's sections.
ROOTS = ("self", "params", "decl")


def self_paths(expr: cel.Expression) -> set[FieldPath]:
    """Every ``self.a.b…`` chain ``expr`` reads (and each of its prefixes); an empty set when
    the tree cannot be decoded (nothing is then refused)."""
    return {path[1:] for path in root_paths(expr) if path[0] == "self"}


def root_paths(expr: cel.Expression) -> set[FieldPath]:
    """Every chain ``expr`` reads from one of the variables of :data:`ROOTS`, the variable
    first (``("params", "max_age")``), with each of its prefixes."""
    found: set[FieldPath] = set()
    try:
        _walk(tree(expr), found, {})
    except Exception:  # an unexpected payload (the runtime raises plain RuntimeErrors)
        return set()
    return found


Env = dict[str, "FieldPath | None"]  # None: a variable that shadows a root


def _walk(node: Expr, found: set[FieldPath], env: Env) -> None:
    if node.kind == "fold":
        _comprehension(node, found, env)
        return
    if node.kind == "select":  # `self.a`, or `self.?a`: a select that may find nothing
        chain = _as_chain(node, env)
        if chain is not None:
            found.add(chain)
    if node.target is not None:
        _walk(node.target, found, env)
    for sub in (*node.args, *node.children):
        _walk(sub, found, env)


def _comprehension(fold: Expr, found: set[FieldPath], env: Env) -> None:
    """A macro's variables stand for what they range over: ``r`` in ``self.rules.exists(r,
    …)`` is an item of ``self.rules``; ``x`` in ``cel.bind(x, self.backup, …)`` is
    ``self.backup``. A variable bound to anything else shadows an outer one of its name."""
    items, init, *body = fold.children
    inner = dict(env)
    for name, source, item in ((fold.name, items, True), (str(fold.value), init, False)):
        if not name:
            continue
        bound = _as_chain(source, env)
        if bound is None:
            inner[name] = None
        else:
            inner[name] = (*bound, 0) if item else bound
    _walk(items, found, env)
    _walk(init, found, env)
    for part in body:
        _walk(part, found, inner)


def _as_chain(node: Expr, env: Env) -> FieldPath | None:
    """The path ``node`` is, when it is a chain from a known variable (``self.rules``, ``r``,
    ``self.?a.b``); None when it does not start at one of :data:`ROOTS` or a variable bound
    to a chain from one."""
    if node.kind == "ident":
        if node.name in env:
            return env[node.name]
        return (node.name,) if node.name in ROOTS else None
    if node.kind == "select" and node.target is not None:
        base = _as_chain(node.target, env)
        return None if base is None else (*base, node.name)
    if (
        node.kind == "index"
        and not node.optional
        and _as_chain(node.children[0], env) == ("params",)
    ):
        # `params[id]`: the loader binds `params` to the policy's own parameters this way
        # (celenv.scope_to_policy); they are what `params.x` then reads.
        return ("params",)
    return None


def unknown_field_messages(
    applies_to: Sequence[str],
    params: Collection[str],
    exprs: Iterable[cel.Expression | None],
    key: str,
) -> Iterator[tuple[FieldPath, str]]:
    """The path and message of each chain of ``exprs`` that reads nothing: a field of ``self``
    no section of ``applies_to`` can declare, a parameter the policy does not have
    (``params``), a section that does not exist or a field of it no object can declare
    (``decl.x``); shortest first (``self.a`` rather than also ``self.a.b``). ``key`` names
    where the policy file writes them (``checks[1].condition``)."""
    paths: set[FieldPath] = set()
    for expr in exprs:
        if expr is not None:
            paths |= root_paths(expr)
    reported: set[FieldPath] = set()
    for path in sorted(paths, key=lambda p: (len(p), tuple(map(str, p)))):
        if len(path) < 2 or any(path[: len(done)] == done for done in reported):
            continue
        message = _unknown(path, applies_to, params, key)
        if message is not None:
            reported.add(path)
            yield path, message


def _unknown(
    path: FieldPath, applies_to: Sequence[str], params: Collection[str], key: str
) -> str | None:
    root, name = path[0], str(path[1])
    if root == "params":
        if name in params:
            return None
        message = _("{key} reads `params.{name}`, but the policy has no parameter `{name}`")
        return message.format(key=key, name=name) + _close(name, params)
    schema = declaration_schema()
    if root == "decl":
        sections = (*SECTIONS, *EVIDENCE_SECTIONS)
        if name not in sections:
            message = _("{key} reads `decl.{name}`, but no section is named `{name}`")
            return message.format(key=key, name=name) + _close(name, sections)
        rest = path[2:]
        if name not in SECTIONS or schema is None or not rest:
            return None
        if not SECTIONS[name]:  # a list section: only its items have fields
            if rest[0] != 0:
                return None
            rest = rest[1:]
        miss = _miss(schema, name, rest)
        return None if miss is None else _message([name], path, len(path) - len(rest), miss, key)
    if schema is None or not applies_to or any(s not in SECTIONS for s in applies_to):
        return None
    misses = [_miss(schema, section, path[1:]) for section in applies_to]
    if any(miss is None for miss in misses):
        return None
    index = min(m[0] for m in misses if m is not None)
    choices = sorted({n for m in misses if m is not None and m[0] == index for n in m[1]})
    return _message(applies_to, path, 1, (index, choices), key)


def _close(name: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(choices), n=1, cutoff=0.6)
    return _("; did you mean `{close}`?").format(close=close[0]) if close else ""


def _miss(schema: Node, section: str, path: FieldPath) -> tuple[int, list[str]] | None:
    """Where ``path`` (fields, and 0 for an item of a list) leaves the schema of an object of
    ``section``: the index of the step and the fields it could have named; None when it does
    not, or leaves what the schema describes."""
    node: Node | None = node_at(schema, [section] if SECTIONS[section] else [section, 0])
    for index, step in enumerate(path):
        if node is None:
            return None
        if isinstance(step, int):
            items = node.get("items")
            node = resolve(schema, items) if isinstance(items, dict) else None
            continue
        props = node.get("properties")
        if not isinstance(props, dict):
            return None  # free-form, or past what the schema describes: not checked
        child = props.get(step)
        if not isinstance(child, dict):
            return index, sorted(props)
        node = resolve(schema, child)
    return None


def _message(
    sections: Sequence[str],
    path: FieldPath,
    start: int,
    miss: tuple[int, list[str]],
    key: str,
) -> str:
    """``path`` leaves the schema at its step ``start + miss[0]``."""
    index, choices = miss
    end = start + index
    field = str(path[end])
    written = "".join(
        "[*]" if isinstance(step, int) else (step if at == 0 else f".{step}")
        for at, step in enumerate(path[: end + 1])
    )
    message = _(
        "{key} reads `{path}`, but `{field}` is no field an object of {sections} can declare "
        "(the declaration schema has no such field): it would never see a declared value"
    ).format(key=key, path=written, field=field, sections=", ".join(f"`{s}`" for s in sections))
    return message + _close(field, choices)
