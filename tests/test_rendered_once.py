"""Each part of an update reaches a reader once: story page, permalink, changes.json, feed."""

import re
from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

from coverage import live, services
from tests.factories import make_author, make_story, make_update
from tests.readers import elements, one

pytestmark = pytest.mark.django_db

CORRECTION = "An earlier version misstated the length of the bridge: it is 3 km, not 300 m."


@pytest.fixture
def corrected():
    """A corrected update with headline, contributor line and an edit, among others in a live story."""
    story = make_story(title="Bridge")
    make_update(story=story, body="Older news.", published_at=timezone.now() - timedelta(hours=1))
    update = make_update(
        story=story,
        headline="The bridge opens",
        body="The bridge is 300 metres long.",
        contributor_line="Olena Petrova contributed reporting from Odesa.",
        authors=[make_author(name="Ivan Nechepurenko"), make_author(name="Marc Santora")],
        key_event=True,
    )
    update.correction = CORRECTION
    update.body = "The bridge is 3 kilometres long."
    services.save_update(update=update)
    make_update(story=story, body="Newer news.", published_at=timezone.now())
    return update


def article_html(html, update):
    """The HTML of ``update``'s article on a page (articles do not nest)."""
    return re.search(rf'<article [^>]*id="{update.anchor}".*?</article>', html, re.S).group(0)


def assert_each_part_once(html, update):
    one(html, "article", id=update.anchor)
    corrections = elements(html, "p", cls="correction")
    assert len(corrections) == 1
    assert corrections[0].text.startswith("Correction, ") and corrections[0].text.endswith(f": {CORRECTION}")
    assert len(elements(html, "p", cls="contributors")) == 1
    assert [element.text for element in elements(html, cls="update-headline")] == ["The bridge opens"]
    assert [element.text for element in elements(html, "p", cls="byline")] == [
        "Ivan Nechepurenko and Marc Santora"
    ]
    assert len(elements(html, "span", cls="edited")) == 1
    assert [element.text for element in elements(html, "span", cls="flag-key")] == ["Key event"]
    assert len(elements(html, "a", cls="permalink")) == 1
    assert len(elements(html, "a", cls="share")) == 1


def test_story_page_shows_each_update_and_its_correction_once(client, corrected):
    html = client.get(corrected.story.get_absolute_url()).content.decode()
    stream = elements(html, "article", cls="update")
    assert len(stream) == 3 == len({article.attrs["id"] for article in stream})
    assert len(elements(html, "a", cls="permalink")) == 3
    assert_each_part_once(article_html(html, corrected), corrected)
    assert len(elements(html, "p", cls="correction")) == 1
    assert len(elements(html, "p", cls="contributors")) == 1
    # The key event is listed once among the key events, and shown once in the stream.
    assert [element.text for element in elements(html, "span", cls="key-text")] == ["The bridge opens"]


def test_permalink_shows_the_correction_and_headline_once(client, corrected):
    html = client.get(corrected.get_absolute_url()).content.decode()
    assert_each_part_once(html, corrected)
    # The page's one heading is the headline: a screen reader hears it once.
    headings = [element.text for tag in ("h1", "h2", "h3") for element in elements(html, tag)]
    assert headings.count("The bridge opens") == 1
    assert [element.text for element in elements(html, "h1")] == ["The bridge opens"]


def test_permalink_of_an_update_without_headline_has_one_page_heading(client):
    update = make_update(body="Sirens in Kyiv.")
    html = client.get(update.get_absolute_url()).content.decode()
    assert [element.text for element in elements(html, "h1")] == ["Sirens in Kyiv."]
    assert elements(html, cls="update-headline") == []


def test_changes_json_html_holds_the_correction_once(client, corrected, settings):
    settings.LIVEBLOG_CURSOR_LAG = 0
    since = live.current_cursor(timezone.now() - timedelta(minutes=30))
    data = client.get(f"/live/{corrected.story.slug}/changes.json?since={since}").json()
    items = {item["id"]: item["html"] for item in data["updates"]}
    assert_each_part_once(items[corrected.pk], corrected)
    for pk, html in items.items():
        if pk != corrected.pk:
            assert elements(html, "p", cls="correction") == []


def test_feed_entry_holds_the_correction_and_contributor_once(client, corrected):
    feed = feedparser.parse(client.get(f"/live/{corrected.story.slug}/feed/").content)
    entry = next(entry for entry in feed.entries if entry.link.endswith(corrected.get_absolute_url()))
    html = entry.content[0].value if "content" in entry else entry.summary
    corrections = elements(html, "p", cls="correction")
    assert len(corrections) == 1 and corrections[0].text.endswith(f": {CORRECTION}")
    assert [element.text for element in elements(html, "p", cls="contributors")] == [
        "Olena Petrova contributed reporting from Odesa."
    ]
    assert elements(html, "p")[0].text == "The bridge is 3 kilometres long."
    assert len(feed.entries) == 3
    for other in feed.entries:
        if other is not entry:
            assert "correction" not in (other.content[0].value if "content" in other else other.summary)


@pytest.mark.parametrize("query", ["", "?key=1", "?author=pinned-desk"])
def test_a_pinned_key_event_is_on_the_page_once(client, query):
    story = make_story(title="Pinned")
    desk = make_author(name="Pinned Desk")
    for minutes in range(3, 0, -1):
        make_update(
            story=story, body=f"Stream {minutes}.", published_at=timezone.now() - timedelta(minutes=minutes)
        )
    pinned = make_update(
        story=story, authors=[desk], body="Pinned and key.", pinned=True, key_event=True,
        published_at=timezone.now() - timedelta(minutes=10),
    )  # fmt: skip
    html = client.get(story.get_absolute_url() + query).content.decode()
    ids = [article.attrs["id"] for article in elements(html, "article", cls="update")]
    assert len(ids) == len(set(ids))
    assert ids.count(pinned.anchor) == 1
    assert len(elements(html, "span", cls="flag-pinned")) == 1
    assert [element.text for element in elements(html, "span", cls="key-text")] == ["Pinned and key."]
