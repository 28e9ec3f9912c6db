"""Edit and delete in place, the server side: which updates of a story page a newsroom login
may change (asked by the desk's edit script, since the page is the same for everyone), with
each one's ETag and who saved it last; refused to readers, bounded in queries."""

import json
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from coverage import services
from coverage.models import Story, Update
from tests.factories import make_author, make_story, make_update, make_user

pytestmark = pytest.mark.django_db


def editable_url(story):
    return f"/desk/{story.slug}/updates/"


def ask(client, story, updates):
    return client.get(editable_url(story), {"id": [update.pk for update in updates]})


@pytest.fixture
def story():
    return make_story(title="Повінь · فيضان · 洪水")


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_desk_answer_says_where_to_ask(story):
    desk = signed_in(make_user(role="Reporters")).get(f"/desk/{story.slug}/").json()
    assert desk["editable_url"] == f"/desk/{quote(story.slug)}/updates/"
    assert desk["scripts"][0] == "/static/coverage/desk.js"  # the composer first, what builds on it after
    assert desk["scripts"].count("/static/coverage/desk-edit.js") == 1
    assert desk["texts"]["save_mine"] == "Save mine over theirs"


def test_an_editor_may_edit_every_update_and_is_told_who_saved_each_last(story):
    editor = make_user(username="ivan", role="Editors")
    olena = make_user(username="olena", role="Reporters")
    theirs = Update(story=story, body="Рівень води зростає.", status=Update.Status.PUBLISHED)
    services.save_update(update=theirs, authors=[olena.author], user=olena)
    other = make_update(story=story, body="水位上涨。")
    answer = ask(signed_in(editor), story, [other, theirs])
    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"]
    theirs.refresh_from_db()
    revision = theirs.revisions.get()
    assert answer.json() == {
        "updates": [
            {
                "id": theirs.pk,
                "etag": f'"update-{theirs.pk}-v1"',
                "saved_by": "Olena Tester",
                "saved_at": revision.saved_at.isoformat(),
            },
            {"id": other.pk, "etag": f'"update-{other.pk}-v1"', "saved_by": "", "saved_at": None},
        ]
    }


def test_a_reporter_is_told_only_of_their_own_updates(story):
    reporter = make_user(username="olena", role="Reporters")
    own = make_update(story=story, body="Евакуація триває.", authors=[reporter.author])
    created = Update(story=story, body="الإخلاء مستمر.", status=Update.Status.PUBLISHED)
    services.save_update(update=created, authors=[make_author(name="Other")], user=reporter)
    someone_elses = make_update(story=story, body="别人的更新。", authors=[make_author(name="周伟")])
    elsewhere = make_update(body="Another story.", authors=[reporter.author])
    answer = ask(signed_in(reporter), story, [own, created, someone_elses, elsewhere]).json()
    assert [item["id"] for item in answer["updates"]] == sorted([own.pk, created.pk])


def test_readers_and_roleless_logins_are_refused(client, story):
    update = make_update(story=story)
    refused = ask(client, story, [update])
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Sign in to the newsroom to publish."}
    assert ask(signed_in(make_user(role=None)), story, [update]).status_code == 403
    not_staff = make_user(role="Editors")
    not_staff.is_staff = False
    not_staff.save()
    assert ask(signed_in(not_staff), story, [update]).status_code == 403


def test_a_story_readers_cannot_see_is_not_found():
    draft = make_story(status=Story.Status.DRAFT)
    update = make_update(story=draft)
    assert ask(signed_in(make_user(role="Editors")), draft, [update]).status_code == 404


def test_ids_that_are_not_numbers_are_ignored(story):
    update = make_update(story=story)
    client = signed_in(make_user(role="Editors"))
    answer = client.get(editable_url(story), {"id": ["x", "²", "9" * 40, str(update.pk)]})
    assert [item["id"] for item in answer.json()["updates"]] == [update.pk]
    assert client.get(editable_url(story)).json() == {"updates": []}


def test_the_query_count_does_not_grow_with_the_updates_asked(story):
    editor = make_user(role="Editors")
    client = signed_in(editor)
    updates = []
    for number in range(12):
        update = Update(story=story, body=f"Оновлення {number}.", status=Update.Status.PUBLISHED)
        services.save_update(update=update, authors=[editor.author], user=editor)
        updates.append(update)
    ask(client, story, updates[:1])  # the session and permissions, once
    with CaptureQueriesContext(connection) as one:
        assert len(ask(client, story, updates[:1]).json()["updates"]) == 1
    with CaptureQueriesContext(connection) as twelve:
        assert len(ask(client, story, updates).json()["updates"]) == 12
    assert len(twelve) == len(one) <= 7


def test_an_edit_read_compressed_saves_with_the_etag_it_was_given(story):
    """A browser's read is compressed (its ETag then weak, W/"…"): sent back as If-Match it
    still names the version, so the desk's save is not refused as stale."""
    editor = make_user(role="Editors")
    update = make_update(story=story, body="Старий текст, " * 30)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)
    desk = browser.get(f"/desk/{story.slug}/").json()
    read = browser.get(f"{desk['post_url']}{update.pk}/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert read["Content-Encoding"] == "gzip"
    assert read["ETag"] == f'W/"update-{update.pk}-v1"'
    saved = browser.patch(
        f"{desk['post_url']}{update.pk}/",
        json.dumps({"markdown": "新的文本。"}),
        content_type="application/json",
        HTTP_IF_MATCH=read["ETag"],
        HTTP_X_CSRFTOKEN=desk["csrf_token"],
    )
    assert saved.status_code == 200
    assert Update.objects.get(pk=update.pk).body == "新的文本。"
    stale = browser.patch(
        f"{desk['post_url']}{update.pk}/",
        json.dumps({"markdown": "Знову."}),
        content_type="application/json",
        HTTP_IF_MATCH=read["ETag"],
        HTTP_X_CSRFTOKEN=desk["csrf_token"],
    )
    assert stale.status_code == 412
    assert stale.json()["current"]["markdown"] == "新的文本。"
