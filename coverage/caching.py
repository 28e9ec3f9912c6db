"""Story versions in the shared cache, and the whole-page cache built on them.

Every change to a story's public content bumps its version (signals for model
saves and deletes; ``story_changed()`` for bulk queryset writes), so every app
server sharing the cache stops using the old page at once. A scheduled update
going public changes nothing in the database, so a cached page lives no longer
than the time until the story's next scheduled update.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from .models import Update

GLOBAL_KEY = "liveblog:version:all"


def _story_key(slug):
    return f"liveblog:version:story:{slug}"


def versions(slug):
    """The global and the story's version (two keys, one round trip)."""
    keys = [GLOBAL_KEY, _story_key(slug)]
    found = cache.get_many(keys)
    missing = {key: time.time_ns() for key in keys if key not in found}
    if missing:
        for key, value in missing.items():
            cache.add(key, value, None)
        found = cache.get_many(keys)
    return f"{found.get(GLOBAL_KEY, 0)}.{found.get(_story_key(slug), 0)}"


def story_changed(story=None, *, slug=None):
    """Call after any write that changes what readers of ``story`` see.

    The version moves now and again when the transaction commits: a reader who
    rendered the page in between would otherwise cache the old content under the
    new version.
    """
    _bump(_story_key(slug or story.slug))


def everything_changed():
    """Call after writes that touch many stories (an author renamed, a story retitled)."""
    _bump(GLOBAL_KEY)


def _bump(key):
    cache.set(key, time.time_ns(), None)
    transaction.on_commit(lambda: cache.set(key, time.time_ns(), None))


def page_key(slug, version, request):
    query = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:24]
    return f"liveblog:page:{slug}:{version}:{query}"


def page_timeout(story):
    """Seconds a cached page of ``story`` may live: the setting, cut short by the next release."""
    seconds = settings.LIVEBLOG_PAGE_CACHE_SECONDS
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
