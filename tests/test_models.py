from datetime import timedelta
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from coverage import markup
from coverage.models import Byline, Story, Update
from tests.factories import make_story, make_stream, make_update, migration

pytestmark = pytest.mark.django_db


def test_published_excludes_drafts_future_schedules_and_draft_stories():
    story = make_story()
    visible = make_update(story=story, body="Visible.")
    make_update(story=story, status=Update.Status.DRAFT)
    make_update(story=story, status=Update.Status.SCHEDULED, published_at=timezone.now() + timedelta(hours=1))
    due = make_update(
        story=story, status=Update.Status.SCHEDULED, published_at=timezone.now() - timedelta(seconds=1)
    )
    make_update(story=make_story(status=Story.Status.DRAFT))
    assert set(Update.objects.published()) == {visible, due}


def test_one_pin_per_story():
    story = make_story()
    make_update(story=story, pinned=True)
    make_update(story=make_story(), pinned=True)  # another story may pin its own
    with pytest.raises(IntegrityError), transaction.atomic():
        make_update(story=story, pinned=True)


def test_status_values_are_enforced_by_the_database():
    update = make_update()
    with pytest.raises(IntegrityError), transaction.atomic():
        Update.objects.filter(pk=update.pk).update(status="bogus")
    with pytest.raises(IntegrityError), transaction.atomic():
        Story.objects.filter(pk=update.story_id).update(status="bogus")


def test_public_update_needs_a_time():
    with pytest.raises(IntegrityError), transaction.atomic():
        Update.objects.create(story=make_story(), body="x", status=Update.Status.PUBLISHED, published_at=None)


def test_byline_order_is_kept():
    from tests.factories import make_author

    second, first = make_author(name="Zoe Last"), make_author(name="Aaron First")
    update = make_update(authors=[second, first])
    assert [a.name for a in update.byline_authors()] == ["Zoe Last", "Aaron First"]


def test_bylines_carry_their_updates_story_and_time_however_made():
    one, many = make_update(), make_stream(count=3)
    made_by_save = Byline.objects.filter(update=one, story=one.story, published_at=one.published_at)
    assert made_by_save.exists()
    made_in_bulk = Byline.objects.filter(update__story=many).select_related("update")
    assert {(byline.story_id, byline.published_at) for byline in made_in_bulk} == {
        (many.pk, byline.update.published_at) for byline in made_in_bulk
    }
    # Rows from before the columns: the migration fills them in from the update.
    Byline.objects.filter(update=one).update(story=many, published_at=None)
    migration("reader_paths_flat").fill_byline_stories(apps, SimpleNamespace(connection=connection))
    assert made_by_save.exists()


def test_markdown_is_sanitized():
    source = '<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror="alert(1)">\n\n[ok](https://example.org)'
    html = markup.render(source)
    parser = _TagCollector()
    parser.feed(html)
    assert {tag for tag, _ in parser.tags} <= markup.ALLOWED_TAGS
    assert not any(name.startswith("on") for _, attrs in parser.tags for name, _ in attrs)
    hrefs = [value for tag, attrs in parser.tags if tag == "a" for name, value in attrs if name == "href"]
    assert hrefs == ["https://example.org"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


class _TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def test_escape_round_trips():
    for text in [
        "# a",
        "- b",
        "1. c",
        "2) d",
        "*e* _f_ `g`",
        "a \\ b",
        "[x](y)",
        "&amp; <b>",
        "+ plus",
        "> quote",
    ]:
        escaped = markup.escape(text)
        assert markup.unescape(escaped) == text
        assert markup.plain_text(escaped) == text
