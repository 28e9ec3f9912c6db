"""The seed format read into plain data: no database, no command.

Plain pytest functions: ``coverage.seed.parse`` and ``coverage.seed.names``
need no database (pytest-django refuses any access without the ``django_db``
mark, so a parse that reached for one would fail here). Loading, the command
and export are in ``tests/test_seed.py``; bylines in other scripts in
``tests/test_seed_scripts.py``.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from coverage import markup
from coverage.models import Author, Image, Story, Update
from coverage.seed import names
from coverage.seed import parse as parsing
from coverage.seed.parse import SeedError
from coverage.seed.parse import parse as parse_text
from tests.factories import SCRIPTS_SEED, SHIPPED_SEED


def document(*blocks, title="A Test Story", slug="a-test-story", lead="Lead Writer"):
    """A seed document: the header, then ``blocks`` separated by blank lines."""
    return "\n\n".join([title, slug, lead, *blocks]) + "\n"


def parse(*blocks, **header):
    return parse_text(document(*blocks, **header), "test.txt")


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


TWICE_OVER = document("S.", "Anna FieldAnna Field", "Twice over.", "Anna Field", "Once.")


def test_a_name_run_together_with_itself_is_one_author():
    assert parse_text(TWICE_OVER, "twice.txt").updates[0].authors == ["Anna Field"]


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
    doc = parse_text(text.encode("utf-8"), "crlf.txt")
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
    with pytest.raises(SeedError) as caught:
        parse_text(text, "bad.txt")
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
    with pytest.raises(SeedError) as caught:
        parse_text(text, "long.txt")
    assert str(caught.value).startswith(f"long.txt:{line}: ")
    assert reason in str(caught.value)


LONG_HEADING = "Word " * 61  # 305 characters, no closing punctuation
LONG_NAME = " ".join(["Bartholomew" + "x" * 10] * 10)  # name-like, 219 characters
LONG_CONTRIBUTOR = "Marc Santora contributed reporting from " + "Kyiv, " * 80 + "Ukraine."
LONG_CAPTION = "A caption that goes on. " * 30
LONG_LINES = document(
    "S.",
    "Anna Field",
    LONG_HEADING,
    "Body.",
    LONG_NAME,
    "Image",
    LONG_CAPTION + "Credit…Agency",
    "More.",
    LONG_CONTRIBUTOR,
)


def test_lines_too_long_for_a_headline_name_or_contributor_line_are_paragraphs():
    update = parse_text(LONG_LINES, "long.txt").updates[0]
    assert update.authors == ["Anna Field"] and update.headline == ""
    assert [markup.unescape(block) for block in update.text.blocks] == [
        LONG_HEADING.strip(),
        "Body.",
        LONG_NAME,
        "More.",
        LONG_CONTRIBUTOR,
    ]
    assert [image.caption for image in update.text.images] == [LONG_CAPTION.strip()]


# --- fences ------------------------------------------------------------------

FENCED = """Fences

fences

Lead Writer

S.

Anna Field

```headline
Is it over?
```

````markdown
**Bold**, then code:

```
Lead Writer
```
````

Plain paragraph.

```contributor
Reporting by the desk
```

Anna Field

```markdown
Lead Writer
```

Earlier.
"""


def test_fenced_text_in_a_document_is_kept_as_written():
    first, second = parse_text(FENCED, "fences.txt").updates
    assert (first.headline, first.contributor_line) == ("Is it over?", "Reporting by the desk")
    assert first.text.blocks == ["**Bold**, then code:", "```\nLead Writer\n```", "Plain paragraph."]
    assert (second.authors, second.headline, second.text.blocks) == (
        ["Anna Field"],
        "",
        ["Lead Writer", "Earlier."],
    )


def test_an_unclosed_fence_is_refused_with_its_line():
    with pytest.raises(SeedError, match=r"^fences\.txt:31: “```markdown” has no closing “```” line"):
        parse_text(FENCED.replace("Lead Writer\n```\n\nEarlier.", "Lead Writer"), "fences.txt")


# --- whole documents, without a database -------------------------------------------


def test_the_shipped_seed_parses_into_its_story():
    doc = parsing.parse_file(Path(settings.BASE_DIR) / SHIPPED_SEED)
    assert (doc.title, doc.source_slug, doc.slug, doc.lead_author) == (
        "Live Updates: U.S. Negotiators Head to Moscow to Discuss Ukraine",
        "live-updates:-us.-negotiators-head-to-moscow-to-discuss-ukraine",
        "live-updates-us-negotiators-head-to-moscow-to-discuss-ukraine",
        "Anton Troianovski",
    )
    assert [update.authors for update in doc.updates] == [
        ["Ivan Nechepurenko"],
        ["Ivan Nechepurenko"],
        ["Maria Varenikova"],
        ["Maria Varenikova"],
        ["Anton Troianovski"],
        ["Paul Sonne"],
        ["Edward Wong"],
        ["Anton Troianovski", "Nataliya Vasilyeva"],  # the oldest: two names run together
    ]
    assert len(doc.author_names()) == 6
    pictures = [image for update in doc.updates for image in update.text.images]
    assert len(pictures) == 6 and all(image.caption and image.credit for image in pictures)
    assert {"Ben Curtis/Associated Press", "Vladimir Novikov/Sputnik"} <= {image.credit for image in pictures}
    assert doc.updates[-1].contributor_line == "Ivan Nechepurenko contributed reporting."
    assert "Santora" not in " ".join(doc.author_names())
    assert "Here’s what else to know:" in doc.summary.markdown
    assert doc.summary.markdown.count("\n- ") == 3
    assert doc.comments_open


def test_the_document_in_other_scripts_parses_into_its_story():
    doc = parsing.parse_file(Path(settings.BASE_DIR) / SCRIPTS_SEED)
    assert (doc.slug, doc.source_slug, doc.lead_author) == (
        "переговоры-в-каире",
        "Переговоры-В-Каире",
        "ليلى حداد",
    )
    assert [update.authors for update in doc.updates] == [
        ["Иван Нечепуренко"],
        ["王小明"],
        ["محمد عبد الله"],
        ["דוד כהן"],
        ["山田太郎"],
        ["王小明", "李华"],
        ["李华"],
        ["Γιώργος Παπαδόπουλος"],
        ["ليلى حداد"],
    ]
    assert [(image.credit, image.position) for image in doc.summary.images] == [("新华社记者 王小明", 2)]
    assert [image.credit for update in doc.updates for image in update.text.images] == [
        "路透社",
        "Анна Смирнова",
    ]


NO_DJANGO = """
import sys
from coverage.seed import parse
for path in sys.argv[1:]:
    document = parse.parse_file(path)
    print(len(document.updates), len(document.author_names()))
loaded = sorted(name for name in sys.modules if name.startswith(("coverage.", "django.db", "django.conf")))
print(" ".join(loaded))
"""


def test_the_parser_runs_without_django_settings_models_or_a_database():
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    paths = [str(Path(settings.BASE_DIR) / path) for path in (SHIPPED_SEED, SCRIPTS_SEED)]
    run = subprocess.run(
        [sys.executable, "-c", NO_DJANGO, *paths],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    counts, shipped, modules = (
        run.stdout.splitlines()[0],
        run.stdout.splitlines()[1],
        run.stdout.splitlines()[2],
    )
    assert (counts, shipped) == ("8 6", "9 8")
    assert modules.split() == [
        "coverage.embeds",
        "coverage.embeds.embed",
        "coverage.embeds.facades",
        "coverage.embeds.providers",
        "coverage.markup",
        "coverage.seed",
        "coverage.seed.document",
        "coverage.seed.names",
        "coverage.seed.parse",
        "coverage.slugs",
    ]


@pytest.mark.parametrize(
    ("length", "model", "field"),
    [
        (parsing.TITLE_LENGTH, Story, "title"),
        (parsing.SLUG_LENGTH, Story, "slug"),
        (parsing.SOURCE_SLUG_LENGTH, Story, "source_slug"),
        (parsing.HEADLINE_LENGTH, Update, "headline"),
        (parsing.CONTRIBUTOR_LENGTH, Update, "contributor_line"),
        (parsing.CREDIT_LENGTH, Image, "credit"),
        (names.NAME_LENGTH, Author, "name"),
    ],
)
def test_the_parser_refuses_what_the_columns_would_refuse(length, model, field):
    """The parser knows the columns' widths as constants; they must be the models' own."""
    assert length == model._meta.get_field(field).max_length
