"""Webhooks in the admin: editors register, pause and delete endpoints, and read the delivery log.

An endpoint hears one story's updates, or every story's. Its secret is made when it is
registered and shown on its page, so the receiver can be configured to check signatures
(README, "Webhooks"). The delivery log is read-only: every event for every endpoint, its
attempts, the endpoint's answer and the error; "Retry now" sends the selected ones again.
Editors only (``permissions.can_manage_webhooks``); every write goes through ``services``.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import permissions, services, webhooks
from ..models import Webhook, WebhookDelivery
from .display import ADMIN_CSS, when


def https_by_default(field, **kwargs):
    if field.name == "url":
        kwargs["assume_scheme"] = "https"  # an address typed without a scheme is https
    return field.formfield(**kwargs)


class WebhookForm(forms.ModelForm):
    class Meta:
        model = Webhook
        fields = ["url", "story", "description", "active"]
        formfield_callback = https_by_default

    def clean_url(self):
        url = self.cleaned_data["url"]
        webhooks.check_url(url)
        return url


class EditorsOnly:
    """Only those who may manage webhooks see, add, change or delete them."""

    def _allowed(self, request):
        return request.user.is_active and permissions.can_manage_webhooks(request.user)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)


@admin.register(Webhook)
class WebhookAdmin(EditorsOnly, admin.ModelAdmin):
    form = WebhookForm
    list_display = ["url", "scope", "active", "description", "deliveries_link", "created_at"]
    list_filter = ["active", ("story", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["url", "description"]
    autocomplete_fields = ["story"]
    readonly_fields = ["shown_secret", "created_by", "created_at", "deliveries_link"]
    actions = ["pause", "resume"]

    class Media:
        css = ADMIN_CSS

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("story")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "url":
            return https_by_default(db_field, **kwargs)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_deleted_objects(self, objs, request):
        """The delivery log goes with its endpoint: deleting one needs no right to delete log rows."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(WebhookDelivery._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    def get_fields(self, request, obj=None):
        fields = ["url", "story", "description", "active"]
        return fields if obj is None else [*fields, *self.readonly_fields]

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)

    @admin.display(description=_("stories"))
    def scope(self, webhook):
        return webhook.story.title if webhook.story_id else _("All stories")

    @admin.display(description=_("secret"))
    def shown_secret(self, webhook):
        return format_html(
            _("<code>{secret}</code><br>Signs each event (Liveblog-Signature); give it to the receiver."),
            secret=webhook.secret,
        )

    @admin.display(description=_("deliveries"))
    def deliveries_link(self, webhook):
        url = reverse("admin:coverage_webhookdelivery_changelist") + f"?webhook__id__exact={webhook.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Delivery log"))

    def save_model(self, request, obj, form, change):
        new = obj.pk is None
        services.save_webhook(webhook=obj, user=request.user)
        if new:
            self.message_user(
                request,
                format_html(
                    _("Give the receiver at {url} this secret to check signatures:<br><code>{secret}</code>"),
                    url=obj.url,
                    secret=obj.secret,
                ),
                messages.SUCCESS,
            )

    def delete_model(self, request, obj):
        services.delete_webhook(webhook=obj)

    def delete_queryset(self, request, queryset):
        services.delete_webhooks(webhooks=queryset)

    @admin.action(description=_("Pause the selected endpoints"), permissions=["change"])
    def pause(self, request, queryset):
        count = services.set_webhooks_active(webhooks=queryset, active=False)
        message = ngettext(
            "%(count)s paused: they are sent nothing until resumed.",
            "%(count)s paused: they are sent nothing until resumed.",
            count,
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Resume the selected endpoints"), permissions=["change"])
    def resume(self, request, queryset):
        count = services.set_webhooks_active(webhooks=queryset, active=True)
        message = ngettext("%(count)s resumed.", "%(count)s resumed.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(EditorsOnly, admin.ModelAdmin):
    """The delivery log: read-only, newest first."""

    list_display = [
        "created",
        "event",
        "update_id",
        "webhook",
        "status",
        "attempts",
        "response_status",
        "error",
        "last_attempt",
        "next_attempt",
    ]
    list_filter = ["status", "event", "webhook"]
    search_fields = ["delivery_id", "=update_id"]
    list_select_related = ["webhook__story"]
    fields = [
        "delivery_id",
        "webhook",
        "event",
        "story",
        "update_id",
        "status",
        "attempts",
        "response_status",
        "error",
        "created",
        "last_attempt",
        "next_attempt",
        "shown_payload",
    ]
    readonly_fields = fields
    actions = ["retry_now"]
    list_per_page = 100

    class Media:
        css = ADMIN_CSS

    def has_add_permission(self, request):
        return False  # deliveries are events the site queued

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # they go with their endpoint

    def has_retry_permission(self, request):
        return self._allowed(request)

    @admin.display(description=_("created"), ordering="created_at")
    def created(self, delivery):
        return when(delivery.created_at, style="short")

    @admin.display(description=_("last attempt"), ordering="last_attempt_at")
    def last_attempt(self, delivery):
        return when(delivery.last_attempt_at, style="short")

    @admin.display(description=_("next attempt"), ordering="next_attempt_at")
    def next_attempt(self, delivery):
        return when(delivery.next_attempt_at, style="short") if delivery.is_due else "—"

    @admin.display(description=_("payload"))
    def shown_payload(self, delivery):
        try:
            text = json.dumps(json.loads(delivery.payload), ensure_ascii=False, indent=2)
        except ValueError:
            text = delivery.payload
        return format_html("<pre>{}</pre>", text)

    @admin.action(description=_("Retry the selected deliveries now"), permissions=["retry"])
    def retry_now(self, request, queryset):
        count = services.retry_deliveries(deliveries=queryset)
        message = ngettext("%(count)s queued to be sent now.", "%(count)s queued to be sent now.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)
