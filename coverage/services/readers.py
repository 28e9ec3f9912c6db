"""What readers' caches must drop after a write: the one place that decides.

Every service calls ``after_write()`` once it has written, with the rows it
wrote. The rules, one per kind of row, are in ``shown()`` and ``SITE_WIDE``:

- A story or an author shows beyond its own page (titles in lists, names in
  bylines everywhere): readers see a write to one, every cached page goes
  (``caching.bump_everything``). A draft story, and a new author, are on no page.
- An update, a comment or a picture shows on its story's page and change feed:
  only that story's version moves (``caching.bump_story``). An update is seen
  when it is public (published, or scheduled for a time that has come), a
  comment when it is approved, a picture when it is a lead image or its update
  is public, a clip when its update is public.
- A write is seen if readers saw the row before it (``seen_before``: the
  caller knew the row as it was) or see it after it. Work on drafts, on
  updates scheduled for later, on comments held for moderation and on draft
  stories drops nothing: readers get the same bytes, at the same times.
- A scheduled update coming due writes nothing: the page cache's timeout ends
  at its time (``caching.page_timeout``).
- Columns readers never see (``UNSEEN_FIELDS``) and rows they never see
  (``NEVER_SHOWN``) drop nothing.
- A change reaches polling readers by its date (``Update.public_changed_at``,
  ``Tombstone.deleted_at``) against the cursor they hold, which trails the clock
  by ``CURSOR_LAG``. A write committed later than that after it was dated (a
  long seed, a stalled process) would fall behind cursors handed out meanwhile:
  it is dated again when it commits (``_date_at_commit``).
- The stories whose readers saw the write get a pushed message once it commits
  (``push.announce``; nothing without a push tier).

Signals are not a second path: no receiver touches the cache.
"""

import functools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .. import caching, push
from ..conf import app_settings
from ..models import (
    Author,
    Byline,
    Clip,
    Comment,
    DeletedSeedStory,
    Image,
    Story,
    Tombstone,
    Update,
    UpdateRevision,
    public_updates,
)

# Shown on other pages than their story's: a write readers see drops every cached page.
SITE_WIDE = (Story, Author)
# Written only with something else that decides (a tombstone with its update's deletion, a
# revision with its update's save: the one page showing revisions, an update's "what changed",
# is kept by no cache), or never on a reader's page (the list of deleted seed stories, logins).
NEVER_SHOWN = (UpdateRevision, DeletedSeedStory, Tombstone)
# Columns only the newsroom or the seed reads.
UNSEEN_FIELDS = {Story: {"seed_positions"}, Author: {"user"}}
# What ``after_write`` answers when it dropped every cached page.
EVERYTHING = "everything"


def after_write(*written, seen_before=False, deleted=False, fields=None, stories=(), now=None):
    """Drop from readers' caches what writing the rows ``written`` made stale.

    ``seen_before``: readers could see the rows as they were before this write
    (an update taken down, a comment unapproved, another update unpinned by
    it). ``deleted``: the rows are gone (readers no longer see them).
    ``fields``: the columns written, when not all. ``stories``: ids of other
    stories whose readers saw the write (an update moved away from one).

    The versions move now and again when the transaction commits (see
    ``caching``). Returns what was dropped: ``EVERYTHING``, or the set of the
    story slugs whose version moved (empty when readers saw nothing).
    """
    now = now or timezone.now()
    everything = False
    story_ids = set(stories)
    stories_written = set()  # retitled, ended: their stream readers hear of it too
    for instance in written:
        if _scheduled(instance, deleted=deleted, now=now):
            push.announce_release(instance.published_at, instance.story_id)
        if not _seen(instance, seen_before=seen_before, deleted=deleted, fields=fields, now=now):
            continue
        if isinstance(instance, SITE_WIDE):
            everything = True
            if isinstance(instance, Story) and not deleted:
                stories_written.add(instance.pk)
        else:
            story_ids.add(instance.story_id)
    if everything:
        caching.bump_everything()
        push.announce(story_ids | stories_written)
        return EVERYTHING
    slugs = set(Story.objects.filter(pk__in=story_ids).values_list("slug", flat=True)) if story_ids else set()
    for slug in sorted(slugs):
        caching.bump_story(slug)
    if story_ids:
        transaction.on_commit(functools.partial(_date_at_commit, story_ids, slugs, now), robust=True)
    push.announce(story_ids)  # after the dating above: a message holds the change as committed
    return slugs


def _date_at_commit(story_ids, slugs, dated):
    """Date again, at its commit, a change to these stories dated ``dated`` and committed
    late: readers' cursors handed out meanwhile have passed its date (see the module's
    docstring). A commit in time writes nothing."""
    committed = timezone.now()
    late = committed - timedelta(seconds=app_settings.CURSOR_LAG / 2)
    if dated >= late:
        return
    redated = Update.objects.filter(
        story_id__in=story_ids, public_changed_at__gte=dated, public_changed_at__lt=late
    ).update(public_changed_at=committed)
    redated += Tombstone.objects.filter(
        story_id__in=story_ids, deleted_at__gte=dated, deleted_at__lt=late
    ).update(deleted_at=committed)
    if redated:
        for slug in sorted(slugs):
            caching.bump_story(slug)


def _scheduled(instance, *, deleted, now):
    """Whether ``instance`` is an update readers will see at a time still to come."""
    return (
        isinstance(instance, Update)
        and not deleted
        and instance.status == Update.Status.SCHEDULED
        and instance.published_at is not None
        and instance.published_at > now
    )


def _seen(instance, *, seen_before, deleted, fields, now):
    """Whether readers saw this write of ``instance``."""
    if isinstance(instance, (*NEVER_SHOWN, get_user_model())):
        return False
    unseen = UNSEEN_FIELDS.get(type(instance), set())
    if fields is not None and set(fields) <= unseen:
        return False
    return seen_before or (not deleted and shown(instance, now))


def shown(instance, now=None):
    """Whether readers see ``instance`` as it now stands (a delete service asks before deleting)."""
    now = now or timezone.now()
    if isinstance(instance, Story):
        return instance.status != Story.Status.DRAFT
    if isinstance(instance, Author):
        return False  # a new author is on no page; the caller says when it was (seen_before)
    if isinstance(instance, Update):
        return instance.is_public(now)
    if isinstance(instance, Comment):
        return instance.status == Comment.Status.APPROVED
    if isinstance(instance, Image) and instance.update_id is None:
        return True  # a story's lead image
    if isinstance(instance, (Image, Clip, Byline)):
        return Update.objects.filter(public_updates(now), pk=instance.update_id).exists()
    raise TypeError(f"No rule says what readers see of a {type(instance).__name__}: add one to readers.py")
