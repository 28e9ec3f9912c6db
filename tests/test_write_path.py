"""One write path: no model is written outside ``coverage/services/`` (and migrations).

The code of ``coverage/`` and ``liveblog/`` is walked (``ast``) for calls that
save, create, update or delete rows; the admin's write hooks are checked to
call services; no signal receiver listens to the app's models; and only
``services.readers`` moves cache versions.
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.db.models import signals

ROOT = Path(__file__).resolve().parent.parent
WALKED = ["coverage", "liveblog"]
ALLOWED = [ROOT / "coverage" / "services", ROOT / "coverage" / "migrations"]

# Methods that write rows when called on a model, a manager or a queryset.
WRITES = {
    "save",
    "delete",
    "create",
    "update",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
    "create_user",
    "create_superuser",
}
# Receivers that are no model, by name:
NOT_MODELS = {
    "default_storage",  # file storage: uploads, renditions, held files, placeholders
    "cache",  # the shared cache (Django's), e.g. the health check's probe key
    "META",  # a request's headers (the page cache puts some aside while it renders)
}


def _receiver_name(node):
    return node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)


def _ignored(call):
    """Why ``call`` writes no model row, or None."""
    receiver = call.func.value
    if _receiver_name(receiver) in NOT_MODELS:
        return "file storage or the cache"
    if call.func.attr == "save" and call.args:
        # Model.save() takes keyword arguments only (positional ones are deprecated since
        # Django 5.1): a positional argument is Pillow's Image.save(file, format).
        return "a Pillow image written to a buffer"
    if call.func.attr == "save" and any(
        keyword.arg == "commit" and isinstance(keyword.value, ast.Constant) and keyword.value.value is False
        for keyword in call.keywords
    ):
        return "form.save(commit=False): unsaved instances for a service to write"
    if isinstance(receiver, ast.Call) and _receiver_name(receiver.func) == "super":
        # Update.save() and UpdateQuerySet.bulk_create() hand over to Django's: they are the
        # model's own write methods (dating public_changed_at), which the services call.
        return "a model's own write method handing over to Django's"
    return None


def model_writes(source, filename="<code>"):
    """``(line, code)`` of each call in ``source`` that writes a model row."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in WRITES
            and not _ignored(node)
        ):
            found.append((node.lineno, ast.unparse(node)))
    return found


def walked_files():
    for folder in WALKED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if not any(path.is_relative_to(allowed) for allowed in ALLOWED):
                yield path


def test_no_model_is_written_outside_the_services():
    offending = [
        f"{path.relative_to(ROOT)}:{line}: {code}"
        for path in walked_files()
        for line, code in model_writes(path.read_text(encoding="utf-8"), str(path))
    ]
    assert offending == [], "write these through coverage.services:\n" + "\n".join(offending)


def test_the_walk_sees_every_kind_of_write():
    source = """
story.save()
story.save(update_fields=["title"])
Update.objects.filter(story=story).delete()
Comment.objects.filter(pk=1).update(status="spam")
Author.objects.create(name="A", slug="a")
Author.objects.get_or_create(name="A")
Story.objects.update_or_create(slug="s")
Byline.objects.bulk_create([])
Update.objects.bulk_update([], ["body"])
image.delete()
get_user_model().objects.create_user("someone")
form.save()
"""
    assert len(model_writes(source)) == 12


def test_the_walk_ignores_only_what_writes_no_row():
    source = """
default_storage.save(name, content)
default_storage.delete(name)
cache.delete(key)
picture.save(buffer, "JPEG", quality=80)
comment = form.save(commit=False)
super().save(**kwargs)
super().bulk_create(objs)
"""
    assert model_writes(source) == []


def test_the_walk_covers_the_app_and_the_project():
    names = {path.relative_to(ROOT).as_posix() for path in walked_files()}
    assert "liveblog/settings.py" in names and "coverage/views/stories.py" in names
    assert not any(name.startswith(("coverage/services/", "coverage/migrations/")) for name in names)


# --- the admin's writes go through services too ---------------------------------------------

# A hook an admin need not override: it can never run (no add and no change permission).
UNREACHABLE = {
    ("DeletedSeedStory", "save_model"),
    ("ApiToken", "delete_model"),  # tokens are revoked (services.revoke_tokens), never deleted
    ("ApiToken", "delete_queryset"),
    # The delivery log is read-only: no add, change or delete permission.
    *(("WebhookDelivery", hook) for hook in ("save_model", "delete_model", "delete_queryset")),
}


def coverage_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == "coverage"
    ]


@pytest.mark.parametrize("hook", ["save_model", "delete_model", "delete_queryset"])
def test_every_admin_write_hook_calls_services(hook):
    assert coverage_admins()
    left_to_django = [
        model.__name__
        for model, model_admin in coverage_admins()
        if getattr(type(model_admin), hook) is getattr(admin.ModelAdmin, hook)
        and (model.__name__, hook) not in UNREACHABLE
    ]
    assert left_to_django == []


def test_admins_with_inlines_save_them_through_services():
    for model, model_admin in coverage_admins():
        if model_admin.inlines:
            assert type(model_admin).save_formset is not admin.ModelAdmin.save_formset, model.__name__


# --- one invalidation point ----------------------------------------------------------------


@pytest.mark.parametrize(
    "signal",
    [signals.pre_save, signals.post_save, signals.pre_delete, signals.post_delete, signals.m2m_changed],
)
def test_no_signal_receiver_is_a_second_write_path(signal):
    models = apps.get_app_config("coverage").get_models()
    listened = [model.__name__ for model in models if signal.has_listeners(model)]
    assert listened == []


def test_only_services_readers_moves_cache_versions():
    callers = []
    for path in walked_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in {"bump_story", "bump_everything"}:
                callers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert callers == []
    readers = (ROOT / "coverage" / "services" / "readers.py").read_text(encoding="utf-8")
    assert "caching.bump_story(" in readers and "caching.bump_everything()" in readers
