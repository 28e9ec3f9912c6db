"""Edit and delete in place on the live desk, in a real browser: two editors on one update from
two story pages (the second save shows the comparison and loses nothing), reporters' Edit only
on their own updates, and a delete that an anonymous reader's open page follows."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coverage import services
from coverage.models import Update
from tests.factories import make_story, make_stream, make_update, make_user
from tests.test_admin_browser import log_in
from tests.test_browser import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLL = 1  # seconds, set on the story as the newsroom would mid-event
WITHIN_TWO_POLLS = 2 * POLL * 1000 + 2500  # ms, with room for a busy machine
KEPT_EDITS = "Object.keys(localStorage).filter(key => key.includes(':update:'))"
SCREENSHOTS = Path(__file__).parent / "screenshots"

ORIGINAL = "Міст через Дніпро закрито до ранку."
THEIRS = "Міст через Дніпро відкрито о 6:00 для всіх."
MINE = "Міст через Дніпро відкрито о 7:00 — 桥梁 重新开放 (الجسر مفتوح)."


@pytest.fixture
def story(settings):
    settings.LIVEBLOG_CURSOR_WINDOW = 1
    settings.LIVEBLOG_CURSOR_LAG = 0
    story = make_story(title="Нічна зміна", poll_interval=POLL)
    make_stream(story=story, count=3, start=timezone.now() - timedelta(hours=1))
    return story


def saved_update(story, user, body, **fields):
    """An update saved as the newsroom saves (its first revision kept)."""
    update = Update(story=story, body=body, status=Update.Status.PUBLISHED, **fields)
    services.save_update(update=update, authors=[user.author], user=user)
    return update


def other_context(browser, live_server, width=1280):
    return browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900}).new_page()


def open_editor(page, update):
    page.get_by_role("button", name=f"Edit update {update.pk}").click()
    body = page.locator(f"#desk-edit-{update.pk}-body")
    expect(body).to_be_focused()
    return body


def test_the_second_editor_sees_the_comparison_keeps_their_text_and_saves_it_over(
    page, browser, live_server, story
):
    ivan = make_user(username="ivan", role="Editors")
    maria = make_user(username="maria", role="Editors")
    update = saved_update(story, ivan, ORIGINAL, headline="Міст")
    log_in(page, ivan)
    page.goto(story.get_absolute_url())
    other = other_context(browser, live_server)
    log_in(other, maria)
    other.goto(story.get_absolute_url())
    other.evaluate("document.addEventListener('desk:editing', e => window.deskEditing = e.detail.update)")

    theirs = open_editor(page, update)
    expect(theirs).to_have_value(ORIGINAL)
    mine = open_editor(other, update)
    assert other.evaluate("window.deskEditing") == update.pk  # told to the others (presence)
    mine.fill(MINE)

    theirs.fill(THEIRS)
    theirs.press("Control+Enter")
    article = page.locator(f"#update-{update.pk}")
    expect(article.locator(".update-body")).to_have_text(THEIRS, timeout=WITHIN_TWO_POLLS)
    expect(page.get_by_role("button", name=f"Edit update {update.pk}")).to_be_focused()

    # Maria's page hears of Ivan's save (live.js holds it), but her form and text stay while she edits.
    other.wait_for_function(  # a function, not an expression: the page's CSP forbids eval
        "(id) => id in window.liveblog.story.held", arg=f"update-{update.pk}", timeout=WITHIN_TWO_POLLS
    )
    expect(mine).to_have_value(MINE)
    expect(other.locator(f"#update-{update.pk} .update-body")).to_have_text(ORIGINAL)  # hidden, not redrawn
    other.reload()  # her text comes back after a reload, on the version she started from
    mine = other.locator(f"#desk-edit-{update.pk}-body")
    expect(mine).to_have_value(MINE)
    expect(other.locator(f"#update-{update.pk} .desk-edit .desk-status")).to_have_text(
        "Your unsaved text for this update was restored."
    )
    mine.press("Control+Enter")

    conflict = other.locator(f"#update-{update.pk} .desk-conflict")
    expect(conflict.locator(".desk-conflict-title")).to_have_text(
        re.compile(r"^Ivan Tester saved this update at .+, while you were editing it\.$")
    )
    expect(conflict.locator(".desk-conflict-title")).to_be_focused()
    expect(conflict.locator(".desk-theirs h5")).to_have_text("Their version (saved)")
    expect(conflict.locator(".desk-yours h5")).to_have_text("Your version (not saved)")
    assert conflict.locator(".desk-theirs .desk-compare-text").text_content() == THEIRS
    assert conflict.locator(".desk-yours .desk-compare-text").text_content() == MINE
    expect(conflict.locator(".desk-theirs del")).to_have_text(["6:00 для всіх."])
    expect(conflict.locator(".desk-yours ins")).to_have_text(["7:00 — 桥梁 重新开放 (الجسر مفتوح)."])
    expect(conflict.get_by_role("button")).to_have_text(
        ["Keep editing", "Take theirs", "Save mine over theirs"]
    )
    expect(mine).to_have_value(MINE)  # kept in the form while she chooses
    assert Update.objects.get(pk=update.pk).body == THEIRS
    assert serious_violations(other) == []

    SCREENSHOTS.mkdir(exist_ok=True)
    other.screenshot(path=SCREENSHOTS / "desk-edit-1280.png", full_page=False)
    conflict.scroll_into_view_if_needed()
    other.set_viewport_size({"width": 390, "height": 844})
    conflict.scroll_into_view_if_needed()
    other.screenshot(path=SCREENSHOTS / "desk-edit-390.png", full_page=False)
    overflow = other.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0

    conflict.get_by_role("button", name="Save mine over theirs").click()
    expect(other.locator(f"#update-{update.pk} .update-body")).to_have_text(MINE, timeout=WITHIN_TWO_POLLS)
    expect(other.locator(".desk-edit")).to_have_count(0)
    saved = Update.objects.get(pk=update.pk)
    assert (saved.body, saved.version) == (MINE, 3)
    assert list(saved.revisions.values_list("version", "body", "saved_by__username")) == [
        (3, MINE, "maria"),
        (2, THEIRS, "ivan"),
        (1, ORIGINAL, "ivan"),
    ]
    assert other.evaluate(KEPT_EDITS) == []  # nothing kept once saved
    assert other.evaluate("window.deskEditing") is None
    other.context.close()


def test_take_theirs_drops_mine_and_keep_editing_bases_mine_on_theirs(page, browser, live_server, story):
    ivan = make_user(username="ivan", role="Editors")
    update = saved_update(story, ivan, ORIGINAL)
    log_in(page, make_user(username="olha", role="Editors"))
    page.goto(story.get_absolute_url())
    mine = open_editor(page, update)
    mine.fill("Мій текст")
    update.body = THEIRS
    services.save_update(update=update, user=ivan)
    mine.press("Control+Enter")
    conflict = page.locator(f"#update-{update.pk} .desk-conflict")
    conflict.get_by_role("button", name="Keep editing").click()
    expect(mine).to_be_focused()
    expect(mine).to_have_value("Мій текст")
    mine.fill("Мій текст, виправлений")
    mine.press("Control+Enter")  # now based on theirs: saved
    expect(page.locator(f"#update-{update.pk} .update-body")).to_have_text(
        "Мій текст, виправлений", timeout=WITHIN_TWO_POLLS
    )
    assert Update.objects.get(pk=update.pk).version == 3

    mine = open_editor(page, update)
    mine.fill("Ще одна спроба")
    fresh = Update.objects.get(pk=update.pk)
    fresh.body = "Їхня остання версія"
    services.save_update(update=fresh, user=ivan)
    page.keyboard.press("Control+Enter")
    conflict.get_by_role("button", name="Take theirs").click()
    expect(page.locator(f"#update-{update.pk} .update-body")).to_have_text(
        "Їхня остання версія", timeout=WITHIN_TWO_POLLS
    )
    expect(page.locator(".desk-edit")).to_have_count(0)
    assert Update.objects.get(pk=update.pk).body == "Їхня остання версія"
    assert page.evaluate(KEPT_EDITS) == []


def test_a_reporter_may_edit_only_their_own_updates_by_keyboard(page, browser, live_server, story):
    olena = make_user(username="olena", role="Reporters")
    own = saved_update(story, olena, "Мій репортаж з місця подій.")
    log_in(page, olena)
    page.goto(story.get_absolute_url())
    buttons = page.locator("#updates .desk-edit-actions button")
    expect(buttons).to_have_text(["Edit", "Delete"])
    expect(page.locator(f"#update-{own.pk} .desk-edit-actions")).to_have_count(1)

    # One that arrives live gets the buttons when it is hers, not when it is someone else's.
    someone = make_update(story=story, body="别人的更新。")
    expect(page.locator(f"#update-{someone.pk}")).to_have_count(1, timeout=WITHIN_TWO_POLLS)
    page.get_by_label("Update (Markdown)").fill("وصلنا إلى الموقع.")
    page.keyboard.press("Control+Enter")
    published = None
    expect(page.locator("#desk .desk-status")).to_have_text("Published.")
    published = story.updates.get(body="وصلنا إلى الموقع.")
    expect(page.locator(f"#update-{published.pk} .desk-edit-actions button")).to_have_text(
        ["Edit", "Delete"], timeout=WITHIN_TWO_POLLS
    )
    expect(page.locator(".desk-edit-actions")).to_have_count(2)
    expect(page.locator(f"#update-{someone.pk} .desk-edit-actions")).to_have_count(0)

    edit = page.get_by_role("button", name=f"Edit update {own.pk}")
    edit.focus()
    page.keyboard.press("Enter")
    body = page.locator(f"#desk-edit-{own.pk}-body")
    expect(body).to_be_focused()
    expect(body).to_have_value("Мій репортаж з місця подій.")
    page.keyboard.type(" Оновлено.")
    page.keyboard.press("Escape")
    expect(page.locator(".desk-edit")).to_have_count(0)
    expect(edit).to_be_focused()
    expect(page.locator(f"#update-{own.pk} .update-body")).to_have_text("Мій репортаж з місця подій.")
    assert Update.objects.get(pk=own.pk).version == 1

    # The API refuses her someone else's update too (the buttons only follow it).
    answer = page.evaluate(
        """url => fetch(url, {method: 'PATCH', headers: {'Content-Type': 'application/json',
            'X-CSRFToken': window.liveblog.desk.csrf_token, 'If-Match': '*'},
            body: JSON.stringify({markdown: 'x'})}).then(r => r.status)""",
        f"/api/v1/stories/{story.slug}/updates/{someone.pk}/",
    )
    assert answer == 403


def test_delete_in_place_asks_then_readers_pages_drop_it(page, browser, live_server, story):
    ivan = make_user(username="ivan", role="Editors")
    update = saved_update(story, ivan, "Помилкове оновлення.")
    reader = other_context(browser, live_server)
    reader.goto(story.get_absolute_url())
    expect(reader.locator("#updates > article.update")).to_have_count(4)
    log_in(page, ivan)
    page.goto(story.get_absolute_url())

    page.get_by_role("button", name=f"Delete update {update.pk}").click()
    confirm = page.get_by_role("group", name="Delete this update? Readers’ pages drop it.")
    expect(confirm.get_by_role("button", name="Keep it")).to_be_focused()
    page.keyboard.press("Escape")
    expect(confirm).to_have_count(0)
    expect(page.get_by_role("button", name=f"Delete update {update.pk}")).to_be_focused()

    # Changed since the page showed it: not deleted, and said so.
    page.route("**/changes.json*", lambda route: route.abort())
    page.get_by_role("button", name=f"Delete update {update.pk}").click()
    update.body = "Виправлене оновлення."
    services.save_update(update=update, user=ivan)
    confirm.get_by_role("button", name="Delete it").click()
    expect(confirm.locator(".desk-status")).to_have_text(
        "Not deleted: someone changed this update since this page showed it. Look again."
    )
    assert Update.objects.filter(pk=update.pk).exists()
    page.unroute("**/changes.json*")
    expect(page.locator(f"#update-{update.pk} .update-body")).to_have_text(
        "Виправлене оновлення.", timeout=WITHIN_TWO_POLLS
    )

    page.get_by_role("button", name=f"Delete update {update.pk}").click()
    confirm.get_by_role("button", name="Delete it").click()
    expect(page.locator(f"#update-{update.pk}")).to_have_count(0)
    assert not Update.objects.filter(pk=update.pk).exists()
    expect(reader.locator(f"#update-{update.pk}")).to_have_count(0, timeout=WITHIN_TWO_POLLS)
    expect(reader.locator("#updates > article.update")).to_have_count(3)
    assert reader.locator(".desk-edit-actions").count() == 0
    reader.context.close()
