"""Small builders for test data, with keyword defaults."""

import itertools
from datetime import timedelta

from django.utils import timezone
from django.utils.text import slugify

from coverage.models import Author, Byline, Story, Update

_numbers = itertools.count(1)

SHIPPED_SEED = "seeds/us-negotiators-moscow-ukraine.txt"
SHIPPED_SLUG = "live-updates-us-negotiators-head-to-moscow-to-discuss-ukraine"


def make_author(*, name=None, **fields):
    name = name or f"Reporter Number{next(_numbers)}"
    return Author.objects.create(name=name, slug=fields.pop("slug", slugify(name)), **fields)


def make_story(*, title=None, status=Story.Status.LIVE, **fields):
    title = title or f"Story {next(_numbers)}"
    fields.setdefault("slug", slugify(title))
    fields.setdefault("coverage_start", timezone.now() - timedelta(hours=2))
    return Story.objects.create(title=title, status=status, **fields)


def make_update(
    *, story=None, authors=None, body="Something happened.", status=Update.Status.PUBLISHED, **fields
):
    story = story or make_story()
    if status != Update.Status.DRAFT:
        fields.setdefault("published_at", timezone.now() - timedelta(minutes=1))
    update = Update.objects.create(story=story, body=body, status=status, **fields)
    for position, author in enumerate(authors or [make_author()]):
        Byline.objects.create(update=update, author=author, position=position)
    return update


def make_stream(*, story=None, count, author=None, start=None, step=timedelta(minutes=1)):
    """``count`` published updates in one story, one ``step`` apart, made in bulk."""
    story = story or make_story()
    author = author or make_author()
    start = start or timezone.now() - step * (count + 1)
    updates = Update.objects.bulk_create(
        Update(
            story=story,
            body=f"Update number {index}.",
            status=Update.Status.PUBLISHED,
            published_at=start + step * index,
        )
        for index in range(count)
    )
    Byline.objects.bulk_create(Byline(update=update, author=author, position=0) for update in updates)
    return story
