"""changes.json stays bounded however long the story: one page of updates at most, or a reload.

A tab that slept through an evening asks ``?since=<old cursor>``; ``?since=0`` is
the worst of those. The answer holds at most ``pagination.PAGE_SIZE`` updates and
``live.MAX_DELETED`` ids, each query is bounded by a LIMIT, and beyond that the
answer says ``"reload": true`` (the page script loads the page afresh).
"""

import time
import tracemalloc
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coverage import live, pagination, services
from coverage.models import Update
from tests.factories import make_story, make_stream

pytestmark = pytest.mark.django_db

BIG = 20_000
MAX_BODY = 200_000  # bytes: one page of short updates is about 20 KB


@pytest.fixture(autouse=True)
def _no_lag(settings):
    settings.LIVEBLOG_CURSOR_LAG = 0
    settings.LIVEBLOG_CURSOR_WINDOW = 1
    settings.LIVEBLOG_PAGE_CACHE_SECONDS = 0  # every query real, also with Redis (CI)


def since_zero(client, story):
    """The answer to ``?since=0``, its query count, seconds and peak Python memory."""
    url = f"/live/{story.slug}/changes.json?since=0"
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    seconds = time.perf_counter() - started
    count = len(queries)  # now: the next request clears the log
    tracemalloc.start()  # a second request: tracing slows Python down several times
    again = client.get(url)
    # The same answer, but for the cursor: the two requests may straddle a cursor window.
    assert {**again.json(), "cursor": None} == {**response.json(), "cursor": None}
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert response.status_code == 200
    return response, count, seconds, peak


def test_since_zero_on_a_20000_update_story_is_one_bounded_answer(client):
    small = make_stream(story=make_story(title="Twenty"), count=pagination.PAGE_SIZE)
    started = time.perf_counter()
    big = make_stream(story=make_story(title="Twenty thousand"), count=BIG)
    built = time.perf_counter() - started
    client.get(f"/live/{small.slug}/changes.json?since=0")  # warm up templates and URL resolvers

    response, small_queries, small_seconds, small_peak = since_zero(client, small)
    data = response.json()
    assert data["reload"] is False
    assert len(data["updates"]) == pagination.PAGE_SIZE

    response, big_queries, big_seconds, big_peak = since_zero(client, big)
    data = response.json()
    assert data["reload"] is True
    assert data["updates"] == [] and data["deleted"] == []
    assert len(response.content) < MAX_BODY
    assert big_queries <= small_queries  # a reload answer renders nothing: never more than a page costs
    assert big_peak < 10 * 1024 * 1024  # bytes; a page of updates is well under this
    print(
        f"\nchanges.json?since=0: {BIG:,} updates (built in {built:.1f} s): {big_seconds * 1000:.0f} ms, "
        f"{len(response.content):,} bytes, {big_queries} queries, peak {big_peak / 1024:.0f} KB; "
        f"{pagination.PAGE_SIZE} updates: {small_seconds * 1000:.0f} ms, {small_queries} queries, "
        f"peak {small_peak / 1024:.0f} KB"
    )


def test_one_more_update_than_a_page_asks_for_a_reload(client):
    story = make_stream(count=pagination.PAGE_SIZE + 1)
    data = client.get(f"/live/{story.slug}/changes.json?since=0").json()
    assert data["reload"] is True and data["updates"] == []
    assert data["cursor"].isdigit() and data["live"] is True


def old_stream(count):
    """A story of ``count`` updates published and last changed over an hour ago."""
    story = make_stream(count=count, start=timezone.now() - timedelta(hours=2))
    story.updates.update(public_changed_at=timezone.now() - timedelta(hours=1))
    return story


def test_a_page_of_changes_comes_whole_newest_first(client):
    story = old_stream(pagination.PAGE_SIZE + 30)
    since = live.current_cursor(timezone.now() - timedelta(minutes=1))
    quiet = client.get(f"/live/{story.slug}/changes.json?since={since}").json()
    assert quiet["reload"] is False and quiet["updates"] == []
    changed = list(story.updates.order_by("?")[: pagination.PAGE_SIZE])
    for update in changed:
        update.body = f"Edited {update.pk}."
        services.save_update(update=update)
    data = client.get(f"/live/{story.slug}/changes.json?since={since}").json()
    assert data["reload"] is False
    published = sorted(changed, key=lambda update: (update.published_at, update.pk), reverse=True)
    assert [item["id"] for item in data["updates"]] == [update.pk for update in published]
    assert all(f"Edited {item['id']}." in item["html"] for item in data["updates"])


def test_deleted_ids_are_bounded_too(client):
    story = old_stream(live.MAX_DELETED + 1)
    since = live.current_cursor(timezone.now() - timedelta(minutes=1))
    taken_down = list(story.updates.order_by("pk"))
    for update in taken_down[: live.MAX_DELETED]:
        update.status = Update.Status.DRAFT
        services.save_update(update=update)
    data = client.get(f"/live/{story.slug}/changes.json?since={since}").json()
    assert data["reload"] is False
    assert data["deleted"] == [update.pk for update in taken_down[: live.MAX_DELETED]]
    services.delete_update(update=taken_down[-1])
    data = client.get(f"/live/{story.slug}/changes.json?since={since}").json()
    assert data["reload"] is True and data["deleted"] == []
