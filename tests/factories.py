"""Small builders for test data, with keyword defaults.

Rows are made directly, as if they had been there before (no revisions, no
``created_by``); readers' caches are told through the one function services
call after a write (``services.readers.after_write``), so a page cached before
a builder ran is not served stale after it. Writes a test makes to see what
readers get go through ``coverage.services``.
"""

import importlib
import io
import itertools
import struct
import zlib
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone
from PIL import ExifTags
from PIL import Image as PILImage

from coverage.models import Author, Byline, Story, Update
from coverage.services import readers
from coverage.slugs import slugify

_numbers = itertools.count(1)

SHIPPED_SEED = "seeds/us-negotiators-moscow-ukraine.txt"
SHIPPED_SLUG = "live-updates-us-negotiators-head-to-moscow-to-discuss-ukraine"
# Bylines, title and text in Cyrillic, Arabic, Chinese, Hebrew, Japanese and Greek.
SCRIPTS_SEED = "tests/seeds/scripts.txt"


def make_author(*, name=None, **fields):
    name = name or f"Reporter Number{next(_numbers)}"
    return Author.objects.create(name=name, slug=fields.pop("slug", slugify(name)), **fields)


def make_story(*, title=None, status=Story.Status.LIVE, **fields):
    title = title or f"Story {next(_numbers)}"
    fields.setdefault("slug", slugify(title))
    fields.setdefault("coverage_start", timezone.now() - timedelta(hours=2))
    story = Story.objects.create(title=title, status=status, **fields)
    readers.after_write(story)
    return story


def make_update(
    *, story=None, authors=None, body="Something happened.", status=Update.Status.PUBLISHED, **fields
):
    story = story or make_story()
    if status != Update.Status.DRAFT:
        fields.setdefault("published_at", timezone.now() - timedelta(minutes=1))
    update = Update.objects.create(story=story, body=body, status=status, **fields)
    for position, author in enumerate(authors or [make_author()]):
        Byline.objects.create(update=update, author=author, position=position)
    readers.after_write(update)
    return update


def make_stream(*, story=None, count, author=None, start=None, step=timedelta(minutes=1)):
    """``count`` published updates in one story, one ``step`` apart, made in bulk."""
    story = story or make_story()
    author = author or make_author()
    start = start or timezone.now() - step * (count + 1)
    updates = Update.objects.bulk_create(
        Update(
            story=story,
            body=f"Update number {index}.",
            status=Update.Status.PUBLISHED,
            published_at=start + step * index,
        )
        for index in range(count)
    )
    Byline.objects.bulk_create(Byline(update=update, author=author, position=0) for update in updates)
    readers.after_write(*updates)
    return story


PASSWORD = "correct horse battery staple"


def migration(name):
    """The app's migration module named ``name``, whatever its number (merges renumber them)."""
    folder = Path(importlib.import_module("coverage.migrations").__file__).parent
    (path,) = folder.glob(f"[0-9][0-9][0-9][0-9]_{name}.py")
    return importlib.import_module(f"coverage.migrations.{path.stem}")


def newsroom_group(name):
    """A group made by the roles migration. Transactional (browser) tests flush the
    database after themselves, migration-made rows included: make them again then."""
    group = Group.objects.filter(name=name).first()
    if group is None:
        schema_editor = SimpleNamespace(connection=connection)
        migration("newsroom_roles").create_roles(django_apps, schema_editor)
        migration("deleted_seed_stories").let_editors_see_and_forget(django_apps, schema_editor)
        migration("clips").grant_clips(django_apps, schema_editor)
        group = Group.objects.get(name=name)
    return group


def make_user(*, username=None, role=None, author=True, superuser=False):
    """A staff login; ``role`` is a group name ("Editors", "Reporters"); ``author``
    True gives it an author profile named after it (or pass an Author, or False)."""
    username = username or f"user{next(_numbers)}"
    user = get_user_model().objects.create_user(
        username=username,
        password=PASSWORD,
        first_name=username.capitalize(),
        last_name="Tester",
        is_staff=True,
        is_superuser=superuser,
    )
    if role:
        user.groups.add(newsroom_group(role))
    if author is True:
        make_author(name=f"{username.capitalize()} Tester", user=user)
    elif author:
        author.user = user
        author.save(update_fields=["user"])
    return user


def make_picture(*, size=(48, 32), format="JPEG", colour=(200, 40, 40), orientation=None, gps=False):
    """Bytes of a small picture; JPEGs can carry an EXIF orientation and a GPS position."""
    mode = "RGBA" if format in {"PNG", "WEBP"} else "RGB"
    picture = PILImage.new(mode, size, colour)
    picture.paste((20, 20, 200), (0, 0, size[0] // 2, size[1] // 2))  # a blue top-left corner
    options = {}
    if orientation or gps:
        exif = PILImage.Exif()
        exif[ExifTags.Base.Make] = "Test Camera"
        if orientation:
            exif[ExifTags.Base.Orientation] = orientation
        if gps:
            exif[ExifTags.Base.GPSInfo] = {
                ExifTags.GPS.GPSLatitudeRef: "N",
                ExifTags.GPS.GPSLatitude: (48.0, 51.0, 24.0),
                ExifTags.GPS.GPSLongitudeRef: "E",
                ExifTags.GPS.GPSLongitude: (2.0, 21.0, 3.0),
            }
        options["exif"] = exif
    if format == "GIF":
        picture = picture.convert("P")
    buffer = io.BytesIO()
    picture.save(buffer, format, **options)
    return buffer.getvalue()


def make_huge_png(*, width=20_000, height=20_000):
    """A real, valid PNG of ``width`` × ``height`` black-and-white pixels, a few kilobytes long."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\0" + bytes((width + 7) // 8)  # filter byte, then 1 bit per pixel
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
