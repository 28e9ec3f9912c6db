"""Live coverage: stories that grow by short, bylined, timestamped updates."""

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from . import markup
from .conf import app_settings

# A summary whose text after the first paragraph is this long folds behind “Read more”.
SUMMARY_FOLD_CHARS = 300


class Writer(models.TextChoices):
    """Who made a change: someone in the newsroom (the admin) or the seed command."""

    NEWSROOM = "newsroom", "Newsroom"
    SEED = "seed", "Seed document"


class Author(models.Model):
    """A person who writes updates. Bylines and lead bylines point here."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    role = models.CharField(max_length=200, blank=True, help_text="E.g. “Moscow bureau chief”.")
    bio = models.TextField(blank=True)
    photo = models.ImageField(upload_to="authors/", blank=True)
    photo_renditions = models.JSONField(default=list, blank=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
        help_text="The login this author uses in the newsroom admin.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("coverage:author_detail", kwargs={"slug": self.slug})

    def portrait_urls(self):
        """``(small, large)`` URLs of the square portraits, or the photo twice if they were
        never made; None without a photo."""
        if not self.photo:
            return None
        squares = sorted(self.photo_renditions, key=lambda item: item.get("width", 0))
        if len(squares) >= 2:
            return default_storage.url(squares[0]["name"]), default_storage.url(squares[-1]["name"])
        return self.photo.url, self.photo.url

    @property
    def initials(self):
        """“AT” for Anton Troianovski; one letter for a name without spaces (王小明 → 王)."""
        words = [word for word in self.name.split() if word[:1].isalpha()] or self.name.split() or ["?"]
        letters = words[0][:1] + (words[-1][:1] if len(words) > 1 else "")
        return letters.upper()


class StoryQuerySet(models.QuerySet):
    def public(self):
        """Stories readers may see: live or ended, never drafts."""
        return self.exclude(status=Story.Status.DRAFT)

    def with_last_update(self, now=None):
        """Annotated with the newest published and edited times of their public updates
        (``story.last_updated`` is the later of the two), in the same query."""
        public = Update.objects.published(now).filter(story=OuterRef("pk")).order_by().values("story")
        return self.annotate(
            last_published_at=Subquery(public.annotate(latest=Max("published_at")).values("latest")[:1]),
            last_edited_at=Subquery(public.annotate(latest=Max("edited_at")).values("latest")[:1]),
        )


class Story(models.Model):
    """A live page: a summary on top and a stream of updates below."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        LIVE = "live", "Live"
        ENDED = "ended", "Ended"

    title = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        allow_unicode=True,
        help_text="The story's address: /live/<slug>/. Letters of any script, digits and hyphens.",
    )
    source_slug = models.CharField(
        max_length=300,
        blank=True,
        help_text="The slug of the seed document this story was loaded from: it names the story when "
        "the document is loaded again, and links to it redirect to the story.",
    )
    lead_author = models.ForeignKey(
        Author,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_stories",
        verbose_name="lead byline",
    )
    summary = models.TextField(
        blank=True,
        help_text="The block on top of the page, in Markdown, including the “what else to know” list.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    coverage_start = models.DateTimeField(null=True, blank=True)
    coverage_end = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(
        max_length=64,
        default=app_settings.TIME_ZONE,
        help_text="Times on the story page are shown in this zone (an IANA name).",
    )
    poll_interval = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Seconds between readers' checks for new updates. Empty: the site default.",
    )
    comments_open = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    seed_digest = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="A hash of the title, summary, lead byline and lead image as the seed last wrote them.",
    )
    seed_positions = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="How many of its document's updates the seed has created: one of those places "
        "left without an update was deleted in the newsroom, and stays deleted.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StoryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "stories"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "live", "ended"]), name="story_status_valid"
            ),
            models.UniqueConstraint(
                fields=["source_slug"], condition=~Q(source_slug=""), name="story_unique_source_slug"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("coverage:story_detail", kwargs={"slug": self.slug})

    @property
    def is_live(self):
        return self.status == self.Status.LIVE

    @property
    def lead_image(self):
        return next((image for image in self.images.all() if image.update_id is None), None)

    @property
    def last_updated(self):
        """When readers last got something new: the newest publication or edit (see
        ``StoryQuerySet.with_last_update``); None without public updates."""
        moments = [getattr(self, "last_published_at", None), getattr(self, "last_edited_at", None)]
        return max((moment for moment in moments if moment), default=None)

    def summary_blocks(self):
        """The summary's blocks with the lead image in its place (see markup.interleave)."""
        images = [image for image in self.images.all() if image.update_id is None]
        return markup.interleave(self.summary, images)

    def summary_sections(self):
        """``(shown, folded)``: the summary's parts split for a phone's first screen.

        A long summary shows its first paragraph and its lead image; the rest of its
        text folds behind “Read more”. A short one is shown whole.
        """
        parts = self.summary_blocks()
        first = next((index for index, (kind, _) in enumerate(parts) if kind == "block"), None)
        if first is None:
            return parts, []
        rest = parts[first + 1 :]
        folded = [part for part in rest if part[0] == "block"]
        if sum(len(strip_tags(block.html)) for _, block in folded) < SUMMARY_FOLD_CHARS:
            return parts, []
        return parts[: first + 1] + [part for part in rest if part[0] == "image"], folded


def public_updates(now):
    """Updates public by their own status and time (published, or scheduled for a time that
    has come), whatever their story's status: ``Update.objects.published()`` adds the story's."""
    return Q(status__in=[Update.Status.PUBLISHED, Update.Status.SCHEDULED], published_at__lte=now)


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
        return self.filter(public_updates(now), story__status__in=[Story.Status.LIVE, Story.Status.ENDED])

    def bulk_create(self, objs, *args, **kwargs):
        # New rows, so public only if public now: dated as save() would (bulk_create skips save()).
        objs = list(objs)
        now = timezone.now()
        for update in objs:
            update.stamp_public_change(now, was_public=False)
        created = super().bulk_create(objs, *args, **kwargs)
        for update in created:
            update._remember_stored_state()
        return created

    def with_byline(self):
        return self.select_related("story").prefetch_related("bylines__author", "images")

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
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="updates")
    authors = models.ManyToManyField(Author, through="Byline", related_name="updates")
    headline = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True, help_text="Markdown.")
    contributor_line = models.CharField(
        max_length=500, blank=True, help_text="E.g. “Marc Santora contributed reporting from Kyiv.”"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="For a scheduled update: when it goes public."
    )
    edited_at = models.DateTimeField(null=True, blank=True, help_text="Readers see “Updated” with this time.")
    pinned = models.BooleanField(default=False, help_text="Shown on top of the story. One per story.")
    key_event = models.BooleanField(default=False, help_text="Listed in the story's key events.")
    correction = models.TextField(blank=True, help_text="A correction note shown to readers.")
    corrected_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    source_position = models.PositiveIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="Place in the seed document, counted from the oldest update (0).",
    )
    seed_digest = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="A hash of the byline, text, pictures and status as the seed last wrote them.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The login that wrote this update; with the byline, who may edit it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True, db_index=True)
    public_changed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When readers last saw this update change: published, edited, or taken down. "
        "Work on a draft or a scheduled update not yet due leaves it alone.",
    )

    objects = UpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
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
        ]
        indexes = [
            models.Index(fields=["story", "status", "published_at"], name="update_story_stream"),
            models.Index(fields=["story", "public_changed_at"], name="update_story_public_change"),
        ]

    def __str__(self):
        return self.headline or markup.plain_excerpt(self.body) or f"Update {self.pk}"

    def save(self, **kwargs):
        """Also dates ``public_changed_at`` when readers will notice this write (see below)."""
        now = timezone.now()
        if self._state.adding:
            self._stored_state = (self.Status.DRAFT, None)  # no row yet: nothing readers saw
        if self.stamp_public_change(now, was_public=self.was_public(now)) and kwargs.get("update_fields"):
            kwargs["update_fields"] = {*kwargs["update_fields"], "public_changed_at"}
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
        return markup.interleave(self.body, list(self.images.all()))


class UpdateRevision(models.Model):
    """The headline and body of an update as one save left them, with who and when."""

    update = models.ForeignKey(Update, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    headline = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    writer = models.CharField(
        max_length=10,
        choices=Writer.choices,
        default=Writer.NEWSROOM,
        help_text="Where the change came from. For the newsroom, “saved by” names the login.",
    )
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["update", "version"], name="revision_unique_version"),
            models.CheckConstraint(
                condition=Q(writer__in=["newsroom", "seed"]), name="revision_writer_valid"
            ),
        ]

    def __str__(self):
        return f"Version {self.version} of update {self.update_id}"


class Byline(models.Model):
    """An author's place in an update's byline."""

    update = models.ForeignKey(Update, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["update", "author"], name="byline_unique_author"),
        ]

    def __str__(self):
        return f"{self.author} on {self.update_id}"


class Image(models.Model):
    """A photo with caption and credit, in an update's body or (lead image) in the summary."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="images")
    update = models.ForeignKey(Update, null=True, blank=True, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField(
        default=0, help_text="How many paragraphs (or lists) of the text come before the image."
    )
    file = models.ImageField(upload_to="images/%Y/%m/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    caption = models.TextField(blank=True)
    credit = models.CharField(max_length=300, blank=True)
    alt_text = models.CharField(
        max_length=500, blank=True, help_text="Describe the picture for readers who cannot see it."
    )
    renditions = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.caption[:80] or self.file.name

    @property
    def alt(self):
        return self.alt_text or self.caption

    def srcset(self, mime):
        """The ``srcset`` of the renditions of type ``mime`` (``"image/webp"``, ``"image/jpeg"``)."""
        return ", ".join(
            f"{default_storage.url(item['name'])} {item['width']}w"
            for item in self.renditions
            if item.get("type") == mime
        )

    @property
    def webp_srcset(self):
        return self.srcset("image/webp")

    @property
    def jpeg_srcset(self):
        return self.srcset("image/jpeg")

    @property
    def thumbnail_url(self):
        """The smallest rendition (the file itself when there are none)."""
        smallest = min(self.renditions, key=lambda item: item.get("width", 0), default=None)
        if smallest is not None:
            return default_storage.url(smallest["name"])
        return self.file.url if self.file else ""


class DeletedSeedStory(models.Model):
    """A story loaded from a seed document and then deleted in the newsroom.

    Named by the story's source slug, the seed's name for it: loading the document
    again leaves the story deleted and says so (``seed --force`` brings it back).
    """

    source_slug = models.CharField(max_length=300, unique=True)
    title = models.CharField(max_length=300, help_text="The story's title when it was deleted.")
    deleted_at = models.DateTimeField(default=timezone.now)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-deleted_at", "-pk"]
        verbose_name = "deleted seeded story"
        verbose_name_plural = "deleted seeded stories"

    def __str__(self):
        return self.title


class Tombstone(models.Model):
    """A deleted update, remembered so live readers are told to remove it."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="tombstones")
    update_id = models.BigIntegerField()
    deleted_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-deleted_at"]
        get_latest_by = "deleted_at"

    def __str__(self):
        return f"Update {self.update_id} deleted {self.deleted_at:%Y-%m-%d %H:%M}"


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)


class Comment(models.Model):
    """A reader's reply to a story, held for moderation. The email is never shown."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="comments")
    update = models.ForeignKey(
        Update,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
        help_text="The update this comment replies to, if any.",
    )
    name = models.CharField(max_length=100)
    email = models.EmailField(help_text="Never shown to readers.")
    body = models.TextField(max_length=5000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    client_hash = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="A keyed hash of the sender's address (no raw IP kept).",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "spam"]), name="comment_status_valid"
            ),
        ]
        # The rate limit counts a sender's recent comments (coverage.comments.post_comment).
        indexes = [models.Index(fields=["client_hash", "created_at"], name="comment_sender_recent")]

    def __str__(self):
        return f"{self.name} on {self.story}"

    def get_absolute_url(self):
        return f"{self.story.get_absolute_url()}#comment-{self.pk}"
