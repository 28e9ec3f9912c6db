"""Readers learn nothing about unpublished work: drafts and scheduled updates not yet due.

Work on them leaves every public surface byte-identical (changes.json's body, ETag,
cursor and Last-Modified, the cached story page, the author filter, author pages,
the feed, the sitemap, JSON-LD); an update leaving the public, or a schedule
coming due, still reaches readers.
"""

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from coverage import caching, live, services
from coverage.models import Author, Comment, Story, Update
from tests.factories import make_author, make_story, make_stream, make_update
from tests.readers import elements, one

pytestmark = pytest.mark.django_db

SECRET = "Embargoed: the minister resigns"


@pytest.fixture(autouse=True)
def _no_lag(settings):
    settings.LIVEBLOG_CURSOR_LAG = 0
    settings.LIVEBLOG_CURSOR_WINDOW = 1


def hours_ago(hours):
    return timezone.now() - timedelta(hours=hours)


@pytest.fixture
def story():
    """A live story whose public updates last changed an hour ago."""
    story = make_story(title="Election night")
    make_update(story=story, body="Polls close.", authors=[make_author(name="Public Desk")])
    Update.objects.filter(story=story).update(
        published_at=hours_ago(1), changed_at=hours_ago(1), public_changed_at=hours_ago(1)
    )
    Story.objects.filter(pk=story.pk).update(updated_at=hours_ago(1))
    return Story.objects.get(pk=story.pk)


def writer(name):
    return Author.objects.filter(name=name).first() or make_author(name=name)


def draft(story, **fields):
    return make_update(
        story=story,
        status=Update.Status.DRAFT,
        body=SECRET,
        authors=[writer(fields.pop("author", "Draft Writer"))],
        **fields,
    )


def scheduled(story, **fields):
    return make_update(
        story=story,
        status=Update.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(hours=1),
        body=SECRET,
        authors=[writer(fields.pop("author", "Scheduled Writer"))],
        **fields,
    )


def feed_answer(client, story, since):
    response = client.get(f"/live/{story.slug}/changes.json?since={since}")
    assert response.status_code == 200
    return response.content, response["ETag"], response["Last-Modified"]


def edit(update, **changes):
    update = Update.objects.get(pk=update.pk)
    for name, value in changes.items():
        setattr(update, name, value)
    return services.save_update(update=update)


def unpublished_work(story):
    """Everything the newsroom may do to unpublished updates, one after another."""
    first = draft(story)
    edit(first, body=f"{SECRET}, second version")
    edit(first, pinned=True, key_event=True, headline="Secret headline")
    services.save_update(
        update=Update.objects.get(pk=first.pk), authors=[make_author(name="Second Draft Writer")]
    )
    edit(first, pinned=False)
    later = scheduled(story)
    edit(later, body=f"{SECRET}, rescheduled", published_at=timezone.now() + timedelta(hours=2))
    services.delete_update(update=Update.objects.get(pk=draft(story).pk))
    services.delete_update(update=Update.objects.get(pk=scheduled(story).pk))


def test_unpublished_work_leaves_changes_json_byte_identical(client, story):
    since = live.current_cursor(timezone.now() - timedelta(minutes=1))
    before = feed_answer(client, story, since)
    unpublished_work(story)
    assert feed_answer(client, story, since) == before
    # A reader whose cursor is older than the public updates gets the same updates, too.
    older = live.current_cursor(hours_ago(2))
    data = client.get(f"/live/{story.slug}/changes.json?since={older}").json()
    assert SECRET not in json.dumps(data)
    assert [item["id"] for item in data["updates"]] == list(
        story.updates.published().values_list("pk", flat=True)
    )
    assert data["deleted"] == [] and data["pinned"] is None


def test_a_once_public_update_taken_down_then_worked_on_changes_nothing_more(client, story):
    update = make_update(story=story, body="Published by mistake.")
    edit(update, status=Update.Status.DRAFT)
    since = live.current_cursor(timezone.now() + timedelta(seconds=1))
    before = feed_answer(client, story, since)
    edit(update, body=SECRET)
    edit(update, status=Update.Status.SCHEDULED, published_at=timezone.now() + timedelta(hours=1))
    assert feed_answer(client, story, since) == before
    services.delete_update(update=Update.objects.get(pk=update.pk))
    assert feed_answer(client, story, since) == before


def test_unpublished_work_keeps_the_cached_story_page_and_its_version(client, story, settings):
    settings.LIVEBLOG_PAGE_CACHE_SECONDS = 60
    version = caching.versions(story.slug)
    page = client.get(story.get_absolute_url()).content
    unpublished_work(story)
    services.save_story(story=Story(title="A draft story", slug="a-draft-story"))
    caching.clear_local()
    assert caching.versions(story.slug) == version
    assert client.get(story.get_absolute_url()).content == page


def test_a_comment_held_for_moderation_keeps_the_cached_page(client, story, settings):
    settings.LIVEBLOG_PAGE_CACHE_SECONDS = 60
    version = caching.versions(story.slug)
    pending = services.create_comment(
        comment=Comment(story=story, name="Reader", email="r@example.org", body="First!")
    )
    caching.clear_local()
    assert caching.versions(story.slug) == version
    pending.status = Comment.Status.APPROVED
    services.save_comment(comment=pending)
    caching.clear_local()
    assert caching.versions(story.slug) != version


def test_author_filter_offers_only_authors_of_public_updates(client, story):
    draft(story, author="Draft Only")
    scheduled(story, author="Scheduled Only")
    both = make_author(name="Both Kinds")
    make_update(story=story, status=Update.Status.DRAFT, authors=[both], body=SECRET)
    make_update(story=story, authors=[both], body="Public text.")
    make_update(story=make_story(title="Other story"), authors=[make_author(name="Elsewhere")])
    html = client.get(story.get_absolute_url()).content.decode()
    options = [element.text for element in elements(html, "option")]
    assert options == ["All authors", "Both Kinds", "Public Desk"]
    filtered = client.get(story.get_absolute_url(), {"author": "draft-only"}).content.decode()
    assert "Draft Only" not in filtered and SECRET not in filtered


def test_author_page_of_an_author_without_public_work_is_404(client, story):
    draft(story, author="Draft Only")
    scheduled(story, author="Scheduled Only")
    assert client.get("/authors/draft-only/").status_code == 404
    assert client.get("/authors/scheduled-only/").status_code == 404
    both = make_author(name="Both Kinds")
    make_update(story=story, status=Update.Status.DRAFT, authors=[both], body=SECRET)
    make_update(story=story, authors=[both], body="Public text.")
    html = client.get("/authors/both-kinds/").content.decode()
    assert [article.text.count("Public text.") for article in elements(html, "article")] == [1]
    assert SECRET not in html
    # The lead byline of a public story links to its author's page: it answers.
    lead = make_author(name="Lead Only")
    make_story(title="Led", lead_author=lead)
    assert client.get("/authors/lead-only/").status_code == 200
    make_story(title="Led draft", lead_author=make_author(name="Draft Lead"), status=Story.Status.DRAFT)
    assert client.get("/authors/draft-lead/").status_code == 404


def test_no_public_surface_shows_unpublished_work(client, story):
    unpublished_work(story)
    draft(story, author="Draft Only", key_event=True, headline="Secret headline")
    scheduled(story, author="Scheduled Only", key_event=True)
    surfaces = [
        story.get_absolute_url(),
        story.get_absolute_url() + "?key=1",
        f"/live/{story.slug}/feed/",
        f"/live/{story.slug}/changes.json?since=0",
        "/sitemap.xml",
        "/",
        "/authors/public-desk/",
    ]
    for url in surfaces:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        for secret in (SECRET, "Secret headline", "Draft Only", "Scheduled Only", "Draft Writer"):
            assert secret not in text, (url, secret)
    html = client.get(story.get_absolute_url()).content.decode()
    data = json.loads(one(html, "script", type="application/ld+json").text)
    assert len(data["liveBlogUpdate"]) == 1


# --- what readers must still learn ---------------------------------------------------


def poll(client, story, since):
    response = client.get(f"/live/{story.slug}/changes.json?since={since}")
    assert response.status_code == 200
    return response.json(), response["ETag"]


def test_taking_an_update_down_reaches_readers(client, story):
    public = story.updates.get()
    since = live.current_cursor(timezone.now() - timedelta(minutes=1))
    _, etag = poll(client, story, since)
    edit(public, status=Update.Status.DRAFT)
    data, new_etag = poll(client, story, since)
    assert data["deleted"] == [public.pk] and data["updates"] == []
    assert new_etag != etag
    # Deleting it now (a draft) tells readers who polled before it was taken down, once.
    services.delete_update(update=Update.objects.get(pk=public.pk))
    assert poll(client, story, since)[0]["deleted"] == [public.pk]


def test_rescheduling_a_public_update_into_the_future_reaches_readers(client, story):
    public = story.updates.get()
    since = live.current_cursor(timezone.now() - timedelta(minutes=1))
    edit(public, status=Update.Status.SCHEDULED, published_at=timezone.now() + timedelta(hours=1))
    data, _ = poll(client, story, since)
    assert data["deleted"] == [public.pk]


def test_a_schedule_coming_due_reaches_readers(client, story):
    later = scheduled(story)
    since = live.current_cursor(timezone.now() - timedelta(minutes=1))
    _, etag = poll(client, story, since)
    # Its time comes (moved here rather than waited for): nothing is written, and anything
    # cached about the story expires at that time (caching.page_timeout), as cleared here.
    Update.objects.filter(pk=later.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    cache.clear()
    caching.clear_local()
    data, new_etag = poll(client, story, since)
    assert [item["id"] for item in data["updates"]] == [later.pk] and new_etag != etag


def test_deleting_a_public_update_reaches_readers(client, story):
    public = story.updates.get()
    pk = public.pk
    since = live.current_cursor(timezone.now() - timedelta(minutes=1))
    _, etag = poll(client, story, since)
    services.delete_update(update=public)
    data, new_etag = poll(client, story, since)
    assert data["deleted"] == [pk] and new_etag != etag


def test_pinning_a_draft_unpins_the_public_pin_and_readers_see_that(client, story):
    public = story.updates.get()
    edit(public, pinned=True)
    Update.objects.filter(pk=public.pk).update(public_changed_at=hours_ago(1))
    since = live.current_cursor(timezone.now())
    assert poll(client, story, since)[0]["updates"] == []
    edit(draft(story), pinned=True)
    data, _ = poll(client, story, since)
    assert [(item["id"], item["pinned"]) for item in data["updates"]] == [(public.pk, False)]
    assert data["pinned"] is None


def test_new_rows_written_in_bulk_reach_readers_whatever_their_time(client, story):
    since = live.current_cursor(timezone.now() - timedelta(seconds=1))
    make_stream(story=story, count=2, start=hours_ago(2), step=timedelta(minutes=15))
    data, _ = poll(client, story, since)
    assert len(data["updates"]) == 2  # published long before the cursor, public only now
