"""``manage.py seed [PATH ...]``: load seed documents into stories."""

from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from coverage import seeding


def aware_datetime(value):
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--newest-at: {value!r} is not an ISO 8601 date and time") from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = (
        "Load seed documents (default: every seeds/*.txt). Re-running syncs: new updates are "
        "added, changed ones edited in place, removed ones unpublished."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="*", type=Path, help="Seed documents or folders of them (default: seeds/)."
        )
        parser.add_argument(
            "--newest-at",
            type=aware_datetime,
            help="Published time of the newest update, ISO 8601 (default: now).",
        )
        parser.add_argument(
            "--interval", type=int, default=15, help="Minutes between consecutive updates (default: 15)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; change nothing."
        )
        parser.add_argument(
            "--strict", action="store_true", help="All or nothing: one bad document refuses every document."
        )

    def handle(self, *args, paths, newest_at, interval, dry_run, strict, verbosity, **options):
        if interval < 0:
            raise CommandError("--interval must be zero or more minutes")
        paths = paths or [Path(settings.BASE_DIR) / "seeds"]
        paths = [
            found for path in paths for found in (sorted(path.glob("*.txt")) if path.is_dir() else [path])
        ]
        if not paths:
            raise CommandError("no seed documents given and none in seeds/")
        options = {"newest_at": newest_at, "interval": timedelta(minutes=interval), "dry_run": dry_run}
        failures = []
        path = None
        try:
            with transaction.atomic():
                for path in paths:
                    try:
                        result = seeding.load(seeding.parse_file(path), **options)
                    except seeding.SeedError as error:
                        if strict:
                            raise CommandError(f"{error} (--strict: nothing was loaded)") from None
                        self.stderr.write(self.style.ERROR(f"{error} (file skipped, database unchanged)"))
                        failures.append(path)
                        continue
                    if verbosity:
                        self.stdout.write(self.describe(result, dry_run))
        except (OperationalError, InterfaceError) as error:
            # The database went away (restarted, network cut): the transaction is gone with it.
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise CommandError(
                f"{path}: the database failed while loading ({reason}); nothing was saved, "
                "run the command again"
            ) from error
        if failures:
            raise CommandError(f"{len(failures)} of {len(paths)} documents refused")

    def describe(self, result, dry_run):
        verb = "would change" if dry_run else "changed"
        if not result.changed:
            return f"{result.path}: {result.slug}: up to date ({result.unchanged} updates)"
        story = "created" if result.story_created else ("updated" if result.story_changed else "kept")
        line = (
            f"{result.path}: {result.slug}: {verb}: story {story}; updates {result.added} added, "
            f"{result.edited} edited, {result.unpublished} unpublished, {result.unchanged} unchanged; "
            f"{result.authors_added} authors added; {result.images_added} images"
        )
        return self.style.SUCCESS(line)
