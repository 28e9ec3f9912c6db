"""Cursor pagination for update streams, newest first.

A cursor names a place in the order ``(-published_at, -pk)``: ``?before=C``
shows the updates after C (older), ``?after=C`` the ones before it (newer). A
stream of bylines (an author's page) is paged the same way, by the time and id of
their updates, which each byline repeats.
No OFFSET: every page costs the same however deep it is. Each side of a cursor is
also asked as a plain bound on ``published_at``, which an index on ``(story,
published_at, id)`` seeks to (PostgreSQL does not seek on the OR alone: it would
read every newer update of the story to reach a page deep in it).
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Q
from django.utils import timezone

PAGE_SIZE = 20
# A cursor as ``encode()`` writes it (``decode()`` is more lenient).
CURSOR = re.compile(r"[1-9][0-9]{0,19}-[1-9][0-9]{0,19}")


def encode(update, ident="pk"):
    """The cursor of ``update`` (or of an item that names one by ``ident``, as a byline does)."""
    micros = int(update.published_at.timestamp() * 1_000_000)
    return f"{micros}-{getattr(update, ident)}"


def decode(value):
    """``(datetime, pk)`` from a cursor string, or None when it is not one."""
    try:
        micros, pk = (int(part) for part in value.split("-", 1))
        return datetime.fromtimestamp(micros / 1_000_000, tz=UTC), pk
    except (AttributeError, ValueError, OverflowError, OSError):
        return None


@dataclass
class Page:
    items: list
    older: str | None  # cursor for rel="next"
    newer: str | None  # cursor for rel="prev"

    @property
    def is_first(self):
        return self.newer is None


def paginate(queryset, *, before=None, after=None, size=PAGE_SIZE, ident="pk"):
    """One page of ``queryset`` (published updates, or bylines with ``ident="update_id"``)
    around the given cursor."""
    if after and (place := decode(after)):
        moment, pk = place
        newer_side = Q(published_at__gt=moment) | Q(published_at=moment, **{f"{ident}__gt": pk})
        rows = queryset.filter(newer_side, published_at__gte=moment)  # the bound an index can seek to
        rows = list(rows.order_by("published_at", ident)[: size + 1])
        has_newer = len(rows) > size
        items = rows[:size][::-1]
        older = encode(items[-1], ident) if items else None
        return Page(items, older, encode(items[0], ident) if has_newer else None)
    rows = queryset.order_by("-published_at", f"-{ident}")
    newer = None
    if before and (place := decode(before)):
        moment, pk = place
        older_side = Q(published_at__lt=moment) | Q(published_at=moment, **{f"{ident}__lt": pk})
        rows = rows.filter(older_side, published_at__lte=moment)  # the bound an index can seek to
        newer = before
    rows = list(rows[: size + 1])
    items = rows[:size]
    older = encode(items[-1], ident) if len(rows) > size else None
    if newer and items:
        newer = encode(items[0], ident)
    return Page(items, older, newer)


def public_until(before=None, after=None, now=None):
    """The time to ask which updates are public at (``published(now)``) for the page
    ``paginate()`` gives for these cursors: an older page's cursor time when it is
    past, else ``now``.

    The same updates either way (an older page holds none newer than its cursor), but
    SQLite walks the index from the first bound it is given on ``published_at``:
    given "now" first, a page deep in a long story reads every update since.
    """
    now = now or timezone.now()
    place = None if after and decode(after) else decode(before) if before else None
    return min(now, place[0]) if place else now


def cursor_holding(update):
    """A ``before`` cursor whose page starts with ``update``."""
    micros = int(update.published_at.timestamp() * 1_000_000)
    return f"{micros}-{update.pk + 1}"


def in_story_url(story, update):
    """The story page that holds ``update``, scrolled to it."""
    return f"{story.get_absolute_url()}?before={cursor_holding(update)}#{update.anchor}"
