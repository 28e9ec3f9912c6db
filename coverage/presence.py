"""Who is at the live desk of a story right now, kept in Django's cache (never in the database).

Each newsroom login's heartbeat (``views.desk_presence``) sets one cache entry of its own,
(story, login) -> its name, what it does and when, which the cache drops ``PRESENT_SECONDS``
after the last heartbeat. No entry is ever read, changed and written back: a heartbeat is one
``set`` of the login's own key, so two heartbeats racing (two editors on two workers) cannot
lose each other, as they could if they shared one list of who is there. Who is present is
one ``get_many`` over the keys of the newsroom's logins (staff only: a few dozen keys, one
round trip to Redis). The cache is the one every worker shares (the file cache by default,
Redis in production), so every editor sees the same desk.

A login that stopped typing but whose page is gone (no heartbeat, no goodbye) is shown as
"writing" for ``WRITING_SECONDS`` at most, then as "here", then not at all.
"""

import time

from django.contrib.auth import get_user_model
from django.core.cache import cache

from .models import Author

HEARTBEAT_SECONDS = 10  # how often an open desk says it is still there
PRESENT_SECONDS = 30  # an editor with no heartbeat for this long has left (three missed)
WRITING_SECONDS = 15  # "is writing…" means: typed in the composer this recently
DOINGS = ("writing", "editing", "here")


def _key(story, user_pk):
    return f"desk-presence:{story.pk}:{user_pk}"


def display_name(user):
    """The name the newsroom knows a login by: the first name, else its byline, else the login."""
    if user.first_name.strip():
        return user.first_name.strip()
    author = Author.objects.filter(user=user).values_list("name", flat=True).first()
    return author or user.get_username()


def beat(story, user, *, doing, update=None, name=None, now=None):
    """Say that ``user`` is at ``story``'s desk, ``doing`` one of ``DOINGS`` (on ``update``'s
    id when editing it)."""
    if doing not in DOINGS:
        raise ValueError(f"unknown doing: {doing!r}")
    entry = {
        "name": name if name is not None else display_name(user),
        "doing": doing,
        "update": update if doing == "editing" else None,
        "at": time.time() if now is None else now,
    }
    cache.set(_key(story, user.pk), entry, PRESENT_SECONDS)


def leave(story, user):
    """``user`` left ``story``'s desk (closed or left the page)."""
    cache.delete(_key(story, user.pk))


def present(story, *, besides=None, now=None):
    """Who else is at ``story``'s desk: ``[{"id", "name", "doing", "update"}]``, by name,
    leaving out the login ``besides``."""
    now = time.time() if now is None else now
    staff = (
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .exclude(pk=getattr(besides, "pk", None))
        .values_list("pk", flat=True)
    )
    keys = {_key(story, pk): pk for pk in staff}
    found = []
    for key, entry in cache.get_many(list(keys)).items():
        if not isinstance(entry, dict) or now - entry.get("at", 0) > PRESENT_SECONDS:
            continue  # the cache's own expiry can run a second late (the file cache rounds)
        doing = entry.get("doing")
        if doing == "writing" and now - entry["at"] > WRITING_SECONDS:
            doing = "here"
        person = {
            "id": keys[key],
            "name": entry.get("name", ""),
            "doing": doing,
            "update": entry.get("update"),
        }
        found.append(person)
    return sorted(found, key=lambda person: (person["name"].casefold(), person["id"]))
