"""The authors' admin: names, slugs, roles, portraits, and the login an author writes as.

Linking a login to an author makes the author the byline of that login's new
updates, and the updates bylined to the author that login's own
(``permissions``). Authors are saved through ``services.save_author``.
"""

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import Author
from .display import ADMIN_CSS
from .forms import AuthorForm


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    form = AuthorForm
    list_display = ["photo_thumbnail", "name", "role", "login", "update_count"]
    list_display_links = ["photo_thumbnail", "name"]
    search_fields = ["name", "role"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
    fields = ["name", "slug", "role", "bio", "photo", "photo_preview", "user"]
    readonly_fields = ["photo_preview"]

    class Media:
        css = ADMIN_CSS

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").annotate(update_count=Count("updates"))

    def save_model(self, request, obj, form, change):
        services.save_author(author=obj)

    def delete_model(self, request, obj):
        services.delete_author(author=obj)

    def delete_queryset(self, request, queryset):
        services.delete_authors(authors=queryset)

    @admin.display(description="", empty_value="")
    def photo_thumbnail(self, author):
        if not author.photo:
            return ""
        return format_html('<img class="coverage-thumb" src="{}" alt="" width="48">', author.photo.url)

    @admin.display(description=_("Preview"))
    def photo_preview(self, author):
        return self.photo_thumbnail(author) or "—"

    @admin.display(description=_("Login"), ordering="user__username")
    def login(self, author):
        if author.user is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:auth_user_change", args=[author.user_id]), author.user
        )

    @admin.display(description=_("Updates"), ordering="update_count")
    def update_count(self, author):
        return author.update_count
