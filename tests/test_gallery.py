"""Galleries: pictures in a row of an update, as the story page, the permalink, changes.json
and the seed format give them (the browser side: tests/test_gallery_browser.py)."""

import io
import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from coverage import images, markup, services
from coverage.models import Author, Image, Story, Update
from coverage.seed.export import export_story
from tests.factories import make_author, make_story, make_update
from tests.readers import elements, one
from tests.test_html import nu_errors

pytestmark = pytest.mark.django_db

# Four shapes, so that a gallery's height cannot follow any one of them.
SHAPES = [(1200, 800), (600, 900), (1000, 1000), (1280, 720)]
CAPTIONS = [
    "Crowds gather on Maidan Nezalezhnosti at dawn.",
    "مراسلون يصلون إلى المؤتمر الصحفي <b>&</b> ينتظرون",
    "记者在会场外等候。",
    "Вечер у Кремля: <script>alert(1)</script>",
]
CREDITS = ["Olena Petrova/Reuters", "سارة أحمد", "王小明/新华社", "Иван Нечепуренко"]
BEFORE, AFTER = "Before the pictures.", "After the pictures."


def add_picture(update, *, position, caption, credit="", size=(1200, 800)):
    """A picture uploaded into ``update`` the way the admin does it."""
    picture = ContentFile(images.placeholder(caption, size=size), name="photo.jpg")
    image = Image(story=update.story, update=update, file=picture, position=position, caption=caption)
    image.credit = credit
    return services.save_image(image=image)


def make_gallery_update(*, story, published_at=None, count=4, status=Update.Status.PUBLISHED):
    """An update whose body holds ``count`` pictures in a row between two paragraphs."""
    if status == Update.Status.PUBLISHED:
        published_at = published_at or timezone.now() - timedelta(minutes=1)
    update = make_update(
        story=story,
        body=f"{BEFORE}\n\n{AFTER}",
        status=status,
        published_at=published_at,
        authors=[Author.objects.filter(name="Photo Desk").first() or make_author(name="Photo Desk")],
    )
    for caption, credit, size in zip(CAPTIONS[:count], CREDITS[:count], SHAPES[:count], strict=True):
        add_picture(update, position=1, caption=caption, credit=credit, size=size)
    return update


def article_html(html, update):
    return re.search(rf'<article [^>]*id="{update.anchor}".*?</article>', html, re.S).group(0)


def body_html(html, update):
    article = article_html(html, update)
    return article[article.index('class="update-body"') : article.index('<footer class="update-actions"')]


def section_html(html):
    return html[html.index('<section class="gallery"') : html.index("</section>") + len("</section>")]


def reading_order(html):
    """The body's paragraphs, galleries and pictures in document order, as (tag, text)."""
    return [
        (element.tag, element.text)
        for element in elements(html)
        if element.tag in ("section", "figure") or (element.tag == "p" and not element.classes)
    ]


def figcaption_texts(html):
    return [element.text for element in elements(html, "figcaption")]


def shown_caption(index):
    return f"{CAPTIONS[index]} Credit: {CREDITS[index]}"


# --- grouping -------------------------------------------------------------------------


def test_pictures_in_a_row_group_and_single_pictures_stay_alone():
    first, second, third, fourth, alone, last = (
        Image(position=position, pk=pk) for pk, position in enumerate([0, 0, 0, 0, 1, 2], start=1)
    )
    parts = markup.galleries(markup.interleave("One.\n\nTwo.", [first, second, third, fourth, alone, last]))
    kinds = [(kind, item if kind != "block" else item.source) for kind, item in parts]
    assert kinds == [
        ("gallery", [first, second, third, fourth]),
        ("block", "One."),
        ("image", alone),
        ("block", "Two."),
        ("image", last),
    ]


def test_two_pictures_at_the_end_are_a_gallery():
    first, second = Image(position=5, pk=1), Image(position=5, pk=2)
    parts = markup.galleries(markup.interleave("Only.", [second, first]))
    assert [kind for kind, _ in parts] == ["block", "gallery"]
    assert parts[1][1] == [first, second]


# --- the story page ---------------------------------------------------------------------


@pytest.fixture
def story():
    return make_story(title="Kyiv in pictures")


def test_a_gallery_holds_four_figures_in_order_between_its_paragraphs(client, story):
    update = make_gallery_update(story=story)
    html = client.get(story.get_absolute_url()).content.decode()
    body = body_html(html, update)

    section = one(body, "section", cls="gallery")
    assert section.attrs["aria-label"] == "Gallery, 4 pictures"
    assert [tag for tag, _ in reading_order(body)] == ["p", "section", *["figure"] * 4, "p"]
    assert reading_order(body)[0] == ("p", BEFORE) and reading_order(body)[-1] == ("p", AFTER)
    gallery = section_html(body)
    assert figcaption_texts(gallery) == [shown_caption(index) for index in range(4)]
    assert len(elements(gallery, "figure", cls="gallery-slide")) == 4
    assert [img.attrs["alt"] for img in elements(gallery, "img")] == CAPTIONS
    assert [(img.attrs["width"], img.attrs["height"]) for img in elements(gallery, "img")] == [
        (str(width), str(height)) for width, height in SHAPES
    ]
    assert one(gallery, "p", cls="gallery-count").text == "1 of 4"
    assert one(gallery, "p", cls="gallery-count").attrs["aria-hidden"] == "true"
    status = one(gallery, "p", cls="gallery-status")  # where gallery.js announces the picture moved to
    assert (status.attrs["aria-live"], status.text) == ("polite", "")
    assert one(gallery, "button", cls="gallery-prev").text == "Previous picture"
    assert one(gallery, "button", cls="gallery-prev").attrs["aria-disabled"] == "true"
    assert one(gallery, "button", cls="gallery-next").text == "Next picture"
    zooms = elements(gallery, "button", cls="gallery-zoom")
    assert [zoom.text for zoom in zooms] == [f"View picture {n} of 4 full screen" for n in range(1, 5)]
    assert [zoom.attrs.get("tabindex") for zoom in zooms] == [None, "-1", "-1", "-1"]


def test_captions_in_any_script_are_escaped(client, story):
    update = make_gallery_update(story=story)
    html = client.get(story.get_absolute_url()).content.decode()
    gallery = section_html(body_html(html, update))
    assert "<script>alert(1)</script>" not in html
    assert "Вечер у Кремля: &lt;script&gt;alert(1)&lt;/script&gt;" in gallery
    assert "مراسلون يصلون إلى المؤتمر الصحفي &lt;b&gt;&amp;&lt;/b&gt; ينتظرون" in gallery
    assert "记者在会场外等候。" in gallery
    assert [element.text for element in elements(gallery, "span", cls="credit")] == [
        f"Credit: {credit}" for credit in CREDITS
    ]


def test_single_pictures_stay_plain_figures(client, story):
    update = make_update(story=story, body="One.\n\nTwo.")
    add_picture(update, position=0, caption="Alone at the top.")
    add_picture(update, position=1, caption="Alone in the middle.")
    html = client.get(story.get_absolute_url()).content.decode()
    body = body_html(html, update)
    assert reading_order(body) == [
        ("figure", "Alone at the top."),
        ("p", "One."),
        ("figure", "Alone in the middle."),
        ("p", "Two."),
    ]
    assert [figure.classes for figure in elements(body, "figure")] == [["figure"], ["figure"]]
    assert elements(body, "button") == []
    assert 'src="/static/coverage/gallery.js"' not in html


def test_first_picture_is_eager_only_in_the_first_update(client, story):
    older = make_gallery_update(story=story, published_at=timezone.now() - timedelta(hours=1))
    newest = make_gallery_update(story=story)
    html = client.get(story.get_absolute_url()).content.decode()
    loading = {
        update: [img.attrs.get("loading") for img in elements(body_html(html, update), "img")]
        for update in (newest, older)
    }
    assert loading[newest] == [None, "lazy", "lazy", "lazy"]
    assert loading[older] == ["lazy", "lazy", "lazy", "lazy"]


def test_pages_with_a_gallery_load_its_script_once(client, story):
    plain = make_story(title="Without pictures")
    make_update(story=plain, body="Words only.")
    update = make_gallery_update(story=story)
    script = '<script src="/static/coverage/gallery.js" defer></script>'
    for url in (story.get_absolute_url(), update.get_absolute_url(), "/authors/photo-desk/"):
        html = client.get(url).content.decode()
        assert html.count(script) == 1, url
        assert one(html, "section", cls="gallery").attrs["data-script"] == "/static/coverage/gallery.js"
    assert script not in client.get(plain.get_absolute_url()).content.decode()


def test_the_permalink_shows_the_gallery_with_the_first_picture_eager(client, story):
    update = make_gallery_update(story=story, published_at=timezone.now() - timedelta(hours=1))
    make_update(story=story, body="A newer update.")
    html = client.get(update.get_absolute_url()).content.decode()
    gallery = section_html(body_html(html, update))
    assert figcaption_texts(gallery) == [shown_caption(index) for index in range(4)]
    assert [img.attrs.get("loading") for img in elements(gallery, "img")] == [None, "lazy", "lazy", "lazy"]


def test_changes_json_carries_the_gallery_and_names_its_script(client, story):
    since = client.get(f"/live/{story.slug}/changes.json").json()["cursor"]
    update = make_gallery_update(story=story, published_at=timezone.now())
    data = client.get(f"/live/{story.slug}/changes.json", {"since": since}).json()
    (item,) = data["updates"]
    assert item["id"] == update.pk
    section = one(item["html"], "section", cls="gallery")
    assert section.attrs["data-script"] == "/static/coverage/gallery.js"
    assert figcaption_texts(section_html(item["html"])) == [shown_caption(index) for index in range(4)]


@pytest.mark.server
def test_gallery_pages_are_valid_html(client, story, tmp_path):
    update = make_gallery_update(story=story)
    pages = {"story": story.get_absolute_url(), "permalink": update.get_absolute_url()}
    assert nu_errors(client, pages, tmp_path) == []


# --- the seed format ------------------------------------------------------------------


def document(*blocks):
    return "\n\n".join(["Kyiv in pictures", "kyiv-in-pictures", "Anna Field", *blocks]) + "\n"


GALLERY_SEED = document(
    "The summary.",
    "Anna Field",
    "A day in the capital",
    BEFORE,
    *[line for pair in zip(CAPTIONS, CREDITS, strict=True) for line in ("Image", "Credit…".join(pair))],
    AFTER,
    "Anna Field",
    "Image",
    "A single picture.Credit…Staff",
    "One picture is not a gallery.",
)


def _words(text):
    """Text compared as ``diff -wB`` does: blank lines and all white space ignored."""
    return ["".join(line.split()) for line in text.splitlines() if line.strip()]


def seed(tmp_path, text):
    path = tmp_path / "gallery.txt"
    path.write_text(text, encoding="utf-8")
    call_command("seed", str(path), stdout=io.StringIO(), stderr=io.StringIO())


def test_images_in_a_row_in_a_seed_document_make_a_gallery_and_export_back(client, tmp_path):
    seed(tmp_path, GALLERY_SEED)
    story = Story.objects.get()
    newest, oldest = Update.objects.order_by("-published_at")
    assert [(image.caption, image.position) for image in newest.images.all()] == [
        (caption, 1) for caption in CAPTIONS
    ]
    html = client.get(story.get_absolute_url()).content.decode()
    newest_body = body_html(html, newest)
    assert [tag for tag, _ in reading_order(newest_body)] == ["p", "section", *["figure"] * 4, "p"]
    assert figcaption_texts(section_html(newest_body)) == [shown_caption(i) for i in range(4)]
    assert reading_order(body_html(html, oldest)) == [
        ("figure", "A single picture. Credit: Staff"),
        ("p", "One picture is not a gallery."),
    ]
    assert _words(export_story(story)) == _words(GALLERY_SEED)
