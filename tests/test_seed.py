"""The seed format, the seed command and story export."""

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from PIL import Image as PILImage

from coverage import seeding
from coverage.exporting import export_story
from coverage.models import Author, Image, Story, Update
from tests.factories import SHIPPED_SEED, SHIPPED_SLUG

pytestmark = pytest.mark.django_db

SEED_PATH = Path(settings.BASE_DIR) / SHIPPED_SEED
NEWEST = datetime(2025, 3, 13, 16, 0, tzinfo=UTC)


def document(*blocks, title="A Test Story", slug="a-test-story", lead="Lead Writer"):
    """A seed document: the header, then ``blocks`` separated by blank lines."""
    return "\n\n".join([title, slug, lead, *blocks]) + "\n"


def parse(*blocks, **header):
    return seeding.parse(document(*blocks, **header), "test.txt")


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


# --- rules of the format ---------------------------------------------------


def test_header_lines():
    doc = parse("Summary paragraph.", "Lead Writer", "Hello.", title="Big Title", slug="Big:-Title.")
    assert doc.title == "Big Title"
    assert doc.source_slug == "Big:-Title."
    assert doc.slug == "big-title"
    assert doc.lead_author == "Lead Writer"


def test_names_with_initials_hyphens_apostrophes_and_accents():
    names = [
        "J. K. Rowling",
        "Jean-Luc Godard",
        "Conor O’Neill",
        "Dara D'Angelo",
        "José Álvarez",
        "Łukasz Żak",
    ]
    blocks = []
    for name in names:
        blocks += [name, f"A report by {name}."]
    doc = parse("The summary.", *blocks)
    assert [update.authors for update in doc.updates] == [[name] for name in names]


def test_capitals_inside_a_name_do_not_split_it():
    doc = parse(
        "The summary.", "Kevin McCarthy", "First.", "Ron DeSantis", "Second.", "Douglas MacArthur", "Third."
    )
    assert [u.authors for u in doc.updates] == [["Kevin McCarthy"], ["Ron DeSantis"], ["Douglas MacArthur"]]


def test_run_together_bylines_of_two_and_three_names():
    doc = parse(
        "The summary.",
        "Kevin McCarthyRon DeSantis",
        "Two names, one with inner capitals each.",
        "Ann SmithBob JonesCarla Díaz",
        "Three names.",
        "Ann Smith",
        "Alone.",
    )
    assert doc.updates[0].authors == ["Kevin McCarthy", "Ron DeSantis"]
    assert doc.updates[1].authors == ["Ann Smith", "Bob Jones", "Carla Díaz"]


def test_a_name_run_together_with_itself_is_one_author(tmp_path):
    text = document("S.", "Anna FieldAnna Field", "Twice over.", "Anna Field", "Once.")
    assert seeding.parse(text, "twice.txt").updates[0].authors == ["Anna Field"]
    seed(tmp_path, text)
    assert [author.name for author in Update.objects.get(body="Twice over.").byline_authors()] == [
        "Anna Field"
    ]


def test_known_names_settle_a_run_together_byline():
    doc = parse("The summary.", "Mo FarahSam Lee", "Together.", "Sam Lee", "Alone.", lead="Mo Farah")
    assert doc.updates[0].authors == ["Mo Farah", "Sam Lee"]


def test_paragraph_starting_with_a_name_is_not_a_byline():
    doc = parse(
        "The summary.",
        "Anna Field",
        "Ilya Grashchenkov, a political analyst in Moscow, said the Kremlin could accept.",
        "Samuel Charap said it was not impossible.",
        "The Kremlin",
        "A short paragraph that follows a title-case line.",
    )
    assert len(doc.updates) == 1
    assert doc.updates[0].authors == ["Anna Field"]


def test_block_after_byline_is_never_a_second_byline():
    doc = parse("The summary.", "Anna Field", "Boris Green", "The body.")
    assert doc.updates[0].authors == ["Anna Field"]
    assert doc.updates[0].headline == "Boris Green"


def test_headline_needs_no_closing_punctuation_and_more_text():
    long_headline = (
        "Immigration minister suggests people with family visas won't be subject to new, higher threshold"
    )
    assert len(long_headline) > 90
    doc = parse(
        "The summary.",
        "Anna Field",
        long_headline + " when they renew",
        "Body paragraph.",
        "Anna Field",
        "#TBT",
        "Anna Field",
        "This is a sentence.",
        "And another.",
    )
    first, single, sentence = doc.updates
    assert first.headline == long_headline + " when they renew"
    assert len(first.headline) > 100
    assert single.headline == "" and single.text.blocks == ["\\#TBT"]
    assert sentence.headline == "" and len(sentence.text.blocks) == 2


def test_images_open_sit_between_or_make_up_an_update():
    doc = parse(
        "The summary.",
        "Image",
        "Lead picture.Credit…Agency One",
        "Anna Field",
        "Image",
        "Opening picture caption.Credit…Jane Doe/Agency",
        "First paragraph.",
        "Second paragraph.",
        "Image",
        "Middle picture.Credit…John Roe",
        "Third paragraph.",
        "Anna Field",
        "Image",
        "Only a picture.Credit…Pool",
    )
    assert [(i.caption, i.credit, i.position) for i in doc.summary.images] == [
        ("Lead picture.", "Agency One", 1)
    ]
    opening, whole = doc.updates
    assert [(i.caption, i.credit, i.position) for i in opening.text.images] == [
        ("Opening picture caption.", "Jane Doe/Agency", 0),
        ("Middle picture.", "John Roe", 2),
    ]
    assert len(opening.text.blocks) == 3
    assert whole.text.blocks == [] and whole.text.images[0].caption == "Only a picture."


def test_caption_without_credit():
    doc = parse("S.", "Anna Field", "Image", "Numbers for small boat returns since 2010", "Text.")
    assert (doc.updates[0].text.images[0].caption, doc.updates[0].text.images[0].credit) == (
        "Numbers for small boat returns since 2010",
        "",
    )


def test_bullets_in_summary_and_update_with_or_without_blank_lines():
    doc = parse(
        "The summary.",
        "Here’s what else to know:",
        "  • Point one: text.",
        "  • Point two: more text.",
        "Anna Field",
        "Afternoon summary",
        "  • Tight one\n  • Tight two\n  • Tight three",
    )
    assert doc.summary.blocks[2] == "- Point one: text.\n\n- Point two: more text."
    update = doc.updates[0]
    assert update.headline == "Afternoon summary"
    assert update.text.blocks == ["- Tight one\n- Tight two\n- Tight three"]


def test_markdown_characters_at_the_start_stay_paragraphs():
    doc = parse(
        "S.", "Anna Field", "Body.", "# not a heading", "- not a list", "1. not a list", "*stars* and _under_"
    )
    blocks = doc.updates[0].text.blocks
    story_text = "\n\n".join(blocks)
    from coverage import markup

    html = markup.render(story_text)
    assert "<h1" not in html and "<li" not in html and "<em" not in html
    assert '<p dir="auto"># not a heading</p>' in html
    assert '<p dir="auto">- not a list</p>' in html
    assert '<p dir="auto">1. not a list</p>' in html
    assert '<p dir="auto">*stars* and _under_</p>' in html
    assert [markup.unescape(block) for block in blocks[1:]] == [
        "# not a heading",
        "- not a list",
        "1. not a list",
        "*stars* and _under_",
    ]


def test_contributor_line_closes_an_update():
    doc = parse("S.", "Anna Field", "Body.", "Marc Santora contributed reporting from Kyiv, Ukraine.")
    update = doc.updates[0]
    assert update.contributor_line == "Marc Santora contributed reporting from Kyiv, Ukraine."
    assert update.text.blocks == ["Body."]


def test_comment_form_text_is_not_an_update():
    doc = parse(
        "S.",
        "Anna Field",
        "Body.",
        "Leave a Reply",
        "Your email address will not be published. Required fields are marked *",
    )
    assert len(doc.updates) == 1
    assert doc.updates[0].text.blocks == ["Body."]
    assert doc.comments_open


def test_crlf_and_byte_order_mark_are_accepted():
    text = "\ufeff" + document("S.", "Anna Field", "Body.").replace("\n", "\r\n")
    doc = seeding.parse(text.encode("utf-8"), "crlf.txt")
    assert doc.title == "A Test Story" and doc.updates[0].authors == ["Anna Field"]


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (document("S.", "Anna Field", "Body.", "Image"), 13, "no caption"),
        (document("S.", "Anna Field", "Image", "Image", "Caption."), 13, "another"),
        ("Title only\n", 1, "ends before the source slug"),
        ("Title\n\nnot a slug at all\n\nAuthor Name\n", 3, "slug"),
        ("Title\n\nslug\n\nthis is not a name.\n", 5, "lead author"),
        (b"Title\n\nslug\n\nAnna Field\n\n\xff\xfe bad\n", 7, "UTF-8"),
    ],
)
def test_malformed_documents_name_file_and_line(text, line, reason):
    with pytest.raises(seeding.SeedError) as caught:
        seeding.parse(text, "bad.txt")
    assert str(caught.value).startswith(f"bad.txt:{line}: ")
    assert reason in str(caught.value)


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (document("S.", title="T" * 301), 1, "the title is 301 characters long; at most 300 fit"),
        (document("S.", slug="s" * 201), 3, "the slug is 201 characters long; at most 200 fit"),
        (document("S.", "Anna Field", "Image", "Pic.Credit…" + "C" * 301), 13, "credit is 301 characters"),
    ],
)
def test_text_longer_than_its_column_is_refused_with_its_line(text, line, reason):
    with pytest.raises(seeding.SeedError) as caught:
        seeding.parse(text, "long.txt")
    assert str(caught.value).startswith(f"long.txt:{line}: ")
    assert reason in str(caught.value)


def test_lines_too_long_for_a_headline_name_or_contributor_line_are_paragraphs(tmp_path):
    long_heading = "Word " * 61  # 305 characters, no closing punctuation
    long_name = " ".join(["Bartholomew" + "x" * 10] * 10)  # name-like, 219 characters
    long_contributor = "Marc Santora contributed reporting from " + "Kyiv, " * 80 + "Ukraine."
    long_caption = "A caption that goes on. " * 30
    text = document(
        "S.",
        "Anna Field",
        long_heading,
        "Body.",
        long_name,
        "Image",
        long_caption + "Credit…Agency",
        "More.",
        long_contributor,
    )
    update = seeding.parse(text, "long.txt").updates[0]
    assert update.authors == ["Anna Field"] and update.headline == ""
    assert [seeding.markup.unescape(block) for block in update.text.blocks] == [
        long_heading.strip(),
        "Body.",
        long_name,
        "More.",
        long_contributor,
    ]
    seed(tmp_path, text)
    image = Image.objects.get()
    assert image.caption == long_caption.strip()
    assert len(image.alt_text) == Image._meta.get_field("alt_text").max_length
    assert image.alt_text.endswith("…")


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

    monkeypatch.setattr(seeding._Loader, "create_updates", connection_lost)
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
    assert seeding.image_tools.placeholder("abc") == seeding.image_tools.placeholder("abc")
    assert seeding.image_tools.placeholder("abc") != seeding.image_tools.placeholder("abd")


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
