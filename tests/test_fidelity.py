"""docs/fidelity.md says, for every built-in rule, whether its threshold is a legal
requirement, a recognised practice or a design default, its source and the evidence it needs:
a new rule cannot ship without its row."""

from __future__ import annotations

import re

from tests.helpers import REPO

KINDS = {"legal requirement", "recognised practice", "design default"}


def test_every_builtin_rule_has_one_fidelity_row() -> None:
    text = (REPO / "docs" / "fidelity.md").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| ([A-Z]+-[0-9]+) \|.*$", text, re.M)}
    shipped = {path.stem for path in (REPO / "policies").glob("*.yaml")}
    assert set(rows) == shipped
    for rule, row in rows.items():
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 5, rule
        assert cells[2] in KINDS, rule
        assert cells[3] and cells[4], rule
