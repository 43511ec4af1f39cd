"""Placeholders that only read a value, rendered from the engine's Python values.

Most placeholders of the catalogue's messages are a variable's key path (``{{ self.name }}``,
``{{ now }}``, ``{{ params.max_age_days }}``): CEL would only hand back the value the engine
already holds (a message rendered by CEL costs about 4.7 us, read from Python about 1.9 us),
and at 10k objects a JSON report renders some 32,000 such messages. :func:`path_of`
recognises them when the template is compiled; :class:`Variables` reads them at run time, and
gives up (the message then takes the CEL path, whole) unless the value read is one CEL would
give back unchanged:

- CEL converts a variable whole, the first time an expression reads it, and one value it
  cannot convert anywhere in it (an integer beyond 64 bits, a tuple, a key that collides with
  another once a NUL ends it) fails every expression reading that variable. So ``self`` and
  ``params`` are read from Python only once CEL has rendered a message of plain paths reading
  them without an error, on the same activation: the first such message of each target takes
  the CEL path, the next ones are read. A string variable (``now``, ``target``) converts to
  itself unless it holds a lone surrogate or a NUL, which is checked instead.
- Every step of the path must be a dict holding the key (CEL: a missing key is an error;
  the conversion has refused a key that a NUL would make collide with it).
- The value read must be a string (CEL cuts one at a NUL: none is accepted) or a 64-bit
  integer, not a boolean: their text is the same whichever way they come (``to_text`` is
  given the very value CEL would give back). Anything else (null, a boolean, a float, a
  list, a map) goes through CEL, so the rare cases keep one implementation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

# The variables whose values the engine holds as Python values (engine.Evaluation.evaluate);
# `decl` is left out: no message quotes the whole declaration set, and reading it from
# Python would need CEL to have converted it for each target first.
ROOTS: Final = frozenset({"self", "params", "now", "target"})

# A key path of `self` or `params`, or `now` or `target` alone; CEL's own grammar decides
# the rest (the text has compiled by the time this is asked).
_PLAIN = re.compile(r"(?:(self|params)((?:\.[A-Za-z_][A-Za-z0-9_]*)+)|(now|target))")

_INT64 = (-(2**63), 2**63 - 1)


def path_of(source: str, policy_id: str | None) -> tuple[str, ...] | None:
    """The keys ``source`` reads from the engine's variables, root first, or None when it
    is not a plain key path. ``params`` is scoped to the policy as the compiled expression is
    (:func:`hdsguard.policies.celenv.scope_to_policy`: the variable maps policy ids to
    parameters)."""
    match = _PLAIN.fullmatch(source.strip())
    if match is None:
        return None
    root, steps, alone = match.groups()
    if alone is not None:
        return (alone,)
    keys = tuple(steps[1:].split("."))
    if root == "params" and policy_id is not None:
        return (root, policy_id, *keys)
    return (root, *keys)


def valid_paths(paths: object, placeholders: int) -> bool:
    """Whether ``paths`` has the form :func:`path_of` gives, one per placeholder (a
    catalogue read back from disk is checked, not trusted)."""
    if paths is None:
        return True
    if type(paths) is not tuple or len(paths) != placeholders or not paths:
        return False
    for path in paths:
        if type(path) is not tuple or not path or path[0] not in ROOTS:
            return False
        if not all(type(step) is str for step in path):
            return False
    return True


class Variables:
    """The Python values of one activation's variables (the dict it was built from), and
    those of its variables CEL is known to convert."""

    __slots__ = ("_converted", "_values")

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = values
        self._converted: set[str] = set()

    def converted(self, roots: Iterable[str]) -> None:
        """CEL has read ``roots`` without an error (it rendered a message of them)."""
        self._converted.update(roots)

    def read(self, reads: tuple[tuple[str, tuple[str, ...]], ...]) -> list[Any] | None:
        """The value of each (variable, keys) of ``reads``, or None unless CEL would give
        exactly these values back. One call for a whole message: this runs for most
        messages of a large estate."""
        values, converted = self._values, self._converted
        out: list[Any] = []
        for root, keys in reads:
            if root not in converted and not self._string(root):
                return None
            value = values[root]
            for key in keys:
                if type(value) is not dict or key not in value:
                    return None
                value = value[key]
            kind = type(value)
            if kind is str:
                if "\x00" in value:
                    return None
            elif kind is not int or not _INT64[0] <= value <= _INT64[1]:
                return None
            out.append(value)
        return out

    def _string(self, root: str) -> bool:
        """Whether ``root`` is a string variable CEL converts to the same string."""
        value = self._values.get(root)
        if type(value) is str and _text(value):
            self._converted.add(root)
            return True
        return False


def _text(text: str) -> bool:
    """Whether CEL converts ``text`` as it is (to the same text)."""
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")  # a lone surrogate fails CEL's conversion
    except UnicodeEncodeError:
        return False
    return True
