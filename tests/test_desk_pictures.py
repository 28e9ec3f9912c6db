"""Pictures from the live desk, on the server: what the desk's answer offers the pictures'
script, and the write API's path the script takes (a draft, its pictures, then publish with
the draft's ETag; a refused picture deletes the draft and leaves no file)."""

import io
import json

import pytest
from django.test import Client
from PIL import Image as PILImage

from coverage import images
from coverage.models import Image, Update
from tests.factories import make_story, make_user

pytestmark = pytest.mark.django_db(transaction=True)  # files go when a delete commits


def png(width=320, height=180):
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (30, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def stored_files(settings):
    return sorted(
        str(path.relative_to(settings.MEDIA_ROOT))
        for path in settings.MEDIA_ROOT.rglob("*")
        if path.is_file()
    )


@pytest.fixture
def desk_session():
    """A reporter's browser as the desk's scripts use it: session, CSRF header, the desk's answer."""
    story = make_story(title="Нічна зміна")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_user(username="olena", role="Reporters"))
    desk = browser.get(f"/desk/{story.slug}/").json()
    browser.defaults["HTTP_X_CSRFTOKEN"] = desk["csrf_token"]
    return story, browser, desk


def post_draft(browser, desk, markdown):
    posted = browser.post(
        desk["post_url"],
        json.dumps({"markdown": markdown, "status": "draft"}),
        content_type="application/json",
    )
    assert posted.status_code == 201
    return posted.json()["id"], posted["ETag"]


def test_the_desk_loads_the_pictures_script_after_the_composer_with_its_words(desk_session):
    _, _, desk = desk_session
    assert desk["scripts"][0] == "/static/coverage/desk.js"  # the composer first, what builds on it after
    assert desk["scripts"].count("/static/coverage/desk-pictures.js") == 1
    assert desk["picture_max_bytes"] == images.MAX_UPLOAD_BYTES
    assert desk["texts"]["add_picture"] == "Add a picture"
    assert desk["texts"]["picture_formats"] == "JPEG, PNG, WebP or GIF"


def test_a_picture_leaves_the_drafts_etag_as_it_was_so_it_publishes_with_it(desk_session, settings):
    story, browser, desk = desk_session
    pk, etag = post_draft(browser, desk, "Міст відкрито.")
    for number, (alt, caption, credit) in enumerate(
        [("Міст на світанку", "الجسر عند الفجر", "摄影：李娜"), ("Другий кадр", "", "")], start=1
    ):
        added = browser.post(
            f"{desk['post_url']}{pk}/images/",
            {"alt_text": alt, "caption": caption, "credit": credit, "file": io.BytesIO(png())},
        )
        assert added.status_code == 201, added.content
        assert "ETag" not in added  # the picture's answer names no version of the update
        assert browser.get(f"{desk['post_url']}{pk}/")["ETag"] == etag, f"picture {number} moved the version"
    published = browser.patch(
        f"{desk['post_url']}{pk}/",
        json.dumps({"status": "published"}),
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert published.status_code == 200, published.content
    update = story.updates.get()
    assert update.status == Update.Status.PUBLISHED
    assert list(update.images.values_list("alt_text", "caption", "credit")) == [
        ("Міст на світанку", "الجسر عند الفجر", "摄影：李娜"),
        ("Другий кадр", "", ""),
    ]
    assert [answer["alt_text"] for answer in published.json()["images"]] == [
        "Міст на світанку",
        "Другий кадр",
    ]


def test_a_fake_picture_is_refused_and_deleting_the_draft_leaves_nothing_stored(desk_session, settings):
    story, browser, desk = desk_session
    pk, _ = post_draft(browser, desk, "Текст лишається.")
    good = browser.post(
        f"{desk['post_url']}{pk}/images/", {"alt_text": "Справжнє фото", "file": io.BytesIO(png())}
    )
    assert good.status_code == 201
    assert stored_files(settings)  # the good one and its renditions, until the draft goes
    fake = io.BytesIO(b"\x89PNG\r\n\x1a\nThis is a note, not a picture.\n")
    fake.name = "note.png"
    refused = browser.post(f"{desk['post_url']}{pk}/images/", {"alt_text": "Підробка", "file": fake})
    assert refused.status_code == 422
    assert (
        refused.json()["detail"] == "This file is not a readable picture (damaged, or not a picture at all). "
        "Upload a JPEG, PNG, WebP or GIF picture."
    )
    assert Image.objects.count() == 1

    deleted = browser.delete(f"{desk['post_url']}{pk}/", HTTP_IF_MATCH="*")
    assert deleted.status_code == 204
    assert (Update.objects.filter(story=story).count(), Image.objects.count()) == (0, 0)
    assert stored_files(settings) == []


def test_a_compressed_answers_weak_etag_names_the_drafts_version(desk_session):
    """The browser asks for compressed answers: the draft's ETag comes back weak (W/"…"); sent
    back in If-Match it names the draft's version all the same (and only that version)."""
    _, browser, desk = desk_session
    posted = browser.post(
        desk["post_url"],
        json.dumps({"markdown": "Стисла відповідь · 压缩 · مضغوط " * 20, "status": "draft"}),
        content_type="application/json",
        HTTP_ACCEPT_ENCODING="gzip",
    )
    assert posted.status_code == 201 and posted["Content-Encoding"] == "gzip"
    weak = posted["ETag"]
    assert weak.startswith('W/"update-')
    url = f"{desk['post_url']}{Update.objects.get().pk}/"

    def publish(etag):
        return browser.patch(
            url, json.dumps({"status": "published"}), content_type="application/json", HTTP_IF_MATCH=etag
        )

    assert publish(weak).status_code == 200
    assert Update.objects.get().status == Update.Status.PUBLISHED
    assert publish(weak).status_code == 412  # that version is gone
