"""``manage.py restore_media FILE``: the media files of a ``backup_media`` tar back into storage."""

import tarfile

from django.core.management.base import BaseCommand, CommandError

from coverage import media_archive


class Command(BaseCommand):
    help = (
        "Write each file of a backup_media tar into the media storage (MEDIA_ROOT, or the S3 "
        "bucket when AWS_STORAGE_BUCKET_NAME is set) under its own name, replacing a file of that name."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .tar.gz written by backup_media.")

    def handle(self, *args, file, **options):
        try:
            counts = media_archive.restore(file)
        except (media_archive.RestoreError, tarfile.TarError, OSError, EOFError) as error:
            raise CommandError(f"{file}: {error}") from None
        if options["verbosity"]:
            self.stdout.write(f"restored {counts.files} media files ({counts.bytes} bytes) from {file}")
