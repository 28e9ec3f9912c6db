"""A reader whose tab slept while much changed gets the page afresh: consistent, nothing lost or doubled."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError

from coverage import pagination, services
from coverage.models import Update
from tests.factories import make_author, make_story, make_stream

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLL = 1  # seconds
WITHIN_TWO_POLLS = 2 * POLL * 1000 + 2500  # ms, with room for a busy machine


@pytest.fixture
def story(settings):
    settings.LIVEBLOG_CURSOR_WINDOW = 1
    settings.LIVEBLOG_CURSOR_LAG = 0
    story = make_story(title="Election night", poll_interval=POLL)
    make_stream(story=story, count=30, start=timezone.now() - timedelta(hours=5))
    return story


def set_hidden(page, hidden):
    page.evaluate(
        """(hidden) => {
            Object.defineProperty(document, 'hidden', {value: hidden, configurable: true});
            document.dispatchEvent(new Event('visibilitychange'));
        }""",
        hidden,
    )


def a_night_of_news(story):
    """More than one answer holds: a page and more of new updates, edits and removals."""
    make_stream(
        story=story,
        count=pagination.PAGE_SIZE + 5,
        author=make_author(name="Night Desk"),
        start=timezone.now() - timedelta(minutes=40),
    )
    older = list(story.updates.order_by("published_at")[:3])
    Update.objects.filter(pk=older[0].pk).update(body="Edited overnight.", public_changed_at=timezone.now())
    services.delete_update(update=older[1])
    newest = list(story.updates.published().order_by("-published_at", "-pk")[: pagination.PAGE_SIZE])
    return [f"update-{update.pk}" for update in newest]


def wait_for_reload(page, timeout):
    """Until the page was loaded afresh (the mark set before is gone)."""
    deadline = time.monotonic() + timeout / 1000
    while time.monotonic() < deadline:
        try:
            if page.evaluate("() => window.beforeSleep") is None:
                page.locator("#updates > article.update").first.wait_for()
                return
        except PlaywrightError:
            pass  # the old page is going away
        page.wait_for_timeout(100)
    raise AssertionError("the page was not reloaded")


def stream_ids(page):
    return page.locator("#updates > article.update").evaluate_all("(els) => els.map((el) => el.id)")


def test_reader_back_at_a_slept_tab_gets_the_page_afresh(page, story):
    page.goto(story.get_absolute_url())
    page.evaluate("window.beforeSleep = true")
    set_hidden(page, True)
    expected = a_night_of_news(story)
    set_hidden(page, False)  # the tab wakes: it polls at once, and reloads
    wait_for_reload(page, WITHIN_TWO_POLLS)
    ids = stream_ids(page)
    assert ids == expected  # the newest page, in order, each once
    assert page.locator("button.new-updates").count() == 0


def test_reader_scrolled_down_is_offered_the_reload_not_forced(page, story):
    page.goto(story.get_absolute_url())
    page.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
    page.evaluate("window.beforeSleep = true")
    scroll_before = page.evaluate("window.scrollY")
    expected = a_night_of_news(story)
    button = page.locator("button.new-updates")
    button.wait_for(state="visible", timeout=WITHIN_TWO_POLLS)
    assert button.inner_text() == "Show the latest updates"
    assert "reload the page" in page.locator("#live-status").inner_text()
    assert page.evaluate("window.beforeSleep") is True  # nothing moved under the reader
    assert abs(page.evaluate("window.scrollY") - scroll_before) < 2
    assert len(stream_ids(page)) == pagination.PAGE_SIZE  # the page as it was, nothing half-applied
    button.click()
    wait_for_reload(page, WITHIN_TWO_POLLS)
    assert stream_ids(page) == expected
