"""Oldest first in a real browser: a story read from its start, the reader's switch, and
live updates joining the end of the stream on its last page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coverage import services
from coverage.models import Story, Update
from tests.factories import make_author, make_story, make_stream, make_update
from tests.test_live_browser import POLL, WITHIN_TWO_POLLS  # the live tests' pace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live(settings):
    settings.LIVEBLOG_CURSOR_WINDOW = 1
    settings.LIVEBLOG_CURSOR_LAG = 0


def stream_of(count, order=Story.Order.NEWEST):
    story = make_story(title="Фінал кубка · نهائي الكأس · 杯赛决赛", poll_interval=POLL, order=order)
    make_stream(story=story, count=count, start=timezone.now() - timedelta(hours=2))
    ids = story.updates.order_by("published_at", "pk").values_list("pk", flat=True)
    return story, [f"update-{pk}" for pk in ids]


def shown(page):
    return page.locator("#updates > article.update").evaluate_all("(articles) => articles.map((a) => a.id)")


def test_a_story_set_oldest_first_opens_on_its_oldest_update_and_the_switch_flips_it(page, live):
    story, ascending = stream_of(25, order=Story.Order.OLDEST)
    page.goto(story.get_absolute_url())
    assert shown(page) == ascending[:20]
    assert page.locator("#updates > article.update").first.locator(".update-body").inner_text() == (
        "Update number 0."
    )
    switch = page.locator("a.order-switch")
    expect(switch).to_have_text("Newest first")
    assert page.locator(".order-current").inner_text() == "Oldest first"

    switch.click()
    expect(page).to_have_url(re.compile(r"\?order=newest$"))
    assert shown(page) == ascending[::-1][:20]
    expect(page.locator("a.order-switch")).to_have_text("Oldest first")
    page.locator("a.order-switch").click()
    expect(page).to_have_url(re.compile(r"\?order=oldest$"))
    assert shown(page) == ascending[:20]


def test_the_readers_order_survives_next_page_and_a_new_update_joins_its_end(page, live):
    story, ascending = stream_of(25)  # the story reads newest first: the reader switches
    page.goto(story.get_absolute_url())
    assert shown(page) == ascending[::-1][:20]
    page.locator("a.order-switch").click()
    assert shown(page) == ascending[:20]
    assert page.locator("#story[data-changes-url]").count() == 0  # new updates join the last page

    page.locator(".pager a[rel=next]").click()
    expect(page).to_have_url(re.compile(r"order=oldest"))
    assert shown(page) == ascending[20:]
    assert page.locator(".pager a[rel=next]").count() == 0
    expect(page.locator(".pager a[rel=prev]")).to_have_text("← Older updates")

    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # the reader is at the end
    fresh = make_update(story=story, body="Гол! 2:1 · هدف · 进球", authors=[make_author(name="Олена Коваль")])
    expect(page.locator("#updates > article.update").last).to_have_id(
        f"update-{fresh.pk}", timeout=WITHIN_TWO_POLLS
    )
    assert shown(page) == [*ascending[20:], f"update-{fresh.pk}"]
    assert page.locator(f"#update-{fresh.pk} .update-body").inner_text() == "Гол! 2:1 · هدف · 进球"
    assert page.locator("#live-status").inner_text() == "1 new update shown"

    # Edits apply in place; one on an older page does not come here as if it were new.
    here, elsewhere = (Update.objects.get(pk=ident.split("-")[1]) for ident in (ascending[22], ascending[2]))
    elsewhere.body = "Виправлено на першій сторінці."
    services.save_update(update=elsewhere)
    here.body = "Виправлено тут."
    services.save_update(update=here)
    expect(page.locator(f"#{ascending[22]} .update-body")).to_have_text(
        "Виправлено тут.", timeout=WITHIN_TWO_POLLS
    )
    assert shown(page) == [*ascending[20:], f"update-{fresh.pk}"]


def test_a_reader_away_from_the_end_gets_the_button_at_the_bottom(page, live):
    story, ascending = stream_of(8, order=Story.Order.OLDEST)
    page.goto(story.get_absolute_url())
    assert shown(page) == ascending
    page.evaluate("window.scrollTo(0, 0)")
    page.set_viewport_size({"width": 1280, "height": 400})  # the stream's end out of view
    fresh = make_update(story=story, body="Додатковий час.")

    button = page.locator("button.new-updates.at-end")
    expect(button).to_have_text("Show 1 new update", timeout=WITHIN_TWO_POLLS)
    assert shown(page) == ascending  # nothing moved under the reader
    box, viewport = button.bounding_box(), page.viewport_size
    assert box["y"] > viewport["height"] / 2  # it floats at the bottom, where the update will go
    button.click()
    assert shown(page) == [*ascending, f"update-{fresh.pk}"]
    expect(page.locator(f"#update-{fresh.pk}")).to_be_focused()
    expect(page.locator("button.new-updates")).to_have_count(0)
