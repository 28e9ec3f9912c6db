"""Why is this page stale? Every layer that keeps a reader's answer, and what ends each.

What readers get from the story page and its change feed (``changes.json``) is
kept in three layers (a shared HTTP cache in front, nginx or a CDN, keeps it for
one cursor window more: see the views' Cache-Control). Writes drop them in ONE
place: every service calls ``services.readers.after_write()`` once it has
written, and that function alone decides what readers see of the write and calls
``bump_story()`` (one story's pages) or ``bump_everything()`` (every page: a
story or an author changed). Nothing else calls them; no signal receiver touches
the cache.

1. Versions in the shared cache: Redis, or without it a file cache that every
   process of the machine shares (settings.py). Whole answers are kept there by
   the page cache (``pagecache``): a story page under ``page_key(slug,
   versions(slug), query)`` (its embed alike, under a kind of its own), a poll of the change feed under
   ``views.changes.changes_key`` (the versions, the cursor asked from and the
   current window); the change feed's state under
   ``liveblog:state:<slug>:<versions>`` (``live.cached_state``). The version is
   the global one and the story's. A bump sets a new version now and again when
   the transaction commits (a reader who rendered the page in between would
   otherwise keep the old content under the new version), so every app process
   stops using the old entries at once. Entries live at most
   ``LIVEBLOG_PAGE_CACHE_SECONDS``, cut short to the time of the story's next
   scheduled update (``page_timeout``): a schedule coming due writes nothing, so
   its release is handled by that timeout. A live story's are also cut short to
   the moment it ends by itself (``idle``): the first read after it renders.
   Versions live ``VERSION_SECONDS``.
   A missing answer is made once (``make_once``) while other requests wait for it.
2. Each process's memory (``LIVEBLOG_LOCAL_CACHE_SECONDS``, a second by
   default): what ``lookup()`` and ``versions()`` read from the shared cache is
   kept that long, so a busy page costs no round trip to Redis or the disk;
   another process's change shows here at most that second later. A bump made
   in this process clears it at once.
3. The ETag memos inside the cached change-feed state (``live.State.etag``):
   a state is shared by every poll of its story while its version lasts, and
   remembers the ETags it computed; a bump makes a new state, with no memos.

Every key in the shared cache has a lifetime, and only real pages make keys: a
slug that is no public story leaves nothing behind (``forget()``), and a page is
keyed on the parameters it answers to, never on the raw query string.
"""

import hashlib
import threading
import time
from collections import OrderedDict

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from . import idle
from .conf import app_settings
from .models import Update

GLOBAL_KEY = "liveblog:version:all"
# How long a version lives in the shared cache. Losing one only costs a miss (a new,
# later version is made, and the pages keyed on the old one expire on their own),
# so any finite lifetime is correct; a day keeps busy stories' pages hitting.
VERSION_SECONDS = 24 * 60 * 60


def _story_key(slug):
    return f"liveblog:version:story:{slug}"


class _LocalMemory:
    """A small, thread-safe, expiring LRU memory for this process."""

    def __init__(self, size=256):
        self.size = size
        self.items = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            item = self.items.get(key)
            if item is None:
                return None
            expires, value = item
            if expires < time.monotonic():
                del self.items[key]
                return None
            self.items.move_to_end(key)
            return value

    def set(self, key, value, seconds):
        with self.lock:
            self.items[key] = (time.monotonic() + seconds, value)
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def discard(self, key):
        with self.lock:
            self.items.pop(key, None)

    def clear(self):
        with self.lock:
            self.items.clear()


_local = _LocalMemory()


def _local_seconds(timeout=None):
    seconds = app_settings.LOCAL_CACHE_SECONDS
    return min(seconds, timeout) if timeout else seconds


def clear_local():
    """Forget everything this process kept (tests, and a bump)."""
    _local.clear()


def lookup(key):
    """``key`` from this process's memory, else from the shared cache (then remembered briefly)."""
    value = _local.get(key)
    if value is None:
        value = cache.get(key)
        if value is not None:
            _local.set(key, value, _local_seconds())
    return value


def store(key, value, timeout):
    """Keep ``value`` under ``key`` in the shared cache for ``timeout`` seconds, and here briefly."""
    cache.set(key, value, timeout)
    _local.set(key, value, _local_seconds(timeout))


# How long a request waits for another to make the answer it needs (``make_once``) before
# making it itself; and how often it looks.
MAKING_SECONDS = 5
MAKING_POLL_SECONDS = 0.01
_making = {}  # key -> (threading.Lock, callers using it): the answers this process is making
_making_lock = threading.Lock()


def make_once(key, make):
    """The value under ``key``, made by one caller while the others wait: ``(value, made)``.

    ``make()`` returns ``(value, seconds, made)``; the value is stored for ``seconds``
    (0: not stored) and the caller that made it gets ``made`` back, the others None.
    Threads of this process wait on a lock; other processes see a marker in the shared
    cache (``cache.add``, atomic on Redis) and look for the value until it appears or
    the marker goes. A value that does not come (its maker failed, or did not keep it)
    is made again by the waiter: waiting never costs more than ``MAKING_SECONDS``.
    """
    with _making_lock:
        lock, users = _making.get(key, (threading.Lock(), 0))
        _making[key] = (lock, users + 1)
    try:
        with lock:
            value = lookup(key)
            if value is not None:
                return value, None
            marker = f"{key}:making"
            if not cache.add(marker, 1, MAKING_SECONDS):
                value = _wait_for(key, marker)
                if value is not None:
                    return value, None
            try:
                value, seconds, made = make()
                if value is not None and seconds > 0:
                    store(key, value, seconds)
            finally:
                cache.delete(marker)
            return value, made
    finally:
        with _making_lock:
            lock, users = _making[key]
            if users == 1:
                del _making[key]
            else:
                _making[key] = (lock, users - 1)


def _wait_for(key, marker):
    deadline = time.monotonic() + MAKING_SECONDS
    while time.monotonic() < deadline:
        time.sleep(MAKING_POLL_SECONDS)
        value = cache.get(key)
        if value is not None:
            _local.set(key, value, _local_seconds())
            return value
        if marker not in cache:
            return None
    return None


def versions(slug):
    """The global and the story's version (two keys, one round trip when not remembered)."""
    known = _local.get(("versions", slug))
    if known is not None:
        return known
    keys = [GLOBAL_KEY, _story_key(slug)]
    found = cache.get_many(keys)
    missing = {key: time.time_ns() for key in keys if key not in found}
    if missing:
        for key, value in missing.items():
            cache.add(key, value, VERSION_SECONDS)
        found = cache.get_many(keys)
    version = f"{found.get(GLOBAL_KEY, 0)}.{found.get(_story_key(slug), 0)}"
    _local.set(("versions", slug), version, _local_seconds())
    return version


def bump_story(slug):
    """Drop the cached pages of the story ``slug``: its version moves, now and on commit.

    Called only by ``services.readers.after_write`` (the one place that decides).
    """
    _bump(_story_key(slug))


def forget(slug):
    """Call when ``slug`` turned out to be no public story: drop the version ``versions()`` made for it.

    Deleting a version is always safe (the next reader makes a new one), so a flood of
    unknown slugs leaves no keys behind.
    """
    cache.delete(_story_key(slug))
    _local.discard(("versions", slug))


def bump_everything():
    """Drop every cached page: the global version moves, now and on commit.

    Called only by ``services.readers.after_write``, for writes seen beyond one
    story's pages (an author renamed, a story retitled).
    """
    _bump(GLOBAL_KEY)


def _bump(key):
    def bump():
        cache.set(key, time.time_ns(), VERSION_SECONDS)
        _local.clear()  # this process sees its own change at once

    bump()
    transaction.on_commit(bump)


def page_key(slug, version, query, kind="story-page"):
    """The key of a story page: its slug, version and ``query``, the page's own parameters
    (a QueryDict of the ones the page answers to, normalized by the view). It holds
    ``(etag, content)``. ``kind`` names another page of the story kept alike (its embed)."""
    digest = hashlib.sha256(query.urlencode().encode()).hexdigest()[:24]
    return f"liveblog:{kind}:{slug}:{version}:{digest}"


def content_etag(content):
    """A strong ETag for ``content``: the page's bytes are its version."""
    return f'"{hashlib.md5(content, usedforsecurity=False).hexdigest()}"'


def page_timeout(story):
    """Seconds a cached page of ``story`` may live: the setting, cut short by the next release
    and, for a live story, by the moment it ends by itself when nothing comes (``idle``)."""
    seconds = app_settings.PAGE_CACHE_SECONDS
    if seconds <= 0:
        return 0
    now = timezone.now()
    upcoming = Update.objects.filter(story=story).releases(now).first()
    if upcoming is not None:
        # A schedule counts as activity: the story is not idle before it is released.
        return min(seconds, _seconds_until(upcoming[0], now))
    ends = idle.deadline(story)
    if ends is not None:
        seconds = min(seconds, _seconds_until(ends, now))
    return seconds


def _seconds_until(moment, now):
    return max(1, int((moment - now).total_seconds()))
