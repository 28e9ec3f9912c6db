"""A reader comments; an editor approves it in the admin; the reader sees it."""

import pytest

from coverage.models import Comment
from tests.factories import PASSWORD, make_story, make_update, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reader_comment_goes_through_moderation(page, browser, live_server):
    story = make_story(title="Flood watch")
    make_update(story=story, body="The river is rising.")
    editor = make_user(username="editor", role="Editors")

    page.goto(story.get_absolute_url())
    page.fill("#id_name", "Mykola Reader")
    page.fill("#id_email", "mykola@example.org")
    page.fill("#id_body", "Stay safe, everyone on the east bank.")
    page.click("text=Post comment")
    notice = page.locator(".comments .notice[role=status]")
    notice.wait_for()
    assert "awaiting moderation" in notice.inner_text()
    assert page.locator(".comment").count() == 0
    assert Comment.objects.get().status == Comment.Status.PENDING

    desk = browser.new_context(base_url=live_server.url).new_page()
    desk.goto("/admin/login/")
    desk.fill("#id_username", editor.username)
    desk.fill("#id_password", PASSWORD)
    desk.click("input[type=submit]")
    desk.goto("/admin/coverage/comment/")
    desk.locator("table#result_list tbody tr").first.locator("input.action-select").check()
    desk.select_option("select[name=action]", "approve")
    desk.click("button[name=index]")
    assert "1 comment approved" in desk.locator(".messagelist").inner_text()
    desk.context.close()

    page.reload()
    comment = page.locator(".comment")
    assert comment.count() == 1
    assert "Stay safe, everyone on the east bank." in comment.inner_text()
    assert "Mykola Reader" in comment.inner_text()
    assert "mykola@example.org" not in page.content()
