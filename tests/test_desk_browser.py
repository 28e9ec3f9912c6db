"""The live desk in a real browser: a reporter publishes from the story page itself while a
reader, anonymous in another context, watches the same page."""

import sqlite3
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from coverage.models import Update
from tests.benchmarks import servers
from tests.factories import make_author, make_story, make_stream, make_user
from tests.test_admin_browser import log_in
from tests.test_browser import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).parent / "screenshots"
POLL = 1  # seconds, set on the story as the newsroom would mid-event
WITHIN_TWO_POLLS = 2 * POLL * 1000 + 2500  # ms, with room for a busy machine


@pytest.fixture
def story(settings):
    settings.LIVEBLOG_CURSOR_WINDOW = 1
    settings.LIVEBLOG_CURSOR_LAG = 0
    story = make_story(title="Нічна зміна", poll_interval=POLL)
    make_stream(story=story, count=3, start=timezone.now() - timedelta(hours=1))
    return story


def test_a_reporter_publishes_from_the_story_page_and_a_reader_sees_it(page, browser, live_server, story):
    reader = browser.new_context(base_url=live_server.url).new_page()
    asked = []
    reader.on("request", lambda request: "/desk/" in request.url and asked.append(request.url))
    reader.goto(story.get_absolute_url())
    expect(reader.locator("#updates > article.update")).to_have_count(3)

    log_in(page, make_user(username="olena", role="Reporters"))
    page.goto(story.get_absolute_url())
    body = page.get_by_label("Update (Markdown)")
    expect(body).to_be_visible()
    expect(page.locator("#desk-note")).to_have_text("Ctrl+Enter (⌘+Enter) publishes.")
    expect(page.locator("#desk .desk-byline li")).to_have_text(["Olena Tester ×"])
    expect(page.locator("#desk .desk-toggle")).to_have_text(["Key event", "Publish later"])  # no pin

    body.click()
    body.press_sequentially("Міст через Дніпро **відкрито** о 6:00")
    page.reload()  # mid-sentence
    body = page.get_by_label("Update (Markdown)")
    expect(body).to_have_value("Міст через Дніпро **відкрито** о 6:00")
    expect(page.locator("#desk .desk-status")).to_have_text("Your unsent draft was restored.")

    body.press("End")
    body.press_sequentially(", — повідомляє мерія.")
    page.get_by_label("Key event", exact=True).check()
    body.press("Control+Enter")
    expect(page.locator("#desk .desk-status")).to_have_text("Published.")
    expect(body).to_have_value("")
    expect(body).to_be_focused()
    expect(page.get_by_label("Key event", exact=True)).not_to_be_checked()

    published = Update.objects.get(body="Міст через Дніпро **відкрито** о 6:00, — повідомляє мерія.")
    assert [author.name for author in published.authors.all()] == ["Olena Tester"]
    assert published.key_event and published.status == Update.Status.PUBLISHED
    fresh = reader.locator(f"#updates > #update-{published.pk}")
    fresh.wait_for(timeout=WITHIN_TWO_POLLS)
    assert reader.locator("#updates > article.update").first.get_attribute("id") == f"update-{published.pk}"
    expect(fresh.locator("strong")).to_have_text("відкрито")
    expect(reader.locator("#updates > article.update")).to_have_count(4)
    assert reader.locator("#desk").count() == 0 and asked == []  # a reader has no hint: no desk, no request

    page.reload()  # the draft went with the publish
    expect(page.get_by_label("Update (Markdown)")).to_have_value("")
    expect(page.locator("#desk .desk-status")).to_have_text("")
    reader.context.close()


def test_a_failed_publish_keeps_the_text_and_retries_when_asked(page, story):
    log_in(page, make_user(username="ivan", role="Editors"))
    page.goto(story.get_absolute_url())
    body = page.get_by_label("Update (Markdown)")
    expect(page.locator("#desk .desk-toggle")).to_have_text(["Key event", "Pin", "Publish later"])
    body.fill("عاجل: انقطاع الكهرباء في المدينة")
    page.get_by_label("Pin", exact=True).check()
    page.route("**/api/v1/stories/**", lambda route: route.abort("internetdisconnected"))
    page.keyboard.press("Control+Enter")
    alert = page.get_by_role("alert")
    expect(alert.locator("p")).to_have_text(
        "Not published: the site could not be reached. Your text is kept."
    )
    expect(body).to_have_value("عاجل: انقطاع الكهرباء في المدينة")
    assert story.updates.count() == 3
    assert serious_violations(page) == []

    page.unroute("**/api/v1/stories/**")
    alert.get_by_role("button", name="Retry").click()
    expect(page.locator("#desk .desk-status")).to_have_text("Published.")
    expect(alert).to_be_hidden()
    expect(body).to_have_value("")
    assert list(story.updates.filter(pinned=True).values_list("body", flat=True)) == [
        "عاجل: انقطاع الكهرباء في المدينة"
    ]


def test_co_authors_are_added_by_typing_and_the_update_is_scheduled(browser, live_server, story):
    for name in ("Олена Коваленко", "سارة أحمد", "周伟"):
        make_author(name=name)
    editor = make_user(username="ivan", role="Editors")
    context = browser.new_context(base_url=live_server.url, timezone_id="Europe/Kyiv", locale="en-GB")
    page = context.new_page()
    log_in(page, editor)
    page.goto(story.get_absolute_url())
    byline = page.locator("#desk .desk-byline li")
    expect(byline).to_have_text(["Ivan Tester ×"])

    coauthor = page.get_by_label("Add a co-author (type a name)")
    coauthor.fill("оле")  # the start of one name, in any case
    coauthor.press("Enter")
    coauthor.fill("周伟")
    page.get_by_role("button", name="Add", exact=True).click()
    coauthor.fill("Nobody Known")
    coauthor.press("Enter")
    expect(page.locator("#desk .desk-status")).to_have_text(
        "No author is called “Nobody Known”: pick a name from the list."
    )
    page.get_by_role("button", name="Remove Ivan Tester from the byline").click()
    expect(byline).to_have_text(["Олена Коваленко ×", "周伟 ×"])
    expect(coauthor).to_be_focused()

    body = page.get_by_label("Update (Markdown)")
    body.fill("Засідання ради перенесено на вечір")
    page.get_by_label("Publish later").check()
    expect(page.locator("#desk .desk-publish")).to_have_text("Schedule")
    when = datetime.now(ZoneInfo("Europe/Kyiv")).replace(second=0, microsecond=0) + timedelta(hours=2)
    page.get_by_label("Publish at").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.reload()  # the byline and the time are part of the draft too
    expect(byline).to_have_text(["Олена Коваленко ×", "周伟 ×"])
    expect(page.get_by_label("Publish at")).to_have_value(when.strftime("%Y-%m-%dT%H:%M"))

    page.get_by_label("Update (Markdown)").press("Control+Enter")
    expect(page.locator("#desk .desk-status")).to_have_text(
        f"Scheduled for {when:%b} {when.day}, {when.year}, {when:%-I:%M %p}."  # the page's language
    )
    scheduled = Update.objects.get(body="Засідання ради перенесено на вечір")
    assert scheduled.status == Update.Status.SCHEDULED
    assert scheduled.published_at == when
    assert [author.name for author in scheduled.authors.all()] == ["Олена Коваленко", "周伟"]
    page_now = Client().get(story.get_absolute_url()).content.decode()
    assert "Засідання ради" not in page_now  # readers see it at its time, not before
    expect(page.locator("#desk .desk-publish")).to_have_text("Publish")  # the composer starts afresh
    expect(byline).to_have_text(["Ivan Tester ×"])
    context.close()


def test_with_the_server_stopped_a_publish_fails_visibly_and_the_text_stays(browser, served_site):
    text = "Потяг №7 затримується на 40 хвилин"
    database = served_site.work / "db.sqlite3"

    def published():
        with sqlite3.connect(database) as connection:
            return connection.execute(
                "select count(*) from coverage_update where body = ? and status = 'published'", [text]
            ).fetchone()[0]

    with servers.gunicorn(served_site.env, served_site.work, workers=1) as (port, server):
        context = browser.new_context(base_url=f"http://127.0.0.1:{port}")
        page = context.new_page()
        page.goto("/admin/login/")
        page.fill("#id_username", "editor")
        page.fill("#id_password", served_site.password)
        page.click("input[type=submit]")
        page.goto("/live/served-site/")
        body = page.get_by_label("Update (Markdown)")
        body.fill(text)
        server.terminate()  # the site goes down mid-sentence
        server.wait(timeout=15)
        body.press("Control+Enter")
        alert = page.get_by_role("alert")
        expect(alert.locator("p")).to_have_text(
            "Not published: the site could not be reached. Your text is kept."
        )
        expect(body).to_have_value(text)
        assert published() == 0

    with servers.gunicorn(served_site.env, served_site.work, workers=1, port=port):
        alert.get_by_role("button", name="Retry").click()
        expect(page.locator("#desk .desk-status")).to_have_text("Published.")
        expect(body).to_have_value("")
        assert published() == 1
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/live/served-site/") as answer:
            assert answer.read().decode().count(f">{text}</p>") == 1  # one update in the stream
    context.close()


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 900)])
def test_the_desk_fits_a_phone_and_a_desk_and_is_accessible(browser, live_server, story, width, height):
    make_author(name="سارة أحمد")
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height})
    page = context.new_page()
    log_in(page, make_user(username="olena", role="Editors"))
    page.goto(story.get_absolute_url())
    page.get_by_label("Headline (optional)").fill("Нічне засідання")
    page.get_by_label("Update (Markdown)").fill("Депутати **зібралися** о 23:00.\n\nسارة أحمد تتابع.")
    coauthor = page.get_by_label("Add a co-author (type a name)")
    coauthor.fill("سارة")
    coauthor.press("Enter")
    page.get_by_label("Publish later").check()
    desk = page.locator("#desk")
    expect(desk.locator(".desk-byline li")).to_have_text(["Olena Tester ×", "سارة أحمد ×"])
    SCREENSHOTS.mkdir(exist_ok=True)
    desk.screenshot(path=SCREENSHOTS / f"desk-{width}.png")
    assert page.evaluate("document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth")
    box = desk.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    for control in ("#desk-body", "#desk-coauthor", "#desk-when", ".desk-publish", ".desk-remove"):
        assert desk.locator(control).first.bounding_box()["height"] >= 44 or control in ("#desk-body",)
    # The keyboard reaches every control in reading order, from the headline to the publish button.
    page.get_by_label("Headline (optional)").focus()
    order = []
    for _ in range(20):  # the time's field takes a Tab per part
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id || document.activeElement.className"))
    assert order[:4] == ["desk-body", "desk-secondary desk-add-picture", "desk-remove", "desk-remove"]
    assert order.index("desk-coauthor") < order.index("desk-key-event") < order.index("desk-when")
    assert order.index("desk-when") < order.index("desk-publish")
    assert serious_violations(page) == []
    context.close()


def test_two_interactions_publish_and_a_readers_page_has_it_within_one_poll(browser, live_server, story):
    """Acceptance: type, press Ctrl+Enter; no page load on the desk's side; an anonymous reader's
    open page shows the update at its next poll, so within one poll interval (3 s here)."""
    story.poll_interval = 3
    story.save(update_fields=["poll_interval"])
    reader = browser.new_context(base_url=live_server.url).new_page()
    reader.goto(story.get_absolute_url())
    expect(reader.locator("#updates > article.update")).to_have_count(3)

    reporter = browser.new_context(base_url=live_server.url).new_page()
    log_in(reporter, make_user(username="olena", role="Reporters"))
    reporter.goto(story.get_absolute_url())
    body = reporter.get_by_label("Update (Markdown)")
    expect(body).to_be_visible()
    loads = []
    reporter.on("load", lambda page: loads.append(page.url))
    reporter.evaluate("window.sameDocument = true")

    body.fill("Мер: «Метро працює до ранку» 🚇")  # one
    body.press("Control+Enter")  # two
    expect(reporter.locator("#desk .desk-status")).to_have_text("Published.")
    published_at = time.monotonic()
    published = Update.objects.get(body="Мер: «Метро працює до ранку» 🚇")
    reader.locator(f"#updates > #update-{published.pk}").wait_for(timeout=3_000 + 2_000)
    waited = time.monotonic() - published_at
    assert waited < 3 + 1.0, f"shown {waited:.2f} s after the publish; the poll interval is 3 s"
    expect(reader.locator("#updates > article.update")).to_have_count(4)
    assert reader.locator("#updates > article.update").first.get_attribute("id") == f"update-{published.pk}"
    assert loads == [] and reporter.evaluate("window.sameDocument") is True  # no page load
    expect(reporter.locator(f"#updates > #update-{published.pk}")).to_have_count(1)  # the desk's own page too
    reader.context.close()
    reporter.context.close()
