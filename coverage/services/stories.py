"""Writes of stories: save, coverage start and end, delete, and the seed's bookkeeping."""

from django.db import transaction
from django.utils import timezone

from .. import idle, slugs
from ..models import Clip, DeletedSeedStory, Image, Story
from . import clips, embeds, images, readers
from .versions import StaleEdit, write_versioned


def save_story(*, story, now=None):
    """Create or save ``story``; raises ``StaleEdit`` if someone saved it since it was loaded.

    Going live dates the start of coverage (if not set) and reopens ended coverage, with a
    full idle period (``live_since``; see ``coverage.idle``); ending it dates its end. The
    mark of a story the site ended by itself goes unless it stays ended. A story without a
    slug gets one made from its title.
    The summary's embedded URLs not yet described are described once the save has committed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        if not story.slug:
            story.slug = slugs.unique_slug(Story, story.title, fallback="story", exclude_pk=story.pk)
        previous_status = None
        if story.pk is not None:
            previous_status = Story.objects.filter(pk=story.pk).values_list("status", flat=True).first()
        if story.status == Story.Status.LIVE:
            story.coverage_start = story.coverage_start or now
            if previous_status != Story.Status.LIVE:
                story.live_since = now
            if previous_status == Story.Status.ENDED:
                story.coverage_end = None
        elif story.status == Story.Status.ENDED:
            story.coverage_start = story.coverage_start or now
            story.coverage_end = story.coverage_end or now
        if story.status != Story.Status.ENDED:
            story.ended_automatically_at = None
        if story.pk is None:
            story.save()
            if story.source_slug:  # the document's story is back: the deletion is over
                DeletedSeedStory.objects.filter(source_slug=story.source_slug).delete()
        else:
            write_versioned(story, now)
        # A draft story is nobody's business but the newsroom's until it goes public.
        seen_before = previous_status not in (None, Story.Status.DRAFT)
        readers.after_write(story, seen_before=seen_before, now=now)
        embeds.describe_later(story)
    return story


def end_idle_story(*, story, now=None):
    """End ``story`` if it is still live and idle at ``now`` (``coverage.idle``): the site's own
    "End coverage", for a story left live with no update for ``LIVEBLOG_IDLE_END_HOURS``.

    Its end is dated at its last activity (when coverage really stopped, which its page and
    JSON-LD then say), and ``ended_automatically_at`` at the moment the limit ran out (the
    admin says why). The row is read again in the transaction and written only if it still
    has that version, so two readers who see it at once end it once; an update published
    meanwhile keeps it live. ``story`` then holds the row as stored. Returns whether this
    call ended it.
    """
    now = now or timezone.now()
    ended = False
    with transaction.atomic():
        current = Story.objects.with_activity().filter(pk=story.pk).first()
        if current is None:
            return False
        due = idle.deadline(current)
        if due is not None and due <= now:
            current.status = Story.Status.ENDED
            current.coverage_end = idle.last_activity(current)
            current.ended_automatically_at = due
            try:
                write_versioned(current, now)
            except StaleEdit:  # saved by someone else since it was read: that save stands
                current = Story.objects.get(pk=story.pk)
            else:
                readers.after_write(current, seen_before=True, now=now)
                ended = True
    for field in Story._meta.concrete_fields:
        setattr(story, field.attname, getattr(current, field.attname))
    return ended


def delete_story(*, story, user=None, now=None):
    """Delete ``story`` with its updates, pictures (their files once the delete commits),
    comments and tombstones.

    A story loaded from a seed document is remembered by its source slug
    (``DeletedSeedStory``): loading the document again leaves it deleted and
    says so, unless ``seed --force`` brings it back.
    """
    now = now or timezone.now()
    with transaction.atomic():
        if story.source_slug:
            DeletedSeedStory.objects.update_or_create(
                source_slug=story.source_slug,
                defaults={
                    "title": story.title,
                    "deleted_at": now,
                    "deleted_by": user if user and user.is_authenticated else None,
                },
            )
        files = list(Image.objects.filter(story=story).values_list("file", "renditions"))
        clip_files = [name for clip in Clip.objects.filter(story=story) for name in clips.clip_files(clip)]
        story.delete()  # its updates, bylines, revisions, pictures, comments and tombstones go with it
        images.discard_files_on_commit(files)
        clips.discard_files_on_commit(clip_files)
        readers.after_write(story, seen_before=story.status != Story.Status.DRAFT, deleted=True, now=now)


def forget_deleted_story(*, deleted):
    """Let the seed load a deleted story's document again, as if the story had never been loaded."""
    deleted.delete()
    readers.after_write(deleted, deleted=True)


def record_seed_positions(*, story, count):
    """Note that the seed has created ``count`` updates of ``story``'s document (places 0 to count - 1).

    Bookkeeping readers never see: the story's version does not move, so an
    editor's open story form is not made stale by it.
    """
    if count > story.seed_positions:
        Story.objects.filter(pk=story.pk).update(seed_positions=count)
        story.seed_positions = count
        readers.after_write(story, fields=["seed_positions"])
    return story


def start_coverage(*, story, now=None):
    """Put ``story`` live (the admin's "Start coverage"): ``save_story`` dates it."""
    story.status = Story.Status.LIVE
    return save_story(story=story, now=now)


def end_coverage(*, story, now=None):
    """End ``story``'s coverage (the admin's "End coverage"): ``save_story`` dates it."""
    story.status = Story.Status.ENDED
    return save_story(story=story, now=now)
