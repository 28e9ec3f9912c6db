"""The HTTP API, v1: reads as readers see them, writes with the admin's roles and versions."""

import json
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import ExifTags
from PIL import Image as PILImage

from coverage import live, services
from coverage.models import ApiToken, Image, Story, Update, UpdateRevision
from coverage.models.tokens import digest
from coverage.site import absolute_url
from tests.factories import (
    make_author,
    make_picture,
    make_story,
    make_stream,
    make_update,
    make_user,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture(autouse=True)
def _quick_feed(settings):
    settings.LIVEBLOG_CURSOR_LAG = 0
    settings.LIVEBLOG_CURSOR_WINDOW = 1


def bearer(user, name="test"):
    _, key = services.create_token(user=user, name=name)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def send(client, method, path, body=None, **headers):
    data = json.dumps(body) if body is not None else None
    return getattr(client, method)(f"{API}{path}", data, content_type="application/json", **headers)


def updates_path(story):
    return f"/stories/{story.slug}/updates/"


def update_path(update):
    return f"/stories/{update.story.slug}/updates/{update.pk}/"


# --- reading ------------------------------------------------------------------------------


def test_reads_show_what_readers_see_and_nothing_unpublished(client):
    story = make_story(title="Київ наживо")
    author = make_author(name="Олена Коваль")
    public = make_update(story=story, authors=[author], body="Перше **оновлення**.", headline="Новина")
    make_update(story=story, body="A draft.", status=Update.Status.DRAFT)
    make_update(
        story=story,
        body="Later.",
        status=Update.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(hours=1),
    )
    hidden = make_story(title="Not yet", status=Story.Status.DRAFT)

    listed = client.get(f"{API}/stories/").json()["stories"]
    assert [item["slug"] for item in listed] == [story.slug]
    page = client.get(f"{API}{updates_path(story)}").json()
    assert [item["id"] for item in page["updates"]] == [public.pk]
    item = page["updates"][0]
    assert item["html"] == '<p dir="auto">Перше <strong>оновлення</strong>.</p>\n'
    assert item["text"] == "Перше оновлення."
    assert item["markdown"] is None  # the source is for those who may edit it
    assert item["headline"] == "Новина"
    assert [person["name"] for person in item["authors"]] == ["Олена Коваль"]
    assert item["url"] == absolute_url(f"/live/{quote(story.slug)}/updates/{public.pk}/")
    assert page["older"] is None and page["newer"] is None
    draft = story.updates.get(status=Update.Status.DRAFT)
    assert client.get(f"{API}{update_path(draft)}").status_code == 404
    assert client.get(f"{API}/stories/{hidden.slug}/").status_code == 404
    missing = client.get(f"{API}/stories/{hidden.slug}/updates/")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/problem+json"


def test_story_answer_holds_summary_key_events_and_pin(client):
    story = make_story(summary="**Top** line.")
    key = make_update(story=story, key_event=True, headline="Ceasefire agreed")
    pinned = make_update(story=story, pinned=True, body="Read this first.")
    data = client.get(f"{API}/stories/{story.slug}/").json()
    assert data["summary_html"] == '<p dir="auto"><strong>Top</strong> line.</p>\n'
    assert data["summary_markdown"] is None
    assert [(event["id"], event["title"]) for event in data["key_events"]] == [(key.pk, "Ceasefire agreed")]
    assert data["pinned"]["id"] == pinned.pk
    assert data["last_updated"] is not None


def test_cursor_pages_and_filters(client):
    story = make_stream(count=5)
    author = make_author(name="Ivan Key")
    key = make_update(story=story, authors=[author], key_event=True)
    first = client.get(f"{API}{updates_path(story)}?limit=2").json()
    second = client.get(first["older"].removeprefix("http://127.0.0.1:8000")).json()
    ids = [item["id"] for item in first["updates"] + second["updates"]]
    expected = list(
        Update.objects.filter(story=story).order_by("-published_at", "-pk").values_list("pk", flat=True)
    )
    assert ids == expected[:4]
    assert second["newer"] is not None
    back = client.get(second["newer"].removeprefix("http://127.0.0.1:8000")).json()
    assert [item["id"] for item in back["updates"]] == expected[:2]
    by_author = client.get(f"{API}{updates_path(story)}?author={author.slug}").json()
    assert [item["id"] for item in by_author["updates"]] == [key.pk]
    keys = client.get(f"{API}{updates_path(story)}?key_events=true").json()
    assert [item["id"] for item in keys["updates"]] == [key.pk]
    bad = client.get(f"{API}{updates_path(story)}?limit=1000")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "limit"


def test_anonymous_reads_are_shared_cached_and_conditional(client):
    story = make_story()
    make_update(story=story)
    path = f"{API}{updates_path(story)}"
    first = client.get(path)
    assert first["X-Page-Cache"] == "MISS"
    assert first["Cache-Control"].startswith("public")
    assert "Vary" in first and "Authorization" in first["Vary"]
    again = client.get(path)
    assert again["X-Page-Cache"] == "HIT" and again.content == first.content
    assert client.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    make_update(story=story, body="Newer.")  # a change readers see moves the story's answers
    fresh = client.get(path)
    assert fresh["X-Page-Cache"] == "MISS" and len(fresh.json()["updates"]) == 2


def test_signed_in_reads_are_private_and_show_sources(client):
    reporter = make_user(role="Reporters")
    story = make_story()
    own = make_update(story=story, authors=[reporter.author], status=Update.Status.DRAFT, body="My *draft*.")
    response = client.get(f"{API}{update_path(own)}", **bearer(reporter))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
    assert "X-Page-Cache" not in response
    assert response["ETag"] == f'"update-{own.pk}-v{own.version}"'
    assert response.json()["markdown"] == "My *draft*."


@pytest.mark.parametrize("size", [10, 1000])
def test_reads_cost_the_same_queries_however_long_the_story(
    client, settings, size, django_assert_max_num_queries
):
    settings.LIVEBLOG_PAGE_CACHE_SECONDS = 0  # count the rendering, not the cache
    story = make_stream(count=size)
    newest = story.updates.order_by("-published_at").first()
    counts = {}
    for path in (f"/stories/{story.slug}/", updates_path(story), update_path(newest)):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{API}{path}").status_code == 200
        counts[path] = len(queries)
    assert counts == {f"/stories/{story.slug}/": 3, updates_path(story): 4, update_path(newest): 4}


# --- writing ------------------------------------------------------------------------------


def test_reporter_posts_an_update_readers_get_in_the_next_poll_and_on_the_page(client):
    reporter = make_user(username="olena", role="Reporters")
    story = make_story()
    make_update(story=story, published_at=timezone.now() - timedelta(hours=1))
    hour_ago = timezone.now() - timedelta(hours=1)
    Update.objects.update(changed_at=hour_ago, public_changed_at=hour_ago)
    since = live.current_cursor(timezone.now() - timedelta(seconds=30))
    client.get(f"/live/{story.slug}/changes.json?since={since}")  # a poll before: kept in the cache
    response = send(
        client, "post", updates_path(story), {"markdown": "مرحبا **بالعالم**"}, **bearer(reporter)
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["markdown"] == "مرحبا **بالعالم**"
    assert [person["name"] for person in created["authors"]] == ["Olena Tester"]
    assert (
        response["Location"] == f"http://127.0.0.1:8000/api/v1/stories/{story.slug}/updates/{created['id']}/"
    )
    assert response["ETag"] == f'"update-{created["id"]}-v1"'
    poll = client.get(f"/live/{story.slug}/changes.json?since={since}").json()
    assert [item["id"] for item in poll["updates"]] == [created["id"]]
    page = client.get(f"/live/{story.slug}/").content.decode()
    assert page.count(f'id="update-{created["id"]}"') == 1
    revision = UpdateRevision.objects.get(update_id=created["id"])
    assert revision.saved_by == reporter and revision.body == "مرحبا **بالعالم**"


def test_a_retried_post_with_its_idempotency_key_posts_once(client):
    reporter = make_user(username="olena", role="Reporters")
    other = make_user(username="ivan", role="Reporters")
    story = make_story()
    key = "2f1c6a3e-9b7d-4c1e-8a52-0d6f3b9e7a14"
    body = {"markdown": "Світло повернулося на лівому березі"}
    first = send(client, "post", updates_path(story), body, HTTP_IDEMPOTENCY_KEY=key, **bearer(reporter))
    again = send(client, "post", updates_path(story), body, HTTP_IDEMPOTENCY_KEY=key, **bearer(reporter))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert (again["ETag"], again["Location"]) == (first["ETag"], first["Location"])
    assert list(Update.objects.values_list("body", flat=True)) == [body["markdown"]]

    fresh = send(client, "post", updates_path(story), body, HTTP_IDEMPOTENCY_KEY="k2", **bearer(reporter))
    unkeyed = send(client, "post", updates_path(story), body, **bearer(reporter))
    assert (fresh.status_code, unkeyed.status_code) == (201, 201)
    assert Update.objects.count() == 3

    stolen = send(client, "post", updates_path(story), body, HTTP_IDEMPOTENCY_KEY=key, **bearer(other))
    assert stolen.status_code == 422
    assert stolen.json()["errors"] == [{"field": "Idempotency-Key", "message": "Used by another login."}]
    junk = send(client, "post", updates_path(story), body, HTTP_IDEMPOTENCY_KEY="ключ", **bearer(reporter))
    assert junk.status_code == 400
    assert Update.objects.count() == 3

    elsewhere = make_story(title="Another story")
    there = send(client, "post", updates_path(elsewhere), body, HTTP_IDEMPOTENCY_KEY=key, **bearer(reporter))
    assert there.status_code == 201 and Update.objects.filter(story=elsewhere).count() == 1


def test_reporter_cannot_change_anothers_update_nor_a_story_nor_pin(client):
    reporter = make_user(role="Reporters")
    colleague = make_user(role="Reporters")
    story = make_story()
    theirs = make_update(story=story, authors=[colleague.author], body="Theirs.")
    headers = bearer(reporter)
    etag = f'"update-{theirs.pk}-v{theirs.version}"'
    refused = send(
        client, "patch", update_path(theirs), {"markdown": "Mine now."}, HTTP_IF_MATCH=etag, **headers
    )
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    assert send(client, "delete", update_path(theirs), HTTP_IF_MATCH=etag, **headers).status_code == 403
    story_etag = f'"story-{story.pk}-v{story.version}"'
    assert (
        send(
            client, "patch", f"/stories/{story.slug}/", {"title": "X"}, HTTP_IF_MATCH=story_etag, **headers
        ).status_code
        == 403
    )
    assert send(client, "post", "/stories/", {"title": "New"}, **headers).status_code == 403
    pin = send(client, "post", updates_path(story), {"markdown": "Pin me.", "pinned": True}, **headers)
    assert pin.status_code == 403
    theirs.refresh_from_db()
    assert theirs.body == "Theirs." and Story.objects.get(pk=story.pk).title == story.title
    assert story.updates.count() == 1


def test_second_editor_with_a_stale_version_gets_412_and_the_current_text(client):
    editor = make_user(role="Editors")
    other = make_user(role="Editors")
    update = make_update(body="First version.")
    read = client.get(f"{API}{update_path(update)}", **bearer(editor))
    etag = read["ETag"]
    mine = send(
        client,
        "patch",
        update_path(update),
        {"markdown": "Edited by one."},
        HTTP_IF_MATCH=etag,
        **bearer(editor),
    )
    assert mine.status_code == 200 and mine["ETag"] != etag
    theirs = send(
        client,
        "patch",
        update_path(update),
        {"markdown": "Edited by two."},
        HTTP_IF_MATCH=etag,
        **bearer(other),
    )
    assert theirs.status_code == 412
    problem = theirs.json()
    assert problem["current"]["markdown"] == "Edited by one."
    assert theirs["ETag"] == mine["ETag"]
    update.refresh_from_db()
    assert update.body == "Edited by one."
    missing = send(client, "patch", update_path(update), {"markdown": "No version."}, **bearer(other))
    assert missing.status_code == 428 and missing.json()["current"]["version"] == update.version
    update.refresh_from_db()
    assert update.body == "Edited by one."


def test_the_weak_etag_of_a_compressed_answer_names_the_same_version(client):
    """``curl --compressed`` and browsers get a compressed answer whose ETag is weak; sending it
    back in If-Match names that version still (a stale one is still refused)."""
    editor = make_user(role="Editors")
    update = make_update(body="Перша версія. " * 200)  # long enough to be compressed
    read = client.get(f"{API}{update_path(update)}", HTTP_ACCEPT_ENCODING="gzip", **bearer(editor))
    assert read["Content-Encoding"] == "gzip" and read["ETag"] == f'W/"update-{update.pk}-v1"'
    changed = send(
        client,
        "patch",
        update_path(update),
        {"markdown": "Друга."},
        HTTP_IF_MATCH=read["ETag"],
        **bearer(editor),
    )
    assert changed.status_code == 200 and changed["ETag"] == f'"update-{update.pk}-v2"'
    stale = send(
        client,
        "patch",
        update_path(update),
        {"markdown": "Третя."},
        HTTP_IF_MATCH=read["ETag"],
        **bearer(editor),
    )
    assert stale.status_code == 412
    update.refresh_from_db()
    assert update.body == "Друга."


def test_editor_runs_the_whole_life_of_an_update(client):
    editor = make_user(role="Editors")
    headers = bearer(editor)
    story = make_story()
    when = (timezone.now() + timedelta(hours=2)).isoformat()
    created = send(
        client,
        "post",
        updates_path(story),
        {"markdown": "Soon.", "status": "scheduled", "published_at": when},
        **headers,
    )
    assert created.status_code == 201 and created.json()["status"] == "scheduled"
    path, etag = update_path(Update.objects.get(pk=created.json()["id"])), created["ETag"]
    assert client.get(f"{API}{path}").status_code == 404  # not public yet
    steps = [
        {"status": "published"},
        {"pinned": True, "key_event": True},
        {"correction": "An earlier version misspelt the minister's name."},
        {"status": "draft"},
    ]
    for change in steps:
        response = send(client, "patch", path, change, HTTP_IF_MATCH=etag, **headers)
        assert response.status_code == 200, response.content
        etag = response["ETag"]
    update = Update.objects.get(pk=created.json()["id"])
    assert update.status == "draft" and update.pinned and update.key_event and update.corrected_at
    past = send(
        client,
        "patch",
        path,
        {"status": "scheduled", "published_at": "2020-01-01T00:00:00Z"},
        HTTP_IF_MATCH=etag,
        **headers,
    )
    assert past.status_code == 422 and past.json()["errors"][0]["field"] == "published_at"
    assert send(client, "delete", path, HTTP_IF_MATCH=etag, **headers).status_code == 204
    assert not Update.objects.filter(pk=update.pk).exists()


def test_editor_creates_starts_and_ends_a_story(client):
    editor = make_user(role="Editors")
    headers = bearer(editor)
    created = send(
        client, "post", "/stories/", {"title": "Вибори 2026", "summary_markdown": "Latest."}, **headers
    )
    assert created.status_code == 201, created.content
    story = Story.objects.get(pk=created.json()["id"])
    assert story.status == "draft" and story.slug == created.json()["slug"]
    started = send(
        client,
        "patch",
        f"/stories/{story.slug}/",
        {"status": "live"},
        HTTP_IF_MATCH=created["ETag"],
        **headers,
    )
    assert started.status_code == 200 and started.json()["coverage_start"] is not None
    ended = send(
        client,
        "patch",
        f"/stories/{story.slug}/",
        {"status": "ended"},
        HTTP_IF_MATCH=started["ETag"],
        **headers,
    )
    assert ended.status_code == 200 and ended.json()["coverage_end"] is not None
    taken = send(client, "post", "/stories/", {"title": "Again", "slug": story.slug}, **headers)
    assert taken.status_code == 409


def test_pictures_are_checked_as_in_the_admin(client):
    reporter = make_user(role="Reporters")
    update = make_update(authors=[reporter.author])
    path = f"{API}{update_path(update)}images/"
    headers = bearer(reporter)
    photo = SimpleUploadedFile("lamp.jpg", make_picture(size=(1200, 800), gps=True), "image/jpeg")
    good = client.post(
        path, {"file": photo, "caption": "Світло", "credit": "AP", "alt_text": "A lamp."}, **headers
    )
    assert good.status_code == 201, good.content
    picture = good.json()
    assert (picture["alt_text"], picture["caption"], picture["credit"]) == ("A lamp.", "Світло", "AP")
    assert {item["type"] for item in picture["renditions"]} == {"image/webp", "image/jpeg"}
    stored = Image.objects.get(update=update)
    with stored.file.open("rb") as saved, PILImage.open(saved) as opened:
        assert not opened.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # location removed
    text = SimpleUploadedFile("notes.jpg", b"not a picture at all", "image/jpeg")
    refused = client.post(path, {"file": text, "alt_text": "Text."}, **headers)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "file"
    no_alt = client.post(path, {"file": SimpleUploadedFile("a.jpg", make_picture(), "image/jpeg")}, **headers)
    assert no_alt.status_code == 422 and no_alt.json()["errors"][0]["field"] == "alt_text"
    assert Image.objects.filter(update=update).count() == 1


def test_tokens_are_stored_hashed_revocable_and_rate_limited(client, settings):
    reporter = make_user(role="Reporters")
    token, key = services.create_token(user=reporter, name="Phone")
    assert key.startswith("lb_") and len(key) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_digest == digest(key) and key not in str(stored.__dict__)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get(f"{API}/stories/", **headers).status_code == 200
    settings.LIVEBLOG_API_RATE_LIMIT = 2
    # The limit counts per clock minute, which may turn among these: three in one minute still follow.
    answers = [client.get(f"{API}/stories/", **headers) for _ in range(5)]
    limited = [answer for answer in answers if answer.status_code == 429]
    assert answers[0].status_code == 200 and limited and int(limited[0]["Retry-After"]) >= 1
    settings.LIVEBLOG_API_RATE_LIMIT = 1000
    services.revoke_token(token=token)
    revoked = client.get(f"{API}/stories/", **headers)
    assert revoked.status_code == 401 and "Bearer" in revoked["WWW-Authenticate"]
    wrong = client.get(f"{API}/stories/", HTTP_AUTHORIZATION="Bearer lb_wrong")
    assert wrong.status_code == 401


def test_session_writes_need_the_csrf_token():
    from django.test import Client

    reporter = make_user(role="Reporters")
    story = make_story()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(reporter)
    refused = browser.post(
        f"{API}{updates_path(story)}", json.dumps({"markdown": "Hi."}), content_type="application/json"
    )
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    browser.get("/admin/")  # hands out the CSRF cookie
    token = browser.cookies["csrftoken"].value
    sent = browser.post(
        f"{API}{updates_path(story)}",
        json.dumps({"markdown": "Hi."}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert sent.status_code == 201
    assert story.updates.get().body == "Hi."


def test_anonymous_writes_are_refused_with_problem_json(client):
    story = make_story()
    response = send(client, "post", updates_path(story), {"markdown": "Spam."})
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"
    assert not story.updates.exists()


def test_unknown_fields_and_bad_bodies_are_field_errors(client):
    reporter = make_user(role="Reporters")
    story = make_story()
    response = send(
        client, "post", updates_path(story), {"markdown": "x", "bodyy": "typo"}, **bearer(reporter)
    )
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["bodyy"]


# --- the schema and the admin -------------------------------------------------------------


def test_schema_and_documentation_are_served_from_the_site(client):
    schema = client.get(f"{API}/schema/").json()
    assert schema["openapi"].startswith("3.")
    operations = {(method.upper(), path) for path, item in schema["paths"].items() for method in item}
    assert ("POST", "/api/v1/stories/{slug}/updates/") in operations
    assert ("PATCH", "/api/v1/stories/{slug}/updates/{pk}/") in operations
    patch = schema["paths"]["/api/v1/stories/{slug}/updates/{pk}/"]["patch"]
    assert "application/problem+json" in patch["responses"]["412"]["content"]
    assert any(parameter["name"] == "If-Match" for parameter in patch["parameters"])
    docs = client.get(f"{API}/docs/").content.decode()
    assert "swagger-ui-bundle.js" in docs
    assert "https://" not in docs and "cdn" not in docs.lower()


def test_admin_shows_a_new_key_once_and_lists_only_ones_own_tokens(client):
    reporter = make_user(role="Reporters")
    other = make_user(role="Reporters")
    services.create_token(user=other, name="Someone else's")
    client.force_login(reporter)
    response = client.post(
        "/admin/coverage/apitoken/add/", {"name": "Мій телефон", "user": reporter.pk}, follow=True
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(user=reporter)
    page = response.content.decode()
    key = page.split("<code>", 1)[1].split("</code>", 1)[0]
    assert digest(key) == token.key_digest
    listing = client.get("/admin/coverage/apitoken/").content.decode()
    assert "Мій телефон" in listing and "Someone else" not in listing and key not in listing
    client.post("/admin/coverage/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_tokens_cannot_be_deleted_in_the_admin_only_revoked(client):
    editor = make_user(role="Editors")
    token, _ = services.create_token(user=editor, name="Laptop")
    client.force_login(editor)
    assert client.post(f"/admin/coverage/apitoken/{token.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_a_signed_in_read_gives_the_version_a_write_names(client):
    editor = make_user(role="Editors")
    story = make_story()
    headers = bearer(editor)
    read = client.get(f"{API}/stories/{story.slug}/", **headers)
    assert read["ETag"] == f'"story-{story.pk}-v{story.version}"'
    again = client.get(f"{API}/stories/{story.slug}/", HTTP_IF_NONE_MATCH=read["ETag"], **headers)
    assert again.status_code == 200  # a version is no validator of everything the answer holds
    changed = send(
        client,
        "patch",
        f"/stories/{story.slug}/",
        {"title": "Renamed"},
        HTTP_IF_MATCH=read["ETag"],
        **headers,
    )
    assert changed.status_code == 200 and changed.json()["title"] == "Renamed"


def test_times_are_kept_in_utc_and_texts_without_null_characters(client):
    editor = make_user(role="Editors")
    story = make_story()
    headers = bearer(editor)
    far_offset = (timezone.now() + timedelta(days=1)).astimezone(timezone.get_fixed_timezone(17 * 60 + 19))
    body = {"markdown": "Later.", "status": "scheduled", "published_at": far_offset.isoformat()}
    scheduled = send(client, "post", updates_path(story), body, **headers)
    assert scheduled.status_code == 201, scheduled.content
    saved = Update.objects.get(pk=scheduled.json()["id"]).published_at
    assert abs((saved - far_offset).total_seconds()) < 0.001
    naive = send(
        client, "post", updates_path(story), {**body, "published_at": "2030-01-01T10:00:00"}, **headers
    )
    assert naive.status_code == 422 and naive.json()["errors"][0]["field"] == "published_at"
    nul = send(client, "post", updates_path(story), {"markdown": "a\x00b"}, **headers)
    assert nul.status_code == 422 and nul.json()["errors"][0]["field"] == "markdown"
    assert story.updates.count() == 1
