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
pytestmark = [
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Debian's chromium is not installed (.ci/run installs it)",
    ),
    pytest.mark.xdist_group("browser"),  # one worker under xdist: chromium started once
]
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
    # Each failing finding shows its rule's references under its message, as text.
    notes = page.locator("#targets .ref-note")
    assert (notes.count() > 0) is (example == "lab-group")  # the hospital fails nothing
    assert notes.count() == 0 or str(notes.first.text_content()).startswith("References: ")
    # Passes are folded (a count, no list in the page), and listed on a click, from the
    # inline data, by the page's script; a second click does not list them twice.
    folded = page.locator("#targets details").first
    assert not folded.evaluate("d => d.open") and folded.locator("li").count() == 0
    count = int(str(folded.locator("summary").text_content()).split()[0])
    folded.locator("summary").click()
    assert folded.evaluate("d => d.open")
    items = folded.locator("li")
    items.first.wait_for()
    assert items.count() == count > 0
    assert items.first.locator("b.badge").inner_text() in ("pass", "not applicable")
    assert items.first.locator("code").inner_text()[:3].isalpha()
    folded.locator("summary").click()
    folded.locator("summary").click()
    assert folded.locator("li").count() == count
    assert visit.errors == []
    shot = artifacts() / f"report-{example}.png"
    page.screenshot(path=str(shot), full_page=False)
    pdf = artifacts() / f"report-{example}.pdf"
    page.emulate_media(media="print")
    # Printed: what an auditor needs (targets with a failing finding, the note saying what
    # is left out), not the targets whose findings all pass.
    shown = page.locator("#targets .target:not(.clean)")
    clean = page.locator("#targets .target.clean")
    assert shown.count() + clean.count() == page.locator("#targets .target").count()
    assert (shown.count() > 0) is (example == "lab-group")  # the hospital passes every rule
    assert shown.count() == 0 or shown.first.locator("table tr").first.is_visible()
    assert clean.count() > 0 and not clean.first.is_visible()
    assert page.locator("#targets .print-only").is_visible()
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
    declared = files(name=json.dumps(name))
    # The firmware version is quoted by FW-002's passing message: the folded (inline JSON)
    # path, which must neither end its script element nor become markup when rendered.
    version = "</script><script>document.title='pwned'</script><b>bold</b>\x1b"
    declared["decl/decl.yaml"] = declared["decl/decl.yaml"].replace(
        'version: "7.4.3"', f"version: {json.dumps(version)}"
    )
    root = tree(declared)
    html = _report(["--as-of", "2026-11-28"], root / "audit.html")
    visit = Visit(browser, html)
    page = visit.page
    assert visit.errors == [] and visit.requests == [visit.url]
    assert page.title() == "hdsguard audit report 2026-11-28"
    # The report's own two scripts (its data and its code), no other element from a name.
    assert page.locator("script").count() == 2 and page.locator("img").count() == 0
    shown = page.locator("header strong").inner_text()
    assert shown.startswith('<script>document.title="pwned"</script><img src="http://')
    assert 'O\'Neil "q" \\x1b[31m\\x07' in shown
    target = page.locator(".target", has_text="firewalls/fw-1")
    target.locator("details summary").click()
    passed = target.locator("li", has_text="FW-002")
    passed.wait_for()
    assert "firmware </script><script>document.title='pwned'</script><b>bold</b>\\x1b" in (
        passed.inner_text()
    )
    assert page.locator("b:not(.badge)").count() == 0 and page.locator("script").count() == 2
    assert page.title() == "hdsguard audit report 2026-11-28" and visit.errors == []
    page.screenshot(path=str(artifacts() / "report-hostile.png"))
    page.close()
