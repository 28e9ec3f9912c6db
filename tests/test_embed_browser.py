"""A story's embed on a partner's page, in a real browser: the code the admin gives, pasted
into a page served from another local origin (a second loopback server)."""

import functools
import http.server
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coverage import partners, services
from coverage.models import Update
from tests.factories import make_author, make_story, make_stream, make_user
from tests.test_admin_browser import log_in
from tests.test_live_browser import POLL, WITHIN_TWO_POLLS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARTNER_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Partner news</title></head>
<body>
<h1>Partner news</h1>
<p>Our partner's live coverage:</p>
{code}
<p id="after">Below the coverage.</p>
</body>
</html>
"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def partner(tmp_path):
    """A partner's site: a static file server on another loopback port (another origin).
    ``partner.publish(code)`` puts a page holding ``code`` there and returns its URL."""
    handler = functools.partial(QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"

    class Partner:
        def publish(self, code):
            (tmp_path / "coverage.html").write_text(PARTNER_PAGE.format(code=code), encoding="utf-8")
            return f"{origin}/coverage.html"

    Partner.origin = origin
    yield Partner()
    server.shutdown()
    server.server_close()


@pytest.fixture
def story(settings, live_server):
    settings.SITE_URL = live_server.url  # the code's addresses come from the configuration
    settings.LIVEBLOG_CURSOR_WINDOW = 1
    settings.LIVEBLOG_CURSOR_LAG = 0
    story = make_story(title="Выборы · الانتخابات · 选举", poll_interval=POLL)
    make_stream(story=story, count=4, start=timezone.now() - timedelta(hours=1))
    return story


def embed_frame(page):
    return page.locator("iframe[data-liveblog-embed]").element_handle().content_frame()


def heights(page):
    """(the iframe's height on the partner's page, the embedded document's scrollHeight)."""
    frame_height = page.evaluate(
        "document.querySelector('iframe[data-liveblog-embed]').getBoundingClientRect().height"
    )
    return frame_height, embed_frame(page).evaluate("document.documentElement.scrollHeight")


def test_the_pasted_code_shows_the_stream_live_sized_to_it_and_sets_no_cookie(page, story, partner, settings):
    settings.LIVEBLOG_EMBED_ORIGINS = partner.origin
    ours = urlsplit(settings.SITE_URL).netloc
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(partner.publish(partners.embed_code(story)))

    frame = page.frame_locator("iframe[data-liveblog-embed]")
    expect(frame.locator("#updates > article.update")).to_have_count(4)
    expect(frame.locator("h1")).to_have_text("Выборы · الانتخابات · 选举")
    # Sized to its content: no longer the 600 px of the pasted code, and no inner scroll.
    page.wait_for_function(
        "document.querySelector('iframe[data-liveblog-embed]').getBoundingClientRect().height !== 600"
    )
    before, content = heights(page)
    assert abs(before - content) <= 2

    text = "Явка 60 %. نسبة المشاركة ٦٠٪. 投票率为百分之六十。"
    fresh = services.save_update(
        update=Update(story=story, body=text, status=Update.Status.PUBLISHED),
        authors=[make_author(name="Night Desk")],
    )
    first = frame.locator("#updates > article.update").first
    expect(first).to_have_attribute("id", f"update-{fresh.pk}", timeout=WITHIN_TWO_POLLS)
    expect(first.locator(".update-body")).to_have_text(text)
    page.wait_for_function(
        f"document.querySelector('iframe[data-liveblog-embed]').getBoundingClientRect().height > {before}"
    )
    after, content = heights(page)
    assert abs(after - content) <= 2
    assert after > before

    # Links open our story page in a new tab, never inside the partner's frame.
    link = frame.locator(".embed-more a")
    expect(link).to_have_text(f"Read the full coverage on {ours}")
    with page.context.expect_page() as opened:
        link.click()
    assert opened.value.url == f"{settings.SITE_URL}{story.get_absolute_url()}"
    opened.value.close()
    assert (
        embed_frame(page).url
        == f"{settings.SITE_URL}{partners.embed_url(story).removeprefix(settings.SITE_URL)}"
    )

    assert page.context.cookies() == []
    hosts = {urlsplit(url).netloc for url in asked}
    assert hosts == {ours, urlsplit(partner.origin).netloc}  # nothing from a third party


@pytest.mark.parametrize("allowed", ["", "https://news.example.org"])
def test_a_site_not_allowed_cannot_frame_the_embed(page, story, partner, settings, allowed):
    settings.LIVEBLOG_EMBED_ORIGINS = allowed
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(partner.publish(partners.embed_code(story)))
    page.wait_for_load_state("networkidle")
    frame = embed_frame(page)
    assert "Выборы" not in frame.content()
    assert frame.locator("#updates").count() == 0
    assert page.locator("#after").is_visible()
    directive = "frame-ancestors " + (allowed or "'none'")
    refused = [text for text in console if "violates the following Content Security Policy" in text]
    assert len(refused) == 1 and f'"{directive}". The request has been blocked.' in refused[0]
    assert page.context.cookies() == []


def test_copy_puts_the_code_on_the_clipboard_as_the_form_shows_it(page, story):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, make_user(username="edith", role="Editors"))
    page.goto(f"/admin/coverage/story/{story.pk}/change/")
    page.click("button[data-copy=coverage-embed-code]")
    expect(page.locator(".field-embed_code [role=status]")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == partners.embed_code(story)
    assert copied == page.locator("#coverage-embed-code").input_value()
