"""Model signals: tombstones for deleted updates, cache invalidation, image files."""

from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import caching
from .models import Author, Byline, Comment, Image, Story, Tombstone, Update
from .services import discard_unused_files


@receiver(post_delete, sender=Update, dispatch_uid="coverage.update_tombstone")
def remember_deleted_update(sender, instance, origin=None, **kwargs):
    if instance.published_at is None:
        return  # never public: nothing for readers to remove
    deleting_story = isinstance(origin, Story) or (isinstance(origin, QuerySet) and origin.model is Story)
    if deleting_story:
        return  # the whole story goes, its tombstones with it
    Tombstone.objects.create(story_id=instance.story_id, update_id=instance.pk)


# --- cache invalidation: every write readers could see bumps a version ----------


def _bump_for_story_id(story_id):
    slug = Story.objects.filter(pk=story_id).values_list("slug", flat=True).first()
    if slug:
        caching.story_changed(slug=slug)


@receiver(post_save, sender=Update, dispatch_uid="coverage.cache_update_saved")
@receiver(post_delete, sender=Update, dispatch_uid="coverage.cache_update_deleted")
@receiver(post_save, sender=Byline, dispatch_uid="coverage.cache_byline_saved")
@receiver(post_delete, sender=Byline, dispatch_uid="coverage.cache_byline_deleted")
def _update_changed(sender, instance, **kwargs):
    story_id = (
        instance.story_id
        if sender is Update
        else Update.objects.filter(pk=instance.update_id).values_list("story_id", flat=True).first()
    )
    if story_id:
        _bump_for_story_id(story_id)


@receiver(post_save, sender=Comment, dispatch_uid="coverage.cache_comment_saved")
@receiver(post_delete, sender=Comment, dispatch_uid="coverage.cache_comment_deleted")
@receiver(post_save, sender=Image, dispatch_uid="coverage.cache_image_saved")
@receiver(post_delete, sender=Image, dispatch_uid="coverage.cache_image_deleted")
def _image_changed(sender, instance, **kwargs):
    _bump_for_story_id(instance.story_id)


@receiver(post_save, sender=Story, dispatch_uid="coverage.cache_story_saved")
@receiver(post_delete, sender=Story, dispatch_uid="coverage.cache_story_deleted")
@receiver(post_save, sender=Author, dispatch_uid="coverage.cache_author_saved")
def _many_changed(sender, instance, **kwargs):
    caching.everything_changed()


# --- files follow their rows -------------------------------------------------------


@receiver(post_delete, sender=Image, dispatch_uid="coverage_image_files")
def delete_image_files(sender, instance, **kwargs):
    """A deleted image's upload and renditions go once the delete commits."""
    name, renditions = instance.file.name, list(instance.renditions or [])
    transaction.on_commit(lambda: discard_unused_files(name, renditions))
