"""The newsroom admin: stories, the update form editors live in, authors, images.

Who may do what is decided here, in the permission methods, not by hiding
buttons: reporters change and delete only updates they own
(``Update.objects.editable_by``); editors hold ``change_any_update``.
"""

from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Max, Q, Value, When
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import Truncator

from . import images, markup, services, times
from .forms import AuthorForm, ImageForm, StoryForm, UpdateForm
from .models import Author, Comment, DeletedSeedStory, Image, Story, Update, Writer

ADMIN_CSS = {"all": ["coverage/admin/admin.css"]}
# The update just saved, highlighted once in its story's list of updates.
SAVED_UPDATE_KEY = "coverage_saved_update"
STORY_FILTER = "story__id__exact"
PREVIEW_MAX_CHARS = 100_000


def can_edit_update(request, update):
    """Whether the user may change and delete ``update`` (cached for the request)."""
    if update is None or update.pk is None:
        return True
    if request.user.has_perm("coverage.change_any_update"):
        return True
    cache = request.__dict__.setdefault("_coverage_editable_updates", {})
    if update.pk not in cache:
        cache[update.pk] = Update.objects.editable_by(request.user).filter(pk=update.pk).exists()
    return cache[update.pk]


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


def _story_updates_url(story):
    """The list of a story's updates, newest first: the editor's desk for that story."""
    return f"{reverse('admin:coverage_update_changelist')}?{urlencode({STORY_FILTER: story.pk})}"


def _count(number, noun):
    plural = "stories" if noun == "story" else f"{noun}s"
    return f"{number} {noun if number == 1 else plural}"


def _when(moment, zone=None, style="long"):
    """A time as the newsroom reads it, its zone named: in ``zone``, default the active one."""
    return times.wall_clock(moment, zone, style) if moment else "—"


class SafeSaveAdmin(admin.ModelAdmin):
    """A save that fails leaves no file behind, and a stale save is never written.

    Pictures written during a save are deleted if the save fails afterwards
    (``images.discard_files_on_error``). Stories and updates are saved through
    services that refuse stale versions: the form refuses a stale version
    before anything is written; if a colleague's save lands between that check
    and the write, the service raises ``StaleEdit``, the transaction is rolled
    back and the request is handled again, so the form sees the new version and
    shows the comparison, with the editor's text kept.
    """

    def time_zone_for(self, request, object_id):
        """The zone the form shows and reads times in (None: the newsroom's)."""
        return None

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with timezone.override(self.time_zone_for(request, object_id)):
            try:
                with images.discard_files_on_error():
                    response = super().changeform_view(request, object_id, form_url, extra_context)
            except services.StaleEdit:
                with images.discard_files_on_error():
                    response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()  # times are formatted when the form is rendered: in the zone
        return response


# --- stories -----------------------------------------------------------------------


@admin.register(Story)
class StoryAdmin(SafeSaveAdmin):
    form = StoryForm
    list_display = [
        "title",
        "live_badge",
        "status",
        "update_count",
        "last_update_at",
        "pending_comments",
        "coverage_started",
        "add_update_link",
    ]
    list_filter = ["status", "comments_open", ("lead_author", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["lead_author"]
    readonly_fields = ["source_slug", "latest_updates"]
    actions = ["start_coverage", "end_coverage"]
    date_hierarchy = "created_at"

    class Media:
        css = ADMIN_CSS

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (
                None,
                {
                    "fields": [
                        "title",
                        "slug",
                        "lead_author",
                        "status",
                        ("coverage_start", "coverage_end"),
                        "summary",
                        "base_version",
                        "shown_in_zone",
                    ]
                },
            ),
            ("Reader page", {"fields": ["poll_interval", "time_zone", "comments_open", "source_slug"]}),
        ]
        if obj is not None:
            fieldsets.append(("Updates", {"fields": ["latest_updates"]}))
        return fieldsets

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("lead_author")
            .annotate(
                update_count=Count("updates", distinct=True),
                last_update_at=Max("updates__published_at", filter=Q(updates__in=Update.objects.published())),
                pending_comments=Count(
                    "comments", filter=Q(comments__status=Comment.Status.PENDING), distinct=True
                ),
            )
        )

    @admin.display(description="Comments to moderate", ordering="pending_comments")
    def pending_comments(self, story):
        if not story.pending_comments:
            return "0"
        url = reverse("admin:coverage_comment_changelist")
        return format_html(
            '<a href="{}?story__id__exact={}&amp;status__exact=pending">{}</a>',
            url,
            story.pk,
            story.pending_comments,
        )

    @admin.display(description="Live")
    def live_badge(self, story):
        return format_html('<span class="coverage-live">{}</span>', "LIVE") if story.is_live else ""

    @admin.display(description="Updates", ordering="update_count")
    def update_count(self, story):
        return format_html('<a href="{}">{}</a>', _story_updates_url(story), story.update_count)

    @admin.display(description="Last update", ordering="last_update_at")
    def last_update_at(self, story):
        return _when(story.last_update_at, times.zone_of(story), "short")

    @admin.display(description="Coverage start", ordering="coverage_start")
    def coverage_started(self, story):
        return _when(story.coverage_start, times.zone_of(story), "short")

    @admin.display(description="")
    def add_update_link(self, story):
        return format_html(
            '<a class="addlink" href="{}?story={}">Add an update</a>',
            reverse("admin:coverage_update_add"),
            story.pk,
        )

    @admin.display(description="Latest updates")
    def latest_updates(self, story):
        updates = story.updates.order_by(F("published_at").desc(nulls_first=True), "-pk")[:10]
        zone = times.zone_of(story)
        rows = format_html_join(
            "",
            '<li><a href="{}">{}</a> <span class="coverage-muted">{}</span></li>',
            (
                (
                    reverse("admin:coverage_update_change", args=[update.pk]),
                    update,
                    update.get_status_display()
                    if update.status == Update.Status.DRAFT
                    else f"{update.get_status_display()} · {_when(update.published_at, zone, 'short')}",
                )
                for update in updates
            ),
        )
        if not rows:
            return "No updates yet."
        return format_html(
            '<ul class="coverage-latest">{}</ul><p><a href="{}">All the story’s updates</a></p>',
            rows,
            _story_updates_url(story),
        )

    def time_zone_for(self, request, object_id):
        """The story's zone; on a save, the zone chosen in the form (the form checks it)."""
        chosen = times.zone_named(request.POST.get("time_zone")) if request.method == "POST" else None
        story = Story.objects.filter(pk=object_id).first() if str(object_id or "").isdigit() else None
        return chosen or times.zone_of(story)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if request.user.has_perm("coverage.add_update"):
            extra_context["add_update_url"] = f"{reverse('admin:coverage_update_add')}?story={object_id}"
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        services.save_story(story=obj)

    def delete_model(self, request, obj):
        services.delete_story(story=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for story in queryset:
                services.delete_story(story=story, user=request.user)

    @admin.action(description="Start coverage (live)", permissions=["change"])
    def start_coverage(self, request, queryset):
        for story in queryset:
            services.start_coverage(story=story)
            self.log_change(request, story, "Started coverage.")
        self.message_user(request, f"Coverage started: {_count(len(queryset), 'story')}.", messages.SUCCESS)

    @admin.action(description="End coverage", permissions=["change"])
    def end_coverage(self, request, queryset):
        for story in queryset:
            services.end_coverage(story=story)
            self.log_change(request, story, "Ended coverage.")
        self.message_user(request, f"Coverage ended: {_count(len(queryset), 'story')}.", messages.SUCCESS)


# --- updates -----------------------------------------------------------------------


class ImageInline(admin.StackedInline):
    """Pictures of an update, stacked: labelled fields that fit any width (a table of six
    columns pushed the required alt text off a phone's screen). The picture field shows
    a thumbnail of the current file."""

    model = Image
    form = ImageForm
    fk_name = "update"
    extra = 1
    fields = ["file", "caption", "alt_text", ("credit", "position")]
    verbose_name = "picture"

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and can_edit_update(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and can_edit_update(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and can_edit_update(request, obj)


class AuthorFilter(admin.RelatedOnlyFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "author"


class MineFilter(admin.SimpleListFilter):
    title = "writer"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", "Me")]

    def queryset(self, request, queryset):
        return queryset.owned_by(request.user) if self.value() == "1" else queryset


@admin.register(Update)
class UpdateAdmin(SafeSaveAdmin):
    form = UpdateForm
    inlines = [ImageInline]
    autocomplete_fields = ["story"]
    radio_fields = {"status": admin.HORIZONTAL}
    list_display = [
        "list_thumbnail",
        "__str__",
        "story_title",
        "byline_names",
        "status_label",
        "published_time",
    ]
    list_display_links = ["list_thumbnail", "__str__"]
    list_filter = [
        MineFilter,
        "story",
        "status",
        ("authors", AuthorFilter),
        "key_event",
        "pinned",
    ]
    search_fields = ["headline", "body"]
    list_select_related = ["story"]
    ordering = [F("published_at").desc(nulls_first=True), "-pk"]
    readonly_fields = ["preview", "edited_time", "corrected_time", "earlier_versions"]
    actions = ["publish_now"]

    class Media:
        css = ADMIN_CSS
        js = ["coverage/admin/preview.js"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (
                None,
                {
                    "fields": [
                        ("story", "byline"),
                        "headline",
                        ("body", "preview"),
                        "contributor_line",
                        ("status", "published_at"),
                        ("pinned", "key_event"),
                        "base_version",
                        "shown_in_zone",
                    ]
                },
            ),
        ]
        if obj is not None:
            fieldsets += [
                ("Correction", {"fields": ["correction", "corrected_time"]}),
                ("History", {"fields": ["edited_time", "earlier_versions"], "classes": ["collapse"]}),
            ]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm("coverage.change_any_update"):
            # Pinning unpins the story's other update, which may be someone else's.
            readonly.append("pinned")
        return readonly

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("bylines__author", "images")

    def time_zone_for(self, request, object_id):
        """The zone of the story chosen in the form, else of the update's story (the form checks it)."""
        chosen = (request.POST if request.method == "POST" else request.GET).get("story", "")
        story = Story.objects.filter(pk=chosen).first() if chosen.isdigit() else None
        if story is None and str(object_id or "").isdigit():
            story = Story.objects.filter(updates=object_id).first()
        return times.zone_of(story)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and can_edit_update(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and can_edit_update(request, obj)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("status", Update.Status.PUBLISHED)
        author = Author.objects.filter(user=request.user.pk).first()
        if author is not None:
            initial.setdefault("byline", [author.pk])
        return initial

    def save_model(self, request, obj, form, change):
        services.save_update(update=obj, authors=form.cleaned_data.get("byline"), user=request.user)

    def delete_model(self, request, obj):
        services.delete_update(update=obj)

    def delete_queryset(self, request, queryset):
        services.delete_updates(updates=queryset)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Image:
            return super().save_formset(request, form, formset, change)
        pictures = formset.save(commit=False)
        for image in formset.deleted_objects:
            services.delete_image(image=image)
        for image in pictures:
            image.story_id = form.instance.story_id
            services.save_image(image=image)
        formset.save_m2m()

    def _add_another(self, request, obj, response):
        if "_addanother" in request.POST and IS_POPUP_VAR not in request.POST:
            return HttpResponseRedirect(f"{reverse('admin:coverage_update_add')}?story={obj.story_id}")
        return response

    def response_add(self, request, obj, post_url_continue=None):
        return self._back_to_the_story(request, obj, "added") or self._add_another(
            request, obj, super().response_add(request, obj, post_url_continue)
        )

    def response_change(self, request, obj):
        return self._back_to_the_story(request, obj, "changed") or self._add_another(
            request, obj, super().response_change(request, obj)
        )

    def _back_to_the_story(self, request, update, verb):
        """After a plain "Save": the story's updates, newest first, this one highlighted, and
        where readers see it ("Save and continue", "Save and add another" and popups as before)."""
        buttons = {IS_POPUP_VAR, "_continue", "_addanother", "_saveasnew"}
        if buttons & set(request.POST) or not self.has_view_or_change_permission(request):
            return None
        request.session[SAVED_UPDATE_KEY] = update.pk
        change_url = reverse("admin:coverage_update_change", args=[update.pk])
        message = format_html(
            'The update “<a href="{}">{}</a>” was {} successfully. {}',
            change_url,
            update,
            verb,
            self._where_readers_see(update),
        )
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(f"{_story_updates_url(update.story)}#update-row-{update.pk}")

    @staticmethod
    def _where_readers_see(update):
        story = update.story
        if Update.objects.published().filter(pk=update.pk).exists():
            return format_html('<a href="{}">See it as readers do</a>.', update.get_absolute_url())
        if story.status == Story.Status.DRAFT:
            return format_html("Not public yet: the story “{}” is a draft.", story.title)
        if update.status == Update.Status.DRAFT:
            return "Not public yet: this update is a draft."
        return f"Not public yet: readers see it from {_when(update.published_at, times.zone_of(story))}."

    def _filtered_story(self, request):
        story_id = request.GET.get(STORY_FILTER, "")
        return Story.objects.filter(pk=story_id).first() if story_id.isdigit() else None

    def changelist_view(self, request, extra_context=None):
        context = {"saved_pk": request.session.pop(SAVED_UPDATE_KEY, None)}
        story = self._filtered_story(request)
        if story is not None:
            context |= {
                "title": "Updates of the story",
                "subtitle": story.title,
                "story": story,
                "story_add_update_url": f"{reverse('admin:coverage_update_add')}?story={story.pk}",
            }
        return super().changelist_view(request, context | (extra_context or {}))

    def get_list_display(self, request):
        if STORY_FILTER in request.GET:  # one story's updates: its title on every row says nothing
            return [column for column in self.list_display if column != "story_title"]
        return self.list_display

    def get_urls(self):
        preview = path(
            "preview/", self.admin_site.admin_view(self.preview_view), name="coverage_update_preview"
        )
        return [preview, *super().get_urls()]

    @staticmethod
    def _preview_html(source):
        return markup.render(source[:PREVIEW_MAX_CHARS])

    def preview_view(self, request):
        """The body rendered as readers will see it (JSON ``{"html": …}``), for the live preview."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        return JsonResponse({"html": str(self._preview_html(request.POST.get("text", "")))})

    @admin.action(description="Publish now", permissions=["change"])
    def publish_now(self, request, queryset):
        published = 0
        for update in queryset.editable_by(request.user).exclude(status=Update.Status.PUBLISHED):
            services.publish_update(update=update, user=request.user)
            self.log_change(request, update, "Published.")
            published += 1
        self.message_user(request, f"Published: {_count(published, 'update')}.", messages.SUCCESS)

    # --- columns and read-only fields

    @admin.display(description="", empty_value="")
    def list_thumbnail(self, update):
        return thumbnail(next(iter(update.images.all()), None), width=48)

    @admin.display(description="Byline")
    def byline(self, update):
        """The byline on a read-only form (where the editable one is a form field)."""
        return self.byline_names(update)

    @admin.display(description="Story", ordering="story__title")
    def story_title(self, update):
        return Truncator(update.story.title).chars(30)

    @admin.display(description="Byline")
    def byline_names(self, update):
        return ", ".join(author.name for author in update.byline_authors())

    @admin.display(description="Status", ordering="status")
    def status_label(self, update):
        status = update.get_status_display()
        if update.status == Update.Status.SCHEDULED and update.published_at <= timezone.now():
            status = "Published (was scheduled)"
        flags = [(name,) for name, on in (("Pinned", update.pinned), ("Key event", update.key_event)) if on]
        return format_html(
            "{}{}", status, format_html_join("", ' <span class="coverage-flag">{}</span>', flags)
        )

    @admin.display(description="Time", ordering="published_at")
    def published_time(self, update):
        """The time readers see on the update, in its story's zone (none for a draft: it gets one
        when it is published)."""
        if update.status == Update.Status.DRAFT:
            return "—"
        return _when(update.published_at, times.zone_of(update.story), "short")

    @admin.display(description="Edited")
    def edited_time(self, update):
        return _when(update.edited_at)

    @admin.display(description="Corrected")
    def corrected_time(self, update):
        return _when(update.corrected_at)

    @admin.display(description="Preview")
    def preview(self, update):
        return format_html(
            '<div class="coverage-preview" data-preview-url="{}" aria-live="polite">{}</div>',
            reverse("admin:coverage_update_preview"),
            self._preview_html(update.body if update else ""),
        )

    @admin.display(description="Earlier versions")
    def earlier_versions(self, update):
        revisions = [
            revision
            for revision in update.revisions.select_related("saved_by")
            if (revision.headline, revision.body) != (update.headline, update.body)
        ]
        if not revisions:
            return "None: the text has not been changed."
        return format_html_join(
            "",
            '<details class="coverage-revision"><summary>Version {} · {} · {}</summary>'
            "<p><strong>{}</strong></p><pre>{}</pre></details>",
            (
                (
                    revision.version,
                    _when(revision.saved_at),
                    _revision_writer(revision),
                    revision.headline,
                    revision.body,
                )
                for revision in revisions
            ),
        )


def _revision_writer(revision):
    if revision.writer == Writer.SEED:
        return "the seed document"
    return revision.saved_by or "before the newsroom admin"


# --- authors and images ---------------------------------------------------------------


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

    @admin.display(description="Preview")
    def photo_preview(self, author):
        return self.photo_thumbnail(author) or "—"

    @admin.display(description="Login", ordering="user__username")
    def login(self, author):
        if author.user is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:auth_user_change", args=[author.user_id]), author.user
        )

    @admin.display(description="Updates", ordering="update_count")
    def update_count(self, author):
        return author.update_count


@admin.register(Image)
class ImageAdmin(SafeSaveAdmin):
    form = ImageForm
    list_display = ["list_thumbnail", "__str__", "credit", "dimensions", "used_in"]
    list_display_links = ["list_thumbnail", "__str__"]
    list_filter = ["story"]
    search_fields = ["caption", "credit", "alt_text"]
    list_select_related = ["story", "update"]
    autocomplete_fields = ["story", "update"]
    fields = [
        "file",
        "preview",
        "caption",
        "credit",
        "alt_text",
        "update",
        "story",
        "position",
        "dimensions",
    ]
    readonly_fields = ["preview", "dimensions"]

    class Media:
        css = ADMIN_CSS

    @admin.display(description="")
    def list_thumbnail(self, image):
        return thumbnail(image)

    @admin.display(description="Preview")
    def preview(self, image):
        return thumbnail(image, width=240)

    @admin.display(description="Size")
    def dimensions(self, image):
        return f"{image.width} × {image.height}" if image.width else "—"

    @admin.display(description="Used in")
    def used_in(self, image):
        if image.update_id:
            return format_html(
                'Update <a href="{}">{}</a> in {}',
                reverse("admin:coverage_update_change", args=[image.update_id]),
                image.update,
                image.story,
            )
        return format_html(
            'Lead image of <a href="{}">{}</a>',
            reverse("admin:coverage_story_change", args=[image.story_id]),
            image.story,
        )

    def _may_edit(self, request, image):
        if image is None:
            return True
        if image.update_id:
            return can_edit_update(request, image.update)
        return request.user.has_perm("coverage.change_story")

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_edit(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "update":
            kwargs["queryset"] = Update.objects.editable_by(request.user)
            if not request.user.has_perm("coverage.change_story"):
                kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.save_image(image=obj)

    def delete_model(self, request, obj):
        services.delete_image(image=obj)

    def delete_queryset(self, request, queryset):
        services.delete_images(images=queryset)


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

    def delete_model(self, request, obj):
        services.forget_deleted_story(deleted=obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for deleted in queryset:
                services.forget_deleted_story(deleted=deleted)


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

    @admin.display(description="Received", ordering="created_at")
    def received(self, comment):
        return _when(comment.created_at, times.zone_of(comment.story), "short")

    @admin.display(description="Comment")
    def excerpt(self, comment):
        return Truncator(comment.body).chars(90)

    def save_model(self, request, obj, form, change):
        services.save_comment(comment=obj)

    def delete_model(self, request, obj):
        services.delete_comment(comment=obj)

    def delete_queryset(self, request, queryset):
        services.delete_comments(comments=queryset)

    def _moderate(self, request, queryset, status, verb):
        count = services.moderate_comments(comments=queryset, status=status)
        self.message_user(request, f"{count} comment{'s' if count != 1 else ''} {verb}.", messages.SUCCESS)

    @admin.action(description="Approve selected comments", permissions=["change"])
    def approve(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.APPROVED, "approved and shown to readers")

    @admin.action(description="Mark selected comments as spam", permissions=["change"])
    def mark_spam(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.SPAM, "marked as spam")

    @admin.action(description="Send selected comments back to the queue", permissions=["change"])
    def mark_pending(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.PENDING, "back in the queue")
