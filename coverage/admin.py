from django.contrib import admin

from .models import Author, Byline, Image, Story, Update


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "user"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "coverage_start", "updated_at"]
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 1
    autocomplete_fields = ["author"]


class ImageInline(admin.StackedInline):
    model = Image
    extra = 0
    fields = ["file", "caption", "credit", "alt_text", "position", "story"]


@admin.register(Update)
class UpdateAdmin(admin.ModelAdmin):
    list_display = ["__str__", "story", "status", "published_at", "pinned", "key_event"]
    list_filter = ["status", "pinned", "key_event", "story"]
    search_fields = ["headline", "body"]
    inlines = [BylineInline, ImageInline]


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["__str__", "story", "update", "credit"]
    search_fields = ["caption", "credit"]
