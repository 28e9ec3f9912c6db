"""A reader who comes and goes, in a real browser: "since your last visit" and "See what changed".

The reader's place is kept in their browser only (localStorage): each test's browser
context is a fresh reader, and coming back means visiting again in that context.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coverage import services
from coverage.models import Update
from tests.factories import make_author, make_story, make_stream, make_update

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JUMP = "Jump to the oldest unread"


@pytest.fixture
def story():
    story = make_story(title="Вибори: ніч підрахунку")
    make_stream(story=story, count=6, start=timezone.now() - timedelta(hours=3))
    return story


def come_back(page, story):
    page.goto(story.get_absolute_url())
    return page.locator(".catch-up")


def test_a_returning_reader_is_told_what_is_new_and_jumps_to_the_oldest_unread(page, story):
    first = come_back(page, story)
    assert first.count() == 0  # a first visit shows nothing
    page.goto("/")  # the reader leaves

    desk = make_author(name="نور الهدى")
    oldest_new = make_update(
        story=story, authors=[desk], body="القصف توقف عند الفجر.", key_event=True,
        published_at=timezone.now() - timedelta(minutes=3),
    )  # fmt: skip
    make_update(
        story=story, body="北京时间上午十点，投票结束。", published_at=timezone.now() - timedelta(minutes=1)
    )

    notice = come_back(page, story)
    expect(notice).to_have_text(f"2 new updates and 1 key event since your last visit — {JUMP}")
    assert notice.get_attribute("role") == "status"
    assert page.locator(".catch-up a").count() == 1

    page.locator(".catch-up a").focus()  # by keyboard
    page.keyboard.press("Enter")
    target = page.locator(f"#update-{oldest_new.pk}")
    expect(target).to_be_focused()
    expect(target).to_be_in_viewport()
    # Scrolled to the top of the window (an update keeps a small margin above it).
    assert 0 <= target.evaluate("element => element.getBoundingClientRect().top") < 40
    assert "القصف توقف عند الفجر." in target.inner_text()

    # Seen now: the next visit has nothing to tell.
    assert come_back(page, story).count() == 0


def test_one_new_update_and_no_key_event(page, story):
    come_back(page, story)
    page.goto("/")
    make_update(story=story, body="Явка — 64 відсотки.")
    expect(come_back(page, story)).to_have_text(f"1 new update since your last visit — {JUMP}")


def test_when_the_oldest_unread_is_on_an_older_page_the_jump_goes_there(page, story):
    come_back(page, story)
    page.goto("/")
    now = timezone.now()
    # 22 new updates: the story page shows 20; the oldest new one, a key event, is on the next page.
    oldest_new = make_update(
        story=story, body="Перші результати.", key_event=True, published_at=now - timedelta(minutes=30)
    )
    for minutes in range(21, 0, -1):
        make_update(story=story, body=f"Оновлення {minutes}.", published_at=now - timedelta(minutes=minutes))

    notice = come_back(page, story)
    expect(notice).to_have_text(f"More than 20 new updates and 1 key event since your last visit — {JUMP}")
    page.locator(".catch-up a").click()
    target = page.locator(f"#update-{oldest_new.pk}")
    expect(target).to_be_focused()
    expect(target).to_be_in_viewport()
    assert "?after=" in page.url
    assert page.locator("#updates > article.update").last.get_attribute("id") == f"update-{oldest_new.pk}"


def test_updates_shown_while_reading_count_as_seen(page, settings):
    settings.LIVEBLOG_CURSOR_WINDOW = 1
    settings.LIVEBLOG_CURSOR_LAG = 0
    story = make_story(title="Live count", poll_interval=1)
    make_stream(story=story, count=3, start=timezone.now() - timedelta(hours=1))
    come_back(page, story)
    arrived = make_update(story=story, body="Arrived while reading.")
    page.locator(f"#updates > #update-{arrived.pk}").wait_for(timeout=6000)  # at the top: shown at once
    page.goto("/")
    assert come_back(page, story).count() == 0


def test_see_what_changed_shows_the_old_and_the_new_text(page, story):
    update = story.updates.order_by("-published_at").first()
    update.body = "Явка становить 64 відсотки."
    services.save_update(update=update)
    never_edited = story.updates.exclude(pk=update.pk).first()

    page.goto(story.get_absolute_url())
    assert page.locator(f"#update-{never_edited.pk} a.see-changes").count() == 0
    link = page.locator(f"#update-{update.pk} a.see-changes")
    expect(link).to_have_text("See what changed")
    link.click()

    expect(page.locator("h1")).to_have_text("What changed in this update")
    versions = page.locator("li.version")
    expect(versions).to_have_count(2)
    current, first = versions.nth(0), versions.nth(1)
    assert current.locator("h2").inner_text().startswith("Current version, updated ")
    assert first.locator("h2").inner_text().startswith("Version 1, published ")
    assert first.locator(".version-text").inner_text() == "Update number 5."
    assert current.locator("del").all_inner_texts() == ["Update number 5"]
    assert current.locator("ins").all_inner_texts() == ["Явка становить 64 відсотки"]
    assert Update.objects.get(pk=update.pk).edited_at is not None
