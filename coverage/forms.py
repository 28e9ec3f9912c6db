"""Forms of the newsroom admin: versioned editing, the update form, picture uploads."""

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django import forms
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.admin.widgets import AdminFileWidget, AutocompleteSelectMultiple
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms.utils import pretty_name
from django.utils import timezone
from django.utils.html import format_html

from . import held, images, times
from .models import Author, Image, Story, Update

# A log entry is written just after the save it records.
LOG_SLACK = timedelta(seconds=5)
# A published time this far ahead is a mistake for "Schedule for later", not clock drift.
FUTURE_TOLERANCE = timedelta(minutes=1)


# --- text in any script -----------------------------------------------------------


class AnyScriptForm(forms.ModelForm):
    """Text boxes show what is typed in its own direction: Arabic and Hebrew right to left."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for form_field in self.fields.values():
            if isinstance(form_field.widget, forms.TextInput | forms.Textarea):
                form_field.widget.attrs.setdefault("dir", "auto")


# --- conflict-safe editing ---------------------------------------------------------


@dataclass
class ConflictRow:
    label: str
    saved: str
    yours: str
    diff: list = field(default_factory=list)  # (kind, text): kind is "same", "saved" or "yours"

    @property
    def saved_pieces(self):
        return [(kind == "saved", text) for kind, text in self.diff if kind != "yours"]

    @property
    def yours_pieces(self):
        return [(kind == "yours", text) for kind, text in self.diff if kind != "saved"]


@dataclass
class Conflict:
    """What a colleague saved while this form was open, for the comparison panel."""

    noun: str
    saved_by: str
    saved_at: datetime | None
    version: int
    rows: list

    @property
    def message(self):
        when = f" at {_when(self.saved_at)}" if self.saved_at else ""
        return (
            f"{self.saved_by} saved this {self.noun}{when}, after you opened it. Your changes are not saved. "
            f"Compare the two versions below (your text is still in the form), then save again "
            f"to replace their version with yours, or reload the page to start from theirs."
        )


def _when(moment):
    return times.wall_clock(moment, style="long")


_TOKENS = re.compile(r"\s+|[^\s]+")


CONTEXT_CHARS = 80


def word_diff(saved, yours):
    """``saved`` → ``yours`` as (kind, text) pieces, word by word.

    Long unchanged stretches are cut down to some context around the changes.
    """
    a, b = _TOKENS.findall(saved or ""), _TOKENS.findall(yours or "")
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    pieces = []
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            text = "".join(a[i1:i2])
            first, last = index == 0, index == len(opcodes) - 1
            if len(text) > 2 * CONTEXT_CHARS + 20 and not (first and last):
                # Keep whole words of context next to the changes on either side.
                head = "" if first else text[:CONTEXT_CHARS].rsplit(" ", 1)[0] + " "
                tail = "" if last else " " + text[-CONTEXT_CHARS:].split(" ", 1)[-1]
                text = f"{head}[…]{tail}"
            pieces.append(("same", text))
            continue
        if i2 > i1:
            pieces.append(("saved", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("yours", "".join(b[j1:j2])))
    return pieces


class VersionedForm(AnyScriptForm):
    """A form that refuses to save over a version it did not start from.

    The version the editor opened travels in a hidden field. If the row has
    moved on, the form is invalid, ``conflict`` describes the differences and
    the hidden version is moved to the saved one, so that saving again (after
    reading the comparison) is a deliberate choice to replace it.
    """

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    text_fields = ()
    conflict = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["base_version"].initial = self.instance.version
            self.fields["base_version"].required = True

    def clean(self):
        cleaned_data = super().clean()
        opened = cleaned_data.get("base_version")
        if self.instance.pk and opened is not None and opened != self.instance.version:
            self.conflict = self._describe_conflict()
            data = self.data.copy()
            data[self.add_prefix("base_version")] = self.instance.version
            self.data = data
            raise ValidationError(self.conflict.message, code="stale")
        return cleaned_data

    def _describe_conflict(self):
        instance = self.instance
        rows = []
        for name in self.changed_data:
            if name == "base_version" or name not in self.fields:
                continue
            form_field = self.fields[name]
            saved = self.initial.get(name)
            yours = self.cleaned_data.get(name, self.data.get(self.add_prefix(name)))
            label = str(form_field.label or name).capitalize()
            if name in self.text_fields:
                rows.append(ConflictRow(label, saved or "", yours or "", word_diff(saved, yours)))
            else:
                rows.append(ConflictRow(label, _display(form_field, saved), _display(form_field, yours)))
        entry = (
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(instance), object_id=str(instance.pk)
            )
            .select_related("user")
            .order_by("-action_time")
            .first()
        )
        saved_by = "Someone"
        saved_at = getattr(instance, "changed_at", None) or getattr(instance, "updated_at", None)
        # Name the person only if their logged change is this save (not an older one
        # followed by, say, the row being unpinned by a pin elsewhere).
        if (
            entry is not None
            and entry.user
            and (saved_at is None or entry.action_time >= saved_at - LOG_SLACK)
        ):
            saved_by = entry.user.get_full_name() or entry.user.get_username()
            saved_at = max(entry.action_time, saved_at) if saved_at else entry.action_time
        return Conflict(instance._meta.verbose_name, saved_by, saved_at, instance.version, rows)


class ZonedTimesForm(forms.ModelForm):
    """A form that shows and reads its times in the story's zone, and says which.

    The admin activates the zone of the story being edited (``time_zone_for``);
    each time field's label names it. The zone the form was shown in travels in
    a hidden field, for when the story being saved has another zone (another
    story was chosen, or the story's zone changed): a time left as it was shown
    keeps its moment, now shown in the story's zone; a time typed is refused
    with a message, and the form comes back labelled with the story's zone, so
    the editor checks the time before it is read in that zone.
    """

    shown_in_zone = forms.CharField(widget=forms.HiddenInput, required=False)
    time_fields = (forms.DateTimeField, forms.SplitDateTimeField)  # the admin uses the split one

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone = timezone.get_current_timezone_name()
        self.fields["shown_in_zone"].initial = zone
        for name, form_field in self.fields.items():
            if isinstance(form_field, self.time_fields):
                form_field.label = f"{form_field.label or pretty_name(name)} ({zone})"

    def clean(self):
        zone = timezone.get_current_timezone_name()
        shown = self.cleaned_data.get("shown_in_zone") or zone
        if shown != zone and times.zone_named(shown) is not None:
            self.data = self.data.copy()
            self.data[self.add_prefix("shown_in_zone")] = zone
            for name, form_field in self.fields.items():
                moment = self.cleaned_data.get(name)
                if isinstance(form_field, self.time_fields) and moment is not None:
                    self._check_time(name, form_field, moment, shown=shown, zone=zone)
        return super().clean()

    def _check_time(self, name, form_field, moment, *, shown, zone):
        initial = self.get_initial_for_field(form_field, name)
        with timezone.override(times.zone_named(shown)):
            untouched = initial is not None and not form_field.has_changed(initial, self[name].data)
        if untouched:
            # The same moment, written back as the story's zone shows it.
            self.cleaned_data[name] = initial
            widget, html_name = form_field.widget, self.add_prefix(name)
            if isinstance(widget, forms.MultiWidget):
                parts = zip(widget.widgets_names, widget.widgets, widget.decompress(initial), strict=True)
                for suffix, part, value in parts:
                    self.data[html_name + suffix] = part.format_value(value)
            else:
                self.data[html_name] = widget.format_value(timezone.localtime(initial))
            return
        self.add_error(
            name,
            f"This story's times are in {times.place_name(zone)} time ({zone}), and the form "
            f"showed {shown}: check this time, now read as {zone}, and save again.",
        )
        # Keep the value for the form's other checks; the error stops the save.
        self.cleaned_data[name] = moment


def _display(form_field, value):
    """A form value as an editor reads it."""
    if value in (None, "", [], ()):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return _when(value)
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        objects = value
        if value and not hasattr(value[0], "pk"):
            by_pk = {str(obj.pk): obj for obj in form_field.queryset.filter(pk__in=value)}
            objects = [by_pk.get(str(pk), pk) for pk in value]
        return ", ".join(str(obj) for obj in objects)
    if isinstance(form_field, forms.ModelChoiceField):
        if not hasattr(value, "pk"):
            value = form_field.queryset.filter(pk=value).first() or value
        return str(value)
    choices = dict(getattr(form_field, "choices", None) or [])
    if choices and value in choices:
        return str(choices[value])
    return str(value)


# --- stories -----------------------------------------------------------------------


class StoryForm(ZonedTimesForm, VersionedForm):
    text_fields = ("title", "summary")

    class Meta:
        model = Story
        fields = [
            "title", "slug", "lead_author", "status", "coverage_start", "coverage_end", "summary",
            "poll_interval", "time_zone", "comments_open",
        ]  # fmt: skip
        widgets = {
            "title": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "slug": forms.TextInput(attrs={"class": "vLargeTextField"}),
        }
        help_texts = {
            "slug": "The story's address: /live/this-slug/. Letters of any script, digits and hyphens; "
            "left empty, it is made from the title."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:  # not on a read-only form
            self.fields["slug"].required = False  # services.save_story makes one from the title

    def clean_time_zone(self):
        name = self.cleaned_data["time_zone"].strip()
        if times.zone_named(name) is None:
            raise ValidationError("Not a time zone: use a name like “America/New_York” or “Europe/Kyiv”.")
        return name


# --- updates -----------------------------------------------------------------------


class BylineWidget(AutocompleteSelectMultiple):
    """Author autocomplete that lists the authors in byline order (the stock one sorts by name)."""

    def optgroups(self, name, value, attr=None):
        groups = super().optgroups(name, value, attr)
        order = {str(pk): index for index, pk in enumerate(value)}
        for _, options, _ in groups:
            options.sort(key=lambda option: order.get(str(option["value"]), len(order)))
        return groups


class UpdateForm(ZonedTimesForm, VersionedForm):
    byline = forms.ModelMultipleChoiceField(
        queryset=Author.objects.all(),
        widget=BylineWidget(Update._meta.get_field("authors"), admin.site),
        error_messages={"required": "Add at least one author to the byline."},
        help_text="In byline order.",
    )
    text_fields = ("headline", "body", "contributor_line", "correction")

    class Meta:
        model = Update
        fields = [
            "story", "headline", "body", "contributor_line", "status", "published_at", "pinned",
            "key_event", "correction",
        ]  # fmt: skip
        labels = {
            "published_at": "Time",
            "pinned": "Pin on top of the story (replaces its pin)",
            "key_event": "Key event",
        }
        help_texts = {
            "pinned": "",
            "key_event": "",
            "published_at": "Empty with “Publish now”: the time you save. Required to schedule.",
            "correction": "Shown to readers as a dated correction note. Changing it dates it again.",
        }
        widgets = {
            "headline": forms.TextInput(attrs={"class": "vLargeTextField", "placeholder": "Optional"}),
            "contributor_line": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "body": forms.Textarea(attrs={"rows": 14, "class": "vLargeTextField"}),
            "correction": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "byline" not in self.initial:
            self.initial["byline"] = [author.pk for author in self.instance.byline_authors()]
        if "status" in self.fields:
            published = self.instance.status == Update.Status.PUBLISHED
            scheduled = self.instance.status == Update.Status.SCHEDULED
            self.fields["status"].choices = [
                (Update.Status.PUBLISHED, "Published" if published else "Publish now"),
                (Update.Status.SCHEDULED, "Scheduled" if scheduled else "Schedule for later"),
                (Update.Status.DRAFT, "Draft (not public)"),
            ]
        if "correction" in self.fields and not self.instance.correction:
            self.fields["correction"].label = "Add correction"

    def _get_validation_exclusions(self):
        # Pinning replaces the story's other pin (services.save_update does it in the
        # same transaction), so the one_pin_per_story constraint must not refuse the form;
        # "Publish now" leaves the time empty for services.save_update to fill, so neither
        # may update_public_has_time.
        return {*super()._get_validation_exclusions(), "pinned", "published_at"}

    def clean_byline(self):
        chosen = {str(author.pk): author for author in self.cleaned_data["byline"]}
        submitted = self.data.getlist(self.add_prefix("byline")) if hasattr(self.data, "getlist") else []
        ordered = [chosen[pk] for pk in dict.fromkeys(map(str, submitted)) if pk in chosen]
        return ordered + [author for pk, author in chosen.items() if author not in ordered]

    def clean(self):
        cleaned_data = super().clean()
        status, moment = cleaned_data.get("status"), cleaned_data.get("published_at")
        now = timezone.now()
        if status == Update.Status.SCHEDULED:
            retimed = {"status", "published_at"} & set(self.changed_data) or not self.instance.pk
            if moment is None:
                self.add_error("published_at", "Choose when this update goes public.")
            elif moment <= now and retimed:
                self.add_error(
                    "published_at", "This time has passed: choose a time in the future, or “Publish now”."
                )
        elif status == Update.Status.PUBLISHED:
            if moment is not None and moment > now + FUTURE_TOLERANCE:
                self.add_error(
                    "published_at",
                    "This time is in the future: choose “Schedule for later” to publish the update then.",
                )
            elif self.instance.status != Update.Status.PUBLISHED and "published_at" not in self.changed_data:
                # "Publish now" means now, not a time left over from a draft or a schedule:
                # no time here, and services.save_update dates it as it saves.
                cleaned_data["published_at"] = None
        return cleaned_data


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
                '<div><p class="coverage-held"><img class="coverage-thumb" src="{}" alt="" width="96">'
                "Kept: {} (not saved yet; choose another file to replace it)</p>"
                '<input type="hidden" name="{}" value="{}">{}</div>',
                kept.url,
                kept.original_name,
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
        label="Picture",
        help_text=f"{images.ACCEPTED_NAMES}; up to {images.MAX_UPLOAD_BYTES // 1024 // 1024} MB and "
        f"{images.MAX_PIXELS // 1_000_000} megapixels. Location and camera data are removed.",
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
            self.fields[
                "story"
            ].help_text = "Only for a story's lead image; an update's image is in its story."

    def clean(self):
        cleaned_data = super().clean()
        if "story" in self.fields and not cleaned_data.get("update") and not cleaned_data.get("story"):
            self.add_error("story", "Choose the update this picture belongs to, or the story it leads.")
        if "file" in self.changed_data and cleaned_data.get("file") and not cleaned_data.get("alt_text"):
            self.add_error("alt_text", "Describe the picture for readers who cannot see it (required).")
        update = cleaned_data.get("update")
        if update is not None and "story" in self.fields:
            cleaned_data["story"] = update.story
        return cleaned_data


class AuthorForm(AnyScriptForm):
    photo = PictureField(required=False, help_text="A portrait; location and camera data are removed.")

    class Meta:
        model = Author
        fields = ["name", "slug", "role", "bio", "photo", "user"]
        help_texts = {
            "slug": "The author page's address: /authors/this-slug/. Letters of any script, digits and "
            "hyphens; left empty, it is made from the name."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:  # not on a read-only form
            self.fields["slug"].required = False  # services.save_author makes one from the name
