"""Sync a parsed seed document into the database: plain data in, rows out.

``load()`` takes a ``Document`` (from ``parse``) and makes its story, authors,
updates and pictures match it, in one transaction, returning a ``Result`` that
says what changed. Every write goes through ``coverage.services``; seed writes
to updates are recorded with ``writer=Writer.SEED``. Nothing here prints.

The newsroom's work wins (SPEC, "The seed format and the seed command"). Each
story and update the seed writes keeps a hash of the fields the seed owns as it
left them (``seed_digest``), and each story counts the places of its document
the seed has filled (``seed_positions``). On the next load, a row whose fields
no longer hash to its digest was changed in the newsroom, and a place below the
count with no update was deleted there: both are left as they are and reported,
unless ``force``. A story deleted in the newsroom is remembered by its source
slug (``services.delete_story``) and not created again. Fields the seed never
writes (pin, key event, correction, times, the slug, the story's status) are
the newsroom's alone and never touched. A row without a digest (loaded before
digests were kept) counts as the seed's.
"""

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from .. import images as image_tools
from .. import markup, services, slugs
from ..models import Author, DeletedSeedStory, Image, Story, Update, Writer

ALT_TEXT_LENGTH = Image._meta.get_field("alt_text").max_length
DRAWING_THREADS = max(1, min(4, (os.cpu_count() or 1) - 1))  # a core is left to the rows


@dataclass
class Result:
    """What loading one document changed, or would change (``dry_run``): the command reports it."""

    path: str
    slug: str
    story_created: bool = False
    story_changed: bool = False
    story_restored: bool = False  # created again, ``force`` bringing back a story the newsroom deleted
    left_deleted: str = ""  # the title of the story the newsroom deleted, left deleted
    added: int = 0
    edited: int = 0
    unpublished: int = 0
    unchanged: int = 0
    authors_added: int = 0
    images_added: int = 0
    kept: list = field(default_factory=list)  # newsroom changes left as they are, described
    overwritten: list = field(default_factory=list)  # newsroom changes ``force`` replaced, described

    @property
    def changed(self):
        return bool(
            self.story_created
            or self.story_changed
            or self.added
            or self.edited
            or self.unpublished
            or self.authors_added
            or self.images_added
        )


def _digest(*parts):
    data = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


def _pictures(images):
    return [[i.caption, i.credit, i.position, i.file.name or "", i.alt_text] for i in images]


def story_digest(story, images):
    """A hash of what the seed owns in ``story``: title, summary, lead byline, comments, lead image."""
    return _digest(
        "story", story.title, story.summary, story.lead_author_id, story.comments_open, _pictures(images)
    )


def update_digest(update, author_ids, images):
    """A hash of what the seed owns in ``update``: byline, text, contributor line, pictures, status."""
    return _digest(
        "update",
        list(author_ids),
        update.headline,
        update.body,
        update.contributor_line,
        update.status,
        _pictures(images),
    )


def _picture_key(spec):
    return f"{spec.caption}\n{spec.credit}"


def _label(text, words=8):
    return markup.plain_excerpt(text, words) or "pictures only"


class _Placeholders:
    """The placeholder files a load needs: the missing ones are drawn on ``pool``'s threads
    while the rows are written, and stored (from this thread) before the load commits."""

    def __init__(self, pool):
        self.pool = pool
        self.stored = None  # names in storage, listed at the first want()
        self.drawing = {}  # placeholder name -> future of its files
        self.created = []

    def want(self, name):
        if self.stored is None:
            self.stored = image_tools.stored_placeholders()
        if name in self.drawing:
            return
        files = [name, *(item["name"] for item in image_tools.placeholder_renditions(name))]
        if not self.stored.issuperset(files):
            self.drawing[name] = self.pool.submit(image_tools.draw_placeholder, name)

    def store(self):
        for future in self.drawing.values():
            for name, data in future.result():
                if name in self.stored:
                    continue
                saved = image_tools.store(name, ContentFile(data))
                if saved == name:
                    self.created.append(saved)
                else:  # another load stored the same drawing meanwhile
                    default_storage.delete(saved)
                self.stored.add(name)
        self.drawing = {}

    def discard(self):
        for future in self.drawing.values():
            future.cancel()
        for name in self.created:
            default_storage.delete(name)


class _Loader:
    """One document's sync, inside the caller's transaction. Every write goes through ``services``."""

    def __init__(self, document, *, newest_at, interval, dry_run, force, pool, language=None):
        self.document = document
        self.language = language
        self.newest_at = newest_at
        self.interval = interval
        self.dry_run = dry_run
        self.force = force
        self.now = timezone.now()
        self.result = Result(path=document.path, slug=document.slug)
        self.placeholders = _Placeholders(pool)
        self.placeholder_names = image_tools.placeholder_names(map(_picture_key, document.pictures()))

    def run(self):
        story = (
            Story.objects.select_for_update()
            .prefetch_related("images")
            .filter(source_slug=self.document.source_slug)
            .first()
        )
        if story is None and not self.may_bring_back():
            return self.result
        authors = self.sync_authors()
        story = self.sync_story(story, authors)
        self.sync_updates(story, authors)
        self.placeholders.store()  # before the rows that name them are committed
        return self.result

    def may_bring_back(self):
        """Whether to create the document's story: not if the newsroom deleted it (unless ``force``)."""
        deleted = DeletedSeedStory.objects.filter(source_slug=self.document.source_slug).first()
        if deleted is None:
            return True
        if self.newsroom_changed(f"story “{deleted.title}”: deleted in the newsroom"):
            self.result.story_restored = True
            return True
        self.result.left_deleted = deleted.title
        return False

    def may_write(self, digest, current, description):
        """Whether the seed may write over a row whose seed-owned fields hash to ``current``.

        A newsroom change in the way is reported: kept, or with ``force`` overwritten.
        """
        if not digest or digest == current:
            return True
        return self.newsroom_changed(description)

    def newsroom_changed(self, description):
        """Report a newsroom change the document would undo; whether to undo it (``force``)."""
        (self.result.overwritten if self.force else self.result.kept).append(description)
        return self.force

    def sync_authors(self):
        names = self.document.author_names()
        authors = {author.name: author for author in Author.objects.filter(name__in=names)}
        for name in names:
            if name not in authors:
                authors[name] = services.create_author(
                    name=name, slug=slugs.unique_slug(Author, name, fallback="author")
                )
                self.result.authors_added += 1
        return authors

    def sync_story(self, story, authors):
        """The document's story (``story``, found by its source slug), made or brought up to date."""
        document = self.document
        fields = {
            "title": document.title,
            "lead_author_id": authors[document.lead_author].pk,
            "summary": document.summary.markdown,
            "comments_open": document.comments_open,
        }
        if self.language:
            fields["language"] = self.language
        specs = document.summary.images
        if story is None:
            count = len(document.updates)
            story = Story(
                slug=slugs.unique_slug(Story, document.slug, fallback="story"),
                source_slug=document.source_slug,
                status=Story.Status.LIVE,
                coverage_start=self.newest_at - self.interval * max(count - 1, 0),
                **fields,
            )
            images = self.new_images(specs)
            story.seed_digest = story_digest(story, images)
            services.save_story(story=story, now=self.now)
            self.replace_images(story, None, [], images)
            self.result.story_created = True
            self.result.slug = story.slug
            return story
        self.result.slug = story.slug
        lead = [image for image in story.images.all() if image.update_id is None]
        same_images = [(i.caption, i.credit, i.position) for i in lead] == [spec.key() for spec in specs]
        changed = [name for name, value in fields.items() if getattr(story, name) != value]
        if not changed and same_images:
            return story
        what = ", ".join(name.removesuffix("_id").replace("_", " ") for name in changed) or "lead image"
        description = f"story “{story.title}” ({what} differ from the document): changed in the newsroom"
        if not self.may_write(story.seed_digest, story_digest(story, lead), description):
            return story
        for name in changed:
            setattr(story, name, fields[name])
        images = lead if same_images else self.new_images(specs)
        story.seed_digest = story_digest(story, images)
        services.save_story(story=story, now=self.now)
        if not same_images:
            self.replace_images(story, None, lead, images)
        self.result.story_changed = True
        return story

    def new_images(self, specs):
        """Unsaved images for ``specs``, on shared placeholders (drawn by ``draw_placeholders``)."""
        images = []
        for spec in specs:
            name = self.placeholder_names[_picture_key(spec)]
            if not self.dry_run:
                self.placeholders.want(name)
            images.append(
                Image(
                    position=spec.position,
                    file=name,
                    width=image_tools.PLACEHOLDER_SIZE[0],
                    height=image_tools.PLACEHOLDER_SIZE[1],
                    caption=spec.caption,
                    credit=spec.credit,
                    alt_text=Truncator(spec.caption).chars(ALT_TEXT_LENGTH),
                    renditions=[] if self.dry_run else image_tools.placeholder_renditions(name),
                )
            )
        self.result.images_added += len(images)
        return images

    def replace_images(self, story, update, old, new):
        for image in old:
            services.delete_image(image=image)
        for image in new:
            image.story, image.update = story, update
            services.save_image(image=image)

    def sync_updates(self, story, authors):
        specs = list(reversed(self.document.updates))  # oldest first: position 0
        existing = {
            update.source_position: update
            for update in story.updates.filter(source_position__isnull=False).prefetch_related(
                "bylines__author", "images"
            )
        }
        # Places the seed filled before; one without an update was deleted in the newsroom.
        filled = max(story.seed_positions, max(existing, default=-1) + 1)
        newest = len(specs) - 1
        previous_time = None
        new = []
        for position, spec in enumerate(specs):
            update = existing.get(position)
            if update is not None:
                self.sync_update(update, spec, authors)
                previous_time = update.published_at or previous_time
                continue
            if position < filled:
                description = f"update at place {position} (“{_label(spec.headline or spec.text.markdown)}”)"
                if not self.newsroom_changed(f"{description}: deleted in the newsroom"):
                    continue
            # Document order, and never in the future: readers' next poll shows it.
            published_at = self.newest_at - self.interval * (newest - position)
            if previous_time is not None:
                published_at = max(published_at, previous_time)
            published_at = min(published_at, self.now)
            update = Update(
                headline=spec.headline,
                body=spec.text.markdown,
                contributor_line=spec.contributor_line,
                status=Update.Status.PUBLISHED,
                published_at=published_at,
                source_position=position,
            )
            byline = [authors[name] for name in spec.authors]
            images = self.new_images(spec.text.images)
            update.seed_digest = update_digest(update, [author.pk for author in byline], images)
            new.append((update, byline, images))
            previous_time = published_at
        self.create_updates(story, new)
        for position, update in sorted(existing.items()):
            if position >= len(specs):
                self.sync_update(update, None, authors)
        services.record_seed_positions(story=story, count=max(filled, len(specs)))

    def create_updates(self, story, new):
        """Insert new ``(update, byline, images)``, oldest first, in a few statements."""
        if new:
            services.create_updates(story=story, updates=new, writer=Writer.SEED, now=self.now)
            self.result.added += len(new)

    def sync_update(self, update, spec, authors):
        """Make ``update`` match ``spec``; ``spec`` None: the document no longer has it, unpublish it."""
        bylines, images = list(update.bylines.all()), list(update.images.all())
        current = (
            tuple(byline.author.name for byline in bylines),
            update.headline,
            update.body,
            update.contributor_line,
            tuple((image.caption, image.credit, image.position) for image in images),
        )
        wanted = spec.key() if spec else current
        status = Update.Status.PUBLISHED if spec else Update.Status.DRAFT
        if current == wanted and update.status == status:
            if spec:
                self.result.unchanged += 1
            return
        was_public = update.status != Update.Status.DRAFT
        how = "changed in the newsroom" if was_public else "unpublished in the newsroom"
        if spec is None:
            how += "; gone from the document"
        description = (
            f"update {update.pk} at place {update.source_position} "
            f"(“{_label(update.headline or update.body)}”): {how}"
        )
        digest = update_digest(update, [byline.author_id for byline in bylines], images)
        if not self.may_write(update.seed_digest, digest, description):
            return
        byline = None
        if spec is not None:
            if current[0] != wanted[0]:
                byline = [authors[name] for name in spec.authors]
            update.headline = spec.headline
            update.body = spec.text.markdown
            update.contributor_line = spec.contributor_line
        same_images = current[4] == wanted[4]
        new_images = images if same_images else self.new_images(spec.text.images)
        update.status = status
        author_ids = [author.pk for author in byline] if byline else [b.author_id for b in bylines]
        update.seed_digest = update_digest(update, author_ids, new_images)
        services.save_update(update=update, authors=byline, writer=Writer.SEED, now=self.now)
        if not same_images:
            self.replace_images(update.story, update, images, new_images)
        if spec is not None:
            self.result.edited += 1
        elif was_public:
            self.result.unpublished += 1

    def discard_files(self):
        self.placeholders.discard()


def load(
    document, *, newest_at=None, interval=timedelta(minutes=15), dry_run=False, force=False, language=None
):
    """Sync ``document`` into the database atomically; returns a ``Result``.

    Changes the newsroom made since the seed last wrote are kept and listed in
    ``Result.kept``; with ``force`` the document wins and they are listed in
    ``Result.overwritten``. A story the newsroom deleted is not created again
    (``Result.left_deleted``) unless ``force``. With ``dry_run`` the changes are
    counted and rolled back, and no file is written. ``language`` (a code of ``LANGUAGES``) is
    the story's language; without it a new story is in the site's and a loaded one keeps its own.
    """
    newest_at = newest_at or timezone.now().replace(second=0, microsecond=0)
    pool = ThreadPoolExecutor(max_workers=DRAWING_THREADS, thread_name_prefix="placeholders")
    loader = _Loader(
        document,
        newest_at=newest_at,
        interval=interval,
        dry_run=dry_run,
        force=force,
        pool=pool,
        language=language,
    )
    try:
        with transaction.atomic():
            result = loader.run()
            if dry_run:
                transaction.set_rollback(True)
    except BaseException:
        loader.discard_files()
        raise
    finally:
        pool.shutdown(cancel_futures=True)
    return result
