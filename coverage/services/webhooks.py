"""Writes of webhooks and their deliveries: register, pause and delete endpoints; queue events;
claim and record attempts for the delivery worker (``coverage.webhooks``).

``announce`` is called by ``updates`` when readers see an update change: it queues one
pending delivery per active endpoint of the update's story (or of all stories) and, once
the transaction commits, wakes this process's delivery worker. It only writes rows: the
write that announced never waits on an endpoint, and never fails because of one.
"""

import secrets

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .. import webhooks as delivering
from ..models import Update, Webhook, WebhookDelivery, WebhookEvent
from ..models.updates import PUBLIC_STORIES

BATCH_SIZE = 500  # deliveries per INSERT
SECRET_BYTES = 32


def save_webhook(*, webhook, user=None):
    """Register or change ``webhook``: its URL must be one deliveries may reach
    (``webhooks.check_url``: ``ValidationError`` otherwise). A new one gets its secret."""
    delivering.check_url(webhook.url)
    if not webhook.secret:
        webhook.secret = secrets.token_hex(SECRET_BYTES)
    if webhook.pk is None:
        webhook.created_by = webhook.created_by or (user if user and user.is_authenticated else None)
    webhook.save()
    return webhook


def set_webhooks_active(*, webhooks, active):
    """Pause (``active=False``) or resume ``webhooks`` (a queryset); returns how many changed.
    A paused endpoint is queued nothing; deliveries queued before it was paused wait, and are
    sent when it resumes."""
    changed = webhooks.exclude(active=active).update(active=active)
    if active and changed:
        transaction.on_commit(delivering.wake, robust=True)
    return changed


def delete_webhook(*, webhook):
    """Delete ``webhook`` and its delivery log."""
    webhook.delete()


def delete_webhooks(*, webhooks):
    for webhook in webhooks:
        delete_webhook(webhook=webhook)


def _endpoints(story_id):
    return list(Webhook.objects.filter(Q(story_id=story_id) | Q(story__isnull=True), active=True))


def announce(kind, update, now, *, authors=None):
    """Queue the event ``kind`` (a ``WebhookEvent``) of ``update`` for each active endpoint of its
    story or of all stories; returns the deliveries. Nothing is queued for a story readers
    cannot see (a draft). A scheduled update published for later is queued for its time,
    to be sent only if it is still public at this version then (``awaits_version``)."""
    story = update.story
    if story.status not in PUBLIC_STORIES:
        return []
    endpoints = _endpoints(story.pk)
    if not endpoints:
        return []
    if kind != WebhookEvent.DELETED and authors is None:
        authors = [byline.author for byline in update.bylines.select_related("author")]
    due, awaits = now, None
    if kind == WebhookEvent.PUBLISHED and update.published_at > now:
        due, awaits = update.published_at, update.version
    deliveries = [
        _delivery(webhook, kind, update, story, authors, now=now, due=due, awaits=awaits)
        for webhook in endpoints
    ]
    WebhookDelivery.objects.bulk_create(deliveries)
    transaction.on_commit(delivering.wake, robust=True)
    return deliveries


def announce_created(*, story, updates, now):
    """``announce`` for the new updates of ``create_updates`` (``(update, authors, images)``):
    "update.published" for each public one (or scheduled for later), in one query when no
    endpoint listens, else that and one INSERT per ``BATCH_SIZE`` deliveries.

    The bodies are written by the worker before the first attempt (``fill_payload``), not
    here: rendering 10,000 updates' text would double a large seed's time. Each waits for its
    update's version, as a scheduled update's does: it is sent as that version, or skipped.
    """
    endpoints = _endpoints(story.pk) if story.status in PUBLIC_STORIES else []
    if not endpoints:
        return []
    deliveries = [
        WebhookDelivery(
            webhook=webhook,
            event=WebhookEvent.PUBLISHED,
            story=story,
            update_id=update.pk,
            awaits_version=update.version,
            next_attempt_at=max(now, update.published_at),
            payload="",
        )
        for update, _, _ in updates
        if update.status != Update.Status.DRAFT and update.published_at is not None
        for webhook in endpoints
    ]
    WebhookDelivery.objects.bulk_create(deliveries, batch_size=BATCH_SIZE)
    if deliveries:
        transaction.on_commit(delivering.wake, robust=True)
    return deliveries


def _delivery(webhook, kind, update, story, authors, *, now, due, awaits):
    delivery = WebhookDelivery(
        webhook=webhook,
        event=kind,
        story=story,
        update_id=update.pk,
        awaits_version=awaits,
        next_attempt_at=due,
    )
    delivery.payload = delivering.payload_text(
        delivering.payload(delivery, update=update, story=story, authors=authors, created_at=now)
    )
    return delivery


def fill_payload(*, delivery, update):
    """Write the body of ``delivery`` (queued without one by ``announce_created``) from
    ``update`` (with its story and bylines), before its first attempt; returns it."""
    authors = [byline.author for byline in update.bylines.all()]
    delivery.payload = delivering.payload_text(
        delivering.payload(
            delivery, update=update, story=update.story, authors=authors, created_at=delivery.created_at
        )
    )
    delivery.save(update_fields=["payload"])
    return delivery


def retry_deliveries(*, deliveries, now=None):
    """Send ``deliveries`` (a queryset) again now, whatever became of them: one more attempt
    each (a given-up one is given up again if it fails again)."""
    now = now or timezone.now()
    count = deliveries.update(status=WebhookDelivery.Status.PENDING, next_attempt_at=now)
    if count:
        transaction.on_commit(delivering.wake, robust=True)
    return count


# --- the delivery worker's writes ---------------------------------------------------------------


def claim_delivery(*, pk, now, lease):
    """Take delivery ``pk`` for one attempt if it is still due: its next attempt moves ``lease``
    later in the same UPDATE, so no other process (or thread) takes it meanwhile, and one
    that dies mid-attempt leaves it to be tried again after the lease. Returns the
    delivery, or None when another worker took it first."""
    taken = WebhookDelivery.objects.filter(
        pk=pk, status__in=WebhookDelivery.DUE, next_attempt_at__lte=now
    ).update(next_attempt_at=now + lease)
    if not taken:
        return None
    return WebhookDelivery.objects.select_related("webhook").filter(pk=pk).first()


def record_attempt(*, delivery, now, status=None, error="", retry_after=None):
    """Log one attempt of ``delivery``: delivered when ``error`` is empty; else failed, to be
    tried again ``retry_after`` (a timedelta) from ``now``, or given up when that is None."""
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_status = status
    delivery.error = error[:300]
    if not error:
        delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.DELIVERED, None
    elif retry_after is None:
        delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.GIVEN_UP, None
    else:
        delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, now + retry_after
    delivery.save(
        update_fields=["attempts", "last_attempt_at", "response_status", "error", "status", "next_attempt_at"]
    )
    return delivery


def skip_delivery(*, delivery, now, reason):
    """Drop ``delivery`` unsent: a scheduled update's publication that did not happen as queued."""
    delivery.status, delivery.next_attempt_at, delivery.error = WebhookDelivery.Status.SKIPPED, None, reason
    delivery.last_attempt_at = now
    delivery.save(update_fields=["status", "next_attempt_at", "error", "last_attempt_at"])
    return delivery
