"""Writes of pictures: save (the upload and its renditions), delete, and their files' cleanup."""

from django.db import transaction

from .. import images as files
from ..models import Image
from . import readers

# Where uploads go (``Image.file``'s upload_to); seeded placeholders are shared and stay.
UPLOADS_PREFIX = "images/"


def save_image(*, image):
    """Save ``image``; a newly uploaded file is written with its renditions.

    The files of a replaced upload are deleted once the transaction commits;
    files written by a save that fails are deleted at once (and, inside
    ``images.discard_files_on_error()``, also when a later step fails).
    """
    new_file = bool(image.file) and not image.file._committed
    replaced = None
    if new_file and image.pk:
        replaced = Image.objects.filter(pk=image.pk).values_list("file", "renditions").first()
    written = []
    try:
        if new_file:
            # Written here, not by image.save(): a write that fails part-way (a full
            # disk) is removed at once, and the name is known if a later step fails.
            upload = image.file
            name = upload.field.generate_filename(image, upload.name)
            image.file = files.store(name, upload.file, max_length=upload.field.max_length)
            written.append(image.file.name)
            files.track(image.file.name)
        with transaction.atomic():
            image.save()
            if new_file:
                image.renditions = files.make_renditions(image.file.name)
                written.extend(item["name"] for item in image.renditions)
                files.track(*(item["name"] for item in image.renditions))
                image.save(update_fields=["renditions"])
            readers.after_write(image)
    except BaseException:
        files.delete_files(written)
        raise
    if replaced is not None:
        discard_files_on_commit([replaced])
    return image


def delete_image(*, image):
    """Remove ``image``; its files go once the delete commits, if no other image uses them."""
    with transaction.atomic():
        seen = readers.shown(image)
        image.delete()
        discard_files_on_commit([(image.file.name, image.renditions)])
        readers.after_write(image, seen_before=seen, deleted=True)


def delete_images(*, images):
    """Remove each of ``images`` (a queryset: the admin's "delete selected") as ``delete_image`` does."""
    with transaction.atomic():
        for image in images:
            delete_image(image=image)


def discard_files_on_commit(pictures):
    """Once the transaction commits, delete the files of ``pictures`` (``(file, renditions)``
    pairs of deleted or replaced images) that no image uses any more."""
    pictures = [(name, list(renditions or [])) for name, renditions in pictures]

    def discard():
        for picture in pictures:
            discard_unused_files(*picture)

    if pictures:
        transaction.on_commit(discard)


def discard_unused_files(name, renditions):
    """Delete an upload and its renditions if no image uses the file any more."""
    if not name or not name.startswith(UPLOADS_PREFIX) or Image.objects.filter(file=name).exists():
        return
    files.delete_files([name, *(item["name"] for item in renditions or [])])
