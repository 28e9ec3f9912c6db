"""Keep a tombstone for every deleted update (admin, bulk actions alike)."""

from django.db.models import QuerySet
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import Story, Tombstone, Update


@receiver(post_delete, sender=Update, dispatch_uid="coverage.update_tombstone")
def remember_deleted_update(sender, instance, origin=None, **kwargs):
    if instance.published_at is None:
        return  # never public: nothing for readers to remove
    deleting_story = isinstance(origin, Story) or (isinstance(origin, QuerySet) and origin.model is Story)
    if deleting_story:
        return  # the whole story goes, its tombstones with it
    Tombstone.objects.create(story_id=instance.story_id, update_id=instance.pk)
