"""The live desk in a real browser: a reporter publishes from the story page itself while a
reader, anonymous in another context, watches the same page."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coverage.models import Update
from tests.factories import make_story, make_stream, make_user
from tests.test_admin_browser import log_in
from tests.test_browser import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLL = 1  # seconds, set on the story as the newsroom would mid-event
WITHIN_TWO_POLLS = 2 * POLL * 1000 + 2500  # ms, with room for a busy machine


@pytest.fixture
def story(settings):
    settings.LIVEBLOG_CURSOR_WINDOW = 1
    settings.LIVEBLOG_CURSOR_LAG = 0
    story = make_story(title="Нічна зміна", poll_interval=POLL)
    make_stream(story=story, count=3, start=timezone.now() - timedelta(hours=1))
    return story


def test_a_reporter_publishes_from_the_story_page_and_a_reader_sees_it(page, browser, live_server, story):
    reader = browser.new_context(base_url=live_server.url).new_page()
    asked = []
    reader.on("request", lambda request: "/desk/" in request.url and asked.append(request.url))
    reader.goto(story.get_absolute_url())
    expect(reader.locator("#updates > article.update")).to_have_count(3)

    log_in(page, make_user(username="olena", role="Reporters"))
    page.goto(story.get_absolute_url())
    body = page.get_by_label("Update (Markdown)")
    expect(body).to_be_visible()
    expect(page.locator("#desk-note")).to_have_text("Ctrl+Enter (⌘+Enter) publishes.")
    expect(page.locator("#desk .desk-byline li")).to_have_text(["Olena Tester ×"])
    expect(page.locator("#desk .desk-toggle")).to_have_text(["Key event", "Publish later"])  # no pin

    body.click()
    body.press_sequentially("Міст через Дніпро **відкрито** о 6:00")
    page.reload()  # mid-sentence
    body = page.get_by_label("Update (Markdown)")
    expect(body).to_have_value("Міст через Дніпро **відкрито** о 6:00")
    expect(page.locator("#desk .desk-status")).to_have_text("Your unsent draft was restored.")

    body.press("End")
    body.press_sequentially(", — повідомляє мерія.")
    page.get_by_label("Key event", exact=True).check()
    body.press("Control+Enter")
    expect(page.locator("#desk .desk-status")).to_have_text("Published.")
    expect(body).to_have_value("")
    expect(body).to_be_focused()
    expect(page.get_by_label("Key event", exact=True)).not_to_be_checked()

    published = Update.objects.get(body="Міст через Дніпро **відкрито** о 6:00, — повідомляє мерія.")
    assert [author.name for author in published.authors.all()] == ["Olena Tester"]
    assert published.key_event and published.status == Update.Status.PUBLISHED
    fresh = reader.locator(f"#updates > #update-{published.pk}")
    fresh.wait_for(timeout=WITHIN_TWO_POLLS)
    assert reader.locator("#updates > article.update").first.get_attribute("id") == f"update-{published.pk}"
    expect(fresh.locator("strong")).to_have_text("відкрито")
    expect(reader.locator("#updates > article.update")).to_have_count(4)
    assert reader.locator("#desk").count() == 0 and asked == []  # a reader has no hint: no desk, no request

    page.reload()  # the draft went with the publish
    expect(page.get_by_label("Update (Markdown)")).to_have_value("")
    expect(page.locator("#desk .desk-status")).to_have_text("")
    reader.context.close()


def test_a_failed_publish_keeps_the_text_and_retries_when_asked(page, story):
    log_in(page, make_user(username="ivan", role="Editors"))
    page.goto(story.get_absolute_url())
    body = page.get_by_label("Update (Markdown)")
    expect(page.locator("#desk .desk-toggle")).to_have_text(["Key event", "Pin", "Publish later"])
    body.fill("عاجل: انقطاع الكهرباء في المدينة")
    page.get_by_label("Pin", exact=True).check()
    page.route("**/api/v1/stories/**", lambda route: route.abort("internetdisconnected"))
    page.keyboard.press("Control+Enter")
    alert = page.get_by_role("alert")
    expect(alert.locator("p")).to_have_text(
        "Not published: the site could not be reached. Your text is kept."
    )
    expect(body).to_have_value("عاجل: انقطاع الكهرباء في المدينة")
    assert story.updates.count() == 3
    assert serious_violations(page) == []

    page.unroute("**/api/v1/stories/**")
    alert.get_by_role("button", name="Retry").click()
    expect(page.locator("#desk .desk-status")).to_have_text("Published.")
    expect(alert).to_be_hidden()
    expect(body).to_have_value("")
    assert list(story.updates.filter(pinned=True).values_list("body", flat=True)) == [
        "عاجل: انقطاع الكهرباء في المدينة"
    ]
