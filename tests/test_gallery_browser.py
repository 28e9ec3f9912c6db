"""A gallery of four pictures in a real browser, on a phone: swipe, buttons, the full-screen
view by keyboard, axe-core, layout shift; and a gallery arriving through changes.json."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coverage import services
from coverage.models import Story, Update
from tests.browser import LAYOUT_SHIFTS, layout_shifts
from tests.factories import make_story, make_stream, make_update
from tests.test_browser import axe_source
from tests.test_gallery import CAPTIONS, CREDITS, make_gallery_update

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).parent / "screenshots"


# The captions of the pictures wholly inside the scroller's box: what the reader sees.
SHOWN_CAPTIONS = """track => {
  const box = track.getBoundingClientRect();
  return Array.from(track.querySelectorAll(':scope > figure')).filter(figure => {
    const rect = figure.getBoundingClientRect();
    return rect.left >= box.left - 1 && rect.right <= box.right + 1;
  }).map(figure => figure.querySelector('figcaption').textContent.replace(/\\s+/g, ' ').trim());
}"""


def shown(index):
    return f"{CAPTIONS[index]} Credit: {CREDITS[index]}"


@pytest.fixture
def phone(browser, live_server, settings):
    """A phone-sized page with touch, recording layout shifts and script errors."""
    settings.SERVE_MEDIA = True
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.add_init_script(LAYOUT_SHIFTS)
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


@pytest.fixture
def gallery_story():
    story = make_story(title="Kyiv in pictures", status=Story.Status.ENDED)
    make_update(story=story, body="An older update.", published_at=timezone.now() - timedelta(hours=1))
    update = make_gallery_update(story=story)
    return story, update


def open_story(page, story):
    assert page.goto(story.get_absolute_url()).status == 200
    page.wait_for_function("() => document.documentElement.classList.contains('has-gallery-script')")
    first = page.locator(".gallery img").first
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=first.element_handle())
    return page.locator(".gallery").first


def wait_shown(track, index):
    """Waits until picture ``index`` alone is in the row's box, its caption with it (asked from
    here, not by a script in the page: it works on pages without script too)."""
    for _ in range(100):
        if track.evaluate(SHOWN_CAPTIONS) == [shown(index)]:
            break
        track.page.wait_for_timeout(50)
    assert track.evaluate(SHOWN_CAPTIONS) == [shown(index)]


def expect_shown(gallery, index):
    """The counter says ``index + 1`` of 4 and that picture is the one in view."""
    expect(gallery.locator(".gallery-count")).to_have_text(f"{index + 1} of 4")
    wait_shown(gallery.locator(".gallery-track"), index)


def swipe(gallery, share):
    """A finger drawn across ``share`` of the picture's width (negative: to the left), below its buttons."""
    box = gallery.locator(".gallery-track").bounding_box()
    x, y = box["x"] + box["width"] * (0.85 if share < 0 else 0.15), box["y"] + box["width"] / 3 + 40
    cdp = gallery.page.context.new_cdp_session(gallery.page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 11):
        point = {"x": x + box["width"] * share * step / 10, "y": y}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
        gallery.page.wait_for_timeout(16)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def test_swipe_and_buttons_move_one_picture_and_nothing_shifts(phone, gallery_story):
    story, _ = gallery_story
    gallery = open_story(phone, story)
    assert gallery.get_attribute("aria-label") == "Gallery, 4 pictures"
    track = gallery.locator(".gallery-track")
    expect_shown(gallery, 0)
    gallery.scroll_into_view_if_needed()
    box = track.bounding_box()
    assert box["width"] <= PHONE["width"]
    # Every picture box has the same height, known before the pictures load.
    heights = gallery.locator("picture").evaluate_all("all => all.map(p => p.getBoundingClientRect().height)")
    assert len({round(height, 1) for height in heights}) == 1
    assert heights[0] == pytest.approx(box["width"] * 2 / 3, abs=1)
    height = box["height"]

    swipe(gallery, -0.7)
    expect_shown(gallery, 1)

    next_button = gallery.get_by_role("button", name="Next picture")
    previous_button = gallery.get_by_role("button", name="Previous picture")
    next_button.click()
    expect_shown(gallery, 2)
    expect(gallery.locator(".gallery-status")).to_have_text(f"Picture 3 of 4: {CAPTIONS[2]}")
    previous_button.click()
    expect_shown(gallery, 1)
    # Scrolling the row itself (a trackpad, a wheel, a script) moves the counter too.
    track.evaluate("track => track.scrollTo({left: track.clientWidth * 3, behavior: 'instant'})")
    expect_shown(gallery, 3)
    expect(next_button).to_have_attribute("aria-disabled", "true")
    next_button.click(force=True)  # a button marked disabled does nothing
    expect_shown(gallery, 3)
    swipe(gallery, 0.7)  # back, to the right
    expect_shown(gallery, 2)
    for index in (1, 0):
        previous_button.click()
        expect_shown(gallery, index)
    expect(previous_button).to_have_attribute("aria-disabled", "true")
    expect(gallery.locator(".gallery-status")).to_have_text(f"Picture 1 of 4: {CAPTIONS[0]}")

    assert track.bounding_box()["height"] == height  # pictures of four shapes, one height
    assert layout_shifts(phone) == []
    assert phone.errors == []


def test_full_screen_by_keyboard(phone, gallery_story):
    story, _ = gallery_story
    gallery = open_story(phone, story)
    gallery.locator(".gallery-track").focus()
    phone.keyboard.press("Tab")
    opener = gallery.get_by_role("button", name="View picture 1 of 4 full screen")
    expect(opener).to_be_focused()
    phone.keyboard.press("Enter")

    dialog = phone.get_by_role("dialog", name="Gallery, 4 pictures, full screen")
    expect(dialog).to_be_visible()
    assert dialog.evaluate("dialog => dialog.open && dialog.contains(document.activeElement)")
    expect(dialog.get_by_role("button", name="Close full screen")).to_be_focused()
    expect_shown(dialog, 0)
    phone.keyboard.press("ArrowRight")
    expect_shown(dialog, 1)
    phone.keyboard.press("ArrowRight")
    expect_shown(dialog, 2)
    phone.keyboard.press("ArrowLeft")
    expect_shown(dialog, 1)

    # The pictures ask for the whole screen's width: the one shown (600 × 900, renditions
    # 480w and 600w) comes in a rendition at least as wide as the screen.
    assert dialog.locator("img").evaluate_all("imgs => imgs.map(img => img.sizes)") == ["100vw"] * 4
    picture = dialog.locator("img").nth(1)
    phone.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=picture.element_handle())
    chosen = re.search(r"-(\d+)w\.\w+$", picture.evaluate("img => img.currentSrc"))
    assert chosen and int(chosen.group(1)) >= PHONE["width"]
    assert "figcaption" in dialog.inner_html() and dialog.locator(".credit").count() == 4

    for key in ["Tab"] * 6 + ["Shift+Tab"] * 6:
        phone.keyboard.press(key)
        assert dialog.evaluate("dialog => dialog.contains(document.activeElement)"), key
    phone.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    assert layout_shifts(phone) == []
    assert phone.errors == []


def test_opening_the_third_picture_shows_it_full_screen(phone, gallery_story):
    story, _ = gallery_story
    gallery = open_story(phone, story)
    gallery.get_by_role("button", name="Next picture").click()
    gallery.get_by_role("button", name="Next picture").click()
    expect_shown(gallery, 2)
    opener = gallery.get_by_role("button", name="View picture 3 of 4 full screen")
    opener.click()
    dialog = phone.locator("dialog.gallery-dialog")
    expect_shown(dialog, 2)
    dialog.get_by_role("button", name="Next picture").click()
    expect_shown(dialog, 3)
    dialog.get_by_role("button", name="Close full screen").click()
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    expect_shown(gallery, 2)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_gallery_passes_axe_core(phone, gallery_story, scheme):
    story, _ = gallery_story
    phone.emulate_media(color_scheme=scheme)
    gallery = open_story(phone, story)
    phone.evaluate(axe_source())

    def violations():
        result = phone.evaluate("axe.run(document, {resultTypes: ['violations']})")
        return [
            f"{found['id']} ({found['impact']}): {[node['target'] for node in found['nodes']][:3]}"
            for found in result["violations"]
        ]

    assert violations() == []
    gallery.get_by_role("button", name="View picture 1 of 4 full screen").click()
    expect(phone.locator("dialog.gallery-dialog")).to_be_visible()
    assert violations() == []


def test_without_script_the_row_still_scrolls(browser, live_server, settings, gallery_story):
    settings.SERVE_MEDIA = True
    story, _ = gallery_story
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(story.get_absolute_url())
    gallery = page.locator(".gallery")
    assert gallery.locator("button").evaluate_all("buttons => buttons.filter(b => b.offsetParent)") == []
    assert gallery.locator(".gallery-count").is_hidden()
    track = gallery.locator(".gallery-track")
    assert track.evaluate(SHOWN_CAPTIONS) == [shown(0)]
    track.focus()
    page.keyboard.press("ArrowRight")
    wait_shown(track, 1)
    context.close()


def test_a_gallery_arriving_later_works(phone, settings):
    settings.LIVEBLOG_CURSOR_WINDOW = 1
    settings.LIVEBLOG_CURSOR_LAG = 0
    story = make_story(title="Election night", poll_interval=1)
    make_stream(story=story, count=3, start=timezone.now() - timedelta(hours=1))
    phone.goto(story.get_absolute_url())
    scripts = phone.locator('script[src$="/gallery.js"]')
    assert scripts.count() == 0

    update = make_gallery_update(story=story, status=Update.Status.DRAFT)
    services.publish_update(update=update)
    gallery = phone.locator(f"#update-{update.pk} .gallery")
    gallery.wait_for(timeout=6000)
    phone.wait_for_function("() => window.liveblogGallery === true")
    assert scripts.count() == 1
    gallery.get_by_role("button", name="Next picture").click()
    expect_shown(gallery, 1)
    gallery.get_by_role("button", name="View picture 2 of 4 full screen").click()
    expect_shown(phone.locator("dialog.gallery-dialog"), 1)
    phone.keyboard.press("Escape")
    assert phone.errors == []


@pytest.mark.parametrize("width", [390, 1280])
def test_gallery_screenshots(browser, live_server, settings, gallery_story, width):
    """Screenshots (tests/screenshots/gallery-*.png) of the gallery and its full-screen view."""
    settings.SERVE_MEDIA = True
    story, update = gallery_story
    viewport = PHONE if width == 390 else {"width": 1280, "height": 900}
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    page.add_init_script(LAYOUT_SHIFTS)
    gallery = open_story(page, story)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.locator(f"#update-{update.pk}").scroll_into_view_if_needed()
    gallery.get_by_role("button", name="Next picture").click()
    expect_shown(gallery, 1)
    page.locator(f"#update-{update.pk}").screenshot(path=SCREENSHOTS / f"gallery-{width}.png")
    gallery.get_by_role("button", name="View picture 2 of 4 full screen").click()
    dialog = page.locator("dialog.gallery-dialog")
    expect_shown(dialog, 1)
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=dialog.locator("img").nth(1).element_handle()
    )
    page.screenshot(path=SCREENSHOTS / f"gallery-{width}-full-screen.png")
    assert layout_shifts(page) == []
    context.close()
