"""The change feed behind live updating: what changed in a story since a cursor.

A cursor is a Unix time in whole seconds, rounded down to a window
(``LIVEBLOG_CURSOR_WINDOW``) and held back by a few seconds
(``LIVEBLOG_CURSOR_LAG``) so that changes still being committed are not
skipped. Readers who poll within one window therefore ask for the same URL,
which a shared cache (CDN, nginx) answers for all of them. A cursor only moves
when something changed, so a quiet story keeps one URL and its ETag.

Only what readers can see moves the feed: an update's ``public_changed_at``
(dated by every write readers notice), a scheduled update's time coming, a
tombstone, the story itself. Work on drafts and on scheduled updates not yet
due changes neither the cursor, the ETag, Last-Modified nor the body.

A poll answers at most one page of updates (``pagination.PAGE_SIZE``, as on
the story page) and ``MAX_DELETED`` ids to remove; when more changed since the
cursor (a tab that slept through an evening, a bulk edit) it answers
``"reload": true`` instead, and the page script loads the page afresh. Each
query is bounded by a LIMIT, so time and memory stay flat however long the
story grows.

``state()`` costs one query and is all a 304 needs; ``changes()`` does the
rest for a 200.
"""

import hashlib
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db.models import OuterRef
from django.template.loader import render_to_string
from django.utils import timezone

from . import caching, idle, languages, pagination
from .conf import app_settings
from .models import Story, Tombstone, Update, latest, public_updates

# The last second a datetime can hold (9999-12-31 23:59:59 UTC): no cursor is later.
MAX_CURSOR = int(datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp())
CURSOR = re.compile(r"[0-9]{1,12}")
# Ids of updates to remove that one poll lists; beyond it, the reader reloads.
MAX_DELETED = 100


def window():
    return app_settings.CURSOR_WINDOW


def lag():
    return app_settings.CURSOR_LAG


def current_cursor(now=None):
    seconds = int(now.timestamp() if now else time.time()) - lag()
    return seconds - seconds % window()


def parse_cursor(value):
    """The cursor as an int, or None when ``value`` is not one.

    Only ASCII digits (``str.isdigit()`` also takes "²" and "١٢٣") and only
    times a datetime can hold.
    """
    if not value or not CURSOR.fullmatch(value) or int(value) > MAX_CURSOR:
        return None
    return int(value)


def cursor_time(cursor):
    return datetime.fromtimestamp(cursor, tz=UTC)


@dataclass
class State:
    """What a story's change feed depends on, read in one query."""

    story: Story
    last_change: datetime
    _etags: dict = field(default_factory=dict, repr=False, compare=False)

    def etag(self, since, cursor):
        # A State is shared by every poll of its story for a second or more: remember its ETags.
        etag = self._etags.get((since, cursor))
        if etag is None:
            key = f"{self.story.pk}:{self.story.status}:{since}:{cursor}:{self.last_change.timestamp()}"
            etag = self._etags[(since, cursor)] = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
        return etag


def state(slug, now=None):
    """The public story ``slug`` and the time of its latest change, or None.

    A live story found idle is ended here (``idle.end_if_idle``): the change feed, the
    stream and the feed all read a story through this function.
    """
    now = now or timezone.now()
    updates = Update.objects.filter(story=OuterRef("pk"))
    story = (
        Story.objects.public()
        .with_activity()
        .filter(slug=slug)
        .annotate(
            last_changed=latest(updates, "public_changed_at"),
            last_released=latest(updates.filter(public_updates(now)), "published_at"),
            last_deleted=latest(Tombstone.objects.filter(story=OuterRef("pk")), "deleted_at"),
        )
        .first()
    )
    if story is None:
        return None
    idle.end_if_idle(story, now)
    moments = [story.updated_at, story.last_changed, story.last_released, story.last_deleted]
    return State(story=story, last_change=max(moment for moment in moments if moment))


def cached_state(slug, now=None):
    """``state()``, kept in the shared cache until the story changes (when page caching is on)."""
    if app_settings.PAGE_CACHE_SECONDS <= 0:
        return state(slug, now)
    key = f"liveblog:state:{slug}:{caching.versions(slug)}"
    found = caching.lookup(key)
    if found is None:
        found = state(slug, now)
        if found is None:
            caching.forget(slug)
        else:
            caching.store(key, found, caching.page_timeout(found.story))
    return found


def cursor_after(state, since, now=None):
    """The cursor to hand back: unchanged when nothing happened since ``since``."""
    if since is not None and state.last_change < cursor_time(since):
        return since
    return max(current_cursor(now), since or 0)


@dataclass
class Changes:
    """What a poll answers: updates to add or replace, ids to remove, the pinned update's id.

    ``reload`` says more changed than one answer holds: ``updates`` and
    ``deleted`` are then empty and the reader loads the page afresh.
    """

    updates: list
    deleted: list
    pinned: int | None
    reload: bool = False


def changes(story, since, now=None, *, limit=pagination.PAGE_SIZE):
    """Public updates changed or released at or after ``since`` (at most ``limit``),
    the ids readers must remove (at most ``MAX_DELETED``) and the pinned update's id.

    ``story`` is public (``state()`` found it). What changed is read by the two indexes
    that hold it, each query bounded: the updates readers noticed change since the
    cursor (``public_changed_at``: published, edited, taken down) and those released
    since (a scheduled update's time came, which writes nothing). The updates are
    then fetched by id. Asked in one query, "changed or released, newest first"
    leads SQLite to walk the whole story in time order to find the few that changed.
    """
    now = now or timezone.now()
    moment = cursor_time(since)
    touched = story.updates.filter(public_changed_at__gte=moment).order_by()
    touched = list(touched.only("story", "status", "published_at")[: limit + MAX_DELETED + 2])
    shown = {update.pk for update in touched if update.is_public(now)}
    # Taken down since the cursor: dated when they stopped being public, so drafts never were.
    hidden = {update.pk for update in touched} - shown
    released = story.updates.filter(public_updates(now), published_at__gte=moment).order_by()
    shown |= set(released.values_list("pk", flat=True)[: limit + 1])
    tombstones = (
        story.tombstones.filter(deleted_at__gte=moment)
        .order_by("update_id")
        .values_list("update_id", flat=True)[: MAX_DELETED + 1]
    )
    deleted = sorted({*hidden, *tombstones})
    pinned = story.updates.published(now).pinned_in(story).values_list("pk", flat=True).first()
    # ``touched`` full: more than ``limit`` shown or more than ``MAX_DELETED`` hidden.
    if len(shown) > limit or len(deleted) > MAX_DELETED or len(touched) > limit + MAX_DELETED + 1:
        return Changes(updates=[], deleted=[], pinned=pinned, reload=True)
    updates = Update.objects.filter(pk__in=shown).with_byline() if shown else []
    updates = sorted(updates, key=lambda update: (update.published_at, update.pk), reverse=True)
    return Changes(updates=updates, deleted=deleted, pinned=pinned)


def interval(story):
    return story.poll_interval or app_settings.POLL_INTERVAL


def answer(story, since, cursor, now=None):
    """What the change feed answers from ``since`` (None: only the cursor) up to ``cursor``:
    a poll of ``changes.json`` and a message pushed to stream readers alike (``push``)."""
    now = now or timezone.now()
    payload = {
        "cursor": str(cursor),
        "interval": interval(story),
        "live": story.is_live,
        "reload": False,
        "updates": [],
        "deleted": [],
        "pinned": None,
        "key_events": None,
    }
    if since is None:
        return payload
    with languages.speaking(story):  # the updates and key events in the story's language
        found = changes(story, since, now)
        payload["reload"] = found.reload
        payload["updates"] = [
            {
                "id": update.pk,
                "html": render_to_string("coverage/includes/update.html", {"update": update}),
                "published": update.published_at.isoformat(),
                "edited": update.edited_at.isoformat() if update.edited_at else None,
                "pinned": update.pinned,
                "key_event": update.key_event,
            }
            for update in found.updates
        ]
        payload["deleted"] = found.deleted
        payload["pinned"] = found.pinned
        if found.updates or found.deleted:
            # The whole box, as the page renders it: new, edited, removed and un-marked key
            # events, in order and capped, with one query.
            payload["key_events"] = render_to_string(
                "coverage/includes/key_events.html",
                {"story": story, "key_events": key_events(story, now=now)},
            )
    return payload


def key_events(story, *, on_page=(), now=None, order=""):
    """The story's newest key events, each with ``href``: its anchor when it is in
    ``on_page`` (ids shown on this page), else the story page that holds it, in the
    reader's ``order`` when they chose one (see ``pagination.in_story_url``)."""
    events = list(Update.objects.key_events(story, now))
    for event in events:
        in_page = event.pk in on_page
        event.href = f"#{event.anchor}" if in_page else pagination.in_story_url(story, event, order)
    return events
