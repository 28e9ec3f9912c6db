"""Live updating in a real browser: a reader keeps the page open while the newsroom works."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coverage import services
from coverage.models import Story, Update
from tests.factories import make_author, make_story, make_stream, make_update, make_user
from tests.test_admin_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLL = 1  # seconds, set on the story as the newsroom would mid-event
WITHIN_TWO_POLLS = 2 * POLL * 1000 + 2500  # ms, with room for a busy machine


@pytest.fixture
def story(settings):
    settings.LIVEBLOG_CURSOR_WINDOW = 1
    settings.LIVEBLOG_CURSOR_LAG = 0
    story = make_story(title="Election night", poll_interval=POLL)
    make_stream(story=story, count=12, start=timezone.now() - timedelta(hours=2))
    return story


def test_reader_scrolled_down_gets_a_button_then_the_update(page, story):
    page.goto(story.get_absolute_url())
    page.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
    scroll_before = page.evaluate("window.scrollY")

    fresh = make_update(
        story=story, body="Polls have closed in the east.", authors=[make_author(name="Night Desk")]
    )

    button = page.locator("button.new-updates")
    button.wait_for(state="visible", timeout=WITHIN_TWO_POLLS)
    assert button.inner_text() == "Show 1 new update"
    assert page.locator("#live-status").inner_text() == "1 new update"
    assert page.title().startswith("(1) ")
    assert page.locator(f"#update-{fresh.pk}").count() == 0  # nothing moved under the reader
    assert abs(page.evaluate("window.scrollY") - scroll_before) < 2

    button.click()
    first = page.locator("#updates > article.update").first
    assert first.get_attribute("id") == f"update-{fresh.pk}"
    assert "Polls have closed in the east." in first.inner_text()
    assert first.is_visible()
    assert page.locator("#live-status").inner_text() == "1 new update shown"
    assert page.locator("button.new-updates").count() == 0


def test_reader_at_the_top_sees_new_updates_inserted(page, story):
    page.goto(story.get_absolute_url())
    fresh = make_update(story=story, body="First results are in.")
    page.locator(f"#updates > #update-{fresh.pk}").wait_for(timeout=WITHIN_TWO_POLLS)
    assert page.locator("#updates > article.update").first.get_attribute("id") == f"update-{fresh.pk}"
    assert "1 new update" in page.locator("#live-status").inner_text()


def test_edits_deletions_and_pins_apply_in_place(page, story):
    page.goto(story.get_absolute_url())
    newest = list(story.updates.order_by("-published_at")[:3])
    edited, removed, pinned = newest

    edited.body = "Corrected figure: 52 percent."
    services.save_update(update=edited)  # dates the edit: readers see "Updated"
    article = page.locator(f"#update-{edited.pk}")
    article.locator("text=Corrected figure: 52 percent.").wait_for(timeout=WITHIN_TWO_POLLS)
    assert "Updated" in article.locator(".update-time").inner_text()

    removed_id = removed.pk
    services.delete_update(update=removed)
    page.locator(f"#update-{removed_id}").wait_for(state="detached", timeout=WITHIN_TWO_POLLS)

    pinned.pinned = True
    services.save_update(update=pinned)
    page.locator(f"#pinned > #update-{pinned.pk}").wait_for(timeout=WITHIN_TWO_POLLS)
    assert page.locator(f"#update-{pinned.pk} .flag-pinned").is_visible()

    hidden = story.updates.order_by("-published_at")[5]
    hidden.status = Update.Status.DRAFT
    services.save_update(update=hidden)
    page.locator(f"#update-{hidden.pk}").wait_for(state="detached", timeout=WITHIN_TWO_POLLS)


def test_polling_stops_when_coverage_ends(page, story):
    page.goto(story.get_absolute_url())
    story.status = Story.Status.ENDED
    story.coverage_end = timezone.now()
    services.save_story(story=story)
    page.locator("#story-status .ended-badge").wait_for(timeout=WITHIN_TWO_POLLS)
    assert page.locator("#live-status").inner_text() == "Coverage has ended."
    requests = []
    page.on(
        "request", lambda request: requests.append(request.url) if "changes.json" in request.url else None
    )
    page.wait_for_timeout(2500)
    assert requests == []


def test_polling_pauses_in_a_hidden_tab(page, story):
    requests = []
    page.on(
        "request", lambda request: requests.append(request.url) if "changes.json" in request.url else None
    )
    page.goto(story.get_absolute_url())
    page.wait_for_timeout(2500)
    assert requests, "the page polls while visible"
    page.evaluate(
        """() => {
            Object.defineProperty(document, 'hidden', {value: true, configurable: true});
            document.dispatchEvent(new Event('visibilitychange'));
        }"""
    )
    page.wait_for_timeout(300)
    requests.clear()
    page.wait_for_timeout(2500)
    assert requests == []


def test_title_count_always_equals_what_the_button_offers(page, story):
    page.goto(story.get_absolute_url())
    page.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
    first = make_update(story=story, body="Turnout is high in the north.")
    second = make_update(story=story, body="Turnout is low in the south.")
    button = page.locator("button.new-updates")
    expect(button).to_have_text("Show 2 new updates", timeout=WITHIN_TWO_POLLS)
    expect(page).to_have_title("(2) Election night · liveblog")

    services.delete_update(update=first)
    expect(button).to_have_text("Show 1 new update", timeout=WITHIN_TWO_POLLS)
    expect(page).to_have_title("(1) Election night · liveblog")

    second.status = Update.Status.DRAFT  # unpublished: gone for readers too
    services.save_update(update=second)
    expect(button).to_have_count(0, timeout=WITHIN_TWO_POLLS)
    expect(page).to_have_title("Election night · liveblog")


def test_key_events_box_follows_the_newsroom_without_reload(page, story, browser, live_server):
    page.goto(story.get_absolute_url())
    assert page.locator("#key-events .key-events").count() == 0
    marked = story.updates.order_by("-published_at")[3]

    # An editor, in another browser, marks an update as a key event in the admin.
    editor = browser.new_context(base_url=live_server.url).new_page()
    log_in(editor, make_user(username="eddie", role="Editors"))
    editor.goto(f"/admin/coverage/update/{marked.pk}/change/")
    editor.check("#id_key_event")
    editor.click("input[name=_save]")
    editor.context.close()

    link = page.locator(f'#key-events a[data-update="{marked.pk}"]')
    expect(link).to_be_visible(timeout=WITHIN_TWO_POLLS)
    expect(link).to_have_attribute("href", f"#update-{marked.pk}")  # it is on this page
    expect(link.locator("time")).to_have_text(re.compile(r"ago$"))

    fresh = make_update(story=story, key_event=True, headline="Networks call the race")
    first = page.locator("#key-events li").first
    expect(first).to_contain_text("Networks call the race", timeout=WITHIN_TWO_POLLS)
    fresh.headline = "Networks call the race for the challenger"
    services.save_update(update=fresh)
    expect(first).to_contain_text("for the challenger", timeout=WITHIN_TWO_POLLS)
    first.locator("a").click()
    expect(page).to_have_url(re.compile(rf"#update-{fresh.pk}$"))

    marked.refresh_from_db()
    services.delete_update(update=marked)
    expect(link).to_have_count(0, timeout=WITHIN_TWO_POLLS)
    fresh.key_event = False
    services.save_update(update=fresh)
    expect(page.locator("#key-events .key-events")).to_have_count(0, timeout=WITHIN_TWO_POLLS)
    assert page.title() == "Election night · liveblog"
