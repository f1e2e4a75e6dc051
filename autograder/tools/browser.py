"""Headless Debian chromium for the kit's tools: ``make demo`` photographs a report.html,
``make bench`` times opening one.

The same browser the tests drive (tests/browser.py): Debian's ``chromium``, installed by
``make setup``, through playwright (pinned), whose own browser download is not available
offline. Nothing here fetches anything: the pages are the run folder's files.
"""
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from autograder.assignments import KitError

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: Chromium's background services try the network at start; there may be none.
QUIET = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextmanager
def chromium():
    """A headless chromium; KitError saying how to install it when it is missing."""
    if not Path(CHROMIUM).exists():
        raise KitError("chromium is not installed: run `make setup` (it installs Debian's "
                       "chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=QUIET)
        try:
            yield browser
        finally:
            browser.close()


def _page(browser, width: int, height: int):
    """A page that collects console errors and uncaught exceptions in ``page.errors``."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.errors = []
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


def screenshot(html: Path, png: Path, width: int = 1280, height: int = 900) -> list[str]:
    """Save a full-page screenshot of ``html`` (opened from file://); returns console errors."""
    with chromium() as browser:
        page = _page(browser, width, height)
        page.goto(Path(html).resolve().as_uri(), wait_until="load")
        page.screenshot(path=str(png), full_page=True)
        return page.errors


def open_time(html: Path, table_rows: str = "#students tbody tr",
              sort_header: str = "#students th") -> dict:
    """Seconds to open ``html`` from file:// until loaded with its table's rows in place, and
    to sort that table by its first column once; the rows counted and any console errors."""
    with chromium() as browser:
        page = _page(browser, 1280, 900)
        page.goto("about:blank")
        started = time.perf_counter()
        page.goto(Path(html).resolve().as_uri(), wait_until="load")
        rows = page.locator(table_rows).count()
        opened = time.perf_counter() - started
        started = time.perf_counter()
        page.locator(sort_header).first.click()
        page.evaluate("() => new Promise(done => requestAnimationFrame(() => done()))")
        sorted_in = time.perf_counter() - started
        return {"open": opened, "sort": sorted_in, "rows": rows, "errors": page.errors}
