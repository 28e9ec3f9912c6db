"""Search within a story in a real browser, as a reader on a phone (390 px) uses it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import make_author, make_story, make_update

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def ago(minutes):
    return timezone.now() - timedelta(minutes=minutes)


def test_a_reader_searches_the_story_sees_the_matches_marked_and_follows_one(page):
    page.set_viewport_size(PHONE)
    reporter = make_author(name="Ольга Коваль")
    story = make_story(title="Переговори · مفاوضات · 谈判")
    older = make_update(
        story=story,
        authors=[reporter],
        headline="Ceasefire talks begin in Geneva",
        body="Envoys arrived <script>alert(1)</script> this morning.",
        published_at=ago(30),
    )
    make_update(story=story, body="Sirens in Kyiv overnight.", published_at=ago(20))
    newer = make_update(story=story, body="The ceasefire held, officials said.", published_at=ago(10))
    make_update(story=story, body="Ceasefire draft.", status="draft")

    page.goto(story.get_absolute_url())
    field = page.get_by_label("Search updates")
    expect(field).to_be_visible()
    assert field.bounding_box()["x"] + field.bounding_box()["width"] <= PHONE["width"]
    field.fill("ceasefire")
    field.press("Enter")

    expect(page).to_have_url(re.compile(r"/search/\?q=ceasefire$"))
    expect(page.locator("#search-status")).to_have_text("2 updates match “ceasefire”")
    results = page.locator("li.search-result")
    assert results.evaluate_all("(items) => items.map((item) => item.id)") == [
        f"result-{newer.pk}",
        f"result-{older.pk}",
    ]
    assert results.locator("mark").all_inner_texts() == ["ceasefire", "Ceasefire"]
    expect(results.nth(1).locator(".search-excerpt")).to_have_text(
        "Envoys arrived <script>alert(1)</script> this morning."
    )
    assert page.locator("main script").count() == 0
    expect(page.get_by_label("Search updates")).to_have_value("ceasefire")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    results.nth(1).get_by_role("link", name="Ceasefire talks begin in Geneva").click()
    expect(page).to_have_url(re.compile(rf"/updates/{older.pk}/$"))
    expect(page.locator(f"#update-{older.pk} .update-headline")).to_have_text(
        "Ceasefire talks begin in Geneva"
    )

    page.go_back()
    page.locator(f"#result-{older.pk} a.in-story").click()
    expect(page).to_have_url(re.compile(rf"\?before=\d+-\d+#update-{older.pk}$"))
    expect(page.locator(f"#update-{older.pk}")).to_be_in_viewport()


def test_no_match_and_too_short_are_told(page):
    page.set_viewport_size(PHONE)
    story = make_story(title="谈判")
    make_update(story=story, body="乌克兰首都基辅今天发布空袭警报。", published_at=ago(5))
    page.goto(story.get_absolute_url())
    page.get_by_label("Search updates").fill("上海")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#search-status")).to_have_text("No updates match “上海”.")
    page.get_by_label("Search updates").fill("基辅")
    page.get_by_label("Search updates").press("Enter")
    expect(page.locator("#search-status")).to_have_text("1 update matches “基辅”")
    expect(page.locator("li.search-result mark")).to_have_text("基辅")
    page.get_by_label("Search updates").fill("a")
    page.get_by_label("Search updates").press("Enter")
    expect(page.locator("#search-status")).to_have_text(
        "Type a whole word or two: a single letter finds too much."
    )
    assert page.locator("li.search-result").count() == 0
