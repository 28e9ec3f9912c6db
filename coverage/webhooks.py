"""Sending webhooks' events: the payload, its signature, and the worker that delivers them.

An event is queued as a ``WebhookDelivery`` by ``services.webhooks.announce`` (its JSON body
made once, by ``payload``, and kept as signed). Deliveries are sent outside any request:

- ``wake()`` (called when a queuing transaction commits) starts this process's worker, a
  daemon thread, the first time, and tells it to look. The worker sends every due delivery,
  then sleeps until the next one is due (at most ``LIVEBLOG_WEBHOOK_IDLE_SECONDS``, so it also
  finds those other processes queued). ``manage.py deliver_webhooks`` runs the same loop.
- Each delivery is claimed before it is sent (``services.claim_delivery``: one conditional
  UPDATE that moves its next attempt a lease later), so two processes never send it together.
- A POST goes through ``fetch.post``: public addresses only (loopback under the tests'
  setting), no redirect followed, ``LIVEBLOG_WEBHOOK_TIMEOUT`` seconds at most, a 4 KB
  look at the answer. A 2xx answer is delivered; anything else is tried again after the
  next of ``LIVEBLOG_WEBHOOK_RETRY_SECONDS``, and given up after the last. An address
  refused (private, link-local…) is given up at once.

The signature is ``Liveblog-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``,
made at each attempt (the body stays the same); ``verify()`` is how a receiver checks it.
"""

import atexit
import hashlib
import hmac
import ipaddress
import json
import logging
import os
import re
import threading
import time
from datetime import UTC, timedelta
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import fetch, markup, services
from .conf import app_settings
from .models import Update, WebhookDelivery, WebhookEvent, public_updates
from .models.updates import PUBLIC_STORIES
from .site import absolute_url

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "Liveblog-Signature"
ANSWER_BYTES = 4096  # of an endpoint's answer, read and logged at most
DUE_AT_ONCE = 50  # deliveries asked for per look (then it looks again)
LEASE_MARGIN = timedelta(seconds=30)
ERROR_PAUSE_SECONDS = 1.0  # the worker's wait after an error of its own (the database away…)


# --- what is sent -------------------------------------------------------------------------------


def check_url(url):
    """``ValidationError`` unless deliveries may be sent to ``url``: HTTPS to a public address
    (http, and any port, only to IPv4 loopback under the tests' ``LIVEBLOG_FETCH_ALLOW_LOOPBACK``).
    A name that does not resolve now is accepted: every delivery vets the address again."""
    scheme = urlsplit(url).scheme.lower()
    loopback = app_settings.FETCH_ALLOW_LOOPBACK and _is_ipv4_loopback(urlsplit(url).hostname)
    if scheme != "https" and not (scheme == "http" and loopback):
        raise ValidationError(_("Webhook addresses must be https."), code="not_https")
    try:
        fetch.vet_url(url, lookup_seconds=3.0)
    except fetch.FetchRefused as refused:
        message = _("This address is not one the site sends to: %(reason)s")
        raise ValidationError(message, code="refused", params={"reason": str(refused)}) from None
    except fetch.FetchFailed:
        pass


def _is_ipv4_loopback(host):
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return False
    return address.version == 4 and address.is_loopback


def _time(value):
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def payload(delivery, *, update, story, authors, created_at):
    """The event of ``delivery`` as a dict: its id and kind, the story, the update as readers
    see it (a deleted update: its id only). URLs are on ``SITE_URL``, never a request's host."""
    story_part = {
        "id": story.pk,
        "slug": story.slug,
        "title": story.title,
        "url": absolute_url(story.get_absolute_url()),
    }
    if delivery.event == WebhookEvent.DELETED:
        update_part = {"id": update.pk}
    else:
        update_part = {
            "id": update.pk,
            "url": absolute_url(update.get_absolute_url()),
            # The update as the API shows it (pictures, embeds, its version), for receivers that want more.
            "api_url": absolute_url(reverse("api:update", kwargs={"slug": story.slug, "pk": update.pk})),
            "headline": update.headline,
            "text": markup.plain_text(update.body),
            "html": str(markup.render(update.body)),
            "published_at": _time(update.published_at),
            "edited_at": _time(update.edited_at),
            "key_event": update.key_event,
            "pinned": update.pinned,
            "authors": [author.name for author in authors],
        }
    return {
        "id": str(delivery.delivery_id),
        "event": delivery.event,
        "created_at": _time(created_at),
        "story": story_part,
        "update": update_part,
    }


def payload_text(document):
    """The JSON text sent: UTF-8 as written (Cyrillic stays Cyrillic), compact."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def signature(secret, body, timestamp):
    """The ``Liveblog-Signature`` value for ``body`` (bytes) signed at ``timestamp`` (unix seconds)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret, header, body, tolerance=300, now=None):
    """Whether ``header`` (a ``Liveblog-Signature`` value) signs ``body`` (the raw bytes received)
    with ``secret``, at a time within ``tolerance`` seconds of ``now`` (replays are refused)."""
    if isinstance(body, str):
        body = body.encode()
    parts = [part.strip().partition("=") for part in (header or "").split(",")]
    stamps = [value for key, _, value in parts if key == "t"]
    given = [value for key, _, value in parts if key == "v1"]
    if len(stamps) != 1 or not re.fullmatch(r"\d{1,12}", stamps[0]) or not given:
        return False
    timestamp = int(stamps[0])
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = signature(secret, body, timestamp).rpartition("v1=")[2]
    return any(hmac.compare_digest(expected, value) for value in given)


# --- sending ------------------------------------------------------------------------------------


def retry_delays():
    """The waits before each retry (``LIVEBLOG_WEBHOOK_RETRY_SECONDS``), as timedeltas."""
    numbers = re.split(r"[\s,]+", str(app_settings.WEBHOOK_RETRY_SECONDS).strip())
    return [timedelta(seconds=float(number)) for number in numbers if number]


def attempt_seconds():
    return float(app_settings.WEBHOOK_TIMEOUT)


def deliver_due(stopping=None):
    """Send every delivery due by now; returns how many were attempted (skipped ones included).
    Those of paused endpoints wait (they are sent when it resumes). ``stopping`` (an Event)
    ends it between two attempts."""
    sent = 0
    while stopping is None or not stopping.is_set():
        now = timezone.now()
        due = list(
            WebhookDelivery.objects.filter(
                status__in=WebhookDelivery.DUE, next_attempt_at__lte=now, webhook__active=True
            )
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:DUE_AT_ONCE]
        )
        if not due:
            return sent
        lease = timedelta(seconds=attempt_seconds()) + LEASE_MARGIN
        for pk in due:
            if stopping is not None and stopping.is_set():
                break
            delivery = services.claim_delivery(pk=pk, now=timezone.now(), lease=lease)
            if delivery is not None:
                attempt(delivery)
                sent += 1
    return sent


def next_due():
    """When the soonest waiting delivery is due (None: none waits)."""
    first = (
        WebhookDelivery.objects.filter(status__in=WebhookDelivery.DUE, webhook__active=True)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return first


def attempt(delivery):
    """One attempt of a claimed ``delivery``, logged; never raises for the endpoint's sake."""
    now = timezone.now()
    if delivery.awaits_version is not None and delivery.attempts == 0:
        update = _public_at_version(delivery, now)
        if update is None:
            return services.skip_delivery(
                delivery=delivery, now=now, reason="skipped: the update was changed or taken down before"
            )
        if not delivery.payload:
            services.fill_payload(delivery=delivery, update=update)
    body = delivery.payload.encode()
    headers = [
        ("Content-Type", "application/json"),
        ("Liveblog-Event", delivery.event),
        ("Liveblog-Delivery", str(delivery.delivery_id)),
        (SIGNATURE_HEADER, signature(delivery.webhook.secret, body, int(time.time()))),
    ]
    try:
        answer = fetch.post(
            delivery.webhook.url, body, headers=headers, timeout=attempt_seconds(), max_bytes=ANSWER_BYTES
        )
    except fetch.FetchRefused as refused:
        return services.record_attempt(delivery=delivery, now=timezone.now(), error=f"refused: {refused}")
    except fetch.FetchFailed as failed:
        delays = retry_delays()
        retry = delays[delivery.attempts] if delivery.attempts < len(delays) else None
        return services.record_attempt(
            delivery=delivery,
            now=timezone.now(),
            status=failed.status,
            error=str(failed) or "failed",
            retry_after=retry,
        )
    return services.record_attempt(delivery=delivery, now=timezone.now(), status=answer.status)


def _public_at_version(delivery, now):
    """The update of ``delivery`` (with its story and bylines' authors) if readers see it now
    at the version the delivery waits for; else None."""
    return (
        Update.objects.filter(public_updates(now), pk=delivery.update_id, version=delivery.awaits_version)
        .filter(story__status__in=PUBLIC_STORIES)
        .select_related("story")
        .prefetch_related("bylines__author")
        .first()
    )


# --- the worker ---------------------------------------------------------------------------------


class Worker:
    """This process's delivery thread: ``wake()`` starts it once (again after a fork) and tells it
    to look now; ``stop()`` ends it (tests)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._look = threading.Event()
        self._stopping = threading.Event()
        self._thread = None
        self._pid = None
        self._exit_registered = False

    def wake(self):
        if not app_settings.WEBHOOK_WORKER:
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive() or self._pid != os.getpid():
                self._stopping.clear()
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self.run, name="webhook-deliveries", daemon=True)
                self._thread.start()
                if not self._exit_registered:
                    # A process that ends (a management command) lets the attempt under way
                    # finish and be logged, rather than cutting it: the rest wait for another worker.
                    atexit.register(self.stop, timeout=attempt_seconds() + 1)
                    self._exit_registered = True
        self._look.set()

    def stop(self, timeout=10):
        with self._lock:
            thread, self._thread = self._thread, None
        self._stopping.set()
        self._look.set()
        if thread is not None:
            thread.join(timeout)

    def run(self, *, once=False):
        """Deliver, then sleep until the next is due or a wake-up; until ``stop()`` (or ``once``)."""
        while not self._stopping.is_set():
            self._look.clear()
            wait = float(app_settings.WEBHOOK_IDLE_SECONDS)
            try:
                deliver_due(self._stopping)
                soonest = next_due()
                if soonest is not None:
                    wait = min(wait, max((soonest - timezone.now()).total_seconds(), 0.01))
            except Exception:  # a database hiccup must not end the worker; it looks again soon
                logger.exception("webhook deliveries failed")
                wait = min(wait, ERROR_PAUSE_SECONDS)
            finally:
                connections.close_all()  # this thread's connections only
            if once:
                return
            self._look.wait(wait)


worker = Worker()


def wake():
    """Have this process's worker look for due deliveries now (it starts the first time)."""
    worker.wake()
