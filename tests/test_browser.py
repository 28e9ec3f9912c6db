"""Reader pages in a real browser (Playwright + Chromium)."""

import io
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from coverage import images, services
from coverage.models import Author, Image, Story, Update
from tests.browser import missing_tool
from tests.factories import SHIPPED_SEED, SHIPPED_SLUG, make_picture, make_story, make_update

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_story_page_shows_updates_and_images(page):
    call_command("seed", SHIPPED_SEED, stdout=io.StringIO())
    page.goto(f"/live/{SHIPPED_SLUG}/")
    assert page.locator("article.update").count() == 8
    first_image = page.locator("figure img").first
    first_image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=first_image.element_handle())


SCREENSHOTS = Path(__file__).parent / "screenshots"
PHONE = {"width": 390, "height": 844}


def give_photo(author):
    """A portrait uploaded for ``author`` the way the admin does it."""
    author.photo = ContentFile(make_picture(size=(600, 800), colour=(120, 90, 70)), name="portrait.jpg")
    return services.save_author(author=author)


def seed_with_key_events_and_a_photo():
    newest_at = (timezone.now() - timedelta(minutes=4)).isoformat()
    call_command("seed", SHIPPED_SEED, f"--newest-at={newest_at}", stdout=io.StringIO())
    newest = list(Update.objects.order_by("-published_at"))
    Update.objects.filter(pk__in=[newest[0].pk, newest[2].pk, newest[5].pk]).update(key_event=True)
    give_photo(Author.objects.get(slug="anton-troianovski"))
    add_lead_image(Story.objects.get(), position=1)
    ended = make_story(
        title="Σεισμός στην Κρήτη: όσα γνωρίζουμε",
        slug="seismos-kriti",
        status=Story.Status.ENDED,
        summary="Ένας σεισμός 5,8 βαθμών έπληξε την ανατολική Κρήτη το πρωί της Τρίτης.",
    )
    make_update(
        story=ended,
        body="Οι σχολικές μονάδες παραμένουν κλειστές.",
        published_at=timezone.now() - timedelta(days=2),
    )
    add_lead_image(ended)


def add_lead_image(story, position=0):
    """A lead image in the story's summary, uploaded as the admin does it."""
    picture = ContentFile(images.placeholder(story.title), name="lead.jpg")
    image = Image(story=story, file=picture, position=position, caption="The scene on the first day.")
    image.credit, image.alt_text = "Staff photographer", "A wide landscape under a pale sun."
    return services.save_image(image=image)


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots(page, width, scheme):
    """Takes the story, home and author pages' screenshots (tests/screenshots/) for a person to look at.

    Asserts what can be asserted mechanically: no horizontal scrolling, the
    title and badge visible, and on a phone (390 × 844) the last-updated time,
    the key events and the way to the latest updates within the first screen.
    """
    seed_with_key_events_and_a_photo()
    page.set_viewport_size(PHONE if width == 390 else {"width": width, "height": 900})
    page.emulate_media(color_scheme=scheme)
    SCREENSHOTS.mkdir(exist_ok=True)
    pages = {"story": f"/live/{SHIPPED_SLUG}/", "home": "/", "author": "/authors/anton-troianovski/"}
    for name, url in pages.items():
        assert page.goto(url).status == 200, name
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        page.screenshot(path=SCREENSHOTS / f"{name}-{width}-{scheme}.png", full_page=False)
        page.screenshot(path=SCREENSHOTS / f"{name}-{width}-{scheme}-full.png", full_page=True)
        if name == "story":
            assert page.locator("h1").inner_text().startswith("Live Updates")
            assert page.locator(".live-badge").first.is_visible()
            first_screen = page.viewport_size["height"]
            for selector in ("h1", ".story-updated time", ".key-events", ".key-events li", ".jump-latest"):
                box = page.locator(selector).first.bounding_box()
                assert box is not None and 0 <= box["y"] < first_screen, selector
            assert page.locator(".story-updated time").inner_text() == "4 min ago"


AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


def axe_source():
    if not AXE.exists():
        missing_tool(f"axe-core is not installed at {AXE} (npm ci)")
    return AXE.read_text(encoding="utf-8")


def serious_violations(page, source=None):
    """axe-core's serious and critical violations on ``page``, each with a few of its nodes."""
    page.evaluate(source or axe_source())
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']][:3]}"
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_story_page_has_no_serious_accessibility_violations(page, scheme):
    source = axe_source()
    call_command("seed", SHIPPED_SEED, stdout=io.StringIO())
    newest = Update.objects.order_by("-published_at")
    Update.objects.filter(pk=newest[1].pk).update(key_event=True)
    Update.objects.filter(pk=newest[3].pk).update(pinned=True, edited_at=newest[3].published_at)
    page.emulate_media(color_scheme=scheme)
    page.goto(f"/live/{SHIPPED_SLUG}/")
    assert serious_violations(page, source) == []


def test_keyboard_user_can_skip_to_content(page):
    call_command("seed", SHIPPED_SEED, stdout=io.StringIO())
    page.goto(f"/live/{SHIPPED_SLUG}/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.bounding_box()["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_portraits_show_and_public_pages_log_no_errors(page, live_server):
    """A byline with a photo shows it on the story, permalink and author pages; no page
    (home, story, permalink, author, the pages the feed links to, 404) logs an error."""
    seed_with_key_events_and_a_photo()
    lead = Author.objects.get(slug="anton-troianovski")
    update = Update.objects.filter(authors=lead).order_by("-published_at").first()
    not_found = f"{live_server.url}/live/nothing-here/"
    errors = []

    def console(message):
        # The 404 page's own status is the one error expected.
        if message.type == "error" and message.location.get("url") != not_found:
            errors.append(f"{page.url}: {message.text} ({message.location.get('url')})")

    def response(response):
        if response.status >= 400 and response.url != not_found:
            errors.append(f"{response.url}: {response.status}")

    page.on("console", console)
    page.on("response", response)
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    feed = feedparser.parse(page.request.get(f"/live/{SHIPPED_SLUG}/feed/").body())
    feed_links = {urlsplit(entry.link).path for entry in feed.entries}
    assert len(feed_links) == 8
    with_portrait = [f"/live/{SHIPPED_SLUG}/", update.get_absolute_url(), lead.get_absolute_url()]
    for url in with_portrait:
        assert page.goto(url).status == 200
        portrait = page.locator(f'img.avatar[srcset*="{lead.photo_renditions[-1]["name"]}"]').first
        portrait.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=portrait.element_handle())
    for url in ["/", *sorted(feed_links), not_found]:
        page.goto(url)
        page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "Page not found"
    assert errors == []
