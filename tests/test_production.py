"""Production settings and behaviour: deploy checks, headers, static files, health, throttling, caching."""

import gzip
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import brotli
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import timezone
from PIL import Image as PILImage

from coverage import caching, services
from coverage.models import Update
from tests.benchmarks import servers
from tests.benchmarks.scaleout import Browser
from tests.browser import missing_tool
from tests.factories import make_author, make_story, make_update
from tests.htmlforms import form_data

ROOT = Path(settings.BASE_DIR)
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "live.example.org",
}


def manage(*args, env):
    configured = (
        "DEBUG",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "SECURE_SSL_REDIRECT",
        "SECURE_COOKIES",
        "SECURE_HSTS_SECONDS",
        "SITE_URL",
        "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests in this process
    )
    clean = {key: value for key, value in os.environ.items() if key not in configured}
    return subprocess.run(
        [sys.executable, "manage.py", *args], env={**clean, **env}, cwd=ROOT, capture_output=True, text=True
    )


def test_check_deploy_is_clean_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_missing_secret_key_fails_at_once_naming_the_variable():
    result = manage("check", env={"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_story_page_security_headers(client):
    story = make_story()
    make_update(story=story)
    response = client.get(story.get_absolute_url())
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_healthz_reports_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "static": "ok"}


# The production static storage (liveblog.settings, DEBUG off); the tests otherwise use the plain one.
MANIFEST_STORAGE = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}


@pytest.mark.django_db
def test_healthz_fails_while_pages_cannot_be_served_for_want_of_collectstatic(client, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": MANIFEST_STORAGE}
    story = make_story()
    make_update(story=story)
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):  # even the 500 page fails
        Client().get(story.get_absolute_url())
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["status"] == "error"
    missing = "error: Missing staticfiles manifest entry for 'coverage/site.css'"
    assert health.json()["static"].startswith(missing)

    call_command("collectstatic", "--noinput", verbosity=0)
    settings.STORAGES = {**settings.STORAGES}  # a restart: a new storage loads the new manifest
    assert client.get(story.get_absolute_url()).status_code == 200
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "cache": "ok", "static": "ok"}

    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    (tmp_path / "static" / manifest["paths"]["coverage/live.js"]).unlink()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["static"] == f"error: missing {manifest['paths']['coverage/live.js']}"


@pytest.mark.django_db
def test_admin_login_is_throttled(client, django_user_model):
    django_user_model.objects.create_superuser("chief", "chief@example.org", "right-password-123")
    for _ in range(settings.LOGIN_ATTEMPTS_LIMIT - 1):
        response = client.post("/admin/login/", {"username": "chief", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    response = client.post("/admin/login/", {"username": "chief", "password": "wrong"})
    assert response.status_code == 429  # the failure that reaches the limit pauses at once
    response = client.post("/admin/login/", {"username": "chief", "password": "right-password-123"})
    assert response.status_code == 429
    assert "Too many login attempts" in response.content.decode()
    other = client.post("/admin/login/?next=/admin/", {"username": "someone-else", "password": "x"})
    assert other.status_code == 200


@pytest.mark.django_db
def test_page_cache_is_invalidated_by_every_change(client, settings):
    settings.LIVEBLOG_PAGE_CACHE_SECONDS = 60
    story = make_story()
    first = make_update(story=story, body="First words.")
    assert "First words." in client.get(story.get_absolute_url()).content.decode()
    second = Update(story=story, body="Second words.", status=Update.Status.PUBLISHED)
    services.save_update(update=second, authors=[make_author()])
    assert "Second words." in client.get(story.get_absolute_url()).content.decode()
    first.body = "First words, corrected."
    services.save_update(update=first)
    assert "First words, corrected." in client.get(story.get_absolute_url()).content.decode()
    services.delete_update(update=second)
    assert "Second words." not in client.get(story.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_cached_page_lives_only_until_the_next_scheduled_update(settings):
    settings.LIVEBLOG_PAGE_CACHE_SECONDS = 60
    story = make_story()
    make_update(
        story=story, status=Update.Status.SCHEDULED, published_at=timezone.now() + timedelta(seconds=20)
    )
    assert 1 <= caching.page_timeout(story) <= 20


@pytest.mark.django_db
def test_cached_pages_never_show_drafts(client, settings):
    settings.LIVEBLOG_PAGE_CACHE_SECONDS = 60
    story = make_story()
    make_update(story=story, body="Public words.")
    make_update(story=story, body="Secret draft words.", status=Update.Status.DRAFT)
    client.get(story.get_absolute_url())
    assert "Secret draft words." not in client.get(story.get_absolute_url()).content.decode()


@pytest.mark.server
def test_static_files_are_compressed_with_far_future_caching():
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        env = servers.project_env(workdir, DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}")
        servers.manage(env, "collectstatic", "--noinput")
        manifest = (workdir / "static" / "staticfiles.json").read_text()
        hashed = next(name for name in json.loads(manifest)["paths"].values() if name.endswith(".css"))
        with servers.gunicorn(env, workdir, workers=1) as (port, _):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/static/{hashed}", headers={"Accept-Encoding": "gzip"}
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.headers["Content-Encoding"] == "gzip"
                cache_control = response.headers["Cache-Control"]
    assert "max-age=315360000" in cache_control and "immutable" in cache_control


def picture_png(width, height):
    """A PNG of noise (it does not compress): width × height × 3 bytes and a little more."""
    buffer = io.BytesIO()
    PILImage.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def test_uploads_over_1_mb_go_through_nginx_with_the_shipped_config(served_site):
    """ops/nginx.conf in front of gunicorn: a 1.9 MB picture saves; a body over the limit gets 413,
    except on the update form, which carries clips; media are served with byte ranges."""
    if not Path(servers.nginx_binary()).exists():
        missing_tool("nginx not found (apt-get install nginx)")
    work, env = served_site.work, served_site.env
    picture = picture_png(900, 700)
    assert len(picture) > 1024 * 1024 * 1.5
    with servers.gunicorn(env, work, workers=1) as (origin, _), servers.nginx(work, origin) as port:
        desk = Browser(f"http://127.0.0.1:{port}")
        _, login = desk.get("/admin/login/?next=/admin/")
        credentials = {"username": "editor", "password": served_site.password}
        desk.post("/admin/login/?next=/admin/", form_data(login, "login-form", **credentials))
        add = f"/admin/coverage/update/add/?story={served_site.story_pk}"
        _, form = desk.get(add)
        fields = form_data(form, "update_form", body="With a large picture.", _save="Save") | {
            "images-0-file": SimpleUploadedFile("large.png", picture, "image/png"),
            "images-0-caption": "Crowds outside the court.",
            "images-0-credit": "Ana Lens/Agency",
            "images-0-alt_text": "People holding signs on a wide street.",
            "images-0-position": "0",
        }
        status, landed = post_multipart(desk, add, encode_multipart(BOUNDARY, fields))
        assert status == 200 and "/add/" not in landed, landed
        stored = subprocess.run(
            [servers.PYTHON, "manage.py", "shell", "-c", STORED_PICTURE], env=env, cwd=ROOT,
            capture_output=True, text=True, check=True,
        ).stdout.split()[-1]  # fmt: skip
        with desk.opener.open(f"{desk.base}{stored}", timeout=10) as response:  # nginx serves media
            assert response.status == 200
            assert response.headers["Content-Type"] == "image/png"

        too_large = b"x" * (22 * 1024 * 1024)  # over client_max_body_size (21m)
        status, _ = post_multipart(desk, "/admin/coverage/image/add/", too_large)
        assert status == 413
        # The update form carries clips (up to 200 MB): nginx lets its body through to the app.
        status, _ = post_multipart(desk, add, too_large)
        assert status != 413

        # Media are nginx's to serve, byte ranges included (browsers play clips by ranges).
        clip = bytes(range(256)) * 400
        (work / "media" / "clips").mkdir(parents=True, exist_ok=True)
        (work / "media" / "clips" / "range.webm").write_bytes(clip)
        range_1000 = {"Range": "bytes=1000-1999"}
        ranged = urllib.request.Request(f"{desk.base}/media/clips/range.webm", headers=range_1000)
        with desk.opener.open(ranged, timeout=10) as response:
            assert response.status == 206
            assert response.headers["Content-Range"] == f"bytes 1000-1999/{len(clip)}"
            assert response.read() == clip[1000:2000]


def test_readers_pages_are_micro_cached_by_the_shipped_nginx_config_and_editors_bypass_it(served_site):
    """ops/nginx.conf keeps the story page, changes.json and the feed for every reader, one copy
    per coding the app makes; a signed-in editor (a session cookie) always reaches the app."""
    if not Path(servers.nginx_binary()).exists():
        missing_tool("nginx not found (apt-get install nginx)")
    work, log = served_site.work, served_site.work / "micro-cache.log"
    shutil.rmtree(work / "cache", ignore_errors=True)  # what earlier tests' nginx kept
    env = {**served_site.env, "LIVEBLOG_CURSOR_WINDOW": "600"}  # nothing expires during the test
    with (
        servers.gunicorn(env, work, workers=1, access_log=log) as (origin, _),
        servers.nginx(work, origin) as port,
    ):
        reader = urllib.request.build_opener()  # no cookies
        page = f"http://127.0.0.1:{port}/live/served-site/"

        def get(url, opener=reader, **headers):
            with opener.open(urllib.request.Request(url, headers=headers), timeout=10) as response:
                return response.headers, response.read()

        first, body = get(page)
        assert first["X-Cache-Status"] == "MISS" and "s-maxage=600" in first["Cache-Control"]
        second, again = get(page)
        assert (second["X-Cache-Status"], second["ETag"], again) == ("HIT", first["ETag"], body)
        brotli_page, packed = get(page, **{"Accept-Encoding": "gzip, deflate, br, zstd"})
        assert (brotli_page["X-Cache-Status"], brotli_page["Content-Encoding"]) == ("MISS", "br")
        assert brotli.decompress(packed) == body
        other_browser, _ = get(page, **{"Accept-Encoding": "br, gzip"})  # another list, same coding
        assert (other_browser["X-Cache-Status"], other_browser["Content-Encoding"]) == ("HIT", "br")
        refused, _ = get(page, **{"Accept-Encoding": "br;q=0, gzip"})
        assert (refused["X-Cache-Status"], refused["Content-Encoding"]) == ("MISS", "gzip")
        plain, plain_body = get(page)  # a client that accepts no coding never gets compressed bytes
        assert (plain["X-Cache-Status"], plain["Content-Encoding"], plain_body) == ("HIT", None, body)
        tracked, _ = get(f"{page}?utm_source=newsletter&utm_medium=email")
        assert tracked["X-Cache-Status"] == "HIT"  # tracking parameters the page ignores
        for path in ("changes.json", "feed/"):
            assert get(page + path)[0]["X-Cache-Status"] == "MISS"
            assert get(page + path)[0]["X-Cache-Status"] == "HIT"

        desk = Browser(f"http://127.0.0.1:{port}")
        _, login = desk.get("/admin/login/?next=/admin/")
        credentials = {"username": "editor", "password": served_site.password}
        desk.post("/admin/login/?next=/admin/", form_data(login, "login-form", **credentials))
        jar = next(
            h.cookiejar for h in desk.opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor)
        )
        assert "sessionid" in {cookie.name for cookie in jar}
        for _ in range(2):
            assert get(page, opener=desk.opener)[0]["X-Cache-Status"] == "BYPASS"
        assert get(page)[0]["X-Cache-Status"] == "HIT"
    reached = [line for line in log.read_text().splitlines() if line.startswith("GET /live/served-site/ ")]
    assert len(reached) == 5  # plain, br and gzip once each, then the editor twice


STORED_PICTURE = """
from coverage.models import Image
print(Image.objects.get(update__body="With a large picture.").file.url)
"""


def post_multipart(desk, path, body):
    request = urllib.request.Request(
        desk.base + path, data=body, headers={"Content-Type": MULTIPART_CONTENT, "Referer": desk.base + path}
    )
    try:
        with desk.opener.open(request, timeout=60) as response:
            return response.status, response.geturl()
    except urllib.error.HTTPError as error:
        return error.code, error.url


# --- compression -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "coding", "decompress"),
    [
        ("gzip, deflate, br, zstd", "br", brotli.decompress),
        ("gzip, deflate", "gzip", gzip.decompress),
        ("br;q=0, gzip;q=0.8", "gzip", gzip.decompress),
    ],
)
def test_story_page_is_sent_compressed(client, accept, coding, decompress):
    story = make_story(title="Compressed story")
    for number in range(5):
        make_update(story=story, body=f"Update number {number}, Ελληνικά, עברית, 中文.")
    plain = client.get(story.get_absolute_url())
    assert "Content-Encoding" not in plain
    response = client.get(story.get_absolute_url(), HTTP_ACCEPT_ENCODING=accept)
    assert response.status_code == 200
    assert response["Content-Encoding"] == coding
    assert "Accept-Encoding" in response["Vary"]
    assert int(response["Content-Length"]) == len(response.content) < len(plain.content) / 2
    # The same page but for the change-feed cursor, which moves when a 5-second window ends between the two.
    assert without_cursor(decompress(response.content)) == without_cursor(plain.content)


def without_cursor(page):
    return re.sub(rb'data-cursor="[0-9]+"', b'data-cursor=""', page)


@pytest.mark.django_db
def test_pages_carrying_a_secret_get_only_padded_gzip(client, django_user_model):
    """BREACH: the admin (CSRF token, session) is never Brotli'd; its gzip length varies at random."""
    client.force_login(django_user_model.objects.create_superuser("chief", "chief@example.org", "x"))
    lengths = set()
    for _ in range(5):
        response = client.get("/admin/coverage/story/add/", HTTP_ACCEPT_ENCODING="br, gzip")
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        assert b"csrfmiddlewaretoken" in gzip.decompress(response.content)
        lengths.add(len(response.content))
    assert len(lengths) > 1
    story = make_story(title="Commented story")
    # A comment sent without a token comes back with one, to be confirmed: not Brotli either.
    client.logout()
    refused = Client(enforce_csrf_checks=True).post(
        f"/live/{story.slug}/comments/", {"name": "A", "body": "x" * 300}, HTTP_ACCEPT_ENCODING="br"
    )
    assert refused.status_code == 403
    assert b'name="csrfmiddlewaretoken" value="' in refused.content
    assert "Content-Encoding" not in refused


@pytest.mark.django_db
def test_compressed_changes_feed_still_answers_304(client, settings):
    # An answer with updates hands back the current cursor, which moves when a cursor
    # window ends (and the ETag with it): an hour-long window holds it still between the two.
    settings.LIVEBLOG_CURSOR_WINDOW = 3600
    story = make_story()
    for number in range(3):
        make_update(story=story, body=f"Update number {number} " + "words " * 50)
    url = f"/live/{story.slug}/changes.json?since=1"
    first = client.get(url, HTTP_ACCEPT_ENCODING="br")
    assert first["Content-Encoding"] == "br"
    assert first["ETag"].startswith('W/"')
    assert json.loads(brotli.decompress(first.content))["updates"]
    again = client.get(url, HTTP_ACCEPT_ENCODING="br", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
