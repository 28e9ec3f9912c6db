"""The other reader pages: home, one update, an author, feeds, structured data, site-wide answers."""

import re
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date

from coverage import services
from coverage.models import Author, Image, Story, Update
from tests.factories import (
    SHIPPED_SLUG,
    make_author,
    make_picture,
    make_story,
    make_stream,
    make_update,
)
from tests.pages import article_ids, json_ld, main_of

pytestmark = pytest.mark.django_db


# --- home ----------------------------------------------------------------------------------


def test_home_lists_live_stories_first(client):
    ended = make_story(title="Ended story", status=Story.Status.ENDED)
    make_update(story=ended, published_at=timezone.now())
    live = make_story(title="Live story")
    make_update(story=live, published_at=timezone.now() - timedelta(days=1))
    html = client.get("/").content.decode()
    assert html.index("Live story") < html.index("Ended story")


def test_home_cards_show_status_last_update_excerpt_and_lead_image(client, seeded):
    Image.objects.create(
        story=seeded, file="placeholders/lead.jpg", width=1600, height=900, alt_text="A square."
    )
    ended = make_story(title="Ended story", status=Story.Status.ENDED, summary="It is **all over** now.")
    make_update(story=ended, published_at=datetime(2025, 7, 1, 12, 5, tzinfo=UTC))
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    cards = html.split('<li class="story-card')[1:]
    assert len(cards) == 2
    live_card, ended_card = cards
    assert "Live Updates: U.S. Negotiators Head to Moscow" in live_card
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


# --- one update, an author -----------------------------------------------------------------


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


def test_author_page_follows_an_update_moved_in_time_or_taken_down(client):
    """The page reads the bylines' copy of their update's time: a service keeps it."""
    author = make_author(name="Timely Writer")
    story = make_stream(count=3, author=author)
    oldest, middle, newest = story.updates.order_by("published_at")
    assert article_ids(client.get(author.get_absolute_url())) == [newest.pk, middle.pk, oldest.pk]
    oldest.published_at = timezone.now() - timedelta(seconds=5)
    services.save_update(update=oldest)
    assert article_ids(client.get(author.get_absolute_url())) == [oldest.pk, newest.pk, middle.pk]
    oldest.status, oldest.published_at = Update.Status.SCHEDULED, timezone.now() + timedelta(hours=1)
    services.save_update(update=oldest)
    assert article_ids(client.get(author.get_absolute_url())) == [newest.pk, middle.pk]


def give_photo(author):
    author.photo = ContentFile(make_picture(size=(300, 400)), name="portrait.jpg")
    return services.save_author(author=author)


def test_bylines_and_the_author_page_show_portraits_or_initials(client, seeded):
    """Small, lazy, with their size; initials on a colour for authors without a photo."""
    lead = give_photo(Author.objects.get(slug="anton-troianovski"))
    small, large = (default_storage.url(item["name"]) for item in lead.photo_renditions)
    portrait = (
        f'<img class="avatar avatar-{{}}" src="{small}" srcset="{large} 2x" width="{{}}" height="{{}}" alt=""'
    )
    update = seeded.updates.filter(authors=lead).first()
    pages = {
        "story": (f"/live/{SHIPPED_SLUG}/", 40),
        "permalink": (update.get_absolute_url(), 32),
        "author": (lead.get_absolute_url(), 96),
    }
    for name, (url, size) in pages.items():
        html = main_of(client.get(url))
        assert portrait.format(size, size, size) in html, name
        assert portrait.format(32, 32, 32) + ' loading="lazy" decoding="async">' in html, name
    story = main_of(client.get(f"/live/{SHIPPED_SLUG}/"))
    initials = r'<span class="avatar avatar-32 avatar-initials avatar-hue-\d" data-initials="IN" aria-hidden'
    assert re.search(initials, story)
    other = Author.objects.create(name="王小明", slug="wang")
    make_update(story=seeded, authors=[other], body="北京消息。")
    assert 'data-initials="王" aria-hidden="true">' in main_of(client.get(other.get_absolute_url()))


def test_portraits_add_no_queries_to_the_story_page(client, seeded, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as before:
        client.get(f"/live/{SHIPPED_SLUG}/")
    for author in Author.objects.all():
        give_photo(author)
    with django_assert_max_num_queries(len(before)):
        html = client.get(f"/live/{SHIPPED_SLUG}/").content.decode()
    assert html.count('<img class="avatar') == 10  # lead byline, 8 updates, one with two authors


# --- feeds, sitemap, robots, structured data -----------------------------------------------


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


@pytest.mark.parametrize("page_cache", [0, 60])
def test_atom_feed_answers_a_conditional_get_and_may_be_shared_for_one_window(
    client, settings, page_cache, django_assert_max_num_queries
):
    settings.LIVEBLOG_PAGE_CACHE_SECONDS = page_cache
    settings.LIVEBLOG_CURSOR_WINDOW = 30
    story = make_story()
    update = make_update(story=story, body="First words.")
    url = f"/live/{story.slug}/feed/"
    first = client.get(url)
    assert first.status_code == 200
    assert first["Cache-Control"] == "public, max-age=0, s-maxage=30, stale-while-revalidate=30"
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert last_modified == http_date(int(update.public_changed_at.timestamp()))

    with django_assert_max_num_queries(1):  # the story's last change, no update read or rendered
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)
    assert again["Cache-Control"] == first["Cache-Control"]
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    compressed = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert (compressed["Content-Encoding"], compressed["ETag"]) == ("gzip", f"W/{etag}")
    assert client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304

    # Work readers do not see moves nothing; a change they see gives the new feed, never the old one.
    make_update(story=story, body="A draft.", status=Update.Status.DRAFT)
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    update.body = "Second words."
    services.save_update(update=update)
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    entries = feedparser.parse(changed.content).entries
    assert [entry.summary for entry in entries] == ['<p dir="auto">Second words.</p>']


def test_atom_feed_of_no_public_story_is_not_found(client):
    draft = make_story(title="Draft story", status=Story.Status.DRAFT)
    assert client.get(f"/live/{draft.slug}/feed/").status_code == 404
    assert client.get("/live/no-such-story/feed/").status_code == 404


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


def test_sitemap_and_robots(client, seeded, monkeypatch):
    from coverage.sitemaps import UpdateSitemap

    monkeypatch.setattr(UpdateSitemap, "limit", 3)  # 8 updates: three pages
    draft_story = make_story(title="Secret draft", status=Story.Status.DRAFT)
    index = client.get("/sitemap.xml").content.decode()
    sections = re.findall(r"<loc>([^<]+)</loc>", index)
    updates = f"{settings.SITE_URL}/sitemap-updates.xml"
    assert sections == [
        f"{settings.SITE_URL}/sitemap-stories.xml",
        updates,
        f"{updates}?p=2",
        f"{updates}?p=3",
    ]
    stories = client.get("/sitemap-stories.xml").content.decode()
    assert re.findall(r"<loc>([^<]+)</loc>", stories) == [f"{settings.SITE_URL}/live/{SHIPPED_SLUG}/"]
    listed, sizes = [], []
    for page in ("", "?p=2", "?p=3"):
        urls = re.findall(r"<loc>([^<]+)</loc>", client.get(f"/sitemap-updates.xml{page}").content.decode())
        listed += urls
        sizes.append(len(urls))
    assert sizes == [3, 3, 2]
    expected = [settings.SITE_URL + update.get_absolute_url() for update in seeded.updates.order_by("pk")]
    assert listed == expected
    assert client.get("/sitemap-updates.xml?p=4").status_code == 404
    assert draft_story.slug not in index + stories
    robots = client.get("/robots.txt").content.decode()
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in robots
    assert "Disallow: /admin/" in robots


# --- site-wide -----------------------------------------------------------------------------


def test_not_found_page_uses_the_site_design(client):
    response = client.get("/live/no-such-story/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_favicon_is_served_and_linked_from_every_page(client, seeded):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/x-icon"
    assert b"".join(icon.streaming_content if icon.streaming else [icon.content])[:4] == b"\0\0\1\0"
    assert "max-age=" in icon["Cache-Control"]
    for url in ["/", f"/live/{SHIPPED_SLUG}/", "/authors/anton-troianovski/", "/live/nothing-here/"]:
        html = client.get(url).content.decode()
        svg = re.search(r'<link rel="icon" href="([^"]+\.svg)" type="image/svg\+xml">', html)
        assert svg, url
        assert finders.find(svg.group(1).removeprefix(settings.STATIC_URL).lstrip("/"))
        assert '<link rel="icon" href="/favicon.ico" sizes="48x48">' in html
