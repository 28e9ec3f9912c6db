"""The live desk's preview: what an editor types, rendered as readers will see it, for the
newsroom only, never stored or cached, and never running anything typed."""

import json
import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.test import Client

from coverage import markup
from coverage.models import Story, Update
from tests.factories import make_story, make_update, make_user

pytestmark = pytest.mark.django_db

VIDEO = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


def preview_url(story):
    return f"/desk/{story.slug}/preview"


def newsroom(role="Reporters", username=None):
    """A session with CSRF checks on, as the browser's, and the token the desk hands out."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_user(username=username, role=role))
    return browser


def ask(browser, story, markdown, headline="", token=None):
    token = token or browser.get(f"/desk/{story.slug}/").json()["csrf_token"]
    return browser.post(
        preview_url(story),
        json.dumps({"markdown": markdown, "headline": headline}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )


class _Tags(HTMLParser):
    """Every element of a piece of HTML, as a browser's parser sees it: (tag, {attribute: value})."""

    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def squeezed(html):
    return re.sub(r">\s+<", "><", html.strip())


def test_a_reporter_sees_the_text_rendered_as_on_the_story_page():
    story = make_story()
    answer = ask(newsroom(), story, "Міст **відкрито**.\n\nالجسر *مفتوح*\n\n- 桥\n- 已开通", headline="Ранок")
    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"] and "private" in answer["Cache-Control"]
    assert squeezed(answer.json()["html"]) == (
        '<h4 class="update-headline" dir="auto">Ранок</h4>'
        '<div class="update-body">'
        '<p dir="auto">Міст <strong>відкрито</strong>.</p>'
        '<p dir="auto">الجسر <em>مفتوح</em></p>'
        '<ul dir="ltr"><li dir="ltr">桥</li><li dir="ltr">已开通</li></ul>'
        "</div>"
    )
    assert Update.objects.count() == 0  # nothing stored


def test_the_preview_is_the_html_the_story_page_shows_once_it_is_published(client):
    story = make_story()
    text = "Перше.\n\n" + VIDEO + "\n\nعاجل: **الجسر** مفتوح\n\n1. 一\n2. 二"
    preview = ask(newsroom(), story, text).json()["html"]
    update = make_update(story=story, body=text)
    page = client.get(story.get_absolute_url()).content.decode()
    article = re.search(rf'<article[^>]*id="update-{update.pk}".*?</article>', page, re.S).group(0)

    def body(html):
        return squeezed(
            re.search(r'<div class="update-body">(.*?)</div>\s*<footer', html + "<footer", re.S).group(1)
        )

    assert body(preview) == body(article)
    assert body(preview).count("<figure") == 1


def test_a_url_alone_on_a_line_shows_its_facade_from_the_url_alone(settings):
    settings.LIVEBLOG_EMBED_FETCH = True  # even so, nothing is asked of the provider before publishing
    story = make_story(language="uk")
    html = ask(newsroom(), story, f"Дивіться:\n\n{VIDEO}\n\nhttps://example.org/zvit").json()["html"]
    assert html.count("<figure") == 1
    assert 'data-provider="youtube"' in html
    assert 'data-src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html
    assert f'<p class="embed-url">{VIDEO}</p>' in html  # no title: no description was fetched
    assert "<iframe" not in html
    assert re.findall(r'<p class="embed-card"><a href="([^"]+)"', html) == ["https://example.org/zvit"]
    assert 'class="embed-show">' in html and "YouTube" in html


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert('x')</script>",
        "[натисніть](javascript:alert(1))",
        "<javascript:alert(1)>",
        '<a href="javascript:alert(1)">link</a>',
        "<img src=x onerror=alert(1)>",
        "[x](JaVaScRiPt:alert(1) 'title')",
        "![x](javascript:alert(1))",
        "javascript:alert(1)",
    ],
)
def test_nothing_typed_comes_back_live(markdown):
    html = ask(newsroom(), make_story(), markdown, headline="<script>alert(2)</script>").json()["html"]
    elements = _Tags(html).found
    assert {tag for tag, _ in elements} <= {"h4", "div", "p", "a", "em", "strong"}
    for _tag, attributes in elements:
        assert not [name for name in attributes if name.startswith("on") or name in ("src", "style")]
        assert not (attributes.get("href") or "").strip().lower().startswith("javascript:")
    assert elements[0] == ("h4", {"class": "update-headline", "dir": "auto"})
    assert "&lt;script&gt;alert(2)&lt;/script&gt;</h4>" in html  # the headline, as text


def test_an_empty_text_previews_as_nothing():
    html = ask(newsroom(), make_story(), "  \n").json()["html"]
    assert squeezed(html) == '<div class="update-body"></div>'


def test_the_preview_is_refused_to_readers_anonymous_and_roleless_logins(client):
    story = make_story()
    sent = json.dumps({"markdown": "x"})
    anonymous = client.post(preview_url(story), sent, content_type="application/json")
    assert anonymous.status_code == 403
    reader = make_user(username="reader", role="Reporters")
    reader.is_staff = False
    reader.save()
    not_staff = Client()
    not_staff.force_login(reader)
    assert not_staff.post(preview_url(story), sent, content_type="application/json").status_code == 403
    roleless = Client()
    roleless.force_login(make_user(role=None))
    refused = roleless.post(preview_url(story), sent, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Your role may not add updates."}


def test_the_preview_needs_the_csrf_token_and_a_post():
    story = make_story()
    browser = newsroom()
    browser.get(f"/desk/{story.slug}/")  # the session has a token, the request does not send it
    forged = browser.post(preview_url(story), json.dumps({"markdown": "x"}), content_type="application/json")
    assert forged.status_code == 403
    assert browser.get(preview_url(story)).status_code == 405


def test_a_story_readers_cannot_see_has_no_preview():
    draft = make_story(status=Story.Status.DRAFT)
    assert ask(newsroom("Editors"), draft, "x", token="t" * 32).status_code in (403, 404)
    browser = Client()
    browser.force_login(make_user(role="Editors"))
    assert browser.post(preview_url(draft), "{}", content_type="application/json").status_code == 404


def test_a_text_longer_than_an_update_can_be_is_refused_and_nonsense_too():
    story = make_story()
    browser = newsroom()
    assert ask(browser, story, "я" * 100_001).status_code == 413
    assert ask(browser, story, "я" * 250_000).status_code == 413  # refused by its length, unread
    assert ask(browser, story, "x", headline="H" * 301).status_code == 413
    token = browser.get(f"/desk/{story.slug}/").json()["csrf_token"]
    for body in ("not json", "[1]", json.dumps({"markdown": 5})):
        sent = browser.post(preview_url(story), body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
        assert sent.status_code == 400


def test_previews_do_not_fill_the_renderers_cache():
    """Drafts change at each keystroke: they must not push published texts out of ``markup.blocks``."""
    story = make_story()
    browser = newsroom()
    before = markup.blocks.cache_info().currsize
    for ending in ("М", "Мі", "Міс", "Міст"):
        assert ask(browser, story, f"Чернетка {ending}").status_code == 200
    assert markup.blocks.cache_info().currsize == before


def test_the_desk_names_the_preview_and_presence_and_their_scripts_in_order():
    story = make_story(title="Нічна зміна")
    desk = newsroom().get(f"/desk/{story.slug}/").json()
    assert desk["preview_url"] == f"/desk/{quote(story.slug)}/preview"
    assert desk["presence_url"] == f"/desk/{quote(story.slug)}/presence"
    scripts = desk["scripts"]
    assert scripts[0] == "/static/coverage/desk.js"  # the kit the others build on comes first
    assert [script for script in scripts if script.startswith("/static/coverage/desk-pre")] == [
        "/static/coverage/desk-preview.js",
        "/static/coverage/desk-presence.js",
    ]
    texts = desk["texts"]
    assert (texts["preview"], texts["presence_writing"]) == ("Preview", "%(name)s is writing…")
