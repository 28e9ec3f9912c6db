"""Pictures: a story's lead image or an update's, with their renditions."""

from django.core.files.storage import default_storage
from django.db import models
from django.utils.translation import gettext_lazy as _

from .stories import Story
from .updates import Update


class Image(models.Model):
    """A photo with caption and credit, in an update's body or (lead image) in the summary."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="images", verbose_name=_("story"))
    update = models.ForeignKey(
        Update,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="images",
        verbose_name=_("update"),
    )
    position = models.PositiveSmallIntegerField(
        default=0,
        help_text=_("How many paragraphs (or lists) of the text come before the image."),
        verbose_name=_("position"),
    )
    file = models.ImageField(
        upload_to="images/%Y/%m/", width_field="width", height_field="height", verbose_name=_("file")
    )
    width = models.PositiveIntegerField(null=True, blank=True, editable=False, verbose_name=_("width"))
    height = models.PositiveIntegerField(null=True, blank=True, editable=False, verbose_name=_("height"))
    caption = models.TextField(blank=True, verbose_name=_("caption"))
    credit = models.CharField(max_length=300, blank=True, verbose_name=_("credit"))
    alt_text = models.CharField(
        max_length=500,
        blank=True,
        help_text=_("Describe the picture for readers who cannot see it."),
        verbose_name=_("alt text"),
    )
    renditions = models.JSONField(default=list, blank=True, editable=False, verbose_name=_("renditions"))

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self):
        return self.caption[:80] or self.file.name

    @property
    def alt(self):
        return self.alt_text or self.caption

    def srcset(self, mime):
        """The ``srcset`` of the renditions of type ``mime`` (``"image/webp"``, ``"image/jpeg"``)."""
        return ", ".join(
            f"{default_storage.url(item['name'])} {item['width']}w"
            for item in self.renditions
            if item.get("type") == mime
        )

    @property
    def webp_srcset(self):
        return self.srcset("image/webp")

    @property
    def jpeg_srcset(self):
        return self.srcset("image/jpeg")

    @property
    def thumbnail_url(self):
        """The smallest rendition (the file itself when there are none)."""
        smallest = min(self.renditions, key=lambda item: item.get("width", 0), default=None)
        if smallest is not None:
            return default_storage.url(smallest["name"])
        return self.file.url if self.file else ""
