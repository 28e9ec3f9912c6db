"""A story page as readers get it: the stream, its pages and filters, the first screen, times."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coverage import pagination, services
from coverage.models import Story, Update
from tests.factories import (
    SHIPPED_SLUG,
    make_story,
    make_stream,
    make_update,
)
from tests.pages import article_ids, main_of

pytestmark = pytest.mark.django_db

NEXT_LINK = re.compile(r'<a class="pager-older" rel="next" href="([^"]+)"')


# --- the stream ----------------------------------------------------------------------------


def test_story_page_lists_updates_newest_first(client, seeded):
    response = client.get(f"/live/{SHIPPED_SLUG}/")
    assert response.status_code == 200
    html = main_of(response)
    ids = [int(pk) for pk in re.findall(r'<article class="update[^"]*" id="update-(\d+)"', html)]
    expected = list(seeded.updates.order_by("-published_at").values_list("pk", flat=True))
    assert ids == expected and len(ids) == 8
    assert html.index("The Kremlin’s foreign policy aide") < html.index("As recently as January, President")


def test_images_sit_between_the_right_paragraphs(client, seeded):
    html = main_of(client.get(f"/live/{SHIPPED_SLUG}/"))
    caption = "Ukrainian officials said on Tuesday that they had agreed"
    before = "They expressed a willingness under the right circumstances"
    after = "Mr. Rubio said one of his main goals at the Group of 7"
    assert html.index(before) < html.index(caption) < html.index(after)
    assert "Finbarr O’Reilly for The New York Times" in html
    opening = html.index("Steve Witkoff, President Trump’s Middle East envoy, has also been")
    assert opening < html.index("American and Russian officials are expected to meet in Moscow")
    assert html.count("<figure") == 6


def test_images_have_srcset_sizes_and_lazy_loading(client, seeded):
    html = client.get(seeded.get_absolute_url()).content.decode()
    images = re.findall(r"<img [^>]+>", html[html.index("<main") :])
    assert len(images) == 6
    assert all('srcset="' in img and 'sizes="' in img and 'width="1600"' in img for img in images)
    assert all('alt="' in img for img in images)
    assert sum('loading="lazy"' in img for img in images) == 6  # the newest update has no image
    assert 'type="image/webp"' in html


def test_typed_text_cannot_run_script(client):
    story = make_story(title="<script>alert('title')</script>")
    make_update(story=story, headline="<img src=x onerror=alert(1)>", body="<script>alert(2)</script>")
    html = client.get(story.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html


def test_unpublished_work_is_nowhere_a_reader_looks(client):
    """Drafts and updates scheduled for later: not on the story page, their permalinks 404;
    a draft story: 404, and not on the home page."""
    story = make_story(title="Public story")
    make_update(story=story, body="Published words.")
    draft = make_update(story=story, body="Draft words.", status=Update.Status.DRAFT)
    scheduled = make_update(
        story=story,
        body="Scheduled words.",
        status=Update.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(hours=1),
    )
    response = client.get(story.get_absolute_url())
    html = response.content.decode()
    assert (
        len(article_ids(response)) == 1 and main_of(response).count('<p dir="auto">Published words.</p>') == 1
    )
    assert "Draft words." not in html and "Scheduled words." not in html
    for update in (scheduled, draft):
        assert client.get(f"/live/{story.slug}/updates/{update.pk}/").status_code == 404
    hidden = make_story(title="Hidden story", status=Story.Status.DRAFT)
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert "Hidden story" not in client.get("/").content.decode()


def test_source_slug_redirects_permanently(client, seeded):
    response = client.get("/live/live-updates:-us.-negotiators-head-to-moscow-to-discuss-ukraine/")
    assert response.status_code == 301
    assert response["Location"] == f"/live/{SHIPPED_SLUG}/"


# --- pagination and query counts -----------------------------------------------------------


def story_page_queries(client, story):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    return len(queries), response


def test_query_count_and_html_size_do_not_grow_with_updates(client):
    small = make_stream(story=make_story(title="Small"), count=10)
    large = make_stream(story=make_story(title="Large"), count=1000)
    small_queries, _ = story_page_queries(client, small)
    large_queries, response = story_page_queries(client, large)
    assert large_queries == small_queries
    assert len(article_ids(response)) == 20
    twenty = make_stream(story=make_story(title="Twenty one"), count=21)
    _, reference = story_page_queries(client, twenty)
    assert len(response.content) < len(reference.content) * 1.05


def test_next_links_visit_every_update_exactly_once(client):
    story = make_stream(count=1000)
    make_update(story=story, pinned=True, body="Pinned one.")
    seen, url, pages = [], story.get_absolute_url(), 0
    while url:
        response = client.get(url)
        seen += article_ids(response)
        match = NEXT_LINK.search(response.content.decode())
        url = match.group(1).replace("&amp;", "&") if match else None
        if url and url.startswith("?"):
            url = story.get_absolute_url() + url
        pages += 1
    assert len(seen) == 1001 == len(set(seen))
    assert set(seen) == set(story.updates.values_list("pk", flat=True))
    assert pages == 50  # the pinned update rides on top of the first page


def test_newer_link_returns_to_previous_page(client):
    story = make_stream(count=45)
    first = client.get(story.get_absolute_url())
    second_url = story.get_absolute_url() + NEXT_LINK.search(first.content.decode()).group(1).replace(
        "&amp;", "&"
    )
    second = client.get(second_url)
    newer = re.search(r'rel="prev" href="([^"]+)"', second.content.decode()).group(1).replace("&amp;", "&")
    back = client.get(story.get_absolute_url() + newer)
    assert article_ids(back) == article_ids(first)


def test_a_page_shows_the_same_updates_whatever_time_its_cursors_name(client):
    """An older page asks which updates are public at its cursor's time, not now (SQLite then
    reads the story from the cursor on): the same updates, for every kind of cursor."""
    story = make_stream(count=30)
    newest_first = [update.pk for update in story.updates.order_by("-published_at", "-pk")]
    middle, late = story.updates.get(pk=newest_first[10]), story.updates.get(pk=newest_first[25])

    def shown(**cursors):
        return article_ids(client.get(story.get_absolute_url(), cursors))

    assert shown(before=pagination.encode(middle)) == newest_first[11:]
    assert shown(before="99999999999999999-1") == newest_first[:20]  # a cursor from the future
    # Both cursors: the newer page is the one shown, as paginate() has it.
    assert shown(before=pagination.encode(middle), after=pagination.encode(late)) == newest_first[5:25]


def test_bad_cursor_is_ignored(client):
    story = make_stream(count=3)
    response = client.get(story.get_absolute_url() + "?before=garbage&after=1-x")
    assert response.status_code == 200
    assert len(article_ids(response)) == 3


# --- filters -------------------------------------------------------------------------------


def test_author_filter_shows_only_that_author(client, seeded):
    response = client.get(seeded.get_absolute_url() + "?author=ivan-nechepurenko")
    ids = article_ids(response)
    expected = Update.objects.filter(authors__slug="ivan-nechepurenko").values_list("pk", flat=True)
    assert len(ids) == 2 and set(ids) == set(expected)
    assert 'Showing updates by <span dir="auto">Ivan Nechepurenko</span>' in response.content.decode()
    assert "Clear filters" in response.content.decode()


def test_key_filter_and_combination(client, seeded):
    key = seeded.updates.order_by("-published_at")[2]
    Update.objects.filter(pk=key.pk).update(key_event=True)
    assert article_ids(client.get(seeded.get_absolute_url() + "?key=1")) == [key.pk]
    both = client.get(seeded.get_absolute_url() + "?key=1&author=ivan-nechepurenko")
    assert article_ids(both) == []
    assert "No updates match these filters." in both.content.decode()


# --- the first screen: status, last update, folded summary, key events, pin ----------------


def test_story_page_says_when_it_was_last_updated(client):
    story = make_story(time_zone="Europe/London")
    make_update(story=story, published_at=datetime(2025, 7, 1, 12, 5, tzinfo=UTC))
    edited = make_update(story=story, published_at=datetime(2025, 7, 1, 11, 0, tzinfo=UTC))
    make_update(story=story, status=Update.Status.DRAFT, body="Not yet.")
    html = client.get(story.get_absolute_url()).content.decode()
    expected = "July 1, 1:05 PM BST"
    updated = (
        f'Updated <time datetime="2025-07-01T12:05:00Z" data-relative title="{expected}">{expected}</time>'
    )
    assert f'<p class="story-updated" id="story-updated">{updated}</p>' in html
    assert '<a class="jump-latest" href="#latest">' in html and 'id="latest"' in html
    edited.edited_at = datetime(2025, 7, 1, 12, 30, tzinfo=UTC)
    services.save_update(update=edited)  # as the newsroom saves: the cached page goes
    html = client.get(story.get_absolute_url()).content.decode()
    assert 'Updated <time datetime="2025-07-01T12:30:00Z"' in html


def test_a_long_summary_folds_behind_read_more_and_a_short_one_does_not(client, seeded):
    html = client.get(seeded.get_absolute_url()).content.decode()
    summary = html[html.index('<section class="summary"') : html.index("</section>")]
    lede = summary.index("American and Russian officials were expected to meet")
    fold = summary.index('<details class="read-more">')
    assert lede < fold < summary.index("Here’s what else to know") < summary.index("Fighting in Kursk")
    assert '<summary><span class="read-more-open">Read more</span>' in summary

    short = make_story(title="Short", summary="One paragraph.\n\nAnd a second, short one.")
    make_update(story=short)
    html = client.get(short.get_absolute_url()).content.decode()
    assert "And a second, short one." in html and "read-more" not in html


def test_key_events_list_links_to_updates(client):
    story = make_stream(count=30)
    old = story.updates.order_by("published_at").first()
    new = story.updates.order_by("-published_at").first()
    Update.objects.filter(pk__in=[old.pk, new.pk]).update(key_event=True)
    html = client.get(story.get_absolute_url()).content.decode()
    assert f'href="#update-{new.pk}"' in html
    link = re.search(rf'href="([^"]+#update-{old.pk})"', html).group(1).replace("&amp;", "&")
    assert link.startswith(story.get_absolute_url() + "?before=")
    assert old.pk in article_ids(client.get(link.split("#")[0]))


def test_key_events_show_relative_times(client):
    story = make_story()
    make_update(story=story, key_event=True, headline="Polls close")
    html = client.get(story.get_absolute_url()).content.decode()
    key_events = html[
        html.index('<nav class="key-events"') : html.index("</nav>", html.index('class="key-events"'))
    ]
    assert re.search(
        r'<span class="key-time"><time datetime="[^"]+" data-relative title="[^"]+">', key_events
    )
    assert '<span class="key-text" dir="auto">Polls close</span>' in key_events


def test_pinned_update_is_on_top_and_marked(client, seeded):
    oldest = seeded.updates.order_by("published_at").first()
    Update.objects.filter(pk=oldest.pk).update(pinned=True)
    response = client.get(seeded.get_absolute_url())
    ids = article_ids(response)
    assert ids[0] == oldest.pk and ids.count(oldest.pk) == 1
    assert "flag-pinned" in response.content.decode()


# --- times ---------------------------------------------------------------------------------


def test_edited_update_shows_updated_time(client):
    update = make_update(edited_at=timezone.now())
    html = client.get(update.story.get_absolute_url()).content.decode()
    assert 'class="edited">Updated <time datetime=' in html


def test_times_are_in_the_story_zone_and_named(client):
    story = make_story(time_zone="Europe/London")
    make_update(story=story, published_at=datetime(2025, 7, 1, 12, 5, tzinfo=UTC))
    html = client.get(story.get_absolute_url()).content.decode()
    expected = "July 1, 1:05 PM BST"
    assert f'<time datetime="2025-07-01T12:05:00Z" data-relative title="{expected}">{expected}</time>' in html


# --- shared caches ------------------------------------------------------------------------


@pytest.mark.parametrize("page_cache", [0, 60])
def test_story_page_answers_a_conditional_get_and_may_be_shared_for_one_window(client, settings, page_cache):
    settings.LIVEBLOG_PAGE_CACHE_SECONDS = page_cache
    # The page's cursor (and so its bytes) holds still for a window: an hour, so that the clock
    # does not cross a window's edge between the test's requests (30 s did, once in a while).
    settings.LIVEBLOG_CURSOR_WINDOW = 3600
    story = make_story()
    update = make_update(story=story, body="First words.")
    url = story.get_absolute_url()
    first = client.get(url)
    assert first.status_code == 200
    assert first["Cache-Control"] == "public, max-age=0, s-maxage=3600, stale-while-revalidate=3600"
    etag = first["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)

    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)
    assert again["Cache-Control"] == first["Cache-Control"]
    compressed = client.get(url, HTTP_ACCEPT_ENCODING="br")
    assert (compressed["Content-Encoding"], compressed["ETag"]) == ("br", f"W/{etag}")
    assert client.get(url, HTTP_ACCEPT_ENCODING="br", HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304

    # After a change the reader's validator no longer matches: the new page, never the old one.
    update.body = "Second words."
    services.save_update(update=update)
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert main_of(changed).count('<p dir="auto">Second words.</p>') == 1
    assert "First words." not in changed.content.decode()


def test_a_redirect_from_an_old_slug_is_not_marked_shareable(client):
    story = make_story(title="Moved")
    story.source_slug = "Moved:Old"
    services.save_story(story=story)
    response = client.get("/live/Moved:Old/")
    assert response.status_code == 301
    assert "ETag" not in response and "s-maxage" not in response.get("Cache-Control", "")
