import io
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coverage import services
from coverage.models import Author, Story, Update
from tests.factories import SHIPPED_SEED, SHIPPED_SLUG, make_picture, make_story, make_update

pytestmark = pytest.mark.django_db


def main_of(response):
    """The page's <main> (the head repeats update text in its JSON-LD)."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


@pytest.fixture
def seeded():
    call_command("seed", SHIPPED_SEED, stdout=io.StringIO())
    return Story.objects.get()


def test_story_page_lists_updates_newest_first(client, seeded):
    response = client.get(f"/live/{SHIPPED_SLUG}/")
    assert response.status_code == 200
    html = main_of(response)
    ids = [int(pk) for pk in re.findall(r'<article class="update[^"]*" id="update-(\d+)"', html)]
    expected = list(seeded.updates.order_by("-published_at").values_list("pk", flat=True))
    assert ids == expected and len(ids) == 8
    assert html.index("The Kremlin’s foreign policy aide") < html.index("As recently as January, President")


def test_images_sit_between_the_right_paragraphs(client, seeded):
    html = main_of(client.get(f"/live/{SHIPPED_SLUG}/"))
    caption = "Ukrainian officials said on Tuesday that they had agreed"
    before = "They expressed a willingness under the right circumstances"
    after = "Mr. Rubio said one of his main goals at the Group of 7"
    assert html.index(before) < html.index(caption) < html.index(after)
    assert "Finbarr O’Reilly for The New York Times" in html
    opening = html.index("Steve Witkoff, President Trump’s Middle East envoy, has also been")
    assert opening < html.index("American and Russian officials are expected to meet in Moscow")
    assert html.count("<figure") == 6


def test_source_slug_redirects_permanently(client, seeded):
    response = client.get("/live/live-updates:-us.-negotiators-head-to-moscow-to-discuss-ukraine/")
    assert response.status_code == 301
    assert response["Location"] == f"/live/{SHIPPED_SLUG}/"


def test_home_lists_stories(client, seeded):
    response = client.get("/")
    assert response.status_code == 200
    assert "Live Updates: U.S. Negotiators Head to Moscow" in response.content.decode()


def test_drafts_are_invisible(client):
    story = make_story(title="Public story")
    make_update(story=story, body="Published words.")
    draft = make_update(story=story, body="Draft words.", status=Update.Status.DRAFT)
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Published words." in html and "Draft words." not in html
    assert client.get(f"/live/{story.slug}/updates/{draft.pk}/").status_code == 404
    hidden = make_story(title="Hidden story", status=Story.Status.DRAFT)
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert "Hidden story" not in client.get("/").content.decode()


def test_typed_text_cannot_run_script(client):
    story = make_story(title="<script>alert('title')</script>")
    make_update(story=story, headline="<img src=x onerror=alert(1)>", body="<script>alert(2)</script>")
    html = client.get(story.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html


def test_favicon_is_served_and_linked_from_every_page(client, seeded):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/x-icon"
    assert b"".join(icon.streaming_content if icon.streaming else [icon.content])[:4] == b"\0\0\1\0"
    assert "max-age=" in icon["Cache-Control"]
    for url in ["/", f"/live/{SHIPPED_SLUG}/", "/authors/anton-troianovski/", "/live/nothing-here/"]:
        html = client.get(url).content.decode()
        svg = re.search(r'<link rel="icon" href="([^"]+\.svg)" type="image/svg\+xml">', html)
        assert svg, url
        assert finders.find(svg.group(1).removeprefix(settings.STATIC_URL).lstrip("/"))
        assert '<link rel="icon" href="/favicon.ico" sizes="48x48">' in html


def give_photo(author):
    author.photo = ContentFile(make_picture(size=(300, 400)), name="portrait.jpg")
    return services.save_author(author=author)


def test_bylines_and_the_author_page_show_portraits_or_initials(client, seeded):
    """Small, lazy, with their size; initials on a colour for authors without a photo."""
    lead = give_photo(Author.objects.get(slug="anton-troianovski"))
    small, large = (default_storage.url(item["name"]) for item in lead.photo_renditions)
    portrait = (
        f'<img class="avatar avatar-{{}}" src="{small}" srcset="{large} 2x" width="{{}}" height="{{}}" alt=""'
    )
    update = seeded.updates.filter(authors=lead).first()
    pages = {
        "story": (f"/live/{SHIPPED_SLUG}/", 40),
        "permalink": (update.get_absolute_url(), 32),
        "author": (lead.get_absolute_url(), 96),
    }
    for name, (url, size) in pages.items():
        html = main_of(client.get(url))
        assert portrait.format(size, size, size) in html, name
        assert portrait.format(32, 32, 32) + ' loading="lazy" decoding="async">' in html, name
    story = main_of(client.get(f"/live/{SHIPPED_SLUG}/"))
    initials = r'<span class="avatar avatar-32 avatar-initials avatar-hue-\d" data-initials="IN" aria-hidden'
    assert re.search(initials, story)
    other = Author.objects.create(name="王小明", slug="wang")
    make_update(story=seeded, authors=[other], body="北京消息。")
    assert 'data-initials="王" aria-hidden="true">' in main_of(client.get(other.get_absolute_url()))


def test_portraits_add_no_queries_to_the_story_page(client, seeded, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as before:
        client.get(f"/live/{SHIPPED_SLUG}/")
    for author in Author.objects.all():
        give_photo(author)
    with django_assert_max_num_queries(len(before)):
        html = client.get(f"/live/{SHIPPED_SLUG}/").content.decode()
    assert html.count('<img class="avatar') == 10  # lead byline, 8 updates, one with two authors
