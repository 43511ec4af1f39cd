"""How a finding's reason writes the values its checks quote, and how a waiver's ``accepts``
compares its own with them: one encoder for both (:mod:`hdsguard.reasons` writes reasons,
:mod:`hdsguard.waiveraccepts` reads them), so that a value accepted is a value quoted.

Apart from :mod:`hdsguard.reasons`, which imports CEL: a run that only reads a waiver's
``accepts`` imports this module and ``json``, nothing more.
"""

from __future__ import annotations

import json
from typing import Any

# Made once: json.dumps with these options builds an encoder per call (a third of the cost
# of a reason, on 6,000 failing findings). One line, keys sorted, no ASCII escapes; what JSON
# cannot hold (a date read from YAML without quotes) as its text, as a reason quotes it.
encode = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str
).encode


def same_numbers(value: Any) -> Any:
    """``value`` with every float that is a whole number written as that integer (9.0 as 9),
    at any depth: CEL quotes a CVSS threshold as the double 9.0 where a person writes ``9``
    in a waiver's ``accepts``, the same number. Booleans and text are left as they are (the
    text "9.8" is not the number 9.8)."""
    kind = type(value)
    if kind is float:
        return int(value) if value.is_integer() else value
    if kind is list or kind is tuple:
        return [same_numbers(v) for v in value]
    if kind is dict:
        return {k: same_numbers(v) for k, v in value.items()}
    return value
