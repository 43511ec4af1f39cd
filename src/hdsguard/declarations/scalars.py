"""Plain scalars as YAML 1.2's core schema reads them, and the limits every reader of a
declaration file applies: shared by the composer (:mod:`.yamlsource`) and the block-YAML
reader (:mod:`hdsguard.speed.blockyaml`), which must give the same data, without either
importing the other (or PyYAML, which only the composer needs).
"""

from __future__ import annotations

import re
from typing import Any

MAX_DEPTH = 64
MAX_SCALAR_CHARS = 65_536
# Aliases may reuse a subtree, but the expanded document may not grow past this many nodes
# more than it physically holds; beyond it the file is refused as an alias bomb.
MAX_ALIAS_EXPANSION = 100_000

# YAML 1.2 core schema (spec 10.3.2), exactly.
_SPECIAL: dict[str, Any] = {
    **dict.fromkeys(("", "~", "null", "Null", "NULL")),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), float("inf")),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), float("-inf")),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), float("nan")),
}
_NUMBER = re.compile(
    r"(?P<int>[-+]?[0-9]+)|0o(?P<oct>[0-7]+)|0x(?P<hex>[0-9a-fA-F]+)"
    r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
)
_NUMBER_START = frozenset("0123456789+-.")
# A decimal integer written with a leading zero (`0750712184`, `010002345`): YAML 1.2 reads
# 750712184 and drops the zero, YAML 1.1 reads an octal number or a text. Readers refuse it
# at its place (issue 12: what the two read differently is refused or read as 1.2 reads it):
# read as 1.2 reads it, a 10-digit FINESS number passed GOV-001 as a valid 9-digit one.
LEADING_ZERO = re.compile(r"[-+]?0[0-9]+")


def resolve_plain(text: str) -> Any:
    """YAML 1.2 core schema resolution of a plain (unquoted) scalar; dates stay strings."""
    if text in _SPECIAL:
        return _SPECIAL[text]
    if text[0] not in _NUMBER_START:
        return text
    match = _NUMBER.fullmatch(text)
    if match is None:
        return text
    try:
        if match["int"] is not None:
            return int(text)
        if match["oct"] is not None:
            return int(match["oct"], 8)
        if match["hex"] is not None:
            return int(match["hex"], 16)
    except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
        return text
    return float(text)
