"""Picture uploads: only real raster images, within limits, without metadata, with renditions."""

import errno
import io
import os
import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from PIL import Image as PILImage

from coverage import held, images, services
from coverage.models import Image, Update
from tests.factories import make_huge_png, make_picture, make_story, make_update, make_user
from tests.htmlforms import form_data

pytestmark = pytest.mark.django_db


def stored_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def saved_files():
    """Files of saved pictures: not those kept while a form with errors is corrected."""
    return [name for name in stored_files() if not name.startswith("held/")]


@pytest.fixture
def editor_client(client):
    client.force_login(make_user(username="edith", role="Editors"))
    return client


def post_update_with_picture(client, story, upload, **fields):
    """Fill in the add form of an update for ``story`` with one picture, and save it."""
    link = f"{reverse('admin:coverage_update_add')}?story={story.pk}"
    data = form_data(client.get(link).content, "update_form", body="With a picture.", _save="Save")
    data |= {
        "images-0-file": upload,
        "images-0-caption": fields.get("caption", "Crowds outside the court."),
        "images-0-credit": fields.get("credit", "Ana Lens/Agency"),
        "images-0-alt_text": fields.get("alt_text", "People holding signs on a wide street."),
        "images-0-position": "0",
    }
    return client.post(link, data)


def errors_of(response):
    return " ".join(
        re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
    )


def text_renamed_jpg():
    return SimpleUploadedFile("photo.jpg", b"Not a picture at all.\n", "image/jpeg")


def truncated_jpeg():
    return SimpleUploadedFile("cut.jpg", make_picture(size=(400, 300))[:700], "image/jpeg")


def svg():
    drawing = b'<svg xmlns="http://www.w3.org/2000/svg" width="9"><script>alert(1)</script></svg>'
    return SimpleUploadedFile("drawing.svg", drawing, "image/svg+xml")


def png_of_20000_by_20000():
    return SimpleUploadedFile("huge.png", make_huge_png(width=20_000, height=20_000), "image/png")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (text_renamed_jpg, "not a picture"),
        (truncated_jpeg, "damaged or incomplete"),
        (svg, "SVG drawings are not accepted"),
        (png_of_20000_by_20000, "too large (400 megapixels)"),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_message_and_leave_nothing(editor_client, upload, message):
    story = make_story()
    response = post_update_with_picture(editor_client, story, upload())
    assert response.status_code == 200
    assert message in errors_of(response)
    assert not Image.objects.exists()
    assert not Update.objects.exists()
    assert stored_files() == []


def test_a_file_over_20_megabytes_is_refused_before_it_is_read():
    upload = SimpleUploadedFile("big.jpg", b"\xff" * (images.MAX_UPLOAD_BYTES + 1), "image/jpeg")
    with pytest.raises(images.UploadRefused, match=r"This file is 20\.1 MB; pictures can be at most 20 MB\."):
        images.clean_upload(upload)


def test_more_than_40_megapixels_is_refused_even_below_pillows_own_limit():
    with pytest.raises(images.UploadRefused, match=r"too large \(40.1 megapixels\): at most 40"):
        images.clean_upload(io.BytesIO(make_huge_png(width=8000, height=5001)))


def test_gps_and_all_exif_are_stripped_and_orientation_applied(editor_client):
    original = make_picture(size=(60, 20), orientation=6, gps=True)  # 6: rotate 90° clockwise to view
    with PILImage.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(0x8825)  # the test picture really has a position
    story = make_story()
    response = post_update_with_picture(editor_client, story, SimpleUploadedFile("holiday.jpg", original))
    assert response.status_code == 302, errors_of(response)
    image = Image.objects.get()
    with default_storage.open(image.file.name) as handle, PILImage.open(handle) as stored:
        assert stored.format == "JPEG"
        assert "exif" not in stored.info and len(stored.getexif()) == 0
        assert not {"icc_profile", "xmp", "comment"} & set(stored.info)
        assert stored.size == (20, 60)  # upright
        assert stored.convert("RGB").getpixel((15, 2))[2] > 150  # the blue corner is now top-right
    assert (image.width, image.height) == (20, 60)
    assert image.file.name.startswith("images/") and image.file.name.endswith("holiday.jpg")
    assert image.update.story == story and image.story == story


@pytest.mark.parametrize(("format", "extension"), [("PNG", "png"), ("WEBP", "webp"), ("GIF", "gif")])
def test_png_webp_and_gif_are_accepted_by_content_whatever_their_name(editor_client, format, extension):
    upload = SimpleUploadedFile("named-wrongly.jpg", make_picture(format=format, size=(64, 40)))
    assert post_update_with_picture(editor_client, make_story(), upload).status_code == 302
    image = Image.objects.get()
    assert image.file.name.endswith(f".{extension}")
    assert (image.width, image.height) == (64, 40)
    assert {item["type"] for item in image.renditions} == {"image/webp", "image/jpeg"}
    for item in image.renditions:
        assert default_storage.exists(item["name"])


def test_renditions_cover_the_reader_widths():
    picture = images.clean_upload(io.BytesIO(make_picture(size=(2000, 1000))))
    image = services.save_image(
        image=Image(story=make_story(), file=picture.as_file("wide.jpg"), alt_text="Wide.", caption="Wide.")
    )
    assert sorted({item["width"] for item in image.renditions}) == [480, 960, 1600]
    assert (image.width, image.height) == (2000, 1000)


def test_alt_text_is_required_for_an_upload(editor_client):
    upload = SimpleUploadedFile("a.jpg", make_picture())
    response = post_update_with_picture(editor_client, make_story(), upload, alt_text="")
    assert "Describe the picture for readers who cannot see it" in errors_of(response)
    assert not Image.objects.exists() and saved_files() == []
    assert [name.split("/")[0] for name in stored_files()] == ["held"]  # kept for the corrected form


def test_the_public_page_shows_the_picture_with_srcset_caption_and_credit(editor_client, client):
    story = make_story()
    upload = SimpleUploadedFile("court.jpg", make_picture(size=(64, 48)))
    assert post_update_with_picture(editor_client, story, upload).status_code == 302
    image = Image.objects.get()
    html = client.get(story.get_absolute_url()).content.decode()
    webp = next(item for item in image.renditions if item["type"] == "image/webp")
    assert f'<source type="image/webp" srcset="{default_storage.url(webp["name"])} 64w"' in html
    assert re.search(
        r'<img src="[^"]+court[^"]*\.jpg" srcset="[^"]+ 64w" sizes="[^"]+" alt="People holding', html
    )
    assert 'width="64" height="48"' in html
    assert "Crowds outside the court." in html and "Ana Lens/Agency" in html


def test_a_save_that_fails_after_writing_the_picture_leaves_no_file_and_no_row():
    story = make_story()
    picture = images.clean_upload(io.BytesIO(make_picture()))
    with pytest.raises(RuntimeError), images.discard_files_on_error(), transaction.atomic():
        services.save_image(image=Image(story=story, file=picture.as_file("a.jpg"), alt_text="A."))
        assert len(stored_files()) == 3  # the picture and two renditions
        raise RuntimeError("a later step of the same save fails")
    assert not Image.objects.exists()
    assert stored_files() == []


class FullDiskStorage(FileSystemStorage):
    """A media disk with ``room`` bytes free: a write that does not fit stops part-way, as on a full disk."""

    room = 0

    def _save(self, name, content):
        data = content.read()
        fits, FullDiskStorage.room = data[: max(self.room, 0)], self.room - len(data)
        saved = super()._save(name, ContentFile(fits))  # what fitted stays on the disk
        if len(fits) < len(data):
            raise OSError(errno.ENOSPC, "No space left on device")
        return saved


@pytest.fixture
def full_disk(settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.FullDiskStorage"}}
    return FullDiskStorage


@pytest.mark.parametrize("room", ["half the picture", "the picture and some renditions"])
def test_a_full_disk_during_an_upload_leaves_no_file_and_no_row(full_disk, room):
    story = make_story()
    picture = images.clean_upload(io.BytesIO(make_picture(size=(1200, 900))))
    first_rendition = 6_000
    full_disk.room = (
        len(picture.content) // 2 if room == "half the picture" else len(picture.content) + first_rendition
    )
    with pytest.raises(OSError, match="No space left on device"):
        services.save_image(image=Image(story=story, file=picture.as_file("a.jpg"), alt_text="A."))
    assert not Image.objects.exists()
    assert stored_files() == []


def test_deleting_or_replacing_a_picture_removes_its_files(editor_client, django_capture_on_commit_callbacks):
    story = make_story()
    assert (
        post_update_with_picture(
            editor_client, story, SimpleUploadedFile("a.jpg", make_picture())
        ).status_code
        == 302
    )
    image = Image.objects.get()
    first_files = stored_files()
    assert len(first_files) == 3

    change = reverse("admin:coverage_image_change", args=[image.pk])
    data = form_data(editor_client.get(change).content, "image_form", _save="Save")
    data["file"] = SimpleUploadedFile("b.png", make_picture(format="PNG"))
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(change, data).status_code == 302
    second_files = stored_files()
    assert len(second_files) == 3 and not set(first_files) & set(second_files)

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("admin:coverage_image_delete", args=[image.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert stored_files() == []


def test_seeded_placeholders_shared_by_images_are_kept(django_capture_on_commit_callbacks):
    story = make_story()
    name = default_storage.save("placeholders/shared.jpg", ContentFile(make_picture()))
    first = Image.objects.create(story=story, file=name)
    Image.objects.create(story=story, file=name)
    with django_capture_on_commit_callbacks(execute=True):
        first.delete()
    assert default_storage.exists(name)


def test_reporters_cannot_attach_pictures_to_someone_elses_update(client):
    reporter = make_user(username="remy", role="Reporters")
    theirs = make_update()
    client.force_login(reporter)
    add = reverse("admin:coverage_image_add")
    data = form_data(client.get(add).content, "image_form", _save="Save")
    data |= {"update": theirs.pk, "file": SimpleUploadedFile("a.jpg", make_picture()), "alt_text": "A."}
    response = client.post(add, data)
    assert response.status_code == 200
    assert "Select a valid choice" in errors_of(response)
    assert not Image.objects.exists() and saved_files() == []
    assert [name.split("/")[0] for name in stored_files()] == ["held"]  # kept for the corrected form


def test_image_list_shows_thumbnails_and_where_each_is_used(editor_client):
    story = make_story(title="Flood warning")
    assert (
        post_update_with_picture(
            editor_client, story, SimpleUploadedFile("a.jpg", make_picture())
        ).status_code
        == 302
    )
    update = Update.objects.get()
    html = editor_client.get(reverse("admin:coverage_image_changelist")).content.decode()
    assert 'class="coverage-thumb"' in html
    assert reverse("admin:coverage_update_change", args=[update.pk]) in html and "Flood warning" in html
    listing = editor_client.get(reverse("admin:coverage_update_changelist")).content.decode()
    assert 'class="coverage-thumb"' in listing


def test_author_photos_go_through_the_same_pipeline(editor_client):
    from coverage.models import Author

    add = reverse("admin:coverage_author_add")
    data = form_data(editor_client.get(add).content, "author_form", _save="Save")
    data |= {
        "name": "Nadia Field",
        "slug": "nadia-field",
        "photo": SimpleUploadedFile("me.jpg", make_picture(gps=True)),
    }
    assert editor_client.post(add, data).status_code == 302
    author = Author.objects.get(slug="nadia-field")
    with default_storage.open(author.photo.name) as handle, PILImage.open(handle) as stored:
        assert len(stored.getexif()) == 0
    data |= {"name": "Not A Photo", "slug": "not-a-photo", "photo": SimpleUploadedFile("me.jpg", b"text")}
    assert "not a picture" in errors_of(editor_client.post(add, data))


def test_reporters_cannot_change_or_delete_pictures_of_someone_elses_update(client):
    theirs = make_update()
    picture = images.clean_upload(io.BytesIO(make_picture()))
    image = services.save_image(
        image=Image(story=theirs.story, update=theirs, file=picture.as_file("a.jpg"), alt_text="A.")
    )
    client.force_login(make_user(username="remy", role="Reporters"))
    change = reverse("admin:coverage_image_change", args=[image.pk])
    assert 'name="_save"' not in client.get(change).content.decode()
    hijack = {"caption": "Hijacked", "alt_text": "x", "update": theirs.pk}
    assert client.post(change, hijack).status_code == 403
    delete = reverse("admin:coverage_image_delete", args=[image.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Image.objects.get(pk=image.pk).caption == ""


def test_a_kept_picture_lapses_after_a_day(monkeypatch):
    kept = held.hold(SimpleUploadedFile("ship.jpg", make_picture(size=(80, 60), gps=True)))
    again = held.held(kept.token)
    assert again.name == "ship.jpg" and PILImage.open(again).size == (80, 60)
    assert held.held("forged") is None

    path = Path(settings.MEDIA_ROOT) / kept.name
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(path, (two_days_ago, two_days_ago))
    later = time.time() + 2 * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    assert held.held(kept.token) is None  # the token has lapsed
    monkeypatch.undo()
    other = held.hold(SimpleUploadedFile("quay.jpg", make_picture()))
    assert not path.exists()  # stale kept pictures go as others are kept
    assert saved_files() == [] and stored_files() == [other.name]


def test_an_author_photo_upload_makes_square_portraits_and_replacing_it_removes_the_old(
    editor_client, django_capture_on_commit_callbacks
):
    from coverage.models import Author

    add = reverse("admin:coverage_author_add")
    data = form_data(editor_client.get(add).content, "author_form", _save="Save")
    data |= {"name": "Nadia Field", "slug": "nadia-field"}
    data["photo"] = SimpleUploadedFile("me.jpg", make_picture(size=(300, 400)))
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(add, data).status_code == 302
    author = Author.objects.get(slug="nadia-field")
    sizes = []
    for item in author.photo_renditions:
        with default_storage.open(item["name"]) as handle, PILImage.open(handle) as square:
            sizes.append(square.size)
    assert sizes == [(96, 96), (192, 192)]
    old = [author.photo.name, *(item["name"] for item in author.photo_renditions)]

    change = reverse("admin:coverage_author_change", args=[author.pk])
    data = form_data(editor_client.get(change).content, "author_form", _save="Save")
    data["photo"] = SimpleUploadedFile("new.png", make_picture(size=(200, 200), format="PNG"))
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(change, data).status_code == 302
    author.refresh_from_db()
    assert len(author.photo_renditions) == 2
    assert not any(default_storage.exists(name) for name in old)
    assert all(default_storage.exists(item["name"]) for item in author.photo_renditions)
