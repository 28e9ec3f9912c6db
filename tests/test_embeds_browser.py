"""Embeds in a real browser: nothing is asked of any provider until the reader clicks a facade."""

import io
import time
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from coverage import services
from coverage.models import Story, Update
from tests.test_browser import serious_violations
from tests.test_embeds import SEED

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FACADES = 14  # the seed's URL lines but its one link card
CLICKED = {  # one facade of each kind, and the frame it must become
    "youtube": "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
    "x": "https://platform.twitter.com/embed/Tweet.html?id=1234567890123456789&dnt=true",
    "spotify": "https://open.spotify.com/embed/episode/4uLU6hMCjMI75M1A2tKUQC",
    "datawrapper": "https://datawrapper.dwcdn.net/AbC12/3/",
}


@pytest.fixture
def seeded_story(settings):
    settings.LIVEBLOG_CURSOR_WINDOW = 1
    settings.LIVEBLOG_CURSOR_LAG = 0
    call_command("seed", str(SEED), stdout=io.StringIO())
    story = Story.objects.get()
    story.poll_interval = 1
    story = services.save_story(story=story)
    # Past the second the rows were written in: the page's cursor (lag 0) would otherwise see
    # them as changed, and its first poll would redraw them under the test's clicks.
    time.sleep(1.1)
    return story


@pytest.fixture
def elsewhere(page, live_server):
    """Every request to a host other than the site's is aborted and listed, in order."""
    site = urlsplit(live_server.url).netloc
    asked = []

    def route(route):
        if urlsplit(route.request.url).netloc == site:
            route.continue_()
        else:
            asked.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    return asked


def test_nothing_is_asked_of_a_provider_until_a_facade_is_clicked(page, seeded_story, elsewhere):
    page.goto(seeded_story.get_absolute_url(), wait_until="networkidle")
    assert page.locator("figure.embed").count() == FACADES
    assert page.locator(".embed-card").count() == 1
    assert page.locator("iframe").count() == 0
    expect(page.locator("figure.embed .embed-show").first).to_be_visible()  # the script has run
    page.mouse.wheel(0, 20000)  # lazy pictures and anything else below the fold
    page.wait_for_load_state("networkidle")
    assert elsewhere == []

    for provider, src in CLICKED.items():
        figure = page.locator(f"figure.embed[data-provider={provider}]").first
        box = figure.locator(".embed-frame").bounding_box()
        before = (round(box["width"]), round(box["height"]))
        figure.get_by_role("button").click()
        frame = figure.locator("iframe")
        expect(frame).to_have_attribute("src", src)
        assert frame.get_attribute("title").startswith(figure.get_attribute("data-name"))
        assert "allow-scripts" in frame.get_attribute("sandbox")
        box = figure.locator(".embed-frame").bounding_box()
        assert (round(box["width"]), round(box["height"])) == before  # nothing shifts
    assert page.locator("iframe").count() == len(CLICKED)
    page.wait_for_load_state("networkidle")
    assert {urlsplit(url).netloc for url in elsewhere} <= {urlsplit(src).netloc for src in CLICKED.values()}


def test_always_show_is_remembered_in_the_browser(page, seeded_story, elsewhere):
    page.goto(seeded_story.get_absolute_url())
    vimeo = page.locator("figure.embed[data-provider=vimeo]")
    vimeo.get_by_label("Always show embeds from Vimeo").click()  # the box goes with the facade
    expect(vimeo.locator("iframe")).to_have_attribute("src", "https://player.vimeo.com/video/76979871?dnt=1")
    page.reload()
    expect(page.locator("figure.embed[data-provider=vimeo] iframe")).to_have_count(1)
    assert page.locator("iframe").count() == 1  # the other providers still wait for a click
    assert {urlsplit(url).netloc for url in elsewhere} == {"player.vimeo.com"}


def test_a_frame_the_reader_opened_stays_open_when_its_update_is_edited_live(page, seeded_story, elsewhere):
    page.goto(seeded_story.get_absolute_url())
    update = seeded_story.updates.get(body__contains="youtube.com")
    page.locator(f"#update-{update.pk} figure[data-provider=youtube]").get_by_role("button").click()
    update.body += "\n\nThe wall was rebuilt in 1911."
    services.save_update(update=update)
    article = page.locator(f"#update-{update.pk}")
    article.get_by_text("The wall was rebuilt in 1911.").wait_for(timeout=6000)
    expect(article.locator("figure[data-provider=youtube] iframe")).to_have_count(1)
    expect(article.locator("figure[data-provider=vimeo] iframe")).to_have_count(0)


def test_an_embed_arriving_live_from_an_origin_the_page_does_not_frame_offers_its_link(
    page, seeded_story, elsewhere
):
    page.goto(seeded_story.get_absolute_url())
    update = Update(
        story=seeded_story,
        body="Новое сообщение.\n\nhttps://social.example.org/@reporter/42",
        status=Update.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    services.save_update(update=update)
    figure = page.locator(f"#update-{update.pk} figure.embed")
    figure.wait_for(timeout=6000)
    expect(figure).to_have_class("embed embed-post is-elsewhere")
    expect(figure.locator(".embed-actions")).to_be_hidden()
    expect(figure.get_by_role("link", name="View on social.example.org")).to_be_visible()
    assert elsewhere == []


def test_the_page_of_facades_passes_axe(page, seeded_story):
    page.goto(seeded_story.get_absolute_url())
    assert serious_violations(page) == []
