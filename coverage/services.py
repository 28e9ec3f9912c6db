"""Writes that touch several rows: called from the admin, commands and tests alike.

Stories and updates carry a ``version``. Saving an instance writes it only if
the row still has the version the instance was loaded with, and bumps it in
the same UPDATE statement; otherwise ``StaleEdit`` is raised and nothing is
written. That makes "two people saved the same update" impossible to slip
through, whatever the database and however close the two saves are.
"""

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import caching, images, slugs
from .models import (
    Author,
    Byline,
    DeletedSeedStory,
    Image,
    Story,
    Update,
    UpdateRevision,
    Writer,
    public_change,
    public_updates,
)

TEXT_FIELDS = ("headline", "body")
BATCH_SIZE = 500  # rows per INSERT in bulk writes
# Where uploads go (``Image.file``'s upload_to); seeded placeholders are shared and stay.
UPLOADS_PREFIX = "images/"


class StaleEdit(Exception):
    """The row was saved by someone else since this instance was loaded."""

    def __init__(self, instance):
        self.instance = instance
        super().__init__(
            f"{instance._meta.verbose_name} {instance.pk} changed since version {instance.version}"
        )


def _readers_see_a_change(instance):
    """Queryset writes send no signals: drop the cached pages they make stale."""
    if isinstance(instance, Story):
        caching.everything_changed()
    else:
        caching.story_changed(
            slug=Story.objects.filter(pk=instance.story_id).values_list("slug", flat=True).get()
        )


def _write_versioned(instance, now, *, skip=("created_at", "seed_positions"), readers_notice=True):
    """UPDATE every column of ``instance`` if its row still has ``instance.version``.

    Cached pages are dropped only when ``readers_notice``: work on unpublished
    content leaves what readers get, and when they get it, exactly as it was.
    """
    model = type(instance)
    values = {
        field.attname: getattr(instance, field.attname)
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name not in skip
    }
    for field in model._meta.concrete_fields:
        if getattr(field, "auto_now", False):
            values[field.attname] = now
    values["version"] = instance.version + 1
    written = model.objects.filter(pk=instance.pk, version=instance.version).update(**values)
    if written != 1:
        raise StaleEdit(instance)
    if readers_notice:
        _readers_see_a_change(instance)
    for name, value in values.items():
        setattr(instance, name, value)
    if isinstance(instance, Update):
        instance._remember_stored_state()


# --- updates -----------------------------------------------------------------


def save_update(*, update, authors=None, user=None, writer=Writer.NEWSROOM, now=None):
    """Create or save ``update`` with everything that goes with it.

    - "Publish now": a published update without a time gets ``now`` (the one
      place that rule lives: the admin form leaves the time empty for it).
    - Changing the headline or body of an update readers can see sets ``edited_at``.
    - A new or changed correction is dated (``corrected_at``); clearing it clears the date.
    - Pinning unpins the story's other pinned update, in the same transaction.
    - ``authors`` (in byline order) replaces the byline when given.
    - The text of each version is kept as an ``UpdateRevision``, with its ``writer``
      (the newsroom, ``user`` then being the login, or the seed).

    Raises ``StaleEdit`` if the update was saved by someone else since it was loaded.
    """
    now = now or timezone.now()
    with transaction.atomic():
        previous = None
        if update.pk:
            previous = Update.objects.select_for_update().filter(pk=update.pk).first()
            if previous is None or previous.version != update.version:
                raise StaleEdit(update)
        if update.status == Update.Status.PUBLISHED and update.published_at is None:
            update.published_at = now
        if previous is not None:
            was_public = previous.is_public(now)
            text_changed = any(getattr(update, name) != getattr(previous, name) for name in TEXT_FIELDS)
            if was_public and text_changed:
                update.edited_at = now
            if update.correction != previous.correction:
                update.corrected_at = now if update.correction.strip() else None
        elif update.correction.strip():
            update.corrected_at = now
        unpinned = False
        if update.pinned and not (previous and previous.pinned and previous.story_id == update.story_id):
            unpinned = _unpin_others(story_id=update.story_id, keep=update.pk, now=now)
        if previous is None:
            update.created_by = update.created_by or user
            update.save()  # drops the cached pages if readers will see it (signals)
            if unpinned:
                _readers_see_a_change(update)
        else:
            noticed = update.stamp_public_change(now, was_public=was_public)
            _write_versioned(update, now, readers_notice=noticed or unpinned)
        if previous is not None and previous.story_id != update.story_id:
            Image.objects.filter(update=update).update(story_id=update.story_id)
        if authors is not None:
            _set_byline(update, authors)
        _record_revision(update, previous, user=user, writer=writer, now=now)
    return update


def create_updates(*, story, updates, user=None, writer=Writer.NEWSROOM, now=None):
    """Add many new updates to ``story`` at once; ``updates`` holds ``(update, authors, images)``.

    The same rules as ``save_update`` for new updates ("publish now", the first
    revision, who wrote it), in a few INSERTs whatever the number of updates:
    the seed command loads a 10,000-update document this way in seconds. Bulk
    inserts send no signals, so the story's cached pages are dropped here, once.
    Pinning is not offered here (``save_update`` pins).
    """
    now = now or timezone.now()
    rows = [update for update, _, _ in updates]
    for update in rows:
        update.story = story
        update.created_by = update.created_by or user
        if update.status == Update.Status.PUBLISHED and update.published_at is None:
            update.published_at = now
        if update.correction.strip():
            update.corrected_at = now
    with transaction.atomic():
        Update.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        if any(update.pk is None for update in rows):  # databases that return no ids
            ids = dict(
                story.updates.filter(source_position__isnull=False).values_list("source_position", "pk")
            )
            for update in rows:
                update.pk = ids[update.source_position]
        Byline.objects.bulk_create(
            (
                Byline(update=update, author=author, position=position)
                for update, authors, _ in updates
                for position, author in enumerate(dict.fromkeys(authors))
            ),
            batch_size=BATCH_SIZE,
        )
        pictures = []
        for update, _, update_images in updates:
            for image in update_images:
                image.story, image.update = story, update
                pictures.append(image)
        Image.objects.bulk_create(pictures, batch_size=BATCH_SIZE)
        saved_by = user if user and user.is_authenticated else None
        UpdateRevision.objects.bulk_create(
            (
                UpdateRevision(
                    update=update,
                    version=update.version,
                    headline=update.headline,
                    body=update.body,
                    saved_by=saved_by,
                    writer=writer,
                    saved_at=now,
                )
                for update in rows
            ),
            batch_size=BATCH_SIZE,
        )
        caching.story_changed(story)
    return rows


def publish_update(*, update, user=None, now=None):
    """Make ``update`` public now ("Publish now" on a draft or a scheduled update)."""
    if update.status != Update.Status.PUBLISHED:
        update.status = Update.Status.PUBLISHED
        update.published_at = None  # publish now: save_update dates it
    return save_update(update=update, user=user, now=now)


def pin_update(*, update, pinned=True, now=None):
    """Pin ``update`` on top of its story (unpinning the story's other pin), or unpin it."""
    now = now or timezone.now()
    with transaction.atomic():
        unpinned = pinned and _unpin_others(story_id=update.story_id, keep=update.pk, now=now)
        Update.objects.filter(pk=update.pk).update(
            pinned=pinned, version=F("version") + 1, changed_at=now, public_changed_at=public_change(now)
        )
        if unpinned or Update.objects.filter(public_updates(now), pk=update.pk).exists():
            _readers_see_a_change(update)
    update.refresh_from_db(fields=["pinned", "version", "changed_at", "public_changed_at"])
    return update


def _unpin_others(*, story_id, keep, now):
    """Unpin the story's other pinned update; returns whether readers could see it."""
    others = Update.objects.filter(story_id=story_id, pinned=True).exclude(pk=keep)
    public = others.filter(public_updates(now)).exists()
    # The other pin's version moves too: a form still showing it pinned is now stale.
    others.update(
        pinned=False, version=F("version") + 1, changed_at=now, public_changed_at=public_change(now)
    )
    return public


def _set_byline(update, authors):
    wanted = list(dict.fromkeys(author.pk for author in authors))
    existing = {byline.author_id: byline for byline in Byline.objects.filter(update=update)}
    Byline.objects.filter(update=update).exclude(author_id__in=wanted).delete()
    for position, author_id in enumerate(wanted):
        byline = existing.get(author_id)
        if byline is None:
            Byline.objects.create(update=update, author_id=author_id, position=position)
        elif byline.position != position:
            byline.position = position
            byline.save(update_fields=["position"])


def _record_revision(update, previous, *, user, writer, now):
    """Keep the text of this version, and of the one before if nobody kept it yet."""
    if previous is not None:
        if all(getattr(update, name) == getattr(previous, name) for name in TEXT_FIELDS):
            return
        UpdateRevision.objects.get_or_create(
            update=update,
            version=previous.version,
            defaults={"headline": previous.headline, "body": previous.body, "saved_at": previous.changed_at},
        )
    UpdateRevision.objects.create(
        update=update,
        version=update.version,
        headline=update.headline,
        body=update.body,
        saved_by=user if user and user.is_authenticated else None,
        writer=writer,
        saved_at=now,
    )


# --- stories -----------------------------------------------------------------


def save_story(*, story, now=None):
    """Create or save ``story``; raises ``StaleEdit`` if someone saved it since it was loaded.

    Going live dates the start of coverage (if not set) and reopens ended coverage;
    ending it dates its end. A story without a slug gets one made from its title.
    """
    now = now or timezone.now()
    with transaction.atomic():
        if not story.slug:
            story.slug = slugs.unique_slug(Story, story.title, fallback="story", exclude_pk=story.pk)
        previous_status = None
        if story.pk is not None:
            previous_status = Story.objects.filter(pk=story.pk).values_list("status", flat=True).first()
        if story.status == Story.Status.LIVE:
            story.coverage_start = story.coverage_start or now
            if previous_status == Story.Status.ENDED:
                story.coverage_end = None
        elif story.status == Story.Status.ENDED:
            story.coverage_start = story.coverage_start or now
            story.coverage_end = story.coverage_end or now
        if story.pk is None:
            story.save()
            if story.source_slug:  # the document's story is back: the deletion is over
                DeletedSeedStory.objects.filter(source_slug=story.source_slug).delete()
        else:
            # A draft story is nobody's business but the newsroom's until it goes public.
            drafted = story.status == previous_status == Story.Status.DRAFT
            _write_versioned(story, now, readers_notice=not drafted)
    return story


def delete_story(*, story, user=None, now=None):
    """Delete ``story`` with its updates, pictures and comments.

    A story loaded from a seed document is remembered by its source slug
    (``DeletedSeedStory``): loading the document again leaves it deleted and
    says so, unless ``seed --force`` brings it back.
    """
    now = now or timezone.now()
    with transaction.atomic():
        if story.source_slug:
            DeletedSeedStory.objects.update_or_create(
                source_slug=story.source_slug,
                defaults={
                    "title": story.title,
                    "deleted_at": now,
                    "deleted_by": user if user and user.is_authenticated else None,
                },
            )
        story.delete()  # readers' cached pages and the pictures' files follow (signals)


def forget_deleted_story(*, deleted):
    """Let the seed load a deleted story's document again, as if the story had never been loaded."""
    deleted.delete()


def record_seed_positions(*, story, count):
    """Note that the seed has created ``count`` updates of ``story``'s document (places 0 to count - 1).

    Bookkeeping readers never see: the story's version does not move, so an
    editor's open story form is not made stale by it.
    """
    if count > story.seed_positions:
        Story.objects.filter(pk=story.pk).update(seed_positions=count)
        story.seed_positions = count
    return story


def start_coverage(*, story, now=None):
    """Make ``story`` live: readers see it, with the LIVE badge and new updates arriving."""
    return _set_coverage(story, status=Story.Status.LIVE, ends=None, now=now)


def end_coverage(*, story, now=None):
    """End ``story``'s live coverage: it stays public, without the LIVE badge."""
    return _set_coverage(story, status=Story.Status.ENDED, ends=True, now=now)


def _set_coverage(story, *, status, ends, now):
    now = now or timezone.now()
    Story.objects.filter(pk=story.pk).update(
        status=status,
        coverage_start=Coalesce("coverage_start", now),
        coverage_end=now if ends else None,
        version=F("version") + 1,
        updated_at=now,
    )
    _readers_see_a_change(story)
    story.refresh_from_db()
    return story


# --- authors -----------------------------------------------------------------


def create_author(*, name, slug):
    """A new author (the seed command makes them from bylines; the admin has its own form)."""
    return Author.objects.create(name=name, slug=slug)


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
                images.track(author.photo.name)
                author.photo_renditions = images.make_portraits(author.photo.name)
                written.extend(item["name"] for item in author.photo_renditions)
                images.track(*written[1:])
                author.save(update_fields=["photo_renditions"])
            elif not author.photo and author.photo_renditions:
                author.photo_renditions = []
                author.save(update_fields=["photo_renditions"])
    except BaseException:
        images.delete_files(written)
        raise
    if previous and previous[0] and previous[0] != author.photo.name:
        old = [previous[0], *(item["name"] for item in previous[1] or [])]
        transaction.on_commit(lambda: images.delete_files(old))
    return author


# --- images ------------------------------------------------------------------


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
            image.file = images.store(name, upload.file, max_length=upload.field.max_length)
            written.append(image.file.name)
            images.track(image.file.name)
        with transaction.atomic():
            image.save()
            if new_file:
                image.renditions = images.make_renditions(image.file.name)
                written.extend(item["name"] for item in image.renditions)
                images.track(*(item["name"] for item in image.renditions))
                image.save(update_fields=["renditions"])
    except BaseException:
        images.delete_files(written)
        raise
    if replaced is not None:
        transaction.on_commit(lambda: discard_unused_files(*replaced))
    return image


def delete_image(*, image):
    """Remove ``image``; its files go once the delete commits, if no other image uses them."""
    image.delete()


def discard_unused_files(name, renditions):
    """Delete an upload and its renditions if no image uses the file any more."""
    if not name or not name.startswith(UPLOADS_PREFIX) or Image.objects.filter(file=name).exists():
        return
    images.delete_files([name, *(item["name"] for item in renditions or [])])


# --- authors -----------------------------------------------------------------


class AuthorTaken(Exception):
    """The author is already linked to another login."""

    def __init__(self, author):
        self.author = author
        super().__init__(f"{author.name} is already the author of the login {author.user}")


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
            author = Author.objects.create(name=name, slug=slugs.unique_slug(Author, name, fallback="author"))
        elif author.user_id not in (None, user.pk):
            raise AuthorTaken(author)
        Author.objects.filter(user=user).exclude(pk=author.pk).update(user=None)
        if author.user_id != user.pk:
            author.user = user
            author.save(update_fields=["user"])
    return author, created
