"""An Arabic story in a real browser, on a phone: right to left throughout (the stream's
timeline and the key events rail on the right, the masthead mirrored, a gallery's arrows and
keys turned round), the scripts' words in Arabic (relative times, the new-updates button,
plural forms), axe-core clean, and screenshots (tests/screenshots/story-ar-*.png) to look at."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from coverage import services
from coverage.models import Story
from tests.factories import make_author, make_update
from tests.test_browser import serious_violations
from tests.test_gallery import make_gallery_update
from tests.test_languages import seed_story

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).parent / "screenshots"
POLL = 2  # seconds between the page's polls
WITHIN_TWO_POLLS = 2 * POLL * 1000 + 3000


@pytest.fixture
def arabic_story(settings):
    settings.LIVEBLOG_CURSOR_WINDOW = 1
    settings.LIVEBLOG_CURSOR_LAG = 0
    story, _ = seed_story("ar")
    story.poll_interval = POLL
    services.save_story(story=story)
    gallery = make_gallery_update(story=story, published_at=timezone.now() - timedelta(minutes=40))
    return Story.objects.get(pk=story.pk), gallery


@pytest.fixture
def phone(browser, live_server, settings):
    settings.SERVE_MEDIA = True
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def arabic(text, **values):
    with translation.override("ar"):
        return gettext(text) % values if values else gettext(text)


def box(page, selector):
    return page.locator(selector).first.bounding_box()


def test_an_arabic_story_reads_right_to_left(phone, arabic_story):
    story, gallery = arabic_story
    assert phone.goto(story.get_absolute_url()).status == 200
    assert phone.evaluate("document.documentElement.dir") == "rtl"
    assert phone.evaluate("getComputedStyle(document.body).direction") == "rtl"

    # The stream's timeline and the key events rail run down the right-hand side.
    rail = phone.evaluate(
        """() => {
          const side = el => {
            const style = getComputedStyle(el);
            return [style.borderRightWidth, style.borderLeftWidth];
          };
          return {update: side(document.querySelector('#updates > article.update')),
                  key: side(document.querySelector('.key-events li'))};
        }"""
    )
    assert rail == {"update": ["2px", "0px"], "key": ["2px", "0px"]}
    # The masthead is mirrored: the brand at the right, the navigation at the left.
    assert box(phone, ".brand")["x"] > box(phone, ".site-nav")["x"]
    # Nothing overflows sideways.
    assert phone.evaluate("document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth")

    # The gallery's "next" sits at the left and ArrowLeft goes on to the next picture.
    figure = phone.locator(f"#update-{gallery.pk} .gallery")
    figure.scroll_into_view_if_needed()
    assert (
        box(phone, f"#update-{gallery.pk} .gallery-next")["x"]
        < box(phone, f"#update-{gallery.pk} .gallery-prev")["x"]
    )
    phone.wait_for_function("() => document.documentElement.classList.contains('has-gallery-script')")
    track = phone.locator(f"#update-{gallery.pk} .gallery-track")
    track.focus()
    track.press("ArrowLeft")
    count = phone.locator(f"#update-{gallery.pk} .gallery-count")
    expected = arabic("%(number)s of %(count)s", number=2, count=4)
    phone.wait_for_function(
        "([el, text]) => el.textContent === text", arg=[count.element_handle(), expected], timeout=5000
    )
    assert phone.evaluate("el => el.scrollLeft", track.element_handle()) < 0  # scrolled towards the left

    # Relative times are in Arabic.
    times = phone.locator("#updates time[data-relative]").all_inner_texts()
    with translation.override("ar"):
        forty = ngettext("%(count)s min ago", "%(count)s min ago", 40) % {"count": 40}
    assert forty in times

    assert serious_violations(phone) == []
    SCREENSHOTS.mkdir(exist_ok=True)
    phone.evaluate("window.scrollTo(0, 0)")
    phone.screenshot(path=SCREENSHOTS / "story-ar-390.png")
    phone.screenshot(path=SCREENSHOTS / "story-ar-390-full.png", full_page=True)
    assert phone.errors == []


def test_new_updates_are_offered_in_arabic(phone, arabic_story):
    story, _ = arabic_story
    phone.goto(story.get_absolute_url())
    phone.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
    desk = make_author(name="مكتب الأخبار")
    for text in ("تحديث أول", "تحديث ثان", "تحديث ثالث"):
        make_update(story=story, body=text, authors=[desk])
    button = phone.locator("button.new-updates")
    with translation.override("ar"):
        offered = ngettext("Show %(count)s new update", "Show %(count)s new updates", 3) % {"count": 3}
        heard = ngettext("%(count)s new update", "%(count)s new updates", 3) % {"count": 3}
    phone.wait_for_function(
        "text => (document.querySelector('button.new-updates') || {}).textContent === text",
        arg=offered,
        timeout=WITHIN_TWO_POLLS,
    )
    assert phone.locator("#live-status").inner_text() == heard
    button.click()
    newest = phone.locator("#updates > article.update").first
    with translation.override("ar"):
        a_minute_ago = ngettext("%(count)s min ago", "%(count)s min ago", 1) % {"count": 1}
    assert newest.locator("time[data-relative]").inner_text() == a_minute_ago  # published a minute ago
    bodies = phone.locator("#updates > article.update .update-body").all_inner_texts()[:3]
    assert [" ".join(body.split()) for body in bodies] == ["تحديث ثالث", "تحديث ثان", "تحديث أول"]
    assert phone.errors == []


def test_the_arabic_page_at_desk_width(page, arabic_story):
    story, _ = arabic_story
    page.goto(story.get_absolute_url())
    # At a desk's width the key events rail stands beside the stream: after it in the reading
    # direction, so at its left (an English page has it at the right).
    assert box(page, ".key-events")["x"] + box(page, ".key-events")["width"] < box(page, "#updates")["x"]
    assert serious_violations(page) == []
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "story-ar-1280.png")
