"""The seed format, the seed command and story export."""

import io
import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from PIL import Image as PILImage

from coverage import images, markup
from coverage.models import Author, Image, Story, Update
from coverage.seed import load
from coverage.seed.export import export_story
from tests.factories import SHIPPED_SEED, SHIPPED_SLUG
from tests.test_seed_parse import (
    LONG_CAPTION,
    LONG_CONTRIBUTOR,
    LONG_HEADING,
    LONG_LINES,
    LONG_NAME,
    TWICE_OVER,
    document,
)

pytestmark = pytest.mark.django_db

SEED_PATH = Path(settings.BASE_DIR) / SHIPPED_SEED
NEWEST = datetime(2025, 3, 13, 16, 0, tzinfo=UTC)


def seed(tmp_path, text, name="doc.txt", **options):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("seed", str(path), stdout=out, stderr=err, **options)
    return out.getvalue()


def snapshot():
    """Everything seeding may touch, to prove a refused document changed nothing."""
    return (
        list(Story.objects.values_list("pk", "title", "summary", "version")),
        list(Update.objects.values_list("pk", "body", "status", "published_at", "edited_at", "version")),
        list(Author.objects.values_list("pk", "name")),
        list(Image.objects.values_list("pk", "caption", "file")),
    )


# --- the shipped seed ------------------------------------------------------


def test_shipped_seed_counts():
    call_command("seed", str(SEED_PATH), stdout=io.StringIO())
    assert Story.objects.count() == 1
    story = Story.objects.get()
    assert story.slug == SHIPPED_SLUG
    assert story.source_slug == "live-updates:-us.-negotiators-head-to-moscow-to-discuss-ukraine"
    assert story.lead_author.name == "Anton Troianovski"
    assert story.updates.count() == 8
    assert Author.objects.count() == 6
    assert Image.objects.count() == 6


def test_shipped_seed_run_together_byline_is_two_authors_in_order():
    call_command("seed", str(SEED_PATH), stdout=io.StringIO())
    oldest = Update.objects.order_by("published_at").first()
    assert [a.name for a in oldest.byline_authors()] == ["Anton Troianovski", "Nataliya Vasilyeva"]
    assert oldest.contributor_line == "Ivan Nechepurenko contributed reporting."
    assert not Author.objects.filter(name__icontains="Santora").exists()


def test_shipped_seed_images_are_readable_with_caption_and_credit():
    call_command("seed", str(SEED_PATH), stdout=io.StringIO())
    for image in Image.objects.all():
        assert image.caption and image.credit
        with default_storage.open(image.file.name) as handle, PILImage.open(handle) as picture:
            picture.verify()
            assert picture.size == (image.width, image.height)
            assert image.width * 9 == image.height * 16
        for rendition in image.renditions:
            assert default_storage.exists(rendition["name"])
    credits = set(Image.objects.values_list("credit", flat=True))
    assert "Ben Curtis/Associated Press" in credits
    assert "Vladimir Novikov/Sputnik" in credits


def test_summary_keeps_the_what_else_to_know_list():
    call_command("seed", str(SEED_PATH), stdout=io.StringIO())
    story = Story.objects.get()
    assert "Here’s what else to know:" in story.summary
    assert story.summary.count("\n- ") == 3
    assert "Fighting in Kursk:" in story.summary


def test_seed_twice_changes_nothing():
    call_command("seed", str(SEED_PATH), stdout=io.StringIO())
    before = snapshot()
    out = io.StringIO()
    call_command("seed", str(SEED_PATH), stdout=out)
    assert snapshot() == before
    assert "up to date" in out.getvalue()


def test_export_reproduces_the_shipped_seed():
    call_command("seed", str(SEED_PATH), stdout=io.StringIO())
    exported = export_story(Story.objects.get())
    assert _words(exported) == _words(SEED_PATH.read_text(encoding="utf-8"))


def test_export_command_writes_to_a_file(tmp_path):
    call_command("seed", str(SEED_PATH), stdout=io.StringIO())
    target = tmp_path / "out.txt"
    call_command("export_story", SHIPPED_SLUG, output=target, stderr=io.StringIO())
    assert _words(target.read_text(encoding="utf-8")) == _words(SEED_PATH.read_text(encoding="utf-8"))


def test_export_of_unknown_story_fails():
    with pytest.raises(CommandError, match="no story"):
        call_command("export_story", "nope")


def _words(text):
    """Text compared as ``diff -wB`` does: blank lines and all white space ignored."""
    return ["".join(line.split()) for line in text.splitlines() if line.strip()]


# --- rules of the format, end to end (the parser alone: tests/test_seed_parse.py) ----


def test_a_name_run_together_with_itself_loads_as_one_author(tmp_path):
    seed(tmp_path, TWICE_OVER)
    assert [author.name for author in Update.objects.get(body="Twice over.").byline_authors()] == [
        "Anna Field"
    ]


def test_a_caption_too_long_for_the_alt_text_is_cut_to_fit(tmp_path):
    seed(tmp_path, LONG_LINES)
    image = Image.objects.get()
    assert image.caption == LONG_CAPTION.strip()
    assert len(image.alt_text) == Image._meta.get_field("alt_text").max_length
    assert image.alt_text.endswith("…")
    update = Update.objects.get()
    assert [markup.unescape(block) for block in update.body.split("\n\n")] == [
        LONG_HEADING.strip(),
        "Body.",
        LONG_NAME,
        "More.",
        LONG_CONTRIBUTOR,
    ]
    assert (update.headline, update.contributor_line) == ("", "")


# --- loading -----------------------------------------------------------------


def test_published_times_follow_document_order(tmp_path):
    seed(tmp_path, document("S.", "Anna Field", "Third.", "Anna Field", "Second.", "Anna Field", "First."),
         newest_at=NEWEST, interval=10)  # fmt: skip
    updates = list(Update.objects.published().order_by("-published_at"))
    assert [u.body for u in updates] == ["Third.", "Second.", "First."]
    assert [u.published_at for u in updates] == [
        NEWEST,
        NEWEST - timedelta(minutes=10),
        NEWEST - timedelta(minutes=20),
    ]


def test_resync_adds_edits_and_unpublishes(tmp_path):
    original = document("S.", "Anna Field", "Three.", "Anna Field", "Two.", "Anna Field", "One.")
    seed(tmp_path, original, newest_at=NEWEST)
    by_body = {u.body: u for u in Update.objects.all()}

    grown = document("S.", "Boris Green", "Four.", "Anna Field", "Three.", "Anna Field", "Two, corrected.",
                     "Anna Field", "One.")  # fmt: skip
    out = seed(tmp_path, grown, newest_at=NEWEST)
    assert "1 added, 1 edited, 0 unpublished, 2 unchanged" in out
    two = Update.objects.get(pk=by_body["Two."].pk)
    assert two.body == "Two, corrected."
    assert two.edited_at is not None
    assert two.published_at == by_body["Two."].published_at
    # Loaded again with the same --newest-at, the new update can only be later than "Three." by
    # being in the future (it used to be, by a minute): it shares the newest time and still comes
    # first, as in the document.
    four = Update.objects.get(body="Four.")
    assert four.published_at == Update.objects.get(body="Three.").published_at
    assert [update.body for update in Update.objects.published()][:2] == ["Four.", "Three."]

    shrunk = document("S.", "Anna Field", "Two, corrected.", "Anna Field", "One.")
    out = seed(tmp_path, shrunk, newest_at=NEWEST)
    assert "0 added, 0 edited, 2 unpublished" in out
    visible = set(Update.objects.published().values_list("body", flat=True))
    assert visible == {"Two, corrected.", "One."}


def test_malformed_change_leaves_database_exactly_as_it_was(tmp_path):
    seed(tmp_path, document("S.", "Anna Field", "Two.", "Anna Field", "One."))
    before = snapshot()
    broken = document(
        "New summary.", "Anna Field", "Three.", "Anna Field", "Two.", "Anna Field", "One.", "Image"
    )
    with pytest.raises(CommandError, match="1 of 1 documents refused"):
        seed(tmp_path, broken)
    assert snapshot() == before


def test_database_failing_mid_load_is_a_clear_error_and_saves_nothing(tmp_path, monkeypatch):
    from django.db import OperationalError

    seed(tmp_path, document("S.", "Anna Field", "Two.", "Anna Field", "One."))
    before = snapshot()

    def connection_lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly\n\tThis probably means…")

    monkeypatch.setattr(load._Loader, "create_updates", connection_lost)
    grown = document("New summary.", "Anna Field", "Three.", "Anna Field", "Two.", "Anna Field", "One.")
    with pytest.raises(CommandError) as caught:
        seed(tmp_path, grown)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'doc.txt'}: the database failed while loading")
    assert "server closed the connection unexpectedly)" in message and "nothing was saved" in message
    assert snapshot() == before


def test_other_files_still_load_unless_strict(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(document("S.", "Anna Field", "Body.", slug="good-story"), encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text(document("S.", "Anna Field", "Body.", "Image", slug="bad-story"), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("seed", str(bad), str(good), stdout=io.StringIO(), stderr=err)
    assert f"{bad}:" in err.getvalue()
    assert list(Story.objects.values_list("slug", flat=True)) == ["good-story"]

    Story.objects.all().delete()
    with pytest.raises(CommandError, match="strict"):
        call_command("seed", str(good), str(bad), strict=True, stdout=io.StringIO(), stderr=io.StringIO())
    assert not Story.objects.exists()


def test_dry_run_reports_and_changes_nothing(tmp_path):
    out = seed(tmp_path, document("S.", "Anna Field", "Image", "Pic.Credit…Agency", "Body."), dry_run=True)
    assert "would change" in out and "1 added" in out
    assert not Story.objects.exists() and not Author.objects.exists()
    assert not (Path(settings.MEDIA_ROOT) / "placeholders").exists()


def test_placeholders_are_deterministic():
    assert images.placeholder("abc") == images.placeholder("abc")
    assert images.placeholder("abc") != images.placeholder("abd")


def test_placeholder_renditions_have_their_listed_size_and_type(tmp_path):
    seed(tmp_path, document("S.", "Anna Field", "Image", "Pic.Credit…Agency", "Body."))
    image = Image.objects.get()
    assert sorted((item["width"], item["type"]) for item in image.renditions) == [
        (width, mime) for width in (480, 960, 1600) for mime in ("image/jpeg", "image/webp")
    ]
    formats = {"image/jpeg": "JPEG", "image/webp": "WEBP"}
    for item in image.renditions:
        with default_storage.open(item["name"]) as handle, PILImage.open(handle) as picture:
            assert picture.size == (item["width"], item["height"])
            assert picture.format == formats[item["type"]]


def test_placeholders_differ_within_a_document_until_the_variants_run_out():
    keys = [f"Caption {number}\nCredit" for number in range(images.PLACEHOLDER_VARIANTS + 5)]
    names = images.placeholder_names(keys)
    first_round = [names[key] for key in keys[: images.PLACEHOLDER_VARIANTS]]
    assert len(set(first_round)) == images.PLACEHOLDER_VARIANTS
    assert len({names[key] for key in keys}) == images.PLACEHOLDER_VARIANTS
    assert images.placeholder_names(keys) == names  # deterministic
    assert images.placeholder_names(keys[:1]) == {keys[0]: names[keys[0]]}  # a picture's own variant
    assert images.placeholder_names([keys[0], keys[0]]) == {keys[0]: names[keys[0]]}  # one file per picture


def picture_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_a_document_of_many_pictures_draws_each_variant_once(tmp_path):
    count = images.PLACEHOLDER_VARIANTS * 2 + 3
    blocks = [
        block
        for number in range(count)
        for block in ("Anna Field", f"Update {number}.", "Image", f"Scene {number}.Credit…Agency")
    ]
    seed(tmp_path, document("S.", *blocks))
    pictures = list(Image.objects.order_by("update__source_position"))
    assert len(pictures) == count
    files = picture_files()
    assert len([name for name in files if name.startswith("placeholders/")]) == images.PLACEHOLDER_VARIANTS
    assert len(files) == images.PLACEHOLDER_VARIANTS * 7  # each: itself, 3 widths × JPEG and WebP
    for picture in pictures:
        assert picture.file.name in files
        assert {item["name"] for item in picture.renditions} <= set(files)
    # Neighbours in a document never share a drawing while variants last.
    for first, second in itertools.pairwise(pictures):
        assert first.file.name != second.file.name

    # Another document's pictures reuse the drawings: nothing is drawn again.
    other = document("T.", "Anna Field", "Body.", "Image", "Other.Credit…X", slug="other")
    seed(tmp_path, other, name="b.txt")
    assert picture_files() == files


def test_a_failed_load_removes_the_placeholders_it_drew(tmp_path, monkeypatch):
    stored = []
    store = images.store

    def disk_fills_up(name, content, **kwargs):
        if len(stored) == 3:
            raise OSError(28, "No space left on device")
        stored.append(store(name, content, **kwargs))
        return stored[-1]

    monkeypatch.setattr(images, "store", disk_fills_up)
    with pytest.raises(CommandError, match="No space left on device"):
        seed(tmp_path, document("S.", "Anna Field", "Body.", "Image", "Pic.Credit…Agency"))
    assert len(stored) == 3 and not Image.objects.exists() and not Story.objects.exists()
    assert picture_files() == []


def test_new_updates_load_with_a_fixed_number_of_queries(tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_to_seed(count, slug):
        blocks = [block for number in range(count) for block in ("Anna Field", f"Update {number}.")]
        with CaptureQueriesContext(connection) as queries:
            seed(tmp_path, document("S.", *blocks, slug=slug), name=f"{slug}.txt")
        return len(queries)

    queries_to_seed(1, "first")  # creates the author
    # Fixed per INSERT batch, not per update: SQLite takes 999 parameters per statement,
    # so 60 updates of 17 columns are two INSERTs there.
    columns = [field for field in Update._meta.concrete_fields if not field.primary_key]
    inserts = -(-60 // connection.ops.bulk_batch_size(columns, range(60)))
    assert queries_to_seed(5, "five") == queries_to_seed(60, "sixty") - (inserts - 1)
    assert Update.objects.filter(story__slug="sixty").count() == 60
    oldest_first = Update.objects.filter(story__slug="sixty").order_by("pk")
    assert [update.body for update in oldest_first[:2]] == ["Update 59.", "Update 58."]
    assert all(update.byline_authors()[0].name == "Anna Field" for update in oldest_first)


def test_reseeding_new_updates_refreshes_cached_pages(client, settings, tmp_path):
    settings.LIVEBLOG_PAGE_CACHE_SECONDS = 60
    seed(tmp_path, document("S.", "Anna Field", "One."), newest_at=NEWEST - timedelta(hours=1))
    url = Story.objects.get().get_absolute_url()
    assert "One." in client.get(url).content.decode()
    grown = document("S.", "Anna Field", "Two, from the top.", "Anna Field", "One.")
    seed(tmp_path, grown, newest_at=NEWEST)
    assert "Two, from the top." in client.get(url).content.decode()


def test_export_round_trips_every_rule(tmp_path):
    text = document(
        "Summary line without a full stop",
        "Image",
        "Lead.Credit…Agency",
        "Here’s what else to know:",
        "  • One: a.",
        "  • Two: b.",
        "Kevin McCarthyRon DeSantis",
        "A headline with no full stop",
        "# paragraph with a hash",
        "Image",
        "Between.Credit…Photographer/Agency",
        "1. numbered-looking paragraph",
        "Somebody Else contributed reporting.",
        "Anna Field",
        "#TBT",
        "Leave a Reply",
        "Your email address will not be published. Required fields are marked *",
    )
    seed(tmp_path, text)
    assert _words(export_story(Story.objects.get())) == _words(text)
