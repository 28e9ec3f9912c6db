"""Every write path drops exactly what readers' caches must lose, with the page cache on.

One parametrised test: a reader has the story pages and change feeds cached;
the newsroom (through the admin), a reader (a comment), the seed command,
``ensure_admin`` or a service writes; the reader then gets what an uncached
render gives. A write readers see changes what they get; one they do not see
(drafts, schedules not yet due, held comments, draft stories, logins) leaves
every story's version, and so every cached byte, as it was.
"""

import io
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coverage import caching, live, services
from coverage.models import Author, Comment, Image, Story, Update
from tests.factories import make_author, make_picture, make_story, make_update, make_user
from tests.htmlforms import form_data
from tests.test_seed import document

pytestmark = pytest.mark.django_db

SEEDED = document(
    "Σύνοψη της βραδιάς.", "Αννα Πεδιάδα", "Πρώτα αποτελέσματα.", title="Εκλογές", slug="ekloges"
)


def admin_url(model, view, *args):
    return reverse(f"admin:coverage_{model._meta.model_name}_{view}", args=args)


@dataclass
class World:
    desk: Client
    story: Story
    seeded: Story
    public: Update
    draft: Update
    scheduled: Update
    spare_author: object
    picture: Image
    approved: Comment
    held: Comment
    tmp_path: object

    def save_form(self, url, form_id, **changes):
        data = form_data(self.desk.get(url).content, form_id, _save="Save", **changes)
        response = self.desk.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]

    def delete(self, obj):
        response = self.desk.post(admin_url(type(obj), "delete", obj.pk), {"post": "yes"})
        assert response.status_code == 302

    def action(self, model, action, *objects, **extra):
        data = {"action": action, "_selected_action": [obj.pk for obj in objects], **extra}
        response = self.desk.post(admin_url(model, "changelist"), data)
        assert response.status_code == 302

    def seed(self, text):
        path = self.tmp_path / "ekloges.txt"
        path.write_text(text, encoding="utf-8")
        call_command("seed", str(path), stdout=io.StringIO())


@pytest.fixture
def world(client, settings, tmp_path):
    settings.LIVEBLOG_PAGE_CACHE_SECONDS = 60
    settings.LIVEBLOG_CURSOR_WINDOW = 1  # cursors move every second: nothing else may differ
    desk = Client()
    desk.force_login(make_user(username="chief", superuser=True))
    story = make_story(title="Ночь выборов", slug="noch-vyborov")
    reporter = make_author(name="Анна Полевая")
    public = make_update(story=story, body="Участки закрылись.", authors=[reporter])
    draft = make_update(story=story, body="Черновик.", status=Update.Status.DRAFT, authors=[reporter])
    scheduled = make_update(
        story=story,
        body="Позже.",
        status=Update.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(hours=2),
        authors=[reporter],
    )
    picture = services.save_image(
        image=Image(
            story=story,
            update=public,
            file=SimpleUploadedFile("queue.jpg", make_picture(), "image/jpeg"),
            caption="Очередь у школы.",
            alt_text="Люди стоят в очереди.",
        )
    )
    approved = services.create_comment(
        comment=Comment(story=story, name="قارئ", email="r@example.org", body="شكرا", status="approved")
    )
    held = services.create_comment(
        comment=Comment(story=story, name="读者", email="d@example.org", body="谢谢")
    )
    world = World(
        desk=desk,
        story=story,
        seeded=None,
        public=public,
        draft=draft,
        scheduled=scheduled,
        spare_author=make_author(name="רות שקטה"),
        picture=picture,
        approved=approved,
        held=held,
        tmp_path=tmp_path,
    )
    world.seed(SEEDED)
    world.seeded = Story.objects.get(source_slug="ekloges")
    return world


SINCE = live.current_cursor(timezone.now() - timedelta(days=1))


def what_readers_get(client, world):
    """Each story's page and change feed as a reader gets them, cursors aside: the clock moves
    them (a page cached a few seconds ago rightly carries the cursor of its time)."""
    got = []
    for slug in (world.story.slug, world.seeded.slug):
        page = client.get(f"/live/{slug}/")
        feed = client.get(f"/live/{slug}/changes.json?since={SINCE}")
        body = feed.json()
        body.pop("cursor", None)
        content = re.sub(rb'data-cursor="[0-9]+"', b'data-cursor=""', page.content)
        got.append((page.status_code, content, feed.status_code, body, feed.get("Last-Modified")))
    return got


def versions(world):
    caching.clear_local()
    return [caching.versions(world.story.slug), caching.versions(world.seeded.slug)]


def reread(model_instance):
    return type(model_instance).objects.get(pk=model_instance.pk)


# Each write: (name, seen by readers, how it is made).
WRITES = [
    # --- the admin
    (
        "admin: add a public update",
        True,
        lambda w: w.save_form(
            f"{admin_url(Update, 'add')}?story={w.story.pk}", "update_form", body="Новые данные."
        ),
    ),
    (
        "admin: edit a public update",
        True,
        lambda w: w.save_form(admin_url(Update, "change", w.public.pk), "update_form", body="Исправлено."),
    ),
    (
        "admin: pin a public update",
        True,
        lambda w: w.save_form(admin_url(Update, "change", w.public.pk), "update_form", pinned="on"),
    ),
    (
        "admin: add a draft update",
        False,
        lambda w: w.save_form(
            f"{admin_url(Update, 'add')}?story={w.story.pk}",
            "update_form",
            body="Ещё черновик.",
            status="draft",
        ),
    ),
    (
        "admin: edit and pin a draft update",
        False,
        lambda w: w.save_form(
            admin_url(Update, "change", w.draft.pk), "update_form", body="Черновик 2.", pinned="on"
        ),
    ),
    (
        "admin: edit a scheduled update",
        False,
        lambda w: w.save_form(admin_url(Update, "change", w.scheduled.pk), "update_form", body="Позже, 2."),
    ),
    ("admin: publish now", True, lambda w: w.action(Update, "publish_now", w.draft)),
    ("admin: delete a public update", True, lambda w: w.delete(w.public)),
    (
        "admin: delete selected updates",
        True,
        lambda w: w.action(Update, "delete_selected", w.public, post="yes"),
    ),
    ("admin: delete a draft update", False, lambda w: w.delete(w.draft)),
    ("admin: delete a scheduled update", False, lambda w: w.delete(w.scheduled)),
    (
        "admin: retitle a story",
        True,
        lambda w: w.save_form(
            admin_url(Story, "change", w.story.pk), "story_form", title="Ночь выборов, итоги"
        ),
    ),
    ("admin: end coverage", True, lambda w: w.action(Story, "end_coverage", w.story)),
    ("admin: delete a story", True, lambda w: w.delete(w.story)),
    (
        "admin: add a draft story",
        False,
        lambda w: w.save_form(admin_url(Story, "add"), "story_form", title="Тайный черновик", status="draft"),
    ),
    (
        "admin: rename an author",
        True,
        lambda w: w.save_form(
            admin_url(Author, "change", reread(w.public).bylines.get().author_id),
            "author_form",
            name="Анна Полевая-Старшая",
        ),
    ),
    ("admin: delete an author in no byline", False, lambda w: w.delete(w.spare_author)),
    (
        "admin: add a picture to a public update",
        True,
        lambda w: w.save_form(
            admin_url(Image, "add"),
            "image_form",
            file=SimpleUploadedFile("crowd.jpg", make_picture(colour=(10, 200, 10)), "image/jpeg"),
            update=str(w.public.pk),
            alt_text="Толпа на площади.",
        ),
    ),
    (
        "admin: recaption a picture",
        True,
        lambda w: w.save_form(
            admin_url(Image, "change", w.picture.pk), "image_form", caption="Новая подпись."
        ),
    ),
    ("admin: delete a picture", True, lambda w: w.delete(w.picture)),
    (
        "admin: delete selected pictures",
        True,
        lambda w: w.action(Image, "delete_selected", w.picture, post="yes"),
    ),
    ("admin: approve a comment", True, lambda w: w.action(Comment, "approve", w.held)),
    ("admin: mark a held comment as spam", False, lambda w: w.action(Comment, "mark_spam", w.held)),
    ("admin: send an approved comment back", True, lambda w: w.action(Comment, "mark_pending", w.approved)),
    (
        "admin: edit an approved comment",
        True,
        lambda w: w.save_form(admin_url(Comment, "change", w.approved.pk), "comment_form", body="شكرا جزيلا"),
    ),
    (
        "admin: edit a held comment",
        False,
        lambda w: w.save_form(admin_url(Comment, "change", w.held.pk), "comment_form", body="谢谢！"),
    ),
    ("admin: delete an approved comment", True, lambda w: w.delete(w.approved)),
    ("admin: delete a held comment", False, lambda w: w.delete(w.held)),
    (
        "admin: delete selected comments",
        True,
        lambda w: w.action(Comment, "delete_selected", w.approved, w.held, post="yes"),
    ),
    # --- readers, commands
    (
        "reader: post a comment (held)",
        False,
        lambda w: Client().post(
            f"/live/{w.story.slug}/comments/",
            {"name": "Lector", "email": "l@example.org", "body": "¡Gracias!"},
        ),
    ),
    ("seed: a changed document", True, lambda w: w.seed(SEEDED.replace("Πρώτα", "Τελικά"))),
    ("seed: the same document again", False, lambda w: w.seed(SEEDED)),
    (
        "ensure_admin",
        False,
        lambda w: call_command("ensure_admin", "--username=desk", "--author=Desk", stdout=io.StringIO()),
    ),
    # --- services with no admin form of their own
    (
        "services: link an author to a login",
        False,
        lambda w: services.link_author(user=make_user(), name="Nova"),
    ),
    (
        "services: move a public update to another story",
        True,
        lambda w: services.save_update(update=_moved(w)),
    ),
    (
        "services: seed bookkeeping",
        False,
        lambda w: services.record_seed_positions(story=reread(w.seeded), count=9),
    ),
]


def _moved(world):
    update = reread(world.public)
    update.story = world.seeded
    return update


@pytest.mark.parametrize("seen, write", [case[1:] for case in WRITES], ids=[case[0] for case in WRITES])
def test_every_write_drops_what_readers_must_lose(client, settings, world, seen, write):
    before = what_readers_get(client, world)
    versions_before = versions(world)

    write(world)

    caching.clear_local()  # what another app server gets: only the shared cache counts
    cached = what_readers_get(client, world)
    settings.LIVEBLOG_PAGE_CACHE_SECONDS = 0
    fresh = what_readers_get(client, world)
    assert cached == fresh  # with the cache on, readers get what an uncached render gives
    if seen:
        assert cached != before
    else:
        assert versions(world) == versions_before
        assert cached == before
