"""What deletions leave behind: tombstones for readers' pages, and deleted seed stories."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .stories import Story


class DeletedSeedStory(models.Model):
    """A story loaded from a seed document and then deleted in the newsroom.

    Named by the story's source slug, the seed's name for it: loading the document
    again leaves the story deleted and says so (``seed --force`` brings it back).
    """

    source_slug = models.CharField(max_length=300, unique=True)
    title = models.CharField(max_length=300, help_text="The story's title when it was deleted.")
    deleted_at = models.DateTimeField(default=timezone.now)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-deleted_at", "-pk"]
        verbose_name = "deleted seeded story"
        verbose_name_plural = "deleted seeded stories"

    def __str__(self):
        return self.title


class Tombstone(models.Model):
    """A deleted update, remembered so live readers are told to remove it."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="tombstones")
    update_id = models.BigIntegerField()
    deleted_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-deleted_at"]
        get_latest_by = "deleted_at"
        # A poll reads a story's tombstones since its cursor, and the newest one.
        indexes = [models.Index(fields=["story", "deleted_at"], name="tombstone_story_time")]

    def __str__(self):
        return f"Update {self.update_id} deleted {self.deleted_at:%Y-%m-%d %H:%M}"
