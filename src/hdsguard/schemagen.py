"""Generate the JSON Schemas shipped under ``schemas/`` (``python -m hdsguard.schemagen``).

The schemas are derived from the pydantic models and post-processed for editors
(yaml-language-server): optional fields are not nullable, so editors never suggest ``null``.
"""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from hdsguard.declarations.model import DeclarationFile

__all__ = ["SCHEMAS", "SCHEMA_BASE_URL", "declaration_schema", "main", "render", "schema_dir"]

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_BASE_URL = "https://hdsguard.dev/schemas/"

_NULL = {"type": "null"}


def _strip_nullable(node: Any) -> Any:
    """Return a copy of ``node`` where ``anyOf: [X, {type: null}]`` becomes ``X``.

    The ``default: null`` that goes with such an optional field is dropped too, and the
    redundant per-property ``title`` that pydantic derives from field names is removed (the
    ``description`` is what editors show).
    """
    if isinstance(node, list):
        return [_strip_nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            props: dict[str, Any] = {}
            for name, prop in value.items():
                cleaned = _strip_nullable(prop)
                if isinstance(cleaned, dict):
                    cleaned.pop("title", None)
                props[name] = cleaned
            result[key] = props
        else:
            result[key] = _strip_nullable(value)
    branches = result.get("anyOf")
    if isinstance(branches, list) and _NULL in branches:
        remaining = [branch for branch in branches if branch != _NULL]
        del result["anyOf"]
        if result.get("default", ...) is None:
            del result["default"]
        if len(remaining) == 1 and isinstance(remaining[0], dict):
            merged = dict(remaining[0])
            merged.update(result)
            result = merged
        elif remaining:
            result = {"anyOf": remaining, **result}
    return result


def declaration_schema() -> dict[str, object]:
    """JSON Schema (2020-12) of one declaration file."""
    return model_schema(
        DeclarationFile,
        "declaration",
        "hdsguard declaration file",
        "One hdsguard declaration file (YAML or JSON): any subset of the sections describing "
        "a health organisation's infrastructure. List sections may be split over many "
        "files; every list item has an id unique within its section across the set. Dates "
        "are ISO 8601 (YYYY-MM-DD); end dates are the last valid day, inclusive.",
    )


def policy_schema() -> dict[str, object]:
    """JSON Schema (2020-12) of one policy file."""
    from hdsguard.policies.model import Policy

    return model_schema(
        Policy,
        "policy",
        "hdsguard policy",
        "One hdsguard policy (one rule per YAML file): metadata, a CEL condition (or a list "
        "of checks) that holds when the target complies, parameters, messages and inline "
        "test cases. See docs/policy-format.md.",
    )


def config_schema() -> dict[str, object]:
    """JSON Schema (2020-12) of the organisation config, ``.hdsguard.yaml``."""
    from hdsguard.configmodel import Config

    return model_schema(
        Config,
        "config",
        "hdsguard config (.hdsguard.yaml)",
        "Organisation config: where the declarations are, extra policy directories, rules to "
        "disable or enable, parameter and severity overrides, the --fail-on default, the "
        "waiver file and how waivers are governed. Paths are relative to the config file's "
        "directory. See docs/configuration.md.",
    )


def waivers_schema() -> dict[str, object]:
    """JSON Schema (2020-12) of a waiver file (``waivers.yaml``)."""
    from hdsguard.waivers import WaiverFile

    return model_schema(
        WaiverFile,
        "waivers",
        "hdsguard waivers",
        "Accepted risks (dérogations): each waiver names a rule and a target (exact or an "
        "fnmatch pattern), who owns and who approved it, why, and the last day it applies "
        "(`expires`, inclusive). See docs/configuration.md.",
    )


def baseline_schema() -> dict[str, object]:
    """JSON Schema (2020-12) of a baseline file written by ``hdsguard baseline``."""
    from hdsguard.baselinemodel import BaselineFile

    return model_schema(
        BaselineFile,
        "baseline",
        "hdsguard baseline",
        "The failing findings accepted at one date, keyed by (rule, target): `check "
        "--baseline FILE` does not fail on them. See docs/configuration.md.",
    )


def model_schema(
    model: type[BaseModel], name: str, title: str, description: str
) -> dict[str, object]:
    """The post-processed JSON Schema of ``model``, with its ``$id``, title and description."""
    generated = _strip_nullable(model.model_json_schema())
    generated.pop("title", None)
    generated.pop("description", None)
    schema: dict[str, object] = {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"{SCHEMA_BASE_URL}{name}.schema.json",
        "title": title,
        "description": description,
    }
    # Root keywords first, the definitions last: easier to read.
    schema.update({key: value for key, value in generated.items() if key != "$defs"})
    if "$defs" in generated:
        schema["$defs"] = generated["$defs"]
    return schema


def hds_registry_schema() -> dict[str, object]:
    """JSON Schema (2020-12) of an ANS HDS registry snapshot in JSON (evidence)."""
    from hdsguard.evidence.registry_json import RegistrySnapshotFile

    return model_schema(
        RegistrySnapshotFile,
        "hds-registry",
        "hdsguard ANS HDS registry snapshot",
        "The rows of the ANS list of certified HDS hosts that a user copied, and the day they "
        "were read, given to `hdsguard check --evidence`: EVD-010 checks each declared HDS "
        "certificate against them. See docs/evidence.md.",
    )


SCHEMAS: dict[str, Callable[[], dict[str, object]]] = {
    "declaration": declaration_schema,
    "policy": policy_schema,
    "config": config_schema,
    "waivers": waivers_schema,
    "baseline": baseline_schema,
    "hds-registry": hds_registry_schema,
}
"""Schema name -> generator; written to ``schemas/<name>.schema.json``."""


def render(schema: dict[str, object]) -> str:
    """Serialise a schema exactly as it is committed under ``schemas/``."""
    return json.dumps(schema, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def schema_dir() -> Path:
    """The ``schemas/`` directory of the source repository."""
    return Path(__file__).resolve().parents[2] / "schemas"


def main() -> None:
    """(Re)write ``schemas/<name>.schema.json`` for every registered schema."""
    directory = schema_dir()
    directory.mkdir(parents=True, exist_ok=True)
    for name, generate in SCHEMAS.items():
        path = directory / f"{name}.schema.json"
        text = render(generate())
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
        else:
            print(f"unchanged {path}")


if __name__ == "__main__":
    main()
