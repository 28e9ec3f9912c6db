"""oEmbed descriptions (coverage/oembed.py): plain facts from a provider's endpoint, the
thumbnail stored as our own renditions, and a plain ``{"fetched", "error"}`` whenever the
provider cannot be asked, all within the time budget of an editor's save.

The provider is a real stand-in server on 127.0.0.1 (tests/oembed_server.py).
"""

import datetime
import hashlib
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from coverage import oembed
from coverage.oembed import describe
from tests.oembed_server import picture

VIDEO = "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42"
TITLES = {
    "Ukrainian": ("Київ: повітряна тривога скасована о 05:40", "Суспільне Новини"),
    "Arabic": ("مؤتمر صحفي لوزير الخارجية في القاهرة", "الجزيرة"),
    "Chinese": ("北京：新闻发布会现场直播", "新华社"),
}


def endpoint(stand_in, path="/oembed"):
    return stand_in.url(f"{path}?format=json&url={{url}}")


def stored_name(source_url, extension):
    return f"embeds/{hashlib.sha256(source_url.encode()).hexdigest()[:32]}.{extension}"


def embeds_folder():
    try:
        return sorted(default_storage.listdir("embeds")[1])
    except FileNotFoundError:
        return []


def video_document(stand_in, **fields):
    return {
        "type": "video",
        "version": "1.0",
        "title": TITLES["Ukrainian"][0],
        "author_name": TITLES["Ukrainian"][1],
        "author_url": "https://www.youtube.com/@suspilne",
        "provider_name": "YouTube",
        "provider_url": "https://www.youtube.com/",
        "thumbnail_url": stand_in.url("/thumb.jpg"),
        "thumbnail_width": 640,
        "thumbnail_height": 360,
        "width": 200,
        "height": 113,
        "html": '<iframe width="200" height="113" src="https://www.youtube.com/embed/x"></iframe>',
        **fields,
    }


def test_a_video_is_described_and_its_thumbnail_stored_as_our_renditions(stand_in, outbound):
    stand_in.json("/oembed", video_document(stand_in))
    stand_in.file("/thumb.jpg", picture("JPEG", (640, 360)), "image/jpeg")

    description = describe(VIDEO, endpoint(stand_in))

    name = stored_name(stand_in.url("/thumb.jpg"), "jpg")
    renditions = "renditions/" + name.removesuffix(".jpg")
    assert description == {
        "title": "Київ: повітряна тривога скасована о 05:40",
        "author_name": "Суспільне Новини",
        "author_url": "https://www.youtube.com/@suspilne",
        "provider_name": "YouTube",
        "width": 200,
        "height": 113,
        "thumbnail": {
            "name": name,
            "width": 640,
            "height": 360,
            "renditions": [
                {"name": f"{renditions}-480w.webp", "width": 480, "height": 270, "type": "image/webp"},
                {"name": f"{renditions}-480w.jpg", "width": 480, "height": 270, "type": "image/jpeg"},
                {"name": f"{renditions}-640w.webp", "width": 640, "height": 360, "type": "image/webp"},
                {"name": f"{renditions}-640w.jpg", "width": 640, "height": 360, "type": "image/jpeg"},
            ],
        },
        "fetched": description["fetched"],
        "error": "",
    }
    fetched = datetime.datetime.fromisoformat(description["fetched"])
    assert abs(fetched - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(seconds=10)
    for item in [description["thumbnail"], *description["thumbnail"]["renditions"]]:
        with default_storage.open(item["name"]) as handle, Image.open(handle) as stored:
            assert stored.size == (item["width"], item["height"])
    # The endpoint was asked about the URL, encoded whole; the thumbnail was asked for once.
    assert stand_in.paths == ["/oembed", "/thumb.jpg"]
    query = urlsplit(stand_in.requests[0].target).query
    assert parse_qs(query) == {"format": ["json"], "url": [VIDEO]}
    assert stand_in.requests[0].headers["Accept"] == "application/json"
    assert set(outbound) == {"127.0.0.1"}


@pytest.mark.parametrize("script", TITLES)
def test_titles_and_names_in_any_script_are_kept_as_sent(stand_in, script):
    title, author = TITLES[script]
    stand_in.json("/oembed", {"type": "rich", "title": f"  {title}\n", "author_name": author})

    description = describe(VIDEO, endpoint(stand_in))

    assert (description["title"], description["author_name"], description["error"]) == (title, author, "")
    assert set(description) == {"title", "author_name", "fetched", "error"}


def test_fields_are_checked_stripped_and_cut_and_no_html_is_kept(stand_in):
    stand_in.json(
        "/oembed",
        {
            "type": "rich",
            "title": "  Заголовок\u202e txt.exe \n\t" + "я" * 400,
            "author_name": 42,
            "author_url": "javascript:alert(1)",
            "provider_name": "<b>Провайдер</b>",
            "width": "640",
            "height": True,
            "thumbnail_url": "file:///etc/passwd",
            "html": "<script>alert(1)</script>",
        },
    )

    description = describe(VIDEO, endpoint(stand_in))

    assert description == {
        "title": ("Заголовок txt.exe " + "я" * 400)[:300],
        "provider_name": "<b>Провайдер</b>",  # text, escaped wherever it is shown
        "width": 640,
        "fetched": description["fetched"],
        "error": "",
    }
    assert stand_in.paths == ["/oembed"]


@pytest.mark.parametrize(
    ("width", "height", "kept"),
    [
        (640, 360.0, {"width": 640, "height": 360}),
        (0, -5, {}),
        (10_001, "100%", {}),
        (None, [360], {}),
        (1.5, {"px": 1}, {}),
    ],
)
def test_dimensions_are_whole_pixel_counts(stand_in, width, height, kept):
    stand_in.json("/oembed", {"type": "video", "title": "Відео", "width": width, "height": height})

    description = describe(VIDEO, endpoint(stand_in))

    assert {key: description[key] for key in ("width", "height") if key in description} == kept


def test_a_bluesky_posts_at_uri_is_read_from_its_html(stand_in):
    uri = "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3laz2jr3ysk2c"
    stand_in.json(
        "/oembed",
        {
            "type": "rich",
            "version": "1.0",
            "author_name": "Міністерство (@mfa.gov.ua)",
            "author_url": "https://bsky.app/profile/mfa.gov.ua",
            "provider_name": "Bluesky Social",
            "html": f'<blockquote class="bluesky-embed" data-bluesky-uri="{uri}" data-bluesky-cid="bafy">'
            '<p lang="uk">Текст допису</p></blockquote><script async src="https://embed.bsky.app/static/embed.js">'
            "</script>",
        },
    )

    description = describe("https://bsky.app/profile/mfa.gov.ua/post/3laz2jr3ysk2c", endpoint(stand_in))

    assert description == {
        "author_name": "Міністерство (@mfa.gov.ua)",
        "author_url": "https://bsky.app/profile/mfa.gov.ua",
        "provider_name": "Bluesky Social",
        "uri": uri,
        "fetched": description["fetched"],
        "error": "",
    }


def test_an_at_uri_that_is_not_one_is_not_kept(stand_in):
    html = '<blockquote data-bluesky-uri="at://x/y&quot;onload=alert(1)"></blockquote>'
    stand_in.json("/oembed", {"type": "rich", "title": "Пост", "html": html})

    assert "uri" not in describe(VIDEO, endpoint(stand_in))


def test_the_same_thumbnail_is_fetched_and_stored_once(stand_in):
    stand_in.json("/oembed", video_document(stand_in))
    stand_in.file("/thumb.jpg", picture("JPEG", (1280, 720)), "image/jpeg")

    first = describe(VIDEO, endpoint(stand_in))
    second = describe(VIDEO + "&again=1", endpoint(stand_in))

    assert first["thumbnail"] == second["thumbnail"]
    assert first["thumbnail"]["name"] == stored_name(stand_in.url("/thumb.jpg"), "jpg")
    assert stand_in.paths == ["/oembed", "/thumb.jpg", "/oembed"]
    assert embeds_folder() == [first["thumbnail"]["name"].removeprefix("embeds/")]


def test_missing_renditions_of_a_stored_thumbnail_are_made_again(stand_in):
    stand_in.json("/oembed", video_document(stand_in))
    stand_in.file("/thumb.jpg", picture("JPEG", (640, 360)), "image/jpeg")
    first = describe(VIDEO, endpoint(stand_in))
    lost = first["thumbnail"]["renditions"][0]["name"]
    default_storage.delete(lost)

    second = describe(VIDEO, endpoint(stand_in))

    assert second["thumbnail"] == first["thumbnail"]
    assert default_storage.exists(lost)
    assert stand_in.paths.count("/thumb.jpg") == 1


def test_a_png_thumbnail_is_stored_as_png(stand_in):
    stand_in.json("/oembed", video_document(stand_in, thumbnail_url=stand_in.url("/thumb.png")))
    stand_in.file("/thumb.png", picture("PNG", (300, 200)), "image/png")

    thumbnail = describe(VIDEO, endpoint(stand_in))["thumbnail"]

    assert (thumbnail["name"], thumbnail["width"], thumbnail["height"]) == (
        stored_name(stand_in.url("/thumb.png"), "png"),
        300,
        200,
    )
    assert [item["width"] for item in thumbnail["renditions"]] == [300, 300]


@pytest.mark.parametrize(
    ("route", "thumbnail_url"),
    [
        ("text as a picture", "/thumb.jpg"),
        ("missing", "/missing.jpg"),
        ("private address", "http://10.0.0.1/thumb.jpg"),
        ("metadata address", "http://169.254.169.254/latest/meta-data/"),
        ("redirect to a private address", "/to-private.jpg"),
        ("endless", "/endless.jpg"),
    ],
)
def test_a_thumbnail_that_fails_leaves_the_rest_of_the_description(stand_in, outbound, route, thumbnail_url):
    if thumbnail_url.startswith("/"):
        thumbnail_url = stand_in.url(thumbnail_url)
    stand_in.json("/oembed", video_document(stand_in, thumbnail_url=thumbnail_url))
    stand_in.file("/thumb.jpg", "Це не зображення, а текст.".encode(), "image/jpeg")
    stand_in.redirect("/to-private.jpg", "http://192.168.0.10/thumb.jpg")
    stand_in.endless("/endless.jpg", content_type="image/jpeg")

    description = describe(VIDEO, endpoint(stand_in))

    assert "thumbnail" not in description
    assert (description["title"], description["provider_name"], description["error"]) == (
        TITLES["Ukrainian"][0],
        "YouTube",
        "",
    )
    assert embeds_folder() == []
    assert set(outbound) == {"127.0.0.1"}


def test_a_thumbnail_with_too_many_pixels_is_not_decoded(stand_in):
    stand_in.json("/oembed", video_document(stand_in, thumbnail_url=stand_in.url("/huge.png")))
    stand_in.file("/huge.png", picture("PNG", (4000, 3001)), "image/png")

    description = describe(VIDEO, endpoint(stand_in))

    assert (description["title"], "thumbnail" in description) == (TITLES["Ukrainian"][0], False)
    assert stand_in.paths == ["/oembed", "/huge.png"]
    assert embeds_folder() == []


def test_a_slow_thumbnail_leaves_the_description_within_the_budget(stand_in):
    stand_in.json("/oembed", video_document(stand_in, thumbnail_url=stand_in.url("/slow.jpg")))
    stand_in.slow("/slow.jpg", seconds=10)

    started = time.monotonic()
    description = describe(VIDEO, endpoint(stand_in), budget=1.0)

    assert time.monotonic() - started < 2.0  # the thumbnail would come after 10 s
    assert (description["title"], "thumbnail" in description) == (TITLES["Ukrainian"][0], False)


def test_a_slow_endpoint_is_unreachable_within_the_budget(stand_in):
    stand_in.slow("/oembed", seconds=10)

    started = time.monotonic()
    description = describe(VIDEO, endpoint(stand_in))

    assert time.monotonic() - started < oembed.BUDGET_SECONDS + 0.5
    assert set(description) == {"fetched", "error"}
    assert description["error"] == "unreachable"


@pytest.mark.parametrize(
    ("setup", "error"),
    [
        (lambda s: None, "unreachable"),  # 404: the path answers nothing
        (lambda s: s.file("/oembed", b'{"error": "boom"}', "application/json", status=500), "unreachable"),
        (lambda s: s.endless("/oembed"), "unreachable"),
        (lambda s: s.redirect("/oembed", "http://169.254.169.254/latest/meta-data/"), "refused"),
        (lambda s: s.redirect("/oembed", "http://[::1]/oembed"), "refused"),
        (lambda s: s.redirect("/oembed", "file:///etc/passwd"), "refused"),
        (lambda s: s.file("/oembed", b"<!doctype html><title>YouTube</title>", "text/html"), "not oEmbed"),
        (lambda s: s.file("/oembed", b"\xff\xfe\x00garbage", "application/json"), "not oEmbed"),
        (lambda s: s.file("/oembed", b'["title", "x"]', "application/json"), "not oEmbed"),
        (lambda s: s.file("/oembed", b'{"status": "not found"}', "application/json"), "not oEmbed"),
        (lambda s: s.file("/oembed", b"[" * 100_000, "application/json"), "not oEmbed"),
    ],
)
def test_a_failure_is_the_plain_error_shape(stand_in, outbound, setup, error):
    setup(stand_in)

    description = describe(VIDEO, endpoint(stand_in))

    assert set(description) == {"fetched", "error"}
    assert description["error"] == error
    assert set(outbound) == {"127.0.0.1"}


@pytest.mark.parametrize(
    "template",
    [
        "http://10.0.0.1/oembed?url={url}",
        "http://169.254.169.254/oembed?url={url}",
        "https://[fd00::1]/oembed?url={url}",
        "http://2130706433/oembed?url={url}",
        "file:///etc/passwd?{url}",
        None,
    ],
)
def test_an_endpoint_we_never_contact_is_refused(template, outbound):
    description = describe(VIDEO, template)

    assert set(description) == {"fetched", "error"}
    assert (description["error"], outbound) == ("refused", [])


def test_the_stand_in_is_refused_without_the_test_setting(stand_in, settings):
    settings.LIVEBLOG_FETCH_ALLOW_LOOPBACK = False
    stand_in.json("/oembed", video_document(stand_in))

    description = describe(VIDEO, endpoint(stand_in))

    assert set(description) == {"fetched", "error"}
    assert (description["error"], stand_in.connections) == ("refused", 0)


def test_an_endpoint_without_a_placeholder_gets_the_url_as_a_parameter(stand_in):
    stand_in.json("/oembed", {"type": "link", "title": "Посилання"})

    describe(VIDEO, stand_in.url("/oembed?format=json"))

    assert parse_qs(urlsplit(stand_in.requests[0].target).query) == {"format": ["json"], "url": [VIDEO]}
