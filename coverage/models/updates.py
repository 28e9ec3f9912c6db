"""Updates: the short, bylined, timestamped posts of a story, their bylines and revisions.

``public_updates(now)`` is the one definition of what readers may see; ``Writer``
says who made a revision (the newsroom or the seed).
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import markup, search
from .authors import Author
from .stories import Story


class Writer(models.TextChoices):
    """Who made a change: someone in the newsroom (the admin) or the seed command."""

    NEWSROOM = "newsroom", _("Newsroom")
    SEED = "seed", _("Seed document")


def public_updates(now, *, through=""):
    """Updates public by their own status and time (published, or scheduled for a time that
    has come), whatever their story's status: ``Update.objects.published()`` adds the story's.

    ``through`` reaches the update from another model (``"update__"`` from a byline).
    """
    return Q(
        **{
            f"{through}status__in": Update.SHOWN_STATUSES,
            f"{through}published_at__lte": now,
        }
    )


PUBLIC_STORIES = [Story.Status.LIVE, Story.Status.ENDED]
# How many key events a story lists (its page's box, the change feed, the API).
KEY_EVENTS_SHOWN = 10


def public_change(now):
    """``public_changed_at`` for a queryset ``update()`` that keeps status and time: ``now``
    on the rows readers can see, unchanged on the others."""
    return models.Case(
        models.When(public_updates(now), then=models.Value(now)), default=models.F("public_changed_at")
    )


class UpdateQuerySet(models.QuerySet):
    def published(self, now=None):
        """Updates readers may see: published, or scheduled for a time that has come."""
        now = now or timezone.now()
        return self.filter(public_updates(now), story__status__in=PUBLIC_STORIES)

    def releases(self, now):
        """(time, story id) of the scheduled updates still to come, soonest first: a reader
        sees each when its time comes, though nobody writes anything then."""
        waiting = self.filter(status=Update.Status.SCHEDULED, published_at__gt=now)
        return waiting.order_by("published_at").values_list("published_at", "story_id")

    def bulk_create(self, objs, *args, **kwargs):
        # New rows, so public only if public now: dated as save() would (bulk_create skips save()).
        objs = list(objs)
        now = timezone.now()
        for update in objs:
            update.stamp_public_change(now, was_public=False)
            search.stamp(update)
        created = super().bulk_create(objs, *args, **kwargs)
        for update in created:
            update._remember_stored_state()
        return created

    def pinned_in(self, story):
        """The update of these that is pinned in ``story`` (at most one: ``one_pin_per_story``).

        Found through that index, as ``pk = (subquery)``: asked as ``pinned = true``
        alongside the public filter, SQLite walks the story's stream to find it.
        """
        pin = Update.objects.filter(story=story, pinned=True).values("pk")[:1]
        return self.filter(pk=Subquery(pin))

    def key_events(self, story, now=None, *, limit=KEY_EVENTS_SHOWN):
        """The newest public key events of ``story``, newest first, as its page and the API list them."""
        marked = self.published(now).filter(story=story, key_event=True)
        return marked.order_by("-published_at", "-pk")[:limit]

    def with_byline(self):
        return self.select_related("story").prefetch_related("bylines__author", "images", "clips")

    def owned_by(self, user):
        """Updates ``user`` wrote: their author profile is in the byline, or they created it."""
        if not user.is_authenticated:
            return self.none()
        bylined = Byline.objects.filter(author__user=user).values("update")
        return self.filter(Q(created_by=user) | Q(pk__in=bylined))

    def editable_by(self, user):
        """Updates ``user`` may change and delete: all for editors, their own for reporters."""
        if user.has_perm("coverage.change_any_update"):
            return self
        return self.owned_by(user)


class Update(models.Model):
    """One entry in a story's stream: a byline, an optional headline, a body, images."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")

    # Statuses readers see once the update's time has come (a draft never).
    SHOWN_STATUSES = (Status.PUBLISHED, Status.SCHEDULED)

    story = models.ForeignKey(
        Story, on_delete=models.CASCADE, related_name="updates", verbose_name=_("story")
    )
    authors = models.ManyToManyField(
        Author, through="Byline", related_name="updates", verbose_name=_("authors")
    )
    headline = models.CharField(max_length=300, blank=True, verbose_name=_("headline"))
    body = models.TextField(blank=True, help_text=_("Markdown."), verbose_name=_("body"))
    contributor_line = models.CharField(
        max_length=500,
        blank=True,
        help_text=_("E.g. “Marc Santora contributed reporting from Kyiv.”"),
        verbose_name=_("contributor line"),
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, verbose_name=_("status")
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text=_("For a scheduled update: when it goes public."),
        verbose_name=_("published at"),
    )
    edited_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("Readers see “Updated” with this time."),
        verbose_name=_("edited at"),
    )
    pinned = models.BooleanField(
        default=False, help_text=_("Shown on top of the story. One per story."), verbose_name=_("pinned")
    )
    key_event = models.BooleanField(
        default=False, help_text=_("Listed in the story's key events."), verbose_name=_("key event")
    )
    correction = models.TextField(
        blank=True, help_text=_("A correction note shown to readers."), verbose_name=_("correction")
    )
    embeds = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text=_(
            "What the providers said of the embedded URLs of the body (URL -> title, author, "
            "thumbnail…), fetched once when it was saved."
        ),
        verbose_name=_("embeds"),
    )
    corrected_at = models.DateTimeField(null=True, blank=True, verbose_name=_("corrected at"))
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("version"))
    source_position = models.PositiveIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text=_("Place in the seed document, counted from the oldest update (0)."),
        verbose_name=_("source position"),
    )
    seed_digest = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("A hash of the byline, text, pictures and status as the seed last wrote them."),
        verbose_name=_("seed digest"),
    )
    request_key = models.CharField(
        max_length=80,
        blank=True,
        editable=False,
        help_text=_(
            "The Idempotency-Key of the request that created this update: a retried request "
            "with the same key gets this update back instead of a second one."
        ),
        verbose_name=_("request key"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The login that wrote this update; with the byline, who may edit it."),
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    changed_at = models.DateTimeField(auto_now=True, db_index=True, verbose_name=_("changed at"))
    public_changed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When readers last saw this update change: published, edited, or taken down. "
            "Work on a draft or a scheduled update not yet due leaves it alone."
        ),
        verbose_name=_("public changed at"),
    )
    # Kept from the headline and body by every write (``coverage.search.stamp``).
    search_text = models.TextField(
        blank=True,
        editable=False,
        verbose_name=_("search text"),
        help_text=_("The headline's and body's words, casefolded, for search."),
    )
    search_vector = SearchVectorField(  # PostgreSQL only, GIN-indexed
        null=True, editable=False, verbose_name=_("search vector")
    )

    objects = UpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("update")
        verbose_name_plural = _("updates")
        permissions = [("change_any_update", "Can change and delete anyone's updates")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "scheduled", "published"]), name="update_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="update_public_has_time",
            ),
            models.UniqueConstraint(fields=["story"], condition=Q(pinned=True), name="one_pin_per_story"),
            models.UniqueConstraint(
                fields=["story", "source_position"],
                condition=Q(source_position__isnull=False),
                name="update_unique_source_position",
            ),
            models.UniqueConstraint(
                fields=["story", "request_key"],
                condition=~Q(request_key=""),
                name="update_unique_request_key",
            ),
        ]
        # Each query a reader's page makes reads a few rows of one of these, newest first,
        # however long the story: its stream and cursor pages, its key events, its
        # newest publication, edit and change (see ``stories.latest``).
        indexes = [
            models.Index(fields=["story", "status", "published_at"], name="update_story_stream"),
            models.Index(fields=["story", "published_at", "id"], name="update_story_time"),
            models.Index(
                fields=["story", "published_at", "id"], condition=Q(key_event=True), name="update_story_key"
            ),
            models.Index(fields=["story", "edited_at"], name="update_story_edited"),
            models.Index(fields=["story", "public_changed_at"], name="update_story_public_change"),
        ]

    def __str__(self):
        return (
            self.headline or markup.plain_excerpt(self.body) or _("Update %(number)s") % {"number": self.pk}
        )

    def save(self, **kwargs):
        """Also dates ``public_changed_at`` when readers will notice this write (see below), and
        stamps the search columns from the text written."""
        now = timezone.now()
        if self._state.adding:
            self._stored_state = (self.Status.DRAFT, None)  # no row yet: nothing readers saw
        if self.stamp_public_change(now, was_public=self.was_public(now)) and kwargs.get("update_fields"):
            kwargs["update_fields"] = {*kwargs["update_fields"], "public_changed_at"}
        written = kwargs.get("update_fields")
        if written is None or {"headline", "body"} & set(written):
            search.stamp(self)
            if written is not None:
                kwargs["update_fields"] = {*written, *search.COLUMNS}
        super().save(**kwargs)
        self._remember_stored_state()

    def get_absolute_url(self):
        return reverse("coverage:update_detail", kwargs={"slug": self.story.slug, "pk": self.pk})

    # --- what readers can see, and when that changed --------------------------------
    # An update is public when it is published, or scheduled for a time that has come.
    # Every write that readers could notice (to a public update, or one that was public
    # until this write) dates ``public_changed_at``; the change feed, its ETag and the
    # cached pages follow that date, so work on unpublished updates shows nowhere.

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._remember_stored_state()
        return instance

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        state_fields = {"status", "published_at"}
        if fields is None or state_fields <= set(fields):
            self._remember_stored_state()
        elif state_fields & set(fields):
            self._stored_state = None  # half of it read now, half before: unknown

    def _remember_stored_state(self):
        deferred = self.get_deferred_fields()
        stored = None if {"status", "published_at"} & deferred else (self.status, self.published_at)
        self._stored_state = stored

    @staticmethod
    def _public(status, published_at, now):
        return status != Update.Status.DRAFT and published_at is not None and published_at <= now

    def is_public(self, now=None):
        """Readers can see this update as it stands in memory (its story's status aside)."""
        return self._public(self.status, self.published_at, now or timezone.now())

    def was_public(self, now=None):
        """Readers can see the row as it was last read or written (True when that is unknown)."""
        if self._state.adding:
            return False
        stored = getattr(self, "_stored_state", None)
        return stored is None or self._public(*stored, now or timezone.now())

    def stamp_public_change(self, now, *, was_public):
        """Date the change a write makes if readers will notice it; returns whether they will."""
        noticed = was_public or self.is_public(now)
        if noticed:
            self.public_changed_at = now
        return noticed

    @property
    def anchor(self):
        return f"update-{self.pk}"

    def byline_authors(self):
        """Authors in byline order (uses the prefetched bylines when present)."""
        return [byline.author for byline in self.bylines.all()]

    def body_blocks(self):
        """The body's blocks, pictures and clips in reading order, pictures in a row as one gallery."""
        return markup.galleries(markup.interleave(self.body, list(self.images.all()), list(self.clips.all())))

    def has_gallery(self):
        """Whether the body shows a gallery (its page then loads the gallery script)."""
        return any(kind == "gallery" for kind, _ in self.body_blocks())


class UpdateRevision(models.Model):
    """The headline and body of an update as one save left them, with who and when.

    With the status and time that save left: which versions readers saw, and from
    when, follows from them (``coverage.history``).
    """

    update = models.ForeignKey(
        Update, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("update")
    )
    version = models.PositiveIntegerField(verbose_name=_("version"))
    headline = models.CharField(max_length=300, blank=True, verbose_name=_("headline"))
    body = models.TextField(blank=True, verbose_name=_("body"))
    status = models.CharField(
        max_length=10,
        choices=Update.Status.choices,
        blank=True,
        help_text=_(
            "The update's status as this save left it; empty for versions kept before it was "
            "recorded (never shown to readers)."
        ),
        verbose_name=_("status"),
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("The update's publication time as this save left it."),
        verbose_name=_("published at"),
    )
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("saved by"),
    )
    writer = models.CharField(
        max_length=10,
        choices=Writer.choices,
        default=Writer.NEWSROOM,
        help_text=_("Where the change came from. For the newsroom, “saved by” names the login."),
        verbose_name=_("writer"),
    )
    saved_at = models.DateTimeField(default=timezone.now, verbose_name=_("saved at"))

    class Meta:
        ordering = ["-version"]
        verbose_name = _("update revision")
        verbose_name_plural = _("update revisions")
        constraints = [
            models.UniqueConstraint(fields=["update", "version"], name="revision_unique_version"),
            models.CheckConstraint(
                condition=Q(writer__in=["newsroom", "seed"]), name="revision_writer_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["", "draft", "scheduled", "published"]), name="revision_status_valid"
            ),
        ]

    def __str__(self):
        return _("Version %(version)s of update %(number)s") % {
            "version": self.version,
            "number": self.update_id,
        }


class BylineQuerySet(models.QuerySet):
    def public(self, now=None):
        """Bylines on updates readers may see (as ``UpdateQuerySet.published``), asked first by
        the byline's own copy of its update's time, which an index reads in order."""
        now = now or timezone.now()
        public = public_updates(now, through="update__")
        return self.filter(public, published_at__lte=now, story__status__in=PUBLIC_STORIES)

    def bulk_create(self, objs, *args, **kwargs):
        # New bylines repeat their update's story and time, as save() has them do.
        objs = list(objs)
        for byline in objs:
            byline.copy_update()
        return super().bulk_create(objs, *args, **kwargs)


class Byline(models.Model):
    """An author's place in an update's byline.

    ``story`` and ``published_at`` repeat the update's (set by ``save()`` and
    ``bulk_create`` for a new byline, by ``services.save_update`` when the update
    moves or changes time): which authors write in a story, and an author's updates
    newest first, are then read from one index each, however long the story and the
    author's career (the story page's author filter, the author page).
    """

    update = models.ForeignKey(
        Update, on_delete=models.CASCADE, related_name="bylines", verbose_name=_("update")
    )
    author = models.ForeignKey(
        Author, on_delete=models.PROTECT, related_name="bylines", db_index=False, verbose_name=_("author")
    )  # byline_author_time serves it
    story = models.ForeignKey(
        Story,
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        db_index=False,
        verbose_name=_("story"),
    )  # byline_story_author serves it
    published_at = models.DateTimeField(null=True, editable=False, verbose_name=_("published at"))
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))

    objects = BylineQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("byline")
        verbose_name_plural = _("bylines")
        constraints = [
            models.UniqueConstraint(fields=["update", "author"], name="byline_unique_author"),
        ]
        indexes = [
            models.Index(fields=["story", "author"], name="byline_story_author"),
            models.Index(fields=["author", "published_at", "update"], name="byline_author_time"),
        ]

    def __str__(self):
        return _("%(author)s on %(number)s") % {"author": self.author, "number": self.update_id}

    def save(self, **kwargs):
        if self._state.adding:
            self.copy_update()
        super().save(**kwargs)

    def copy_update(self):
        self.story_id = self.update.story_id
        self.published_at = self.update.published_at
