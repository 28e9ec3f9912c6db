"""API tokens in the admin: everyone in the newsroom makes and revokes their own.

A token acts with its login's role (``coverage.api``). Its key is shown once, in
the message after it is made; only a digest is stored, so a lost key is revoked and
replaced, never read back. Superusers see and revoke everyone's tokens (a stolen
phone, a departed colleague) and may make one for another login (a bot's).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import ApiToken


class TokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "user"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "shown_key", "created_at", "last_used_at", "state"]
    list_select_related = ["user"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "user__username"]
    readonly_fields = ["user", "shown_key", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]
    form = TokenForm

    @admin.display(description=_("key"))
    def shown_key(self, token):
        return f"{token.shown}…"

    @admin.display(description=_("state"))
    def state(self, token):
        if token.is_active:
            return _("active")
        return format_html(_("revoked {time}"), time=format(token.revoked_at, "%Y-%m-%d %H:%M"))

    def _newsroom(self, request):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return self._newsroom(request)

    def has_view_permission(self, request, obj=None):
        return self._newsroom(request) and (obj is None or self._owns(request, obj))

    def has_add_permission(self, request):
        return self._newsroom(request)

    def has_change_permission(self, request, obj=None):
        return False  # a token is made and revoked, never edited

    def has_delete_permission(self, request, obj=None):
        return False  # revoked tokens stay listed, dated: who could write, until when

    def _owns(self, request, token):
        return request.user.is_superuser or token.user_id == request.user.pk

    def get_queryset(self, request):
        tokens = super().get_queryset(request)
        return tokens if request.user.is_superuser else tokens.filter(user=request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None and "user" in form.base_fields:
            users = form.base_fields["user"]
            users.queryset = get_user_model().objects.filter(is_active=True, is_staff=True)
            users.initial = request.user.pk
            if not request.user.is_superuser:
                users.queryset = users.queryset.filter(pk=request.user.pk)
            users.help_text = _("The token acts with this login's role.")
        return form

    def get_fields(self, request, obj=None):
        return ["name", "user"] if obj is None else ["name", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["name", *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        token, key = services.create_token(user=obj.user, name=obj.name)
        for field in ApiToken._meta.concrete_fields:  # the admin goes on with the saved token
            setattr(obj, field.attname, getattr(token, field.attname))
        self.message_user(
            request,
            format_html(
                _("Copy the key of “{name}” now: it is not shown again.<br><code>{key}</code>"),
                name=token.name,
                key=key,
            ),
            messages.SUCCESS,
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        services.revoke_tokens(tokens=queryset.filter(revoked_at__isnull=True))
        self.message_user(request, _("Revoked: they no longer work."), messages.SUCCESS)
