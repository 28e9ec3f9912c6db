"""Loading documents again: the newsroom's work wins, stories keep apart, export then seed.

Newsroom changes are made the way editors make them: through the admin views,
with the test client.
"""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.apps import apps
from django.core.management import CommandError
from django.utils import timezone

from coverage import markup
from coverage.models import Author, Image, Story, Update, Writer
from coverage.seed.export import export_story
from tests.factories import make_story, make_update, make_user, migration
from tests.htmlforms import form_data
from tests.test_admin import UPDATE_ADD, change_url, client_for, delete_url, update_form
from tests.test_seed import document, seed, snapshot

pytestmark = pytest.mark.django_db

STORY = document(
    "The summary.",
    "Anna Field",
    "Four.",
    "Anna Field",
    "Three.",
    "Anna Field",
    "Two.",
    "Anna Field",
    "One.",
    title="Results night",
    slug="results-night",
)
GROWN = STORY.replace("The summary.\n\n", "The summary.\n\nBoris Green\n\nFive, just in.\n\n")


def visible_bodies(story=None):
    updates = Update.objects.published() if story is None else story.updates.published()
    return [update.body for update in updates]


def save_in_admin(client, update, **changes):
    data = update_form(client, update) | changes
    response = client.post(change_url(update), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def save_story_in_admin(client, story, **changes):
    data = form_data(client.get(change_url(story)).content, "story_form", _save="Save") | changes
    response = client.post(change_url(story), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def delete_in_admin(client, obj):
    assert client.post(delete_url(obj), {"post": "yes"}).status_code == 302


@pytest.fixture
def desk():
    """An editor's logged-in client."""
    return client_for(make_user(username="desk", role="Editors"))


# --- the newsroom's work wins ------------------------------------------------------


def test_reseeding_keeps_every_newsroom_change_and_says_so(tmp_path, desk):
    seed(tmp_path, STORY)
    story = Story.objects.get()
    four, three, two, _ = story.updates.order_by("-source_position")
    save_in_admin(desk, four, body="Four, as the desk rewrote it.")
    save_in_admin(desk, three, status="draft")
    delete_in_admin(desk, two)
    save_story_in_admin(desk, story, title="Results night, retitled", summary="The desk's summary.")

    out = seed(tmp_path, GROWN)

    assert "1 added, 0 edited, 0 unpublished, 1 unchanged" in out
    assert "kept 4 newsroom edits (--force overwrites them)" in out
    kept = [line for line in out.splitlines() if line.startswith("  kept ")]
    assert kept == [
        "  kept story “Results night, retitled” (title, summary differ from the document): "
        "changed in the newsroom",
        "  kept update at place 1 (“Two.”): deleted in the newsroom",
        f"  kept update {three.pk} at place 2 (“Three.”): unpublished in the newsroom",
        f"  kept update {four.pk} at place 3 (“Four, as the desk rewrote it.”): changed in the newsroom",
    ]
    story.refresh_from_db()
    assert (story.title, story.summary) == ("Results night, retitled", "The desk's summary.")
    assert visible_bodies() == ["Five, just in.", "Four, as the desk rewrote it.", "One."]
    assert Update.objects.get(pk=three.pk).status == Update.Status.DRAFT
    assert not Update.objects.filter(body="Two.").exists()

    before = snapshot()
    again = seed(tmp_path, GROWN)
    assert snapshot() == before
    assert "up to date (2 updates); kept 4 newsroom edits" in again


def test_force_puts_the_document_back_and_lists_what_it_overwrote(tmp_path, desk):
    seed(tmp_path, STORY)
    four, three, two, _ = Story.objects.get().updates.order_by("-source_position")
    save_in_admin(desk, four, body="Four, as the desk rewrote it.")
    save_in_admin(desk, three, status="draft")
    delete_in_admin(desk, two)

    out = seed(tmp_path, STORY, force=True)

    assert "1 added, 2 edited" in out and "overwrote 3 newsroom edits" in out
    overwritten = [line for line in out.splitlines() if line.startswith("  overwrote ")]
    assert overwritten == [
        "  overwrote update at place 1 (“Two.”): deleted in the newsroom",
        f"  overwrote update {three.pk} at place 2 (“Three.”): unpublished in the newsroom",
        f"  overwrote update {four.pk} at place 3 (“Four, as the desk rewrote it.”): changed in the newsroom",
    ]
    assert visible_bodies() == ["Four.", "Three.", "Two.", "One."]
    assert "up to date (4 updates)" in seed(tmp_path, STORY)


def test_an_update_the_newsroom_changed_stays_up_when_the_document_drops_it(tmp_path, desk):
    seed(tmp_path, STORY)
    four = Update.objects.get(body="Four.")
    save_in_admin(desk, four, body="Four, kept by the desk.")
    shrunk = STORY.replace("Anna Field\n\nFour.\n\nAnna Field\n\nThree.\n\n", "")

    out = seed(tmp_path, shrunk)

    assert "0 added, 0 edited, 1 unpublished" in out
    assert f"kept update {four.pk} at place 3 (“Four, kept by the desk.”): changed in the newsroom; " in out
    assert visible_bodies() == ["Four, kept by the desk.", "Two.", "One."]


def test_what_the_seed_never_writes_does_not_hold_back_the_document(tmp_path, desk):
    """A pin, a key event, a correction or a new time are the newsroom's own: the document's
    new text still arrives, and they stay."""
    seed(tmp_path, STORY)
    two = Update.objects.get(body="Two.")
    save_in_admin(desk, two, pinned="on", key_event="on", correction="An earlier version misspelt a name.")

    out = seed(tmp_path, STORY.replace("Two.", "Two, as the page now has it."))

    assert "0 added, 1 edited" in out and "newsroom edit" not in out
    two.refresh_from_db()
    assert two.body == "Two, as the page now has it."
    assert two.pinned and two.key_event and two.correction and two.edited_at is not None


def test_a_newsroom_edit_the_document_caught_up_with_is_not_reported(tmp_path, desk):
    seed(tmp_path, STORY)
    save_in_admin(desk, Update.objects.get(body="Two."), body="Two, fixed.")
    out = seed(tmp_path, STORY.replace("Two.", "Two, fixed."))
    assert "up to date (4 updates)" in out and "newsroom edit" not in out


def test_a_picture_changed_in_the_newsroom_is_kept(tmp_path, desk):
    text = document("S.", "Anna Field", "Image", "Polls.Credit…Agency", "Body.", "Anna Field", "Earlier.")
    seed(tmp_path, text)
    image = Image.objects.get()
    data = form_data(desk.get(change_url(image)).content, "image_form", _save="Save")
    data["alt_text"] = "Voters queue outside a school in the rain."
    assert desk.post(change_url(image), data).status_code == 302

    out = seed(tmp_path, text.replace("Body.", "Body, updated."))

    assert "kept 1 newsroom edit " in out
    update = Update.objects.get(images=image)
    assert update.body == "Body."
    assert update.images.get().alt_text == "Voters queue outside a school in the rain."


def test_seed_writes_are_in_the_revision_history(tmp_path, desk):
    seed(tmp_path, document("S.", "Anna Field", "One."))
    seed(tmp_path, document("S.", "Anna Field", "One, as the page now has it."))
    update = Update.objects.get()
    save_in_admin(desk, update, body="One, as the desk has it.")

    assert list(update.revisions.values_list("version", "body", "writer", "saved_by__username")) == [
        (3, "One, as the desk has it.", Writer.NEWSROOM, "desk"),
        (2, "One, as the page now has it.", Writer.SEED, None),
        (1, "One.", Writer.SEED, None),
    ]
    history = desk.get(change_url(update)).content.decode()
    assert history.count("the seed document") == 2


def test_a_forced_seed_over_a_newsroom_edit_is_a_seed_revision(tmp_path, desk):
    seed(tmp_path, document("S.", "Anna Field", "Headline", "One."))
    update = Update.objects.get()
    save_in_admin(desk, update, headline="Headline, as the desk has it")

    assert "kept 1 newsroom edit" in seed(tmp_path, document("S.", "Anna Field", "Headline", "One."))
    assert "overwrote 1 newsroom edit" in seed(
        tmp_path, document("S.", "Anna Field", "Headline", "One."), force=True
    )

    assert list(update.revisions.values_list("version", "headline", "writer", "saved_by__username")) == [
        (3, "Headline", Writer.SEED, None),
        (2, "Headline, as the desk has it", Writer.NEWSROOM, "desk"),
        (1, "Headline", Writer.SEED, None),
    ]


def test_every_seed_change_to_an_update_is_a_seed_revision(tmp_path):
    seed(
        tmp_path, document("S.", "Anna Field", "Two.", "Anna Field", "One.", "Ann Lee contributed reporting.")
    )
    seed(tmp_path, document("S.", "Anna Field", "Two.", "Anna Field", "One.", "Bo Li contributed reporting."))
    seed(tmp_path, document("S.", "Anna Field", "One.", "Bo Li contributed reporting."))  # “Two.” is gone

    one, two = Update.objects.get(body="One."), Update.objects.get(body="Two.")
    assert (one.version, two.version, two.status) == (2, 2, Update.Status.DRAFT)
    assert list(one.revisions.values_list("version", "writer")) == [(2, Writer.SEED), (1, Writer.SEED)]
    assert list(two.revisions.values_list("version", "writer")) == [(2, Writer.SEED), (1, Writer.SEED)]


def test_stories_loaded_before_seed_digests_keep_their_identity():
    """The migration names a story by the slug the seed used to leave blank."""
    record_seed_state = migration("seeded_stories_named_by_source_slug")
    story = make_story(title="Old load", slug="old-load")
    for position in range(3):
        make_update(story=story, source_position=position)
    make_story(title="Written in the admin", slug="in-the-admin")

    record_seed_state.record_seed_state(apps, None)

    assert dict(Story.objects.values_list("slug", "source_slug")) == {
        "old-load": "old-load",
        "in-the-admin": "",
    }
    assert Story.objects.get(slug="old-load").seed_positions == 3


# --- stories whose slugs come out alike --------------------------------------------


@pytest.mark.parametrize(
    ("first_slug", "second_slug"), [("results", "Results!"), ("новости-results", "война-results")]
)
def test_two_documents_whose_slugs_come_out_alike_are_two_stories(tmp_path, client, first_slug, second_slug):
    first = document("First summary.", "Anna Field", "From the first.", title="First", slug=first_slug)
    second = document(
        "Second summary.", "Boris Green", "Second, newer.", "Boris Green", "Second, older.",
        title="Second", slug=second_slug,
    )  # fmt: skip
    seed(tmp_path, first, name="first.txt")
    seed(tmp_path, second, name="second.txt")

    one, two = Story.objects.order_by("pk")
    assert one.slug != two.slug
    assert (one.source_slug, one.title, visible_bodies(one)) == (first_slug, "First", ["From the first."])
    assert (two.source_slug, two.title, visible_bodies(two)) == (
        second_slug,
        "Second",
        ["Second, newer.", "Second, older."],
    )
    for story in (one, two):
        page = client.get(f"/live/{quote(story.source_slug)}/", follow=True)
        assert page.status_code == 200
        assert page.redirect_chain in ([], [(story.get_absolute_url(), 301)])
        assert visible_bodies(story)[0] in page.content.decode()

    before = list(one.updates.values_list("pk", "body", "version"))
    grown = second.replace("Second summary.\n\n", "Second summary.\n\nBoris Green\n\nNewest.\n\n")
    out = seed(tmp_path, grown, name="second.txt")
    assert f": {two.slug}: changed: story unchanged; updates 1 added" in out
    assert visible_bodies(two)[0] == "Newest."
    assert list(one.updates.values_list("pk", "body", "version")) == before
    assert "up to date (1 updates)" in seed(tmp_path, first, name="first.txt")


def test_the_results_example_gets_its_own_slug_and_redirect(tmp_path, client):
    seed(tmp_path, document("S.", "Anna Field", "One.", title="Lower", slug="results"), name="a.txt")
    seed(tmp_path, document("S.", "Anna Field", "Uno.", title="Upper", slug="Results!"), name="b.txt")
    assert list(Story.objects.order_by("pk").values_list("slug", "source_slug")) == [
        ("results", "results"),
        ("results-2", "Results!"),
    ]
    response = client.get("/live/Results!/")
    assert (response.status_code, response["Location"]) == (301, "/live/results-2/")


def test_a_document_never_takes_over_a_story_written_in_the_admin(tmp_path):
    mine = make_story(title="Results", slug="results")
    make_update(story=mine, body="Written in the newsroom.")
    seed(tmp_path, document("S.", "Anna Field", "From the document.", title="Results", slug="results"))
    assert visible_bodies(Story.objects.get(pk=mine.pk)) == ["Written in the newsroom."]
    assert visible_bodies(Story.objects.get(source_slug="results")) == ["From the document."]
    assert Story.objects.get(source_slug="results").slug == "results-2"


# --- new updates are published now --------------------------------------------------


@pytest.mark.parametrize("newest_at", [None, "five seconds ago"])
def test_an_update_added_by_a_reseed_is_in_the_very_next_poll(tmp_path, client, newest_at):
    options = {"newest_at": timezone.now() - timedelta(seconds=5)} if newest_at else {}
    seed(tmp_path, document("S.", "Anna Field", "One."), **options)
    story = Story.objects.get()
    feed = f"/live/{story.slug}/changes.json"
    cursor = client.get(feed).json()["cursor"]

    seed(tmp_path, document("S.", "Anna Field", "Two, just in.", "Anna Field", "One."), **options)

    new = Update.objects.get(body="Two, just in.")
    assert new.published_at <= timezone.now()
    poll = client.get(f"{feed}?since={cursor}").json()
    assert poll["updates"][0]["id"] == new.pk  # newest first
    assert visible_bodies(story) == ["Two, just in.", "One."]


def test_new_updates_of_a_reseed_keep_document_order_and_are_never_ahead_of_now(tmp_path):
    now = timezone.now()
    seed(tmp_path, document("S.", "Anna Field", "One."), newest_at=now - timedelta(seconds=30))
    grown = document("S.", "Anna Field", "Three.", "Anna Field", "Two.", "Anna Field", "One.")
    seed(tmp_path, grown, newest_at=now - timedelta(seconds=30), interval=0)
    updates = list(Update.objects.published())
    assert [update.body for update in updates] == ["Three.", "Two.", "One."]
    times = [update.published_at for update in updates]
    assert times == sorted(times, reverse=True) and times[0] <= timezone.now()


def test_a_future_newest_at_is_refused(tmp_path):
    with pytest.raises(CommandError, match="in the future"):
        seed(tmp_path, document("S.", "Anna Field", "One."), newest_at=timezone.now() + timedelta(hours=1))
    assert not Story.objects.exists()


# --- export, then seed into a fresh database -----------------------------------------


def shape(story):
    """What readers see of a story, text compared as rendered Markdown and as its source."""

    def text(source):
        return (markup.render(source), "\n\n".join(block.source for block in markup.blocks(source)))

    def pictures(images):
        return [(image.caption, image.credit, image.position) for image in images]

    updates = story.updates.published().prefetch_related("bylines__author", "images")
    return {
        "title": story.title,
        "lead": story.lead_author.name,
        "summary": text(story.summary),
        "lead image": pictures(image for image in story.images.all() if image.update_id is None),
        "comments": story.comments_open,
        "updates": [
            (
                [author.name for author in update.byline_authors()],
                update.headline,
                text(update.body),
                update.contributor_line,
                pictures(update.images.all()),
            )
            for update in updates
        ],
    }


def export_then_seed_afresh(tmp_path, story):
    exported = export_story(story)
    Story.objects.all().delete()
    Author.objects.all().delete()
    seed(tmp_path, exported, name="exported.txt")
    return Story.objects.get(), exported


def add_in_admin(client, story, authors, **fields):
    data = form_data(client.get(f"{UPDATE_ADD}?story={story.pk}").content, "update_form", _save="Save")
    data |= {"story": str(story.pk), "status": "published", **fields}
    response = client.post(UPDATE_ADD, {**data, "byline": [str(author.pk) for author in authors]})
    assert response.status_code == 302, response.content.decode()[:3000]


def test_export_then_seed_gives_the_same_story_with_the_newsroom_s_updates(tmp_path, desk):
    seed(tmp_path, document(
        "Polls closed at 8.", "Image", "Queues.Credit…Agency",
        "Anna Field", "Counting begins", "# of ballots: unknown.", "Marc Santora contributed reporting.",
        "Anna FieldBoris Green", "Polls open.", lead="Anna Field",
    ))  # fmt: skip
    story = Story.objects.get()
    anna, boris = Author.objects.get(name="Anna Field"), Author.objects.get(name="Boris Green")
    save_story_in_admin(
        desk, story, summary="Polls closed at **8 p.m.** See [the map](https://example.org/map).\r\n\r\n"
        "Here’s what else to know:\r\n\r\n- Turnout was *high*\r\n- Counting has begun",
    )  # fmt: skip
    add_in_admin(desk, story, [anna], body=(
        "**Polls have closed** in [Kyiv](https://example.org/kyiv).\r\n\r\n## What we know\r\n\r\n"
        "- Turnout was *high*\r\n- Counting has begun\r\n\r\n1. First result\r\n2. Second result\r\n\r\n"
        "> “We are ready,” the commission said.\r\n\r\nBoris Green\r\n\r\nLeave a Reply\r\n\r\n"
        "Image\r\n\r\n• Not a list, a bullet typed in a sentence.\r\n\r\nAnna Field"
    ))  # fmt: skip
    add_in_admin(desk, story, [boris, anna], body="Breaking from Kyiv\r\n\r\nMore to come.")
    add_in_admin(desk, story, [anna], headline="What happens next?", body="Officials will meet.",
                 contributor_line="Reporting by Marc Santora")  # fmt: skip
    add_in_admin(desk, story, [boris], body="An update whose last line names a reporter.\r\n\r\n"
                 "Valerie Hopkins contributed reporting.")  # fmt: skip
    story.refresh_from_db()
    before = shape(story)
    assert len(before["updates"]) == 6 and "<strong>8 p.m.</strong>" in before["summary"][0]

    again, exported = export_then_seed_afresh(tmp_path, story)

    assert shape(again) == before, exported
    assert all(update.published_at <= timezone.now() for update in again.updates.all())
    assert export_story(again) == exported


def test_a_paragraph_that_is_just_a_name_stays_a_paragraph(tmp_path):
    seed(tmp_path, document("S.", "Anna Field", "She said:", "Boris Green", "Anna Field", "Earlier."))
    story = Story.objects.get()
    assert [update.authors.count() for update in story.updates.all()] == [1, 1]
    update = story.updates.get(body__startswith="She said")
    update.body += "\n\nAnna Field"  # a name alone, where the parser looks for bylines
    update.save()
    before = shape(story)

    again, exported = export_then_seed_afresh(tmp_path, story)

    assert shape(again) == before, exported
    assert again.updates.count() == 2
