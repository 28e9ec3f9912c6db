"""Clips in the admin: an update's video and audio clips inline on its form, and the clips' own list.

Every upload is checked and cleaned by ``ClipField`` (``coverage.clips``: what the
file holds, size, length, metadata removed); a refusal is the field's error and
the form's other fields stay as typed. Captions go through ``CaptionsField``
(WebVTT). Saved by ``services.save_clip`` (in ``UpdateAdmin.save_formset``).
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import clips, services
from ..images import UploadRefused
from ..models import Clip
from .display import ADMIN_CSS, UpdatePartInline, may_edit_update
from .forms import AnyScriptForm


class ClipWidget(forms.ClearableFileInput):
    """The file input, with the current clip's poster (or its kind) beside it."""

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        clip = getattr(value, "instance", None) if self.is_initial(value) else None
        if clip is None or not clip.pk:
            return html
        if clip.poster_url:
            return format_html(
                '<img class="coverage-thumb" src="{}" alt="" width="96">{}', clip.poster_url, html
            )
        return format_html("<span>{}</span> {}", clip.get_kind_display(), html)


class ClipField(forms.FileField):
    """An upload checked and cleaned by ``clips.clean_upload`` (content, size, length, metadata)."""

    widget = ClipWidget(attrs={"accept": clips.ACCEPT_ATTRIBUTE})

    def to_python(self, data):
        uploaded = super().to_python(data)
        if uploaded is None:
            return None
        try:
            return clips.clean_upload(uploaded), uploaded.name
        except UploadRefused as refused:
            raise ValidationError(str(refused), code="refused") from refused


class CaptionsField(forms.FileField):
    """WebVTT captions, checked by ``clips.clean_captions``."""

    widget = forms.ClearableFileInput(attrs={"accept": "text/vtt,.vtt"})

    def to_python(self, data):
        uploaded = super().to_python(data)
        if uploaded is None:
            return None
        try:
            return clips.clean_captions(uploaded)
        except UploadRefused as refused:
            raise ValidationError(str(refused), code="refused") from refused


class ClipForm(AnyScriptForm):
    file = ClipField(label=_("Video or audio"), help_text=lazy(clips.describe_limits, str)())
    captions = CaptionsField(
        required=False, label=_("Captions"), help_text=Clip._meta.get_field("captions").help_text
    )

    class Meta:
        model = Clip
        fields = ["file", "caption", "credit", "position", "captions", "captions_language", "captions_label"]
        widgets = {"caption": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"})}

    def clean(self):
        cleaned_data = super().clean()
        chosen = cleaned_data.get("file")
        if isinstance(chosen, tuple):  # a new upload, accepted: the clip takes its file and facts
            clean, original_name = chosen
            clean.apply_to(self.instance, original_name)
            cleaned_data["file"] = self.instance.file
        return cleaned_data


class ClipInline(UpdatePartInline):
    """Video and audio clips of an update, stacked like its pictures."""

    model = Clip
    form = ClipForm
    fields = ["file", "caption", ("credit", "position"), "captions", ("captions_language", "captions_label")]
    verbose_name = "video or audio clip"
    verbose_name_plural = "video and audio clips"


@admin.register(Clip)
class ClipAdmin(admin.ModelAdmin):
    """Every clip, to find one and change its caption, credit or captions; clips are added on
    their update's form (they belong to it), so there is no "add" here."""

    form = ClipForm
    list_display = ["__str__", "kind", "length", "credit", "used_in"]
    list_filter = ["kind", "story"]
    search_fields = ["caption", "credit"]
    list_select_related = ["story", "update"]
    fields = ["file", "caption", ("credit", "position"), "captions", ("captions_language", "captions_label")]

    class Media:
        css = ADMIN_CSS

    @admin.display(description=_("Length"))
    def length(self, clip):
        minutes, seconds = divmod(round(clip.duration or 0), 60)
        return f"{minutes}:{seconds:02d}"

    @admin.display(description=_("Used in"))
    def used_in(self, clip):
        return format_html(
            _('Update <a href="{url}">{update}</a> in {story}'),
            url=reverse("admin:coverage_update_change", args=[clip.update_id]),
            update=clip.update,
            story=clip.story,
        )

    def has_add_permission(self, request):
        return False

    @staticmethod
    def _may_edit(request, clip):
        """A clip goes with its update: whoever may edit the update may edit its clips."""
        return clip is None or may_edit_update(request, clip.update)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_edit(request, obj)

    def save_model(self, request, obj, form, change):
        services.save_clip(clip=obj)

    def delete_model(self, request, obj):
        services.delete_clip(clip=obj)

    def delete_queryset(self, request, queryset):
        services.delete_clips(clips=queryset)
