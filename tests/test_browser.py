"""Reader pages in a real browser (Playwright + Chromium)."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from coverage.models import Update
from tests.browser import missing_tool
from tests.factories import SHIPPED_SEED, SHIPPED_SLUG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_story_page_shows_updates_and_images(page):
    call_command("seed", SHIPPED_SEED, stdout=io.StringIO())
    page.goto(f"/live/{SHIPPED_SLUG}/")
    assert page.locator("article.update").count() == 8
    first_image = page.locator("figure img").first
    first_image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=first_image.element_handle())


SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_story_page_screenshots(page, width, scheme):
    """Takes the story page's screenshots (tests/screenshots/) for a person to look at.

    Asserts what can be asserted mechanically: no horizontal scrolling at the
    phone width, and the title, badge and first update visible.
    """
    call_command("seed", SHIPPED_SEED, stdout=io.StringIO())
    Update.objects.filter(pk=Update.objects.order_by("-published_at")[2].pk).update(key_event=True)
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=scheme)
    page.goto(f"/live/{SHIPPED_SLUG}/")
    assert page.locator("h1").inner_text().startswith("Live Updates")
    assert page.locator(".live-badge").first.is_visible()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"story-{width}-{scheme}.png", full_page=False)
    page.screenshot(path=SCREENSHOTS / f"story-{width}-{scheme}-full.png", full_page=True)


AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


def axe_source():
    if not AXE.exists():
        missing_tool(f"axe-core is not installed at {AXE} (npm ci)")
    return AXE.read_text(encoding="utf-8")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_story_page_has_no_serious_accessibility_violations(page, scheme):
    source = axe_source()
    call_command("seed", SHIPPED_SEED, stdout=io.StringIO())
    newest = Update.objects.order_by("-published_at")
    Update.objects.filter(pk=newest[1].pk).update(key_event=True)
    Update.objects.filter(pk=newest[3].pk).update(pinned=True, edited_at=newest[3].published_at)
    page.emulate_media(color_scheme=scheme)
    page.goto(f"/live/{SHIPPED_SLUG}/")
    page.evaluate(source)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']][:3]}"
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_keyboard_user_can_skip_to_content(page):
    call_command("seed", SHIPPED_SEED, stdout=io.StringIO())
    page.goto(f"/live/{SHIPPED_SLUG}/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.bounding_box()["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
