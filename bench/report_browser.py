"""Benchmark: the audit report of a large estate, written and opened in a real browser.

    python bench/report_browser.py                 # 10,000 objects, budget 5 s to open
    python bench/report_browser.py --objects 2000 --budget 3 --out results.json

Generates the estate (bench/generate.py), times `hdsguard report` (the check, the deadline
projection and the HTML), then opens the file in Debian's chromium through Playwright and
times the load (parsing, style and layout of the page: passes are folded) and a first
screenshot. Exit 1 when opening takes longer than the budget (the issue #14 target), so that
CI or a developer sees a regression; the figures are printed as JSON.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import AS_OF, generate

CHROMIUM = "/usr/bin/chromium"


def _hdsguard() -> str:
    return str(Path(sys.executable).with_name("hdsguard"))


def measure(objects: int, work: Path) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    decl = work / "decl"
    generate(objects, decl)
    html = work / "audit.html"
    started = time.perf_counter()
    done = subprocess.run(
        [_hdsguard(), "report", str(decl), "--no-config", "--as-of", AS_OF.isoformat(),
         "-o", str(html)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    report_s = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"hdsguard report failed: {done.stderr}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        started = time.perf_counter()
        page.goto(html.as_uri(), wait_until="load")
        load_s = time.perf_counter() - started
        page.screenshot(path=str(work / "first-screen.png"))
        first_screen_s = time.perf_counter() - started
        targets = page.locator("#targets .target").count()
        browser.close()
    return {
        "objects": objects,
        "html_bytes": html.stat().st_size,
        "targets_shown": targets,
        "report_seconds": round(report_s, 2),
        "open_seconds": round(load_s, 2),
        "first_screen_seconds": round(first_screen_s, 2),
        "console_errors": len(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--budget", type=float, default=5.0, help="seconds to open (default 5)")
    parser.add_argument("--out", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hdsguard-report-bench-") as tmp:
        figures = measure(args.objects, Path(tmp))
    figures["budget_seconds"] = args.budget
    text = json.dumps(figures, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    if figures["first_screen_seconds"] > args.budget or figures["console_errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
