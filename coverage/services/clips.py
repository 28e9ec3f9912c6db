"""Writes of clips: save (the upload, its poster with renditions, its captions), delete, and
their files' cleanup, as ``services.images`` does for pictures."""

from django.db import transaction

from .. import images as files
from ..models import Clip
from . import readers

# Where clip uploads go (``Clip.file``, ``poster`` and ``captions`` upload_to) and the poster's renditions.
UPLOADS_PREFIXES = ("clips/", "renditions/clips/")


def _new(field_file):
    return bool(field_file) and not field_file._committed


def _store(clip, field_name, written):
    """Write the new file of ``clip.<field_name>`` now (as ``save_image`` does), tracked for cleanup."""
    upload = getattr(clip, field_name)
    name = upload.field.generate_filename(clip, upload.name)
    stored = files.store(name, upload.file, max_length=upload.field.max_length)
    setattr(clip, field_name, stored)
    written.append(stored)
    files.track(stored)


def clip_files(clip):
    """The names of every file ``clip`` uses: the clip, its poster and renditions, its captions."""
    return [
        clip.file.name,
        clip.poster.name,
        *(item["name"] for item in clip.poster_renditions or []),
        clip.captions.name,
    ]


def save_clip(*, clip):
    """Save ``clip``; a newly uploaded clip is written with its poster (and the poster's
    renditions), new captions with it.

    Files of a replaced clip or captions are deleted once the transaction commits;
    files written by a save that fails are deleted at once (and, inside
    ``images.discard_files_on_error()``, also when a later step fails).
    """
    new_file, new_captions = _new(clip.file), _new(clip.captions)
    stored_before = Clip.objects.filter(pk=clip.pk).first() if clip.pk else None
    replaced = []
    if stored_before is not None:
        if new_file:
            replaced += clip_files(stored_before)[:-1]  # all but the captions
        if clip.captions.name != stored_before.captions.name:
            replaced.append(stored_before.captions.name)
    written = []
    try:
        if new_file:
            _store(clip, "file", written)
            if _new(clip.poster):
                _store(clip, "poster", written)
        if new_captions:
            _store(clip, "captions", written)
        with transaction.atomic():
            clip.save()
            if new_file and clip.poster:
                clip.poster_renditions = files.make_renditions(clip.poster.name)
                names = [item["name"] for item in clip.poster_renditions]
                written.extend(names)
                files.track(*names)
                clip.save(update_fields=["poster_renditions"])
            readers.after_write(clip)
    except BaseException:
        files.delete_files(written)
        raise
    discard_files_on_commit(replaced)
    return clip


def delete_clip(*, clip):
    """Remove ``clip``; its files go once the delete commits."""
    with transaction.atomic():
        seen = readers.shown(clip)
        clip.delete()
        discard_files_on_commit(clip_files(clip))
        readers.after_write(clip, seen_before=seen, deleted=True)


def delete_clips(*, clips):
    """Remove each of ``clips`` (a queryset) as ``delete_clip`` does."""
    with transaction.atomic():
        for clip in clips:
            delete_clip(clip=clip)


def discard_files_on_commit(names):
    """Once the transaction commits, delete the uploaded files ``names`` that no clip uses any more."""
    names = [name for name in names if name and name.startswith(UPLOADS_PREFIXES)]

    def discard():
        used = Clip.objects.filter(file__in=names).values_list("file", flat=True)
        used = set(used) | set(Clip.objects.filter(captions__in=names).values_list("captions", flat=True))
        used |= set(Clip.objects.filter(poster__in=names).values_list("poster", flat=True))
        files.delete_files([name for name in names if name not in used])

    if names:
        transaction.on_commit(discard)
