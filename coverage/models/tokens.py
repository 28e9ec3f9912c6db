"""API tokens: a login's keys for the HTTP API, stored as digests and revocable."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# What every key starts with, so a leaked one is recognisable (and scanners can find it).
KEY_PREFIX = "lb_"
# Characters of a key kept in clear to tell tokens apart in the admin.
SHOWN_CHARS = 10


def digest(key):
    """The SHA-256 of ``key``: keys are long random strings, so a fast hash is enough."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A key a login gives a script, a bot or an app: it acts with that login's permissions.

    The key is shown once, when the token is made; only its digest is stored.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(
        max_length=100, help_text=_("What it is for: “Olena's phone”, “Wire ingest”."), verbose_name=_("name")
    )
    shown = models.CharField(
        max_length=SHOWN_CHARS,
        editable=False,
        help_text=_("The key's first characters."),
        verbose_name=_("shown"),
    )
    key_digest = models.CharField(max_length=64, unique=True, editable=False, verbose_name=_("key digest"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("last used at"))
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("revoked at"))

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = _("API tokens")
        verbose_name = _("API token")

    def __str__(self):
        return f"{self.name} ({self.shown}…)"

    @property
    def is_active(self):
        return self.revoked_at is None
