"""Uploads kept across a form error, so an editor need not choose a picture again.

When a form with a new picture comes back with errors (elsewhere in the form),
the browser has forgotten the file. ``hold()`` stores the picture, cleaned
(``images.clean_upload``: no metadata), under a random name in ``held/`` and
gives a signed token that the form carries back in a hidden field;
``held()`` turns a token into the upload again. A token cannot be forged to
name another file, and lapses after a day; held files older than that are
deleted as others are held.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from . import images

HELD_PREFIX = "held/"
HELD_SECONDS = 24 * 3600
_HELD_SALT = "coverage.held"


@dataclass
class Held:
    """An upload kept while its form is corrected: the signed token the form carries back."""

    token: str
    name: str
    original_name: str

    @property
    def url(self):
        return default_storage.url(self.name)


def hold(uploaded):
    """Keep ``uploaded``, sent with a form that has errors, so the editor need not choose it again.

    The picture is cleaned first (a refused upload is not kept: its field says why)
    and stored under a random name in ``held/``; the form carries the signed token
    back, and ``held()`` gives the upload again. Held files older than a day are
    deleted as others are held. Returns a ``Held``, or None if the upload is refused.
    """
    if isinstance(getattr(uploaded, "held", None), Held):
        return uploaded.held  # given back by held() and sent with errors again
    try:
        uploaded.seek(0)
        picture = images.clean_upload(uploaded)
    except images.UploadRefused:
        return None
    _discard_stale_held()
    name = images.store(
        f"{HELD_PREFIX}{secrets.token_urlsafe(16)}.{picture.extension}", ContentFile(picture.content)
    )
    token = signing.dumps({"name": name, "original": uploaded.name}, salt=_HELD_SALT)
    return Held(token, name, uploaded.name)


def held(token):
    """The upload kept under ``token`` as an uploaded file, or None (a token not signed
    here, too old, or whose file is gone)."""
    try:
        data = signing.loads(token, salt=_HELD_SALT, max_age=HELD_SECONDS)
    except signing.BadSignature:
        return None
    name, original = data.get("name", ""), data.get("original", "")
    if not name.startswith(HELD_PREFIX) or not default_storage.exists(name):
        return None
    with default_storage.open(name) as handle:
        uploaded = SimpleUploadedFile(original, handle.read())
    uploaded.held = Held(token, name, original)
    return uploaded


def _discard_stale_held():
    try:
        _, names = default_storage.listdir(HELD_PREFIX.rstrip("/"))
    except FileNotFoundError:
        return
    oldest = timezone.now() - timedelta(seconds=HELD_SECONDS)
    for name in names:
        path = f"{HELD_PREFIX}{name}"
        if default_storage.get_modified_time(path) < oldest:
            default_storage.delete(path)
