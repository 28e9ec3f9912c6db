"""The services and the cache versions on their own, without HTTP.

``services.readers.after_write`` decides what readers' caches drop; the delete
services leave tombstones for readers and clean up picture files; ``caching``
keeps versions, pages and the process memory.
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import ProtectedError
from django.utils import timezone

from coverage import caching, services
from coverage.models import (
    Author,
    Byline,
    Comment,
    DeletedSeedStory,
    Image,
    Story,
    Tombstone,
    Update,
    UpdateRevision,
)
from coverage.services import readers
from tests.factories import make_author, make_picture, make_story, make_update

pytestmark = pytest.mark.django_db


def picture_for(update, name="p.jpg"):
    return services.save_image(
        image=Image(
            story=update.story,
            update=update,
            file=SimpleUploadedFile(name, make_picture(), "image/jpeg"),
            alt_text="Ένα πλήθος.",
        )
    )


def files_of(image):
    return [image.file.name, *(item["name"] for item in image.renditions)]


# --- readers.after_write: the one place that decides ------------------------------------------


def test_a_public_story_or_an_author_seen_by_readers_drops_everything():
    story = make_story()
    assert readers.after_write(story) == readers.EVERYTHING
    assert readers.after_write(make_author(), seen_before=True) == readers.EVERYTHING


def test_a_draft_story_and_a_new_author_drop_nothing():
    assert readers.after_write(make_story(status=Story.Status.DRAFT)) == set()
    assert readers.after_write(make_author()) == set()


def test_an_update_drops_its_story_when_readers_see_it_before_or_after():
    story = make_story(title="Ночь", slug="noch")
    public = make_update(story=story)
    draft = make_update(story=story, status=Update.Status.DRAFT)
    later = make_update(
        story=story, status=Update.Status.SCHEDULED, published_at=timezone.now() + timedelta(hours=1)
    )
    assert readers.after_write(public) == {"noch"}
    assert readers.after_write(draft) == set()
    assert readers.after_write(later) == set()
    assert readers.after_write(draft, seen_before=True) == {"noch"}  # taken down
    assert readers.after_write(public, deleted=True) == set()  # a deletion is seen only if seen before


def test_many_rows_of_one_story_drop_it_once():
    story = make_story(title="多くの", slug="ookuno")
    rows = [make_update(story=story) for _ in range(3)]
    assert readers.after_write(*rows) == {"ookuno"}


def test_comments_are_seen_once_approved():
    story = make_story(title="تعليقات", slug="taliqat")
    held = Comment.objects.create(story=story, name="A", email="a@example.org", body="B")
    assert readers.after_write(held) == set()
    held.status = Comment.Status.APPROVED
    assert readers.after_write(held) == {"taliqat"}


def test_columns_and_rows_readers_never_see_drop_nothing():
    story = make_story()
    assert readers.after_write(story, fields=["seed_positions"]) == set()
    assert readers.after_write(make_author(), seen_before=True, fields=["user"]) == set()
    update = make_update(story=story)
    revision = UpdateRevision.objects.create(update=update, version=1, headline="", body="x")
    assert readers.after_write(revision) == set()
    assert readers.after_write(DeletedSeedStory(source_slug="x", title="X"), deleted=True) == set()


def test_a_row_without_a_rule_is_refused():
    with pytest.raises(TypeError, match="No rule"):
        readers.after_write(object())


# --- delete services: tombstones and files ----------------------------------------------------


def test_deleting_a_public_update_leaves_a_tombstone_and_removes_its_pictures_files(
    django_capture_on_commit_callbacks,
):
    update = make_update()
    image = picture_for(update)
    names = files_of(image)
    assert all(default_storage.exists(name) for name in names)
    pk, before = update.pk, timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_update(update=update)
    tombstone = Tombstone.objects.get()
    assert (tombstone.update_id, tombstone.story_id) == (pk, update.story_id)
    assert tombstone.deleted_at >= before
    assert not Image.objects.exists() and not Byline.objects.exists()
    assert not any(default_storage.exists(name) for name in names)


def test_an_update_taken_down_is_tombstoned_at_the_time_it_went():
    update = make_update()
    update.status = Update.Status.DRAFT
    services.save_update(update=update)
    taken_down = Update.objects.get(pk=update.pk).public_changed_at
    services.delete_update(update=Update.objects.get(pk=update.pk))
    assert list(Tombstone.objects.values_list("deleted_at", flat=True)) == [taken_down]


def test_an_update_never_public_leaves_no_tombstone():
    services.delete_update(update=make_update(status=Update.Status.DRAFT))
    assert not Tombstone.objects.exists()


def test_deleting_a_story_takes_everything_with_it_and_remembers_a_seeded_one(
    django_capture_on_commit_callbacks,
):
    story = make_story(source_slug="from-the-seed")
    update = make_update(story=story)
    names = files_of(picture_for(update))
    services.delete_update(update=make_update(story=story))  # a tombstone the story takes along
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_story(story=story)
    assert not Story.objects.exists() and not Update.objects.exists() and not Tombstone.objects.exists()
    assert not Image.objects.exists() and not any(default_storage.exists(name) for name in names)
    assert DeletedSeedStory.objects.get().source_slug == "from-the-seed"


def test_a_file_another_picture_uses_stays(django_capture_on_commit_callbacks):
    update = make_update()
    image = picture_for(update)
    Image.objects.create(story=update.story, update=update, file=image.file.name, renditions=image.renditions)
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_image(image=image)
    assert default_storage.exists(image.file.name)


def test_an_author_in_a_byline_cannot_be_deleted_and_a_deleted_ones_photo_goes(
    django_capture_on_commit_callbacks,
):
    writer = make_author(name="Ірина Писар")
    make_update(authors=[writer])
    with pytest.raises(ProtectedError):
        services.delete_author(author=writer)
    spare = services.save_author(
        author=Author(name="Ώρα Φωτό", photo=SimpleUploadedFile("me.jpg", make_picture(size=(64, 64))))
    )
    names = [spare.photo.name, *(item["name"] for item in spare.photo_renditions)]
    assert all(default_storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_author(author=spare)
    assert not any(default_storage.exists(name) for name in names)


# --- other writes --------------------------------------------------------------------------


def test_pinning_goes_through_save_update_and_unpins_the_other():
    story = make_story()
    old, new = make_update(story=story, pinned=True), make_update(story=story)
    new.pinned = True
    services.save_update(update=new)
    assert list(story.updates.filter(pinned=True)) == [new]
    assert Update.objects.get(pk=old.pk).version == 2
    assert not hasattr(services, "pin_update")


def test_moving_an_update_moves_its_pictures_and_drops_both_stories():
    first, second = make_story(title="Один", slug="odin"), make_story(title="Два", slug="dva")
    update = make_update(story=first)
    picture_for(update)
    versions = caching.versions("odin"), caching.versions("dva")
    update.story = second
    services.save_update(update=update)
    assert Image.objects.get().story == second
    assert Byline.objects.get(update=update).story == second  # its author is now offered there
    caching.clear_local()
    assert caching.versions("odin") != versions[0] and caching.versions("dva") != versions[1]


def test_moderation_counts_and_keeps_held_comments_out_of_the_cache():
    story = make_story(title="Модерация", slug="moderatsiya")
    for name in ("Ана", "Бо", "Ци"):
        services.create_comment(comment=Comment(story=story, name=name, email="r@example.org", body="?"))
    version = caching.versions("moderatsiya")
    assert services.moderate_comments(comments=Comment.objects.all(), status=Comment.Status.SPAM) == 3
    caching.clear_local()
    assert caching.versions("moderatsiya") == version
    assert services.moderate_comments(comments=Comment.objects.all(), status=Comment.Status.APPROVED) == 3
    caching.clear_local()
    assert caching.versions("moderatsiya") != version


def test_ensure_admin_login_creates_then_resets():
    user, created = services.ensure_admin_login(username="desk", password="one-password-1")
    assert created and user.is_superuser and user.check_password("one-password-1")
    again, created = services.ensure_admin_login(username="desk", password="two-password-2")
    assert not created and again.pk == user.pk and again.check_password("two-password-2")


# --- caching on its own --------------------------------------------------------------------


def test_store_and_lookup_go_through_the_process_memory_to_the_shared_cache():
    caching.store("liveblog:test:key", "значение", 60)
    assert caching.lookup("liveblog:test:key") == "значение"
    cache.delete("liveblog:test:key")
    assert caching.lookup("liveblog:test:key") == "значение"  # this process's second
    caching.clear_local()
    assert caching.lookup("liveblog:test:key") is None


def test_a_bump_moves_the_version_now_and_again_on_commit(django_capture_on_commit_callbacks):
    first = caching.versions("istoriya")
    with django_capture_on_commit_callbacks() as callbacks:
        caching.bump_story("istoriya")
    now = caching.versions("istoriya")  # the bump cleared this process's memory
    assert now != first and len(callbacks) == 1
    callbacks[0]()
    caching.clear_local()
    assert caching.versions("istoriya") != now


def test_bump_everything_moves_every_storys_version():
    versions = caching.versions("a"), caching.versions("b")
    caching.bump_everything()
    assert caching.versions("a") != versions[0] and caching.versions("b") != versions[1]


def test_forget_leaves_no_version_behind():
    caching.versions("nowhere")
    caching.forget("nowhere")
    assert cache.get("liveblog:version:story:nowhere") is None


def test_no_function_hides_a_builtin():
    assert not hasattr(caching, "get") and not hasattr(caching, "set")
