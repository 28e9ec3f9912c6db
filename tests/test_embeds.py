"""Embeds: a URL alone on a line is a post, video, audio or chart from a known provider (a facade
until the reader asks), or a link card. Recognition, rendering, the page's frame policy,
feeds, JSON-LD, the admin preview, the seed round trip and the descriptions' write path."""

import io
import re
import time
from pathlib import Path

import feedparser
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from coverage import embeds, markup, oembed, services
from coverage.conf import app_setting
from coverage.models import Story, Update
from coverage.seed.export import export_story
from coverage.seed.load import load
from coverage.seed.parse import parse
from coverage.services.embeds import describe_embeds
from tests.factories import make_author, make_story, make_update, make_user
from tests.oembed_server import picture
from tests.pages import json_ld, main_of
from tests.readers import elements
from tests.test_html import nu_errors
from tests.test_seed_parse import document

SEED = Path(settings.BASE_DIR) / "tests" / "seeds" / "embeds.txt"
CSS = Path(settings.BASE_DIR) / "static" / "coverage" / "site.css"

# url -> (provider, kind, iframe src, frame origin, oEmbed endpoint or "")
PROVIDERS = {
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ": (
        "youtube",
        "video",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        "https://www.youtube-nocookie.com",
        "https://www.youtube.com/oembed?format=json&url={url}",
    ),
    "https://youtu.be/dQw4w9WgXcQ?t=42": (
        "youtube",
        "video",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=42",
        "https://www.youtube-nocookie.com",
        "https://www.youtube.com/oembed?format=json&url={url}",
    ),
    "https://m.youtube.com/shorts/dQw4w9WgXcQ": (
        "youtube",
        "video",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        "https://www.youtube-nocookie.com",
        "https://www.youtube.com/oembed?format=json&url={url}",
    ),
    "https://vimeo.com/76979871": (
        "vimeo",
        "video",
        "https://player.vimeo.com/video/76979871?dnt=1",
        "https://player.vimeo.com",
        "https://vimeo.com/api/oembed.json?url={url}",
    ),
    "https://vimeo.com/76979871/a1b2c3d4e5": (
        "vimeo",
        "video",
        "https://player.vimeo.com/video/76979871?dnt=1&h=a1b2c3d4e5",
        "https://player.vimeo.com",
        "https://vimeo.com/api/oembed.json?url={url}",
    ),
    "https://x.com/NWS_Alerts/status/1234567890123456789": (
        "x",
        "post",
        "https://platform.twitter.com/embed/Tweet.html?id=1234567890123456789&dnt=true",
        "https://platform.twitter.com",
        "https://publish.twitter.com/oembed?omit_script=true&dnt=true&url={url}",
    ),
    "https://twitter.com/nasa/status/42?s=20": (
        "x",
        "post",
        "https://platform.twitter.com/embed/Tweet.html?id=42&dnt=true",
        "https://platform.twitter.com",
        "https://publish.twitter.com/oembed?omit_script=true&dnt=true&url={url}",
    ),
    "https://bsky.app/profile/nws.bsky.social/post/3l6oveex3ii2l": (
        "bluesky",
        "post",
        "https://embed.bsky.app/embed/nws.bsky.social/app.bsky.feed.post/3l6oveex3ii2l",
        "https://embed.bsky.app",
        "https://embed.bsky.app/oembed?format=json&url={url}",
    ),
    "https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur/post/3l6oveex3ii2l": (
        "bluesky",
        "post",
        "https://embed.bsky.app/embed/did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3l6oveex3ii2l",
        "https://embed.bsky.app",
        "https://embed.bsky.app/oembed?format=json&url={url}",
    ),
    "https://mastodon.social/@Gargron/109310467139035178": (
        "mastodon",
        "post",
        "https://mastodon.social/@Gargron/109310467139035178/embed",
        "https://mastodon.social",
        "https://mastodon.social/api/oembed?url={url}",
    ),
    "https://social.example.org/@reporter@news.example/42": (
        "mastodon",
        "post",
        "https://social.example.org/@reporter@news.example/42/embed",
        "https://social.example.org",
        "https://social.example.org/api/oembed?url={url}",
    ),
    "https://www.instagram.com/p/C0abcDEF123/": (
        "instagram",
        "post",
        "https://www.instagram.com/p/C0abcDEF123/embed/",
        "https://www.instagram.com",
        "",
    ),
    "https://www.instagram.com/reel/C0abcDEF123/": (
        "instagram",
        "video",
        "https://www.instagram.com/reel/C0abcDEF123/embed/",
        "https://www.instagram.com",
        "",
    ),
    "https://www.tiktok.com/@scout2015/video/6718335390845095173": (
        "tiktok",
        "video",
        "https://www.tiktok.com/embed/v2/6718335390845095173",
        "https://www.tiktok.com",
        "https://www.tiktok.com/oembed?url={url}",
    ),
    "https://www.threads.net/@zuck/post/C8abcDEF123": (
        "threads",
        "post",
        "https://www.threads.com/@zuck/post/C8abcDEF123/embed",
        "https://www.threads.com",
        "",
    ),
    "https://threads.com/@zuck/post/C8abcDEF123": (
        "threads",
        "post",
        "https://www.threads.com/@zuck/post/C8abcDEF123/embed",
        "https://www.threads.com",
        "",
    ),
    "https://www.facebook.com/nasa/posts/1234567890": (
        "facebook",
        "post",
        "https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2Fnasa%2Fposts"
        "%2F1234567890&show_text=true",
        "https://www.facebook.com",
        "",
    ),
    "https://www.facebook.com/nasa/videos/987654321": (
        "facebook",
        "video",
        "https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Fnasa%2Fvideos"
        "%2F987654321&show_text=false",
        "https://www.facebook.com",
        "",
    ),
    "https://soundcloud.com/forss/flickermood": (
        "soundcloud",
        "audio",
        "https://w.soundcloud.com/player/?url=https%3A%2F%2Fsoundcloud.com%2Fforss%2Fflickermood&auto_play=false",
        "https://w.soundcloud.com",
        "https://soundcloud.com/oembed?format=json&url={url}",
    ),
    "https://open.spotify.com/episode/4uLU6hMCjMI75M1A2tKUQC": (
        "spotify",
        "audio",
        "https://open.spotify.com/embed/episode/4uLU6hMCjMI75M1A2tKUQC",
        "https://open.spotify.com",
        "https://open.spotify.com/oembed?url={url}",
    ),
    "https://open.spotify.com/intl-de/album/4uLU6hMCjMI75M1A2tKUQC": (
        "spotify",
        "audio",
        "https://open.spotify.com/embed/album/4uLU6hMCjMI75M1A2tKUQC",
        "https://open.spotify.com",
        "https://open.spotify.com/oembed?url={url}",
    ),
    "https://datawrapper.dwcdn.net/AbC12/3/": (
        "datawrapper",
        "chart",
        "https://datawrapper.dwcdn.net/AbC12/3/",
        "https://datawrapper.dwcdn.net",
        "https://api.datawrapper.de/v3/oembed?format=json&url={url}",
    ),
    "https://app.datawrapper.de/chart/AbC12/visualize": (
        "datawrapper",
        "chart",
        "https://datawrapper.dwcdn.net/AbC12/",
        "https://datawrapper.dwcdn.net",
        "https://api.datawrapper.de/v3/oembed?format=json&url={url}",
    ),
    "https://public.flourish.studio/visualisation/1234567/": (
        "flourish",
        "chart",
        "https://flo.uri.sh/visualisation/1234567/embed",
        "https://flo.uri.sh",
        "https://app.flourish.studio/api/v1/oembed?format=json&url={url}",
    ),
    "https://public.flourish.studio/story/98765": (
        "flourish",
        "chart",
        "https://flo.uri.sh/story/98765/embed",
        "https://flo.uri.sh",
        "https://app.flourish.studio/api/v1/oembed?format=json&url={url}",
    ),
    "https://www.youtube.com/live/dQw4w9WgXcQ": (
        "youtube",
        "video",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        "https://www.youtube-nocookie.com",
        "https://www.youtube.com/oembed?format=json&url={url}",
    ),
    "https://player.vimeo.com/video/76979871": (
        "vimeo",
        "video",
        "https://player.vimeo.com/video/76979871?dnt=1",
        "https://player.vimeo.com",
        "https://vimeo.com/api/oembed.json?url={url}",
    ),
    "https://x.com/i/web/status/42": (
        "x",
        "post",
        "https://platform.twitter.com/embed/Tweet.html?id=42&dnt=true",
        "https://platform.twitter.com",
        "https://publish.twitter.com/oembed?omit_script=true&dnt=true&url={url}",
    ),
    "https://www.instagram.com/nasa/p/C0abcDEF123/": (
        "instagram",
        "post",
        "https://www.instagram.com/p/C0abcDEF123/embed/",
        "https://www.instagram.com",
        "",
    ),
    "https://www.facebook.com/watch/?v=123456": (
        "facebook",
        "video",
        "https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Fwatch%2F%3Fv%3D123456"
        "&show_text=false",
        "https://www.facebook.com",
        "",
    ),
    "https://m.facebook.com/reel/123456": (
        "facebook",
        "video",
        "https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Freel%2F123456"
        "&show_text=false",
        "https://www.facebook.com",
        "",
    ),
    "https://www.facebook.com/permalink.php?story_fbid=pfbid0abcdefghijk&id=100064": (
        "facebook",
        "post",
        "https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2Fpermalink.php"
        "%3Fstory_fbid%3Dpfbid0abcdefghijk%26id%3D100064&show_text=true",
        "https://www.facebook.com",
        "",
    ),
    "https://soundcloud.com/forss/sets/soulhack": (
        "soundcloud",
        "audio",
        "https://w.soundcloud.com/player/?url=https%3A%2F%2Fsoundcloud.com%2Fforss%2Fsets%2Fsoulhack"
        "&auto_play=false",
        "https://w.soundcloud.com",
        "https://soundcloud.com/oembed?format=json&url={url}",
    ),
}
# Every origin a frame may come from, Mastodon instances aside.
FIXED_ORIGINS = {origin for provider, _, _, origin, _ in PROVIDERS.values() if provider != "mastodon"}


@pytest.mark.parametrize("url", PROVIDERS)
def test_each_provider_is_recognised_with_its_own_privacy_friendly_frame(url):
    embed = embeds.recognise(url)
    assert (embed.provider, embed.kind, embed.frame, embed.origin, embed.oembed) == PROVIDERS[url]
    assert embed.url == url
    assert embed.frame.startswith(embed.origin + "/")
    assert embed.size  # the frame's size is known before it loads


CRAFTED = [
    "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",  # a lookalike host
    "https://evil.example/www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://www.youtube.com.evil.example/embed/dQw4w9WgXcQ",
    "https://wwwyoutube.com/watch?v=dQw4w9WgXcQ",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ%22onload%3D",  # an id with a quote
    "https://www.youtube.com/watch?v=dQw4w9WgX%2Fevil",  # an id with a slash
    "https://youtu.be/dQw4w9WgXcQ/../../evil",
    "https://user:secret@www.youtube.com/watch?v=dQw4w9WgXcQ",  # userinfo
    "https://www.youtube.com:8443/watch?v=dQw4w9WgXcQ",  # another port
    "https://x.com/nasa/status/123%2F..%2Fevil",
    "https://x.com.evil.example/nasa/status/123",
    "https://x.com/@nasa/123",  # a provider's host is no Mastodon instance
    "https://bsky.app/profile/nws.bsky.social/post/..",
    "https://bsky.app/profile/evil%2Fpath/post/3l6oveex3ii2l",
    "http://mastodon.social/@Gargron/109310467139035178",  # no frame over plain HTTP
    "https://127.0.0.1/@admin/1",  # an address, not an instance
    "https://localhost/@admin/1",
    "https://mastodon.social/@Garg%22ron/1",
    "https://www.instagram.com/p/%22onload/",
    "https://www.tiktok.com/@scout/video/12ab",
    "https://www.threads.net/@zuck/post/C8a%2F",
    "https://www.facebook.com/plugins/post.php?href=https://evil.example/",
    "https://www.facebook.com/permalink.php?story_fbid=1&id=evil",
    "https://www.facebook.com/../posts/1",
    "https://soundcloud.com/discover/sets",
    "https://open.spotify.com/track/short",
    "https://datawrapper.dwcdn.net/AbC12/../x/",
    "https://public.flourish.studio/visualisation/12ab/",
]


@pytest.mark.parametrize("url", CRAFTED)
def test_a_crafted_url_is_a_link_card_never_a_frame(url):
    embed = embeds.recognise(url)
    assert (embed.kind, embed.frame, embed.origin) == ("link", "", "")
    assert embed.name == embed.host


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(1)",
        "javascript://www.youtube.com/%0Aalert(1)",
        "data:text/html,<script>alert(1)</script>",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ\"onload='x'",
        "https://",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ and more",
        "ftp://example.org/file",
    ],
)
def test_what_is_no_http_url_alone_is_no_embed(text):
    assert embeds.recognise(text) is None
    assert [block.kind for block in markup.blocks(text)] == ["paragraph"]


PREFIXES = [
    "https://www.youtube.com/",
    "https://youtu.be/",
    "https://vimeo.com/",
    "https://x.com/",
    "https://bsky.app/profile/",
    "https://mastodon.social/@",
    "https://www.instagram.com/",
    "https://www.tiktok.com/@",
    "https://www.threads.net/@",
    "https://www.facebook.com/",
    "https://soundcloud.com/",
    "https://open.spotify.com/",
    "https://datawrapper.dwcdn.net/",
    "https://public.flourish.studio/",
    "https://",
]
SAFE_FRAME = re.compile(r"https://[a-z0-9.-]+/[A-Za-z0-9/_.?=&%:@-]*")


@given(prefix=st.sampled_from(PREFIXES), rest=st.text(max_size=80))
def test_no_url_puts_anything_but_a_known_origin_and_checked_parts_into_a_frame(prefix, rest):
    embed = embeds.recognise(prefix + rest)
    if embed is None or embed.is_link:
        return
    if embed.provider == "mastodon":
        assert embed.origin == f"https://{embed.host}"
    else:
        assert embed.origin in FIXED_ORIGINS
    assert embed.frame.startswith(embed.origin + "/")
    assert SAFE_FRAME.fullmatch(embed.frame), embed.frame


def test_a_bluesky_frame_names_the_author_by_the_did_the_provider_gave():
    embed = embeds.recognise("https://bsky.app/profile/nws.bsky.social/post/3l6oveex3ii2l")
    did = "did:plc:z72i7hdynmk6r22z27h6tvur"
    uri = f"at://{did}/app.bsky.feed.post/3l6oveex3ii2l"
    assert embeds.facade(embed, {"uri": uri}).frame == (
        f"https://embed.bsky.app/embed/{did}/app.bsky.feed.post/3l6oveex3ii2l"
    )
    handle_frame = "https://embed.bsky.app/embed/nws.bsky.social/app.bsky.feed.post/3l6oveex3ii2l"
    for wrong in (
        f"at://{did}/app.bsky.feed.post/3zzzzzzzzzzzz",  # another post
        "at://did:plc:evil/app.bsky.feed.post/3l6oveex3ii2l",
        f"at://{did}/app.bsky.feed.post/3l6oveex3ii2l/../../x",
        ["not", "a", "string"],
    ):
        assert embeds.facade(embed, {"uri": wrong}).frame == handle_frame


def test_every_size_a_frame_can_have_has_its_css():
    css = CSS.read_text(encoding="utf-8")
    sizes = {embeds.recognise(url).size for url in PROVIDERS}
    assert sizes <= {f"ratio-{aspect}" for aspect in embeds.ASPECTS} | {f"height-{h}" for h in embeds.HEIGHTS}
    for size in [f"ratio-{aspect}" for aspect in embeds.ASPECTS] + [f"height-{h}" for h in embeds.HEIGHTS]:
        assert f".embed-size-{size} {{" in css, size


# --- Markdown ---------------------------------------------------------------------------


def test_a_paragraph_that_is_one_url_is_an_embed_block_and_nothing_else_is():
    source = (
        "Crews arrived at noon.\n\n"
        "https://youtu.be/dQw4w9WgXcQ\n\n"
        "See https://youtu.be/dQw4w9WgXcQ for more.\n\n"
        "https://youtu.be/dQw4w9WgXcQ\nhttps://vimeo.com/76979871\n\n"
        "- https://vimeo.com/76979871\n\n"
        "https://example.org/a_b*c*"
    )
    kinds = [(block.kind, block.embed.provider if block.embed else None) for block in markup.blocks(source)]
    assert kinds == [
        ("paragraph", None),
        ("embed", "youtube"),
        ("paragraph", None),
        ("paragraph", None),  # two URLs in one paragraph: text
        ("bullet_list", None),
        ("embed", "link"),
    ]
    assert [embed.url for embed in markup.embeds_in(source)] == [
        "https://youtu.be/dQw4w9WgXcQ",
        "https://example.org/a_b*c*",
    ]


def test_plain_text_feeds_and_excerpts_show_the_url():
    source = "Crews arrived.\n\nhttps://x.com/nasa/status/42\n\nhttps://example.org/a_b"
    assert (
        markup.plain_text(source)
        == "Crews arrived.\n\nhttps://x.com/nasa/status/42\n\nhttps://example.org/a_b"
    )
    assert (
        markup.plain_excerpt(source, 4)
        == "Crews arrived. https://x.com/nasa/status/42 https://example.org/a_b"
    )
    assert markup.render("https://x.com/nasa/status/42") == (
        '<p dir="auto"><a href="https://x.com/nasa/status/42" rel="noopener noreferrer nofollow">'
        "https://x.com/nasa/status/42</a></p>"
    )


# --- reader pages -----------------------------------------------------------------------

STREAM_BODY = (
    "Crews reached the flooded district.\n\n"
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ\n\n"
    "https://example.org/storm-advice\n\n"
    "https://x.com/nasa/status/42"
)


def facades(html):
    return [figure.attrs["data-provider"] for figure in elements(html, "figure", "embed")]


def frame_src(response):
    policy = response["Content-Security-Policy"]
    found = [part.strip() for part in policy.split(";") if part.strip().startswith("frame-src")]
    return found[0].split()[1:] if found else None


@pytest.mark.django_db
def test_story_page_shows_a_facade_for_each_embed_in_reading_order(client):
    story = make_story(title="Storm", summary="The storm.\n\nhttps://datawrapper.dwcdn.net/AbC12/")
    make_update(story=story, body="https://mastodon.social/@Gargron/109310467139035178")
    make_update(story=story, body=STREAM_BODY)  # the newer: shown first, after the summary
    response = client.get(story.get_absolute_url())
    main = main_of(response)
    assert facades(main) == ["datawrapper", "youtube", "x", "mastodon"]
    assert [e.text for e in elements(main, "button", "embed-show")] == [
        "Show chart from Datawrapper",
        "Show video from YouTube",
        "Show post from X",
        "Show post from Mastodon",
    ]
    assert [e.text for e in elements(main, "label", "embed-always")] == [
        "Always show embeds from Datawrapper",
        "Always show embeds from YouTube",
        "Always show embeds from X",
        "Always show embeds from Mastodon",
    ]
    cards = elements(main, "p", "embed-card")
    assert [card.text for card in cards] == ["example.org https://example.org/storm-advice"]
    # Nothing in the page loads from a provider: no frame, no third-party image or script.
    assert "<iframe" not in main
    assert not [img for img in elements(response.content, "img") if "://" in img.attrs.get("src", "")]
    youtube = elements(main, "figure", "embed", data_provider="youtube")[0]
    assert youtube.attrs["data-src"] == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert youtube.attrs["data-title"] == "YouTube video"
    assert "allow-scripts" in youtube.attrs["data-sandbox"]
    assert elements(main, "div", "embed-actions")[0].attrs.get("hidden") == ""  # until the script runs
    scripts = [s.attrs for s in elements(response.content, "script") if "embeds" in s.attrs.get("src", "")]
    origins = [
        "https://datawrapper.dwcdn.net",
        "https://mastodon.social",
        "https://platform.twitter.com",
        "https://www.youtube-nocookie.com",
    ]
    assert [s["data-frame-origins"] for s in scripts] == [" ".join(origins)]
    assert frame_src(response) == origins
    assert "script-src 'self';" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_pages_without_embeds_frame_nothing_and_load_no_embed_script(client):
    story = make_story(summary="Calm.")
    make_update(story=story, body="Nothing to see.\n\nhttps://example.org/only-a-link")
    response = client.get(story.get_absolute_url())
    assert frame_src(response) is None
    assert "frame-src" not in response["Content-Security-Policy"]
    assert "embeds.js" not in response.content.decode()
    assert len(elements(response.content, "p", "embed-card")) == 1
    assert frame_src(client.get("/")) is None


@pytest.mark.django_db
def test_the_cached_page_keeps_its_frame_policy(client):
    story = make_story(summary="https://vimeo.com/76979871")
    first = client.get(story.get_absolute_url())
    second = client.get(story.get_absolute_url())
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("MISS", "HIT")
    assert frame_src(first) == frame_src(second) == ["https://player.vimeo.com"]


@pytest.mark.django_db
def test_permalink_and_author_pages_show_the_facade_with_their_policy(client):
    update = make_update(body="Listen.\n\nhttps://open.spotify.com/episode/4uLU6hMCjMI75M1A2tKUQC")
    response = client.get(update.get_absolute_url())
    assert facades(main_of(response)) == ["spotify"]
    assert frame_src(response) == ["https://open.spotify.com"]
    author = update.byline_authors()[0]
    response = client.get(author.get_absolute_url())
    assert facades(main_of(response)) == ["spotify"]
    assert frame_src(response) == ["https://open.spotify.com"]


@pytest.mark.django_db
def test_change_feed_carries_the_facade(client):
    story = make_story()
    update = make_update(
        story=story, body="Live.\n\nhttps://bsky.app/profile/nws.bsky.social/post/3l6oveex3ii2l"
    )
    response = client.get(reverse("coverage:story_changes", args=[story.slug]) + "?since=0")
    html = response.json()["updates"][0]["html"]
    assert response.json()["updates"][0]["id"] == update.pk
    assert facades(html) == ["bluesky"]
    assert [e.text for e in elements(html, "button")] == ["Show post from Bluesky"]


@pytest.mark.django_db
def test_feed_shows_embeds_as_links(client):
    story = make_story()
    make_update(story=story, body="Watch.\n\nhttps://youtu.be/dQw4w9WgXcQ")
    feed = feedparser.parse(client.get(reverse("coverage:story_feed", args=[story.slug])).content)
    content = feed.entries[0].summary
    assert [a.attrs["href"] for a in elements(content, "a")] == ["https://youtu.be/dQw4w9WgXcQ"]
    assert "<iframe" not in content and "<figure" not in content and "<button" not in content


# --- descriptions: fetched after the save, shown in the facade --------------------------


def describing(callbacks):
    """The callbacks left for after the commit that describe embeds (others drop caches)."""
    return [callback for callback in callbacks if getattr(callback, "func", None) is describe_embeds]


@pytest.fixture
def provider_says(settings, monkeypatch):
    """Turns the fetch on, with ``coverage.oembed.describe`` answering from a dict (the real one asks
    providers over the network; its own tests run it against a local stand-in)."""
    settings.LIVEBLOG_EMBED_FETCH = True
    answers, asked = {}, []

    def describe(url, endpoint):
        asked.append((url, endpoint))
        answer = answers.get(url)
        if isinstance(answer, Exception):
            raise answer
        return answer or {"fetched": "2026-11-29T00:00:00+00:00", "error": "unreachable"}

    monkeypatch.setattr(oembed, "describe", describe)
    return answers, asked


TITLES = {
    "https://youtu.be/dQw4w9WgXcQ": {
        "title": "Пожар в порту <script>alert(1)</script>",
        "author_name": "قناة الأخبار",
        "author_url": "javascript:alert(1)",
        "thumbnail": {
            "name": "embeds/thumbs/dq.jpg",
            "width": 480,
            "height": 360,
            "renditions": [{"name": "embeds/thumbs/dq-320w.jpg", "width": 320, "type": "image/jpeg"}],
        },
    },
    "https://x.com/nasa/status/42": {
        "title": "台风登陆 & more",
        "author_name": "NASA",
        "author_url": "https://x.com/nasa",
        "thumbnail": {"name": "https://pbs.example/evil.jpg", "width": 10, "height": 10},
    },
}


@pytest.mark.django_db
def test_descriptions_are_fetched_after_the_save_and_shown_escaped(
    client, provider_says, django_capture_on_commit_callbacks
):
    answers, asked = provider_says
    answers.update(TITLES)
    story = make_story()
    update = Update(
        story=story,
        body="https://youtu.be/dQw4w9WgXcQ\n\nhttps://x.com/nasa/status/42\n\n"
        "https://www.instagram.com/p/C0abcDEF123/\n\nhttps://example.org/x",
        status=Update.Status.PUBLISHED,
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.save_update(update=update)
        assert asked == []  # nothing is asked inside the save's transaction
    assert len(describing(callbacks)) == 1
    assert asked == [
        ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube.com/oembed?format=json&url={url}"),
        (
            "https://x.com/nasa/status/42",
            "https://publish.twitter.com/oembed?omit_script=true&dnt=true&url={url}",
        ),
    ]  # Instagram offers no endpoint without a token; a link card is never fetched
    update.refresh_from_db()
    assert set(update.embeds) == {
        "https://youtu.be/dQw4w9WgXcQ",
        "https://x.com/nasa/status/42",
    }  # jsonb: no order
    html = main_of(client.get(story.get_absolute_url()))
    assert [e.text for e in elements(html, "p", "embed-title")] == [
        "Пожар в порту <script>alert(1)</script>",
        "台风登陆 & more",
    ]
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert [e.text for e in elements(html, "p", "embed-author")] == ["قناة الأخبار", "NASA"]
    author_links = [
        a.attrs["href"] for a in elements(html, "a") if a.attrs.get("href") in ("https://x.com/nasa",)
    ]
    assert author_links == ["https://x.com/nasa"]  # the javascript: one is left out
    assert "javascript:" not in html
    thumbnails = elements(html, "img", "embed-thumbnail")
    assert [img.attrs["src"] for img in thumbnails] == ["/media/embeds/thumbs/dq.jpg"]  # ours only
    assert thumbnails[0].attrs["srcset"] == "/media/embeds/thumbs/dq-320w.jpg 320w"
    youtube = elements(html, "figure", "embed", data_provider="youtube")[0]
    assert youtube.attrs["data-title"] == "YouTube video: Пожар в порту <script>alert(1)</script>"

    # Saved again, described URLs are not asked again; a new one is.
    asked.clear()
    update.body += "\n\nhttps://vimeo.com/76979871"
    with django_capture_on_commit_callbacks(execute=True):
        services.save_update(update=update)
    assert [url for url, _ in asked] == ["https://vimeo.com/76979871"]
    update.refresh_from_db()
    assert len(update.embeds) == 3


@pytest.mark.django_db
def test_a_provider_failing_never_fails_the_save(provider_says, django_capture_on_commit_callbacks):
    answers, _ = provider_says
    answers["https://youtu.be/dQw4w9WgXcQ"] = RuntimeError("boom")
    update = Update(story=make_story(), body="https://youtu.be/dQw4w9WgXcQ", status=Update.Status.PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):
        services.save_update(update=update)
    update.refresh_from_db()
    assert update.pk and update.embeds["https://youtu.be/dQw4w9WgXcQ"]["error"] == "no description"


@pytest.mark.django_db
def test_a_later_save_keeps_the_descriptions_and_drops_removed_urls(
    provider_says, django_capture_on_commit_callbacks
):
    update = Update(story=make_story(), body="https://youtu.be/dQw4w9WgXcQ", status=Update.Status.PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):
        services.save_update(update=update)
    stale = Update.objects.get(pk=update.pk)
    stale.embeds = {}  # as a form loaded before the description was written would hold it
    stale.body = "https://youtu.be/dQw4w9WgXcQ\n\nEdited."
    services.save_update(update=stale)  # the versioned save never writes the descriptions
    assert list(Update.objects.get(pk=update.pk).embeds) == ["https://youtu.be/dQw4w9WgXcQ"]
    stale.body = "https://vimeo.com/76979871"
    with django_capture_on_commit_callbacks(execute=True):
        services.save_update(update=stale)
    assert list(Update.objects.get(pk=update.pk).embeds) == ["https://vimeo.com/76979871"]


@pytest.mark.django_db
def test_the_summary_is_described_too(provider_says, django_capture_on_commit_callbacks):
    _, asked = provider_says
    story = Story(title="Charts", summary="https://datawrapper.dwcdn.net/AbC12/", status=Story.Status.LIVE)
    with django_capture_on_commit_callbacks(execute=True):
        services.save_story(story=story)
    assert [url for url, _ in asked] == ["https://datawrapper.dwcdn.net/AbC12/"]
    story.refresh_from_db()
    assert list(story.embeds) == ["https://datawrapper.dwcdn.net/AbC12/"]


@pytest.mark.django_db
def test_with_the_fetch_off_nothing_is_asked(settings, monkeypatch, django_capture_on_commit_callbacks):
    asked = []
    monkeypatch.setattr(oembed, "describe", lambda url, endpoint: asked.append(url) or {})
    assert settings.LIVEBLOG_EMBED_FETCH is False  # tests/conftest.py, for every test
    update = Update(story=make_story(), body="https://youtu.be/dQw4w9WgXcQ", status=Update.Status.PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.save_update(update=update)
    assert (asked, describing(callbacks), Update.objects.get(pk=update.pk).embeds) == ([], [], {})


def test_the_fetch_setting_reads_yes_and_no_from_the_environment():
    assert app_setting({}, "EMBED_FETCH") is True
    assert app_setting({"LIVEBLOG_EMBED_FETCH": "0"}, "EMBED_FETCH") is False
    assert app_setting({"LIVEBLOG_EMBED_FETCH": "false"}, "EMBED_FETCH") is False
    assert app_setting({"LIVEBLOG_EMBED_FETCH": "1"}, "EMBED_FETCH") is True


# --- JSON-LD ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_json_ld_gives_posts_as_shared_content_and_videos_as_video_objects(client):
    story = make_story()
    update = make_update(
        story=story,
        body="https://x.com/nasa/status/42\n\nhttps://youtu.be/dQw4w9WgXcQ\n\nhttps://example.org/x",
        embeds={
            "https://youtu.be/dQw4w9WgXcQ": {
                "title": "Harbour, 12:00",
                "thumbnail": {"name": "embeds/dq.jpg", "width": 480, "height": 360},
            },
            "https://x.com/nasa/status/42": {"title": "Landfall.", "author_name": "NASA"},
        },
    )
    posting = json_ld(client.get(story.get_absolute_url()))["liveBlogUpdate"][0]
    assert posting["url"].endswith(f"#update-{update.pk}")
    assert posting["sharedContent"] == [
        {
            "@type": "SocialMediaPosting",
            "url": "https://x.com/nasa/status/42",
            "text": "Landfall.",
            "author": {"@type": "Person", "name": "NASA"},
        }
    ]
    assert posting["video"] == [
        {
            "@type": "VideoObject",
            "url": "https://youtu.be/dQw4w9WgXcQ",
            "name": "Harbour, 12:00",
            "embedUrl": "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
            "thumbnailUrl": f"{settings.SITE_URL}/media/embeds/dq.jpg",
        }
    ]
    assert "audio" not in posting


# --- the admin preview --------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_preview_shows_the_facades(client):
    client.force_login(make_user(role="Editors"))
    text = (
        "Наводнение.\n\nhttps://www.tiktok.com/@scout2015/video/6718335390845095173\n\nhttps://example.org/a"
    )
    response = client.post(reverse("admin:coverage_update_preview"), {"text": text})
    html = response.json()["html"]
    assert facades(html) == ["tiktok"]
    assert [e.text for e in elements(html, "button")] == ["Show video from TikTok"]
    assert [card.text for card in elements(html, "p", "embed-card")] == ["example.org https://example.org/a"]
    assert [p.text for p in elements(html, "p") if p.attrs.get("dir") == "auto"] == ["Наводнение."]


# --- the seed format ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_seed_of_every_provider_loads_as_embeds_and_exports_as_written():
    call_command("seed", str(SEED), stdout=io.StringIO())
    story = Story.objects.get()
    assert [embed.provider for embed in markup.embeds_in(story.summary)] == ["datawrapper"]
    found = [
        [embed.provider for embed in markup.embeds_in(update.body)]
        for update in story.updates.order_by("-published_at")
    ]
    assert found == [
        ["youtube", "vimeo"],
        ["x", "bluesky", "mastodon"],
        ["instagram", "tiktok", "threads"],
        ["facebook", "facebook"],
        ["soundcloud", "spotify"],
        ["flourish", "link"],
    ]
    headlines = list(story.updates.order_by("-published_at").values_list("headline", flat=True))
    assert headlines == ["Rescue crews on the water", "", "", "", "Sounds of the storm", ""]
    x_update = story.updates.get(body__contains="x.com")
    assert x_update.body.startswith("https://x.com/NWS_Alerts/status/1234567890123456789\n\n")  # not escaped
    exported = export_story(story)
    assert _words(exported) == _words(SEED.read_text(encoding="utf-8"))


@pytest.mark.django_db
def test_an_edited_embed_exports_and_reloads_the_same(tmp_path):
    story = make_story(
        title="Links", summary="Intro.", source_slug="links", lead_author=make_author(name="Anna Field")
    )
    update = make_update(
        story=story,
        body="https://vimeo.com/76979871\n\nhttps://example.org/a_b*c*",
        authors=[make_author(name="Ben Okafor")],
    )
    update.headline = "https://example.org/not-a-headline"
    services.save_update(update=update)
    exported = export_story(story)
    assert "```headline\nhttps://example.org/not-a-headline\n```" in exported
    assert "\n\nhttps://vimeo.com/76979871\n\nhttps://example.org/a_b*c*\n" in exported
    path = tmp_path / "links.txt"
    path.write_text(exported, encoding="utf-8")
    Story.objects.all().delete()
    call_command("seed", str(path), stdout=io.StringIO())
    reloaded = Story.objects.get().updates.get()
    assert (reloaded.headline, reloaded.body) == (
        "https://example.org/not-a-headline",
        "https://vimeo.com/76979871\n\nhttps://example.org/a_b*c*",
    )


def _words(text):
    return ["".join(line.split()) for line in text.splitlines() if line.strip()]


def test_the_seed_document_holds_every_provider_and_a_link_card():
    text = SEED.read_text(encoding="utf-8")
    providers = {embeds.recognise(line).provider for line in text.splitlines() if embeds.is_url_line(line)}
    expected = {"youtube", "vimeo", "x", "bluesky", "mastodon", "instagram", "tiktok", "threads", "facebook"}
    assert providers == expected | {"soundcloud", "spotify", "datawrapper", "flourish", "link"}


@pytest.mark.server
@pytest.mark.django_db
def test_pages_with_embeds_are_valid_html(client, tmp_path):
    call_command("seed", str(SEED), stdout=io.StringIO())
    story = Story.objects.get()
    update = story.updates.order_by("published_at").first()  # the Flourish chart and the link card
    pages = {"story": story.get_absolute_url(), "permalink": update.get_absolute_url()}
    assert nu_errors(client, pages, tmp_path) == []


URL_LINES = [*PROVIDERS, "https://example.org/a_b*c*", "https://例え.jp/パス?q=1#x"]
PARAGRAPHS = ["Власти открыли пункты временного размещения.", "أغلقت المدارس أبوابها.", "港口暂停作业。"]


@st.composite
def documents_with_embeds(draw):
    """A seed document whose summary and updates hold URL lines anywhere a paragraph can stand."""
    part = st.one_of(
        st.sampled_from(URL_LINES).map(lambda url: [url]),
        st.sampled_from(PARAGRAPHS).map(lambda text: [text]),
        st.just(["Image", "The harbour at noon.Credit…Agency"]),
    )
    blocks = ["The storm made landfall.", *draw(st.lists(st.sampled_from(URL_LINES), max_size=2))]
    for byline in draw(st.lists(st.sampled_from(["Anna Field", "Ben Okafor"]), min_size=1, max_size=4)):
        blocks.append(byline)
        if draw(st.booleans()):
            blocks.append("Crews on the water")
        for items in draw(st.lists(part, min_size=1, max_size=4)):
            blocks += items
        if draw(st.booleans()):
            blocks.append("Olena Petrova contributed reporting.")
    return document(*blocks, title="Storm", slug="storm")


@pytest.mark.django_db
@hypothesis_settings(max_examples=25, deadline=None)
@given(documents_with_embeds())
def test_any_document_with_url_lines_exports_as_written(text):
    Story.objects.all().delete()
    load(parse(text, "drawn.txt"))
    story = Story.objects.get()
    assert _words(export_story(story)) == _words(text)
    urls = [line for line in text.splitlines() if embeds.is_url_line(line)]
    found = markup.embeds_in(story.summary) + [
        embed
        for update in story.updates.order_by("published_at", "pk")
        for embed in markup.embeds_in(update.body)
    ]
    assert sorted(embed.url for embed in found) == sorted(urls)  # each URL line is an embed, as written


@pytest.mark.django_db
def test_the_seed_command_describes_its_embeds_once_the_load_commits(
    provider_says, django_capture_on_commit_callbacks
):
    _, asked = provider_says
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed", str(SEED), "--dry-run", stdout=io.StringIO())
    assert asked == []  # a dry run commits nothing, so asks nothing
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed", str(SEED), stdout=io.StringIO())
    lines = [line for line in SEED.read_text(encoding="utf-8").splitlines() if embeds.is_url_line(line)]
    fetchable = sorted(url for url in lines if embeds.recognise(url).oembed)
    assert sorted(url for url, _ in asked) == fetchable
    assert len(fetchable) == 10  # of 15: nothing to ask of Instagram, Threads, Facebook, a link card
    described = [*Story.objects.get().embeds, *(url for u in Update.objects.all() for url in u.embeds)]
    assert sorted(described) == fetchable
    asked.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed", str(SEED), stdout=io.StringIO())
    assert asked == []  # loaded again: every URL is described already


# --- with the real fetch, against the tests' stand-in provider on loopback -----------------


@pytest.fixture
def provider_at(stand_in, outbound, settings, monkeypatch):
    """The real ``describe`` (``coverage/fetch.py`` underneath), asking the stand-in provider
    in place of each provider's endpoint: ``/oembed`` on loopback."""
    settings.LIVEBLOG_EMBED_FETCH = True
    real = oembed.describe
    monkeypatch.setattr(
        oembed, "describe", lambda url, endpoint: real(url, stand_in.url("/oembed?url={url}"))
    )
    return stand_in


@pytest.mark.django_db
def test_a_described_video_shows_its_title_and_our_copy_of_its_thumbnail(
    client, provider_at, django_capture_on_commit_callbacks
):
    provider_at.file("/thumb.jpg", picture(), "image/jpeg")
    provider_at.json(
        "/oembed",
        {
            "type": "video",
            "version": "1.0",
            "title": "Наводнение в порту",
            "author_name": "城市新闻",
            "thumbnail_url": provider_at.url("/thumb.jpg"),
        },
    )
    story = make_story()
    update = Update(story=story, body="https://youtu.be/dQw4w9WgXcQ", status=Update.Status.PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):
        services.save_update(update=update)
    html = main_of(client.get(story.get_absolute_url()))
    assert [e.text for e in elements(html, "p", "embed-title")] == ["Наводнение в порту"]
    assert [e.text for e in elements(html, "p", "embed-author")] == ["城市新闻"]
    (thumbnail,) = elements(html, "img", "embed-thumbnail")
    assert thumbnail.attrs["src"].startswith(settings.MEDIA_URL + "embeds/")  # ours, not the provider's
    assert (thumbnail.attrs["width"], thumbnail.attrs["height"]) == ("640", "360")
    assert provider_at.paths == ["/oembed", "/thumb.jpg"]


@pytest.mark.django_db
def test_a_provider_too_slow_leaves_the_save_done_and_the_plain_facade(
    client, provider_at, django_capture_on_commit_callbacks
):
    provider_at.slow("/oembed", 30)
    story = make_story()
    update = Update(story=story, body="https://vimeo.com/76979871", status=Update.Status.PUBLISHED)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        services.save_update(update=update)
    assert time.monotonic() - started < oembed.BUDGET_SECONDS + 2
    update.refresh_from_db()
    assert update.embeds["https://vimeo.com/76979871"]["error"] == "unreachable"
    html = main_of(client.get(story.get_absolute_url()))
    assert facades(html) == ["vimeo"]
    assert [e.text for e in elements(html, "p", "embed-url")] == ["https://vimeo.com/76979871"]
