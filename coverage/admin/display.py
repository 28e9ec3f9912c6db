"""What the admin's pages share: its style sheet, thumbnails, times, counts and links.

Also ``may_edit_update``, the request's memo of ``permissions.can_edit_update``
(a list of updates asks it for every row, several times).
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from .. import permissions, times

ADMIN_CSS = {"all": ["coverage/admin/admin.css"]}
STORY_FILTER = "story__id__exact"


def may_edit_update(request, update):
    """Whether the user may change and delete ``update`` (asked once per update and request)."""
    if update is None or update.pk is None:
        return permissions.can_edit_update(request.user, update)
    cache = request.__dict__.setdefault("_coverage_editable_updates", {})
    if update.pk not in cache:
        cache[update.pk] = permissions.can_edit_update(request.user, update)
    return cache[update.pk]


class UpdatePartInline(admin.StackedInline):
    """An inline of what an update holds (pictures, clips): added, changed and deleted by
    those who may edit the update."""

    fk_name = "update"
    extra = 1

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and may_edit_update(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and may_edit_update(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and may_edit_update(request, obj)


def thumbnail(image, width=96):
    if image is None or not image.file:
        return ""
    height = round(image.height * width / image.width) if image.width and image.height else width
    return format_html(
        '<img class="coverage-thumb" src="{}" alt="" width="{}" height="{}" loading="lazy">',
        image.thumbnail_url,
        width,
        height,
    )


def story_updates_url(story):
    """The list of a story's updates, newest first: the editor's desk for that story."""
    return f"{reverse('admin:coverage_update_changelist')}?{urlencode({STORY_FILTER: story.pk})}"


def when(moment, zone=None, style="long"):
    """A time as the newsroom reads it, its zone named: in ``zone``, default the active one."""
    return times.wall_clock(moment, zone, style) if moment else "—"
