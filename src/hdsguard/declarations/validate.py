"""Validate one parsed file against the declaration model, as located, readable problems."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from hdsguard.declarations.errtext import error_message, file_kind
from hdsguard.errors import Problem
from hdsguard.i18n import N_, _, labelled
from hdsguard.speed.precheck import certainly_valid

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

    from hdsguard.declarations.located import Path, SourceFile

FORMAT_VERSION = 1
_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")


# What of a file that has problems may still be read (:func:`validate_parts`): its objects
# other than these. (section, index) is one item of a list section; (section, None) a whole
# section (a singleton, or a list that is not a list); WHOLE the whole file.
Broken = frozenset[tuple[str, int | None]]
WHOLE: tuple[str, int | None] = ("", None)


def validate(source: SourceFile) -> list[Problem]:
    """All the problems of one file (empty when it is valid)."""
    return validate_parts(source)[0]


def validate_parts(source: SourceFile) -> tuple[list[Problem], Broken]:
    """All the problems of one file, and which of its objects they make unreadable.

    The other objects of the file are checked further (their dates, their references, their
    ids) in the same run, so that a user sees every independent problem at once rather
    than in rounds (a schema error, then a date, then a reference)."""
    data = source.data
    if data is None:
        # An empty file is more likely a truncated export or a mistake than an intent: a
        # compliance check must not silently read nothing from it. Located at 1:1, as a file
        # that is not a mapping: errors are file:line:column.
        message = _(
            "the file declares nothing (empty, or only comments): declare at least one "
            "section, or delete the file"
        )
        return [Problem(source.path, 1, 1, message)], frozenset({WHOLE})
    if not isinstance(data, dict):
        message = _(
            "a declaration file is a mapping of sections (organisation:, providers:, …), not {type}"
        ).format(type=_type_name(data))
        return [Problem(source.path, 1, 1, message)], frozenset({WHOLE})
    problem = version_problem(source, data)
    if problem:
        return [problem], frozenset({WHOLE})  # a later format: nothing of it is read
    if certainly_valid(data):
        return [], frozenset()  # the model would accept it: do not pay for building the model
    from pydantic import ValidationError

    from hdsguard.declarations.model import DeclarationFile

    try:
        DeclarationFile.model_validate(data)
    except ValidationError as exc:
        return schema_problems(source, exc, DeclarationFile), _broken(data, exc)
    return [], frozenset()


def _broken(data: dict[str, Any], exc: ValidationError) -> Broken:
    """The objects (list items, singletons) that the errors of ``exc`` fall in."""
    broken: set[tuple[str, int | None]] = set()
    for err in exc.errors(include_url=False):
        path = _data_path(data, tuple(err["loc"]))
        if not path or not isinstance(path[0], str):
            return frozenset({WHOLE})  # an error of the file itself
        if len(path) >= 2 and isinstance(path[1], int) and isinstance(data[path[0]], list):
            broken.add((path[0], path[1]))
        else:
            broken.add((path[0], None))
    return frozenset(broken)


def schema_problems(
    source: SourceFile, exc: ValidationError, model: type[BaseModel]
) -> list[Problem]:
    """Located, readable problems (with "did you mean" hints) for a validation of ``model``.

    Unknown keys that together make an item of another section (a service pasted under
    ``firewalls:``) are one problem that says where it goes, not one per key.
    """
    from hdsguard.declarations.advice import misplaced_section

    errors = exc.errors(include_url=False)
    unknown: dict[Path, list[str]] = {}
    for err in errors:
        if err["type"] == "extra_forbidden":
            path = _data_path(source.data, tuple(err["loc"]))
            unknown.setdefault(path[:-1], []).append(str(path[-1] if path else err["loc"][-1]))
    moved: dict[Path, str] = {}
    for container, keys in unknown.items():
        message = misplaced_section(source.data, container, keys, model)
        if message is not None:
            moved[container] = message
    errors = _one_per_union(source.data, errors)
    problems: list[Problem] = []
    told: set[Path] = set()
    for err in errors:
        if moved and err["type"] != "extra_forbidden":
            path = _data_path(source.data, tuple(err["loc"]))
            if any(path[: len(c)] == c for c in moved):
                continue  # an item of another section: where it goes is the one problem
        if err["type"] == "extra_forbidden":
            container = _data_path(source.data, tuple(err["loc"]))[:-1]
            if container in moved:
                if container not in told:  # one problem for the whole item
                    told.add(container)
                    line, column = source.locate(container)
                    what = _describe(source.data, container)
                    problems.append(
                        Problem(source.path, line, column, labelled(what, moved[container]))
                    )
                continue
        problems.append(_problem(source, err, model))
    return problems


# A value of the wrong type for one member of a union (a firewall rule's `port`: a number or
# a text such as "8000-8080").
_TYPE_ERRORS = frozenset(
    {"int_type", "string_type", "float_type", "bool_type", "list_type", "dict_type", "model_type"}
)


# Errors of a value of the right type but out of bounds, or a boolean written otherwise, whose
# message gains what the field takes (`port: 70000`: "a whole number from 1 to 65535").
_HINTED = frozenset(
    {"bool_type", "greater_than_equal", "greater_than", "less_than_equal", "less_than"}
)


def _one_per_union(data: Any, errors: list[Any]) -> list[Any]:
    """One error per value that failed every member of a union, not one per member: the
    member whose type the value has says what is wrong (`port: "*"` does not have the form of
    a range), the others only that it is not of their type ("should be a valid integer")."""
    by_path: dict[Path, list[Any]] = {}
    for err in errors:
        by_path.setdefault(_data_path(data, tuple(err["loc"])), []).append(err)
    dropped: set[int] = set()
    for same in by_path.values():
        if len(same) < 2 or len({tuple(e["loc"]) for e in same}) < 2:
            continue  # one member, or one error: nothing to merge
        telling = [e for e in same if e["type"] not in _TYPE_ERRORS]
        kept = {id(e) for e in telling or same[:1]}
        dropped.update(id(e) for e in same if id(e) not in kept)
    return [e for e in errors if id(e) not in dropped]


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``choices``, or an empty string."""
    hint = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return _("; did you mean '{hint}'?").format(hint=hint[0]) if hint else ""


def closest_rule(rule: str, ids: Sequence[str]) -> str | None:
    """The rule id ``rule`` most likely meant: the same prefix and number written as the
    catalogue writes it (``GOV-01``, ``gov-1``: ``GOV-001``, never ``GOV-010`` which is as
    close letter by letter), else the closest spelling."""
    found = re.fullmatch(r"([A-Za-z]+)-?0*([0-9]+)", rule.strip())
    if found:
        number = int(found.group(2))
        padded = f"{found.group(1).upper()}-{number:03d}"
        if padded in ids:
            return padded
    close = difflib.get_close_matches(rule.upper(), list(ids), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean_rule(rule: str, ids: Sequence[str]) -> str:
    """``"; did you mean 'GOV-001'?"`` for an unknown rule id, or an empty string."""
    hint = closest_rule(rule, ids)
    return _("; did you mean '{hint}'?").format(hint=hint) if hint else ""


def version_problem(
    source: SourceFile, data: dict[str, Any], what: str = "declaration", *, as_json: bool = False
) -> Problem | None:
    """A ``version`` other than 1 is refused: never misread a later format.

    ``what`` is one of :data:`FILE_KINDS` (the kind of file, in the run's language); ``as_json``:
    the file is JSON whatever its name (else a name ending ``.json`` says so), whose fix is
    written in JSON."""
    if "version" not in data or data["version"] == FORMAT_VERSION:
        return None
    line, column = source.locate(("version",), value=True)
    version = data["version"]
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        message = _(
            "{what} format version {version} is newer than this hdsguard understands "
            "(version {supported}): upgrade hdsguard rather than risk misreading the file"
        ).format(what=file_kind(what), version=version, supported=FORMAT_VERSION)
    else:
        # `version: 1` is YAML: pasted into a JSON file it is a syntax error.
        json_file = as_json or source.path.lower().endswith(".json")
        message = _("unsupported {what} format version {version}: write `{fix}`").format(
            what=file_kind(what),
            version=repr(version),
            fix='"version": 1' if json_file else "version: 1",
        )
    return Problem(source.path, line, column, message)


def _problem(source: SourceFile, err: Any, model: type[BaseModel]) -> Problem:
    loc: tuple[str | int, ...] = tuple(err["loc"])
    path = _data_path(source.data, loc)
    kind = err["type"]
    what = _describe(source.data, path)
    if kind == "extra_forbidden":
        key = path[-1] if path else loc[-1]
        from hdsguard.declarations.model import field_names

        allowed = field_names(model, list(path[:-1]))
        line, column = source.locate(path)
        hint = did_you_mean(str(key), allowed)
        if not hint and model.__name__ == "DeclarationFile":
            from hdsguard.declarations.advice import field_elsewhere

            hint = field_elsewhere(tuple(path[:-1]), str(key), model)
        where = _describe(source.data, path[:-1]) or _("the top level")
        message = _("unknown key '{key}' in {where}").format(key=key, where=where) + hint
        if not hint and allowed:
            message += _("; expected one of: {keys}").format(keys=", ".join(allowed))
        return Problem(source.path, line, column, message)
    if kind == "missing":
        line, column = source.locate(path)
        missing = loc[-1]
        where = what or _("the top level")
        message = _("required field '{field}' is missing").format(field=missing)
        message += _missing_hint(source.data, path, str(missing), model)
        return Problem(source.path, line, column, labelled(where, message))
    line, column = source.locate(path, value=True)
    got = err.get("input")
    if kind in ("model_type", "dict_type", "list_type") and _is_section(model, path):
        # A whole section of the wrong shape: say what a section of that kind looks like.
        message = _section_shape(str(path[0]), got)
        return Problem(source.path, line, column, labelled(what, message))
    # pydantic names the model's class ("instance of Identity"): a user wrote a mapping.
    message = error_message({**err, "type": "dict_type"} if kind == "model_type" else err)
    if kind == "string_pattern_mismatch" and isinstance(got, str):
        from hdsguard.declarations.advice import pattern_message

        message = pattern_message(str(err.get("ctx", {}).get("pattern", "")), got)
    elif (kind.startswith("literal_error") or kind == "enum") and isinstance(got, str):
        from hdsguard.declarations.advice import choice_message

        message = choice_message(got, _options(str(err.get("ctx", {}).get("expected", ""))))
    elif (
        kind.startswith("literal_error")
        and type(got) in (int, float)
        and str(got) in _options(str(err.get("ctx", {}).get("expected", "")))
    ):
        # `min_version: 1.2` unquoted is a number, the choice is the text "1.2": say so,
        # rather than "should be '1.2'" to a user who wrote 1.2.
        message = _('invalid value {got} (a number): write `"{got}"`, in quotes').format(got=got)
    elif (
        (kind.startswith("literal_error") or kind == "enum")
        and type(got) in (int, float)
        and _numbered_choices(got, _options(str(err.get("ctx", {}).get("expected", ""))))
    ):
        # `referential: 2`, `min_version: 1`: the number the choice is written with, not the
        # choice; say which texts it stands for rather than "should be 'v1.1' or 'v2'".
        shown = _numbered_choices(got, _options(str(err.get("ctx", {}).get("expected", ""))))
        likely = f"{got}.0" if type(got) is int and f"{got}.0" in shown else None
        if likely is not None:
            # `min_version: 1` most likely means TLS 1.0 (often called "TLS 1"), but it may be
            # a minimum half-written: name the likely reading, and the others, without guessing.
            message = _(
                'invalid value {got} (a number): version {got} most likely means `"{fix}"`; '
                "write it in quotes, or the version meant: {choices}"
            ).format(
                got=got,
                fix=likely,
                choices=", ".join(f'`"{o}"`' for o in shown if o != likely),
            )
        elif len(shown) == 1:
            message = _('invalid value {got} (a number): write `"{fix}"`, in quotes').format(
                got=got, fix=shown[0]
            )
        else:
            message = _("invalid value {got} (a number): write one of {choices}, in quotes").format(
                got=got, choices=", ".join(f'`"{o}"`' for o in shown)
            )
    elif kind == "less_than_equal" and _beyond_engine(got):
        # Beyond what the rules' engine holds: no count of days or hours is that large, and
        # "less than or equal to 9223372036854775807" names no value a person would write.
        message = _(
            "{got} is far too large ({digits} digits): no count is that large; write the real "
            "number"
        ).format(got=got, digits=len(str(got)))
    elif kind.startswith("bool") and isinstance(got, str):
        message = _("{message}: got '{got}' (write true or false)").format(message=message, got=got)
    elif kind in {"int_type", "string_type", "float_type", "list_type", "dict_type", "model_type"}:
        plain, message = (
            message,
            _("{message}, got {type}").format(message=message, type=_type_name(got)),
        )
        span = _range_text(got) if kind == "int_type" else None
        if span is not None and _scalar_items(path[:-1], model, 0):
            # `activities: [1-6]`: a range is no number; write each number of it.
            message += _("; a range is not a number: write each one, `[{numbers}]`").format(
                numbers=", ".join(map(str, span))
            )
        elif kind == "string_type" and type(got) is int:  # not a boolean
            message += _(' (quote it, e.g. "0123", to keep leading zeros)')
        elif kind == "string_type" and model.__name__ == "Config" and path == ("waivers",):
            # Waivers written in the config itself, as some tools take them.
            message += _(
                "; `waivers:` names the waiver file (a path, such as `waivers.yaml`): write the "
                "waivers in that file, under its own `waivers:`"
            )
        elif (
            kind in {"int_type", "float_type"}
            and isinstance(got, str)
            and _numeric(got, whole=kind == "int_type")
        ):
            # `retention_days: "365"`: the fix is to drop the quotes, say so.
            message += _(" (write {got} without quotes)").format(got=got.strip())
        elif kind == "int_type" and isinstance(got, str) and _WITH_UNIT.fullmatch(got):
            # `breach_notice_hours: 72h`, `retention_days: 365 jours`: the field's name gives
            # the unit; the value is the number alone.
            number = _WITH_UNIT.fullmatch(got).group(1)  # type: ignore[union-attr]
            message = _("{message}, got '{got}': write the number alone, `{number}`").format(
                message=plain, got=got.strip(), number=number
            )
        elif kind == "list_type" and _scalar_items(path, model, got) and " " not in str(got):
            # `storage_countries: FR`: the list of one item, as it is written.
            message += _("; write it as a list: `[{got}]`").format(got=got)
        elif _is_rule_port(path, model):
            # `port: [80, 443]`: the union (a number, a range, `any`) says no one thing.
            message += _(
                "; write a port number (`443`), a range (`8000-8080`) or `any`, one rule for "
                "each port or range"
            )
        elif kind != "string_type":  # "a text" would only repeat "a valid string"
            message += _type_hint(source.data, path, model)
    elif kind in _HINTED and _is_rule_port(path, model):
        # A rule's port is a number, a range or `any`: the schema's union says no one thing
        # to write, the message says all three.
        from hdsguard.declarations.advice import MSG_PORT_RANGE

        message = _(MSG_PORT_RANGE).format(got=got)
    elif kind in _HINTED:
        message += _type_hint(source.data, path, model)
    return Problem(source.path, line, column, labelled(what, message) if what else message)


# The shipped JSON Schema of each file model, which hints are read from.
_SCHEMAS = {
    "DeclarationFile": "declaration",
    "Config": "config",
    "WaiverFile": "waivers",
    "BaselineFile": "baseline",
}


def _schema_of(model: type[BaseModel]) -> Any:
    """The JSON Schema hints are read from: the shipped one of the file's kind, or None (a
    model without one keeps pydantic's words)."""
    name = _SCHEMAS.get(model.__name__)
    if name is None:
        return None
    from hdsguard.shipped import shipped_schema

    return shipped_schema(name)


def _missing_hint(data: Any, container: Path, field: str, model: type[BaseModel]) -> str:
    """``; add `protocol:` with one of `ftp`, …``: what to write for a required field left
    out of the object at ``container``, or an empty string when the schema does not say."""
    from hdsguard.declarations.fieldhint import expected, node_at

    schema = _schema_of(model)
    node = node_at(schema, [*container, field]) if schema is not None else None
    if node is None:
        return ""
    reference = None
    if container and isinstance(container[0], str):
        from hdsguard.declarations.sections import REFERENCES

        inside = (*(str(step) for step in container[2:]), field)
        reference = next(
            (to for section, at, to in REFERENCES if section == container[0] and at == inside),
            None,
        )
    example = None
    obj = _at(data, container)
    if field == "id" and isinstance(obj, dict) and isinstance(obj.get("name"), str):
        from hdsguard.declarations.advice import make_id

        example = make_id(obj["name"])
    what = expected(schema, node, reference=reference, example=example)
    return _("; add `{field}:` with {what}").format(field=field, what=what) if what else ""


def _beyond_engine(got: Any) -> bool:
    """Whether ``got`` is a whole number larger than the rules' engine holds."""
    from hdsguard.declarations.fieldhint import ENGINE_INT_MAX

    return type(got) is int and got > ENGINE_INT_MAX


def _numbered_choices(got: int | float, options: Sequence[str]) -> list[str]:
    """The choices a number written without quotes stands for: `2` for ``v2``, `1` for
    ``1.0`` to ``1.3`` (none for a number that begins no choice)."""
    text = str(got)
    return [
        o for o in options if o in (text, f"v{text}") or o.startswith((f"{text}.", f"v{text}."))
    ]


# A whole number followed by a unit or a word: `72h`, `48 heures`, `365 days`.
_WITH_UNIT = re.compile(r"\s*([0-9]{1,9})\s*[^\W\d_][^\d]{0,19}")
_RANGE = re.compile(r"\s*([0-9]{1,3})\s*-\s*([0-9]{1,3})\s*")


def _range_text(got: Any) -> list[int] | None:
    """The numbers of a range written as one text (`1-6`), low to high, or None."""
    match = _RANGE.fullmatch(got) if isinstance(got, str) else None
    if match is None or int(match[1]) > int(match[2]):
        return None
    return list(range(int(match[1]), int(match[2]) + 1))


def _type_hint(data: Any, path: Path, model: type[BaseModel]) -> str:
    """``; write a whole number, 0 or more``: what the field at ``path`` takes, or an empty
    string when the schema does not say."""
    from hdsguard.declarations.fieldhint import expected, node_at

    schema = _schema_of(model)
    node = node_at(schema, list(path)) if schema is not None else None
    what = expected(schema, node) if node is not None else ""
    return _("; write {what}").format(what=what) if what else ""


def _is_rule_port(path: Path, model: type[BaseModel]) -> bool:
    """Whether the field at ``path`` takes a firewall rule's port: a number or a range."""
    from hdsguard.declarations.advice import RULE_PORT_PATTERN
    from hdsguard.declarations.fieldhint import node_at, resolve

    schema = _schema_of(model)
    node = node_at(schema, list(path)) if schema is not None else None
    branches = node.get("anyOf") if node is not None else None
    if schema is None or not isinstance(branches, list):
        return False
    return any(
        isinstance(b, dict) and resolve(schema, b).get("pattern") == RULE_PORT_PATTERN
        for b in branches
    )


def _scalar_items(path: Path, model: type[BaseModel], got: Any) -> bool:
    """Whether the list at ``path`` holds plain values (countries, ids) of the kind of
    ``got``, which written alone stands for as ``[value]``; not mappings (a firewall's
    `rules`), nor a number where the items are texts (a config's `declarations: 5`)."""
    from hdsguard.declarations.fieldhint import node_at, resolve

    schema = _schema_of(model)
    node = node_at(schema, list(path)) if schema is not None else None
    items = node.get("items") if node is not None else None
    if schema is None or not isinstance(items, dict):
        return False
    kind = resolve(schema, items).get("type")
    if kind == "string":
        return isinstance(got, str)
    return kind in ("integer", "number") and type(got) in (int, float)


def _is_section(model: type[BaseModel], path: Path) -> bool:
    from hdsguard.declarations.sections import SECTIONS

    return model.__name__ == "DeclarationFile" and len(path) == 1 and path[0] in SECTIONS


def _section_shape(section: str, got: Any) -> str:
    """What a section written in the wrong shape should look like."""
    from hdsguard.declarations.sections import SECTIONS

    if SECTIONS[section]:
        if isinstance(got, list):
            return _(
                "a single section, not a list: write its fields under `{section}:` without "
                "the `- ` in front of them"
            ).format(section=section)
        return _(
            "a section of fields, not {type}: write them under `{section}:`, one per line and "
            "indented, such as `{field}: …`"
        ).format(type=_type_name(got), section=section, field=_first_field(section))
    if isinstance(got, dict):
        return _(
            "a list, not a mapping: write each item under `{section}:` beginning with `- ` "
            "(`- id: …`)"
        ).format(section=section)
    return _(
        "a list, not {type}: write each item under `{section}:` beginning with `- ` (`- id: …`)"
    ).format(type=_type_name(got), section=section)


def _first_field(section: str) -> str:
    from hdsguard.declarations.fieldhint import declaration_schema, node_at

    schema = declaration_schema()
    node = node_at(schema, [section]) if schema is not None else None
    props = node.get("properties") if node is not None else None
    return next(iter(props), "…") if isinstance(props, dict) and props else "…"


def _at(data: Any, path: Path) -> Any:
    node = data
    for step in path:
        if isinstance(node, dict | list):
            try:
                node = node[step]  # type: ignore[index]
            except (KeyError, IndexError, TypeError):
                return None
        else:
            return None
    return node


def _numeric(text: str, *, whole: bool) -> bool:
    """Whether ``text`` is a number as YAML writes one (a whole number if ``whole``)."""
    return re.fullmatch(r"-?[0-9]+" if whole else r"-?[0-9]+(\.[0-9]+)?", text.strip()) is not None


def _options(expected: str) -> list[str]:
    """``'a', 'b' or 'c'`` (pydantic's list of allowed literals) as ``['a', 'b', 'c']``."""
    return re.findall(r"'([^']*)'", expected)


def data_path(data: Any, loc: tuple[str | int, ...]) -> Path:
    """The part of a pydantic location that indexes real data (drops union/validator tags)."""
    return _data_path(data, loc)


def _data_path(data: Any, loc: tuple[str | int, ...]) -> Path:
    """The part of a pydantic location that indexes real data (drops union/validator tags)."""
    path: list[str | int] = []
    node = data
    for step in loc:
        in_map = isinstance(node, dict) and isinstance(step, str) and step in node
        in_list = isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        if in_map or in_list:
            node = node[step]
            path.append(step)
    return tuple(path)


def _describe(data: Any, path: Path) -> str:
    """A human name for a location: ``firewalls/fw-edge-1.firmware.version``."""
    if not path:
        return ""
    parts: list[str] = [str(path[0])]
    node = data.get(path[0]) if isinstance(data, dict) else None
    for step in path[1:]:
        if isinstance(step, int):
            item = node[step] if isinstance(node, list) and step < len(node) else None
            ident = item.get("id") if isinstance(item, dict) else None
            named = isinstance(ident, str) and _ID.fullmatch(ident) and len(parts) == 1
            parts.append(f"/{ident}" if named else f"[{step}]")
            node = item
        else:
            parts.append(f".{step}")
            node = node.get(step) if isinstance(node, dict) else None
    return "".join(parts)


def _type_name(value: Any) -> str:
    names = {
        bool: N_("a boolean"),
        int: N_("an integer"),
        float: N_("a number"),
        str: N_("a string"),
        list: N_("a list"),
        dict: N_("a mapping"),
        type(None): N_("nothing (null)"),
    }
    name = names.get(type(value))
    return _(name) if name else type(value).__name__
