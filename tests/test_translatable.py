"""Every label, help text, choice, column, action and fieldset title an editor or reader reads is
a lazy translation, so a new one cannot be added in English only.

Lazy (``gettext_lazy``): these are made once, when the module is imported, and must be
translated per request, in the language then active. Texts made while a request is answered
(messages, errors) use ``gettext`` and are checked by the tests of their pages.
"""

import re
from datetime import UTC, datetime

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils.functional import Promise

from coverage import services
from coverage.comments import CommentForm
from coverage.filters import UpdateFilter
from coverage.models import ApiToken
from tests.factories import make_user

pytestmark = pytest.mark.django_db

# Choices named in themselves, the same in every language (a language's own name).
NAMED_IN_THEMSELVES = {"coverage.Story.language"}


def coverage_models():
    return list(apps.get_app_config("coverage").get_models())


def coverage_admins():
    models = coverage_models()
    return [(model, model_admin) for model, model_admin in admin.site._registry.items() if model in models]


def untranslated(texts):
    """The ``(where, text)`` pairs whose text is a plain string with words in it."""
    return [(where, text) for where, text in texts if text and not isinstance(text, Promise)]


def model_texts():
    for model in coverage_models():
        name = model._meta.label
        yield f"{name} verbose_name", model._meta.verbose_name
        yield f"{name} verbose_name_plural", model._meta.verbose_name_plural
        for field in model._meta.get_fields():
            if field.auto_created or not (field.concrete or field.many_to_many):
                continue  # the id, and the other side of a relation (labelled by its own model)
            where = f"{name}.{field.name}"
            yield f"{where} verbose_name", field.verbose_name
            yield f"{where} help_text", field.help_text
            if where not in NAMED_IN_THEMSELVES:
                for value, label in field.flatchoices or []:
                    yield f"{where} choice {value}", label


def test_model_labels_help_texts_and_choices_are_lazy_translations():
    texts = list(model_texts())
    assert len(texts) > 300  # every model of the app was walked
    assert untranslated(texts) == []


def test_model_labels_read_as_django_derived_them():
    """Written out to be translated, the labels Django used to derive stay the same English."""
    for model in coverage_models():
        for field in model._meta.get_fields():
            if (
                field.concrete
                and not field.auto_created
                and field.name != "file"
                and field.name
                not in {
                    "url",
                    "delivery_id",
                    "update_id",
                    "response_status",
                    "lead_author",
                    "order",
                }
            ):
                assert str(field.verbose_name) == field.name.replace("_", " "), (model, field.name)
    assert [str(model._meta.verbose_name_plural) for model in coverage_models()] == [
        "authors",
        "stories",
        "updates",
        "update revisions",
        "bylines",
        "clips",
        "comments",
        "deleted seeded stories",
        "tombstones",
        "images",
        "API tokens",
        "webhooks",
        "webhook deliveries",
    ]


def admin_texts(request):
    for model, model_admin in coverage_admins():
        name = type(model_admin).__name__
        columns = [*model_admin.list_display, *model_admin.readonly_fields]
        for column in columns:
            method = getattr(model_admin, column, None) if isinstance(column, str) else column
            if callable(method) and hasattr(method, "short_description"):
                yield f"{name}.{column} column", method.short_description
        for action in model_admin.actions or []:
            yield f"{name} action {action}", getattr(model_admin, action).short_description
        for title, _options in model_admin.get_fieldsets(request, model()):
            yield f"{name} fieldset", title
        for list_filter in model_admin.list_filter:
            if isinstance(list_filter, type) and issubclass(list_filter, admin.SimpleListFilter):
                yield f"{name} filter {list_filter.__name__}", list_filter.title
        yield from form_texts(f"{name}.form", model_admin.form)
        for inline in model_admin.inlines:
            yield from form_texts(f"{name} inline {inline.__name__}", inline.form)


def form_texts(where, form_class):
    meta = getattr(form_class, "Meta", None)
    for kind in ("labels", "help_texts"):
        for field_name, text in (getattr(meta, kind, None) or {}).items():
            yield f"{where}.Meta.{kind} {field_name}", text
    for field_name, form_field in form_class.declared_fields.items():
        yield f"{where}.{field_name} label", form_field.label
        yield f"{where}.{field_name} help_text", form_field.help_text
        for code, message in form_field.error_messages.items():
            yield f"{where}.{field_name} error {code}", message
        if not isinstance(form_field, forms.ModelChoiceField):  # a model's rows name themselves
            for value, label in getattr(form_field, "choices", None) or []:
                yield f"{where}.{field_name} choice {value}", label


def test_admin_columns_actions_fieldsets_filters_and_forms_are_lazy_translations():
    request = RequestFactory().get("/admin/")
    request.user = make_user(superuser=True)
    texts = list(admin_texts(request))
    assert len(texts) > 100  # every admin of the app was walked
    assert untranslated(texts) == []
    assert ("StoryAdmin fieldset", "Reader page") in [(where, str(text)) for where, text in texts]


def test_reader_forms_are_lazy_translations():
    texts = [*form_texts("CommentForm", CommentForm)]
    for name, reader_filter in UpdateFilter.base_filters.items():
        texts += [(f"UpdateFilter.{name}", reader_filter.label)]
        texts += [(f"UpdateFilter.{name} empty", reader_filter.extra.get("empty_label"))]
    assert len(texts) > 10
    assert untranslated(texts) == []


def test_a_revoked_token_is_listed_with_the_time_it_was_revoked(client):
    owner = make_user(superuser=True)
    token, _key = services.create_token(user=owner, name="Olena's phone")
    revoked_at = datetime(2026, 1, 14, 9, 42, tzinfo=UTC)
    services.revoke_tokens(tokens=ApiToken.objects.filter(pk=token.pk), now=revoked_at)
    services.create_token(user=owner, name="Wire ingest")
    client.force_login(owner)
    html = client.get(reverse("admin:coverage_apitoken_changelist")).content.decode()
    assert re.findall(r'<td class="field-state">([^<]*)</td>', html) == ["active", "revoked 2026-01-14 09:42"]
