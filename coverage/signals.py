"""Model signals: tombstones for deleted updates, cache invalidation, image files."""

from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from . import caching
from .models import Author, Byline, Comment, Image, Story, Tombstone, Update, public_updates
from .services import discard_unused_files


@receiver(post_delete, sender=Update, dispatch_uid="coverage.update_tombstone")
def remember_deleted_update(sender, instance, origin=None, **kwargs):
    """Readers who saw the update are told to remove it: at the deletion if it was public,
    else at the time it was taken down (``public_changed_at``), which the change feed
    already reported, so deleting unpublished work changes nothing readers get."""
    deleting_story = isinstance(origin, Story) or (isinstance(origin, QuerySet) and origin.model is Story)
    if deleting_story:
        return  # the whole story goes, its tombstones with it
    now = timezone.now()
    if instance.was_public(now):
        removed_at = now
    elif instance.public_changed_at is not None:
        removed_at = instance.public_changed_at
    else:
        return  # never public: nothing for readers to remove
    Tombstone.objects.create(story_id=instance.story_id, update_id=instance.pk, deleted_at=removed_at)


# --- cache invalidation: every write readers could see bumps a version ----------


def _bump_for_story_id(story_id):
    slug = Story.objects.filter(pk=story_id).values_list("slug", flat=True).first()
    if slug:
        caching.story_changed(slug=slug)


# Work on unpublished updates (drafts, schedules not yet due) and on draft stories drops no
# cached page: readers get the same bytes, at the same times, as if it had not happened.


@receiver(post_save, sender=Update, dispatch_uid="coverage.cache_update_saved")
@receiver(post_delete, sender=Update, dispatch_uid="coverage.cache_update_deleted")
def _update_changed(sender, instance, **kwargs):
    # In post_save, was_public() still tells the row's state before this save.
    if instance.is_public() or instance.was_public():
        _bump_for_story_id(instance.story_id)


def _bump_if_public_update(update_id):
    story_id = (
        Update.objects.filter(public_updates(timezone.now()), pk=update_id)
        .values_list("story_id", flat=True)
        .first()
    )
    if story_id:
        _bump_for_story_id(story_id)


@receiver(post_save, sender=Byline, dispatch_uid="coverage.cache_byline_saved")
@receiver(post_delete, sender=Byline, dispatch_uid="coverage.cache_byline_deleted")
def _byline_changed(sender, instance, **kwargs):
    _bump_if_public_update(instance.update_id)


@receiver(post_save, sender=Image, dispatch_uid="coverage.cache_image_saved")
@receiver(post_delete, sender=Image, dispatch_uid="coverage.cache_image_deleted")
def _image_changed(sender, instance, **kwargs):
    if instance.update_id is None:  # the story's lead image
        _bump_for_story_id(instance.story_id)
    else:
        _bump_if_public_update(instance.update_id)


@receiver(post_save, sender=Comment, dispatch_uid="coverage.cache_comment_saved")
def _comment_saved(sender, instance, created, **kwargs):
    # A comment held for moderation is on no page yet; any later change may show or hide it.
    if not created or instance.status == Comment.Status.APPROVED:
        _bump_for_story_id(instance.story_id)


@receiver(post_delete, sender=Comment, dispatch_uid="coverage.cache_comment_deleted")
def _comment_deleted(sender, instance, **kwargs):
    if instance.status == Comment.Status.APPROVED:
        _bump_for_story_id(instance.story_id)


@receiver(post_save, sender=Story, dispatch_uid="coverage.cache_story_saved")
def _story_saved(sender, instance, created, **kwargs):
    if not (created and instance.status == Story.Status.DRAFT):
        caching.everything_changed()


@receiver(post_save, sender=Author, dispatch_uid="coverage.cache_author_saved")
def _author_saved(sender, instance, created, **kwargs):
    if not created:  # a new author is on no page yet
        caching.everything_changed()


@receiver(post_delete, sender=Story, dispatch_uid="coverage.cache_story_deleted")
def _story_deleted(sender, instance, **kwargs):
    if instance.status != Story.Status.DRAFT:
        caching.everything_changed()


# --- files follow their rows -------------------------------------------------------


@receiver(post_delete, sender=Image, dispatch_uid="coverage_image_files")
def delete_image_files(sender, instance, **kwargs):
    """A deleted image's upload and renditions go once the delete commits."""
    name, renditions = instance.file.name, list(instance.renditions or [])
    transaction.on_commit(lambda: discard_unused_files(name, renditions))
