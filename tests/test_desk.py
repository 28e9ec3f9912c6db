"""The live desk's server side: the hint cookie at sign-in and out, the desk's answer and who
gets it, and the reader's story page, which the desk leaves exactly as it was."""

import json
from urllib.parse import quote

import pytest
from django.test import Client

from coverage.desk import HINT_COOKIE
from coverage.models import Story
from tests.factories import PASSWORD, make_author, make_story, make_update, make_user

pytestmark = pytest.mark.django_db


def desk_url(story):
    return f"/desk/{story.slug}/"


def test_signing_in_to_the_admin_sets_the_hint_and_signing_out_clears_it(client):
    reporter = make_user(role="Reporters")
    signed_in = client.post("/admin/login/", {"username": reporter.username, "password": PASSWORD})
    assert signed_in.status_code == 302
    hint = signed_in.cookies[HINT_COOKIE]
    assert hint.value == "1"
    assert (hint["path"], hint["samesite"], hint["httponly"]) == ("/", "Lax", "")
    signed_out = client.post("/admin/logout/")
    assert signed_out.cookies[HINT_COOKIE].value == ""
    assert signed_out.cookies[HINT_COOKIE]["max-age"] == 0


def test_a_login_signed_in_before_the_desk_gets_the_hint_on_its_next_admin_page(client):
    client.force_login(make_user(role="Reporters"))  # no login signal: as before the desk existed
    story = make_story()
    assert HINT_COOKIE not in client.get(story.get_absolute_url()).cookies  # a reader's page: never
    hinted = client.get("/admin/")
    assert hinted.status_code == 200 and hinted.cookies[HINT_COOKIE].value == "1"
    assert HINT_COOKIE not in client.get("/admin/").cookies  # set once, not on every page
    client.logout()
    client.cookies.pop(HINT_COOKIE, None)
    assert HINT_COOKIE not in client.get("/admin/login/").cookies  # signed out: no hint


def test_a_failed_sign_in_sets_no_hint(client):
    reporter = make_user(role="Reporters")
    refused = client.post("/admin/login/", {"username": reporter.username, "password": "wrong"})
    assert refused.status_code == 200
    assert HINT_COOKIE not in refused.cookies


def test_the_desk_is_refused_to_anyone_who_may_not_add_updates(client):
    story = make_story()
    anonymous = client.get(desk_url(story))
    assert anonymous.status_code == 403
    assert anonymous.json() == {"detail": "Sign in to the newsroom to publish."}
    roleless = Client()
    roleless.force_login(make_user(role=None))
    refused = roleless.get(desk_url(story))
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Your role may not add updates."}
    reader = make_user(role="Reporters")
    reader.is_staff = False
    reader.save()
    not_staff = Client()
    not_staff.force_login(reader)
    assert not_staff.get(desk_url(story)).status_code == 403


def test_the_desk_of_a_story_readers_cannot_see_is_not_found(client):
    client.force_login(make_user(role="Editors"))
    draft = make_story(status=Story.Status.DRAFT)
    assert client.get(desk_url(draft)).status_code == 404
    assert client.get("/desk/no-such-story/").status_code == 404


def test_a_reporter_gets_the_desk_with_their_own_byline_and_no_pin(client):
    story = make_story(title="Нічна зміна")
    reporter = make_user(username="olena", role="Reporters")
    make_author(name="周伟", slug="zhou-wei")
    client.force_login(reporter)
    answer = client.get(desk_url(story))
    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"] and "private" in answer["Cache-Control"]
    desk = answer.json()
    assert desk["story"] == story.slug
    assert desk["scripts"][0] == "/static/coverage/desk.js"
    assert desk["stylesheet"] == "/static/coverage/desk.css"
    assert desk["post_url"] == f"/api/v1/stories/{quote(story.slug)}/updates/"
    assert desk["author"] == {"slug": "olena-tester", "name": "Olena Tester"}
    assert desk["authors"] == [
        {"slug": "olena-tester", "name": "Olena Tester"},
        {"slug": "zhou-wei", "name": "周伟"},
    ]
    assert desk["can_pin"] is False
    assert desk["draft_key"] == f"liveblog-desk:{story.slug}:{reporter.pk}"
    assert desk["texts"]["publish"] == "Publish"
    assert desk["texts"]["remove_author"] == "Remove %(name)s from the byline"


def test_an_editor_may_pin_from_the_desk(client):
    story = make_story()
    client.force_login(make_user(role="Editors"))
    assert client.get(desk_url(story)).json()["can_pin"] is True


@pytest.mark.parametrize(
    ("language", "publish", "retry"),
    [("uk", "Опублікувати", "Повторити"), ("es", "Publicar", "Reintentar"), ("ar", "نشر", "إعادة المحاولة")],
)
def test_the_desks_words_are_in_the_storys_language(client, language, publish, retry):
    story = make_story(language=language)
    client.force_login(make_user(role="Reporters"))
    texts = client.get(desk_url(story)).json()["texts"]
    assert (texts["publish"], texts["retry"]) == (publish, retry)


def test_what_the_desk_posts_is_published_with_the_editors_own_byline():
    """The desk's CSRF token lets the session write through the API, as the desk's script does."""
    story = make_story()
    make_update(story=story, body="Earlier.")
    reporter = make_user(username="ivan", role="Reporters")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(reporter)
    desk = browser.get(desk_url(story)).json()
    sent = browser.post(
        desk["post_url"],
        json.dumps({"markdown": "Ліве крило **зачинено**.", "headline": "", "key_event": True}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=desk["csrf_token"],
    )
    assert sent.status_code == 201
    update = story.updates.get(body="Ліве крило **зачинено**.")
    assert [author.name for author in update.authors.all()] == ["Ivan Tester"]
    assert update.key_event is True and update.pinned is False


@pytest.fixture
def _page_cache(settings):
    settings.LIVEBLOG_PAGE_CACHE_SECONDS = 60
    settings.LIVEBLOG_CURSOR_WINDOW = 3600  # cursors (in the page's bytes) hold still
    settings.LIVEBLOG_CURSOR_LAG = 0


@pytest.mark.usefixtures("_page_cache")
def test_a_readers_story_page_is_the_same_with_and_without_the_hint():
    story = make_story(title="Вибори · الانتخابات · 选举")
    make_update(story=story, body="Дільниці закрито.", authors=[make_author(name="Night Editor")])
    plain = Client().get(story.get_absolute_url())
    hinted_client = Client()
    hinted_client.cookies[HINT_COOKIE] = "1"
    hinted = hinted_client.get(story.get_absolute_url())
    assert plain.status_code == hinted.status_code == 200
    assert hinted.content == plain.content
    assert hinted["ETag"] == plain["ETag"]
    assert (plain["X-Page-Cache"], hinted["X-Page-Cache"]) == ("MISS", "HIT")  # one shared page
    assert not hinted.cookies
    assert b"/desk/" not in plain.content and b"desk.js" not in plain.content


@pytest.mark.usefixtures("_page_cache")
def test_a_readers_story_page_is_the_same_bytes_without_the_desk_installed(settings):
    """The desk is a middleware, a signal, a view and scripts a page loads later: taking all of it
    away changes nothing in what an anonymous reader gets, before or after an editor used it."""
    settings.LIVEBLOG_PAGE_CACHE_SECONDS = 0  # each answer rendered afresh, none from a cache
    story = make_story(title="Повінь · فيضان · 洪水")
    make_update(story=story, body="Рівень води **знижується**.", authors=[make_author(name="سارة أحمد")])
    with_desk = Client().get(story.get_absolute_url())
    editor = Client()
    editor.post("/admin/login/", {"username": make_user(role="Editors").username, "password": PASSWORD})
    assert editor.get(desk_url(story)).status_code == 200
    after_desk = Client().get(story.get_absolute_url())
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != "coverage.desk.DeskHintMiddleware"]
    without_desk = Client().get(story.get_absolute_url())
    assert with_desk.status_code == after_desk.status_code == without_desk.status_code == 200
    assert with_desk.content == after_desk.content == without_desk.content
    assert with_desk["ETag"] == without_desk["ETag"]
    assert dict(with_desk.headers) == dict(after_desk.headers) == dict(without_desk.headers)
    assert "X-Page-Cache" not in with_desk
