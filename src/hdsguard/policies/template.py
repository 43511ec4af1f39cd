"""Messages that quote actual values: ``"last patched {{ self.last_patch }}"``.

Each ``{{ … }}`` holds a CEL expression, compiled with the policy and evaluated with the same
variables as its conditions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cel_expr_python import cel

from hdsguard.policies.celenv import CelRuntime, evaluate

_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


@dataclass(frozen=True)
class Template:
    parts: tuple[str | cel.Expression, ...]

    def render(self, activation: cel.Activation) -> str:
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value, error = evaluate(part, activation)
            out.append("(unknown)" if error else to_text(value))
        return "".join(out)


def compile_template(runtime: CelRuntime, text: str, policy_id: str | None = None) -> Template:
    """Compile every placeholder; raise ValueError naming the one that does not compile."""
    parts: list[str | cel.Expression] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(text):
        if match.start() > pos:
            parts.append(text[pos : match.start()])
        source = match.group(1).strip()
        try:
            parts.append(runtime.compile(source, policy_id))
        except ValueError as exc:
            raise ValueError(f"in placeholder {{{{ {source} }}}}: {exc}") from None
        pos = match.end()
    if pos < len(text):
        parts.append(text[pos:])
    return Template(tuple(parts))


def placeholders(text: str) -> list[str]:
    """The CEL source of every ``{{ … }}`` of a message."""
    return [m.group(1).strip() for m in _PLACEHOLDER.finditer(text)]


def to_text(value: Any) -> str:
    """Values as a person would write them: no quotes, lists joined with commas."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return ", ".join(to_text(v) for v in value) if value else "none"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {to_text(v)}" for k, v in value.items())
    return str(value)


def literal(text: str) -> Template:
    return Template((text,))


def join_rendered(parts: Sequence[str]) -> str:
    return "; ".join(p for p in parts if p)
