"""``manage.py export_story SLUG``: write a story back in the seed format."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from coverage.models import Story
from coverage.seed.export import export_story


class Command(BaseCommand):
    help = "Write a story in the seed format to standard output (or to -o FILE)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("-o", "--output", type=Path, help="Write to this file instead.")

    def handle(self, *args, slug, output, **options):
        story = Story.objects.filter(slug=slug).first()
        if story is None:
            raise CommandError(f"no story with the slug {slug!r}")
        text = export_story(story)
        if output:
            output.write_text(text, encoding="utf-8")
            if options["verbosity"]:
                self.stderr.write(f"wrote {output}")
        else:
            self.stdout.write(text, ending="")
