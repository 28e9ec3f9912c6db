"""Webhooks: signed events POSTed to a real receiver on loopback when readers see an update change.

The database is transactional, so writes commit and their on-commit steps (waking the
delivery worker) run as in production; each test ends by stopping the worker.
"""

import hashlib
import hmac
import io
import json
import math
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

from coverage import fetch, markup, services, webhooks
from coverage.models import Story, Update, Webhook, WebhookDelivery
from coverage.services.webhooks import BATCH_SIZE
from tests.factories import SHIPPED_SEED, make_author, make_story, make_user

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
        "api_url": f"{SITE}/api/v1/stories/{story.slug}/updates/{update.pk}/",
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


def test_a_scheduled_update_is_sent_at_its_time_and_skipped_if_taken_down_before(receiver):
    story = make_story()
    hook(receiver)
    soon = timezone.now() + timedelta(seconds=1.5)
    scheduled = draft(story, body="At its time.")
    scheduled.status, scheduled.published_at = Update.Status.SCHEDULED, soon
    scheduled = services.save_update(update=scheduled)
    withdrawn = draft(story, body="Withdrawn before its time.")
    withdrawn.status, withdrawn.published_at = Update.Status.SCHEDULED, soon
    withdrawn = services.save_update(update=withdrawn)
    withdrawn.status = Update.Status.DRAFT
    services.save_update(update=withdrawn)
    time.sleep(0.5)
    assert receiver.received == []  # not before its time

    (got,) = receiver.wait_for(1, timeout=5)
    assert receiver.events() == [("update.published", scheduled.pk)]
    assert json.loads(got.body)["update"]["published_at"] == soon.isoformat().replace("+00:00", "Z")
    skipped = wait_until(
        lambda: WebhookDelivery.objects.filter(update_id=withdrawn.pk, status="skipped").first()
    )
    assert skipped.attempts == 0 and "taken down" in skipped.error
    time.sleep(0.3)
    assert len(receiver.received) == 1


# --- no private addresses -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.7/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[fe80::1]/hook",
        "https://[::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://0x7f.1/hook",
        "https://127.0.0.1/hook",  # loopback without the tests' setting
        "http://example.org/hook",  # not https
        "ftp://example.org/hook",
        "https://user:pass@example.org/hook",
        "https://example.org:8443/hook",
    ],
)
def test_private_link_local_and_plain_http_addresses_are_refused_at_registration(url, outbound):
    with pytest.raises(ValidationError):
        services.save_webhook(webhook=Webhook(url=url))
    assert Webhook.objects.count() == 0 and outbound == []


def test_an_address_refused_at_delivery_is_given_up_without_a_connection(receiver, settings, outbound):
    story = make_story()
    hook(receiver)
    settings.LIVEBLOG_FETCH_ALLOW_LOOPBACK = False  # now loopback is refused like any private address
    services.publish_update(update=fresh(draft(story)))
    refused = wait_until(lambda: WebhookDelivery.objects.filter(status="given_up").first())
    assert refused.attempts == 1 and refused.response_status is None
    assert refused.error.startswith("refused: 127.0.0.1 is not a public address")
    assert receiver.received == [] and outbound == []


def test_a_redirect_is_not_followed_and_a_long_answer_is_read_only_to_a_limit(receiver):
    receiver.answer("/moved", (307, [("Location", "/elsewhere")], b"", 0))
    receiver.answer("/long", (200, (), b"x" * 1_000_000, 0))
    story = make_story()
    hook(receiver, path="/moved")
    hook(receiver, path="/long")
    services.publish_update(update=fresh(draft(story)))
    moved = wait_until(
        lambda: WebhookDelivery.objects.filter(webhook__url__endswith="/moved", attempts=1).first()
    )
    assert moved.status == "failed" and moved.response_status == 307
    assert "not followed" in moved.error
    long = wait_until(
        lambda: WebhookDelivery.objects.filter(webhook__url__endswith="/long", attempts=1).first()
    )
    assert (long.status, long.response_status) == ("delivered", 200)
    time.sleep(0.3)
    assert [item.path for item in receiver.received if item.path == "/elsewhere"] == []


# --- the worker ------------------------------------------------------------------------------------


def test_two_workers_at_once_send_each_delivery_once(receiver, settings):
    settings.LIVEBLOG_WEBHOOK_WORKER = False  # only the two below send
    story = make_story()
    hook(receiver, path="/one")
    hook(receiver, path="/two")
    for _ in range(10):
        services.publish_update(update=fresh(draft(story)))
    assert WebhookDelivery.objects.filter(status="pending").count() == 20
    counts = []
    workers = [threading.Thread(target=lambda: counts.append(webhooks.deliver_due())) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    ids = [json.loads(item.body)["id"] for item in receiver.received]
    assert len(ids) == 20 and len(set(ids)) == 20 and sum(counts) == 20
    assert WebhookDelivery.objects.filter(status="delivered", attempts=1).count() == 20


def test_the_command_sends_what_is_due(receiver, settings):
    settings.LIVEBLOG_WEBHOOK_WORKER = False
    story = make_story()
    hook(receiver)
    update = services.publish_update(update=fresh(draft(story)))
    time.sleep(0.3)
    assert receiver.received == []
    out = io.StringIO()
    call_command("deliver_webhooks", stdout=out)
    assert out.getvalue() == "1 delivery attempted.\n"
    assert receiver.events() == [("update.published", update.pk)]


# --- the seed's bulk path -----------------------------------------------------------------------


def new_updates(count):
    author = make_author()
    return [
        (Update(body=f"Seeded {index}.", status=Update.Status.PUBLISHED), [author], [])
        for index in range(count)
    ]


def webhook_queries(captured):
    return [query["sql"] for query in captured if "coverage_webhook" in query["sql"]]


def test_bulk_creating_updates_asks_one_query_when_no_endpoint_listens():
    story = make_story()
    with CaptureQueriesContext(connection) as captured:
        services.create_updates(story=story, updates=new_updates(1200))
    assert len(webhook_queries(captured)) == 1
    assert WebhookDelivery.objects.count() == 0


def test_bulk_creating_updates_queues_their_publication_in_one_insert_per_batch(receiver, settings):
    settings.LIVEBLOG_WEBHOOK_WORKER = False
    story = make_story()
    hook(receiver)
    with CaptureQueriesContext(connection) as captured:
        rows = services.create_updates(story=story, updates=new_updates(300))
    inserts = [sql for sql in webhook_queries(captured) if sql.startswith("INSERT")]
    fields = [field for field in WebhookDelivery._meta.concrete_fields if not field.primary_key]
    batch = min(BATCH_SIZE, connection.ops.bulk_batch_size(fields, [None] * 300))
    assert len(inserts) == math.ceil(300 / batch)  # one per batch (PostgreSQL: 1; SQLite: its bound)
    assert len(webhook_queries(captured)) == 1 + len(inserts)
    assert set(WebhookDelivery.objects.values_list("update_id", flat=True)) == {row.pk for row in rows}
    assert set(WebhookDelivery.objects.values_list("event", flat=True)) == {"update.published"}


def test_the_seed_announces_its_new_updates(receiver, settings):
    settings.LIVEBLOG_WEBHOOK_WORKER = False
    hook(receiver)
    call_command("seed", SHIPPED_SEED, stdout=io.StringIO())
    story = Story.objects.get()
    assert WebhookDelivery.objects.filter(event="update.published").count() == story.updates.count() == 8
    call_command("deliver_webhooks", stdout=io.StringIO())
    assert len(receiver.received) == 8
    newest = story.updates.order_by("-published_at").first()
    sent = {json.loads(item.body)["update"]["id"]: item.body for item in receiver.received}[newest.pk]
    event = json.loads(sent)
    assert event["update"]["text"] == markup.plain_text(newest.body)
    assert event["update"]["authors"] == [author.name for author in newest.byline_authors()]
    assert WebhookDelivery.objects.get(update_id=newest.pk).payload.encode() == sent  # kept as signed


# --- the admin -------------------------------------------------------------------------------------


def test_an_editor_registers_pauses_and_deletes_an_endpoint_and_sees_its_secret(receiver, client):
    story = make_story(title="Сводка дня")
    client.force_login(make_user(role="Editors"))
    add = reverse("admin:coverage_webhook_add")
    assert client.get(add).status_code == 200
    answer = client.post(
        add,
        {"url": receiver.url(), "story": story.pk, "description": "Partner app", "active": "on"},
        follow=True,
    )
    assert answer.status_code == 200
    endpoint = Webhook.objects.get()
    assert (endpoint.url, endpoint.story, endpoint.active) == (receiver.url(), story, True)
    assert len(endpoint.secret) == 64 and f"<code>{endpoint.secret}</code>" in answer.content.decode()
    page = client.get(reverse("admin:coverage_webhook_change", args=[endpoint.pk])).content.decode()
    assert f"<code>{endpoint.secret}</code>" in page
    listing = client.get(reverse("admin:coverage_webhook_changelist")).content.decode()
    assert listing.count('<td class="field-scope">Сводка дня</td>') == 1

    refused = client.post(add, {"url": "https://10.1.2.3/hook", "description": "", "active": "on"})
    assert refused.status_code == 200 and "not a public address" in refused.content.decode()
    assert Webhook.objects.count() == 1

    changelist = reverse("admin:coverage_webhook_changelist")
    client.post(changelist, {"action": "pause", "_selected_action": [endpoint.pk]})
    assert Webhook.objects.get().active is False
    services.publish_update(update=fresh(draft(story)))
    time.sleep(0.3)
    assert receiver.received == [] and WebhookDelivery.objects.count() == 0  # paused: nothing queued
    client.post(changelist, {"action": "resume", "_selected_action": [endpoint.pk]})
    after = services.publish_update(update=fresh(draft(story)))
    receiver.wait_for(1)
    assert receiver.events() == [("update.published", after.pk)]

    delete = reverse("admin:coverage_webhook_delete", args=[endpoint.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert Webhook.objects.count() == 0 and WebhookDelivery.objects.count() == 0


def test_an_editor_retries_a_given_up_delivery_from_the_log(receiver, client, settings):
    settings.LIVEBLOG_WEBHOOK_RETRY_SECONDS = ""  # no retries: the first failure gives up
    receiver.answer("/hook", 500, 200)
    story = make_story()
    hook(receiver)
    services.publish_update(update=fresh(draft(story)))
    delivery = wait_until(lambda: WebhookDelivery.objects.filter(status="given_up").first())
    client.force_login(make_user(role="Editors"))
    log = reverse("admin:coverage_webhookdelivery_changelist")
    assert client.get(reverse("admin:coverage_webhookdelivery_change", args=[delivery.pk])).status_code == 200
    client.post(log, {"action": "retry_now", "_selected_action": [delivery.pk]})
    delivered = wait_until(lambda: WebhookDelivery.objects.filter(status="delivered").first())
    assert (delivered.pk, delivered.attempts, delivered.response_status) == (delivery.pk, 2, 200)
    assert [item.answered for item in receiver.received] == [500, 200]


def test_reporters_cannot_see_or_register_endpoints(receiver, client):
    endpoint = hook(receiver)
    client.force_login(make_user(role="Reporters"))
    for url in [
        reverse("admin:coverage_webhook_changelist"),
        reverse("admin:coverage_webhook_add"),
        reverse("admin:coverage_webhook_change", args=[endpoint.pk]),
        reverse("admin:coverage_webhookdelivery_changelist"),
    ]:
        assert client.get(url).status_code == 403, url
    answer = client.post(
        reverse("admin:coverage_webhook_add"), {"url": receiver.url("/mine"), "active": "on"}
    )
    assert answer.status_code == 403 and Webhook.objects.count() == 1
    index = client.get(reverse("admin:index")).content.decode()
    assert "webhook" not in index.lower()


# --- the POST itself ----------------------------------------------------------------------------


def test_post_sends_the_body_and_headers_as_given_and_keeps_every_refusal(receiver, outbound):
    body = "Тест".encode()
    answer = fetch.post(receiver.url("/raw"), body, headers=[("Content-Type", "application/json")])
    (got,) = receiver.received
    assert (answer.status, got.body, got.headers["Content-Type"]) == (200, body, "application/json")
    assert got.headers["Content-Length"] == str(len(body))
    for refused in [
        f"http://[::1]:{receiver.port}/raw",  # IPv6 loopback: refused even with the tests' setting
        f"http://[::ffff:127.0.0.1]:{receiver.port}/raw",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.1/hook",
    ]:
        with pytest.raises(fetch.FetchRefused):
            fetch.post(refused, body)
    assert len(receiver.received) == 1 and set(outbound) == {"127.0.0.1"}


def test_an_update_posted_through_the_api_reaches_the_endpoint_and_its_api_url_answers(receiver, client):
    story = make_story(title="Вибори")
    hook(receiver, story=story)
    reporter = make_user(role="Reporters")
    _, key = services.create_token(user=reporter, name="Phone")
    posted = client.post(
        f"/api/v1/stories/{story.slug}/updates/",
        json.dumps({"markdown": "Явка 61 %."}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert posted.status_code == 201
    (got,) = receiver.wait_for(1, timeout=1.0)
    event = json.loads(got.body)
    assert (event["event"], event["update"]["id"], event["update"]["text"]) == (
        "update.published",
        posted.json()["id"],
        "Явка 61 %.",
    )
    read = client.get(event["update"]["api_url"].removeprefix(SITE))
    assert read.status_code == 200 and read.json()["text"] == "Явка 61 %."
