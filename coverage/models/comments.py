"""Readers' comments, held for moderation until approved."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .stories import Story
from .updates import Update


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)


class Comment(models.Model):
    """A reader's reply to a story, held for moderation. The email is never shown."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        SPAM = "spam", _("Spam")

    story = models.ForeignKey(
        Story, on_delete=models.CASCADE, related_name="comments", verbose_name=_("story")
    )
    update = models.ForeignKey(
        Update,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
        help_text=_("The update this comment replies to, if any."),
        verbose_name=_("update"),
    )
    name = models.CharField(max_length=100, verbose_name=_("name"))
    email = models.EmailField(help_text=_("Never shown to readers."), verbose_name=_("email"))
    body = models.TextField(max_length=5000, verbose_name=_("body"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True, verbose_name=_("status")
    )
    client_hash = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("A keyed hash of the sender's address (no raw IP kept)."),
        verbose_name=_("client hash"),
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("created at"))

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "spam"]), name="comment_status_valid"
            ),
        ]
        indexes = [
            # The rate limit counts a sender's recent comments (coverage.comments.post_comment).
            models.Index(fields=["client_hash", "created_at"], name="comment_sender_recent"),
            # A story page shows a page of its approved comments, oldest first.
            models.Index(fields=["story", "status", "created_at", "id"], name="comment_story_shown"),
        ]

    def __str__(self):
        return _("%(name)s on %(story)s") % {"name": self.name, "story": self.story}

    def get_absolute_url(self):
        return f"{self.story.get_absolute_url()}#comment-{self.pk}"
