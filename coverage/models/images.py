"""Pictures: a story's lead image or an update's, with their renditions."""

from django.core.files.storage import default_storage
from django.db import models

from .stories import Story
from .updates import Update


class Image(models.Model):
    """A photo with caption and credit, in an update's body or (lead image) in the summary."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="images")
    update = models.ForeignKey(Update, null=True, blank=True, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField(
        default=0, help_text="How many paragraphs (or lists) of the text come before the image."
    )
    file = models.ImageField(upload_to="images/%Y/%m/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    caption = models.TextField(blank=True)
    credit = models.CharField(max_length=300, blank=True)
    alt_text = models.CharField(
        max_length=500, blank=True, help_text="Describe the picture for readers who cannot see it."
    )
    renditions = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ["position", "pk"]

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
