"""Slugs in any script: the one rule for story and author addresses.

A slug keeps the letters of every script, lower-cased, words joined by hyphens:
``Иван Нечепуренко`` → ``иван-нечепуренко``, ``北京直播`` → ``北京直播``,
``José García`` → ``josé-garcía``; an ASCII name gives the same ASCII slug as
Django's plain ``slugify`` (``Kevin McCarthy`` → ``kevin-mccarthy``). This is
``slugify(..., allow_unicode=True)``, which is also what the admin's
prepopulated slug fields suggest for a ``SlugField(allow_unicode=True)``.

URLs carry such slugs percent-encoded (``reverse()`` encodes them); the
``unicode_slug`` path converter (registered in ``coverage/urls.py``) accepts
exactly what ``validate_unicode_slug`` accepts.
"""

from django.utils.text import slugify as django_slugify

SUFFIX_ROOM = 10  # "-" and a number appended to make a slug unique


def slugify(text):
    """The slug of ``text`` by the site's rule (may be empty: text with no letter or digit)."""
    return django_slugify(text, allow_unicode=True)


def unique_slug(model, text, *, fallback, field="slug", exclude_pk=None):
    """A slug for ``text`` that no other row of ``model`` has in ``field``.

    ``fallback`` stands in when ``text`` has no letter or digit. The slug fits
    the field's ``max_length``; a taken one gets ``-2``, ``-3``… (one query).
    """
    max_length = model._meta.get_field(field).max_length
    base = (slugify(text) or slugify(fallback))[: max_length - SUFFIX_ROOM].strip("-")
    taken = model.objects.filter(**{f"{field}__startswith": base})
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    taken = set(taken.values_list(field, flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


class UnicodeSlugConverter:
    """``<unicode_slug:slug>``: letters and digits of any script, ``-`` and ``_``."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value
