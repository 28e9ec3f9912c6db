"""Video and audio clips in an update's text, with their poster frame and captions."""

from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .stories import Story
from .updates import Update

# The player is at most the text's width (42rem, 672 CSS px): a poster this wide is sharp
# on most screens without sending a 1600 px picture to every phone.
POSTER_WIDTH = 960


class Clip(models.Model):
    """A short video or audio clip with caption and credit, between the paragraphs of an update.

    Uploads are checked and cleaned by ``coverage.clips`` (what the file holds,
    size, length, metadata removed) and saved by ``services.save_clip``.
    """

    class Kind(models.TextChoices):
        VIDEO = "video", _("Video")
        AUDIO = "audio", _("Audio")

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="clips", verbose_name=_("story"))
    update = models.ForeignKey(
        Update, on_delete=models.CASCADE, related_name="clips", verbose_name=_("update")
    )
    position = models.PositiveSmallIntegerField(
        default=0,
        help_text=_("How many paragraphs (or lists) of the text come before the clip."),
        verbose_name=_("position"),
    )
    file = models.FileField(_("clip"), upload_to="clips/%Y/%m/", max_length=200)
    kind = models.CharField(max_length=5, choices=Kind.choices, editable=False, verbose_name=_("kind"))
    mime_type = models.CharField(max_length=40, editable=False, verbose_name=_("mime type"))
    duration = models.FloatField(help_text=_("Seconds."), editable=False, verbose_name=_("duration"))
    width = models.PositiveIntegerField(null=True, blank=True, editable=False, verbose_name=_("width"))
    height = models.PositiveIntegerField(null=True, blank=True, editable=False, verbose_name=_("height"))
    poster = models.ImageField(
        upload_to="clips/posters/%Y/%m/", max_length=200, blank=True, editable=False, verbose_name=_("poster")
    )
    poster_renditions = models.JSONField(
        default=list, blank=True, editable=False, verbose_name=_("poster renditions")
    )
    captions = models.FileField(
        upload_to="clips/captions/%Y/%m/",
        max_length=200,
        blank=True,
        help_text=_("Optional WebVTT (.vtt) captions or transcript of what is said."),
        verbose_name=_("captions"),
    )
    captions_language = models.CharField(
        max_length=35,
        blank=True,
        default="en",
        help_text=_("The captions' language code: en, uk, ar, zh…"),
        verbose_name=_("captions language"),
    )
    captions_label = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("What the player's menu calls them: English, Українська…"),
        verbose_name=_("captions label"),
    )
    caption = models.TextField(blank=True, verbose_name=_("caption"))
    credit = models.CharField(max_length=300, blank=True, verbose_name=_("credit"))

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("clip")
        verbose_name_plural = _("clips")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["video", "audio"]), name="clip_kind_valid"),
        ]

    def __str__(self):
        return self.caption[:80] or self.file.name

    @property
    def is_video(self):
        return self.kind == self.Kind.VIDEO

    @property
    def poster_url(self):
        """The JPEG rendition of the poster the player shows best (the poster itself when there are none)."""
        jpegs = sorted(
            (item for item in self.poster_renditions if item.get("type") == "image/jpeg"),
            key=lambda item: item["width"],
        )
        wanted = min(POSTER_WIDTH, self.width or POSTER_WIDTH)
        chosen = next((item for item in jpegs if item["width"] >= wanted), jpegs[-1] if jpegs else None)
        if chosen is not None:
            return default_storage.url(chosen["name"])
        return self.poster.url if self.poster else ""

    @property
    def thumbnail_url(self):
        return self.poster_url

    @property
    def iso_duration(self):
        """The length as ISO 8601 (``PT1M2.5S``), as schema.org wants it."""
        minutes, seconds = divmod(round(self.duration or 0, 1), 60)
        hours, minutes = divmod(int(minutes), 60)
        text = f"{seconds:.1f}".rstrip("0").rstrip(".")
        return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{text}S"

    @property
    def captions_name(self):
        return self.captions_label or self.captions_language or "Captions"
