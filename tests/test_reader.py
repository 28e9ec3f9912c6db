"""The reader experience: pagination, filters, permalinks, feeds, structured data."""

import io
import json
import re
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coverage import services
from coverage.models import Image, Story, Update
from tests.factories import SHIPPED_SEED, SHIPPED_SLUG, make_author, make_story, make_stream, make_update

pytestmark = pytest.mark.django_db

ARTICLE_ID = re.compile(r'<article class="update[^"]*" id="update-(\d+)"')
NEXT_LINK = re.compile(r'<a class="pager-older" rel="next" href="([^"]+)"')


@pytest.fixture
def seeded():
    call_command("seed", SHIPPED_SEED, stdout=io.StringIO())
    return Story.objects.get()


def article_ids(response):
    return [int(pk) for pk in ARTICLE_ID.findall(response.content.decode())]


def json_ld(response):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S)
    return json.loads(match.group(1))


# --- pagination and query counts ---------------------------------------------


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


def test_bad_cursor_is_ignored(client):
    story = make_stream(count=3)
    response = client.get(story.get_absolute_url() + "?before=garbage&after=1-x")
    assert response.status_code == 200
    assert len(article_ids(response)) == 3


# --- filters -------------------------------------------------------------------


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


# --- pinned, permalink, author page ----------------------------------------------


def test_pinned_update_is_on_top_and_marked(client, seeded):
    oldest = seeded.updates.order_by("published_at").first()
    Update.objects.filter(pk=oldest.pk).update(pinned=True)
    response = client.get(seeded.get_absolute_url())
    ids = article_ids(response)
    assert ids[0] == oldest.pk and ids.count(oldest.pk) == 1
    assert "flag-pinned" in response.content.decode()


def test_permalink_page_has_canonical_sharing_tags_and_way_back(client, seeded):
    update = seeded.updates.order_by("published_at").first()
    response = client.get(f"/live/{SHIPPED_SLUG}/updates/{update.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    canonical = f"{settings.SITE_URL}/live/{SHIPPED_SLUG}/updates/{update.pk}/"
    assert f'<link rel="canonical" href="{canonical}">' in html
    for tag in (
        'property="og:title"',
        'property="og:image"',
        'name="twitter:card" content="summary_large_image"',
    ):
        assert tag in html
    back = re.search(rf'href="(/live/{SHIPPED_SLUG}/\?before=[^"#]+)#update-{update.pk}"', html).group(1)
    assert update.pk in article_ids(client.get(back))


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


def test_scheduled_and_draft_updates_are_404(client):
    story = make_story()
    scheduled = make_update(
        story=story, status=Update.Status.SCHEDULED, published_at=timezone.now() + timedelta(hours=1)
    )
    draft = make_update(story=story, status=Update.Status.DRAFT)
    for update in (scheduled, draft):
        assert client.get(f"/live/{story.slug}/updates/{update.pk}/").status_code == 404
    assert article_ids(client.get(story.get_absolute_url())) == []


def test_author_page_lists_their_updates_across_stories(client):
    author = make_author(name="Paula Writer")
    first = make_update(story=make_story(title="One"), authors=[author], body="In one.")
    second = make_update(story=make_story(title="Two"), authors=[author], body="In two.")
    make_update(body="Someone else.")
    response = client.get(author.get_absolute_url())
    assert set(article_ids(response)) == {first.pk, second.pk}


def test_author_page_paginates(client):
    author = make_author(name="Busy Writer")
    make_stream(count=25, author=author)
    first = client.get(author.get_absolute_url())
    assert len(article_ids(first)) == 20 and 'rel="next"' in first.content.decode()


# --- feeds, sitemap, robots, structured data ---------------------------------------


def test_atom_feed_lists_updates_newest_first(client, seeded):
    edited = seeded.updates.order_by("published_at").first()
    Update.objects.filter(pk=edited.pk).update(edited_at=timezone.now())
    response = client.get(f"/live/{SHIPPED_SLUG}/feed/")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == seeded.title
    assert len(feed.entries) == 8
    published = [entry.published_parsed for entry in feed.entries]
    assert published == sorted(published, reverse=True)
    last = feed.entries[-1]
    assert last.updated_parsed > last.published_parsed
    assert all("@" not in entry.get("author", "") for entry in feed.entries)


def test_json_ld_live_blog_posting(client, seeded):
    Story.objects.filter(pk=seeded.pk).update(status=Story.Status.ENDED, coverage_end=timezone.now())
    response = client.get(seeded.get_absolute_url())
    data = json_ld(response)
    assert data["@type"] == "LiveBlogPosting"
    assert data["headline"] == seeded.title
    assert data["coverageStartTime"] and data["coverageEndTime"]
    shown = article_ids(response)
    updates = data["liveBlogUpdate"]
    assert len(updates) == len(shown) == 8
    for entry, pk in zip(updates, shown, strict=True):
        assert entry["@type"] == "BlogPosting"
        assert entry["url"].endswith(f"#update-{pk}")
        assert entry["articleBody"] and entry["datePublished"] and entry["author"]
    assert any("image" in entry for entry in updates)


def test_json_ld_cannot_close_its_script(client):
    story = make_story(title="</script><script>alert(1)</script>")
    make_update(story=story, body="x")
    html = client.get(story.get_absolute_url()).content.decode()
    assert "</script><script>alert(1)" not in html
    assert json_ld(client.get(story.get_absolute_url()))["headline"] == story.title


def test_sitemap_and_robots(client, seeded):
    draft_story = make_story(title="Secret draft", status=Story.Status.DRAFT)
    sitemap = client.get("/sitemap.xml").content.decode()
    assert f"/live/{SHIPPED_SLUG}/</loc>" in sitemap
    assert sitemap.count("/updates/") == 8
    assert draft_story.slug not in sitemap
    robots = client.get("/robots.txt").content.decode()
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in robots
    assert "Disallow: /admin/" in robots


def test_home_lists_live_stories_first(client):
    ended = make_story(title="Ended story", status=Story.Status.ENDED)
    make_update(story=ended, published_at=timezone.now())
    live = make_story(title="Live story")
    make_update(story=live, published_at=timezone.now() - timedelta(days=1))
    html = client.get("/").content.decode()
    assert html.index("Live story") < html.index("Ended story")


def test_not_found_page_uses_the_site_design(client):
    response = client.get("/live/no-such-story/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_images_have_srcset_sizes_and_lazy_loading(client, seeded):
    html = client.get(seeded.get_absolute_url()).content.decode()
    images = re.findall(r"<img [^>]+>", html[html.index("<main") :])
    assert len(images) == 6
    assert all('srcset="' in img and 'sizes="' in img and 'width="1600"' in img for img in images)
    assert all('alt="' in img for img in images)
    assert sum('loading="lazy"' in img for img in images) == 6  # the newest update has no image
    assert 'type="image/webp"' in html


# --- the first screen: status, last update, folded summary, key events -------------


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


def test_home_cards_show_status_last_update_excerpt_and_lead_image(client, seeded):
    Image.objects.create(
        story=seeded, file="placeholders/lead.jpg", width=1600, height=900, alt_text="A square."
    )
    ended = make_story(title="Ended story", status=Story.Status.ENDED, summary="It is **all over** now.")
    make_update(story=ended, published_at=datetime(2025, 7, 1, 12, 5, tzinfo=UTC))
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/").content.decode()
    cards = html.split('<li class="story-card')[1:]
    assert len(cards) == 2
    live_card, ended_card = cards
    assert '<span class="live-badge">' in live_card
    assert re.search(r'Updated <time datetime="[^"]+" data-relative title="[^"]+">', live_card)
    assert "American and Russian officials were expected to meet in Moscow" in live_card
    assert '<img src="/media/placeholders/lead.jpg"' in live_card and 'alt="A square."' in live_card
    assert '<span class="ended-badge">Coverage ended</span>' in ended_card
    assert 'datetime="2025-07-01T12:05:00Z"' in ended_card
    assert "It is all over now." in ended_card and "<img" not in ended_card
    for number in range(5):
        make_update(story=make_story(title=f"More {number}", summary="More."))
    with CaptureQueriesContext(connection) as more:
        client.get("/")
    assert len(more) == len(queries)
