"""The shared page cache against forged hosts and floods of unknown URLs.

Runs against the configured cache: the file cache, or Redis when REDIS_URL is set.
"""

import json
import pickle
import re
import time
from pathlib import Path

import pytest
from django.core.cache import cache

from coverage import caching
from tests.factories import make_author, make_story, make_stream
from tests.test_production import PRODUCTION, manage

pytestmark = pytest.mark.django_db

ORIGIN = "https://live.example.org"
FORGED_HOSTS = ["127.0.0.1:6666", "live.example.org.", "localhost:8000"]


@pytest.fixture
def page_cache(settings):
    settings.LIVEBLOG_PAGE_CACHE_SECONDS = 60
    settings.SITE_URL = ORIGIN
    # What a careless deployment allows: every one of the forged hosts passes this list
    # (Django ignores the port and a trailing dot when it checks a host).
    settings.ALLOWED_HOSTS = ["live.example.org", "127.0.0.1", "localhost", "testserver"]


def cache_entries():
    """``{key: seconds left or None}`` for every entry in the shared cache."""
    if hasattr(cache, "_dir"):  # the file cache: one file an entry, its expiry pickled first
        now = time.time()
        entries = {}
        for path in Path(cache._dir).glob(f"*{cache.cache_suffix}"):
            with path.open("rb") as file:
                expiry = pickle.load(file)
            entries[path.name] = None if expiry is None else expiry - now
        return entries
    backend = cache._cache  # the backend's own store: nothing in Django's API lists keys
    client = backend.get_client(write=False)  # Redis
    keys = list(client.scan_iter(match=cache.make_key("*"), count=1000))
    return {key.decode(): (None if (ttl := client.ttl(key)) < 0 else ttl) for key in keys}


def cache_bytes():
    if hasattr(cache, "_dir"):
        return sum(path.stat().st_size for path in Path(cache._dir).glob(f"*{cache.cache_suffix}"))
    client = cache._cache.get_client(write=False)
    return sum(client.memory_usage(key) or 0 for key in cache_entries())


def json_ld(html):
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


# --- the Host header ----------------------------------------------------------------------


@pytest.mark.parametrize("host", FORGED_HOSTS)
def test_a_forged_host_changes_no_later_readers_page(client, page_cache, seeded, host):
    url = seeded.get_absolute_url()
    forged = client.get(url, HTTP_HOST=host)  # first: the page is cached from this request
    assert forged.status_code == 200
    later = client.get(url, HTTP_HOST="live.example.org")
    html = later.content.decode()
    assert later.content == forged.content
    assert host not in html.replace("live.example.org/", "")
    assert f'<link rel="canonical" href="{ORIGIN}{url}">' in html
    assert f'<meta property="og:url" content="{ORIGIN}{url}">' in html
    data = json_ld(html)
    assert data["@id"] == data["url"] == f"{ORIGIN}{url}"
    images = [image for entry in data["liveBlogUpdate"] for image in entry.get("image", [])]
    assert images and all(image.startswith(f"{ORIGIN}/media/") for image in images)
    assert all(entry["url"].startswith(f"{ORIGIN}{url}#") for entry in data["liveBlogUpdate"])


@pytest.mark.parametrize("host", FORGED_HOSTS)
def test_every_absolute_url_comes_from_site_url_not_the_host(client, page_cache, seeded, host):
    update = seeded.updates.order_by("published_at").first()
    pages = {
        "permalink": update.get_absolute_url(),
        "feed": f"/live/{seeded.slug}/feed/",
        "sitemap": "/sitemap.xml",
        "robots": "/robots.txt",
    }
    for name, path in pages.items():
        response = client.get(path, HTTP_HOST=host)
        assert response.status_code == 200, name
        body = response.content.decode()
        urls = re.findall(r"https?://[^\s\"'<>]+", body)
        ours = [url for url in urls if not re.match(r"https?://(schema|www\.w3|www\.sitemaps)\.org/", url)]
        assert ours, name
        assert all(url.startswith(f"{ORIGIN}/") for url in ours), (name, ours)
    permalink = client.get(update.get_absolute_url(), HTTP_HOST=host).content.decode()
    assert f'<link rel="canonical" href="{ORIGIN}{update.get_absolute_url()}">' in permalink
    assert re.search(rf'<meta property="og:image" content="{ORIGIN}/media/[^"]+">', permalink)


def configured_origin(**env):
    result = manage("shell", "-c", "from django.conf import settings; print(settings.SITE_URL)", env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]  # after "N objects imported automatically"


@pytest.mark.parametrize(
    ("env", "origin"),
    [
        ({}, "https://live.example.org"),  # the first host in ALLOWED_HOSTS
        ({"ALLOWED_HOSTS": ".example.org,live.example.org"}, "https://live.example.org"),
        ({"SECURE_SSL_REDIRECT": "0"}, "http://live.example.org"),
        ({"SITE_URL": "https://news.example.org/"}, "https://news.example.org"),
        ({"DEBUG": "1", "ALLOWED_HOSTS": ""}, "http://127.0.0.1:8000"),
    ],
)
def test_site_url_comes_from_configuration(env, origin):
    assert configured_origin(**(PRODUCTION | env)) == origin


def test_site_url_must_be_an_origin():
    result = manage("check", env=PRODUCTION | {"SITE_URL": "https://live.example.org/news?x=1"})
    assert result.returncode != 0
    assert "SITE_URL must be an origin" in result.stderr


def test_deploy_check_refuses_a_production_site_without_an_origin():
    result = manage("check", "--deploy", env=PRODUCTION | {"ALLOWED_HOSTS": "*"})
    assert result.returncode != 0
    assert "liveblog.E001" in result.stderr and "SITE_URL is not set" in result.stderr


# --- bounded keys -------------------------------------------------------------------------


def test_700_unknown_slugs_leave_no_cache_entries(client, page_cache):
    story = make_stream(story=make_story(title="Known"), count=3)
    assert client.get(story.get_absolute_url()).status_code == 200
    assert client.get(f"/live/{story.slug}/changes.json").status_code == 200
    before = cache_entries()
    for number in range(700):
        assert client.get(f"/live/no-such-story-{number}/").status_code == 404
        assert client.get(f"/live/no-such-story-{number}/changes.json").status_code == 404
    # Nothing new (a poll's answer lives one cursor window: it may have run out meanwhile).
    assert set(cache_entries()) <= set(before)


def test_an_old_source_slug_redirects_without_leaving_a_key(client, page_cache):
    story = make_stream(story=make_story(title="Moved", source_slug="Moved_Story_2025"), count=2)
    client.get(story.get_absolute_url())
    before = cache_entries()
    response = client.get("/live/Moved_Story_2025/")
    assert response.status_code == 301
    assert response["Location"] == story.get_absolute_url()
    assert set(cache_entries()) == set(before)


def test_500_unknown_query_strings_share_the_one_cached_page(client, page_cache):
    story = make_stream(story=make_story(title="Busy"), count=25)  # two pages: pager links
    url = story.get_absolute_url()
    first = client.get(f"{url}?utm_source=newsletter&fbclid=abc")  # cold cache: rendered for this one
    html = first.content.decode()
    assert "utm_source" not in html and "fbclid" not in html  # the links it makes carry none of them
    entries, size = cache_entries(), cache_bytes()
    for number in range(500):
        response = client.get(f"{url}?utm_x={number}")
        assert response.content == first.content
    assert set(cache_entries()) == set(entries)
    assert cache_bytes() <= size * 1.05
    assert client.get(url).content == first.content


def test_known_parameters_are_normalized_and_only_real_pages_are_kept(client, page_cache):
    author = make_author(name="Olena Writer")
    story = make_stream(story=make_story(title="Filtered"), count=25, author=author)
    url = story.get_absolute_url()
    client.get(url)
    baseline = set(cache_entries())
    filtered = client.get(f"{url}?key=1&author={author.slug}")
    assert filtered.status_code == 200
    with_one_page = set(cache_entries())
    assert len(with_one_page - baseline) == 1
    for variant in (f"?author={author.slug}&key=1", f"?utm=1&key=1&author={author.slug}&gclid=2"):
        assert client.get(url + variant).content == filtered.content
    assert set(cache_entries()) == with_one_page
    # Served, but none of these is a page the site links to: nothing is kept for them.
    for odd in ("?before=garbage", "?before=01-1", "?comments=999", "?comments=x", "?author=nobody",
                "?key=yes", "?comment=thanks", "?after=1-x"):  # fmt: skip
        assert client.get(url + odd).status_code == 200, odd
    assert set(cache_entries()) == with_one_page


def test_every_cache_entry_has_a_lifetime(client, page_cache, seeded):
    url = seeded.get_absolute_url()
    client.get(url)
    client.get(f"/live/{seeded.slug}/changes.json")
    update = seeded.updates.first()
    update.body += " Corrected."
    update.save()  # bumps the story's version
    seeded.title += " (updated)"
    seeded.save()  # bumps the global version
    client.get(url)
    client.get("/healthz")
    entries = cache_entries()
    assert entries
    assert all(seconds is not None for seconds in entries.values()), entries
    assert caching.VERSION_SECONDS <= 24 * 60 * 60
