"""The desk's preview and presence in a real browser: two editors at one story's desk, each in
a browser context of their own, see who else is writing or editing; the composer shows the
update as readers will see it, embeds' facades included."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coverage import presence
from coverage.models import Update
from tests.factories import make_story, make_stream, make_user
from tests.test_admin_browser import log_in
from tests.test_browser import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).parent / "screenshots"
HEARTBEAT = 1  # seconds, the site's heartbeat for these tests
WITHIN_ONE_HEARTBEAT = HEARTBEAT * 1000 + 2500  # ms, with room for a busy machine
VIDEO = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


@pytest.fixture
def story(settings, monkeypatch):
    settings.LIVEBLOG_CURSOR_WINDOW = 1
    settings.LIVEBLOG_CURSOR_LAG = 0
    monkeypatch.setattr(presence, "HEARTBEAT_SECONDS", HEARTBEAT)
    story = make_story(title="Нічна зміна", poll_interval=1)
    make_stream(story=story, count=3, start=timezone.now() - timedelta(hours=1))
    return story


@pytest.fixture
def second_editor(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def open_desk(page, story):
    page.goto(story.get_absolute_url())
    expect(page.get_by_label("Update (Markdown)")).to_be_visible()


def test_two_editors_see_who_is_writing_and_editing(page, second_editor, story):
    olena, wang = page, second_editor
    log_in(olena, make_user(username="олена", role="Reporters"))
    log_in(wang, make_user(username="王芳", role="Editors"))
    open_desk(olena, story)
    open_desk(wang, story)
    present = wang.locator("#desk-presence")
    expect(present.get_by_role("listitem")).to_have_text(["Олена is here"], timeout=WITHIN_ONE_HEARTBEAT)
    expect(present.get_by_role("heading")).to_have_text("Also at this desk")
    expect(olena.locator("#desk-presence li")).to_have_text(["王芳 is here"], timeout=WITHIN_ONE_HEARTBEAT)
    assert present.locator("bdi").get_attribute("dir") == "auto"

    body = olena.get_by_label("Update (Markdown)")
    body.click()
    body.press_sequentially("Міст через Дніпро відкрито")
    expect(present.get_by_role("listitem")).to_have_text(["Олена is writing…"], timeout=WITHIN_ONE_HEARTBEAT)
    news = wang.locator("#desk p[role=status].visually-hidden")
    expect(news).to_have_text("Олена is writing…")
    assert serious_violations(wang) == []
    wang.screenshot(path=SCREENSHOTS / "desk-presence-1280.png", full_page=False)

    body.press("Control+Enter")
    expect(olena.locator("#desk .desk-status")).to_have_text("Published.")
    expect(present.get_by_role("listitem")).to_have_text(["Олена is here"], timeout=WITHIN_ONE_HEARTBEAT)
    expect(news).to_have_text("Олена is here")

    edited = Update.objects.filter(story=story).order_by("published_at")[1]
    olena.evaluate(
        "id => document.dispatchEvent(new CustomEvent('desk:editing', {detail: {update: id}}))", edited.pk
    )
    note = wang.locator(f"#update-{edited.pk} .desk-presence-note")
    expect(note).to_have_text("Олена is editing this update", timeout=WITHIN_ONE_HEARTBEAT)
    expect(wang.locator(".desk-presence-note")).to_have_count(1)
    link = present.get_by_role("link", name="Олена is editing an update")
    expect(link).to_have_attribute("href", f"#update-{edited.pk}")
    expect(news).to_have_text("Олена is editing an update")
    assert serious_violations(wang) == []
    wang.set_viewport_size({"width": 390, "height": 844})
    note.scroll_into_view_if_needed()
    wang.screenshot(path=SCREENSHOTS / "desk-presence-390.png", full_page=False)
    box = present.bounding_box()
    assert box["width"] <= 390

    olena.evaluate("() => document.dispatchEvent(new CustomEvent('desk:editing', {detail: {update: null}}))")
    expect(note).to_have_count(0, timeout=WITHIN_ONE_HEARTBEAT)
    expect(present.get_by_role("listitem")).to_have_text(["Олена is here"])

    olena.goto("/")  # leaving the story: the goodbye goes at once
    expect(present).to_be_hidden(timeout=WITHIN_ONE_HEARTBEAT)
    expect(news).to_have_text("")


def test_the_preview_shows_the_update_as_readers_will_see_it(page, story):
    log_in(page, make_user(username="أحمد", role="Reporters"))
    asked, out = [], []

    def sent(request):
        if request.url.endswith("/preview"):
            asked.append(request.post_data_json["markdown"])
            out.append(len(asked) - len(done))

    done = []
    page.on("request", sent)
    page.on("requestfinished", lambda request: request.url.endswith("/preview") and done.append(request))
    open_desk(page, story)
    preview = page.get_by_role("region", name="Preview")
    expect(preview).to_be_hidden()

    body = page.get_by_label("Update (Markdown)")
    body.click()
    body.press_sequentially("عاجل: الجسر **مفتوح** <script>alert(1)</script>", delay=15)
    expect(preview.locator(".update-body p")).to_have_text(["عاجل: الجسر مفتوح <script>alert(1)</script>"])
    expect(preview.locator("strong")).to_have_text("مفتوح")
    expect(preview.locator("script")).to_have_count(0)
    expect(body).to_be_focused()  # the preview never takes the focus
    assert asked[-1] == "عاجل: الجسر **مفتوح** <script>alert(1)</script>"
    assert len(asked) < 10  # not one request a keystroke (40 of them)
    assert max(out) == 1  # one at a time

    body.press("End")
    body.press("Enter")
    body.press("Enter")
    body.press_sequentially(VIDEO)
    facade = preview.locator("figure[data-provider=youtube]")
    expect(facade).to_have_count(1)
    expect(facade.locator(".embed-url")).to_have_text(VIDEO)
    expect(facade.locator("figcaption a")).to_have_text("View on YouTube")
    expect(preview.locator("iframe")).to_have_count(0)  # a facade: nothing of YouTube's loads
    expect(body).to_be_focused()
    assert serious_violations(page) == []
    preview.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "desk-preview-1280.png", full_page=False)
    page.set_viewport_size({"width": 390, "height": 844})
    preview.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "desk-preview-390.png", full_page=False)
    assert preview.bounding_box()["width"] <= 390

    page.get_by_label("Update (Markdown)").press("Control+Enter")
    expect(page.locator("#desk .desk-status")).to_have_text("Published.")
    expect(preview).to_be_hidden()  # the composer is empty again, so is its preview


def test_an_editor_who_stops_typing_is_no_longer_writing(page, second_editor, story, monkeypatch):
    monkeypatch.setattr(presence, "WRITING_SECONDS", 2)
    ivan, maria = page, second_editor
    log_in(ivan, make_user(username="іван", role="Reporters"))
    log_in(maria, make_user(username="maria", role="Reporters"))
    open_desk(ivan, story)
    open_desk(maria, story)
    present = maria.locator("#desk-presence li")
    expect(present).to_have_text(["Іван is here"], timeout=WITHIN_ONE_HEARTBEAT)
    ivan.get_by_label("Headline (optional)").press_sequentially("Ранок")
    expect(present).to_have_text(["Іван is writing…"], timeout=WITHIN_ONE_HEARTBEAT)
    expect(present).to_have_text(["Іван is here"], timeout=2000 + WITHIN_ONE_HEARTBEAT)
    assert ivan.get_by_label("Headline (optional)").input_value() == "Ранок"  # nothing was published
