"""Webhooks: partners' endpoints told of what readers see change, and the log of what was sent.

A ``Webhook`` is an HTTPS endpoint that the site POSTs a signed JSON event to when an
update is published, edited, unpublished or deleted, in one story or in all. Each event
for each endpoint is a ``WebhookDelivery``: the exact body signed, and how sending it went.
The sending is ``coverage.webhooks``; the writes are ``coverage.services.webhooks``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .stories import Story


class Webhook(models.Model):
    """An endpoint the site tells of changes to one story's updates (or every story's)."""

    url = models.URLField(
        _("URL"),
        max_length=500,
        help_text=_("HTTPS address the events are POSTed to; only public addresses are contacted."),
    )
    story = models.ForeignKey(
        Story,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhooks",
        help_text=_("Only this story's updates; empty: every story."),
        verbose_name=_("story"),
    )
    description = models.CharField(
        max_length=200, blank=True, help_text=_("Who receives it, and why."), verbose_name=_("description")
    )
    secret = models.CharField(
        max_length=100,
        editable=False,
        help_text=_("The key of each event's signature (Liveblog-Signature); the receiver keeps a copy."),
        verbose_name=_("secret"),
    )
    active = models.BooleanField(
        default=True, help_text=_("Paused endpoints are sent nothing."), verbose_name=_("active")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["url", "pk"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        indexes = [models.Index(fields=["story"], condition=Q(active=True), name="webhook_active_story")]

    def __str__(self):
        if self.story is None:
            return _("%(url)s (all stories)") % {"url": self.url}
        return _("%(url)s (%(story)s)") % {"url": self.url, "story": self.story}


class WebhookEvent(models.TextChoices):
    """What happened to an update, as readers saw it."""

    PUBLISHED = "update.published", _("Published")
    EDITED = "update.edited", _("Edited")
    UNPUBLISHED = "update.unpublished", _("Unpublished")
    DELETED = "update.deleted", _("Deleted")


class WebhookDelivery(models.Model):
    """One event for one endpoint: the body signed, and every attempt's outcome.

    Due ones (pending or failed, ``next_attempt_at`` passed) are sent by the delivery
    worker (``coverage.webhooks``); a failed one is tried again after a backoff, and given
    up after the last. A scheduled update's "published" is queued for its time
    (``awaits_version``) and skipped if the update is not public at that version by then;
    so are the seed's new updates' (their bodies are written then, by the worker).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed, will retry")
        GIVEN_UP = "given_up", _("Given up")
        SKIPPED = "skipped", _("Skipped")

    DUE = [Status.PENDING, Status.FAILED]

    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("webhook")
    )
    event = models.CharField(max_length=30, choices=WebhookEvent.choices, verbose_name=_("event"))
    delivery_id = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    story = models.ForeignKey(
        Story, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("story")
    )
    update_id = models.PositiveBigIntegerField(
        _("update"), help_text=_("Not a link: a deleted update's events stay.")
    )
    awaits_version = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_(
            "Sent only if the update is public at this version when it is due (a scheduled "
            "update's publication, the seed's new updates)."
        ),
        verbose_name=_("awaits version"),
    )
    # Text, not a JSONField: PostgreSQL's jsonb reorders keys, and the bytes signed must be kept.
    payload = models.TextField(
        help_text=_(
            "The JSON body sent, exactly as signed (UTF-8); written before the first attempt at the "
            "latest (the seed's updates: by the worker)."
        ),
        verbose_name=_("payload"),
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("status")
    )
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    next_attempt_at = models.DateTimeField(null=True, blank=True, verbose_name=_("next attempt at"))
    last_attempt_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last attempt at"))
    response_status = models.PositiveSmallIntegerField(_("response"), null=True, blank=True)
    error = models.CharField(max_length=300, blank=True, verbose_name=_("error"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "delivered", "failed", "given_up", "skipped"]),
                name="webhook_delivery_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["pending", "failed"]) | Q(next_attempt_at__isnull=False),
                name="webhook_delivery_due_has_time",
            ),
        ]
        # The worker's one question, "which are due, soonest first", reads this index only.
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=Q(status__in=["pending", "failed"]), name="webhook_due"
            ),
            models.Index(fields=["webhook", "-created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self):
        return _("%(event)s of update %(number)s (%(delivery)s)") % {
            "event": self.event,
            "number": self.update_id,
            "delivery": self.delivery_id,
        }

    @property
    def is_due(self):
        return self.status in self.DUE
