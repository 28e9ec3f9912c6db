"""Writes of updates: save (with byline, pin and revision), bulk create, publish, delete."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import search
from ..models import (
    Byline,
    Clip,
    Image,
    Tombstone,
    Update,
    UpdateRevision,
    WebhookEvent,
    Writer,
    public_change,
    public_updates,
)
from . import clips, embeds, images, readers, webhooks
from .versions import StaleEdit, write_versioned

TEXT_FIELDS = ("headline", "body")
# What readers see of an update besides its byline: a change to one of these is "update.edited".
SEEN_FIELDS = (
    "story_id",
    "headline",
    "body",
    "contributor_line",
    "correction",
    "key_event",
    "pinned",
    "published_at",
)
BATCH_SIZE = 500  # rows per INSERT in bulk writes


def save_update(*, update, authors=None, user=None, writer=Writer.NEWSROOM, now=None):
    """Create or save ``update`` with everything that goes with it.

    - "Publish now": a published update without a time gets ``now`` (the one
      place that rule lives: the admin form leaves the time empty for it).
    - Changing the headline or body of an update readers can see sets ``edited_at``.
    - A new or changed correction is dated (``corrected_at``); clearing it clears the date.
    - Pinning unpins the story's other pinned update, in the same transaction
      (the one way to pin: the form, the seed and tests all pin here).
    - ``authors`` (in byline order) replaces the byline when given.
    - The text of each version is kept as an ``UpdateRevision``, with its ``writer``
      (the newsroom, ``user`` then being the login, or the seed).
    - The search columns follow the headline and body (``coverage.search.stamp``).
    - Embedded URLs not yet described are described once the save has committed
      (``embeds.describe_later``).
    - Webhooks hear what readers see change (``webhooks.announce``): "update.published"
      when it becomes public (or is scheduled: sent at its time), "update.edited" when a
      public update changes in what readers see, "update.unpublished" when it is taken down.

    Raises ``StaleEdit`` if the update was saved by someone else since it was loaded.
    """
    now = now or timezone.now()
    with transaction.atomic():
        previous = None
        if update.pk:
            previous = Update.objects.select_for_update().filter(pk=update.pk).first()
            if previous is None or previous.version != update.version:
                raise StaleEdit(update)
        if update.status == Update.Status.PUBLISHED and update.published_at is None:
            update.published_at = now
        was_public = False
        if previous is not None:
            was_public = previous.is_public(now)
            text_changed = any(getattr(update, name) != getattr(previous, name) for name in TEXT_FIELDS)
            if was_public and text_changed:
                update.edited_at = now
            if update.correction != previous.correction:
                update.corrected_at = now if update.correction.strip() else None
        elif update.correction.strip():
            update.corrected_at = now
        unpinned = False
        if update.pinned and not (previous and previous.pinned and previous.story_id == update.story_id):
            unpinned = _unpin_others(story_id=update.story_id, keep=update.pk, now=now)
        if previous is None:
            update.created_by = update.created_by or user
            update.save()  # Update.save dates public_changed_at if readers will see it
        else:
            update.stamp_public_change(now, was_public=was_public)
            search.stamp(update)  # write_versioned writes every column as the instance holds it
            write_versioned(update, now)
        moved_from = ()
        if previous is not None and previous.story_id != update.story_id:
            Image.objects.filter(update=update).update(story_id=update.story_id)
            Clip.objects.filter(update=update).update(story_id=update.story_id)
            moved_from = (previous.story_id,) if was_public else ()
        byline_changed = authors is not None and _set_byline(update, authors)
        if previous is not None and (previous.story_id, previous.published_at) != (
            update.story_id,
            update.published_at,
        ):
            # Bylines repeat their update's story and time (see Byline).
            Byline.objects.filter(update=update).update(story=update.story, published_at=update.published_at)
        _record_revision(update, previous, user=user, writer=writer, now=now)
        readers.after_write(update, seen_before=was_public or unpinned, stories=moved_from, now=now)
        embeds.describe_later(update)
        kind = _event(update, previous, was_public=was_public, byline_changed=byline_changed, now=now)
        if kind is not None:
            webhooks.announce(kind, update, now)
    return update


def _event(update, previous, *, was_public, byline_changed, now):
    """What webhooks hear of this save of ``update``, if anything (see ``save_update``)."""
    public = update.is_public(now)
    if public and not was_public:
        return WebhookEvent.PUBLISHED
    if was_public and not public:
        return WebhookEvent.UNPUBLISHED
    if public:
        seen = any(getattr(update, name) != getattr(previous, name) for name in SEEN_FIELDS)
        return WebhookEvent.EDITED if seen or byline_changed else None
    if update.status != Update.Status.DRAFT and update.published_at is not None:
        return WebhookEvent.PUBLISHED  # scheduled for later: queued for its time
    return None


def create_updates(*, story, updates, user=None, writer=Writer.NEWSROOM, now=None):
    """Add many new updates to ``story`` at once; ``updates`` holds ``(update, authors, images)``.

    The same rules as ``save_update`` for new updates ("publish now", the first
    revision, who wrote it), in a few INSERTs whatever the number of updates:
    the seed command loads a 10,000-update document this way in seconds.
    Pinning is not offered here (``save_update`` pins).
    """
    now = now or timezone.now()
    rows = [update for update, _, _ in updates]
    for update in rows:
        update.story = story
        update.created_by = update.created_by or user
        if update.status == Update.Status.PUBLISHED and update.published_at is None:
            update.published_at = now
        if update.correction.strip():
            update.corrected_at = now
    with transaction.atomic():
        Update.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        if any(update.pk is None for update in rows):  # databases that return no ids
            ids = dict(
                story.updates.filter(source_position__isnull=False).values_list("source_position", "pk")
            )
            for update in rows:
                update.pk = ids[update.source_position]
        Byline.objects.bulk_create(
            (
                Byline(update=update, author=author, position=position)
                for update, authors, _ in updates
                for position, author in enumerate(dict.fromkeys(authors))
            ),
            batch_size=BATCH_SIZE,
        )
        pictures = []
        for update, _, update_images in updates:
            for image in update_images:
                image.story, image.update = story, update
                pictures.append(image)
        Image.objects.bulk_create(pictures, batch_size=BATCH_SIZE)
        saved_by = user if user and user.is_authenticated else None
        UpdateRevision.objects.bulk_create(
            (
                UpdateRevision(
                    update=update,
                    version=update.version,
                    headline=update.headline,
                    body=update.body,
                    status=update.status,
                    published_at=update.published_at,
                    saved_by=saved_by,
                    writer=writer,
                    saved_at=now,
                )
                for update in rows
            ),
            batch_size=BATCH_SIZE,
        )
        readers.after_write(*rows, now=now)
        embeds.describe_later(*rows)
        webhooks.announce_created(story=story, updates=updates, now=now)
    return rows


def publish_update(*, update, user=None, now=None):
    """Make ``update`` public now ("Publish now" on a draft or a scheduled update)."""
    if update.status != Update.Status.PUBLISHED:
        update.status = Update.Status.PUBLISHED
        update.published_at = None  # publish now: save_update dates it
    return save_update(update=update, user=user, now=now)


def delete_update(*, update, now=None):
    """Delete ``update`` with its byline, revisions and pictures (their files once the delete commits).

    Readers who saw it are told to remove it by a ``Tombstone`` (and webhooks by
    "update.deleted"): dated at the deletion if it was public, else at the time it was taken down
    (``public_changed_at``), which the change feed already reported, so deleting
    unpublished work changes nothing readers get. One never public leaves none.
    """
    now = now or timezone.now()
    with transaction.atomic():
        seen = update.was_public(now)
        removed_at = now if seen else update.public_changed_at
        files = list(update.images.values_list("file", "renditions"))
        clip_files = [name for clip in update.clips.all() for name in clips.clip_files(clip)]
        story_id, pk = update.story_id, update.pk
        if seen:
            webhooks.announce(WebhookEvent.DELETED, update, now)
        update.delete()
        if removed_at is not None:
            Tombstone.objects.create(story_id=story_id, update_id=pk, deleted_at=removed_at)
        images.discard_files_on_commit(files)
        clips.discard_files_on_commit(clip_files)
        readers.after_write(update, seen_before=seen or update.is_public(now), deleted=True, now=now)


def delete_updates(*, updates, now=None):
    """Delete each of ``updates`` (a queryset: the admin's "delete selected") as ``delete_update`` does."""
    with transaction.atomic():
        for update in updates:
            delete_update(update=update, now=now)


def _unpin_others(*, story_id, keep, now):
    """Unpin the story's other pinned update; returns whether readers could see it."""
    others = Update.objects.filter(story_id=story_id, pinned=True).exclude(pk=keep)
    public = others.filter(public_updates(now)).exists()
    # The other pin's version moves too: a form still showing it pinned is now stale.
    others.update(
        pinned=False, version=F("version") + 1, changed_at=now, public_changed_at=public_change(now)
    )
    return public


def _set_byline(update, authors):
    """Make the byline ``authors``, in order; returns whether it changed."""
    wanted = list(dict.fromkeys(author.pk for author in authors))
    existing = {byline.author_id: byline for byline in Byline.objects.filter(update=update)}
    changed = bool(Byline.objects.filter(update=update).exclude(author_id__in=wanted).delete()[0])
    for position, author_id in enumerate(wanted):
        byline = existing.get(author_id)
        if byline is None:
            Byline.objects.create(update=update, author_id=author_id, position=position)
            changed = True
        elif byline.position != position:
            byline.position = position
            byline.save(update_fields=["position"])
            changed = True
    return changed


def _record_revision(update, previous, *, user, writer, now):
    """Keep every saved version: its text, status and time, who saved it (a login, or the seed) and when.

    A save that changes only the status, the byline or the correction is a version
    too: the history says who published, unpublished or re-credited an update, and
    which of its texts readers saw (``coverage.history``).
    The version before is kept as well if nobody kept it yet (rows older than revisions).
    """
    if previous is not None:
        UpdateRevision.objects.get_or_create(
            update=update,
            version=previous.version,
            defaults={
                "headline": previous.headline,
                "body": previous.body,
                "status": previous.status,
                "published_at": previous.published_at,
                "saved_at": previous.changed_at,
            },
        )
    UpdateRevision.objects.create(
        update=update,
        version=update.version,
        headline=update.headline,
        body=update.body,
        status=update.status,
        published_at=update.published_at,
        saved_by=user if user and user.is_authenticated else None,
        writer=writer,
        saved_at=now,
    )
