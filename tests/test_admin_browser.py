"""The newsroom admin in a real browser (Playwright + Chromium)."""

import importlib
import re
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from playwright.sync_api import expect

from coverage.models import Image, Update
from tests.factories import PASSWORD, make_picture, make_story, make_update, make_user

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
