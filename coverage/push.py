"""Push: every change readers see, sent at once to the readers holding a stream of its story.

Connections are held by a push engine (Pushpin), never by Django: a reader's
``/live/<slug>/stream`` is answered with a GRIP hold on the story's channel
(``views.changes.story_stream``), and after each write readers see (the one place
that decides: ``services.readers.after_write``), once it commits, one message per
story is published to every configured Pushpin node (``LIVEBLOG_PUSH_PUBLISH_URLS``),
which fans it out. A message is what ``changes.json`` answers for the last few seconds
(``live.answer``) with its cursor as the event id: a reader applies it as a poll's
answer (updates are replaced by id, so one seen twice shows once), and one that missed
messages (a reconnect, a tab woken up) catches up from its cursor through the feed.

Publishing runs on this process's own thread: a save never waits for the push tier,
and a push tier that is down costs a failed connection on that thread, logged.
"""

import base64
import contextlib
import hashlib
import heapq
import hmac
import json
import logging
import queue
import threading
import time
import urllib.error
import urllib.request

from django.db import connections, transaction
from django.utils import timezone

from . import live
from .conf import app_settings
from .models import Story, Update

logger = logging.getLogger(__name__)

PUBLISH_TIMEOUT = 2.0  # seconds per Pushpin node
RECONNECT_MS = 2000  # a dropped stream is asked for again this soon (live.js then polls if it fails)
EVENT = "changes"
RELEASES_KNOWN = 1000  # scheduled updates a publishing thread loads when it starts, soonest first


def channel(story_id):
    return f"story-{story_id}"


def publish_urls():
    return [url.strip() for url in app_settings.PUSH_PUBLISH_URLS.split(",") if url.strip()]


def enabled():
    return bool(publish_urls())


def announce(story_ids):
    """Publish the changes of these stories once the transaction commits (no push tier: nothing)."""
    if story_ids and enabled():
        ids = sorted(story_ids)
        transaction.on_commit(lambda: publisher.put(ids), robust=True)


def announce_release(when, story_id):
    """Publish the story at ``when``, when a scheduled update of it comes due (once committed)."""
    if enabled():
        transaction.on_commit(lambda: publisher.release(when, story_id), robust=True)


def message(story, now=None):
    """The SSE text of ``story``'s recent changes: its cursor as id, ``live.answer`` as data."""
    now = now or timezone.now()
    cursor = live.current_cursor(now)
    since = max(0, cursor - live.window() - live.lag())  # this change, whatever the rounding
    return changes_event(story, since, cursor, now)


def changes_event(story, since, cursor, now, *, retry=None):
    """The SSE event of what changed in ``story`` from ``since`` to ``cursor`` (``live.answer``)."""
    data = json.dumps(live.answer(story, since, cursor, now), separators=(",", ":"))
    return sse(data, event=EVENT, ident=cursor, retry=retry)


def sse(data, *, event, ident=None, retry=None):
    """One Server-Sent Event; ``retry``: how many milliseconds a browser waits to reconnect."""
    lines = [f"retry: {retry}"] if retry is not None else []
    lines += [f"id: {ident}"] if ident is not None else []
    lines += [f"event: {event}", *(f"data: {line}" for line in data.splitlines())]
    return "\n".join(lines) + "\n\n"


def signed(request):
    """Whether ``request`` came through our push engine: a ``Grip-Sig`` JWT (HS256) made with
    ``LIVEBLOG_PUSH_SIG_KEY`` and not expired. Without a key, no request is."""
    key = app_settings.PUSH_SIG_KEY
    token = request.META.get("HTTP_GRIP_SIG", "")
    parts = token.split(".")
    if not key or len(parts) != 3:
        return False
    header, payload, signature = parts
    expected = hmac.new(key.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    try:
        given = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        algorithm = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))).get("alg")
    except (ValueError, TypeError):
        return False
    if algorithm != "HS256" or not hmac.compare_digest(given, expected) or not isinstance(claims, dict):
        return False
    expires = claims.get("exp")
    return isinstance(expires, int | float) and expires > time.time()


def publish(story_id, content):
    """Send ``content`` on the story's channel to every Pushpin node; returns how many took it.

    A node that does not take it is logged once when it goes down (a warning) and once when it
    takes messages again, not at every save meanwhile."""
    body = json.dumps(
        {"items": [{"channel": channel(story_id), "formats": {"http-stream": {"content": content}}}]}
    ).encode()
    sent = 0
    for url in publish_urls():
        request = urllib.request.Request(
            url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=PUBLISH_TIMEOUT) as answer:
                answer.read()
        except (urllib.error.URLError, OSError) as error:
            if url not in nodes_down:
                logger.warning("push: %s does not take messages (readers poll meanwhile): %s", url, error)
            nodes_down.add(url)
            continue
        if url in nodes_down:
            logger.warning("push: %s takes messages again", url)
            nodes_down.discard(url)
        sent += 1
    return sent


nodes_down = set()  # publish URLs whose last message failed


class Publisher:
    """This process's publishing thread, started by its first message (or its first stream).

    Besides the writes it is handed, it publishes a story when one of its scheduled updates
    comes due, which no write announces: it knows every release to come when it starts, and
    hears of each scheduled update saved in this process (``release``)."""

    def __init__(self):
        self.queue = queue.Queue()
        self.thread = None
        self.lock = threading.Lock()
        self.releases = []  # heap of (Unix time, story id) still to publish

    def start(self):
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self.run, name="liveblog-push", daemon=True)
                self.thread.start()

    def put(self, story_ids):
        self.start()
        self.queue.put(story_ids)

    def release(self, when, story_id):
        """Publish ``story_id`` at ``when`` (a scheduled update of it comes due then)."""
        self.start()
        self.queue.put((when.timestamp(), story_id))

    def run(self):
        try:
            upcoming = Update.objects.releases(timezone.now())[:RELEASES_KNOWN]
            self.releases = [(when.timestamp(), story) for when, story in upcoming]
            heapq.heapify(self.releases)
        finally:
            connections.close_all()
        while True:
            story_ids = self.next_work()
            if not story_ids:
                continue
            try:
                self.send(story_ids)
            except Exception:  # the thread must live on: the next write publishes again
                logger.exception("push: publishing failed")
            finally:
                connections.close_all()  # this thread's own: no connection left open between writes

    def next_work(self):
        """The stories to publish now: written ones (several writes meanwhile: one message per
        story) and those with a release come due. Waits for either."""
        wait = max(0.0, self.releases[0][0] - time.time()) if self.releases else None
        items = []
        with contextlib.suppress(queue.Empty):
            items.append(self.queue.get(timeout=wait))
            while not self.queue.empty():
                items.append(self.queue.get_nowait())
        story_ids = set()
        for item in items:
            if isinstance(item, tuple):
                if item not in self.releases:
                    heapq.heappush(self.releases, item)
            else:
                story_ids |= set(item)
        while self.releases and self.releases[0][0] <= time.time():
            story_ids.add(heapq.heappop(self.releases)[1])
        return story_ids

    def send(self, story_ids):
        now = timezone.now()
        for story in Story.objects.public().filter(pk__in=story_ids):
            publish(story.pk, message(story, now))


publisher = Publisher()
