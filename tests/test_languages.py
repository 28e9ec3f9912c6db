"""Every language: a story's pages speak the story's language, the rest of the site the site's.

The message catalogues (locale/) are complete and compiled. A story written in Ukrainian,
Spanish or Arabic — its page, an update's page, what changed, its feed and its live texts —
and the home and author pages of a site in that language show no English string of ours:
every English piece of the catalogue that the translation does not keep is looked for in
what a reader gets (text, the labels screen readers hear, the scripts' words), along with
English month names and AM/PM.
"""

import functools
import gettext
import io
import json
import re
from datetime import timedelta
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as format_date

from coverage import services, times
from coverage.models import Comment, Story, Update
from tests.factories import make_user
from tests.readers import elements, one

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale"
SEEDS = Path(__file__).parent / "seeds" / "languages"
TRANSLATED = ["uk", "es", "ar"]
FORMS = {"uk": 4, "es": 3, "ar": 6}
# Cut out of an English string: placeholders, tags, and the punctuation and arrows around words.
NOT_WORDS = re.compile(r"%\(\w+\)s|\{\w+\}|<[^>]*>|[←→—·:;,.!?()“”*]|\s-\s")
ENGLISH_DATES = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.|Feb\.|Aug\.|Sept\.|Oct\.|Nov\.|Dec\.|AM|PM|a\.m\.|p\.m\.)(?!\w)"
)
# A word of each language's seed document that several updates use: the search page finds them.
SEARCHED = {"uk": "вода", "es": "fuego", "ar": "السلطات"}
SHARED_WORDS = {
    "description",
    "og:title",
    "og:description",
    "og:image:alt",
    "twitter:title",
    "twitter:description",
    "twitter:image:alt",
}
PLACEHOLDERS = re.compile(r"%\(\w+\)s|\{\w+\}|</?\w+[^>]*>")


def catalogue(language):
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def entries(language):
    return [entry for entry in catalogue(language) if not entry.obsolete]


def is_format(entry):
    """A date format's letters (msgctxt "… time format"), not words."""
    return (entry.msgctxt or "").endswith("time format")


@functools.cache
def english_pieces(language):
    """The English words of our strings that ``language``'s translations never use (Spanish
    writes "audio" and "web" too)."""
    translations = " ".join(
        " ".join([entry.msgstr, *entry.msgstr_plural.values()]) for entry in entries(language)
    )
    pieces = set()
    for entry in entries(language):
        if is_format(entry):
            continue
        for english in filter(None, [entry.msgid, entry.msgid_plural]):
            for piece in NOT_WORDS.split(english):
                piece = " ".join(piece.split())
                if re.search(r"[A-Za-z]{2}", piece) and not re.search(
                    r"(?<!\w)" + re.escape(piece) + r"(?!\w)", translations
                ):
                    pieces.add(piece)
    return pieces


def reader_text(html):
    """What a reader of ``html`` reads or hears: text, labels and the scripts' words."""
    html = html.decode() if isinstance(html, bytes) else html
    texts = []
    block = re.search(r'<script id="script-texts" type="application/json">(.*?)</script>', html, re.S)
    if block:
        words = json.loads(block.group(1))
        texts += [
            re.sub(r"%\(\w+\)s", " ", text)  # the placeholders' names are not words of the page
            for value in words.values()
            for text in (value.values() if isinstance(value, dict) else [value])
        ]
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    texts += [element.text for element in elements(html) if element.tag in {"title", "body"}]
    for element in elements(html):
        texts += [
            element.attrs[name]
            for name in ("alt", "title", "aria-label", "placeholder")
            if element.attrs.get(name)
        ]
        # The sharing tags' words (not their addresses: a URL is not a text of ours).
        if (
            element.tag == "meta"
            and (element.attrs.get("name") or element.attrs.get("property")) in SHARED_WORDS
        ):
            texts.append(element.attrs.get("content", ""))
    return "\n".join(texts)


def english_in(text, language):
    """Our English strings found in ``text`` (whole words), and English dates, each with the
    words around it (to find where it came from)."""
    text = re.sub(r"https?://\S+", " ", text)  # addresses (a feed's ids) are not words of ours
    found = []
    for piece in sorted(english_pieces(language)):
        for match in re.finditer(r"(?<![\w/-])" + re.escape(piece) + r"(?![\w/-])", text):  # not in a path
            found.append(f"{piece}: …{text[max(0, match.start() - 40) : match.end() + 20]}…")
    return found + ENGLISH_DATES.findall(text)


def seed_story(language):
    """The story of ``tests/seeds/languages/<language>.txt``, seeded in its language, with what a
    story page can show: a key event, a pinned update, an edit with a correction, a comment."""
    newest_at = (timezone.now() - timedelta(minutes=30)).isoformat()
    call_command(
        "seed",
        str(SEEDS / f"{language}.txt"),
        f"--newest-at={newest_at}",
        f"--language={language}",
        stdout=io.StringIO(),
    )
    story = Story.objects.get()
    updates = list(story.updates.order_by("published_at"))
    updates[0].key_event = True
    services.save_update(update=updates[0])
    updates[1].pinned = True
    services.save_update(update=updates[1])
    edited = updates[2]
    edited.body += "\n\n" + edited.body
    edited.correction = {
        "uk": "Виправлено назву мосту.",
        "es": "Se corrigió el nombre del pueblo.",
        "ar": "تم تصحيح اسم المطار.",
    }[language]
    services.save_update(update=edited, now=timezone.now() + timedelta(seconds=5))
    comment = Comment(
        story=story, name="Читач", email="reader@example.org", body="Дякую!", status=Comment.Status.APPROVED
    )
    services.create_comment(comment=comment)
    return story, Update.objects.get(pk=edited.pk)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_entry_is_translated_with_its_placeholders(language):
    problems = []
    for entry in entries(language):
        if "fuzzy" in entry.flags:
            problems.append(("fuzzy", entry.msgid))
        forms = (
            [entry.msgstr]
            if not entry.msgid_plural
            else [entry.msgstr_plural.get(n, "") for n in range(FORMS[language])]
        )
        if not all(forms):
            problems.append(("untranslated", entry.msgid))
        for english, translation_ in zip([entry.msgid] * len(forms), forms, strict=True):
            if not is_format(entry) and sorted(PLACEHOLDERS.findall(english)) != sorted(
                PLACEHOLDERS.findall(translation_)
            ):
                problems.append(("placeholders", english, translation_))
    assert problems == []
    assert f"nplurals={FORMS[language]};" in catalogue(language).metadata["Plural-Forms"]


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalogue_is_the_one_translated(language):
    """The committed .mo says what the .po says (``make messages`` compiles them)."""
    folder = LOCALE / language / "LC_MESSAGES"
    with open(folder / "django.mo", "rb") as compiled:
        machine = gettext.GNUTranslations(compiled)
    catalogue_ = machine._catalog  # what gettext reads: (msgid, form) for plurals, "context\x04msgid"
    differ = []
    for entry in entries(language):
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            said = {n: catalogue_.get((key, n)) for n in entry.msgstr_plural}
            if said != dict(entry.msgstr_plural):
                differ.append(entry.msgid)
        elif catalogue_.get(key) != entry.msgstr:
            differ.append(entry.msgid)
    assert differ == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_story_in_another_language_shows_no_english_of_ours(client, language):
    story, edited = seed_story(language)
    base = story.get_absolute_url()
    pages = {
        "story page": client.get(base),
        "oldest first": client.get(base + "?order=oldest"),
        "key events only": client.get(base + "?key=1"),
        "update page": client.get(edited.get_absolute_url()),
        "what changed": client.get(f"{base}updates/{edited.pk}/changes/"),
        "search": client.get(f"{base}search/", {"q": SEARCHED[language]}),
        "embed": client.get(f"{base}embed/"),
    }
    assert len(elements(pages["search"].content, "mark")) >= 1
    for name, response in pages.items():
        assert response.status_code == 200, name
        html = response.content.decode()
        assert re.search(rf'<html lang="{language}"( dir="rtl")?>', html).group(1) == (
            ' dir="rtl"' if language == "ar" else None
        ), name
        assert english_in(reader_text(html), language) == [], name
    structured = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', pages["story page"].content.decode(), re.S
    )
    assert json.loads(structured.group(1))["inLanguage"] == language
    feed = client.get(base + "feed/").content.decode()
    assert f'xml:lang="{language}"' in feed
    feed_text = re.sub(r"<[^>]+>", " ", re.sub(r"&lt;.*?&gt;", " ", feed))
    assert english_in(feed_text, language) == []
    since = int((timezone.now() - timedelta(hours=2)).timestamp())
    answer = client.get(f"{base}changes.json?since={since}").json()
    live_html = " ".join(item["html"] for item in answer["updates"]) + (answer["key_events"] or "")
    assert len(answer["updates"]) == 4
    assert english_in(reader_text(f"<body>{live_html}</body>"), language) == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_dates_read_in_the_story_language(client, language):
    story, edited = seed_story(language)
    html = client.get(edited.get_absolute_url()).content.decode()
    with translation.override(language):
        month = format_date(
            timezone.localtime(edited.published_at, times.zone_of(story)), "E" if language == "uk" else "F"
        )
    time = one(html, "p", cls="update-time").text
    assert month in time and re.search(r"\b\d{1,2}:\d{2}\b", time), time
    assert ENGLISH_DATES.findall(time) == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_site_pages_speak_the_site_language(client, settings, language):
    settings.LANGUAGE_CODE = language
    _story, edited = seed_story(language)
    author = edited.byline_authors()[0]
    for url in ["/", author.get_absolute_url(), "/live/no-such-story/"]:
        response = client.get(url)
        html = response.content.decode()
        assert f'<html lang="{language}"' in html, url
        assert english_in(reader_text(html), language) == [], url


def test_a_story_keeps_its_language_on_an_english_site(client):
    story, _edited = seed_story("ar")
    assert settings.LANGUAGE_CODE == "en"
    assert '<html lang="ar" dir="rtl">' in client.get(story.get_absolute_url()).content.decode()
    home = client.get("/").content.decode()
    assert '<html lang="en">' in home
    links = [link for link in elements(home, "a") if link.attrs.get("href") == story.get_absolute_url()]
    assert [(link.attrs.get("lang"), link.attrs.get("hreflang")) for link in links] == [("ar", "ar")]


def test_the_scripts_words_have_a_form_for_every_plural(client):
    """Arabic's six plural forms reach the page: each sample count has its own text."""
    story, _edited = seed_story("ar")
    html = client.get(story.get_absolute_url()).content.decode()
    words = json.loads(
        re.search(r'<script id="script-texts" type="application/json">(.*?)</script>', html, re.S).group(1)
    )
    with translation.override("ar"):
        expected = {
            str(n): translation.ngettext("%(count)s new update", "%(count)s new updates", n)
            for n in (0, 1, 2, 3, 11, 100)
        }
    assert {n: words["new_updates"][n] for n in expected} == expected
    assert len({expected[n] for n in ("1", "2", "3", "11")}) == 4  # singular, dual, 3–10, 11–99: each its own


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_admin_speaks_the_site_language(client, settings, language):
    """An editor's screens in a newsroom whose site language is ``language``: the story's form
    and its updates' list (Django's own words come from Django's catalogues)."""
    settings.LANGUAGE_CODE = language
    story, edited = seed_story(language)
    client.force_login(make_user(username="edith", role="Editors"))
    pages = [
        reverse("admin:coverage_story_change", args=[story.pk]),
        reverse("admin:coverage_update_changelist") + f"?story__id__exact={story.pk}",
        reverse("admin:coverage_update_change", args=[edited.pk]),
        reverse("admin:coverage_story_changelist"),
        reverse("admin:coverage_update_add") + f"?story={story.pk}",
        reverse("admin:coverage_author_changelist"),
        reverse("admin:coverage_author_change", args=[edited.byline_authors()[0].pk]),
        reverse("admin:coverage_comment_changelist"),
        # (Not the admin's index: Django 5.2's Ukrainian lacks its own new table headings.)
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        # Django 5.2's own search form writes its icon's alt in English, untranslated.
        html = response.content.decode().replace('<img src="/static/admin/img/search.svg" alt="Search">', "")
        assert f'<html lang="{language}"' in html, url
        found = english_in(reader_text(html), language)
        assert found == [], (url, *found)
