"""Coverage left live by mistake ends by itself (``coverage.idle``): on the first read, once."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coverage import caching, idle, live, services
from coverage.models import Story, Update
from tests.factories import make_story, make_update, make_user
from tests.htmlforms import form_data

pytestmark = pytest.mark.django_db

# The newest update of an idle story, and the moment its 24 hours ran out, in New York.
LAST_UPDATE = datetime(2025, 1, 13, 14, 42, tzinfo=UTC)
REASON = "Ended automatically: no update for 24 hours, at Jan. 14, 9:42 AM EST."


def idle_story(title="Обстріл Харкова: пряма трансляція"):
    """A live story whose newest update is from January 2025 (Cyrillic title)."""
    story = make_story(title=title, slug=f"idle-{Story.objects.count()}", coverage_start=LAST_UPDATE)
    make_update(story=story, body="آخر تحديث. 最后的更新。", published_at=LAST_UPDATE)
    return story


def quiet_story(quiet_for):
    """A live story whose newest update was ``quiet_for`` ago (coverage started a week ago)."""
    story = make_story(coverage_start=timezone.now() - timedelta(days=7))
    make_update(story=story, published_at=timezone.now() - quiet_for)
    return story


def read_page(client, story):
    return client.get(story.get_absolute_url())


def read_poll(client, story):
    return client.get(f"/live/{story.slug}/changes.json?since={live.current_cursor()}")


def read_feed(client, story):
    return client.get(reverse("coverage:story_feed", args=[story.slug]))


def read_api(client, story):
    return client.get(f"/api/v1/stories/{story.slug}/")


READS = [read_page, read_poll, read_feed, read_api]


@pytest.mark.parametrize("read", READS, ids=lambda read: read.__name__)
def test_an_idle_story_ends_on_its_first_read_exactly_once(client, read):
    story = idle_story()
    assert read(client, story).status_code == 200
    stored = Story.objects.get(pk=story.pk)
    assert stored.status == Story.Status.ENDED
    assert stored.coverage_end == LAST_UPDATE  # when coverage really stopped
    assert stored.ended_automatically_at == LAST_UPDATE + timedelta(hours=24)
    assert stored.version == story.version + 1
    for again in READS:
        assert again(client, story).status_code == 200
    assert Story.objects.get(pk=story.pk).version == story.version + 1


def test_the_page_that_ends_it_shows_it_ended_and_does_not_poll(client):
    story = idle_story()
    html = read_page(client, story).content.decode()
    assert re.findall(r'<p class="ended-badge">Coverage ended <time datetime="([^"]+)"', html) == [
        "2025-01-13T14:42:00Z"
    ]
    assert 'class="live-badge"' not in html
    assert "data-changes-url" not in html
    assert "Обстріл Харкова" in html and "最后的更新" in html


def test_a_poll_after_the_end_answers_not_live(client):
    story = idle_story()
    data = read_poll(client, story).json()
    assert data["live"] is False
    assert read_poll(client, story).headers["Cache-Control"] == "public, max-age=3600"


def test_a_story_is_not_ended_before_its_limit(client):
    story = quiet_story(timedelta(hours=23, minutes=59))
    for read in READS:
        assert read(client, story).status_code == 200
    stored = Story.objects.get(pk=story.pk)
    assert (stored.status, stored.version, stored.ended_automatically_at) == (Story.Status.LIVE, 1, None)
    assert read_poll(client, story).json()["live"] is True
    # Two minutes on, it is idle: the same check with a later clock ends it.
    assert idle.end_if_idle(stored, now=timezone.now() + timedelta(minutes=2)) is True
    assert Story.objects.get(pk=story.pk).status == Story.Status.ENDED


def test_a_scheduled_update_keeps_the_story_live_until_its_time_and_24_hours_after(client):
    """A schedule is the newsroom saying coverage goes on: the story is not ended under it."""
    story = quiet_story(timedelta(hours=30))
    due = timezone.now() + timedelta(hours=1)
    make_update(story=story, status=Update.Status.SCHEDULED, published_at=due)
    assert read_page(client, story).status_code == 200
    stored = Story.objects.get(pk=story.pk)
    assert stored.status == Story.Status.LIVE
    assert idle.deadline(stored) == due + timedelta(hours=24)
    assert idle.end_if_idle(stored, now=due + timedelta(hours=23)) is False
    assert idle.end_if_idle(stored, now=due + timedelta(hours=24)) is True
    assert Story.objects.get(pk=story.pk).coverage_end == due


def test_a_draft_or_an_edit_is_no_activity(client):
    story = quiet_story(timedelta(hours=25))
    make_update(story=story, status=Update.Status.DRAFT)
    Update.objects.filter(story=story).update(edited_at=timezone.now())
    read_page(client, story)
    assert Story.objects.get(pk=story.pk).status == Story.Status.ENDED


def test_a_story_nobody_opens_ends_when_the_front_page_is_read(client):
    story = idle_story()
    fresh = quiet_story(timedelta(hours=1))
    html = client.get("/").content.decode()
    assert Story.objects.get(pk=story.pk).status == Story.Status.ENDED
    assert Story.objects.get(pk=fresh.pk).status == Story.Status.LIVE
    cards = html.split('<li class="story-card')[1:]
    shown = [("live-badge" in card, "Обстріл Харкова" in card) for card in cards]
    assert shown == [(True, False), (False, True)]


def test_two_readers_at_once_end_it_once(client):
    story = idle_story()
    first, second = Story.objects.with_activity().get(pk=story.pk), Story.objects.get(pk=story.pk)
    assert services.end_idle_story(story=first, now=timezone.now()) is True
    assert services.end_idle_story(story=second, now=timezone.now()) is False
    assert second.status == Story.Status.ENDED and second.version == first.version == story.version + 1


def test_an_update_published_while_it_was_read_keeps_it_live():
    story = Story.objects.with_activity().get(pk=idle_story().pk)  # read as idle
    make_update(story=story, body="Still here.")
    assert services.end_idle_story(story=story, now=timezone.now()) is False
    assert Story.objects.get(pk=story.pk).status == Story.Status.LIVE


def test_cached_answers_of_a_live_story_do_not_outlive_its_deadline(settings):
    settings.LIVEBLOG_PAGE_CACHE_SECONDS = 60
    story = quiet_story(timedelta(hours=24) - timedelta(seconds=20))
    assert 18 <= caching.page_timeout(story) <= 20
    assert 18 <= caching.page_timeout(Story.objects.with_activity().get(pk=story.pk)) <= 20
    assert caching.page_timeout(quiet_story(timedelta(hours=1))) == 60
    settings.LIVEBLOG_IDLE_END_HOURS = 0
    assert caching.page_timeout(story) == 60


def test_with_the_setting_0_nothing_ends(client, settings):
    settings.LIVEBLOG_IDLE_END_HOURS = 0
    story = idle_story()
    client.get("/")
    for read in READS:
        assert read(client, story).status_code == 200
    assert idle.end_idle_stories() == 0
    stored = Story.objects.get(pk=story.pk)
    assert (stored.status, stored.version, stored.ended_automatically_at) == (Story.Status.LIVE, 1, None)


@pytest.fixture
def editor(client):
    client.force_login(make_user(username="edith", role="Editors"))
    return client


def test_the_admin_list_ends_idle_stories_and_says_why(editor):
    story = idle_story()
    manual = make_story(title="Ended by hand", status=Story.Status.ENDED)
    html = editor.get(reverse("admin:coverage_story_changelist")).content.decode()
    assert html.count(REASON) == 1
    assert re.findall(r'<td class="field-ended_automatically">([^<]*)</td>', html) == ["-", REASON]
    assert Story.objects.get(pk=story.pk).status == Story.Status.ENDED
    assert Story.objects.get(pk=manual.pk).ended_automatically_at is None


def test_the_story_form_says_why_and_going_live_again_clears_it(editor, client):
    story = idle_story()
    read_page(client, story)
    url = reverse("admin:coverage_story_change", args=[story.pk])
    page = editor.get(url).content.decode()
    assert page.count(REASON) == 1
    data = form_data(page.encode(), "story_form", _save="Save", status="live")
    assert editor.post(url, data).status_code == 302
    stored = Story.objects.get(pk=story.pk)
    assert stored.status == Story.Status.LIVE
    assert stored.coverage_end is None and stored.ended_automatically_at is None
    assert timezone.now() - stored.live_since < timedelta(minutes=1)
    # Reopened, it has a full 24 hours again: reading it keeps it live.
    assert read_poll(client, story).json()["live"] is True
    assert REASON not in editor.get(url).content.decode()
    assert idle.deadline(stored) == stored.live_since + timedelta(hours=24)


def test_ending_by_hand_leaves_no_mark():
    story = idle_story()
    services.end_coverage(story=Story.objects.get(pk=story.pk))
    stored = Story.objects.get(pk=story.pk)
    assert stored.status == Story.Status.ENDED and stored.ended_automatically_at is None
    assert idle.reason(stored) == ""
