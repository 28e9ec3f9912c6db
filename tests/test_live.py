"""The change feed: /live/<slug>/changes.json."""

import re
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from coverage import caching, live, services
from coverage.models import Story, Update
from tests.factories import make_story, make_update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_lag(settings):
    settings.LIVEBLOG_CURSOR_LAG = 0
    settings.LIVEBLOG_CURSOR_WINDOW = 1


def changes_url(story, since=None):
    url = f"/live/{story.slug}/changes.json"
    return f"{url}?since={since}" if since is not None else url


def poll(client, story, since):
    response = client.get(changes_url(story, since))
    assert response.status_code == 200
    return response.json()


def hour_ago():
    return timezone.now() - timedelta(hours=1)


def past_cursor(seconds=60):
    return live.current_cursor(timezone.now() - timedelta(seconds=seconds))


def test_without_since_returns_only_the_cursor(client):
    story = make_story()
    make_update(story=story)
    data = client.get(changes_url(story)).json()
    assert data["updates"] == [] and data["deleted"] == [] and data["cursor"].isdigit()
    assert data["live"] is True and data["interval"] == 15


def test_published_update_appears_in_next_poll(client):
    story = make_story()
    make_update(story=story, body="Old news.", published_at=timezone.now() - timedelta(hours=1))
    Update.objects.update(changed_at=hour_ago(), public_changed_at=hour_ago())
    since = past_cursor()
    assert poll(client, story, since)["updates"] == []
    fresh = make_update(story=story, body="Breaking: something new.")
    data = poll(client, story, since)
    assert [item["id"] for item in data["updates"]] == [fresh.pk]
    item = data["updates"][0]
    assert f'id="update-{fresh.pk}"' in item["html"] and "Breaking: something new." in item["html"]
    assert item["published"] and item["edited"] is None and item["pinned"] is False


def test_edit_comes_back_with_new_html_and_edited_time(client):
    story = make_story()
    update = make_update(story=story, body="First version.")
    since = past_cursor()
    update.body, update.edited_at = "Second version.", timezone.now()
    services.save_update(update=update)
    item = poll(client, story, since)["updates"][0]
    assert "Second version." in item["html"] and "Updated" in item["html"]
    assert item["edited"] == update.edited_at.isoformat()


def test_unpublished_and_deleted_updates_are_listed_as_deleted(client):
    story = make_story()
    hidden, removed, kept = make_update(story=story), make_update(story=story), make_update(story=story)
    Update.objects.update(changed_at=hour_ago(), public_changed_at=hour_ago())
    Update.objects.update(published_at=timezone.now() - timedelta(hours=1))
    since = past_cursor()
    hidden.status = Update.Status.DRAFT
    services.save_update(update=hidden)
    removed_pk = removed.pk
    services.delete_update(update=removed)
    data = poll(client, story, since)
    assert data["deleted"] == sorted([hidden.pk, removed_pk])
    assert kept.pk not in [item["id"] for item in data["updates"]]


def test_drafts_and_future_schedules_never_appear_until_their_time(client):
    story = make_story()
    since = past_cursor()
    make_update(story=story, status=Update.Status.DRAFT, body="Draft text.")
    scheduled = make_update(
        story=story,
        status=Update.Status.SCHEDULED,
        body="Scheduled text.",
        published_at=timezone.now() + timedelta(minutes=10),
    )
    response = client.get(changes_url(story, since))
    assert "Draft text." not in response.content.decode()
    assert "Scheduled text." not in response.content.decode()
    assert response.json()["deleted"] == []
    # Its time comes: no cron, no save; the next poll shows it.
    Update.objects.filter(pk=scheduled.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    Update.objects.filter(pk=scheduled.pk).update(changed_at=hour_ago(), public_changed_at=None)
    # Ten minutes passed in a line: the cached answers ran out at the release time
    # (caching.page_timeout), which this test cannot wait for.
    cache.clear()
    caching.clear_local()
    data = poll(client, story, since)
    assert [item["id"] for item in data["updates"]] == [scheduled.pk]


def test_pin_changes_are_reported(client):
    story = make_story()
    first, second = make_update(story=story, pinned=True), make_update(story=story)
    since = past_cursor()
    first.pinned = False
    services.save_update(update=first)
    second.pinned = True
    services.save_update(update=second)
    data = poll(client, story, since)
    assert data["pinned"] == second.pk
    assert {item["id"]: item["pinned"] for item in data["updates"]} == {first.pk: False, second.pk: True}


def quiet_story():
    """A story whose last change is an hour old: its cursor and ETag stay put."""
    story = make_story()
    make_update(story=story, published_at=timezone.now() - timedelta(hours=1))
    hour_ago = timezone.now() - timedelta(hours=1)
    Update.objects.filter(story=story).update(changed_at=hour_ago, public_changed_at=hour_ago)
    Story.objects.filter(pk=story.pk).update(updated_at=hour_ago)
    return story


def test_etag_and_304(client):
    story = quiet_story()
    since = past_cursor()
    first = client.get(changes_url(story, since))
    assert first["ETag"].startswith('"') and first["Last-Modified"]
    assert first["Cache-Control"].startswith("public, max-age=")
    assert "stale-while-revalidate" in first["Cache-Control"]
    assert "Cookie" not in first.get("Vary", "")
    again = client.get(changes_url(story, since), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]


@pytest.mark.parametrize(("page_cache", "queries"), [(0, 1), (60, 0)])
def test_304_costs_one_query_or_none_from_the_cache(
    client, settings, django_assert_num_queries, page_cache, queries
):
    settings.LIVEBLOG_PAGE_CACHE_SECONDS = page_cache
    story = quiet_story()
    url = changes_url(story, past_cursor())
    etag = client.get(url)["ETag"]
    with django_assert_num_queries(queries):
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304


def test_quiet_story_keeps_its_cursor_and_etag(client):
    story = quiet_story()
    since = past_cursor()
    first = client.get(changes_url(story, since))
    assert first.json()["cursor"] == str(since)
    second = client.get(changes_url(story, since), HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 304


def test_a_change_changes_the_etag(client):
    story = make_story()
    update = make_update(story=story)
    url = changes_url(story, past_cursor())
    etag = client.get(url)["ETag"]
    update.key_event = True
    services.save_update(update=update)
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["updates"][0]["key_event"] is True


def test_ended_story_says_not_live_and_caches_long(client):
    story = make_story(status=Story.Status.ENDED)
    response = client.get(changes_url(story, past_cursor()))
    assert response.json()["live"] is False
    assert response["Cache-Control"] == "public, max-age=3600"


def test_interval_comes_from_the_story_or_the_setting(client, settings):
    settings.LIVEBLOG_POLL_INTERVAL = 20
    story = make_story()
    assert client.get(changes_url(story)).json()["interval"] == 20
    story.poll_interval = 60
    services.save_story(story=story)  # as the admin does: the save invalidates cached state
    assert client.get(changes_url(story)).json()["interval"] == 60


@pytest.mark.parametrize("since", ["abc", "-1", "1e9", "9" * 40, ""])
def test_bad_cursor_is_a_clear_400(client, since):
    story = make_story()
    response = client.get(f"/live/{story.slug}/changes.json?since={since}")
    assert response.status_code == 400
    assert "since" in response.json()["error"]


@pytest.mark.parametrize("since", ["²", "١٢٣", "１２３", "999999999999", str(live.MAX_CURSOR + 1)])
def test_cursor_of_other_digits_or_beyond_the_calendar_is_a_400_not_a_500(client, since):
    story = make_story()
    response = client.get(changes_url(story, since))
    assert response.status_code == 400
    assert "since" in response.json()["error"]


def test_latest_possible_cursor_is_answered(client):
    story = make_story()
    make_update(story=story)
    data = poll(client, story, live.MAX_CURSOR)
    assert data["updates"] == [] and data["cursor"] == str(live.MAX_CURSOR)


def test_draft_story_has_no_feed(client):
    story = make_story(status=Story.Status.DRAFT)
    assert client.get(changes_url(story)).status_code == 404


def test_cursor_is_shared_within_a_window(settings):
    settings.LIVEBLOG_CURSOR_WINDOW = 5
    base = timezone.datetime(2025, 3, 13, 12, 0, 0, tzinfo=timezone.get_current_timezone())
    cursors = {live.current_cursor(base + timedelta(seconds=offset)) for offset in range(5)}
    assert len(cursors) == 1
    assert live.current_cursor(base + timedelta(seconds=5)) != cursors.pop()


def test_story_page_carries_the_live_settings(client):
    story = make_story()
    make_update(story=story)
    html = client.get(story.get_absolute_url()).content.decode()
    assert f'data-changes-url="/live/{story.slug}/changes.json"' in html
    assert 'aria-live="polite"' in html
    ended = make_story(status=Story.Status.ENDED)
    assert "data-changes-url" not in client.get(ended.get_absolute_url()).content.decode()


def key_event_ids(html):
    return [int(pk) for pk in re.findall(r'data-update="(\d+)"', html or "")]


def test_changes_carry_the_key_events_box_when_updates_change(client):
    story = make_story()
    older = make_update(story=story, key_event=True, published_at=timezone.now() - timedelta(hours=2))
    plain = make_update(story=story, published_at=timezone.now() - timedelta(hours=1))
    hour_ago = timezone.now() - timedelta(hours=1)
    Update.objects.filter(story=story).update(changed_at=hour_ago, public_changed_at=hour_ago)
    Story.objects.filter(pk=story.pk).update(updated_at=hour_ago)
    since = past_cursor()
    assert poll(client, story, since)["key_events"] is None  # nothing changed: the box stays as it is

    fresh = make_update(story=story, key_event=True, headline="Polls close in the east")
    box = poll(client, story, since)["key_events"]
    assert key_event_ids(box) == [fresh.pk, older.pk]
    assert "Polls close in the east" in box
    assert re.search(r"<time datetime=\"[^\"]+\" data-relative title=\"[^\"]+\">", box)
    assert "?before=" in box  # links reach the update wherever it is; the page script keeps anchors

    plain.key_event = True
    services.save_update(update=plain)
    fresh.key_event = False
    services.save_update(update=fresh)
    services.delete_update(update=older)
    assert key_event_ids(poll(client, story, since)["key_events"]) == [plain.pk]
    plain.key_event = False
    services.save_update(update=plain)
    assert poll(client, story, since)["key_events"] == ""


# --- a write committed late ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("remove", [False, True])
def test_a_change_committed_late_reaches_readers_whose_cursor_passed_its_date(client, settings, remove):
    """A write that commits well after it was dated (a long seed, a stalled process): readers
    were handed cursors past its date meanwhile. Dated again at its commit, it is in their next poll."""
    settings.LIVEBLOG_CURSOR_LAG = 1
    story = make_story()
    kept = make_update(story=story, body="Старе оновлення.")
    kept_id = kept.pk
    Update.objects.filter(pk=kept_id).update(public_changed_at=hour_ago())  # an old change
    dated = timezone.now()
    with transaction.atomic():
        if remove:
            services.delete_update(update=kept)
        else:
            update = Update(story=story, body="تحديث متأخر.", status=Update.Status.PUBLISHED)
            services.save_update(update=update)
        time.sleep(2.5)  # past the lag and the rounding of cursors to whole seconds
        handed_out = live.current_cursor()  # what a reader polling now gets: past the change's date
    assert live.cursor_time(handed_out) > dated
    answer = poll(client, story, handed_out)
    if remove:
        assert (answer["deleted"], answer["updates"]) == ([kept_id], [])
    else:
        assert ([item["id"] for item in answer["updates"]], answer["deleted"]) == ([update.pk], [])


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_in_time_is_not_dated_again(settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.LIVEBLOG_CURSOR_LAG = 3
    story = make_story()
    update = Update(story=story, body="在时间内。", status=Update.Status.PUBLISHED)
    with CaptureQueriesContext(connection) as queries:
        services.save_update(update=update)
    assert not [
        query
        for query in queries
        if "public_changed_at" in query["sql"].split("SET")[-1] and query["sql"].startswith("UPDATE")
    ]
