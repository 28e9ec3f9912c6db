"""The admin's list of seeded stories deleted in the newsroom, which the seed leaves deleted.

Deleting a story loaded from a seed document records it here
(``services.delete_story``); deleting the record (``services.forget_deleted_story``)
lets the next ``seed`` load the document again.
"""

from django.contrib import admin
from django.db import transaction

from .. import permissions, services
from ..models import DeletedSeedStory


@admin.register(DeletedSeedStory)
class DeletedSeedStoryAdmin(admin.ModelAdmin):
    """Stories loaded from seed documents and deleted since: the seed leaves them deleted.

    Deleting an entry here lets the next ``seed`` load its document again.
    """

    list_display = ["title", "source_slug", "deleted_at", "deleted_by"]
    list_select_related = ["deleted_by"]
    search_fields = ["title", "source_slug"]
    fields = ["title", "source_slug", "deleted_at", "deleted_by"]

    def has_add_permission(self, request):
        return False  # a story deleted in the admin is remembered here by itself

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return permissions.can_forget_deleted_story(request.user)

    def delete_model(self, request, obj):
        services.forget_deleted_story(deleted=obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for deleted in queryset:
                services.forget_deleted_story(deleted=deleted)
