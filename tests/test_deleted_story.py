"""A story deleted in the newsroom stays deleted when its document is loaded again.

Stories are deleted the way editors delete them: the admin's delete confirmation
and the changelist's "delete selected" action, with the test client.
"""

import io
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from coverage.models import Author, DeletedSeedStory, Story
from tests.factories import make_story, make_update, make_user
from tests.htmlforms import form_data
from tests.test_admin import change_url, client_for, delete_url
from tests.test_reseed import STORY, visible_bodies
from tests.test_seed import document

pytestmark = pytest.mark.django_db

STORY_CHANGELIST = reverse("admin:coverage_story_changelist")
DELETED_CHANGELIST = reverse("admin:coverage_deletedseedstory_changelist")
# Another document loaded in the same run, its title and text in Cyrillic (bylines in
# other scripts are the subject of their own tests).
OTHER = document(
    "Что известно.",
    "Ivan Nechepurenko",
    "Подсчёт продолжается.",
    "Ivan Nechepurenko",
    "Участки закрылись.",
    title="Ночь выборов",
    slug="ночь-выборов-election-night",
    lead="Ivan Nechepurenko",
)


@pytest.fixture
def desk():
    """An editor's logged-in client."""
    return client_for(make_user(username="desk", role="Editors"))


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def seed_files(*paths, **options):
    out = io.StringIO()
    call_command("seed", *map(str, paths), stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue().splitlines()


def delete_on_its_page(client, story):
    """The delete link of the story's change form, then the confirmation's "Yes, I'm sure"."""
    confirmation = client.get(delete_url(story))
    assert confirmation.status_code == 200
    assert 'name="post" value="yes"' in confirmation.content.decode()
    response = client.post(delete_url(story), {"post": "yes"})
    assert (response.status_code, response["Location"]) == (302, STORY_CHANGELIST)


def delete_selected(client, *stories):
    """Tick the stories on the changelist, choose "Delete selected stories", confirm."""
    selected = {"action": "delete_selected", "_selected_action": [story.pk for story in stories]}
    confirmation = client.post(STORY_CHANGELIST, selected)
    assert confirmation.status_code == 200
    assert "Are you sure" in confirmation.content.decode()
    response = client.post(STORY_CHANGELIST, selected | {"post": "yes"})
    assert (response.status_code, response["Location"]) == (302, STORY_CHANGELIST)


@pytest.fixture
def loaded(tmp_path):
    """Two documents loaded: "Results night" (4 updates) and a Cyrillic one (2 updates)."""
    story, other = write(tmp_path, "results.txt", STORY), write(tmp_path, "other.txt", OTHER)
    seed_files(story, other)
    return story, other


def test_a_story_deleted_on_its_page_stays_deleted_and_is_reported(tmp_path, loaded, desk, client):
    story_path, other_path = loaded
    delete_on_its_page(desk, Story.objects.get(source_slug="results-night"))
    # The page grew since, with a new byline: the newsroom's deletion still wins.
    write(
        tmp_path,
        "results.txt",
        STORY.replace("Anna Field\n\nFour.", "Boris Green\n\nFive.\n\nAnna Field\n\nFour."),
    )
    write(
        tmp_path,
        "other.txt",
        OTHER.replace("Что известно.\n\n", "Что известно.\n\nIvan Nechepurenko\n\nСрочно.\n\n"),
    )

    out = seed_files(story_path, other_path)

    assert out == [
        f"{story_path}: story “Results night” was deleted in the newsroom; left deleted "
        "(--force brings it back)",
        f"{other_path}: ночь-выборов-election-night: changed: story unchanged; updates 1 added, "
        "0 edited, 0 unpublished, 2 unchanged; 0 authors added; 0 images",
    ]
    assert list(Story.objects.values_list("title", flat=True)) == ["Ночь выборов"]
    assert visible_bodies(Story.objects.get()) == ["Срочно.", "Подсчёт продолжается.", "Участки закрылись."]
    assert not Author.objects.filter(name="Boris Green").exists()  # nothing of the document is loaded
    assert client.get("/live/results-night/").status_code == 404
    deleted = DeletedSeedStory.objects.get()
    assert (deleted.source_slug, deleted.title, deleted.deleted_by.username) == (
        "results-night",
        "Results night",
        "desk",
    )

    assert seed_files(story_path, dry_run=True) == out[:1]  # a dry run says the same
    assert seed_files(story_path) == out[:1]  # and so does every later run
    assert not Story.objects.filter(source_slug="results-night").exists()


def test_stories_deleted_from_the_changelist_stay_deleted(tmp_path, loaded, desk):
    story_path, other_path = loaded
    written_here = make_story(title="Written in the admin")
    make_update(story=written_here, body="The desk's own story.")
    seeded = Story.objects.exclude(pk=written_here.pk).order_by("pk")
    assert seeded.count() == 2

    delete_selected(desk, *seeded, written_here)

    assert not Story.objects.exists()
    # Only stories a document names are remembered: the admin's own story is simply gone.
    assert sorted(DeletedSeedStory.objects.values_list("source_slug", "title")) == [
        ("results-night", "Results night"),
        ("ночь-выборов-election-night", "Ночь выборов"),
    ]
    assert seed_files(story_path, other_path) == [
        f"{story_path}: story “Results night” was deleted in the newsroom; left deleted "
        "(--force brings it back)",
        f"{other_path}: story “Ночь выборов” was deleted in the newsroom; left deleted "
        "(--force brings it back)",
    ]
    assert not Story.objects.exists()


def test_force_brings_a_deleted_story_back_and_says_so(tmp_path, loaded, desk, client):
    story_path, other_path = loaded
    delete_on_its_page(desk, Story.objects.get(source_slug="results-night"))
    write(
        tmp_path,
        "other.txt",
        OTHER.replace("Что известно.\n\n", "Что известно.\n\nIvan Nechepurenko\n\nСрочно.\n\n"),
    )

    out = seed_files(story_path, other_path, force=True)

    assert out == [
        f"{story_path}: results-night: changed: story brought back; updates 4 added, 0 edited, "
        "0 unpublished, 0 unchanged; 0 authors added; 0 images; overwrote 1 newsroom edit",
        "  overwrote story “Results night”: deleted in the newsroom",
        f"{other_path}: ночь-выборов-election-night: changed: story unchanged; updates 1 added, "
        "0 edited, 0 unpublished, 2 unchanged; 0 authors added; 0 images",
    ]
    story = Story.objects.get(source_slug="results-night")
    assert story.slug == "results-night"
    assert visible_bodies(story) == ["Four.", "Three.", "Two.", "One."]
    assert client.get("/live/results-night/").status_code == 200
    assert not DeletedSeedStory.objects.exists()
    assert seed_files(story_path) == [f"{story_path}: results-night: up to date (4 updates)"]


def test_a_dry_run_with_force_says_it_would_bring_the_story_back_and_changes_nothing(loaded, desk):
    story_path, _ = loaded
    delete_on_its_page(desk, Story.objects.get(source_slug="results-night"))

    out = seed_files(story_path, force=True, dry_run=True)

    assert out == [
        f"{story_path}: results-night: would change: story brought back; updates 4 added, 0 edited, "
        "0 unpublished, 0 unchanged; 0 authors added; 0 images; would overwrite 1 newsroom edit",
        "  would overwrite story “Results night”: deleted in the newsroom",
    ]
    assert not Story.objects.filter(source_slug="results-night").exists()
    assert DeletedSeedStory.objects.filter(source_slug="results-night").exists()


def test_a_story_the_admin_makes_with_the_deleted_one_s_slug_is_its_own(tmp_path, loaded, desk):
    """The admin cannot give a story a source slug: a story written there under the deleted
    story's slug and title is the newsroom's own. The document neither takes it over nor
    comes back because of it; with --force it comes back beside it, under a slug of its own."""
    story_path, _ = loaded
    delete_on_its_page(desk, Story.objects.get(source_slug="results-night"))
    add_url = reverse("admin:coverage_story_add")
    data = form_data(desk.get(add_url).content, "story_form", _save="Save")
    data |= {"title": "Results night", "slug": "results-night", "status": "live", "summary": "The desk's."}
    assert desk.post(add_url, data).status_code == 302
    mine = Story.objects.get(slug="results-night")
    make_update(story=mine, body="Written in the newsroom.")
    assert mine.source_slug == ""

    assert "left deleted (--force brings it back)" in seed_files(story_path)[0]
    assert list(Story.objects.filter(title="Results night").values_list("pk", flat=True)) == [mine.pk]

    assert "story brought back" in seed_files(story_path, force=True)[0]
    back = Story.objects.get(source_slug="results-night")
    assert back.slug == "results-night-2"
    assert visible_bodies(back) == ["Four.", "Three.", "Two.", "One."]
    mine.refresh_from_db()
    assert (mine.title, mine.summary, visible_bodies(mine)) == (
        "Results night",
        "The desk's.",
        ["Written in the newsroom."],
    )

    delete_on_its_page(desk, mine)  # the newsroom's own story: no document to hold back
    assert not DeletedSeedStory.objects.exists()


def test_editors_see_deleted_seeded_stories_and_may_let_the_seed_load_one_again(loaded, desk):
    story_path, _ = loaded
    delete_on_its_page(desk, Story.objects.get(source_slug="results-night"))
    deleted = DeletedSeedStory.objects.get()

    listing = desk.get(DELETED_CHANGELIST)
    assert listing.status_code == 200
    assert "Results night" in listing.content.decode() and "results-night" in listing.content.decode()
    assert desk.get(reverse("admin:coverage_deletedseedstory_add")).status_code == 403
    assert desk.post(change_url(deleted), {"title": "Renamed"}).status_code == 403
    reporter = client_for(make_user(username="remy", role="Reporters"))
    assert reporter.get(DELETED_CHANGELIST).status_code == 403
    assert reporter.post(delete_url(deleted), {"post": "yes"}).status_code == 403

    assert desk.post(delete_url(deleted), {"post": "yes"}).status_code == 302

    out = seed_files(story_path)
    assert out[0].startswith(f"{story_path}: results-night: changed: story created; updates 4 added")
    assert Story.objects.filter(source_slug="results-night").exists()


def test_editors_hold_the_permissions_for_deleted_seeded_stories():
    editors = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    reporters = set(Group.objects.get(name="Reporters").permissions.values_list("codename", flat=True))
    assert {"view_deletedseedstory", "delete_deletedseedstory"} <= editors
    assert not {name for name in reporters if name.endswith("_deletedseedstory")}


def test_the_old_address_of_a_deleted_story_finds_nothing(loaded, desk, client):
    """Its source slug redirected to it; once deleted, that link is a 404 too."""
    story = Story.objects.get(source_slug="ночь-выборов-election-night")
    assert client.get(f"/live/{quote(story.source_slug)}/", follow=True).status_code == 200
    delete_on_its_page(desk, story)
    assert client.get(f"/live/{quote(story.source_slug)}/").status_code == 404
