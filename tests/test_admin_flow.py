"""The editor's way through the admin: the login's byline, back to the story after a save."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from coverage.models import Author, Story, Update
from tests.factories import make_author, make_story, make_update, make_user
from tests.htmlforms import form_data

pytestmark = pytest.mark.django_db

UPDATE_ADD = reverse("admin:coverage_update_add")
UPDATE_LIST = reverse("admin:coverage_update_changelist")


@pytest.fixture
def editor(client):
    client.force_login(make_user(username="edith", role="Editors"))
    return client


def rows(html):
    """(id, class) of each row in the list of updates."""
    return re.findall(r'<tr id="update-row-(\d+)"(?: class="([^"]*)")?>', html)


def message_of(html):
    (message,) = re.findall(r'<li class="success">(.*?)</li>', html, re.S)
    return message


# --- the development login writes under its own byline ----------------------------------


def test_ensure_admin_links_the_login_to_an_author_once(client):
    out = io.StringIO()
    call_command("ensure_admin", password="pw-1", stdout=out)
    admin = get_user_model().objects.get(username="admin")
    assert admin.author.name == "Newsroom Editor"
    assert "writes as Newsroom Editor" in out.getvalue()
    call_command("ensure_admin", password="pw-2", stdout=io.StringIO())  # every `make run`
    assert Author.objects.filter(name="Newsroom Editor").count() == 1
    admin = get_user_model().objects.get(username="admin")
    assert admin.author.name == "Newsroom Editor"

    # The add form puts that author in the byline.
    client.force_login(admin)
    story = make_story()
    data = form_data(client.get(f"{UPDATE_ADD}?story={story.pk}").content, "update_form")
    assert data["byline"] == str(admin.author.pk)


def test_ensure_admin_can_link_an_existing_author(client):
    maria = make_author(name="Maria Varenikova")
    call_command("ensure_admin", password="pw-1", author="Maria Varenikova", stdout=io.StringIO())
    admin = get_user_model().objects.get(username="admin")
    assert admin.author == maria
    client.force_login(admin)
    data = form_data(client.get(UPDATE_ADD).content, "update_form")
    assert data["byline"] == str(maria.pk)


def test_ensure_admin_does_not_take_another_logins_author():
    colleague = make_user(username="carla")
    with pytest.raises(CommandError, match="already the author of the login carla"):
        call_command("ensure_admin", password="pw-1", author=colleague.author.name, stdout=io.StringIO())
    assert Author.objects.get(pk=colleague.author.pk).user == colleague


# --- after a save: back to the story, the update highlighted ------------------------------


def save(client, url, **changes):
    return client.post(url, form_data(client.get(url).content, "update_form", _save="Save", **changes))


def test_saving_a_new_update_returns_to_its_story_with_the_update_highlighted(editor):
    story = make_story(title="Harbour fire")
    earlier = make_update(story=story, body="Smoke over the docks.")
    elsewhere = make_update(story=make_story(title="Budget vote"), body="The vote is at noon.")

    response = save(editor, f"{UPDATE_ADD}?story={story.pk}", body="Crews contain the fire.")
    update = Update.objects.get(body="Crews contain the fire.")
    assert response.status_code == 302
    assert response["Location"] == f"{UPDATE_LIST}?story__id__exact={story.pk}#update-row-{update.pk}"

    html = editor.get(response["Location"]).content.decode()
    assert rows(html) == [(str(update.pk), "coverage-saved"), (str(earlier.pk), "")]  # newest first
    assert f"update-row-{elsewhere.pk}" not in html
    assert "<h1>Updates of the story</h1>" in html and "<h2>Harbour fire</h2>" in html
    assert message_of(html) == (
        f'The update “<a href="{reverse("admin:coverage_update_change", args=[update.pk])}">'
        f"Crews contain the fire.</a>” was added successfully. "
        f'<a href="{update.get_absolute_url()}">See it as readers do</a>.'
    )
    assert f'href="{UPDATE_ADD}?story={story.pk}" class="addlink">Add an update to this story' in html
    assert editor.get(update.get_absolute_url()).status_code == 200

    again = editor.get(response["Location"]).content.decode()  # highlighted once, not forever
    assert rows(again) == [(str(update.pk), ""), (str(earlier.pk), "")]


def test_saving_an_edit_returns_to_the_story_with_the_update_highlighted(editor):
    story = make_story()
    update = make_update(story=story, body="First version.")
    newer = make_update(story=story, body="Newer.")
    response = save(editor, reverse("admin:coverage_update_change", args=[update.pk]), body="Second version.")
    assert response["Location"] == f"{UPDATE_LIST}?story__id__exact={story.pk}#update-row-{update.pk}"
    html = editor.get(response["Location"]).content.decode()
    assert rows(html) == [(str(newer.pk), ""), (str(update.pk), "coverage-saved")]


@pytest.mark.parametrize(
    ("story_status", "changes", "message"),
    [
        ("live", {"status": "draft"}, "Not public yet: this update is a draft."),
        ("draft", {}, "Not public yet: the story “Quiet story” is a draft."),
        (
            "live",
            {"status": "scheduled", "published_at_0": "2099-03-13", "published_at_1": "09:00"},
            "Not public yet: readers see it from March 13, 2099, 9:00 AM EDT.",
        ),
    ],
)
def test_after_saving_an_update_readers_cannot_see_the_editor_is_told(editor, story_status, changes, message):
    story = make_story(title="Quiet story", status=story_status)
    response = save(editor, f"{UPDATE_ADD}?story={story.pk}", body="Not for readers yet.", **changes)
    assert response.status_code == 302
    html = editor.get(response["Location"]).content.decode()
    assert message_of(html).endswith(f"was added successfully. {message}")
    assert "See it as readers do" not in html


def test_save_and_continue_and_add_another_still_do_what_they_say(editor):
    story = make_story()
    link = f"{UPDATE_ADD}?story={story.pk}"
    response = editor.post(link, form_data(editor.get(link).content, "update_form", body="One.",
                                           _continue="Save and continue editing"))  # fmt: skip
    update = Update.objects.get(body="One.")
    assert response["Location"].startswith(reverse("admin:coverage_update_change", args=[update.pk]))
    response = editor.post(link, form_data(editor.get(link).content, "update_form", body="Two.",
                                           _addanother="Save and add another"))  # fmt: skip
    assert response["Location"] == link


def test_a_story_s_list_of_updates_has_no_story_column(editor):
    story = make_story(title="Harbour fire")
    make_update(story=story)
    assert 'class="field-story_title"' in editor.get(UPDATE_LIST).content.decode()
    one_story = editor.get(UPDATE_LIST, {"story__id__exact": story.pk}).content.decode()
    assert 'class="field-story_title"' not in one_story and Story.objects.count() == 1
