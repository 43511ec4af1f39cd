"""What to write in a field: its expected value, read from the JSON Schema of the format.

Two kinds of message need it. A required field left out of an object ("required field
'protocol' is missing"), or a value of the wrong type, says what to write, as the
invalid-value message does (the allowed values, the form of a date, a country code, the
section a reference names); a rule evaluated on a singleton section that no file declares
says which section to add and gives the fields the rule needs as one line of YAML to paste
(``identity: {mfa_admin: true|false}``).

The declaration schema is read from ``schemas/declaration.schema.json`` (what the package
ships, generated from the model, :mod:`hdsguard.schemagen`): the engine needs it for the second
message without importing the pydantic model (tens of milliseconds, and a run whose every
singleton is declared never reads it). Config, waiver and baseline files keep pydantic's
words (their fields are few, and documented in docs/configuration.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hdsguard.i18n import N_, _

Node = Mapping[str, Any]

_ID_PATTERN = "^[a-z0-9][a-z0-9._-]*$"
# The country codes' schema is one alternation of the 249 ISO 3166-1 codes (model.Country).
_COUNTRY_START = "^(AD|"

# What a value is, as the object of "add `field:` with …" or "write …".
# The largest integer the policies' engine (CEL) holds: the model bounds counts of days with
# it so that no rule fails to evaluate, but it is no limit a user writes to: a hint says "0 or
# more", not "from 0 to 9223372036854775807".
ENGINE_INT_MAX = 2**63 - 1

WHAT_CHOICES = N_("one of {choices}")
WHAT_BOOL = N_("`true` or `false`")
WHAT_DATE = N_("a date written YYYY-MM-DD, such as `2026-11-28`")
WHAT_RANGE = N_("a number from {low} to {high}")
WHAT_AT_LEAST = N_("a number, {low} or more")
WHAT_WHOLE_RANGE = N_("a whole number from {low} to {high}")
WHAT_WHOLE_AT_LEAST = N_("a whole number, {low} or more")
WHAT_WHOLE = N_("a whole number")
WHAT_NUMBER = N_("a number")
WHAT_COUNTRY = N_("an ISO 3166-1 alpha-2 country code, such as `FR`")
WHAT_ID = N_(
    "an id (lower case letters, digits, '.', '_' and '-', starting with a letter or a "
    "digit), such as `{example}`"
)
WHAT_REFERENCE = N_("the id of one of the `{section}` the set declares")
WHAT_TEXT = N_("a text")
WHAT_LIST = N_("a list")
WHAT_LIST_OF = N_("a list, each item {item}")
WHAT_MAPPING = N_("a mapping of fields")
WHAT_MAPPING_OF = N_("a mapping of its fields ({fields})")

# Placeholders of a value in a line of YAML to paste (the rest of the line is YAML itself).
_WHOLE_PLACEHOLDER = N_("<whole number>")
_NUMBER_PLACEHOLDER = N_("<number>")
_COUNTRY_PLACEHOLDER = N_("<country code>")
_ID_PLACEHOLDER = N_("<id>")


def declaration_schema() -> Node | None:
    """The shipped declaration schema, or None when it cannot be read (a message then names
    the fields without their values, never fails)."""
    from hdsguard.shipped import shipped_schema

    return shipped_schema("declaration")


def node_at(schema: Node, path: Sequence[str | int]) -> Node | None:
    """The schema of the value at ``path`` (keys and list indexes, as in a file) in
    ``schema``, or None when the path leaves it."""
    node: Node | None = resolve(schema, schema)
    for step in path:
        if node is None:
            return None
        if isinstance(step, int):
            items = node.get("items")
            node = resolve(schema, items) if isinstance(items, Mapping) else None
        else:
            props = node.get("properties")
            child = props.get(step) if isinstance(props, Mapping) else None
            node = resolve(schema, child) if isinstance(child, Mapping) else None
    return node


def resolve(schema: Node, node: Node) -> Node:
    """``node`` with its ``$ref`` followed and a nullable ``anyOf`` reduced to its one value;
    the node's own keys (its description) win over the referenced ones."""
    seen = 0
    while seen < 20:  # a malformed schema must not loop
        seen += 1
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            target: Any = schema
            for part in ref[2:].split("/"):
                target = target.get(part) if isinstance(target, Mapping) else None
            if not isinstance(target, Mapping):
                return node
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            continue
        branches = node.get("anyOf")
        if isinstance(branches, list):
            kept = [b for b in branches if isinstance(b, Mapping) and b.get("type") != "null"]
            # Several kinds of value (a firewall rule's port: a number, a range or `any`):
            # left as is, what to write is then not said rather than half said.
            if len(kept) == 1:
                node = {**kept[0], **{k: v for k, v in node.items() if k != "anyOf"}}
                continue
        return node
    return node


def expected(
    schema: Node, node: Node, *, reference: str | None = None, example: str | None = None
) -> str:
    """What to write for a value of schema ``node``, for "add `field:` with …" ("one of
    `ftp`, …", "a date written YYYY-MM-DD…"); ``reference``: the list section whose ids the
    field names; ``example``: an id to suggest, for an ``id``. Empty when the schema says too
    little to help."""
    if reference is not None:
        return _(WHAT_REFERENCE).format(section=reference)
    enum = node.get("enum")
    if isinstance(enum, list) and enum:
        return _(WHAT_CHOICES).format(choices=", ".join(f"`{v}`" for v in enum))
    kind = node.get("type")
    if kind == "boolean":
        return _(WHAT_BOOL)
    if kind == "string" and node.get("format") == "date":
        return _(WHAT_DATE)
    if kind in ("integer", "number"):
        whole = kind == "integer"
        low, high = node.get("minimum"), _user_max(node)
        if low is not None and high is not None:
            template = WHAT_WHOLE_RANGE if whole else WHAT_RANGE
            return _(template).format(low=low, high=high)
        if low is not None:
            template = WHAT_WHOLE_AT_LEAST if whole else WHAT_AT_LEAST
            return _(template).format(low=low)
        return _(WHAT_WHOLE if whole else WHAT_NUMBER)
    pattern = node.get("pattern")
    if kind == "string" and isinstance(pattern, str):
        if pattern.startswith(_COUNTRY_START):
            return _(WHAT_COUNTRY)
        if pattern == _ID_PATTERN:
            return _(WHAT_ID).format(example=example or "item-1")
    if kind == "string":
        return _(WHAT_TEXT)
    if kind == "array":
        items = node.get("items")
        item = expected(schema, resolve(schema, items)) if isinstance(items, Mapping) else ""
        return _(WHAT_LIST_OF).format(item=item) if item else _(WHAT_LIST)
    if kind == "object":
        props = node.get("properties")
        names = [n for n in props if n != "notes"] if isinstance(props, Mapping) else []
        if names and len(names) <= 8:
            return _(WHAT_MAPPING_OF).format(fields=", ".join(f"`{n}`" for n in names))
        return _(WHAT_MAPPING)
    return ""


def placeholder(schema: Node, node: Node, depth: int = 0) -> str:
    """A value of schema ``node`` as it is written in YAML, with its choices or form where
    the value is the reader's (``true|false``, ``YYYY-MM-DD``, ``1..5``)."""
    branches = node.get("anyOf")
    if isinstance(branches, list) and branches and isinstance(branches[0], Mapping):
        return placeholder(schema, resolve(schema, branches[0]), depth + 1)  # the usual form
    enum = node.get("enum")
    if isinstance(enum, list) and enum:
        return "|".join(str(v) for v in enum)
    kind = node.get("type")
    if kind == "boolean":
        return "true|false"
    if kind == "string":
        if node.get("format") == "date":
            return "YYYY-MM-DD"
        pattern = node.get("pattern")
        if isinstance(pattern, str) and pattern.startswith(_COUNTRY_START):
            return _(_COUNTRY_PLACEHOLDER)
        if pattern == _ID_PATTERN:
            return _(_ID_PLACEHOLDER)
        return '"…"'
    if kind in ("integer", "number"):
        low, high = node.get("minimum"), _user_max(node)
        if low is not None and high is not None:
            return f"{low}..{high}"
        shown = _WHOLE_PLACEHOLDER if kind == "integer" else _NUMBER_PLACEHOLDER
        return _(shown)
    if kind == "array":
        items = node.get("items")
        if isinstance(items, Mapping) and depth < 4:
            return f"[{placeholder(schema, resolve(schema, items), depth + 1)}, …]"
        return "[…]"
    if kind == "object" and depth < 4:
        required = [r for r in node.get("required") or () if isinstance(r, str)]
        return _mapping(schema, node, {name: {} for name in required}, depth)
    return "…"


def _mapping(schema: Node, node: Node, tree: Mapping[str, Any], depth: int) -> str:
    """``{a: …, b: {c: …}}``: the fields of ``tree`` (key -> subtree, empty for a leaf) of the
    object of schema ``node``, preceded by its required fields."""
    required = [r for r in node.get("required") or () if isinstance(r, str)]
    fields: dict[str, Mapping[str, Any]] = {name: {} for name in required if name not in tree}
    fields.update(tree)
    props = node.get("properties")
    parts: list[str] = []
    for name, sub in fields.items():
        child = props.get(name) if isinstance(props, Mapping) else None
        child = resolve(schema, child) if isinstance(child, Mapping) else None
        if child is None:
            parts.append(f"{name}: …")
        elif sub and child.get("type") == "object":
            parts.append(f"{name}: {_mapping(schema, child, sub, depth + 1)}")
        else:
            parts.append(f"{name}: {placeholder(schema, child, depth + 1)}")
    return "{" + ", ".join(parts) + "}" if parts else "{…}"


def section_snippet(section: str, paths: Sequence[Sequence[str]]) -> str:
    """One line of YAML declaring ``section`` with the fields at ``paths`` (and the section's
    required fields): ``identity: {admin_accounts: {dedicated: true|false}}``."""
    tree: dict[str, Any] = {}
    for path in paths:
        level = tree
        for step in path:
            level = level.setdefault(str(step), {})
    schema = declaration_schema()
    node = node_at(schema, [section]) if schema is not None else None
    if schema is None or node is None:
        return f"{section}: " + _bare(tree)
    return f"{section}: {_mapping(schema, node, tree, 0)}"


def _bare(tree: Mapping[str, Any]) -> str:
    """``{a: …, b: {c: …}}`` without a schema (one that cannot be read)."""
    parts = [f"{k}: {_bare(v) if v else '…'}" for k, v in tree.items()]
    return "{" + ", ".join(parts) + "}"


def _user_max(node: Mapping[str, Any]) -> Any:
    """The maximum of ``node`` a user writes to, None for the engine's own bound."""
    high = node.get("maximum")
    return None if high == ENGINE_INT_MAX else high
