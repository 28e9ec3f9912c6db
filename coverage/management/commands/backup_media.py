"""``manage.py backup_media FILE``: every media file (folder or bucket) into a ``.tar.gz``."""

from django.core.management.base import BaseCommand

from coverage import media_archive


class Command(BaseCommand):
    help = (
        "Write every file of the media storage (MEDIA_ROOT, or the S3 bucket when "
        "AWS_STORAGE_BUCKET_NAME is set) into a gzipped tar; restore_media reads it back."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .tar.gz to write.")

    def handle(self, *args, file, **options):
        counts = media_archive.backup(file)
        if options["verbosity"]:
            self.stdout.write(f"backed up {counts.files} media files ({counts.bytes} bytes) to {file}")
