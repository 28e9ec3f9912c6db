"""The newsroom admin in a real browser (Playwright + Chromium)."""

import importlib
import io
import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from coverage.models import Author, Comment, Image, Story, Update
from tests.factories import PASSWORD, SHIPPED_SEED, make_picture, make_story, make_update, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def newsroom_roles():
    """The Editors and Reporters groups, made by their data migration.

    Transactional tests flush the database after themselves, rows made by data
    migrations included, so a browser test may start without them: run the
    migration's function again.
    """
    migration = importlib.import_module("coverage.migrations.0005_newsroom_roles")
    migration.create_roles(django_apps, SimpleNamespace(connection=connection))


def log_in(page, user):
    page.goto("/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text("Log out")


def test_reporter_publishes_an_update_with_a_picture_and_readers_see_it(page):
    story = make_story(title="Harbour strike")
    make_update(story=story, body="Dock workers walked out at dawn.")
    reporter = make_user(username="remy", role="Reporters")
    log_in(page, reporter)

    page.goto(f"/admin/coverage/story/{story.pk}/change/")
    page.get_by_role("link", name="Add an update to this story").click()
    expect(page).to_have_url(re.compile(rf"/admin/coverage/update/add/\?story={story.pk}$"))
    expect(page.locator("#id_byline")).to_have_value(str(reporter.author.pk))

    page.fill("#id_body", "Talks resume at noon, **union leaders** said.")
    expect(page.locator(".coverage-preview strong")).to_have_text("union leaders")  # live preview

    page.set_input_files(
        "#id_images-0-file",
        files=[{"name": "pickets.jpg", "mimeType": "image/jpeg", "buffer": make_picture(size=(1200, 800))}],
    )
    page.fill("#id_images-0-caption", "Pickets at the harbour gate on Tuesday.")
    page.fill("#id_images-0-credit", "Ana Lens/Harbour Times")
    page.fill("#id_images-0-alt_text", "Workers with banners in front of a closed gate.")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    update = Update.objects.get(body__startswith="Talks resume")
    assert update in Update.objects.published() and update.created_by == reporter
    image = Image.objects.get(update=update)

    page.goto(f"/live/{story.slug}/")
    figure = page.locator(f"#update-{update.pk} figure")
    expect(figure.locator("figcaption")).to_contain_text("Pickets at the harbour gate on Tuesday.")
    expect(figure.locator("figcaption")).to_contain_text("Ana Lens/Harbour Times")
    img = figure.locator("img")
    widths = re.compile(r"-480w\.jpg 480w, \S+-960w\.jpg 960w, \S+-1200w\.jpg 1200w$")
    expect(img).to_have_attribute("srcset", widths)
    expect(img).to_have_attribute("alt", "Workers with banners in front of a closed gate.")
    expect(figure.locator("source[type='image/webp']")).to_have_attribute("srcset", re.compile(r"480w"))
    img.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
    assert image.width == 1200 and len(image.renditions) == 6


# --- every admin page fits the screen: 1280 px and a phone --------------------------------

SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture
def newsroom(live_server, settings):
    """The shipped story with a pinned, a key, a draft and a scheduled update, a comment,
    and an editor whose login has an author; returns the editor."""
    settings.SERVE_MEDIA = True
    call_command("seed", SHIPPED_SEED, stdout=io.StringIO())
    newest = list(Update.objects.order_by("-published_at"))
    Update.objects.filter(pk=newest[0].pk).update(pinned=True)
    Update.objects.filter(pk=newest[1].pk).update(key_event=True)
    Update.objects.filter(pk=newest[2].pk).update(status=Update.Status.DRAFT)
    Update.objects.filter(pk=newest[3].pk).update(
        status=Update.Status.SCHEDULED, published_at=timezone.now() + timedelta(hours=3)
    )
    story = Story.objects.get()
    Comment.objects.create(story=story, name="Reader", email="reader@example.org", body="Thank you.")
    return make_user(username="edith", role="Editors")


@pytest.fixture
def admin_page(browser, live_server):
    """Opens a logged-in page in a context of its own: ``width`` px wide, light or dark, in New York."""
    contexts = []

    def open_page(user, *, width, scheme="light"):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": 900},
            color_scheme=scheme,
            timezone_id="America/New_York",
        )
        contexts.append(context)
        page = context.new_page()
        log_in(page, user)
        return page

    yield open_page
    for context in contexts:
        context.close()


def admin_urls():
    story, update = Story.objects.get(), Update.objects.order_by("-published_at").last()
    author, image = Author.objects.order_by("pk").first(), Image.objects.order_by("pk").first()
    assert image.update_id == update.pk  # the oldest update has a picture
    return {
        "index": "/admin/",
        "story list": "/admin/coverage/story/",
        "story change": f"/admin/coverage/story/{story.pk}/change/",
        "story add": "/admin/coverage/story/add/",
        "update list": "/admin/coverage/update/",
        "one story's updates": f"/admin/coverage/update/?story__id__exact={story.pk}",
        "update change": f"/admin/coverage/update/{update.pk}/change/",
        "update add": f"/admin/coverage/update/add/?story={story.pk}",
        "author list": "/admin/coverage/author/",
        "author change": f"/admin/coverage/author/{author.pk}/change/",
        "image list": "/admin/coverage/image/",
        "comment list": "/admin/coverage/comment/",
    }


@pytest.mark.parametrize("width", [1280, 390])
def test_no_admin_page_scrolls_sideways(admin_page, newsroom, width):
    page = admin_page(newsroom, width=width)
    overflowing = {}
    for name, url in admin_urls().items():
        page.goto(url)
        expect(page.locator("#content")).to_be_visible()
        sizes = page.evaluate(
            """() => {
                const page = document.documentElement, results = document.querySelector('.results');
                return {page: [page.scrollWidth, page.clientWidth],
                        list: results ? [results.scrollWidth, results.clientWidth] : [0, 0]};
            }"""
        )
        # Neither the page nor a list's box of columns scrolls sideways.
        if sizes["page"][0] > sizes["page"][1] or sizes["list"][0] > sizes["list"][1]:
            overflowing[name] = sizes
    assert overflowing == {}


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_admin_update_screenshots(admin_page, newsroom, width, scheme):
    """Takes the update list and add form screenshots (tests/screenshots/) for a person to look at.

    Asserts what can be asserted mechanically: the picture's alt text field, required
    with a new picture, is visible within the screen's width; the saved update is
    highlighted in its story's list.
    """
    page = admin_page(newsroom, width=width, scheme=scheme)
    story = Story.objects.get()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.goto("/admin/coverage/update/")
    expect(page.locator("#result_list .field-status_label").first).to_be_visible()
    page.screenshot(path=SCREENSHOTS / f"admin-updates-{width}-{scheme}.png", full_page=True)

    page.goto(f"/admin/coverage/update/add/?story={story.pk}")
    alt_text = page.locator("#id_images-0-alt_text")
    # Scrolled to as a reader of the page scrolls, down only: nothing scrolls sideways.
    page.evaluate("el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 200)",
                  alt_text.element_handle())  # fmt: skip
    expect(alt_text).to_be_visible()
    box = alt_text.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert alt_text.evaluate(  # on screen, not clipped by a box around it
        "el => { const r = el.getBoundingClientRect();"
        " return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === el; }"
    )
    page.screenshot(path=SCREENSHOTS / f"admin-add-update-{width}-{scheme}.png", full_page=True)

    page.fill("#id_body", "Talks resume at noon.")
    with page.expect_navigation(
        url=re.compile(r"/admin/coverage/update/\?story__id__exact="), timeout=30_000
    ):
        page.click("input[name=_save]")
    saved = page.locator("#result_list tr.coverage-saved")
    expect(saved).to_have_count(1)
    expect(saved).to_contain_text("Talks resume at noon.")
    expect(page.locator(".messagelist")).to_contain_text("See it as readers do")
    page.screenshot(path=SCREENSHOTS / f"admin-saved-update-{width}-{scheme}.png", full_page=True)
