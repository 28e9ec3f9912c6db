"""Plain text taken from Markdown (excerpts, titles, descriptions) reaches readers as typed: escaped once."""

import json
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from coverage import live, markup
from tests.factories import make_story, make_update
from tests.readers import elements, meta, one

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
# Characters HTML, XML and JSON treat specially, in several scripts; fewer than 12 words.
TEXTS = [
    "AT&T <b>bold</b> & \"quoted\" 'single'",
    'Кремль «ответил»: AT&T <i> & "цитата"',
    'Ελλάδα & Κύπρος <συμφωνία> "εισαγωγικά"',
    "北京&東京 <会談> “引用” & '引用'",
    'عربي & עברית <שלום> "ציטוט" AT&T',
]


@pytest.fixture(params=TEXTS, ids=["latin", "cyrillic", "greek", "cjk", "rtl"])
def text(request):
    return request.param


@pytest.fixture
def story(text):
    story = make_story(title=f"Title {text}", summary=text)
    make_update(story=story, body=text, key_event=True)
    return story


def test_plain_excerpt_is_the_text_itself(text):
    assert markup.plain_excerpt(text) == text
    words = f"{text} {text}".split()
    excerpt = " ".join(words[:12]) + ("…" if len(words) > 12 else "")
    assert markup.plain_excerpt(f"**{text}**\n\n- {text}") == excerpt
    assert markup.plain_text(text) == text


def test_story_page_key_events_share_title_descriptions_and_json_ld(client, story, text):
    update = story.updates.get()
    assert str(update) == text
    html = client.get(story.get_absolute_url()).content.decode()
    assert one(html, "span", cls="key-text").text == text
    assert one(html, "a", cls="share").attrs["data-title"] == text
    assert meta(html, "description") == text
    assert meta(html, "og:description") == text
    assert meta(html, "og:title") == f"Title {text}"
    data = json.loads(one(html, "script", type="application/ld+json").text)
    assert data["headline"] == f"Title {text}"
    assert data["description"] == text
    assert data["liveBlogUpdate"][0]["headline"] == text
    assert data["liveBlogUpdate"][0]["articleBody"] == text


def test_permalink_title_descriptions(client, story, text):
    update = story.updates.get()
    html = client.get(update.get_absolute_url()).content.decode()
    assert one(html, "title").text == f"{text} · Title {text}"
    assert one(html, "h1").text == text
    for name in ("description", "og:description", "twitter:description", "og:title", "twitter:title"):
        assert meta(html, name) == text, name
    assert one(html, "a", cls="share").attrs["data-title"] == text


def test_feed_titles_and_subtitle(client, story, text):
    root = ET.fromstring(client.get(f"/live/{story.slug}/feed/").content)
    assert root.find(f"{ATOM}title").text == f"Title {text}"
    assert root.find(f"{ATOM}subtitle").text == text
    (entry,) = root.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == text


def test_changes_json_share_title(client, story, text, settings):
    settings.LIVEBLOG_CURSOR_LAG = 0
    since = live.current_cursor(timezone.now() - timedelta(minutes=10))
    (item,) = client.get(f"/live/{story.slug}/changes.json?since={since}").json()["updates"]
    assert one(item["html"], "a", cls="share").attrs["data-title"] == text


def test_admin_lists_show_the_text_once_escaped(admin_client, story, text):
    html = admin_client.get("/admin/coverage/update/").content.decode()
    assert text in [element.text for element in elements(html, "a")]
