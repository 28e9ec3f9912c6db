"""Story versions in the shared cache, and the whole-page cache built on them.

Every change to a story's public content bumps its version (signals for model
saves and deletes; ``story_changed()`` for bulk queryset writes), so every app
server sharing the cache stops using the old page at once. A scheduled update
going public changes nothing in the database, so a cached page lives no longer
than the time until the story's next scheduled update.

In front of the shared cache each process keeps what it read for a second
(``LIVEBLOG_LOCAL_CACHE_SECONDS``): a busy story page or change feed is then
served without a network round trip, and another server's change shows here
at most that second later. A change made in this process clears it at once.

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
    _local.clear()


def remembered(key):
    """A value this process put aside with ``remember()`` in the last second, or None."""
    return _local.get(key)


def remember(key, value):
    _local.set(key, value, _local_seconds())


def get(key):
    """``key`` from this process's memory, else from the shared cache (then remembered briefly)."""
    value = _local.get(key)
    if value is None:
        value = cache.get(key)
        if value is not None:
            _local.set(key, value, _local_seconds())
    return value


def set(key, value, timeout):
    cache.set(key, value, timeout)
    _local.set(key, value, _local_seconds(timeout))


def versions(slug):
    """The global and the story's version (two keys, one round trip when not remembered)."""
    remembered = _local.get(("versions", slug))
    if remembered is not None:
        return remembered
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


def story_changed(story=None, *, slug=None):
    """Call after any write that changes what readers of ``story`` see.

    The version moves now and again when the transaction commits: a reader who
    rendered the page in between would otherwise cache the old content under the
    new version.
    """
    _bump(_story_key(slug or story.slug))


def forget(slug):
    """Call when ``slug`` turned out to be no public story: drop the version ``versions()`` made for it.

    Deleting a version is always safe (the next reader makes a new one), so a flood of
    unknown slugs leaves no keys behind.
    """
    cache.delete(_story_key(slug))
    _local.discard(("versions", slug))


def everything_changed():
    """Call after writes that touch many stories (an author renamed, a story retitled)."""
    _bump(GLOBAL_KEY)


def _bump(key):
    def bump():
        cache.set(key, time.time_ns(), VERSION_SECONDS)
        _local.clear()  # this process sees its own change at once

    bump()
    transaction.on_commit(bump)


def page_key(slug, version, query):
    """The key of a story page: its slug, version and ``query``, the page's own parameters
    (a QueryDict of the ones the page answers to, normalized by the view)."""
    digest = hashlib.sha256(query.urlencode().encode()).hexdigest()[:24]
    return f"liveblog:page:{slug}:{version}:{digest}"


def page_timeout(story):
    """Seconds a cached page of ``story`` may live: the setting, cut short by the next release."""
    seconds = app_settings.PAGE_CACHE_SECONDS
    if seconds <= 0:
        return 0
    upcoming = (
        Update.objects.filter(story=story, status=Update.Status.SCHEDULED, published_at__gt=timezone.now())
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    if upcoming is not None:
        seconds = min(seconds, max(1, int((upcoming - timezone.now()).total_seconds())))
    return seconds
