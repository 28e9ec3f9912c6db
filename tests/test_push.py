"""Push: messages published after a write readers see, and the stream Pushpin holds."""

import base64
import hashlib
import hmac
import json
import logging
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from coverage import push, services
from coverage.models import Update
from liveblog import compression
from tests.factories import make_author, make_story, make_update
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "test-signing-key"


@pytest.fixture
def pushpin_publish(settings):
    """A stand-in for Pushpin's publish endpoint, recording what it is sent."""
    settings.LIVEBLOG_CURSOR_LAG = 0
    settings.LIVEBLOG_CURSOR_WINDOW = 1
    server = Receiver().start()
    settings.LIVEBLOG_PUSH_PUBLISH_URLS = server.url("/publish/")
    settings.LIVEBLOG_PUSH_SIG_KEY = KEY
    yield server
    server.close()


def messages(server, count, timeout=1.0):
    """The ``(channel, event, data)`` of the messages received once there are ``count``."""
    found = []
    for item in server.wait_for(count, timeout=timeout):
        (published,) = json.loads(item.body)["items"]
        content = published["formats"]["http-stream"]["content"]
        fields = dict(line.split(": ", 1) for line in content.strip().splitlines())
        found.append((published["channel"], fields["event"], int(fields["id"]), json.loads(fields["data"])))
    return found


def grip_sig(key=KEY, expires_in=3600, alg="HS256"):
    def part(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    head, body = (
        part({"alg": alg, "typ": "JWT"}),
        part({"iss": "pushpin", "exp": int(time.time()) + expires_in}),
    )
    signature = hmac.new(key.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def settled(server):
    """After setting a test up (a new story is pushed too): nothing received yet."""
    time.sleep(0.3)
    server.received.clear()


def test_a_publish_is_pushed_once_within_a_second_as_the_feed_answers_it(pushpin_publish):
    story = make_story()
    settled(pushpin_publish)
    update = Update(story=story, body="Полиция **перекрыла** площадь.", status=Update.Status.PUBLISHED)
    saved_at = time.monotonic()
    services.save_update(update=update, authors=[make_author()])
    ((channel, event, cursor, data),) = messages(pushpin_publish, 1)
    assert pushpin_publish.received[0].at - saved_at < 1.0
    assert (channel, event) == (f"story-{story.pk}", "changes")
    assert [item["id"] for item in data["updates"]] == [update.pk]
    assert "Полиция <strong>перекрыла</strong> площадь." in data["updates"][0]["html"]
    assert data["cursor"] == str(cursor) and data["live"] is True and data["reload"] is False
    time.sleep(0.3)
    assert len(pushpin_publish.received) == 1


def test_edits_removals_and_pins_are_pushed(pushpin_publish):
    story = make_story()
    first = make_update(story=story, body="One.")
    second = make_update(story=story, body="Two.")
    settled(pushpin_publish)
    first.body = "One, corrected."
    services.save_update(update=first)
    messages(pushpin_publish, 1)
    second.pinned = True
    services.save_update(update=second)
    services.delete_update(update=Update.objects.get(pk=first.pk))
    found = messages(pushpin_publish, 3)
    edited, pinned, removed = (data for _, _, _, data in found)
    assert "One, corrected." in next(item["html"] for item in edited["updates"] if item["id"] == first.pk)
    assert pinned["pinned"] == second.pk
    assert first.pk in removed["deleted"]


def test_work_readers_do_not_see_pushes_nothing(pushpin_publish):
    story = make_story()
    settled(pushpin_publish)
    services.save_update(update=Update(story=story, body="Draft."), authors=[make_author()])
    later = timezone.now() + timedelta(hours=1)
    services.save_update(
        update=Update(story=story, body="Later.", status=Update.Status.SCHEDULED, published_at=later),
        authors=[make_author()],
    )
    time.sleep(0.5)
    assert pushpin_publish.received == []


def test_a_push_tier_that_is_down_never_slows_a_save(settings):
    settings.LIVEBLOG_PUSH_PUBLISH_URLS = "http://127.0.0.1:9/publish/"  # nothing listens
    story = make_story()
    started = time.monotonic()
    for index in range(5):
        services.save_update(
            update=Update(story=story, body=f"Update {index}.", status=Update.Status.PUBLISHED),
            authors=[make_author()],
        )
    assert time.monotonic() - started < 1.0
    assert story.updates.count() == 5


def test_a_scheduled_update_is_pushed_when_its_time_comes(pushpin_publish):
    story = make_story()
    settled(pushpin_publish)
    due = timezone.now() + timedelta(seconds=2)
    update = Update(
        story=story,
        body="Вирок оголошено. 判决. صدر الحكم.",
        status=Update.Status.SCHEDULED,
        published_at=due,
    )
    services.save_update(update=update, authors=[make_author()])
    time.sleep(1)
    assert pushpin_publish.received == []  # nothing readers could see yet
    ((channel, _, _, data),) = messages(pushpin_publish, 1, timeout=3)
    arrived = timezone.now()
    assert channel == f"story-{story.pk}"
    assert [item["id"] for item in data["updates"]] == [update.pk]
    assert due <= arrived < due + timedelta(seconds=1)


def test_a_publishing_thread_knows_the_releases_saved_before_it_started(pushpin_publish, settings):
    story = make_story()
    settings.LIVEBLOG_PUSH_PUBLISH_URLS = ""  # saved while this process had no push tier
    due = timezone.now() + timedelta(seconds=2)
    update = Update(
        story=story, body="Scheduled before a restart.", status=Update.Status.SCHEDULED, published_at=due
    )
    services.save_update(update=update, authors=[make_author()])
    settings.LIVEBLOG_PUSH_PUBLISH_URLS = pushpin_publish.url("/publish/")
    settled(pushpin_publish)
    push.Publisher().start()  # a process started afresh: its first stream starts it
    ((_, _, _, data),) = messages(pushpin_publish, 1, timeout=4)
    assert [item["id"] for item in data["updates"]] == [update.pk]
    assert timezone.now() >= due


def test_a_node_down_is_logged_once_when_it_goes_and_once_when_it_is_back(settings, caplog):
    down = "http://127.0.0.1:9/publish/"  # nothing listens
    settings.LIVEBLOG_PUSH_PUBLISH_URLS = down
    push.nodes_down.clear()  # another test's saves may have found it down already
    with caplog.at_level(logging.WARNING, logger="coverage.push"):
        assert [push.publish(1, "data: x\n\n") for _ in range(3)] == [0, 0, 0]
    (warning,) = caplog.records
    assert warning.getMessage().startswith(f"push: {down} does not take messages (readers poll meanwhile): ")
    server = Receiver().start()
    try:
        back = server.url("/publish/")
        push.nodes_down.add(back)  # as if it had failed before
        settings.LIVEBLOG_PUSH_PUBLISH_URLS = back
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="coverage.push"):
            assert [push.publish(1, "data: x\n\n") for _ in range(2)] == [1, 1]
        assert [record.getMessage() for record in caplog.records] == [f"push: {back} takes messages again"]
    finally:
        server.close()
        push.nodes_down.clear()


def test_the_stream_is_held_only_for_requests_pushpin_signed(client, pushpin_publish):
    story = make_story()
    update = make_update(story=story, body="Before the reader came.")
    url = f"/live/{story.slug}/stream"
    assert client.get(url).status_code == 404  # asked directly: the page polls
    assert client.get(url, HTTP_GRIP_SIG=grip_sig(key="another")).status_code == 404
    assert client.get(url, HTTP_GRIP_SIG=grip_sig(expires_in=-10)).status_code == 404
    assert client.get(url, HTTP_GRIP_SIG=grip_sig(alg="none")).status_code == 404
    held = client.get(url, HTTP_GRIP_SIG=grip_sig())
    assert held.status_code == 200 and held["Content-Type"] == "text/event-stream"
    assert (held["Grip-Hold"], held["Grip-Channel"]) == ("stream", f"story-{story.pk}")
    assert "Content-Encoding" not in held and held["Cache-Control"] == "no-store"
    opening = dict(line.split(": ", 1) for line in held.content.decode().strip().splitlines())
    assert json.loads(opening["data"])["updates"] == []  # a new reader: the cursor only
    assert opening["retry"] == "2000"  # a dropped stream is asked for again in 2 s, then polled
    since = int(update.published_at.timestamp()) - 60
    caught_up = client.get(url, HTTP_GRIP_SIG=grip_sig(), HTTP_LAST_EVENT_ID=str(since))
    data = json.loads(
        dict(line.split(": ", 1) for line in caught_up.content.decode().strip().splitlines())["data"]
    )
    assert [item["id"] for item in data["updates"]] == [update.pk]


def test_the_page_offers_the_stream_only_with_a_push_tier(client, settings):
    story = make_story()
    make_update(story=story)
    assert "data-stream-url" not in client.get(f"/live/{story.slug}/").content.decode()
    settings.LIVEBLOG_PUSH_PUBLISH_URLS = "http://127.0.0.1:5561/publish/"
    make_update(story=story)  # a new version of the page
    page = client.get(f"/live/{story.slug}/").content.decode()
    assert page.count(f'data-stream-url="/live/{story.slug}/stream"') == 1


def test_event_streams_are_never_compressed():
    assert not compression.compressible(b"x" * 10_000, "text/event-stream")
    assert compression.compressible(b"x" * 10_000, "text/html; charset=utf-8")
