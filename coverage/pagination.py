"""Cursor pagination for update streams, newest or oldest first.

A cursor names a place in time order ``(published_at, pk)``: ``?before=C``
shows the updates older than C, ``?after=C`` the ones newer than it, whichever
order the page reads in. Newest first (the default), ``before`` is the next page
and ``after`` the previous; oldest first (``oldest_first=True``) the other way
round, so a link "holding" an update lands on a page that holds it in either
order. A stream of bylines (an author's page) is paged the same way, by the
time and id of their updates, which each byline repeats.
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
# A cursor as ``encode()`` and ``cursor_preceding()`` write it (``decode()`` is more lenient).
CURSOR = re.compile(r"[1-9][0-9]{0,19}-(0|[1-9][0-9]{0,19})")


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
    items: list  # in reading order
    older: str | None  # cursor for the page of older updates (``before``)
    newer: str | None  # cursor for the page of newer updates (``after``)
    oldest_first: bool = False

    @property
    def is_first(self):
        """The page the stream opens on: the newest one, or oldest first the oldest one."""
        return (self.older if self.oldest_first else self.newer) is None

    @property
    def is_newest(self):
        """The page new updates join: the first newest first, the last oldest first."""
        return self.newer is None

    @property
    def oldest(self):
        """The oldest item on the page (None on an empty one)."""
        if not self.items:
            return None
        return self.items[0] if self.oldest_first else self.items[-1]


def paginate(queryset, *, before=None, after=None, size=PAGE_SIZE, ident="pk", oldest_first=False):
    """One page of ``queryset`` (published updates, or bylines with ``ident="update_id"``)
    around the given cursor, in reading order: newest first, or ``oldest_first``.

    With no cursor, the page the stream opens on. With both, ``after`` wins.
    """
    after_place = decode(after) if after else None
    before_place = None if after_place else decode(before) if before else None
    if after_place or (oldest_first and not before_place):
        rows = queryset.order_by("published_at", ident)  # from the cursor (or the start), forwards
        if after_place:
            moment, pk = after_place
            newer_side = Q(published_at__gt=moment) | Q(published_at=moment, **{f"{ident}__gt": pk})
            rows = rows.filter(newer_side, published_at__gte=moment)  # the bound an index can seek to
        rows = list(rows[: size + 1])
        items = rows[:size]
        newer = encode(items[-1], ident) if len(rows) > size else None
        older = encode(items[0], ident) if after_place and items else None
    else:
        rows = queryset.order_by("-published_at", f"-{ident}")  # from the cursor (or the end), backwards
        if before_place:
            moment, pk = before_place
            older_side = Q(published_at__lt=moment) | Q(published_at=moment, **{f"{ident}__lt": pk})
            rows = rows.filter(older_side, published_at__lte=moment)  # the bound an index can seek to
        rows = list(rows[: size + 1])
        items = rows[:size][::-1]  # oldest first, as read forwards
        older = encode(items[0], ident) if len(rows) > size else None
        newer = (encode(items[-1], ident) if items else before) if before_place else None
    if not oldest_first:
        items = items[::-1]
    return Page(items, older, newer, oldest_first)


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
    """A ``before`` cursor whose page holds ``update``: first newest first, last oldest first."""
    micros = int(update.published_at.timestamp() * 1_000_000)
    return f"{micros}-{update.pk + 1}"


def cursor_preceding(update):
    """An ``after`` cursor whose page holds ``update``: first oldest first, last newest first."""
    micros = int(update.published_at.timestamp() * 1_000_000)
    return f"{micros}-{update.pk - 1}"


def in_story_url(story, update, order=""):
    """The story page that holds ``update`` on top, scrolled to it, in the reader's ``order``
    ("oldest", "newest": kept in the link) or else the story's own."""
    oldest_first = (order or story.order) == story.Order.OLDEST
    cursor = f"after={cursor_preceding(update)}" if oldest_first else f"before={cursor_holding(update)}"
    chosen = f"&order={order}" if order else ""
    return f"{story.get_absolute_url()}?{cursor}{chosen}#{update.anchor}"
