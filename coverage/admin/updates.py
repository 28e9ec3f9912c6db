"""The updates' admin: the form editors live in, each story's desk, "Publish now".

- The update form: byline in order (author autocomplete), Markdown body with a
  live preview as readers will see it, status ("Publish now", "Schedule for
  later", draft), pin and key event, correction, the update's pictures inline
  (``images.ImageInline``) and clips (``clips.ClipInline``), earlier versions. It is versioned (``versioned``)
  and shows times in its story's zone (``zones``).
- A story's desk: the list of updates filtered to one story, newest first,
  where a plain "Save" returns the editor, the saved row highlighted and a
  word on where readers see it.
- Reporters change and delete only their own updates and cannot pin
  (``coverage.permissions``); every write goes through ``services``.
"""

from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import markup, permissions, services, times
from ..models import Author, Clip, Image, Story, Update, Writer
from .clips import ClipInline
from .display import ADMIN_CSS, STORY_FILTER, may_edit_update, story_updates_url, thumbnail, when
from .forms import UpdateForm
from .images import ImageInline
from .versioned import SafeSaveAdmin
from .zones import ZonedAdmin

# The update just saved, highlighted once in its story's list of updates.
SAVED_UPDATE_KEY = "coverage_saved_update"
PREVIEW_MAX_CHARS = 100_000


class AuthorFilter(admin.RelatedOnlyFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = _("author")


class MineFilter(admin.SimpleListFilter):
    title = _("writer")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", _("Me"))]

    def queryset(self, request, queryset):
        return queryset.owned_by(request.user) if self.value() == "1" else queryset


@admin.register(Update)
class UpdateAdmin(ZonedAdmin, SafeSaveAdmin):
    form = UpdateForm
    inlines = [ImageInline, ClipInline]
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
                (_("Correction"), {"fields": ["correction", "corrected_time"]}),
                (_("History"), {"fields": ["edited_time", "earlier_versions"], "classes": ["collapse"]}),
            ]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not permissions.can_pin(request.user):
            readonly.append("pinned")
        if obj is not None and not self.has_change_permission(request, obj):
            # A form to look at only: Django makes the model form's fields read-only, and
            # these are the form's own (UpdateForm.SERVICE_FIELDS), so they are named here.
            readonly += [name for name in UpdateForm.SERVICE_FIELDS if name not in readonly]
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
        return super().has_change_permission(request, obj) and may_edit_update(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and may_edit_update(request, obj)

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
        writes = {Image: ("image", services.save_image, services.delete_image),
                  Clip: ("clip", services.save_clip, services.delete_clip)}  # fmt: skip
        if formset.model not in writes:
            return super().save_formset(request, form, formset, change)
        name, save, delete = writes[formset.model]
        parts = formset.save(commit=False)
        for part in formset.deleted_objects:
            delete(**{name: part})
        for part in parts:
            part.story_id = form.instance.story_id
            save(**{name: part})
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
        done = {
            "added": _('The update “<a href="{url}">{update}</a>” was added successfully. {where}'),
            "changed": _('The update “<a href="{url}">{update}</a>” was changed successfully. {where}'),
        }[verb]
        message = format_html(done, url=change_url, update=update, where=self._where_readers_see(update))
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(f"{story_updates_url(update.story)}#update-row-{update.pk}")

    @staticmethod
    def _where_readers_see(update):
        story = update.story
        if Update.objects.published().filter(pk=update.pk).exists():
            return format_html(_('<a href="{url}">See it as readers do</a>.'), url=update.get_absolute_url())
        if story.status == Story.Status.DRAFT:
            return format_html(_("Not public yet: the story “{title}” is a draft."), title=story.title)
        if update.status == Update.Status.DRAFT:
            return _("Not public yet: this update is a draft.")
        return _("Not public yet: readers see it from %(time)s.") % {
            "time": when(update.published_at, times.zone_of(story))
        }

    def _filtered_story(self, request):
        story_id = request.GET.get(STORY_FILTER, "")
        return Story.objects.filter(pk=story_id).first() if story_id.isdigit() else None

    def changelist_view(self, request, extra_context=None):
        context = {"saved_pk": request.session.pop(SAVED_UPDATE_KEY, None)}
        story = self._filtered_story(request)
        if story is not None:
            context |= {
                "title": _("Updates of the story"),
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
    def _preview_html(source, descriptions=None):
        """The body as readers see it, embeds as their facades (what their providers said, if known)."""
        parts = markup.interleave(source[:PREVIEW_MAX_CHARS], [])
        context = {"parts": parts, "descriptions": descriptions or {}}
        return mark_safe(render_to_string("coverage/includes/text.html", context))

    def preview_view(self, request):
        """The body rendered as readers will see it (JSON ``{"html": …}``), for the live preview."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        return JsonResponse({"html": str(self._preview_html(request.POST.get("text", "")))})

    @admin.action(description=_("Publish now"), permissions=["change"])
    def publish_now(self, request, queryset):
        published = 0
        for update in permissions.editable_updates(request.user, queryset).exclude(
            status=Update.Status.PUBLISHED
        ):
            services.publish_update(update=update, user=request.user)
            self.log_change(request, update, "Published.")
            published += 1
        message = ngettext("Published: %(count)d update.", "Published: %(count)d updates.", published)
        self.message_user(request, message % {"count": published}, messages.SUCCESS)

    # --- columns and read-only fields

    @admin.display(description="", empty_value="")
    def list_thumbnail(self, update):
        return thumbnail(next(iter(update.images.all()), None), width=48)

    @admin.display(description=_("Byline"))
    def byline(self, update):
        """The byline on a read-only form (where the editable one is a form field)."""
        return self.byline_names(update)

    @admin.display(description=_("Story"), ordering="story__title")
    def story_title(self, update):
        return Truncator(update.story.title).chars(30)

    @admin.display(description=_("Byline"))
    def byline_names(self, update):
        return ", ".join(author.name for author in update.byline_authors())

    @admin.display(description=_("Status"), ordering="status")
    def status_label(self, update):
        status = update.get_status_display()
        if update.status == Update.Status.SCHEDULED and update.published_at <= timezone.now():
            status = _("Published (was scheduled)")
        flags = [
            (name,) for name, on in ((_("Pinned"), update.pinned), (_("Key event"), update.key_event)) if on
        ]
        return format_html(
            "{}{}", status, format_html_join("", ' <span class="coverage-flag">{}</span>', flags)
        )

    @admin.display(description=_("Time"), ordering="published_at")
    def published_time(self, update):
        """The time readers see on the update, in its story's zone (none for a draft: it gets one
        when it is published)."""
        if update.status == Update.Status.DRAFT:
            return "—"
        return when(update.published_at, times.zone_of(update.story), "short")

    @admin.display(description=_("Edited"))
    def edited_time(self, update):
        return when(update.edited_at)

    @admin.display(description=_("Corrected"))
    def corrected_time(self, update):
        return when(update.corrected_at)

    @admin.display(description=_("Preview"))
    def preview(self, update):
        return format_html(
            '<div class="coverage-preview" data-preview-url="{}" aria-live="polite">{}</div>',
            reverse("admin:coverage_update_preview"),
            self._preview_html(update.body, update.embeds) if update else "",
        )

    @admin.display(description=_("Earlier versions"))
    def earlier_versions(self, update):
        # Every save is a revision; a text shows once, as the save that wrote it.
        revisions, before = [], None
        for revision in reversed(update.revisions.select_related("saved_by")):
            text = (revision.headline, revision.body)
            if text != before and text != (update.headline, update.body):
                revisions.insert(0, revision)
            before = text
        if not revisions:
            return _("None: the text has not been changed.")
        return format_html_join(
            "",
            '<details class="coverage-revision"><summary>{}</summary>'
            "<p><strong>{}</strong></p><pre>{}</pre></details>",
            (
                (
                    _("Version %(version)s · %(time)s · %(writer)s")
                    % {
                        "version": revision.version,
                        "time": when(revision.saved_at),
                        "writer": _revision_writer(revision),
                    },
                    revision.headline,
                    revision.body,
                )
                for revision in revisions
            ),
        )


def _revision_writer(revision):
    if revision.writer == Writer.SEED:
        return _("the seed document")
    return revision.saved_by or _("before the newsroom admin")
