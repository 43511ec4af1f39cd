"""Every relative link of the README and docs/ names a file that exists and, with a
``#fragment``, a heading of that file: the pages are split and renamed as the work goes on
(docs/performance.md and its log), and a dead link in a how-to sends a user nowhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]

# [text](target) outside code; images too. Targets with a scheme (https:, mailto:) are not ours.
_LINK = re.compile(r"\]\(([^()\s]+)\)")
_FENCE = re.compile(r"^(```|~~~)")


def _anchors(page: Path) -> set[str]:
    """The fragments GitHub gives the headings of ``page``: lower case, punctuation dropped,
    spaces made hyphens, a repeated heading numbered -1, -2…"""
    seen: dict[str, int] = {}
    anchors: set[str] = set()
    fenced = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            continue
        heading = re.match(r"^#{1,6} (.*)$", line)
        if fenced or heading is None:
            continue
        text = re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower()).replace(" ", "-")
        count = seen.get(text, 0)
        seen[text] = count + 1
        anchors.add(text if count == 0 else f"{text}-{count}")
    return anchors


def _links(page: Path) -> list[tuple[int, str]]:
    found = []
    fenced = False
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        # Inline code is not a link: `a[0](x)` in a CEL example.
        prose = re.sub(r"`[^`]*`", "", line)
        found += [(number, target) for target in _LINK.findall(prose)]
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_resolve(page: Path) -> None:
    broken = []
    for number, target in _links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):
            continue  # https:, mailto:
        path, _, fragment = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        where = f"{page.relative_to(REPO)}:{number}: {target}"
        if not file.exists():
            broken.append(f"{where} (no such file)")
        elif fragment and file.suffix == ".md" and fragment not in _anchors(file):
            broken.append(f"{where} (no such heading)")
    assert not broken, "\n".join(broken)


def test_the_check_finds_a_dead_anchor(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n## A section, with commas\n\nSee [x](#a-section-with-commas).\n")
    assert "a-section-with-commas" in _anchors(page)
    assert "title" in _anchors(page)
    assert "a-section" not in _anchors(page)
    assert _links(page) == [(5, "#a-section-with-commas")]
