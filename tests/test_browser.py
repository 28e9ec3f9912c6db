"""Reader pages in a real browser (Playwright + Chromium)."""

import io

import pytest
from django.core.management import call_command

from tests.factories import SHIPPED_SEED, SHIPPED_SLUG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_story_page_shows_updates_and_images(page):
    call_command("seed", SHIPPED_SEED, stdout=io.StringIO())
    page.goto(f"/live/{SHIPPED_SLUG}/")
    assert page.locator("article.update").count() == 8
    first_image = page.locator("figure img").first
    first_image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=first_image.element_handle())
