"""Playwright driving Debian's Chromium, for the browser tests.

``browser`` is session-wide; ``page`` is a fresh context per test. Without
/usr/bin/chromium the tests are skipped, except under CI=true, where a
missing browser is a failure.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def missing_tool(message):
    """Skip a test whose outside tool is missing; under CI=true that is a failure."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        missing_tool(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the live server's
    # database work happens in its own thread, so this only silences Django's guard.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server, settings):
    settings.SERVE_MEDIA = True
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


# Added before any of the page's own scripts: every layout shift (as Lighthouse's CLS counts
# them) from the first paint on, with each moved part's text and where it was and went, in
# page coordinates.
LAYOUT_SHIFTS = """
window.layoutShifts = [];
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (entry) {
    var onPage = function (r) {
      return [r.left + scrollX, r.top + scrollY, r.right + scrollX, r.bottom + scrollY];
    };
    window.layoutShifts.push({
      value: entry.value,
      at: Math.round(entry.startTime),
      input: entry.hadRecentInput,
      rects: (entry.sources || []).flatMap(function (s) {
        return [onPage(s.previousRect), onPage(s.currentRect)];
      }),
      sources: (entry.sources || []).map(function (s) {
        var node = s.node ? (s.node.outerHTML || s.node.textContent || "").slice(0, 60) : "?";
        var rect = function (r) { return [r.x, r.y, r.width, r.height].join(","); };
        return node + " " + rect(s.previousRect) + " -> " + rect(s.currentRect);
      }),
    });
  });
}).observe({ type: "layout-shift", buffered: true });
"""


def layout_shifts(page):
    """The page's layout shifts from the end of parsing on (``LAYOUT_SHIFTS`` must have been added).

    On a starved machine Chromium paints a page the parser has only half read: an icon before the
    name beside it, a checkbox before its label. Such half-page paints come and go with the
    machine's load, so they are left out; the page's own scripts are all deferred, so all they
    do, and all that pictures and players do after parsing, is counted.
    """
    return page.evaluate(
        """() => {
          const parsed = performance.getEntriesByType("navigation")[0].domInteractive;
          return window.layoutShifts.filter(shift => shift.at >= parsed);
        }"""
    )
