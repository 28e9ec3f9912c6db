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

from .stories import Story


class Webhook(models.Model):
    """An endpoint the site tells of changes to one story's updates (or every story's)."""

    url = models.URLField(
        "URL",
        max_length=500,
        help_text="HTTPS address the events are POSTed to; only public addresses are contacted.",
    )
    story = models.ForeignKey(
        Story,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhooks",
        help_text="Only this story's updates; empty: every story.",
    )
    description = models.CharField(max_length=200, blank=True, help_text="Who receives it, and why.")
    secret = models.CharField(
        max_length=100,
        editable=False,
        help_text="The key of each event's signature (Liveblog-Signature); the receiver keeps a copy.",
    )
    active = models.BooleanField(default=True, help_text="Paused endpoints are sent nothing.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["url", "pk"]
        indexes = [models.Index(fields=["story"], condition=Q(active=True), name="webhook_active_story")]

    def __str__(self):
        return f"{self.url} ({self.story or 'all stories'})"


class WebhookEvent(models.TextChoices):
    """What happened to an update, as readers saw it."""

    PUBLISHED = "update.published", "Published"
    EDITED = "update.edited", "Edited"
    UNPUBLISHED = "update.unpublished", "Unpublished"
    DELETED = "update.deleted", "Deleted"


class WebhookDelivery(models.Model):
    """One event for one endpoint: the body signed, and every attempt's outcome.

    Due ones (pending or failed, ``next_attempt_at`` passed) are sent by the delivery
    worker (``coverage.webhooks``); a failed one is tried again after a backoff, and given
    up after the last. A scheduled update's "published" is queued for its time
    (``awaits_version``) and skipped if the update is not public at that version by then;
    so are the seed's new updates' (their bodies are written then, by the worker).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed, will retry"
        GIVEN_UP = "given_up", "Given up"
        SKIPPED = "skipped", "Skipped"

    DUE = [Status.PENDING, Status.FAILED]

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=30, choices=WebhookEvent.choices)
    delivery_id = models.UUIDField("delivery id", default=uuid.uuid4, unique=True, editable=False)
    story = models.ForeignKey(Story, null=True, on_delete=models.SET_NULL, related_name="+")
    update_id = models.PositiveBigIntegerField(
        "update", help_text="Not a link: a deleted update's events stay."
    )
    awaits_version = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Sent only if the update is public at this version when it is due (a scheduled "
        "update's publication, the seed's new updates).",
    )
    # Text, not a JSONField: PostgreSQL's jsonb reorders keys, and the bytes signed must be kept.
    payload = models.TextField(
        help_text="The JSON body sent, exactly as signed (UTF-8); written before the first attempt at the "
        "latest (the seed's updates: by the worker)."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField("response", null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
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
        return f"{self.event} of update {self.update_id} ({self.delivery_id})"

    @property
    def is_due(self):
        return self.status in self.DUE
