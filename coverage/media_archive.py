"""Media backups: every file of the media storage to a ``.tar.gz`` and back.

Through Django's storage API, so the same code backs up the media folder and an
S3-compatible bucket (``STORAGES["default"]``, see ``liveblog.settings.media_storage``)
and restores into either: a backup taken from a bucket restores into a folder and the
other way round. ``ops/backup.sh`` and ``ops/restore.sh`` call it through the
``backup_media`` and ``restore_media`` commands.
"""

import io
import tarfile
import time
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.files.base import File
from django.core.files.storage import default_storage


class RestoreError(Exception):
    """A backup that cannot be restored as it was taken; ``str()`` says which file and why."""


@dataclass
class Counts:
    files: int = 0
    bytes: int = 0


def stored_names(folder=""):
    """Every file name in the media storage, sorted, walking folders (S3 prefixes) from ``folder``."""
    folders, files = default_storage.listdir(folder)
    names = [str(PurePosixPath(folder) / name) if folder else name for name in files]
    for child in folders:
        names.extend(stored_names(f"{folder}/{child}" if folder else child))
    return sorted(names)


def _listing():
    try:
        return stored_names()
    except FileNotFoundError:  # a media folder never written to
        return []


def backup(target):
    """Write every file of the media storage into the gzipped tar at path ``target``."""
    counts = Counts()
    now = time.time()
    with tarfile.open(target, "w:gz") as archive:
        for name in _listing():
            with default_storage.open(name) as handle:
                content = handle.read()
            member = tarfile.TarInfo(name)
            member.size, member.mtime, member.mode = len(content), now, 0o644
            archive.addfile(member, io.BytesIO(content))
            counts.files += 1
            counts.bytes += len(content)
    return counts


def restore(source):
    """Write each file of the backup at path ``source`` into the media storage under its own
    name, replacing a file of that name; files the storage has and the backup has not are
    left alone.

    Also reads the backups ``tar -C media .`` made before (names starting with ``./``).
    """
    counts = Counts()
    with tarfile.open(source, "r:*") as archive:
        for member in archive:
            if not member.isfile():
                continue
            name = PurePosixPath(member.name)
            if name.is_absolute() or ".." in name.parts:
                raise RestoreError(f"{member.name}: a name outside the media storage")
            name = str(name)  # "./images/a.jpg" -> "images/a.jpg"
            if default_storage.exists(name):
                default_storage.delete(name)
            saved = default_storage.save(name, File(archive.extractfile(member), name=name))
            if saved != name:
                raise RestoreError(f"{name}: the storage kept it as {saved}")
            counts.files += 1
            counts.bytes += member.size
    return counts
