"""Who else is at a story's live desk: heartbeats kept in the shared cache, for the newsroom only."""

import json
import threading
import time

import pytest
from django.core.cache import cache
from django.db import connections
from django.test import Client

from coverage import presence
from coverage.models import Story
from tests.factories import make_story, make_update, make_user

pytestmark = pytest.mark.django_db


def presence_url(story):
    return f"/desk/{story.slug}/presence"


class Desk:
    """One editor's open desk: a session with CSRF checks on and the token the desk hands out."""

    def __init__(self, story, username, role="Reporters"):
        self.story = story
        self.user = make_user(username=username, role=role)
        self.browser = Client(enforce_csrf_checks=True)
        self.browser.force_login(self.user)
        self.token = self.browser.get(f"/desk/{story.slug}/").json()["csrf_token"]

    def beat(self, doing="here", update=None):
        return self.browser.post(
            presence_url(self.story),
            json.dumps({"doing": doing, "update": update}),
            content_type="application/json",
            HTTP_X_CSRFTOKEN=self.token,
        )

    def others(self, doing="here", update=None):
        answer = self.beat(doing, update)
        assert answer.status_code == 200, answer.content
        return [(person["name"], person["doing"], person["update"]) for person in answer.json()["present"]]

    def goodbye(self):
        """What navigator.sendBeacon sends: a form with the CSRF token in it."""
        return self.browser.post(
            presence_url(self.story), {"doing": "gone", "csrfmiddlewaretoken": self.token}
        )


def test_editors_see_each_other_with_their_names_in_any_script():
    story = make_story()
    olena = Desk(story, "олена")
    ahmed = Desk(story, "أحمد", role="Editors")
    wang = Desk(story, "王芳")
    assert olena.others("writing") == []
    assert ahmed.others("here") == [("Олена", "writing", None)]
    update = make_update(story=story, body="Перше.")
    answer = wang.beat("editing", update.pk)
    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"]
    assert answer.json() == {
        "present": [
            {"id": olena.user.pk, "name": "Олена", "doing": "writing", "update": None},
            {"id": ahmed.user.pk, "name": "أحمد", "doing": "here", "update": None},
        ],
        "heartbeat": presence.HEARTBEAT_SECONDS,
        "writing": presence.WRITING_SECONDS,
    }
    assert olena.others("here") == [("أحمد", "here", None), ("王芳", "editing", update.pk)]


def test_another_storys_desk_is_not_this_one():
    story, other = make_story(), make_story(title="Інша історія")
    Desk(story, "olena").beat("writing")
    assert Desk(other, "ivan").others() == []


def test_a_goodbye_by_beacon_leaves_at_once():
    story = make_story()
    olena, ivan = Desk(story, "olena"), Desk(story, "ivan")
    olena.beat("writing")
    assert ivan.others() == [("Olena", "writing", None)]
    assert olena.goodbye().status_code == 204
    assert ivan.others() == []
    assert olena.others() == [("Ivan", "here", None)]  # back again with the next heartbeat


def test_an_editor_without_a_heartbeat_is_gone_and_stops_writing_first():
    story = make_story()
    olena, ivan = Desk(story, "olena"), Desk(story, "ivan")
    then = time.time()
    presence.beat(story, olena.user, doing="writing", now=then)
    assert (
        presence.present(story, besides=ivan.user, now=then + presence.WRITING_SECONDS - 1)[0]["doing"]
        == "writing"
    )
    assert (
        presence.present(story, besides=ivan.user, now=then + presence.WRITING_SECONDS + 1)[0]["doing"]
        == "here"
    )
    assert len(presence.present(story, besides=ivan.user, now=then + presence.PRESENT_SECONDS - 1)) == 1
    assert presence.present(story, besides=ivan.user, now=then + presence.PRESENT_SECONDS + 1) == []
    presence.beat(story, olena.user, doing="here", now=then - presence.PRESENT_SECONDS - 1)
    assert ivan.others() == []  # the view reads the clock too


def test_the_cache_itself_forgets_a_silent_editor(monkeypatch):
    """The entry lives as long as a presence does: the cache drops it, nothing has to sweep."""
    monkeypatch.setattr(presence, "PRESENT_SECONDS", 1)
    story = make_story()
    olena = Desk(story, "olena")
    olena.beat("writing")
    key = f"desk-presence:{story.pk}:{olena.user.pk}"
    assert cache.get(key)["doing"] == "writing"
    time.sleep(1.2)
    assert cache.get(key) is None


@pytest.mark.django_db(transaction=True)
def test_racing_heartbeats_lose_no_one():
    """Six editors beating at once, on threads as on workers: each writes only its own entry."""
    story = make_story()
    desks = [Desk(story, name) for name in ("olena", "ivan", "petro", "أحمد", "王芳", "maria")]
    start = threading.Barrier(len(desks))
    failures = []

    def beat(desk):
        try:
            start.wait()
            for _ in range(5):
                assert desk.beat("writing").status_code == 200
        except Exception as error:  # reported below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=beat, args=(desk,)) for desk in desks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    watcher = Desk(story, "watcher")
    assert sorted(name for name, doing, _ in watcher.others() if doing == "writing") == sorted(
        ["Olena", "Ivan", "Petro", "أحمد", "王芳", "Maria"]
    )


def test_editing_names_an_update_of_this_story():
    story = make_story()
    elsewhere = make_update(story=make_story(title="Інша"), body="Там.")
    olena = Desk(story, "olena")
    assert olena.beat("editing", elsewhere.pk).status_code == 400
    assert olena.beat("editing", None).status_code == 400
    assert olena.beat("editing", True).status_code == 400
    assert olena.beat("dancing").status_code == 400
    own = make_update(story=story, body="Тут.")
    assert olena.beat("writing", own.pk).status_code == 200  # an update only goes with editing
    assert Desk(story, "ivan").others() == [("Olena", "writing", None)]


def test_presence_is_refused_to_readers_anonymous_roleless_and_forged_requests(client):
    story = make_story()
    sent = json.dumps({"doing": "here", "update": None})
    assert client.post(presence_url(story), sent, content_type="application/json").status_code == 403
    reader = make_user(username="reader", role="Reporters")
    reader.is_staff = False
    reader.save()
    not_staff = Client()
    not_staff.force_login(reader)
    assert not_staff.post(presence_url(story), sent, content_type="application/json").status_code == 403
    roleless = Client()
    roleless.force_login(make_user(role=None))
    assert roleless.post(presence_url(story), sent, content_type="application/json").status_code == 403
    olena = Desk(story, "olena")
    forged = olena.browser.post(presence_url(story), sent, content_type="application/json")  # no token
    assert forged.status_code == 403
    beacon_forged = olena.browser.post(presence_url(story), {"doing": "gone"})
    assert beacon_forged.status_code == 403
    assert olena.browser.get(presence_url(story)).status_code == 405
    assert Desk(story, "ivan").others() == []  # none of them counted as present


def test_a_story_readers_cannot_see_has_no_desk_presence():
    draft = make_story(status=Story.Status.DRAFT)
    browser = Client()
    browser.force_login(make_user(role="Editors"))
    answer = browser.post(presence_url(draft), json.dumps({"doing": "here"}), content_type="application/json")
    assert answer.status_code == 404
