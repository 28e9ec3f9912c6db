"""Push in a real browser, through the shipped nginx config and a real Pushpin node.

nginx sends a story's stream to Pushpin and everything else to the site, as deployed
(ops/nginx.conf). The story polls every 2 seconds without a stream and once a minute with
one, so a change shown within a second came by the stream; with Pushpin stopped the
same open page gets the changes by polling, and takes the stream again once it is back.
"""

import tempfile
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import timezone

from coverage import services
from coverage.models import Update
from tests.benchmarks import servers
from tests.factories import make_author, make_story, make_stream
from tests.pushpin import pushpin  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY = "browser-push-key"
POLL = 2  # seconds between polls without a stream
PUSHED_WITHIN = 1.0  # seconds from a save returning to the reader's page showing it
POLLED_WITHIN = 12_000  # ms: a dropped stream (2 s to reconnect), then polls of 2 s, on a busy machine


@pytest.fixture
def site(live_server, settings, pushpin):  # noqa: F811
    settings.LIVEBLOG_CURSOR_WINDOW = 1
    settings.LIVEBLOG_CURSOR_LAG = 0
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    origin_port = int(live_server.url.rsplit(":", 1)[1])
    node = pushpin(f"127.0.0.1:{origin_port}", sig_key=KEY)
    settings.LIVEBLOG_PUSH_PUBLISH_URLS = node.publish_url
    settings.LIVEBLOG_PUSH_SIG_KEY = KEY
    # Not under pytest's temporary folders: nginx's unprivileged workers must reach it.
    with tempfile.TemporaryDirectory(prefix="liveblog-push-") as folder:
        work = Path(folder)
        work.chmod(0o755)
        with servers.nginx(work, origin_port, push_port=node.http_port) as port:
            yield SimpleNamespace(url=f"http://127.0.0.1:{port}", node=node)


@pytest.fixture
def reader(browser, site):
    """A reader on a phone; ``reader.polls`` and ``reader.streams`` list what the page asked for.
    Its clock is Playwright's (flowing as usual) so a test can skip ahead to the stream's retry."""
    context = browser.new_context(base_url=site.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.polls, page.streams = [], []
    page.on("request", lambda request: "changes.json" in request.url and page.polls.append(request.url))
    page.on("response", lambda answer: "/stream" in answer.url and page.streams.append(answer.status))
    page.clock.install()
    yield page
    context.close()


@pytest.fixture
def story():
    story = make_story(title="Вибори: ніч підрахунку", poll_interval=POLL)
    make_stream(story=story, count=8, start=timezone.now() - timedelta(hours=1))
    return story


def settled(page):
    """The one poll a page makes once its stream is open (anything published while Pushpin
    was subscribing it); then no other poll for a minute."""
    page.wait_for_timeout(200)  # the page has had the stream's open event
    page.polls.clear()
    page.clock.fast_forward(5_000)
    deadline = time.monotonic() + 5
    while not page.polls and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert len(page.polls) == 1
    page.wait_for_timeout(300)
    page.polls.clear()


def shown_within(page, selector, saved_at, timeout_ms, state="attached"):
    """Seconds from ``saved_at`` until ``selector`` reaches ``state`` on the reader's page."""
    page.locator(selector).wait_for(state=state, timeout=timeout_ms)
    return time.monotonic() - saved_at


def newsroom_works(page, story, timeout_ms, words):
    """A new update, an edit, a removal and a new pin; how long each took to reach ``page``."""
    author = story.updates.first().authors.first() or make_author(name="Олена Коваль")
    fresh = Update(story=story, body=f"{words} — перші результати.", status=Update.Status.PUBLISHED)
    saved_at = time.monotonic()
    services.save_update(update=fresh, authors=[author])
    new = shown_within(page, f"#updates > #update-{fresh.pk}", saved_at, timeout_ms)
    assert page.locator("#updates > article.update").first.get_attribute("id") == f"update-{fresh.pk}"

    fresh.body = f"{words} — виправлено: 52 відсотки."
    saved_at = time.monotonic()
    services.save_update(update=fresh)
    edit = shown_within(page, f"#update-{fresh.pk} >> text=виправлено: 52 відсотки", saved_at, timeout_ms)

    removed = story.updates.published().exclude(pk=fresh.pk).order_by("-published_at").first()
    removed_id = removed.pk
    saved_at = time.monotonic()
    services.delete_update(update=removed)
    removal = shown_within(page, f"#update-{removed_id}", saved_at, timeout_ms, state="detached")

    pinned = story.updates.published().exclude(pk=fresh.pk).order_by("-published_at").first()
    pinned.pinned = True
    saved_at = time.monotonic()
    services.save_update(update=pinned)
    pin = shown_within(page, f"#pinned > #update-{pinned.pk}", saved_at, timeout_ms)
    page.locator(f"#update-{pinned.pk} .flag-pinned").wait_for()

    texts = page.locator(f"#update-{fresh.pk}").inner_text()
    assert texts.count("52 відсотки") == 1 and page.locator(f"#update-{fresh.pk}").count() == 1
    return {"new": new, "edit": edit, "removal": removal, "pin": pin}


def test_pushed_within_a_second_then_polled_while_pushpin_is_down_then_pushed_again(reader, site, story):
    reader.goto(story.get_absolute_url())
    reader.wait_for_function("() => true")  # the page's script has run
    deadline = time.monotonic() + 5
    while reader.streams != [200] and time.monotonic() < deadline:
        reader.wait_for_timeout(50)
    assert reader.streams == [200]  # one stream, held by Pushpin through nginx
    settled(reader)

    pushed = newsroom_works(reader, story, 3000, "Київ")
    assert max(pushed.values()) < PUSHED_WITHIN, pushed
    assert reader.polls == []  # every change came by the stream

    site.node.stop(kill=True)  # the push tier crashes: the open stream drops, nginx answers 502
    polled = newsroom_works(reader, story, POLLED_WITHIN, "Харків")
    assert reader.polls, "with the push tier down the page polls"
    assert reader.streams[0] == 200 and 502 in reader.streams[1:]

    site.node.start()
    streams_before = len(reader.streams)
    # The poll the minute's timers start is held until the stream has opened: answered after the
    # stream's open event, it must not put off the poll owed once the stream settles.
    held = []
    reader.route("**/changes.json*", lambda route: held.append(route))
    reader.clock.fast_forward("01:05")  # the page tries the stream again a minute after it failed
    deadline = time.monotonic() + 10
    while 200 not in reader.streams[streams_before:] and time.monotonic() < deadline:
        reader.wait_for_timeout(50)
    assert 200 in reader.streams[streams_before:]
    reader.wait_for_function("() => window.liveblog.story.streaming")
    assert len(held) == 1
    with reader.expect_response(lambda answer: "changes.json" in answer.url):
        held[0].continue_()
    reader.unroute("**/changes.json*")
    settled(reader)
    again = newsroom_works(reader, story, 3000, "Одеса")
    assert max(again.values()) < PUSHED_WITHIN, again
    assert reader.polls == []
    print(f"pushed {pushed} polled {polled} pushed again {again}")
