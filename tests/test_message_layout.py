"""A finding's message is one line: no line break outside the placeholders of any message
template of the built-in catalogue, in any language.

A YAML folded block (``>-``) keeps the line break after a more-indented line, so a template
whose placeholder spans indented lines can leave a stray newline in the rendered message
(HDS-002 did, before "not covered"); inside ``{{ }}`` a line break is only CEL whitespace.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

POLICIES = sorted((Path(__file__).parent.parent / "policies").glob("*.yaml"))
_PLACEHOLDER = re.compile(r"\{\{.*?\}\}", re.S)


def _messages(node: Any, path: str = "") -> list[tuple[str, str]]:
    if isinstance(node, dict):
        return [m for k, v in node.items() if k != "tests" for m in _messages(v, f"{path}.{k}")]
    if isinstance(node, list):
        return [m for i, v in enumerate(node) for m in _messages(v, f"{path}.{i}")]
    if isinstance(node, str) and path.rsplit(".", 1)[-1].endswith("message"):
        return [(path, node)]
    return []


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_messages_have_no_line_break_outside_placeholders(path: Path) -> None:
    messages = _messages(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert messages, "every policy has at least one message"
    broken = [where for where, text in messages if "\n" in _PLACEHOLDER.sub("", text)]
    assert not broken, f"line break outside {{{{ }}}} in {broken}"
