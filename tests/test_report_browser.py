"""The audit report in a real browser: Debian's chromium, driven by Playwright.

`.ci/run` installs chromium; these tests are skipped (with the reason) only where it is
absent. The screenshots and the printed PDF are written to $HDSGUARD_ARTIFACTS (default
$TMPDIR/hdsguard-artifacts) and the path is printed, for CI to keep.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.audit_support import files
from tests.helpers import REPO, run_cli

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
)
Tree = Callable[[dict[str, str]], Path]
SECTIONS = [
    "Summary",
    "Coverage matrix per framework",
    "Upcoming deadlines",
    "Waiver register and baseline",
    "Findings per target",
    "Provenance",
]


def artifacts() -> Path:
    where = Path(
        os.environ.get("HDSGUARD_ARTIFACTS") or Path(tempfile.gettempdir()) / "hdsguard-artifacts"
    )
    where.mkdir(parents=True, exist_ok=True)
    return where


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


class Visit:
    """A page opened on a report, with every request, console error and page error seen."""

    def __init__(self, browser: Any, html: Path) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.url = html.resolve().as_uri()
        self.page.goto(self.url, wait_until="load")


def _report(args: list[str], out: Path) -> Path:
    result = run_cli(["report", *args, "-o", str(out)])
    assert result.exit_code in (0, 1), result.stderr
    return out


@pytest.mark.parametrize("example", ["lab-group", "hospital"])
def test_example_report_opens_cleanly(browser: Any, example: str, tmp_path: Path) -> None:
    html = _report([str(REPO / "examples" / example), "--no-config", "--as-of", "2026-11-28"],
                   tmp_path / "audit.html")  # fmt: skip
    visit = Visit(browser, html)
    page = visit.page
    assert visit.errors == []
    assert visit.requests == [visit.url]  # the file itself, nothing else
    assert page.locator("h2").all_inner_texts() == SECTIONS
    assert page.locator("table.matrix").count() == 6
    assert page.locator("#chart-status svg rect").count() == 6
    assert page.locator("#chart-area svg rect").count() > 10
    iso_rows = page.locator('table.matrix[data-framework="iso27001-2022"] tbody tr')
    assert iso_rows.count() == 93
    assert page.get_by_text("not assessed by hdsguard").count() > 0
    # Passes are folded, and open on a click.
    folded = page.locator("#targets details").first
    assert not folded.evaluate("d => d.open")
    folded.locator("summary").click()
    assert folded.evaluate("d => d.open")
    shot = artifacts() / f"report-{example}.png"
    page.screenshot(path=str(shot), full_page=False)
    pdf = artifacts() / f"report-{example}.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4", print_background=True)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page") > 3
    print(f"\nartefacts: {shot} {pdf}")
    page.close()


def test_hostile_names_are_text_in_the_browser(browser: Any, tree: Tree) -> None:
    name = (
        '<script>document.title="pwned"</script><img src="http://example.org/x.png" '
        'onerror="document.title=\'pwned\'"> O\'Neil "q" \x1b[31m\x07'
    )
    root = tree(files(name=json.dumps(name)))
    html = _report(["--as-of", "2026-11-28"], root / "audit.html")
    visit = Visit(browser, html)
    page = visit.page
    assert visit.errors == [] and visit.requests == [visit.url]
    assert page.title() == "hdsguard audit report 2026-11-28"
    assert page.locator("script").count() == 0 and page.locator("img").count() == 0
    shown = page.locator("header strong").inner_text()
    assert shown.startswith('<script>document.title="pwned"</script><img src="http://')
    assert 'O\'Neil "q" \\x1b[31m\\x07' in shown
    page.screenshot(path=str(artifacts() / "report-hostile.png"))
    page.close()
