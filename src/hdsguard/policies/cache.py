"""A cache of the compiled policy catalogue, so a pre-commit hook does not re-validate and
re-compile 53 policies (hundreds of CEL expressions) on every commit.

The key hashes everything the compiled result depends on: the bytes and displayed path of
every policy file, whether it is built-in, the Python and cel-expr-python builds, and the
modification times of hdsguard's own policy-handling code. A hit therefore gives exactly what a
fresh load would; anything unreadable or corrupt is ignored and the catalogue is rebuilt.

Location and switch are those of every hdsguard cache (:mod:`hdsguard.cache`):
``$HDSGUARD_CACHE_DIR``, else ``$XDG_CACHE_HOME/hdsguard``, else ``~/.cache/hdsguard``;
``HDSGUARD_NO_CACHE=1`` disables it. The files are pickles written by and for the same user,
like any per-user cache.
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from cel_expr_python import cel

from hdsguard.cache import cache_dir, code_fingerprint, load_safely, write_atomic
from hdsguard.declarations.files import display_path
from hdsguard.policies.celenv import CelRuntime
from hdsguard.policies.load import CompiledCheck, CompiledPolicy
from hdsguard.policies.template import Template

__all__ = ["cache_dir", "catalogue_key", "dumps", "load", "loads", "store"]

_FORMAT = 2  # 2: expressions scoped to their policy's parameters


def catalogue_key(files: Sequence[tuple[Path, bool]], lang: str | None = None) -> str | None:
    """The hash of every input of the compiled catalogue (its texts' language included), or
    None if one cannot be read."""
    digest = hashlib.sha256()
    digest.update(f"lang={lang}\0".encode())
    for part in _code_fingerprint():
        digest.update(part.encode())
    for path, builtin in files:
        try:
            data = path.read_bytes()
        except OSError:
            return None
        digest.update(f"\0{display_path(path)}\0{builtin}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _code_fingerprint() -> list[str]:
    here = Path(__file__).resolve().parent
    sources = [*sorted(here.glob("*.py")), here.parent / "declarations" / "types.py"]
    return code_fingerprint(_FORMAT, sources, _cel_stamp())


def _cel_stamp() -> str:
    origin = getattr(cel, "__file__", None)
    return str(Path(origin).stat().st_mtime_ns) if origin else "cel"


def load(runtime: CelRuntime, key: str) -> list[CompiledPolicy] | None:
    folder = cache_dir()
    if folder is None:
        return None

    return load_safely(folder / f"catalogue-{key}.pickle", partial(loads, runtime))


def store(key: str, policies: Sequence[CompiledPolicy]) -> None:
    folder = cache_dir()
    if folder is None:
        return
    try:
        for old in folder.glob("catalogue-*.pickle"):
            old.unlink(missing_ok=True)
    except OSError:
        return  # a read-only home or full disk only costs speed
    write_atomic(folder / f"catalogue-{key}.pickle", dumps(policies))


def dumps(policies: Sequence[CompiledPolicy]) -> bytes:
    """Compiled policies as bytes, as a run uses them: without their file models."""
    seen: dict[int, _Serialized] = {}
    runnable = [dataclasses.replace(p, spec=None) for p in policies]
    return pickle.dumps([_freeze(p, seen) for p in runnable], protocol=5)


def loads(runtime: CelRuntime, data: bytes) -> list[CompiledPolicy]:
    """What :func:`dumps` wrote, the expressions deserialized into ``runtime``'s environment."""
    seen: dict[int, cel.Expression] = {}
    return [_thaw(runtime, item, seen) for item in pickle.loads(data)]


class _Serialized:
    """A compiled CEL expression, as bytes that pickle can carry."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


# An expression shared by several policies (the runtime compiles each text once: placeholders
# such as `{{ self.id }}` recur across the catalogue) is serialized, stored and deserialized
# once, and stays shared after a load: ``seen`` maps id() of what was already converted.


def _freeze(value: Any, seen: dict[int, _Serialized]) -> Any:
    if isinstance(value, cel.Expression):
        frozen = seen.get(id(value))
        if frozen is None:
            frozen = seen[id(value)] = _Serialized(value.serialize())
        return frozen
    if isinstance(value, Template):
        return Template(
            tuple(_freeze(p, seen) for p in value.parts), _freeze(value.values, seen), value.lang
        )
    if isinstance(value, (CompiledPolicy, CompiledCheck)):
        return dataclasses.replace(
            value,
            **{f.name: _freeze(getattr(value, f.name), seen) for f in dataclasses.fields(value)},
        )
    if isinstance(value, tuple):
        return tuple(_freeze(v, seen) for v in value)
    return value


def _thaw(runtime: CelRuntime, value: Any, seen: dict[int, cel.Expression]) -> Any:
    if isinstance(value, _Serialized):
        thawed = seen.get(id(value))
        if thawed is None:
            thawed = seen[id(value)] = runtime.env.deserialize(value.data)
        return thawed
    if isinstance(value, Template):
        return Template(
            tuple(_thaw(runtime, p, seen) for p in value.parts),
            _thaw(runtime, value.values, seen),
            value.lang,
        )
    if isinstance(value, (CompiledPolicy, CompiledCheck)):
        return dataclasses.replace(
            value,
            **{
                f.name: _thaw(runtime, getattr(value, f.name), seen)
                for f in dataclasses.fields(value)
            },
        )
    if isinstance(value, tuple):
        return tuple(_thaw(runtime, v, seen) for v in value)
    return value
