"""The stories' admin: the list of stories, the story form, starting and ending coverage.

A story's page lists its latest updates and links to its desk, the list of its
updates (``updates``). Stories are saved and deleted through ``services``;
reporters only look at them (Django's model permissions).
"""

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import idle, partners, services, times
from ..models import Comment, Story, Update
from .display import ADMIN_CSS, story_updates_url, when
from .forms import StoryForm
from .versioned import SafeSaveAdmin
from .zones import ZonedAdmin


@admin.register(Story)
class StoryAdmin(ZonedAdmin, SafeSaveAdmin):
    form = StoryForm
    list_display = [
        "title",
        "live_badge",
        "status",
        "update_count",
        "last_update_at",
        "pending_comments",
        "coverage_started",
        "ended_automatically",
        "add_update_link",
    ]
    list_filter = ["status", "comments_open", ("lead_author", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["lead_author"]
    readonly_fields = ["source_slug", "latest_updates", "ended_automatically", "embed_code"]
    actions = ["start_coverage", "end_coverage"]
    date_hierarchy = "created_at"

    class Media:
        css = ADMIN_CSS
        js = ["coverage/admin/embed_code.js"]

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
                        *(["ended_automatically"] if obj is not None and idle.reason(obj) else []),
                        ("coverage_start", "coverage_end"),
                        "summary",
                        "base_version",
                        "shown_in_zone",
                    ]
                },
            ),
            (
                _("Reader page"),
                {
                    "fields": [
                        "language",
                        "order",
                        "poll_interval",
                        "time_zone",
                        "comments_open",
                        "source_slug",
                    ]
                },
            ),
        ]
        if obj is not None:
            fieldsets.append((_("Updates"), {"fields": ["latest_updates"]}))
            fieldsets.append((_("On partners’ sites"), {"fields": ["embed_code"]}))
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

    @admin.display(description=_("Comments to moderate"), ordering="pending_comments")
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

    @admin.display(description=_("Live"))
    def live_badge(self, story):
        return format_html('<span class="coverage-live">{}</span>', _("LIVE")) if story.is_live else ""

    @admin.display(description=_("Updates"), ordering="update_count")
    def update_count(self, story):
        return format_html('<a href="{}">{}</a>', story_updates_url(story), story.update_count)

    @admin.display(description=_("Last update"), ordering="last_update_at")
    def last_update_at(self, story):
        return when(story.last_update_at, times.zone_of(story), "short")

    @admin.display(description=_("Coverage start"), ordering="coverage_start")
    def coverage_started(self, story):
        return when(story.coverage_start, times.zone_of(story), "short")

    @admin.display(description=_("Ended by the site"))
    def ended_automatically(self, story):
        """Why the site ended the story by itself (``idle``); empty when it did not."""
        return idle.reason(story)

    @admin.display(description="")
    def add_update_link(self, story):
        return format_html(
            '<a class="addlink" href="{}?story={}">{}</a>',
            reverse("admin:coverage_update_add"),
            story.pk,
            _("Add an update"),
        )

    @admin.display(description=_("Latest updates"))
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
                    # Translators: an update's status and the time it is (or goes) public.
                    else _("%(status)s · %(time)s")
                    % {
                        "status": update.get_status_display(),
                        "time": when(update.published_at, zone, "short"),
                    },
                )
                for update in updates
            ),
        )
        if not rows:
            return _("No updates yet.")
        return format_html(
            '<ul class="coverage-latest">{}</ul><p><a href="{}">{}</a></p>',
            rows,
            story_updates_url(story),
            _("All the story’s updates"),
        )

    @admin.display(description=_("Embed code"))
    def embed_code(self, story):
        """The code a partner pastes to show the story's stream live on their site, a button
        to copy it, and which sites may frame it (``coverage.partners``)."""
        ancestors = partners.frame_ancestors()
        if ancestors:
            allowed = format_html(
                "{} {}",
                gettext("Sites that may show it:"),
                ", ".join(ancestors),
            )
        else:
            allowed = gettext(
                "No site may show it yet: set LIVEBLOG_EMBED_ORIGINS to the partners’ origins "
                "(e.g. https://news.example.org)."
            )
        draft = gettext("It shows once the story is live.") if story.status == Story.Status.DRAFT else ""
        return format_html(
            '<textarea id="coverage-embed-code" class="vLargeTextField coverage-embed-code" rows="4" '
            'readonly aria-label="{}">{}</textarea>'
            '<p><button type="button" class="button" data-copy="coverage-embed-code" data-copied="{}">'
            "{}</button>"
            ' <span class="coverage-muted" role="status"></span></p>'
            '<p class="help">{} {} <a href="{}" target="_blank">{}</a></p>',
            gettext("Embed code"),
            escape(partners.embed_code(story)),  # shown as text: the code's own escapes kept
            gettext("Copied"),
            gettext("Copy"),
            allowed,
            draft,
            partners.embed_url(story),
            gettext("Preview"),
        )

    def time_zone_for(self, request, object_id):
        """The story's zone; on a save, the zone chosen in the form (the form checks it)."""
        chosen = times.zone_named(request.POST.get("time_zone")) if request.method == "POST" else None
        story = Story.objects.filter(pk=object_id).first() if str(object_id or "").isdigit() else None
        return chosen or times.zone_of(story)

    def changelist_view(self, request, extra_context=None):
        idle.end_idle_stories()  # the newsroom sees which stories the site ended, and why
        return super().changelist_view(request, extra_context)

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

    @admin.action(description=_("Start coverage (live)"), permissions=["change"])
    def start_coverage(self, request, queryset):
        self._set_coverage(request, queryset, services.start_coverage, "Started coverage.", started_message)

    @admin.action(description=_("End coverage"), permissions=["change"])
    def end_coverage(self, request, queryset):
        self._set_coverage(request, queryset, services.end_coverage, "Ended coverage.", ended_message)

    def _set_coverage(self, request, queryset, service, logged, message):
        stories = list(queryset)
        for story in stories:
            service(story=story)
            self.log_change(request, story, logged)
        self.message_user(request, message(len(stories)), messages.SUCCESS)


def started_message(count):
    return ngettext("Coverage started: %(count)d story.", "Coverage started: %(count)d stories.", count) % {
        "count": count
    }


def ended_message(count):
    return ngettext("Coverage ended: %(count)d story.", "Coverage ended: %(count)d stories.", count) % {
        "count": count
    }
