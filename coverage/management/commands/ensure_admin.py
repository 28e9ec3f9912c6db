"""``manage.py ensure_admin``: a development login for the newsroom admin."""

import secrets

from django.core.management.base import BaseCommand, CommandError

from coverage import services
from coverage.models import Author

DEFAULT_AUTHOR = "Newsroom Editor"


class Command(BaseCommand):
    help = (
        "Create (or reset) a superuser for local development, linked to an author so the "
        "update form fills in its byline, and print its credentials."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--password", help="Default: a new random password.")
        parser.add_argument(
            "--author",
            help=f"The author the login writes as (made if new). Default: the one it has, "
            f"else “{DEFAULT_AUTHOR}”.",
        )

    def handle(self, *args, username, password, author, **options):
        password = password or secrets.token_urlsafe(12)
        user, created = services.ensure_admin_login(username=username, password=password)
        byline = Author.objects.filter(user=user).first()
        if author or byline is None:
            try:
                byline, _ = services.link_author(user=user, name=author or DEFAULT_AUTHOR)
            except services.AuthorTaken as taken:
                raise CommandError(f"{taken} (choose another with --author)") from None
        verb = "Created" if created else "Reset"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} admin login: username {username}  password {password}  (writes as {byline.name})"
            )
        )
