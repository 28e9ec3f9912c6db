"""Times in the story's zone: the admin shows and reads them there, and says which.

``ZonedAdmin`` activates, for the whole change form (its check, its save and its
rendering), the zone ``time_zone_for`` names: the story's. ``ZonedTimesForm``
labels each time field with that zone and guards a save whose story has another
zone than the one the form was shown in.
"""

from django import forms
from django.contrib import admin
from django.forms.utils import pretty_name
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import times


class ZonedAdmin(admin.ModelAdmin):
    """A change form shown, checked and saved in the zone ``time_zone_for`` names."""

    def time_zone_for(self, request, object_id):
        """The zone the form shows and reads times in (None: the newsroom's)."""
        return None

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with timezone.override(self.time_zone_for(request, object_id)):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()  # times are formatted when the form is rendered: in the zone
        return response


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
                # Translators: a time field's label and the time zone the form shows it in.
                form_field.label = _("%(label)s (%(zone)s)") % {
                    "label": form_field.label or pretty_name(name),
                    "zone": zone,
                }

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
            _(
                "This story's times are in %(place)s time (%(zone)s), and the form "
                "showed %(shown)s: check this time, now read as %(zone)s, and save again."
            )
            % {"place": times.place_name(zone), "zone": zone, "shown": shown},
        )
        # Keep the value for the form's other checks; the error stops the save.
        self.cleaned_data[name] = moment
