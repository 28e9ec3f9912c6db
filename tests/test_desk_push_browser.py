"""The live desk with the push tier (the shipped nginx config and a real Pushpin node): a
reporter's Ctrl+Enter reaches an anonymous reader's open page within a second, by the stream."""

import time

import pytest
from playwright.sync_api import expect

from coverage.models import Update
from tests.factories import make_user
from tests.pushpin import pushpin  # noqa: F401  (fixture)
from tests.test_admin_browser import log_in
from tests.test_push_browser import PUSHED_WITHIN, reader, settled, site, story  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reporters_update_is_pushed_to_a_reader_within_a_second(browser, reader, site, story, settings):  # noqa: F811
    settings.CSRF_TRUSTED_ORIGINS = [site.url]  # nginx's address, as a deployment names its own
    reader.goto(story.get_absolute_url())
    deadline = time.monotonic() + 5
    while reader.streams != [200] and time.monotonic() < deadline:
        reader.wait_for_timeout(50)
    assert reader.streams == [200]
    settled(reader)

    context = browser.new_context(base_url=site.url)
    reporter = context.new_page()
    log_in(reporter, make_user(username="olena", role="Reporters"))
    reporter.goto(story.get_absolute_url())
    body = reporter.get_by_label("Update (Markdown)")
    body.fill("عاجل: فتح الجسر أمام السيارات 🚗")
    body.press("Control+Enter")
    expect(reporter.locator("#desk .desk-status")).to_have_text("Published.")
    published_at = time.monotonic()
    published = Update.objects.get(body="عاجل: فتح الجسر أمام السيارات 🚗")
    reader.locator(f"#updates > #update-{published.pk}").wait_for(timeout=3_000)
    waited = time.monotonic() - published_at
    assert waited < PUSHED_WITHIN, f"shown {waited:.2f} s after the publish"
    assert reader.polls == []  # it came by the stream
    assert reader.locator(f"#update-{published.pk}").count() == 1
    context.close()
