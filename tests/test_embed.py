"""A story's embed for partners' sites: what it shows, who may frame it, that it is cached
and cookie-free, and the code the admin gives to paste."""

import html
import re
from datetime import timedelta

import pytest
from django.core import checks
from django.urls import reverse
from django.utils import timezone

from coverage import partners, services
from coverage.models import Story, Update
from tests.factories import make_author, make_story, make_stream, make_update, make_user
from tests.pages import article_ids, main_of

pytestmark = pytest.mark.django_db


def embed_path(story):
    return reverse("coverage:story_embed", args=[story.slug])


def directive(response, name):
    """The sources of one directive of the response's Content-Security-Policy."""
    for part in response["Content-Security-Policy"].split(";"):
        words = part.split()
        if words and words[0] == name:
            return words[1:]
    return None


@pytest.fixture
def story():
    story = make_story(title="Election night", summary="Polls close at 8.")
    make_stream(story=story, count=25, start=timezone.now() - timedelta(hours=3))
    return story


def test_embed_shows_the_newest_page_of_the_stream_and_nothing_around_it(client, story, settings):
    settings.SITE_URL = "https://live.example.org"
    pinned = story.updates.order_by("published_at")[2]
    Update.objects.filter(pk=pinned.pk).update(pinned=True)
    services.readers.after_write(story)

    response = client.get(embed_path(story))

    assert response.status_code == 200
    page = client.get(story.get_absolute_url())
    assert article_ids(response) == article_ids(page)  # the pinned one, then the newest 20
    newest = list(story.updates.exclude(pk=pinned.pk).order_by("-published_at").values_list("pk", flat=True))
    assert article_ids(response) == [pinned.pk, *newest[:20]]
    body = response.content.decode()
    main = main_of(response)
    assert '<base href="/live/election-night/" target="_blank">' in body
    assert re.findall(r'<a href="([^"]+)">Read the full coverage on ([^<]+)</a>', main) == [
        ("https://live.example.org/live/election-night/", "live.example.org")
    ]
    # The shared pager: older updates on the story page (relative to <base>), in a new tab.
    pager_older = re.compile(r'<a class="pager-older" rel="next" href="([^"]+)">')
    assert pager_older.findall(main) == pager_older.findall(main_of(page))
    assert 'class="masthead"' not in body and 'class="site-footer"' not in body
    assert "<form" not in body and "csrfmiddlewaretoken" not in body  # no comment form, no filters
    assert 'class="summary"' not in body
    assert 'data-changes-url="/live/election-night/changes.json"' in body
    assert "data-catch-up" not in body  # it keeps nothing in partners' readers' browsers
    scripts = re.findall(r'<script src="([^"]+)"', body)
    assert scripts == ["/static/coverage/live.js", "/static/coverage/embedded.js"]
    assert '<meta name="robots" content="noindex">' in body
    assert '<html lang="en">' in body  # the story's language (the site's by default)


def test_an_oldest_first_story_embeds_its_newest_updates_and_pages_on_newest_first(client, story):
    story.order = Story.Order.OLDEST
    services.save_story(story=story)
    response = client.get(embed_path(story))
    newest = list(story.updates.order_by("-published_at").values_list("pk", flat=True))
    assert article_ids(response) == newest[:20]
    assert 'data-order="newest"' in response.content.decode()
    older = re.findall(r'<a class="pager-older" rel="next" href="([^"]+)">', main_of(response))
    assert len(older) == 1 and older[0].startswith("?order=newest&amp;before=")


def test_an_ended_story_embeds_without_live_updating(client, story):
    services.end_coverage(story=story)
    body = client.get(embed_path(story)).content.decode()
    assert "data-changes-url" not in body
    assert re.findall(r'<p class="ended-badge">([^<]+)', body) == ["Coverage ended "]


def test_drafts_are_not_embedded(client, story):
    draft_story = make_story(title="Not yet", status=Story.Status.DRAFT)
    make_update(story=draft_story, body="Embargoed.")
    assert client.get(embed_path(draft_story)).status_code == 404
    assert client.get("/live/no-such-story/embed/").status_code == 404

    draft = make_update(story=story, body="Draft only.", status=Update.Status.DRAFT)
    scheduled = make_update(
        story=story,
        body="Later.",
        status=Update.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(hours=1),
    )
    ids = article_ids(client.get(embed_path(story)))
    assert len(ids) == 20
    assert draft.pk not in ids and scheduled.pk not in ids


def test_a_renamed_storys_old_embed_address_redirects_to_its_new_one(client):
    """Partners' pasted code names the seed's slug: a story an editor renamed keeps answering it."""
    moved = make_stream(story=make_story(title="Повінь у місті", source_slug="flood_2026"), count=2)
    response = client.get("/live/flood_2026/embed/")
    assert response.status_code == 301
    assert response["Location"] == embed_path(moved)
    assert len(article_ids(client.get(response["Location"]))) == 2
    draft = make_story(title="Чернетка", source_slug="draft_2026", status=Story.Status.DRAFT)
    assert client.get(f"/live/{draft.source_slug}/embed/").status_code == 404


def test_with_no_origins_set_nothing_may_frame_the_embed(client, story):
    response = client.get(embed_path(story))
    assert response.status_code == 200
    assert directive(response, "frame-ancestors") == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"


def test_the_sites_set_may_frame_the_embed_and_no_other_page(client, story, settings):
    settings.LIVEBLOG_EMBED_ORIGINS = (
        "https://news.example.org, http://127.0.0.1:8123/ https://*.partner.example"
    )
    response = client.get(embed_path(story))
    assert directive(response, "frame-ancestors") == [
        "https://news.example.org",
        "http://127.0.0.1:8123",
        "https://*.partner.example",
    ]
    assert "X-Frame-Options" not in response  # a DENY beside it would block the partners
    assert directive(response, "script-src") == ["'self'"]
    for path in (story.get_absolute_url(), "/", f"{story.get_absolute_url()}feed/"):
        other = client.get(path)
        assert other.status_code == 200
        assert directive(other, "frame-ancestors") == ["'none'"], path
        assert other["X-Frame-Options"] == "DENY", path


def test_what_is_not_an_origin_is_left_out_and_reported(client, story, settings):
    settings.LIVEBLOG_EMBED_ORIGINS = (
        "https://ok.example.org https://x.example;script-src * ftp://files.example"
    )
    assert partners.frame_ancestors() == ("https://ok.example.org",)
    response = client.get(embed_path(story))
    assert directive(response, "frame-ancestors") == ["https://ok.example.org"]
    assert directive(response, "script-src") == ["'self'"]
    warnings = [m for m in checks.run_checks() if m.id == "liveblog.W010"]
    assert len(warnings) == 1
    assert "https://x.example;script-src, *, ftp://files.example" in warnings[0].msg


def test_the_embed_sets_no_cookie_and_is_cached_for_every_reader(client, story, settings):
    settings.LIVEBLOG_EMBED_ORIGINS = "https://news.example.org"
    first = client.get(embed_path(story))
    second = client.get(embed_path(story))
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("MISS", "HIT")
    for response in (first, second):
        assert response.cookies == {} and not response.has_header("Set-Cookie")
        assert "Cookie" not in response.get("Vary", "")
        assert response["Cache-Control"] == "public, max-age=0, s-maxage=5, stale-while-revalidate=5"
        assert directive(response, "frame-ancestors") == ["https://news.example.org"]
        assert "X-Frame-Options" not in response
    assert client.cookies == {}
    assert client.get(embed_path(story), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    fresh = make_update(story=story, body="Всё. انتهى. 结束了。", authors=[make_author(name="夜班")])
    response = client.get(embed_path(story))
    assert response["X-Page-Cache"] == "MISS"
    assert article_ids(response)[0] == fresh.pk
    assert "Всё. انتهى. 结束了。" in main_of(response)


def test_a_reader_signed_in_to_the_admin_gets_the_same_cookie_free_embed(client, story):
    client.force_login(make_user(username="edith", role="Editors"))
    session = client.cookies["sessionid"].value
    response = client.get(embed_path(story))
    assert response.status_code == 200
    assert response.cookies == {}
    assert "Cookie" not in response.get("Vary", "")
    assert client.cookies["sessionid"].value == session


def test_the_story_form_gives_the_code_to_paste_with_the_configured_addresses(client, settings):
    settings.SITE_URL = "https://live.example.org"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "admin.internal"]  # the address the newsroom uses
    story = make_story(title="Выборы · الانتخابات · 选举 <b>&")
    client.force_login(make_user(username="edith", role="Editors"))
    response = client.get(reverse("admin:coverage_story_change", args=[story.pk]), HTTP_HOST="admin.internal")
    assert response.status_code == 200
    body = response.content.decode()
    textarea = re.search(r'<textarea id="coverage-embed-code"[^>]*>(.*?)</textarea>', body, re.S)[1]
    code = html.unescape(textarea)
    assert code == (
        f'<iframe src="https://live.example.org{embed_path(story)}" '
        'title="Live coverage: Выборы · الانتخابات · 选举 &lt;b&gt;&amp;" loading="lazy" height="600" '
        'allow="web-share; clipboard-write" '
        'style="width:100%;border:0" data-liveblog-embed></iframe>\n'
        '<script src="https://live.example.org/static/coverage/embed.js" async></script>'
    )
    assert "admin.internal" not in textarea
    buttons = re.findall(r'<button [^>]*data-copy="coverage-embed-code"[^>]*>([^<]+)', body)
    assert buttons == ["Copy"]
    assert "/static/coverage/admin/embed_code.js" in body
    assert "No site may show it yet: set LIVEBLOG_EMBED_ORIGINS" in body

    settings.LIVEBLOG_EMBED_ORIGINS = "https://news.example.org,https://radio.example.net"
    body = client.get(reverse("admin:coverage_story_change", args=[story.pk])).content.decode()
    assert "Sites that may show it: https://news.example.org, https://radio.example.net" in body


def test_a_draft_storys_form_says_when_the_embed_will_show(client):
    story = make_story(title="Embargoed", status=Story.Status.DRAFT)
    client.force_login(make_user(username="edith", role="Editors"))
    body = client.get(reverse("admin:coverage_story_change", args=[story.pk])).content.decode()
    assert "It shows once the story is live." in body
    add = client.get(reverse("admin:coverage_story_add")).content.decode()
    assert "coverage-embed-code" not in add  # no slug yet, no code


def test_embedded_posts_stay_facades_that_ask_nothing_of_a_provider(client, story):
    make_update(story=story, body="Watch:\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ")
    response = client.get(embed_path(story))
    main = main_of(response)
    assert re.findall(r'<figure class="embed[^"]*"[^>]* data-provider="([^"]+)"', main) == ["youtube"]
    assert "<iframe" not in main
    loads = (
        r'<(?:img|script|source|video|audio)[^>]+src="https?://|<link rel="stylesheet"[^>]+href="https?://'
    )
    assert not re.findall(loads, response.content.decode())
    assert directive(response, "frame-src") == ["https://www.youtube-nocookie.com"]
    assert directive(response, "frame-ancestors") == ["'none'"]


def test_the_pasted_script_keeps_its_address_across_deploys(settings):
    """Partners keep the code for years: the script's plain name, not the manifest's hashed one."""
    settings.SITE_URL = "https://live.example.org"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    story = make_story(title="Night")
    assert partners.script_url() == "https://live.example.org/static/coverage/embed.js"
    code = partners.embed_code(story)
    assert code.endswith('<script src="https://live.example.org/static/coverage/embed.js" async></script>')


@pytest.mark.parametrize(
    ("language", "html", "more"),
    [
        ("uk", '<html lang="uk">', "Читайте всю трансляцію на live.example.org"),
        ("es", '<html lang="es">', "Lea la cobertura completa en live.example.org"),
        ("ar", '<html lang="ar" dir="rtl">', "اقرأ التغطية الكاملة على live.example.org"),
    ],
)
def test_the_embed_and_its_code_speak_the_storys_language(client, settings, language, html, more):
    settings.SITE_URL = "https://live.example.org"
    story = make_story(title="Вибори · الانتخابات · Elecciones", language=language)
    make_update(story=story, body="Перші результати. النتائج الأولى. 初步结果。")
    body = client.get(embed_path(story)).content.decode()
    assert html in body
    assert re.findall(r'<p class="embed-more"><a href="[^"]+">([^<]+)</a>', body) == [more]
    assert '<script id="script-texts" type="application/json">' in body
    title = re.search(r'<iframe [^>]*title="([^"]+)"', partners.embed_code(story))[1]
    assert (
        title
        == {
            "uk": "Онлайн-трансляція: Вибори · الانتخابات · Elecciones",
            "es": "En directo: Вибори · الانتخابات · Elecciones",
            "ar": "تغطية مباشرة: Вибори · الانتخابات · Elecciones",
        }[language]
    )
