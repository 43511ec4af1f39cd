"""docs/policies.fr.md, the French twin of docs/policies.md, is generated and kept in sync."""

from __future__ import annotations

from tests.helpers import REPO, run_cli


def test_docs_policies_fr_md_is_up_to_date() -> None:
    result = run_cli(["policies", "docs", "--lang", "fr"])
    assert result.exit_code == 0
    committed = (REPO / "docs" / "policies.fr.md").read_text(encoding="utf-8")
    assert committed == result.stdout, (
        "run: hdsguard policies docs --lang fr --output docs/policies.fr.md"
    )
    assert committed.startswith("# Catalogue des règles")
