"""Stories: a live page's title, summary, lead byline, status and times."""

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from .. import markup
from ..conf import app_settings
from .authors import Author

# A summary whose text after the first paragraph is this long folds behind “Read more”.
SUMMARY_FOLD_CHARS = 300


def latest(queryset, field):
    """A subquery: the newest ``field`` of ``queryset``'s rows (None without one).

    The first row in an index on ``(story, field)``, read backwards: what ``Max()``
    answers, at the cost of one index probe where ``Max()`` would read every row
    of a long story (neither SQLite nor PostgreSQL stops early on a grouped MAX).
    """
    rows = queryset.filter(**{f"{field}__isnull": False}).order_by(f"-{field}")  # the value, not the row
    return Subquery(rows.values(field)[:1])


def default_language():
    """The site's language (``LANGUAGE_CODE``): a new story is written in it unless told."""
    return settings.LANGUAGE_CODE


class StoryQuerySet(models.QuerySet):
    def public(self):
        """Stories readers may see: live or ended, never drafts."""
        return self.exclude(status=Story.Status.DRAFT)

    def as_pages_read_them(self):
        """Public stories with what a reader's page of one shows at hand: its last update's and
        activity's times and its lead author, in the same query."""
        return self.public().with_last_update().with_activity().select_related("lead_author")

    def with_last_update(self, now=None):
        """Annotated with the newest published and edited times of their public updates
        (``story.last_updated`` is the later of the two), in the same query."""
        from .updates import Update  # here: updates.py imports this module (Update.story)

        public = Update.objects.published(now).filter(story=OuterRef("pk"))
        return self.annotate(
            last_published_at=latest(public, "published_at"),
            last_edited_at=latest(public, "edited_at"),
        )

    def with_activity(self):
        """Annotated with ``last_activity_at``: the newest time of their updates published or
        scheduled, in the same query (see ``coverage.idle``: a story without one ends by itself)."""
        from .updates import Update

        planned = Update.objects.filter(story=OuterRef("pk"), status__in=Update.SHOWN_STATUSES)
        return self.annotate(last_activity_at=latest(planned, "published_at"))


class Story(models.Model):
    """A live page: a summary on top and a stream of updates below."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LIVE = "live", _("Live")
        ENDED = "ended", _("Ended")

    class Order(models.TextChoices):
        """The order a story's stream is read in; readers can switch (``?order=``)."""

        NEWEST = "newest", _("Newest first")
        OLDEST = "oldest", _("Oldest first")

    title = models.CharField(max_length=300, verbose_name=_("title"))
    slug = models.SlugField(
        max_length=200,
        unique=True,
        allow_unicode=True,
        help_text=_("The story's address: /live/<slug>/. Letters of any script, digits and hyphens."),
        verbose_name=_("slug"),
    )
    source_slug = models.CharField(
        max_length=300,
        blank=True,
        help_text=_(
            "The slug of the seed document this story was loaded from: it names the story when "
            "the document is loaded again, and links to it redirect to the story."
        ),
        verbose_name=_("source slug"),
    )
    lead_author = models.ForeignKey(
        Author,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_stories",
        verbose_name=_("lead byline"),
    )
    summary = models.TextField(
        blank=True,
        help_text=_("The block on top of the page, in Markdown, including the “what else to know” list."),
        verbose_name=_("summary"),
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, verbose_name=_("status")
    )
    order = models.CharField(
        max_length=6,
        choices=Order.choices,
        default=Order.NEWEST,
        verbose_name=_("reading order"),
        help_text=_(
            "How readers get the updates unless they switch: newest first for breaking news, "
            "oldest first for coverage read from its start (a match report, a Q&A)."
        ),
    )
    embeds = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text=_(
            "What the providers said of the embedded URLs of the summary (URL -> title, author, "
            "thumbnail…), fetched once when it was saved."
        ),
        verbose_name=_("embeds"),
    )
    coverage_start = models.DateTimeField(null=True, blank=True, verbose_name=_("coverage start"))
    coverage_end = models.DateTimeField(null=True, blank=True, verbose_name=_("coverage end"))
    live_since = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When the story last went live: a story that gets no update ends by itself "
            "LIVEBLOG_IDLE_END_HOURS after its newest update or this time, whichever is later."
        ),
        verbose_name=_("live since"),
    )
    ended_automatically_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Set when the site ended the story because it went without an update for "
            "LIVEBLOG_IDLE_END_HOURS: the moment that time ran out. Cleared when it goes live again."
        ),
        verbose_name=_("ended automatically at"),
    )
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default=default_language,
        verbose_name=_("language"),
        help_text=_(
            "The language the story is written in: its page, feed and live texts speak it "
            "(Arabic pages read right to left)."
        ),
    )
    time_zone = models.CharField(
        max_length=64,
        default=app_settings.TIME_ZONE,
        help_text=_("Times on the story page are shown in this zone (an IANA name)."),
        verbose_name=_("time zone"),
    )
    poll_interval = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Seconds between readers' checks for new updates. Empty: the site default."),
        verbose_name=_("poll interval"),
    )
    comments_open = models.BooleanField(default=True, verbose_name=_("comments open"))
    comments_shown = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text=_(
            "How many of its comments are approved, kept by the comment services: the page "
            "counts and pages its comments without a COUNT over them."
        ),
        verbose_name=_("comments shown"),
    )
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("version"))
    seed_digest = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("A hash of the title, summary, lead byline and lead image as the seed last wrote them."),
        verbose_name=_("seed digest"),
    )
    seed_positions = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text=_(
            "How many of its document's updates the seed has created: one of those places "
            "left without an update was deleted in the newsroom, and stays deleted."
        ),
        verbose_name=_("seed positions"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = StoryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "live", "ended"]), name="story_status_valid"
            ),
            models.CheckConstraint(condition=Q(order__in=["newest", "oldest"]), name="story_order_valid"),
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
    def oldest_first(self):
        return self.order == self.Order.OLDEST

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
