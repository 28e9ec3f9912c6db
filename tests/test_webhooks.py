"""Webhooks: signed events POSTed to a real receiver on loopback when readers see an update change.

The database is transactional, so writes commit and their on-commit steps (waking the
delivery worker) run as in production; each test ends by stopping the worker.
"""

import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coverage import services, webhooks
from coverage.models import Story, Update, Webhook, WebhookDelivery
from tests.factories import make_author, make_story, make_user

pytestmark = pytest.mark.django_db(transaction=True)

SITE = "http://127.0.0.1:8000"  # SITE_URL in tests: URLs in events are made from it


@pytest.fixture(autouse=True)
def _worker_stopped(transactional_db, settings):
    settings.SITE_URL = SITE
    yield
    webhooks.worker.stop()


def hook(receiver, *, story=None, path="/hook", **fields):
    return services.save_webhook(webhook=Webhook(url=receiver.url(path), story=story, **fields))


def draft(story, *, author=None, **fields):
    update = Update(story=story, status=Update.Status.DRAFT, **fields)
    return services.save_update(update=update, authors=[author or make_author()])


def fresh(update):
    return Update.objects.get(pk=update.pk)


def independent_signature(secret, header, body):
    """The signature checked without ``webhooks.verify``: HMAC-SHA256 of "<t>.<body>"."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return int(fields["t"]), fields["v1"] == expected


# --- the event ----------------------------------------------------------------------------------


def test_publishing_sends_one_correctly_signed_event_within_a_second(receiver):
    story = make_story(title="Election night")
    endpoint = hook(receiver, story=story)
    author = make_author(name="Olena Reporter")
    update = draft(
        story, author=author, headline="Polls close", body="Counting **begins** now.\n\nMore soon."
    )
    assert receiver.received == [] and WebhookDelivery.objects.count() == 0

    published_at = time.monotonic()
    services.publish_update(update=fresh(update))
    (got,) = receiver.wait_for(1, timeout=1.0)
    assert got.at - published_at < 1.0
    time.sleep(0.3)
    assert len(receiver.received) == 1

    t, valid = independent_signature(endpoint.secret, got.headers["Liveblog-Signature"], got.body)
    assert valid and abs(time.time() - t) < 5
    assert webhooks.verify(endpoint.secret, got.headers["Liveblog-Signature"], got.body)
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["Liveblog-Event"] == "update.published"
    event = json.loads(got.body)
    update = fresh(update)
    assert got.headers["Liveblog-Delivery"] == event["id"]
    assert event["event"] == "update.published"
    assert event["story"] == {
        "id": story.pk,
        "slug": story.slug,
        "title": "Election night",
        "url": f"{SITE}/live/{story.slug}/",
    }
    assert event["update"] == {
        "id": update.pk,
        "url": f"{SITE}/live/{story.slug}/updates/{update.pk}/",
        "headline": "Polls close",
        "text": "Counting begins now.\n\nMore soon.",
        "html": '<p dir="auto">Counting <strong>begins</strong> now.</p>\n<p dir="auto">More soon.</p>\n',
        "published_at": update.published_at.isoformat().replace("+00:00", "Z"),
        "edited_at": None,
        "key_event": False,
        "pinned": False,
        "authors": ["Olena Reporter"],
    }
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status, delivery.error) == (
        "delivered",
        1,
        200,
        "",
    )
    assert str(delivery.delivery_id) == event["id"] and delivery.payload.encode() == got.body


def test_verify_refuses_a_changed_body_another_secret_and_an_old_signature():
    body = b'{"event":"update.published"}'
    now = int(time.time())
    header = webhooks.signature("s3cret", body, now)
    assert webhooks.verify("s3cret", header, body)
    assert not webhooks.verify("s3cret", header, body + b" ")
    assert not webhooks.verify("another", header, body)
    old = webhooks.signature("s3cret", body, now - 301)
    assert not webhooks.verify("s3cret", old, body)
    assert webhooks.verify("s3cret", old, body, tolerance=600)
    assert not webhooks.verify("s3cret", "v1=abc", body)
    assert not webhooks.verify("s3cret", "", body)


def test_edit_unpublish_republish_and_delete_send_their_kinds_in_order(receiver):
    story = make_story()
    hook(receiver)
    update = services.publish_update(update=fresh(draft(story, body="First text.")))
    receiver.wait_for(1)
    update.body = "Second text."
    update = services.save_update(update=update)
    receiver.wait_for(2)
    services.save_update(update=fresh(update))  # saved with nothing readers see changed
    update = fresh(update)
    update.key_event = True
    update = services.save_update(update=update)
    receiver.wait_for(3)
    update.status = Update.Status.DRAFT
    update = services.save_update(update=update)
    receiver.wait_for(4)
    update = services.publish_update(update=update)
    receiver.wait_for(5)
    pk = update.pk
    services.delete_update(update=fresh(update))
    received = receiver.wait_for(6)
    time.sleep(0.3)

    assert receiver.events() == [
        ("update.published", pk),
        ("update.edited", pk),
        ("update.edited", pk),
        ("update.unpublished", pk),
        ("update.published", pk),
        ("update.deleted", pk),
    ]
    assert json.loads(received[1].body)["update"]["text"] == "Second text."
    assert json.loads(received[1].body)["update"]["edited_at"] is not None
    assert json.loads(received[2].body)["update"]["key_event"] is True
    deleted = json.loads(received[5].body)
    assert deleted["update"] == {"id": pk} and deleted["story"]["id"] == story.pk


def test_work_on_drafts_sends_nothing(receiver):
    story = make_story()
    hook(receiver)
    update = draft(story, body="Not yet.")
    update.body = "Still not."
    services.save_update(update=update)
    services.delete_update(update=fresh(draft(story, body="Never shown.")))
    hidden = make_story(status=Story.Status.DRAFT)
    services.publish_update(update=fresh(draft(hidden, body="In a story readers cannot see.")))
    time.sleep(0.5)
    assert receiver.received == [] and WebhookDelivery.objects.count() == 0


def test_a_story_endpoint_hears_its_story_and_an_all_stories_one_hears_every_story(receiver):
    ours, other = make_story(title="Ours"), make_story(title="Other")
    hook(receiver, story=ours, path="/ours")
    hook(receiver, path="/all")
    hook(receiver, path="/paused", active=False)
    in_ours = services.publish_update(update=fresh(draft(ours)))
    in_other = services.publish_update(update=fresh(draft(other)))
    receiver.wait_for(3)
    time.sleep(0.3)
    assert receiver.events("/ours") == [("update.published", in_ours.pk)]
    assert sorted(receiver.events("/all")) == sorted(
        [("update.published", in_ours.pk), ("update.published", in_other.pk)]
    )
    assert receiver.events("/paused") == []


def test_cyrillic_arabic_and_chinese_survive_in_the_payload(receiver):
    story = make_story(title="Переговоры в Москве")
    endpoint = hook(receiver, story=story)
    author = make_author(name="王小明")
    update = draft(story, author=author, headline="Делегация прибыла", body="وصل الوفد إلى موسكو.")
    services.publish_update(update=fresh(update))
    (got,) = receiver.wait_for(1)
    assert "Делегация прибыла".encode() in got.body  # UTF-8 as written, not \\u escapes
    event = json.loads(got.body.decode("utf-8"))
    assert event["story"]["title"] == "Переговоры в Москве"
    assert event["update"]["headline"] == "Делегация прибыла"
    assert event["update"]["text"] == "وصل الوفد إلى موسكو."
    assert event["update"]["authors"] == ["王小明"]
    assert independent_signature(endpoint.secret, got.headers["Liveblog-Signature"], got.body)[1]


# --- retries, failures, the write never waiting --------------------------------------------------


def test_a_failing_endpoint_is_retried_and_the_log_shows_attempts_and_codes(receiver, client):
    receiver.answer("/hook", 500, 503, 200)
    story = make_story()
    endpoint = hook(receiver, story=story)
    update = services.publish_update(update=fresh(draft(story)))
    received = receiver.wait_for(3, timeout=5)
    assert [item.answered for item in received] == [500, 503, 200]
    assert received[1].at - received[0].at >= 0.19  # the backoff (0.2 s in tests)
    assert len({json.loads(item.body)["id"] for item in received}) == 1  # one delivery, three attempts
    delivery = wait_until(lambda: WebhookDelivery.objects.filter(status="delivered").first())
    assert (delivery.attempts, delivery.response_status, delivery.error) == (3, 200, "")
    assert delivery.update_id == update.pk and delivery.webhook == endpoint

    receiver.answer("/down", 500)
    hook(receiver, path="/down")
    services.publish_update(update=fresh(draft(story)))
    given_up = wait_until(lambda: WebhookDelivery.objects.filter(status="given_up").first())
    assert (given_up.attempts, given_up.response_status) == (3, 500)  # first try and two retries
    assert "HTTP status 500" in given_up.error

    client.force_login(make_user(role="Editors"))
    log = client.get(reverse("admin:coverage_webhookdelivery_changelist") + "?status__exact=given_up")
    assert log.status_code == 200
    rows = log.content.decode().split('<tr><td class="action-checkbox"')[1:]
    assert len(rows) == 1
    assert '<td class="field-attempts">3</td>' in rows[0]
    assert '<td class="field-response_status">500</td>' in rows[0]
    assert "Given up" in rows[0]


def wait_until(found, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = found()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("not found in time")


def test_an_endpoint_that_is_down_or_slow_never_holds_the_save(receiver, settings):
    settings.LIVEBLOG_WEBHOOK_TIMEOUT = 1.0
    story = make_story()
    closed = closed_port()
    services.save_webhook(webhook=Webhook(url=f"http://127.0.0.1:{closed}/hook"))
    receiver.answer("/slow", (200, (), b"late", 3))
    hook(receiver, path="/slow")
    update = draft(story)
    started = time.monotonic()
    services.publish_update(update=fresh(update))
    assert time.monotonic() - started < 0.5
    refused = wait_until(
        lambda: WebhookDelivery.objects.filter(webhook__url__contains=str(closed)).first().error
    )
    assert "no connection" in refused
    slow = wait_until(
        lambda: WebhookDelivery.objects.filter(webhook__url__endswith="/slow", attempts=1).first()
    )
    assert slow.status == "failed" and slow.error.endswith("timed out")
    assert fresh(update).status == Update.Status.PUBLISHED


def closed_port():
    """A loopback port nothing listens on."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
