"""What deletions leave behind: tombstones for readers' pages, and deleted seed stories."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .stories import Story


class DeletedSeedStory(models.Model):
    """A story loaded from a seed document and then deleted in the newsroom.

    Named by the story's source slug, the seed's name for it: loading the document
    again leaves the story deleted and says so (``seed --force`` brings it back).
    """

    source_slug = models.CharField(max_length=300, unique=True, verbose_name=_("source slug"))
    title = models.CharField(
        max_length=300, help_text=_("The story's title when it was deleted."), verbose_name=_("title")
    )
    deleted_at = models.DateTimeField(default=timezone.now, verbose_name=_("deleted at"))
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("deleted by"),
    )

    class Meta:
        ordering = ["-deleted_at", "-pk"]
        verbose_name = _("deleted seeded story")
        verbose_name_plural = _("deleted seeded stories")

    def __str__(self):
        return self.title


class Tombstone(models.Model):
    """A deleted update, remembered so live readers are told to remove it."""

    story = models.ForeignKey(
        Story, on_delete=models.CASCADE, related_name="tombstones", verbose_name=_("story")
    )
    update_id = models.BigIntegerField(verbose_name=_("update id"))
    deleted_at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("deleted at"))

    class Meta:
        ordering = ["-deleted_at"]
        verbose_name = _("tombstone")
        verbose_name_plural = _("tombstones")
        get_latest_by = "deleted_at"
        # A poll reads a story's tombstones since its cursor, and the newest one.
        indexes = [models.Index(fields=["story", "deleted_at"], name="tombstone_story_time")]

    def __str__(self):
        return _("Update %(number)s deleted %(time)s") % {
            "number": self.update_id,
            "time": f"{self.deleted_at:%Y-%m-%d %H:%M}",
        }
