"""The editor's way through the admin: the login's byline, back to the story after a save."""

import io
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from PIL import Image as PILImage

from coverage.models import Author, Story, Update
from tests.factories import make_author, make_picture, make_story, make_update, make_user
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


# --- a form error loses nothing the editor typed or chose ------------------------------------


def field_values(html):
    data = form_data(html, "update_form")
    return {name: data.get(name) for name in FIELDS_TYPED}


FIELDS_TYPED = [
    "story", "byline", "headline", "body", "contributor_line", "status", "published_at_0", "published_at_1",
    "pinned", "key_event", "images-0-caption", "images-0-credit", "images-0-alt_text", "images-0-position",
]  # fmt: skip


def test_a_form_error_keeps_everything_typed_and_the_picture_chosen(settings, editor):
    story = make_story()
    zoe, adam = make_author(name="Zoe Zed"), make_author(name="Адам Аблов")
    link = f"{UPDATE_ADD}?story={story.pk}"
    typed = {
        "story": str(story.pk), "byline": [str(zoe.pk), str(adam.pk)], "headline": "Harbour reopens",
        "body": "Ships are moving again.\n\nΤα πλοία κινούνται ξανά.", "contributor_line": "Ana contributed.",
        "status": "scheduled", "published_at_0": "", "published_at_1": "09:00",  # the date is missing
        "pinned": "on", "key_event": "on", "images-0-caption": "The first ship out.",
        "images-0-credit": "Ana Lens/Harbour Times", "images-0-alt_text": "A cargo ship leaving the quay.",
        "images-0-position": "1",
    }  # fmt: skip
    data = form_data(editor.get(link).content, "update_form", _save="Save", **typed)
    picture = make_picture(size=(800, 600), gps=True)
    data["images-0-file"] = SimpleUploadedFile("first ship.jpg", picture, "image/jpeg")
    refused = editor.post(link, data)
    assert refused.status_code == 200 and not Update.objects.exists()
    assert field_values(refused.content) == typed

    # The picture is kept (cleaned: no location), shown, and carried back by the form.
    html = refused.content.decode()
    assert "Kept: first ship.jpg (not saved yet; choose another file to replace it)" in html
    (held_file,) = (Path(settings.MEDIA_ROOT) / "held").iterdir()
    with PILImage.open(held_file) as kept:
        assert kept.size == (800, 600) and not kept.getexif()

    again = form_data(html, "update_form", _save="Save", published_at_0="2099-03-13")  # no file chosen again
    assert editor.post(link, again).status_code == 302
    update = Update.objects.get()
    assert (update.headline, update.pinned, update.key_event) == ("Harbour reopens", True, True)
    assert update.byline_authors() == [zoe, adam]
    (image,) = update.images.all()
    assert (image.caption, image.alt_text, image.width, image.position) == (
        "The first ship out.", "A cargo ship leaving the quay.", 800, 1,
    )  # fmt: skip
    assert image.file.name.startswith("images/") and image.renditions


def test_a_kept_picture_cannot_be_forged(editor):
    story = make_story()
    link = f"{UPDATE_ADD}?story={story.pk}"
    data = form_data(editor.get(link).content, "update_form", _save="Save", body="Forged.")
    data |= {"images-0-file-held": "held/elsewhere.jpg", "images-0-caption": "A caption.",
             "images-0-alt_text": "Alt.", "images-0-position": "0"}  # fmt: skip
    response = editor.post(link, data)
    assert response.status_code == 200  # the picture is missing: nothing saved
    assert "This field is required." in response.content.decode()
    assert not Update.objects.exists()
