"""The moderation queue of reader comments: approve, mark as spam, send back to the queue.

Readers' comments are held until an editor approves them
(``permissions.can_moderate_comments``). The readers' form and its rules are in
``coverage.comments``.
"""

from django.contrib import admin, messages
from django.db.models import Case, IntegerField, Value, When
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import permissions, services, times
from ..models import Comment
from .display import ADMIN_CSS, when


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """The moderation queue: pending comments first, oldest first among them."""

    list_display = ["name", "excerpt", "story", "status", "received"]
    list_display_links = ["name", "excerpt"]
    list_filter = ["status", ("story", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "email", "body"]
    readonly_fields = ["story", "update", "client_hash", "received"]
    fields = ["story", "update", "name", "email", "body", "status", "received", "client_hash"]
    actions = ["approve", "mark_spam", "mark_pending"]
    list_per_page = 50

    class Media:
        css = ADMIN_CSS

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("story")

    def get_ordering(self, request):
        pending_first = Case(
            When(status=Comment.Status.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        return [pending_first.asc(), "created_at"]

    def has_add_permission(self, request):
        return False  # comments come from readers

    def has_change_permission(self, request, obj=None):
        return permissions.can_moderate_comments(request.user)

    @admin.display(description=_("Received"), ordering="created_at")
    def received(self, comment):
        return when(comment.created_at, times.zone_of(comment.story), "short")

    @admin.display(description=_("Comment"))
    def excerpt(self, comment):
        return Truncator(comment.body).chars(90)

    def save_model(self, request, obj, form, change):
        services.save_comment(comment=obj)

    def delete_model(self, request, obj):
        services.delete_comment(comment=obj)

    def delete_queryset(self, request, queryset):
        services.delete_comments(comments=queryset)

    def _moderate(self, request, queryset, status, message):
        count = services.moderate_comments(comments=queryset, status=status)
        self.message_user(request, message(count) % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Approve selected comments"), permissions=["change"])
    def approve(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.APPROVED, approved_message)

    @admin.action(description=_("Mark selected comments as spam"), permissions=["change"])
    def mark_spam(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.SPAM, spam_message)

    @admin.action(description=_("Send selected comments back to the queue"), permissions=["change"])
    def mark_pending(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.PENDING, pending_message)


def approved_message(count):
    return ngettext(
        "%(count)s comment approved and shown to readers.",
        "%(count)s comments approved and shown to readers.",
        count,
    )


def spam_message(count):
    return ngettext("%(count)s comment marked as spam.", "%(count)s comments marked as spam.", count)


def pending_message(count):
    return ngettext("%(count)s comment back in the queue.", "%(count)s comments back in the queue.", count)
