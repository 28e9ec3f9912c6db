"""Who may do what: the functions of ``coverage.permissions``, asked without a request."""

import pytest

from coverage import permissions
from coverage.models import Image, Update
from tests.factories import make_story, make_update, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsroom():
    editor = make_user(username="edith", role="Editors")
    reporter = make_user(username="remy", role="Reporters")
    colleague = make_user(username="carla", role="Reporters")
    story = make_story()
    mine = make_update(story=story, authors=[reporter.author], body="Мой текст.")
    theirs = make_update(story=story, authors=[colleague.author], body="نص الزميلة.")
    created = Update.objects.create(story=story, body="Filed for Carla.", created_by=reporter)
    return editor, reporter, story, mine, theirs, created


def test_editors_may_edit_every_update_and_reporters_their_own(newsroom):
    editor, reporter, _, mine, theirs, created = newsroom
    assert [permissions.can_edit_update(editor, update) for update in (mine, theirs, created)] == [True] * 3
    assert [permissions.can_edit_update(reporter, update) for update in (mine, theirs, created)] == [
        True,
        False,
        True,  # created by the reporter, whoever the byline names
    ]
    assert permissions.can_edit_update(reporter, None) and permissions.can_edit_update(reporter, Update())
    assert set(permissions.editable_updates(reporter)) == {mine, created}
    assert set(permissions.editable_updates(editor)) == {mine, theirs, created}
    assert list(permissions.editable_updates(reporter, Update.objects.filter(pk=theirs.pk))) == []


def test_only_editors_pin_moderate_and_forget_deleted_stories(newsroom):
    editor, reporter, *_ = newsroom
    for check in (
        permissions.can_pin,
        permissions.can_edit_any_update,
        permissions.can_edit_lead_images,
        permissions.can_moderate_comments,
        permissions.can_forget_deleted_story,
    ):
        assert (check(editor), check(reporter)) == (True, False), check.__name__


def test_a_picture_goes_with_its_update_and_a_lead_image_with_its_story(newsroom):
    editor, reporter, story, mine, theirs, _ = newsroom
    in_mine = Image(story=story, update=mine)
    in_theirs = Image(story=story, update=theirs)
    lead = Image(story=story)
    assert [permissions.can_edit_image(reporter, image) for image in (in_mine, in_theirs, lead, None)] == [
        True,
        False,
        False,
        True,
    ]
    assert all(permissions.can_edit_image(editor, image) for image in (in_mine, in_theirs, lead, None))
