"""Authors: the people in bylines, each optionally linked to a newsroom login."""

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Author(models.Model):
    """A person who writes updates. Bylines and lead bylines point here."""

    name = models.CharField(max_length=200, unique=True, verbose_name=_("name"))
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True, verbose_name=_("slug"))
    role = models.CharField(
        max_length=200, blank=True, help_text=_("E.g. “Moscow bureau chief”."), verbose_name=_("role")
    )
    bio = models.TextField(blank=True, verbose_name=_("bio"))
    photo = models.ImageField(upload_to="authors/", blank=True, verbose_name=_("photo"))
    photo_renditions = models.JSONField(
        default=list, blank=True, editable=False, verbose_name=_("photo renditions")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
        help_text=_("The login this author uses in the newsroom admin."),
        verbose_name=_("user"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("coverage:author_detail", kwargs={"slug": self.slug})

    def portrait_urls(self):
        """``(small, large)`` URLs of the square portraits, or the photo twice if they were
        never made; None without a photo."""
        if not self.photo:
            return None
        squares = sorted(self.photo_renditions, key=lambda item: item.get("width", 0))
        if len(squares) >= 2:
            return default_storage.url(squares[0]["name"]), default_storage.url(squares[-1]["name"])
        return self.photo.url, self.photo.url

    @property
    def initials(self):
        """“AT” for Anton Troianovski; one letter for a name without spaces (王小明 → 王)."""
        words = [word for word in self.name.split() if word[:1].isalpha()] or self.name.split() or ["?"]
        letters = words[0][:1] + (words[-1][:1] if len(words) > 1 else "")
        return letters.upper()
