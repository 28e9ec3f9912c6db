"""Versioned editing: a save never silently replaces a colleague's.

Stories and updates carry a ``version`` number, raised by every save. The whole
mechanism, end to end:

1. **The form remembers what it showed.** ``VersionedForm`` puts the version the
   editor opened in a hidden field, ``base_version``.
2. **The form refuses a stale save.** On submit, if the row's version has moved
   on, the form is invalid: nothing is written, the message names who saved
   (from the admin's log) and when, and ``form.conflict`` (a ``Conflict``)
   holds one ``ConflictRow`` per field the editor changed, their saved value
   beside the editor's, text fields compared word by word (``word_diff``). The
   hidden version becomes the saved one, so that saving again, after reading
   the comparison, is a deliberate choice to replace their version. The
   editor's text stays in the form.
3. **The write refuses a stale save too.** A colleague's save can land between
   the form's check and the write. ``services.save_story`` and
   ``services.save_update`` write only if the version is still the one loaded,
   and otherwise raise ``services.StaleEdit``. ``SafeSaveAdmin`` catches it: the
   transaction has been rolled back, the request is handled once more, and the
   form now sees the new version and shows the comparison (step 2).
4. **The editor sees the comparison.** ``templates/admin/coverage/change_form.html``
   includes ``admin/coverage/includes/conflict.html`` above the fields: a table
   of the changed fields, what is only in their version struck through, what is
   only in the editor's underlined.

``SafeSaveAdmin`` also makes a failed save leave no file behind: pictures written
during a save that fails afterwards are deleted (``images.discard_files_on_error``).
"""

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django import forms
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .. import images, services
from .display import when

# A log entry is written just after the save it records.
LOG_SLACK = timedelta(seconds=5)
# Unchanged text kept on either side of a change in the comparison.
CONTEXT_CHARS = 80
_TOKENS = re.compile(r"\s+|[^\s]+")


# --- the comparison shown to the editor --------------------------------------------


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
        names = {"person": self.saved_by, "noun": self.noun}
        if self.saved_at:
            return _(
                "%(person)s saved this %(noun)s at %(time)s, after you opened it. "
                "Your changes are not saved. Compare the two versions below (your text is still "
                "in the form), then save again to replace their version with yours, or reload "
                "the page to start from theirs."
            ) % {**names, "time": when(self.saved_at)}
        return (
            _(
                "%(person)s saved this %(noun)s, after you opened it. "
                "Your changes are not saved. Compare the two versions below (your text is still "
                "in the form), then save again to replace their version with yours, or reload "
                "the page to start from theirs."
            )
            % names
        )


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


def _display(form_field, value):
    """A form value as an editor reads it."""
    if value in (None, "", [], ()):
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return when(value)
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


# --- the form side -----------------------------------------------------------------


class VersionedForm(forms.ModelForm):
    """A form that refuses to save over a version it did not start from.

    The version the editor opened travels in a hidden field. If the row has
    moved on, the form is invalid, ``conflict`` describes the differences and
    the hidden version is moved to the saved one, so that saving again (after
    reading the comparison) is a deliberate choice to replace it.
    ``text_fields`` are compared word by word.
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
        saved_by = _("Someone")
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


# --- the admin side ----------------------------------------------------------------


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

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            with images.discard_files_on_error():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except services.StaleEdit:
            with images.discard_files_on_error():
                return super().changeform_view(request, object_id, form_url, extra_context)
