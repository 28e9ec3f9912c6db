"""Reader-facing filters on a story's updates (django-filter)."""

import django_filters
from django import forms
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Author, Byline, Update, public_updates


class NameSelect(forms.Select):
    """A choice of names: each option shows in its own direction (Arabic, Hebrew right to left)."""

    def create_option(self, *args, **kwargs):
        option = super().create_option(*args, **kwargs)
        option["attrs"]["dir"] = "auto"
        return option


def authors_in(story, now=None):
    """Authors with a byline on a public update of ``story`` (a public story).

    Asked author by author: their first byline in this story (the ``(story, author)``
    index) whose update is public (its primary key), so the cost follows the number of
    authors, not the length of the story. Scalar subqueries with a LIMIT, not EXISTS
    or a join: PostgreSQL makes those a join that reads the whole story, or the whole
    bylines table for an author who never wrote in it.
    """
    public = Update.objects.filter(public_updates(now or timezone.now()), pk=OuterRef("update_id"))
    bylines = Byline.objects.alias(public=Subquery(public.values("pk")[:1])).filter(public__isnull=False)
    first = bylines.filter(story=story, author=OuterRef("pk")).order_by().values("pk")[:1]
    return Author.objects.alias(byline_in_story=Subquery(first)).filter(byline_in_story__isnull=False)


class UpdateFilter(django_filters.FilterSet):
    author = django_filters.ModelChoiceFilter(
        widget=NameSelect,
        field_name="authors",
        to_field_name="slug",
        queryset=Author.objects.none(),
        empty_label=_("All authors"),
        label=_("Author"),
    )
    key = django_filters.BooleanFilter(
        method="filter_key", widget=forms.CheckboxInput, label=_("Key events only")
    )

    class Meta:
        model = Update
        fields = ["author", "key"]

    def __init__(self, *args, story, **kwargs):
        """``queryset`` is the story's public updates; the authors offered are theirs only,
        so a byline on a draft or a scheduled update not yet due shows nowhere."""
        super().__init__(*args, **kwargs)
        self.filters["author"].queryset = authors_in(story)

    def filter_key(self, queryset, name, value):
        return queryset.filter(key_event=True) if value else queryset

    @property
    def active(self):
        """The applied filters as readable phrases, e.g. ["updates by Ivan Nechepurenko"] (safe HTML:
        the name is isolated in its own direction)."""
        if not self.is_bound or not self.form.is_valid():
            return []
        phrases = []
        if author := self.form.cleaned_data.get("author"):
            phrases.append(format_html('updates by <span dir="auto">{}</span>', author.name))
        if self.form.cleaned_data.get("key"):
            phrases.append("key events only")
        return phrases
