"""The newsroom admin's forms: stories, updates, pictures and authors.

Stories and updates are edited with versioned forms (``versioned``) that show
their times in the story's zone (``zones``). Pictures go through
``PictureField``, which checks and cleans every upload. The readers' comment
form is not here: it is ``coverage.comments.CommentForm``.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget, AdminSplitDateTime, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .. import held, images, scheduling, times
from ..models import Author, Image, Story, Update
from .versioned import VersionedForm
from .zones import ZonedTimesForm


class AnyScriptForm(forms.ModelForm):
    """Text boxes show what is typed in its own direction: Arabic and Hebrew right to left."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for form_field in self.fields.values():
            if isinstance(form_field.widget, forms.TextInput | forms.Textarea):
                form_field.widget.attrs.setdefault("dir", "auto")


class OptionalSlugForm(AnyScriptForm):
    """The slug may be left empty: the service makes one (from a story's title, an author's name)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:  # not on a read-only form
            self.fields["slug"].required = False


# --- stories -----------------------------------------------------------------------


class StoryForm(ZonedTimesForm, VersionedForm, OptionalSlugForm):
    text_fields = ("title", "summary")

    class Meta:
        model = Story
        fields = [
            "title", "slug", "lead_author", "status", "coverage_start", "coverage_end", "summary",
            "order", "poll_interval", "time_zone", "comments_open",
        ]  # fmt: skip
        widgets = {
            "title": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "slug": forms.TextInput(attrs={"class": "vLargeTextField"}),
        }
        help_texts = {
            "slug": _(
                "The story's address: /live/this-slug/. Letters of any script, digits and hyphens; "
                "left empty, it is made from the title."
            )
        }

    def clean_time_zone(self):
        name = self.cleaned_data["time_zone"].strip()
        if times.zone_named(name) is None:
            raise ValidationError(_("Not a time zone: use a name like “America/New_York” or “Europe/Kyiv”."))
        return name


# --- updates -----------------------------------------------------------------------


class BylineWidget(AutocompleteSelectMultiple):
    """Author autocomplete that lists the authors in byline order (the stock one sorts by name)."""

    def optgroups(self, name, value, attr=None):
        groups = super().optgroups(name, value, attr)
        order = {str(pk): index for index, pk in enumerate(value)}
        for _group, options, _index in groups:
            options.sort(key=lambda option: order.get(str(option["value"]), len(order)))
        return groups


UPDATE_LABELS = {
    "published_at": _("Time"),
    "pinned": _("Pin on top of the story (replaces its pin)"),
    "key_event": _("Key event"),
}
UPDATE_HELP_TEXTS = {
    "pinned": "",
    "key_event": "",
    "published_at": _("Empty with “Publish now”: the time you save. Required to schedule."),
    "correction": _("Shown to readers as a dated correction note. Changing it dates it again."),
}


class UpdateForm(ZonedTimesForm, VersionedForm, AnyScriptForm):
    """The update form editors live in.

    Two of its fields are finished by ``services.save_update``, so the model's
    checks must not judge them on the form: pinning replaces the story's other
    pin (the ``one_pin_per_story`` constraint would refuse it) and "Publish now"
    leaves the time empty for the service to date (``update_public_has_time``
    would refuse it). They are therefore the form's own fields, left out of the
    model form (``Meta.exclude``), which Django does not validate against the
    model and does not copy to the update: ``save`` does. The form checks them
    itself in ``clean``. ``SERVICE_FIELDS`` names them.
    """

    SERVICE_FIELDS = ("pinned", "published_at")

    byline = forms.ModelMultipleChoiceField(
        queryset=Author.objects.all(),
        widget=BylineWidget(Update._meta.get_field("authors"), admin.site),
        error_messages={"required": _("Add at least one author to the byline.")},
        label=_("Byline"),
        help_text=_("In byline order."),
    )
    # The fields the admin would make for these two model fields.
    published_at = Update._meta.get_field("published_at").formfield(
        form_class=forms.SplitDateTimeField,
        widget=AdminSplitDateTime,
        label=UPDATE_LABELS["published_at"],
        help_text=UPDATE_HELP_TEXTS["published_at"],
    )
    pinned = Update._meta.get_field("pinned").formfield(
        label=UPDATE_LABELS["pinned"], help_text=UPDATE_HELP_TEXTS["pinned"]
    )
    text_fields = ("headline", "body", "contributor_line", "correction")

    class Meta:
        model = Update
        fields = [
            "story", "headline", "body", "contributor_line", "status", "published_at", "pinned",
            "key_event", "correction",
        ]  # fmt: skip
        # Taken back from the model form, not from the form: see SERVICE_FIELDS. (``fields``
        # names every field, so no model field reaches the form unlisted.)
        exclude = ["pinned", "published_at"]  # noqa: DJ006
        labels = UPDATE_LABELS  # the admin labels read-only fields with these too
        help_texts = UPDATE_HELP_TEXTS
        widgets = {
            "headline": forms.TextInput(attrs={"class": "vLargeTextField", "placeholder": _("Optional")}),
            "contributor_line": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "body": forms.Textarea(attrs={"rows": 14, "class": "vLargeTextField"}),
            "correction": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.SERVICE_FIELDS:  # Django fills only the model form's fields
            self.initial.setdefault(name, getattr(self.instance, name))
        if self.instance.pk and "byline" not in self.initial:
            self.initial["byline"] = [author.pk for author in self.instance.byline_authors()]
        if "status" in self.fields:
            published = self.instance.status == Update.Status.PUBLISHED
            scheduled = self.instance.status == Update.Status.SCHEDULED
            self.fields["status"].choices = [
                (Update.Status.PUBLISHED, _("Published") if published else _("Publish now")),
                (Update.Status.SCHEDULED, _("Scheduled") if scheduled else _("Schedule for later")),
                (Update.Status.DRAFT, _("Draft (not public)")),
            ]
        if "correction" in self.fields and not self.instance.correction:
            self.fields["correction"].label = _("Add correction")

    def clean_byline(self):
        chosen = {str(author.pk): author for author in self.cleaned_data["byline"]}
        submitted = self.data.getlist(self.add_prefix("byline")) if hasattr(self.data, "getlist") else []
        ordered = [chosen[pk] for pk in dict.fromkeys(map(str, submitted)) if pk in chosen]
        return ordered + [author for pk, author in chosen.items() if author not in ordered]

    def clean(self):
        cleaned_data = super().clean()
        status, moment = cleaned_data.get("status"), cleaned_data.get("published_at")
        retimed = {"status", "published_at"} & set(self.changed_data) or not self.instance.pk
        if error := scheduling.time_error(status, moment, retimed=retimed, now=timezone.now()):
            self.add_error("published_at", error)
        elif scheduling.publishes_now(
            status,
            was_published=self.instance.status == Update.Status.PUBLISHED,
            time_given="published_at" in self.changed_data,
        ):
            # The form leaves the time empty, and services.save_update dates it as it
            # saves (the one place "now" is set).
            cleaned_data["published_at"] = None
        return cleaned_data

    def save(self, commit=True):
        for name in self.SERVICE_FIELDS:
            if name in self.fields:  # a reporter's "pinned" is read-only: not on the form
                setattr(self.instance, name, self.cleaned_data[name])
        return super().save(commit)


# --- pictures ----------------------------------------------------------------------


class PictureWidget(AdminFileWidget):
    """The admin's file input, with a thumbnail of the current picture.

    A new picture sent with a form that comes back with errors is kept
    (``held``): the form shows it and carries it back in a hidden field, so the
    editor does not have to choose it again.
    """

    @staticmethod
    def held_name(name):
        return f"{name}-held"

    def value_from_datadict(self, data, files, name):
        upload = super().value_from_datadict(data, files, name)
        token = data.get(self.held_name(name))
        if upload is None and token:
            return held.held(token)
        return upload

    def value_omitted_from_data(self, data, files, name):
        return super().value_omitted_from_data(data, files, name) and self.held_name(name) not in data

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        kept = held.hold(value) if isinstance(value, UploadedFile) else None
        if kept is not None:
            return format_html(
                '<div><p class="coverage-held"><img class="coverage-thumb" src="{}" alt="" width="96">{}</p>'
                '<input type="hidden" name="{}" value="{}">{}</div>',
                kept.url,
                format_html(
                    _("Kept: {name} (not saved yet; choose another file to replace it)"),
                    name=kept.original_name,
                ),
                self.held_name(name),
                kept.token,
                html,
            )
        url = getattr(getattr(value, "instance", None), "thumbnail_url", "") if self.is_initial(value) else ""
        if not url:
            return html
        return format_html('<img class="coverage-thumb" src="{}" alt="" width="96">{}', url, html)


class PictureField(forms.FileField):
    """An upload checked and cleaned by ``images.clean_upload`` (content, size, metadata)."""

    widget = PictureWidget(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"})

    def bound_data(self, data, initial):
        # A new picture, sent with a form that comes back with errors, is shown and kept by
        # the widget (Django's file fields show only the saved file).
        return data if isinstance(data, UploadedFile) else super().bound_data(data, initial)

    def to_python(self, data):
        uploaded = super().to_python(data)
        if uploaded is None:
            return None
        try:
            picture = images.clean_upload(uploaded)
        except images.UploadRefused as refused:
            raise ValidationError(str(refused), code="refused") from refused
        return picture.as_file(uploaded.name)


class ImageForm(AnyScriptForm):
    file = PictureField(
        label=_("Picture"),
        help_text=format_lazy(
            _(
                "{formats}; up to {megabytes} MB and {megapixels} megapixels. "
                "Location and camera data are removed."
            ),
            formats=images.ACCEPTED_NAMES,
            megabytes=images.MAX_UPLOAD_BYTES // 1024 // 1024,
            megapixels=images.MAX_PIXELS // 1_000_000,
        ),
    )

    class Meta:
        model = Image
        fields = ["file", "caption", "credit", "alt_text", "update", "story", "position"]
        widgets = {
            "caption": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
            "alt_text": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "story" in self.fields and "update" in self.fields:
            self.fields["story"].required = False
            self.fields["story"].help_text = _(
                "Only for a story's lead image; an update's image is in its story."
            )

    def clean(self):
        cleaned_data = super().clean()
        if "story" in self.fields and not cleaned_data.get("update") and not cleaned_data.get("story"):
            self.add_error("story", _("Choose the update this picture belongs to, or the story it leads."))
        if "file" in self.changed_data and cleaned_data.get("file") and not cleaned_data.get("alt_text"):
            self.add_error("alt_text", _("Describe the picture for readers who cannot see it (required)."))
        update = cleaned_data.get("update")
        if update is not None and "story" in self.fields:
            cleaned_data["story"] = update.story
        return cleaned_data


class AuthorForm(OptionalSlugForm):
    photo = PictureField(
        required=False, label=_("Photo"), help_text=_("A portrait; location and camera data are removed.")
    )

    class Meta:
        model = Author
        fields = ["name", "slug", "role", "bio", "photo", "user"]
        help_texts = {
            "slug": _(
                "The author page's address: /authors/this-slug/. Letters of any script, digits and "
                "hyphens; left empty, it is made from the name."
            )
        }
