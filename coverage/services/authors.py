"""Writes of authors: create, save (with square portraits of the photo), delete, link to a login."""

from django.db import transaction

from .. import images as files
from .. import slugs
from ..models import Author
from . import readers


class AuthorTaken(Exception):
    """The author is already linked to another login."""

    def __init__(self, author):
        self.author = author
        super().__init__(f"{author.name} is already the author of the login {author.user}")


def create_author(*, name, slug):
    """A new author (the seed command makes them from bylines; the admin has its own form)."""
    author = Author.objects.create(name=name, slug=slug)
    readers.after_write(author)
    return author


def save_author(*, author):
    """Create or save ``author``; a new photo gets its square portraits (bylines, author page).

    One without a slug gets one made from the name. A replaced or removed photo
    and its portraits are deleted once the save commits.
    """
    if not author.slug:
        author.slug = slugs.unique_slug(Author, author.name, fallback="author", exclude_pk=author.pk)
    new_photo = bool(author.photo) and not author.photo._committed
    previous = None
    if author.pk:
        previous = Author.objects.filter(pk=author.pk).values_list("photo", "photo_renditions").first()
    written = []
    try:
        with transaction.atomic():
            author.save()
            if new_photo:
                written.append(author.photo.name)
                files.track(author.photo.name)
                author.photo_renditions = files.make_portraits(author.photo.name)
                written.extend(item["name"] for item in author.photo_renditions)
                files.track(*written[1:])
                author.save(update_fields=["photo_renditions"])
            elif not author.photo and author.photo_renditions:
                author.photo_renditions = []
                author.save(update_fields=["photo_renditions"])
            readers.after_write(author, seen_before=previous is not None)  # a new author is on no page
    except BaseException:
        files.delete_files(written)
        raise
    if previous and previous[0] and previous[0] != author.photo.name:
        _delete_photo_on_commit(*previous)
    return author


def delete_author(*, author):
    """Delete ``author``, and its photo and portraits once the delete commits.

    An author still in a byline or a lead byline is protected by the database
    (``ProtectedError``: the admin lists what holds it), so a deleted author
    was on no story page.
    """
    with transaction.atomic():
        seen = author.bylines.exists() or author.lead_stories.exists()
        photo = (author.photo.name, author.photo_renditions)
        author.delete()
        _delete_photo_on_commit(*photo)
        readers.after_write(author, seen_before=seen, deleted=True)


def delete_authors(*, authors):
    """Delete each of ``authors`` (a queryset: the admin's "delete selected") as ``delete_author`` does."""
    with transaction.atomic():
        for author in authors:
            delete_author(author=author)


def _delete_photo_on_commit(name, renditions):
    if name:
        old = [name, *(item["name"] for item in renditions or [])]
        transaction.on_commit(lambda: files.delete_files(old))


def link_author(*, user, name):
    """Make the author called ``name`` (created if new) the one ``user`` writes as.

    The update form then puts that author in the byline for them. A login has
    one author: an author linked to it before is unlinked. Raises
    ``AuthorTaken`` if the author is another login's. Returns (author, created).
    """
    with transaction.atomic():
        author = Author.objects.select_for_update().filter(name=name).first()
        created = author is None
        if created:
            author = create_author(name=name, slug=slugs.unique_slug(Author, name, fallback="author"))
        elif author.user_id not in (None, user.pk):
            raise AuthorTaken(author)
        unlinked = list(Author.objects.filter(user=user).exclude(pk=author.pk))
        Author.objects.filter(pk__in=[other.pk for other in unlinked]).update(user=None)
        if author.user_id != user.pk:
            author.user = user
            author.save(update_fields=["user"])
        readers.after_write(author, *unlinked, fields=["user"])  # logins are the newsroom's business
    return author, created
