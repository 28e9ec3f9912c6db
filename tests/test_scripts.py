"""Text in any script: slugs, addresses, feeds and sitemaps for names and titles beyond ASCII."""

import io
import re
import string
import unicodedata
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import pytest
from django.conf import settings as django_settings
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils.text import slugify as ascii_slugify
from hypothesis import given, settings
from hypothesis import strategies as st

from coverage import slugs
from coverage.models import Author, Comment, Image, Story, Update
from coverage.seed.export import export_story
from tests.factories import SCRIPTS_SEED, make_author, make_picture, make_story, make_update, make_user
from tests.htmlforms import form_data

pytestmark = pytest.mark.django_db

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

# --- helpers -------------------------------------------------------------------------


def sitemap_locations(client):
    """Every location the sitemap lists, through its index and each section page, in order."""
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    locations = []
    for section in ET.fromstring(index.content).iter(f"{SITEMAP_NS}loc"):
        parts = urlsplit(section.text)
        page = client.get(parts.path, QUERY_STRING=parts.query)
        assert page.status_code == 200, section.text
        locations += [loc.text for loc in ET.fromstring(page.content).iter(f"{SITEMAP_NS}loc")]
    return locations


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag in {"a", "link"} and href:
            self.hrefs.append(href)


def site_links(html):
    """The addresses of this site that ``html`` links to (not static files, not the page itself)."""
    parser = _Links()
    parser.feed(html)
    links = []
    for href in parser.hrefs:
        parts = urlsplit(href)
        site = {"", "testserver", urlsplit(django_settings.SITE_URL).netloc}
        if parts.netloc not in site or not parts.path or parts.path.startswith("/static/"):
            continue
        links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


def assert_percent_encoded_absolute(url):
    """``url`` is absolute and pure ASCII: letters of other scripts are percent-encoded."""
    parts = urlsplit(url)
    assert parts.scheme in {"http", "https"} and parts.netloc, url
    assert url.isascii() and " " not in url, url


def assert_links_resolve(client, html):
    """Every link of the site in ``html`` answers 200 (a redirect is followed, once)."""
    links = site_links(html)
    assert links
    for link in dict.fromkeys(links):
        response = client.get(link, follow=True)
        assert response.status_code == 200, link
        assert len(response.redirect_chain) <= 1, link


def seed_text(tmp_path, text, name="doc.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("seed", str(path), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def document(*blocks, title, slug, lead):
    return "\n\n".join([title, slug, lead, *blocks]) + "\n"


# --- the slug rule -------------------------------------------------------------------

SCRIPT_SLUGS = [
    ("Kevin McCarthy", "kevin-mccarthy"),
    ("Live Updates: U.S. Negotiators", "live-updates-us-negotiators"),
    ("Иван Нечепуренко", "иван-нечепуренко"),
    ("Γιώργος Παπαδόπουλος", "γιώργος-παπαδόπουλος"),
    ("محمد عبد الله", "محمد-عبد-الله"),
    ("דוד כהן", "דוד-כהן"),
    ("王小明", "王小明"),
    ("山田 太郎", "山田-太郎"),
    ("José García", "josé-garcía"),
    ("Переговоры в Каире: день 3", "переговоры-в-каире-день-3"),
]


@pytest.mark.parametrize(("text", "slug"), SCRIPT_SLUGS)
def test_slugs_keep_the_letters_of_every_script(text, slug):
    assert slugs.slugify(text) == slug


@settings(deadline=None)
@given(st.text(alphabet=string.printable, max_size=60))
def test_ascii_text_gives_the_same_ascii_slug_as_before(text):
    assert slugs.slugify(text) == ascii_slugify(text)


def test_unique_slug_numbers_the_taken_and_stands_in_for_no_letters():
    make_author(name="Иван Петров")
    assert slugs.unique_slug(Author, "Иван Петров", fallback="author") == "иван-петров-2"
    make_author(name="Иван Петров ", slug="иван-петров-2")
    assert slugs.unique_slug(Author, "иван петров", fallback="author") == "иван-петров-3"
    assert slugs.unique_slug(Author, "!!!", fallback="author") == "author"
    long_name = "Ж" * 500
    slug = slugs.unique_slug(Author, long_name, fallback="author")
    assert len(slug) <= Author._meta.get_field("slug").max_length


def test_every_slug_route_reverses_and_resolves_unicode_slugs(client):
    author = make_author(name="Иван Нечепуренко")
    story = make_story(title="开罗会谈")
    update = make_update(story=story, authors=[author], body="Текст.")
    assert author.slug == "иван-нечепуренко" and story.slug == "开罗会谈"
    urls = [
        story.get_absolute_url(),
        update.get_absolute_url(),
        author.get_absolute_url(),
        reverse("coverage:story_feed", kwargs={"slug": story.slug}),
        reverse("coverage:story_changes", kwargs={"slug": story.slug}) + "?since=0",
    ]
    for url in urls:
        assert url.isascii(), url  # reverse() percent-encodes
        assert client.get(url).status_code == 200, unquote(url)
    assert client.get(unquote(author.get_absolute_url())).status_code == 200


# --- pages of a seeded story with bylines in other scripts -----------------------------


CYRILLIC_DOCUMENT = document(
    "Переговоры продолжаются. Главное за день.",
    "Иван Нечепуренко",
    "Делегации встретились в Каире.",
    "Γιώργος Παπαδόπουλος",
    "Οι συνομιλίες συνεχίζονται.",
    "Анна Смирнова",
    "Первое сообщение дня.",
    title="Переговоры в Каире: 开罗会谈",
    slug="Переговоры-в-Каире",
    lead="Анна Смирнова",
)


def test_story_with_a_cyrillic_byline_and_its_pages_answer_200(client, tmp_path):
    seed_text(tmp_path, CYRILLIC_DOCUMENT)
    story = Story.objects.get()
    assert story.slug == "переговоры-в-каире"
    assert set(Author.objects.values_list("slug", flat=True)) == {
        "иван-нечепуренко",
        "γιώργος-παπαδόπουλος",
        "анна-смирнова",
    }
    page = client.get(story.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('<article class="update') == 3
    assert_links_resolve(client, html)
    for update in story.updates.all():
        permalink = client.get(update.get_absolute_url())
        assert permalink.status_code == 200
        assert_links_resolve(client, permalink.content.decode())
    for author in Author.objects.all():
        author_page = client.get(author.get_absolute_url())
        assert author_page.status_code == 200
        assert author.name in author_page.content.decode()
    changes = client.get(reverse("coverage:story_changes", kwargs={"slug": story.slug}) + "?since=0")
    assert changes.status_code == 200
    assert len(changes.json()["updates"]) == 3


def test_source_slug_in_another_script_redirects_to_the_story(client, tmp_path):
    seed_text(tmp_path, CYRILLIC_DOCUMENT)
    story = Story.objects.get()
    assert story.source_slug == "Переговоры-в-Каире"
    for address in (
        "/live/Переговоры-в-Каире/",
        "/live/%D0%9F%D0%B5%D1%80%D0%B5%D0%B3%D0%BE%D0%B2%D0%BE%D1%80%D1%8B-%D0%B2-%D0%9A%D0%B0%D0%B8%D1%80%D0%B5/",
    ):
        response = client.get(address)
        assert response.status_code == 301
        assert response["Location"] == story.get_absolute_url()
        assert unquote(response["Location"]) == "/live/переговоры-в-каире/"


@pytest.mark.parametrize(
    ("source", "slug"),
    [
        ("Ειδήσεις-Σήμερα", "ειδήσεις-σήμερα"),
        ("أخبار:القاهرة", "أخبارالقاهرة"),
        ("北京-Live", "北京-live"),
        ("東京ライブ!", "東京ライブ"),
        ("חדשות.היום", "חדשותהיום"),
    ],
)
def test_source_slugs_in_every_script_redirect_to_the_story(client, tmp_path, source, slug):
    seed_text(
        tmp_path, document("Summary.", "Anna Field", "Text.", title="T", slug=source, lead="Anna Field")
    )
    story = Story.objects.get()
    assert (story.slug, story.source_slug) == (slug, source)
    response = client.get(f"/live/{source}/")
    assert response.status_code == 301
    assert response["Location"] == story.get_absolute_url()
    assert client.get(response["Location"]).status_code == 200


def test_source_slug_that_is_a_valid_unicode_slug_is_the_story_slug(client, tmp_path):
    seed_text(
        tmp_path,
        document("Summary.", "Анна Смирнова", "Текст.", title="T", slug="новости-дня", lead="Анна Смирнова"),
    )
    story = Story.objects.get()
    assert (story.slug, story.source_slug) == ("новости-дня", "новости-дня")
    assert client.get("/live/новости-дня/").status_code == 200


def test_feed_and_sitemap_are_valid_with_percent_encoded_addresses(client, tmp_path):
    seed_text(tmp_path, CYRILLIC_DOCUMENT)
    story = Story.objects.get()
    response = client.get(reverse("coverage:story_feed", kwargs={"slug": story.slug}))
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == story.title
    assert len(feed.entries) == 3
    links = [feed.feed.link] + [entry.link for entry in feed.entries]
    for link in links:
        assert_percent_encoded_absolute(link)
        assert client.get(urlsplit(link).path).status_code == 200, unquote(link)
    assert {entry.author for entry in feed.entries} == {
        "Иван Нечепуренко",
        "Γιώργος Παπαδόπουλος",
        "Анна Смирнова",
    }

    locations = sitemap_locations(client)
    assert len(locations) == 4  # the story and its three updates
    for location in locations:
        assert_percent_encoded_absolute(location)
        assert client.get(urlsplit(location).path).status_code == 200, unquote(location)
    assert unquote(locations[0]) == f"{django_settings.SITE_URL}/live/переговоры-в-каире/"


# --- the newsroom admin --------------------------------------------------------------


def test_admin_accepts_unicode_slugs_and_makes_them_when_left_empty(client):
    client.force_login(make_user(username="edith", role="Editors"))
    add_author = reverse("admin:coverage_author_add")
    data = form_data(
        client.get(add_author).content, "author_form", name="محمد عبد الله", slug="", _save="Save"
    )
    assert client.post(add_author, data).status_code == 302
    assert Author.objects.get(name="محمد عبد الله").slug == "محمد-عبد-الله"
    data = form_data(
        client.get(add_author).content, "author_form", name="王小明", slug="王小明", _save="Save"
    )
    assert client.post(add_author, data).status_code == 302
    assert Author.objects.get(name="王小明").slug == "王小明"

    add_story = reverse("admin:coverage_story_add")
    for title, slug, expected in [
        ("开罗会谈", "", "开罗会谈"),
        ("开罗会谈", "", "开罗会谈-2"),
        ("Переговоры", "переговоры-в-каире", "переговоры-в-каире"),
    ]:
        data = form_data(
            client.get(add_story).content, "story_form", title=title, slug=slug, status="live", _save="Save"
        )
        response = client.post(add_story, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert Story.objects.filter(slug=expected, title=title).exists()
        assert client.get(Story.objects.get(slug=expected).get_absolute_url()).status_code == 200
    assert Update.objects.count() == 0


def test_read_only_story_and_author_forms_open_without_a_slug_field(client):
    """A reporter may view, not change, stories and authors: their forms have no slug field."""
    client.force_login(make_user(username="remy", role="Reporters"))
    story = make_story(title="开罗会谈")
    author = make_author(name="محمد عبد الله")
    for obj in (story, author):
        response = client.get(reverse(f"admin:coverage_{obj._meta.model_name}_change", args=[obj.pk]))
        assert response.status_code == 200
        assert obj.slug in response.content.decode()


# --- right-to-left text keeps its direction -------------------------------------------


def _right_to_left(text):
    return any(unicodedata.bidirectional(char) in {"R", "AL"} for char in text)


class _TextElements(HTMLParser):
    """For each piece of text in <body>: the attributes of the element that holds it."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.texts, self.in_body = [], [], False
        self.auto = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.in_body = self.in_body or tag == "body"
        if attrs.get("dir") == "auto" and self.in_body:
            self.auto += 1
        if tag not in self.VOID:
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self.in_body and data.strip() and self.stack:
            self.texts.append((data.strip(), self.stack[-1]))


def right_to_left_elements(html):
    """``(text, tag, dir)`` for each element of <body> whose own text is Arabic or Hebrew."""
    parser = _TextElements()
    parser.feed(html)
    return [(text, tag, attrs.get("dir")) for text, (tag, attrs) in parser.texts if _right_to_left(text)]


@pytest.fixture
def arabic_story():
    """A story whose every user-written text is Arabic or Hebrew (one English paragraph)."""
    writer = make_author(name="محمد عبد الله", role="مراسل القاهرة", bio="يغطي الشرق الأوسط.")
    colleague = make_author(name="דוד כהן")
    story = make_story(
        title="محادثات القاهرة",
        lead_author=writer,
        summary="ملخص الأحداث.\n\nإليكم ما نعرفه:\n\n- البند الأول\n- البند الثاني",
    )
    Image.objects.create(
        story=story, file=ContentFile(make_picture(), "lead.jpg"), caption="صورة الغلاف", credit="צלם ראשי"
    )
    first = make_update(
        story=story,
        authors=[writer, colleague],
        headline="وصول الوفود",
        body="وصلت الوفود إلى القاهرة.\n\nAn English paragraph.",
        contributor_line="ساهم أحمد في إعداد التقرير.",
        key_event=True,
    )
    Image.objects.create(
        story=story,
        update=first,
        position=1,
        file=ContentFile(make_picture(), "update.jpg"),
        caption="الوفود في المطار",
        credit="وكالة الأنباء",
    )
    make_update(story=story, authors=[colleague], body="השיחות נמשכות.", key_event=True)
    Comment.objects.create(
        story=story, name="قارئ", email="reader@example.com", body="تعليق مفيد.", status="approved"
    )
    return story


def assert_every_right_to_left_element_is_auto(html, count):
    """Each element of right-to-left text takes its own direction: ``dir="auto"``, or for a list
    item the direction its first letters give, written out (``markup._list_direction``)."""
    elements = right_to_left_elements(html)
    assert [element for element in elements if element[2] != ("rtl" if element[1] == "li" else "auto")] == []
    assert len(elements) == count, elements


def test_right_to_left_text_keeps_its_direction_on_every_reader_page(client, arabic_story):
    story = arabic_story
    first = story.updates.get(headline="وصول الوفود")
    writer = Author.objects.get(name="محمد عبد الله")
    pages = {
        # title, lead byline, 2 summary paragraphs + 2 list items, lead caption + credit,
        # 2 key events, 2 author filter options; the first update: 2 bylines, headline,
        # Arabic paragraph, caption + credit, contributor line; the second:
        # byline, paragraph; the comment: name, text.
        story.get_absolute_url(): 23,
        # the story title (way back), then the update as above (its headline is the page's heading).
        first.get_absolute_url(): 8,
        # the name (heading, section heading), role, bio, the story's title, the update.
        writer.get_absolute_url(): 12,
        "/": 3,  # the story's title, its summary excerpt and its lead byline
        # the other update filtered out, the name in "Showing updates by …" added
        f"{story.get_absolute_url()}?author={writer.slug}": 22,
    }
    for url, count in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert_every_right_to_left_element_is_auto(response.content.decode(), count)

    Update.objects.filter(pk=first.pk).update(correction="תיקון: השעה שונתה.")
    corrections = [
        element
        for element in right_to_left_elements(client.get(first.get_absolute_url()).content.decode())
        if element[0] == "תיקון: השעה שונתה."
    ]
    assert corrections and all(direction == "auto" for _, _, direction in corrections)


def test_right_to_left_text_keeps_its_direction_in_live_updates_and_the_admin_preview(client, arabic_story):
    changes = client.get(
        reverse("coverage:story_changes", kwargs={"slug": arabic_story.slug}) + "?since=0"
    ).json()
    html = "<body>" + "".join(update["html"] for update in changes["updates"]) + "</body>"
    assert_every_right_to_left_element_is_auto(html, 7 + 2)

    client.force_login(make_user(username="edith", role="Editors"))
    preview = client.post(
        reverse("admin:coverage_update_preview"), {"text": "فقرة أولى.\n\n- بند\n- بند آخر\n\n> اقتباس"}
    )
    assert_every_right_to_left_element_is_auto(f"<body>{preview.json()['html']}</body>", 4)
    form = client.get(reverse("admin:coverage_update_change", args=[arabic_story.updates.first().pk]))
    for name in ("headline", "body", "correction", "contributor_line"):
        box = re.search(rf'<(?:textarea|input type="text") name="{name}"[^>]*>', form.content.decode())
        assert 'dir="auto"' in box.group(0), name


def test_readers_type_comments_in_their_own_direction(client, arabic_story):
    html = client.get(arabic_story.get_absolute_url()).content.decode()
    form = html[html.index('<form class="comment-form"') :]
    form = form[: form.index("</form>")]
    assert re.search(r'<input type="text" name="name"[^>]*dir="auto"', form)
    assert re.search(r'<textarea name="body"[^>]*dir="auto"', form)


# --- acceptance: a whole document in other scripts, through the seed command ------------


def test_a_document_in_cyrillic_arabic_and_chinese_loads_and_every_page_answers(client):
    """Issue 11, acceptance 1: its story page, every permalink, author page, feed, sitemap
    and changes.json answer 200 and validate (the Nu checker: tests/test_html.py)."""
    out = io.StringIO()
    call_command("seed", SCRIPTS_SEED, stdout=out)
    assert "added" in out.getvalue()
    story = Story.objects.get()
    assert story.title == "Переговоры в Каире: محادثات القاهرة · 开罗会谈"
    assert (story.slug, story.source_slug) == ("переговоры-в-каире", "Переговоры-В-Каире")
    assert story.lead_author.name == "ليلى حداد"
    assert story.updates.count() == 9
    assert Image.objects.count() == 3
    assert sorted(Author.objects.values_list("name", flat=True)) == sorted(
        [
            "ليلى حداد",
            "Иван Нечепуренко",
            "王小明",
            "محمد عبد الله",
            "דוד כהן",
            "山田太郎",
            "李华",
            "Γιώργος Παπαδόπουλος",
        ]
    )
    together = story.updates.get(body__startswith="两位记者")
    assert [author.name for author in together.byline_authors()] == ["王小明", "李华"]

    # The story page, and every page it links to.
    page = client.get(story.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('<article class="update') == 9
    assert_links_resolve(client, html)
    assert right_to_left_elements(html) and all(d == "auto" for _, _, d in right_to_left_elements(html))

    # Every permalink and every author page.
    for update in story.updates.all():
        response = client.get(update.get_absolute_url())
        assert response.status_code == 200, update.get_absolute_url()
        assert_links_resolve(client, response.content.decode())
    for author in Author.objects.all():
        response = client.get(author.get_absolute_url())
        assert response.status_code == 200, author.get_absolute_url()
        assert response.content.decode().count('<article class="update') == author.updates.count()

    # The old address in Cyrillic capitals redirects.
    moved = client.get("/live/Переговоры-В-Каире/")
    assert moved.status_code == 301 and moved["Location"] == story.get_absolute_url()

    # The feed: valid Atom, absolute percent-encoded links that answer.
    feed_response = client.get(reverse("coverage:story_feed", kwargs={"slug": story.slug}))
    assert feed_response.status_code == 200
    feed = feedparser.parse(feed_response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == story.title and len(feed.entries) == 9
    assert {entry.author for entry in feed.entries} >= {"王小明, 李华", "محمد عبد الله", "דוד כהן"}
    for link in [feed.feed.link, *(entry.link for entry in feed.entries)]:
        assert_percent_encoded_absolute(link)
        assert client.get(urlsplit(link).path).status_code == 200, unquote(link)

    # The sitemap: well-formed XML, the story and its nine updates.
    locations = sitemap_locations(client)
    assert len(locations) == 10
    for location in locations:
        assert_percent_encoded_absolute(location)
        assert client.get(urlsplit(location).path).status_code == 200, unquote(location)

    # changes.json: the cursor alone, then every update since the start.
    changes_url = reverse("coverage:story_changes", kwargs={"slug": story.slug})
    first = client.get(changes_url)
    assert first.status_code == 200 and first.json()["updates"] == []
    since = client.get(changes_url, {"since": 0})
    assert since.status_code == 200
    updates = since.json()["updates"]
    assert len(updates) == 9
    fragments = "<body>" + "".join(update["html"] for update in updates) + "</body>"
    assert all(direction == "auto" for _, _, direction in right_to_left_elements(fragments))

    # A reader comments in Arabic; approved, the comment shows on the story page.
    comment_url = reverse("coverage:story_comment", kwargs={"slug": story.slug})
    posted = client.post(
        comment_url, {"name": "قارئ", "email": "r@example.com", "body": "تعليق مفيد.", "website": ""}
    )
    assert posted.status_code == 302
    assert posted["Location"] == f"{story.get_absolute_url()}?comment=received#comments"
    editor = Client()
    editor.force_login(make_user(username="edith", role="Editors"))
    approved = editor.post(
        reverse("admin:coverage_comment_changelist"),
        {"action": "approve", ACTION_CHECKBOX_NAME: list(Comment.objects.values_list("pk", flat=True))},
    )
    assert approved.status_code == 302
    assert "تعليق مفيد." in client.get(story.get_absolute_url()).content.decode()

    # Exported, it is the document again (as diff -wB compares).
    exported = export_story(story)
    original = (Path(django_settings.BASE_DIR) / SCRIPTS_SEED).read_text(encoding="utf-8")
    assert _words(exported) == _words(original)


def _words(text):
    return ["".join(line.split()) for line in text.splitlines() if line.strip()]
