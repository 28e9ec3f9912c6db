"""``manage.py seed [PATH ...]``: load seed documents into stories."""

from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from coverage.seed.load import load
from coverage.seed.parse import SeedError, parse_file


def aware_datetime(value):
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--newest-at: {value!r} is not an ISO 8601 date and time") from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = (
        "Load seed documents (default: every seeds/*.txt). Re-running syncs: new updates are "
        "added, changed ones edited in place, removed ones unpublished. What the newsroom changed "
        "or deleted since the last load, a deleted story included, is kept and reported (--force "
        "overwrites it)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="*", type=Path, help="Seed documents or folders of them (default: seeds/)."
        )
        parser.add_argument(
            "--newest-at",
            type=aware_datetime,
            help="Published time of the newest update, ISO 8601, not in the future (default: now).",
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
        parser.add_argument(
            "--language",
            choices=[code for code, name in settings.LANGUAGES],
            help="The stories' language (default: the site's, LIVEBLOG_LANGUAGE, for a new story; "
            "a loaded story keeps its own).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="The documents win: overwrite what the newsroom changed, bring back the updates "
            "and stories it deleted (each is listed).",
        )

    def handle(
        self, *args, paths, newest_at, interval, dry_run, strict, force, language, verbosity, **options
    ):
        if interval < 0:
            raise CommandError("--interval must be zero or more minutes")
        if newest_at is not None and newest_at > timezone.now():
            raise CommandError(
                f"--newest-at: {newest_at.isoformat()} is in the future; seeded updates are published "
                "now or earlier, never ahead of time"
            )
        paths = paths or [Path(settings.BASE_DIR) / "seeds"]
        paths = [
            found for path in paths for found in (sorted(path.glob("*.txt")) if path.is_dir() else [path])
        ]
        if not paths:
            raise CommandError("no seed documents given and none in seeds/")
        options = {
            "newest_at": newest_at,
            "interval": timedelta(minutes=interval),
            "dry_run": dry_run,
            "force": force,
            "language": language,
        }
        failures = []
        path = None
        try:
            with transaction.atomic():
                for path in paths:
                    try:
                        result = load(parse_file(path), **options)
                    except SeedError as error:
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
        except OSError as error:
            # Storing a picture's placeholder failed (a full disk, a read-only folder).
            raise CommandError(
                f"{path}: could not store the pictures' files ({error.strerror or error}); "
                "nothing was saved, run the command again once storage is writable"
            ) from error
        if failures:
            raise CommandError(f"{len(failures)} of {len(paths)} documents refused")

    def describe(self, result, dry_run):
        """One line for the document, then one per newsroom change kept or overwritten."""
        if result.left_deleted:
            return self.style.WARNING(
                f"{result.path}: story “{result.left_deleted}” was deleted in the newsroom; "
                "left deleted (--force brings it back)"
            )
        if not result.changed:
            line = f"{result.path}: {result.slug}: up to date ({result.unchanged} updates)"
        else:
            verb = "would change" if dry_run else "changed"
            if result.story_created:
                story = "brought back" if result.story_restored else "created"
            else:
                story = "updated" if result.story_changed else "unchanged"
            line = (
                f"{result.path}: {result.slug}: {verb}: story {story}; updates {result.added} added, "
                f"{result.edited} edited, {result.unpublished} unpublished, {result.unchanged} unchanged; "
                f"{result.authors_added} authors added; {result.images_added} images"
            )
        lines = []
        if result.kept:
            line += f"; kept {_edits(len(result.kept))} (--force overwrites them)"
            lines += [f"  kept {item}" for item in result.kept]
        if result.overwritten:
            line += f"; {'would overwrite' if dry_run else 'overwrote'} {_edits(len(result.overwritten))}"
            lines += [
                f"  {'would overwrite' if dry_run else 'overwrote'} {item}" for item in result.overwritten
            ]
        style = self.style.WARNING if result.kept or result.overwritten else self.style.SUCCESS
        return "\n".join([style(line) if result.changed or lines else line, *lines])


def _edits(count):
    return f"{count} newsroom edit{'' if count == 1 else 's'}"
