"""Media on S3-compatible storage, for real: moto's S3 server on loopback (``tests/s3.py``).

Uploads through the admin, their renditions, the URLs pages give readers (fetched over
HTTP without credentials, as a browser would), deletions, the seed's placeholders, the
settings read from the environment, and media backups and restores.
"""

import io
import re
import subprocess
import tarfile
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from PIL import Image as PILImage

from coverage.models import Author, Image
from liveblog.settings import media_storage
from tests.factories import SHIPPED_SEED, make_picture, make_story, make_update, make_user
from tests.htmlforms import form_data
from tests.s3 import fetch, make_bucket, s3_client, s3_environment
from tests.test_images import post_update_with_picture

pytestmark = pytest.mark.django_db

CONTENT_TYPES = {".jpg": "image/jpeg", ".webp": "image/webp", ".png": "image/png"}


@pytest.fixture
def editor_client(client):
    client.force_login(make_user(username="edith", role="Editors"))
    return client


def media_urls(html, s3):
    """Every URL of the bucket that ``html`` gives readers (``src``, ``srcset``, JSON-LD, Open Graph)."""
    return sorted(set(re.findall(rf"{re.escape(s3.endpoint_url)}/[^\s\"'<>,]+", html)))


def key_of(url, s3):
    """The object key a public URL of the bucket names."""
    path = unquote(urlsplit(url).path)
    prefix = f"/{s3.bucket}/"
    assert path.startswith(prefix), url
    return path.removeprefix(prefix)


def assert_served(urls, s3):
    """Each URL answers 200 to a reader, with the content type of its kind and a picture in it."""
    sizes = {}
    for url in urls:
        status, content_type, body = fetch(url)
        assert (status, content_type) == (200, CONTENT_TYPES[Path(url).suffix]), url
        with PILImage.open(io.BytesIO(body)) as picture:
            sizes[key_of(url, s3)] = picture.size
    return sizes


def picture_keys(image):
    return sorted([image.file.name, *(item["name"] for item in image.renditions)])


def test_an_upload_goes_to_the_bucket_with_its_renditions_and_the_page_links_them(
    s3_media, editor_client, client
):
    story = make_story()
    upload = SimpleUploadedFile("court.jpg", make_picture(size=(600, 400)))
    assert post_update_with_picture(editor_client, story, upload).status_code == 302
    image = Image.objects.get()
    stem = image.file.name.removesuffix(".jpg")
    assert re.fullmatch(r"images/\d{4}/\d{2}/court", stem)
    renditions = [f"renditions/{stem}-{width}w.{kind}" for width in (480, 600) for kind in ("jpg", "webp")]
    assert s3_media.keys() == sorted([image.file.name, *renditions])
    assert not Path(settings.MEDIA_ROOT).exists()  # nothing written to the media folder

    html = client.get(story.get_absolute_url()).content.decode()
    urls = media_urls(html, s3_media)
    assert sorted(key_of(url, s3_media) for url in urls) == s3_media.keys()
    base = f"{s3_media.endpoint_url}/{s3_media.bucket}"
    assert f'<img src="{base}/{image.file.name}" srcset="{base}/{renditions[0]} 480w, ' in html
    assert f'srcset="{base}/{renditions[1]} 480w, {base}/{renditions[3]} 600w"' in html
    sizes = assert_served(urls, s3_media)
    assert sizes == {
        image.file.name: (600, 400),
        **dict.fromkeys(renditions[:2], (480, 320)),
        **dict.fromkeys(renditions[2:], (600, 400)),
    }


def test_the_content_security_policy_lets_readers_load_pictures_from_the_bucket(s3_media, client):
    """Pages link pictures on the bucket's host: a policy of ``img-src 'self'`` alone blocks them all."""
    story = make_story()
    for path in (story.get_absolute_url(), reverse("admin:login")):
        policy = client.get(path)["Content-Security-Policy"]
        assert f"img-src 'self' data: {s3_media.endpoint_url};" in policy, path
        assert f"media-src 'self' {s3_media.endpoint_url};" in policy, path  # clips
        assert "script-src 'self';" in policy


def test_an_absolute_media_url_is_allowed_by_its_origin(settings, client):
    """A CSP source with a path but no closing slash (``https://cdn…/media``) matches no picture in it."""
    settings.MEDIA_URL = "https://cdn.example.org/media/"
    policy = client.get(make_story().get_absolute_url())["Content-Security-Policy"]
    assert "img-src 'self' data: https://cdn.example.org;" in policy


def test_a_file_name_in_cyrillic_and_arabic_uploads_and_serves(s3_media, editor_client, client):
    story = make_story(title="Паводок — فيضان")
    upload = SimpleUploadedFile("Київ на світанку — القدس.png", make_picture(format="PNG"))
    response = post_update_with_picture(
        editor_client, story, upload, caption="Київ на світанку", alt_text="القدس عند الفجر", credit="Олена"
    )
    assert response.status_code == 302
    image = Image.objects.get()
    # The stored name is the file name's slug: letters outside ASCII drop out of it.
    assert re.fullmatch(r"images/\d{4}/\d{2}/image\.png", image.file.name)
    assert s3_media.keys() == picture_keys(image)
    html = client.get(story.get_absolute_url()).content.decode()
    assert 'alt="القدس عند الفجر"' in html and "Київ на світанку" in html
    assert_served(media_urls(html, s3_media), s3_media)


def test_deleting_or_replacing_a_picture_in_the_admin_deletes_its_objects(
    s3_media, editor_client, django_capture_on_commit_callbacks
):
    story = make_story()
    upload = SimpleUploadedFile("a.jpg", make_picture())
    assert post_update_with_picture(editor_client, story, upload).status_code == 302
    image = Image.objects.get()
    first = picture_keys(image)
    assert s3_media.keys() == first and len(first) == 3

    change = reverse("admin:coverage_image_change", args=[image.pk])
    data = form_data(editor_client.get(change).content, "image_form", _save="Save")
    data["file"] = SimpleUploadedFile("b.png", make_picture(format="PNG"))
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(change, data).status_code == 302
    image.refresh_from_db()
    assert s3_media.keys() == picture_keys(image) and not set(first) & set(s3_media.keys())

    delete = reverse("admin:coverage_image_delete", args=[image.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(delete, {"post": "yes"}).status_code == 302
    assert s3_media.keys() == []


def test_author_portraits_go_to_the_bucket_and_the_author_page_links_them(
    s3_media, editor_client, client, django_capture_on_commit_callbacks
):
    add = reverse("admin:coverage_author_add")
    data = form_data(editor_client.get(add).content, "author_form", _save="Save")
    data |= {"name": "Надія Поле", "slug": "nadia-field"}
    data["photo"] = SimpleUploadedFile("me.jpg", make_picture(size=(300, 400), gps=True))
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(add, data).status_code == 302
    author = Author.objects.get(slug="nadia-field")
    make_update(authors=[author])  # the author page shows authors with a public update
    portraits = [item["name"] for item in author.photo_renditions]
    assert s3_media.keys() == sorted([author.photo.name, *portraits])
    assert author.photo.name == "authors/me.jpg"

    html = client.get(author.get_absolute_url()).content.decode()
    urls = media_urls(html, s3_media)
    assert sorted(key_of(url, s3_media) for url in urls) == sorted(portraits)
    assert assert_served(urls, s3_media) == {portraits[0]: (96, 96), portraits[1]: (192, 192)}
    status, _, body = fetch(f"{s3_media.endpoint_url}/{s3_media.bucket}/{author.photo.name}")
    with PILImage.open(io.BytesIO(body)) as stored:
        assert status == 200 and len(stored.getexif()) == 0  # no GPS position in the bucket either

    change = reverse("admin:coverage_author_change", args=[author.pk])
    data = form_data(editor_client.get(change).content, "author_form", _save="Save")
    data["photo"] = SimpleUploadedFile("new.png", make_picture(size=(200, 200), format="PNG"))
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(change, data).status_code == 302
    author.refresh_from_db()
    assert s3_media.keys() == sorted([author.photo.name, *(i["name"] for i in author.photo_renditions)])
    assert not set(portraits) & set(s3_media.keys())


def seed_keys():
    return sorted({name for image in Image.objects.all() for name in picture_keys(image)})


def test_the_seed_draws_its_placeholders_into_the_bucket_once(s3_media, client):
    call_command("seed", SHIPPED_SEED, stdout=io.StringIO())
    keys = s3_media.keys()
    assert keys == seed_keys()
    assert len([key for key in keys if key.startswith("placeholders/")]) == 6
    assert len(keys) == 6 * 7  # each 1600 × 900: itself, and 480, 960, 1600 wide in JPEG and WebP
    assert not Path(settings.MEDIA_ROOT).exists()

    story = Image.objects.first().story
    html = client.get(story.get_absolute_url()).content.decode()
    urls = media_urls(html, s3_media)
    assert {key_of(url, s3_media) for url in urls} == set(keys)
    assert_served(urls, s3_media)

    modified = {key: s3_media.client.head_object(Bucket=s3_media.bucket, Key=key)["ETag"] for key in keys}
    call_command("seed", SHIPPED_SEED, stdout=io.StringIO())
    assert s3_media.keys() == keys
    assert {key: s3_media.client.head_object(Bucket=s3_media.bucket, Key=key)["ETag"] for key in keys} == (
        modified
    )


def test_media_backup_restores_into_another_bucket_and_the_page_serves_from_it(
    s3_media, s3_server, settings, client, tmp_path
):
    call_command("seed", SHIPPED_SEED, stdout=io.StringIO())
    default_storage.save("held/kept-for-a-form.png", ContentFile(make_picture(format="PNG")))
    keys = s3_media.keys()
    originals = {
        key: s3_media.client.get_object(Bucket=s3_media.bucket, Key=key)["Body"].read() for key in keys
    }
    out = io.StringIO()
    call_command("backup_media", tmp_path / "media.tar.gz", stdout=out)
    assert out.getvalue() == (
        f"backed up {len(keys)} media files ({sum(map(len, originals.values()))} bytes) "
        f"to {tmp_path / 'media.tar.gz'}\n"
    )

    other = make_bucket(s3_media.client, f"{s3_media.bucket}-restored")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": media_storage(s3_environment(s3_server.endpoint_url, other)),
    }
    call_command("restore_media", tmp_path / "media.tar.gz", stdout=io.StringIO())
    restored = {
        item["Key"]: s3_media.client.get_object(Bucket=other, Key=item["Key"])["Body"].read()
        for item in s3_media.client.list_objects_v2(Bucket=other)["Contents"]
    }
    assert restored == originals

    html = client.get(Image.objects.first().story.get_absolute_url()).content.decode()
    urls = re.findall(rf"{re.escape(s3_media.endpoint_url)}/{other}/[^\s\"'<>,]+", html)
    assert len(set(urls)) == len(seed_keys())
    for url in set(urls):
        assert fetch(url)[0] == 200


def test_media_backup_of_a_bucket_restores_into_a_folder_and_back(s3_media, settings, tmp_path):
    default_storage.save("images/2025/03/a.jpg", ContentFile(make_picture()))
    default_storage.save("authors/b.png", ContentFile(make_picture(format="PNG")))
    call_command("backup_media", tmp_path / "bucket.tar.gz", stdout=io.StringIO())
    with tarfile.open(tmp_path / "bucket.tar.gz") as archive:
        assert sorted(archive.getnames()) == ["authors/b.png", "images/2025/03/a.jpg"]

    settings.STORAGES = {**settings.STORAGES, "default": media_storage({})}
    call_command("restore_media", tmp_path / "bucket.tar.gz", stdout=io.StringIO())
    folder = Path(settings.MEDIA_ROOT)
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) == [
        "authors/b.png",
        "images/2025/03/a.jpg",
    ]
    assert (folder / "authors/b.png").read_bytes() == make_picture(format="PNG")

    call_command("backup_media", tmp_path / "folder.tar.gz", stdout=io.StringIO())
    with tarfile.open(tmp_path / "folder.tar.gz") as archive:
        assert sorted(archive.getnames()) == ["authors/b.png", "images/2025/03/a.jpg"]
        assert archive.extractfile("authors/b.png").read() == make_picture(format="PNG")


def test_a_media_folder_never_written_to_backs_up_as_an_empty_tar(settings, tmp_path):
    assert not Path(settings.MEDIA_ROOT).exists()
    out = io.StringIO()
    call_command("backup_media", tmp_path / "media.tar.gz", stdout=out)
    assert out.getvalue() == f"backed up 0 media files (0 bytes) to {tmp_path / 'media.tar.gz'}\n"
    with tarfile.open(tmp_path / "media.tar.gz") as archive:
        assert archive.getnames() == []


def test_a_backup_made_with_tar_of_the_media_folder_restores_into_the_bucket(s3_media, tmp_path):
    """Backups taken before (``tar -C media -czf media.tar.gz .``) still restore, under the same names."""
    folder = tmp_path / "old-media"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "a.jpg").write_bytes(make_picture())
    subprocess.run(["tar", "-C", folder, "-czf", tmp_path / "media.tar.gz", "."], check=True)
    # The restore replaces an object of the same name and keeps the others.
    default_storage.save("images/a.jpg", ContentFile(b"older bytes"))
    default_storage.save("authors/kept.jpg", ContentFile(make_picture()))
    out = io.StringIO()
    call_command("restore_media", tmp_path / "media.tar.gz", stdout=out)
    assert out.getvalue().startswith("restored 1 media files (")
    assert s3_media.keys() == ["authors/kept.jpg", "images/a.jpg"]
    body = s3_media.client.get_object(Bucket=s3_media.bucket, Key="images/a.jpg")["Body"].read()
    assert body == make_picture()


def test_a_backup_naming_files_outside_the_media_storage_is_refused(s3_media, tmp_path):
    with tarfile.open(tmp_path / "bad.tar.gz", "w:gz") as archive:
        member = tarfile.TarInfo("../../etc/cron.d/x")
        member.size = 1
        archive.addfile(member, io.BytesIO(b"x"))
    with pytest.raises(CommandError, match=r"bad\.tar\.gz: \.\./\.\./etc/cron\.d/x: a name outside"):
        call_command("restore_media", tmp_path / "bad.tar.gz")
    assert s3_media.keys() == []


# --- the site configured from its environment, as operators run it -------------------


def run(env, *command):
    from tests.benchmarks import servers

    return subprocess.run(command, env=env, cwd=servers.ROOT, capture_output=True, text=True, check=True)


@pytest.mark.server
def test_a_site_configured_by_aws_variables_seeds_into_the_bucket(s3_server, tmp_path):
    from tests.benchmarks import servers

    client = s3_client(s3_server.endpoint_url)
    bucket = make_bucket(client, "liveblog-from-environment")
    env = servers.project_env(
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **s3_environment(s3_server.endpoint_url, bucket),
    )
    servers.manage(env, "migrate", "--noinput")
    servers.manage(env, "seed", SHIPPED_SEED)
    keys = [item["Key"] for item in client.list_objects_v2(Bucket=bucket)["Contents"]]
    assert len(keys) == 6 * 7
    assert not (tmp_path / "media").exists()
    url = run(
        env,
        servers.PYTHON,
        "manage.py",
        "shell",
        "-c",
        "from coverage.models import Image; print(Image.objects.first().file.url)",
    ).stdout.split()[-1]
    assert url.startswith(f"{s3_server.endpoint_url}/{bucket}/placeholders/")
    assert fetch(url)[:2] == (200, "image/jpeg")


def postgres_url(name):
    import os

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        pytest.skip("ops/backup.sh backs up PostgreSQL: run with DATABASE_URL=postgres://…")
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{parts.path.strip('/')}_{name}"))


@pytest.mark.server
def test_ops_backup_and_restore_carry_the_bucket_to_a_new_database_and_bucket(s3_server, tmp_path):
    from tests.benchmarks import servers
    from tests.benchmarks.backup_restore import psql, with_database

    source_url, restored_url = postgres_url("s3_source"), postgres_url("s3_restored")
    admin_url = with_database(source_url, "postgres")
    for url in (source_url, restored_url):
        name = urlsplit(url).path.strip("/")
        psql(admin_url, f"DROP DATABASE IF EXISTS {name}")
        psql(admin_url, f"CREATE DATABASE {name}")
    client = s3_client(s3_server.endpoint_url)
    source_bucket = make_bucket(client, "liveblog-backup-source")
    restored_bucket = make_bucket(client, "liveblog-backup-restored")
    source = servers.project_env(
        tmp_path,
        DATABASE_URL=source_url,
        PYTHON=servers.PYTHON,
        **s3_environment(s3_server.endpoint_url, source_bucket),
    )
    servers.manage(source, "migrate", "--noinput")
    servers.manage(source, "seed", SHIPPED_SEED)
    backup = run(source, "bash", "ops/backup.sh", str(tmp_path / "backup"))
    assert backup.stdout.startswith("backed up 42 media files (")

    restored = {**source, "DATABASE_URL": restored_url, "AWS_STORAGE_BUCKET_NAME": restored_bucket}
    run(restored, "bash", "ops/restore.sh", str(tmp_path / "backup"))

    def objects(bucket):
        listing = client.list_objects_v2(Bucket=bucket)["Contents"]
        return {
            item["Key"]: client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read() for item in listing
        }

    assert objects(restored_bucket) == objects(source_bucket) and len(objects(source_bucket)) == 42
    script = "from coverage.models import Image; print(Image.objects.count(), Image.objects.first().file.url)"
    count, url = run(restored, servers.PYTHON, "manage.py", "shell", "-c", script).stdout.split()[-2:]
    assert count == "6" and url.startswith(f"{s3_server.endpoint_url}/{restored_bucket}/placeholders/")
    assert fetch(url)[:2] == (200, "image/jpeg")
    for url in (source_url, restored_url):
        psql(admin_url, f"DROP DATABASE IF EXISTS {urlsplit(url).path.strip('/')}")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_browser_shows_every_picture_from_the_bucket_and_logs_no_error(s3_media, page):
    """Chromium loads the seeded pictures from the bucket: the page's policy lets it."""
    from tests.factories import SHIPPED_SLUG

    call_command("seed", SHIPPED_SEED, stdout=io.StringIO())
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("response", lambda response: response.status >= 400 and errors.append(response.url))
    assert page.goto(f"/live/{SHIPPED_SLUG}/").status == 200
    pictures = page.locator("figure img")
    assert pictures.count() == 6
    for index in range(6):
        picture = pictures.nth(index)
        picture.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=picture.element_handle())
        assert picture.evaluate("img => img.currentSrc").startswith(
            f"{s3_media.endpoint_url}/{s3_media.bucket}/"
        )
    assert errors == []
