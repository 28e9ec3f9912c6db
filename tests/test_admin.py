"""The newsroom admin: roles, conflict-safe editing, the update form, stories, authors."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from coverage import services, times
from coverage.models import Story, Update, UpdateRevision
from tests.factories import make_author, make_story, make_update, make_user
from tests.htmlforms import form_data

pytestmark = pytest.mark.django_db

UPDATE_ADD = reverse("admin:coverage_update_add")


def change_url(obj):
    return reverse(f"admin:coverage_{obj._meta.model_name}_change", args=[obj.pk])


def delete_url(obj):
    return reverse(f"admin:coverage_{obj._meta.model_name}_delete", args=[obj.pk])


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def editor(client):
    return make_user(username="edith", role="Editors")


@pytest.fixture
def reporter():
    return make_user(username="remy", role="Reporters")


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def update_form(client, update):
    """The change form of ``update`` as the browser would submit it untouched."""
    response = client.get(change_url(update))
    assert response.status_code == 200
    return form_data(response.content, "update_form", _save="Save")


def errors_of(response):
    return " ".join(
        re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
    )


# --- roles ---------------------------------------------------------------------------


def test_fresh_database_has_the_two_roles():
    editors = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    reporters = set(Group.objects.get(name="Reporters").permissions.values_list("codename", flat=True))
    for model in ("story", "update", "author", "image"):
        assert {f"{action}_{model}" for action in ("add", "change", "delete", "view")} <= editors
    assert "change_any_update" in editors
    assert {
        "add_update",
        "change_update",
        "delete_update",
        "view_update",
        "view_story",
        "view_author",
    } <= reporters
    assert {"add_image", "change_image", "delete_image"} <= reporters
    assert not {"change_any_update", "add_story", "change_story", "delete_story"} & reporters
    assert not {"add_author", "change_author", "delete_author"} & reporters


def test_reporter_cannot_change_or_delete_another_reporters_update(reporter):
    colleague = make_user(username="carla", role="Reporters")
    theirs = make_update(authors=[colleague.author], body="Carla's words.")
    client = client_for(reporter)

    page = client.get(change_url(theirs))  # read-only view: no save button, no delete link
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html and delete_url(theirs) not in html
    assert "Carla Tester" in html  # the byline, read-only
    assert "Carla&#x27;s words." in html or "Carla's words." in html

    data = {
        "story": theirs.story_id,
        "byline": [reporter.author.pk],
        "body": "Hijacked.",
        "status": "published",
    }
    assert client.post(change_url(theirs), data).status_code == 403
    assert client.get(delete_url(theirs)).status_code == 403
    assert client.post(delete_url(theirs), {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse("admin:coverage_update_changelist"),
        {"action": "delete_selected", "_selected_action": [theirs.pk], "post": "yes"},
    )
    assert bulk.status_code == 403
    theirs.refresh_from_db()
    assert theirs.body == "Carla's words." and theirs.version == 1


def test_reporter_cannot_delete_or_change_a_story(reporter):
    story = make_story(title="Election night")
    client = client_for(reporter)
    assert client.get(delete_url(story)).status_code == 403
    assert client.post(delete_url(story), {"post": "yes"}).status_code == 403
    assert client.post(change_url(story), {"title": "Renamed", "slug": story.slug}).status_code == 403
    assert client.get(reverse("admin:coverage_story_add")).status_code == 403
    assert Story.objects.get(pk=story.pk).title == "Election night"


def test_reporter_edits_and_deletes_their_own_updates(reporter):
    mine = make_update(authors=[reporter.author], body="First draft.")
    client = client_for(reporter)
    data = update_form(client, mine)
    data["body"] = "Second draft."
    assert client.post(change_url(mine), data).status_code == 302
    assert Update.objects.get(pk=mine.pk).body == "Second draft."
    assert client.post(delete_url(mine), {"post": "yes"}).status_code == 302
    assert not Update.objects.filter(pk=mine.pk).exists()


def test_an_update_a_reporter_created_for_a_colleague_stays_theirs(reporter):
    colleague = make_author(name="Desk Colleague")
    story = make_story()
    client = client_for(reporter)
    response = client.post(
        UPDATE_ADD,
        {"story": story.pk, "byline": [colleague.pk], "body": "Filed for a colleague.", "status": "published",
         "images-TOTAL_FORMS": 0, "images-INITIAL_FORMS": 0,
         "clips-TOTAL_FORMS": 0, "clips-INITIAL_FORMS": 0},
    )  # fmt: skip
    assert response.status_code == 302, errors_of(response)
    update = Update.objects.get(body="Filed for a colleague.")
    assert update.created_by == reporter
    data = update_form(client, update)
    assert 'name="_save"' in client.get(change_url(update)).content.decode()
    data["body"] = "Filed, then fixed."
    assert client.post(change_url(update), data).status_code == 302


def test_reporters_cannot_pin(reporter):
    mine = make_update(authors=[reporter.author])
    client = client_for(reporter)
    data = update_form(client, mine)
    assert "pinned" not in data
    data["pinned"] = "on"
    assert client.post(change_url(mine), data).status_code == 302
    assert not Update.objects.get(pk=mine.pk).pinned


def test_reporters_see_the_whole_list_and_can_filter_their_own(reporter):
    make_update(authors=[reporter.author], headline="Mine")
    make_update(headline="Someone else's")
    client = client_for(reporter)
    everyone = client.get(reverse("admin:coverage_update_changelist")).content.decode()
    assert "Mine" in everyone and "Someone else" in everyone
    mine = client.get(reverse("admin:coverage_update_changelist") + "?mine=1").content.decode()
    assert "Mine" in mine and "Someone else" not in mine


# --- conflict-safe editing ------------------------------------------------------------


def test_second_save_from_a_stale_form_is_refused_and_keeps_its_text(editor):
    update = make_update(headline="Talks resume", body="Negotiators met in Geneva on Tuesday.")
    first, second = client_for(editor), client_for(make_user(username="oscar", role="Editors"))
    first_form, second_form = update_form(first, update), update_form(second, update)

    first_form["body"] = "Negotiators met in Geneva on Tuesday morning."
    assert first.post(change_url(update), first_form).status_code == 302

    second_form["body"] = "Negotiators met in Geneva on Tuesday, officials said."
    refused = second.post(change_url(update), second_form)
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Edith Tester saved this update" in html and "after you opened it" in html
    assert "Your changes are not saved" in html
    assert "\nNegotiators met in Geneva on Tuesday, officials said.</textarea>" in html  # still in the form
    assert "<ins>officials said.</ins>" in html and "<del>morning.</del>" in html  # what changed
    update.refresh_from_db()
    assert update.body == "Negotiators met in Geneva on Tuesday morning."
    assert update.version == 2

    # Having seen the comparison, the second editor saves again on purpose.
    again = form_data(html, "update_form", _save="Save")
    assert again["base_version"] == "2"
    assert second.post(change_url(update), again).status_code == 302
    update.refresh_from_db()
    assert update.body == "Negotiators met in Geneva on Tuesday, officials said."


def test_stale_story_form_is_refused(editor):
    story = make_story(title="Storm makes landfall")
    first, second = client_for(editor), client_for(make_user(username="oscar", role="Editors"))
    url = change_url(story)
    first_form = form_data(first.get(url).content, "story_form", _save="Save")
    second_form = form_data(second.get(url).content, "story_form", _save="Save")
    first_form["title"] = "Storm makes landfall in Florida"
    assert first.post(url, first_form).status_code == 302
    second_form["poll_interval"] = "30"
    refused = second.post(url, second_form)
    assert refused.status_code == 200
    assert "saved this story" in refused.content.decode()
    story.refresh_from_db()
    assert story.title == "Storm makes landfall in Florida" and story.poll_interval is None


def test_service_refuses_a_stale_instance_even_without_the_form():
    update = make_update(body="Original.")
    mine, theirs = Update.objects.get(pk=update.pk), Update.objects.get(pk=update.pk)
    theirs.body = "Theirs."
    services.save_update(update=theirs)
    mine.body = "Mine."
    with pytest.raises(services.StaleEdit):
        services.save_update(update=mine)
    assert Update.objects.get(pk=update.pk).body == "Theirs."

    story = make_story()
    one, two = Story.objects.get(pk=story.pk), Story.objects.get(pk=story.pk)
    services.end_coverage(story=one)
    two.title = "Stale"
    with pytest.raises(services.StaleEdit):
        services.save_story(story=two)
    assert Story.objects.get(pk=story.pk).status == Story.Status.ENDED


# --- the update form ---------------------------------------------------------------


def test_from_add_an_update_to_published_takes_one_form_and_one_click(client, editor):
    story = make_story(title="Budget vote")
    make_update(story=story, body="Earlier update.")
    client.force_login(editor)

    story_page = client.get(change_url(story)).content.decode()
    link = f"{UPDATE_ADD}?story={story.pk}"
    assert f'href="{link}"' in story_page and "Add an update to this story" in story_page
    assert f'href="{link}"' in client.get(reverse("admin:coverage_story_changelist")).content.decode()

    form = client.get(link)
    # The form as it arrives, plus the words typed: nothing else to choose.
    data = form_data(form.content, "update_form", body="The vote passed, 52 to 48.", _save="Save")
    assert data["story"] == str(story.pk)
    assert data["byline"] == str(editor.author.pk)
    assert data["status"] == Update.Status.PUBLISHED
    response = client.post(link, data)
    assert response.status_code == 302, errors_of(response)

    update = Update.objects.get(body="The vote passed, 52 to 48.")
    assert update in Update.objects.published()
    assert abs(update.published_at - timezone.now()) < timedelta(minutes=1)
    assert update.byline_authors() == [editor.author]
    assert "The vote passed, 52 to 48." in client.get(story.get_absolute_url()).content.decode()


def test_save_and_add_another_opens_a_fresh_form_for_the_same_story(client, editor):
    story = make_story()
    client.force_login(editor)
    link = f"{UPDATE_ADD}?story={story.pk}"
    data = form_data(client.get(link).content, "update_form", body="One.", _addanother="Save and add another")
    response = client.post(link, data)
    assert response.status_code == 302
    assert response["Location"] == link
    fresh = client.get(response["Location"]).content.decode()
    assert f'<option value="{story.pk}" selected>' in fresh
    assert "One.</textarea>" not in fresh


def test_byline_order_is_kept_and_shown_in_order(client, editor):
    story = make_story()
    zoe, adam = make_author(name="Zoe Zed"), make_author(name="Adam Able")
    client.force_login(editor)
    link = f"{UPDATE_ADD}?story={story.pk}"
    data = form_data(client.get(link).content, "update_form", body="Two bylines.", byline=[zoe.pk, adam.pk])
    assert client.post(link, data).status_code == 302
    update = Update.objects.get(body="Two bylines.")
    assert update.byline_authors() == [zoe, adam]
    html = client.get(change_url(update)).content.decode()
    assert html.index("Zoe Zed") < html.index("Adam Able")


def test_scheduling_needs_a_future_time(client, editor):
    story = make_story()
    client.force_login(editor)
    link = f"{UPDATE_ADD}?story={story.pk}"
    blank = form_data(client.get(link).content, "update_form", body="Later.", status="scheduled")
    past = timezone.localtime(timezone.now() - timedelta(hours=1))
    refused = client.post(link, {**blank, "published_at_0": past.strftime("%Y-%m-%d"),
                                 "published_at_1": past.strftime("%H:%M:%S")})  # fmt: skip
    assert "choose a time in the future" in errors_of(refused)
    assert "Choose when this update goes public" in errors_of(client.post(link, blank))

    future = timezone.localtime(timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    data = {
        **blank,
        "published_at_0": future.strftime("%Y-%m-%d"),
        "published_at_1": future.strftime("%H:%M:%S"),
    }
    assert client.post(link, data).status_code == 302
    update = Update.objects.get(body="Later.")
    assert update.status == Update.Status.SCHEDULED and update.published_at == future
    assert update not in Update.objects.published()
    assert update in Update.objects.published(now=future + timedelta(seconds=1))


def test_publish_now_with_a_future_time_is_refused(client, editor):
    story = make_story()
    client.force_login(editor)
    link = f"{UPDATE_ADD}?story={story.pk}"
    future = timezone.localtime(timezone.now() + timedelta(hours=2))
    data = form_data(client.get(link).content, "update_form", body="Oops.")
    data |= {"published_at_0": future.strftime("%Y-%m-%d"), "published_at_1": future.strftime("%H:%M:%S")}
    assert "Schedule for later" in errors_of(client.post(link, data))
    assert not Update.objects.filter(body="Oops.").exists()


def test_publishing_a_draft_uses_the_time_of_publishing():
    old = timezone.now() - timedelta(days=2)
    draft = make_update(status=Update.Status.DRAFT, published_at=old)
    client = client_for(make_user(role="Editors"))
    data = update_form(client, draft)
    data["status"] = "published"
    assert client.post(change_url(draft), data).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Update.Status.PUBLISHED
    assert abs(draft.published_at - timezone.now()) < timedelta(minutes=1)
    assert draft.edited_at is None


def bound_update_form(client, update, **changes):
    """The admin's update form for ``update``, bound to what the page would submit with ``changes``,
    read in the story's zone as the admin reads it."""
    from coverage.admin.forms import UpdateForm

    data = QueryDict(mutable=True)
    for name, value in (update_form(client, update) | changes).items():
        data.setlist(name, value if isinstance(value, list) else [value])
    with timezone.override(times.zone_of(update.story)):
        form = UpdateForm(data, instance=update)
        assert form.is_valid(), form.errors
    return form


def test_publish_now_is_dated_by_the_service_alone(editor):
    """The form leaves the time of "Publish now" empty; ``services.save_update`` sets it, once."""
    draft = make_update(status=Update.Status.DRAFT, published_at=timezone.now() - timedelta(days=2))
    form = bound_update_form(client_for(editor), draft, status="published")
    update = form.save(commit=False)
    assert update.status == Update.Status.PUBLISHED and update.published_at is None

    moment = timezone.now().replace(microsecond=0) - timedelta(seconds=30)
    services.save_update(update=update, authors=form.cleaned_data["byline"], user=editor, now=moment)
    draft.refresh_from_db()
    assert (draft.status, draft.published_at) == (Update.Status.PUBLISHED, moment)
    assert draft in Update.objects.published()


def test_the_form_leaves_the_pin_and_publish_now_to_the_service(editor):
    """Pinning beside another pin and "Publish now" without a time break the model's constraints
    until ``services.save_update`` has done its part: the form must not refuse them."""
    story = make_story()
    old_pin = make_update(story=story, pinned=True)
    draft = make_update(story=story, status=Update.Status.DRAFT)
    form = bound_update_form(client_for(editor), draft, status="published", pinned="on")
    update = form.save(commit=False)
    assert (update.pinned, update.published_at) == (True, None)
    with pytest.raises(ValidationError):  # what the form does not ask the model
        update.full_clean()

    services.save_update(update=update, authors=form.cleaned_data["byline"], user=editor)
    assert list(story.updates.filter(pinned=True)) == [draft]
    old_pin.refresh_from_db()
    assert not old_pin.pinned


def test_an_update_to_look_at_only_shows_its_time_and_pin_as_text(reporter):
    colleague = make_user(username="carla", role="Reporters")
    theirs = make_update(authors=[colleague.author], pinned=True)
    html = client_for(reporter).get(change_url(theirs)).content.decode()
    assert 'name="published_at_0"' not in html and 'name="pinned"' not in html
    assert "DateTimeShortcuts.js" not in html  # no date picker on a page without date fields
    assert '<label class="inline">Time:</label>' in html
    assert "<label>Pin on top of the story (replaces its pin):</label>" in html


def test_editing_published_text_sets_edited_and_keeps_the_previous_body(editor):
    update = make_update(body="Casualty figures are not yet known.")
    client = client_for(editor)
    data = update_form(client, update)
    data["key_event"] = "on"
    assert client.post(change_url(update), data).status_code == 302
    update.refresh_from_db()
    assert update.key_event and update.edited_at is None  # not a change of text

    data = update_form(client, update)
    data["body"] = "Officials said 12 people were hurt."
    assert client.post(change_url(update), data).status_code == 302
    update.refresh_from_db()
    assert update.edited_at is not None
    # Every save is a version with its revision; the factory's row (version 1) had none, so it is kept too.
    assert list(update.revisions.values_list("version", "body", "saved_by")) == [
        (3, "Officials said 12 people were hurt.", editor.pk),
        (2, "Casualty figures are not yet known.", editor.pk),
        (1, "Casualty figures are not yet known.", None),
    ]
    history = client.get(change_url(update)).content.decode()
    # The earlier text shows once (versions 1 and 2 hold the same text: the key-event save changed none).
    assert "Earlier versions" in history and history.count("Casualty figures are not yet known.") == 1
    assert history.count('<details class="coverage-revision">') == 1
    assert LogEntry.objects.filter(object_id=str(update.pk), user=editor).count() == 2


def test_pinning_an_update_unpins_the_other(editor):
    story = make_story()
    old_pin = make_update(story=story, pinned=True)
    new_pin = make_update(story=story)
    client = client_for(editor)
    data = update_form(client, new_pin)
    data["pinned"] = "on"
    assert client.post(change_url(new_pin), data).status_code == 302
    assert list(story.updates.filter(pinned=True)) == [new_pin]
    old_pin.refresh_from_db()
    assert old_pin.version == 2  # a form still showing the old pin is now stale

    old_pin.pinned = True
    services.save_update(update=old_pin)
    assert list(story.updates.filter(pinned=True)) == [old_pin]


def test_a_correction_is_dated_and_shown_to_readers(editor):
    update = make_update(body="The bridge is 300 metres long.")
    client = client_for(editor)
    form = client.get(change_url(update)).content.decode()
    assert "Add correction" in form
    data = form_data(form, "update_form", _save="Save")
    data["correction"] = "An earlier version misstated the length of the bridge."
    assert client.post(change_url(update), data).status_code == 302
    update.refresh_from_db()
    assert update.corrected_at is not None
    page = client.get(update.story.get_absolute_url()).content.decode()
    assert 'class="correction"' in page
    assert "An earlier version misstated the length of the bridge." in page
    assert f'datetime="{update.corrected_at.isoformat(timespec="seconds").replace("+00:00", "Z")}"' in page


def test_markdown_preview_is_staff_only_and_sanitized(client, editor):
    url = reverse("admin:coverage_update_preview")
    assert client.post(url, {"text": "*hi*"}).status_code == 302  # to the login page
    client.force_login(editor)
    assert client.get(url).status_code == 405
    html = client.post(url, {"text": "**Bold** <script>alert(1)</script>"}).json()["html"]
    assert "<strong>Bold</strong>" in html and "<script>" not in html
    form = client.get(UPDATE_ADD).content.decode()
    assert f'data-preview-url="{url}"' in form and "coverage/admin/preview.js" in form
    assert "<script>" not in re.sub(r"<script[^>]*\bsrc=[^>]*>", "", form)  # no inline script


def test_update_list_filters_search_and_thumbnails(client, editor):
    story = make_story(title="Harbour fire")
    make_update(story=story, headline="Fire spreads to the docks", key_event=True)
    make_update(story=story, headline="Crews arrive", status=Update.Status.DRAFT)
    client.force_login(editor)
    url = reverse("admin:coverage_update_changelist")
    assert "Fire spreads" in client.get(url, {"q": "docks"}).content.decode()
    assert "Crews arrive" not in client.get(url, {"q": "docks"}).content.decode()
    for query in [{"story__id__exact": story.pk}, {"status__exact": "draft"}, {"key_event__exact": 1},
                  {"pinned__exact": 0}, {"authors__id__exact": editor.author.pk}]:  # fmt: skip
        assert client.get(url, query).status_code == 200
    drafts = client.get(url, {"status__exact": "draft"}).content.decode()
    assert "Crews arrive" in drafts and "Fire spreads" not in drafts
    listing = client.get(url).content.decode()
    assert listing.index("Crews arrive") < listing.index("Fire spreads")  # drafts, then newest first


# --- stories and authors ------------------------------------------------------------


def test_story_list_shows_live_badge_counts_and_last_update(client, editor):
    story = make_story(title="Quake aftermath")
    make_update(story=story)
    make_update(story=story, status=Update.Status.DRAFT)
    make_story(title="Quiet story", status=Story.Status.DRAFT)
    client.force_login(editor)
    html = client.get(reverse("admin:coverage_story_changelist")).content.decode()
    assert html.count('class="coverage-live"') == 1
    updates = f"{reverse('admin:coverage_update_changelist')}?story__id__exact={story.pk}"
    assert f'<td class="field-update_count"><a href="{updates}">2</a></td>' in html
    assert "Quake" in client.get(reverse("admin:coverage_story_changelist"), {"q": "quake"}).content.decode()


def test_start_and_end_coverage_actions(client, editor):
    story = make_story(status=Story.Status.DRAFT, coverage_start=None)
    client.force_login(editor)
    url = reverse("admin:coverage_story_changelist")
    client.post(url, {"action": "start_coverage", "_selected_action": [story.pk]})
    story.refresh_from_db()
    assert story.status == Story.Status.LIVE and story.coverage_start is not None
    client.post(url, {"action": "end_coverage", "_selected_action": [story.pk]})
    story.refresh_from_db()
    assert story.status == Story.Status.ENDED and story.coverage_end >= story.coverage_start
    assert story.version == 3


def test_story_form_edits_poll_interval(client, editor):
    story = make_story()
    client.force_login(editor)
    data = form_data(client.get(change_url(story)).content, "story_form", _save="Save", poll_interval="30")
    assert client.post(change_url(story), data).status_code == 302
    assert Story.objects.get(pk=story.pk).poll_interval == 30


def test_author_list_links_the_login(client, editor):
    client.force_login(editor)
    html = client.get(reverse("admin:coverage_author_changelist")).content.decode()
    assert reverse("admin:auth_user_change", args=[editor.pk]) in html
    assert "Edith Tester" in html


def test_a_save_that_leaves_the_text_is_a_revision_too(editor):
    """Who published, unpublished or re-credited an update is in its history."""
    update = make_update(body="Same.", status=Update.Status.DRAFT)
    update.status = Update.Status.PUBLISHED
    services.save_update(update=update, user=editor)
    assert list(UpdateRevision.objects.filter(update=update).values_list("version", "body", "saved_by")) == [
        (2, "Same.", editor.pk),
        (1, "Same.", None),
    ]


def test_publish_now_action_publishes_drafts_a_reporter_may_edit(client, reporter):
    mine = make_update(authors=[reporter.author], status=Update.Status.DRAFT)
    theirs = make_update(status=Update.Status.DRAFT)
    client.force_login(reporter)
    response = client.post(
        reverse("admin:coverage_update_changelist"),
        {"action": "publish_now", "_selected_action": [mine.pk, theirs.pk]},
        follow=True,
    )
    assert "Published: 1 update." in response.content.decode()
    assert set(Update.objects.published()) == {mine}


def test_conflict_diff_keeps_spacing_and_cuts_long_unchanged_text():
    from coverage.admin.versioned import word_diff

    saved = "Opening words. " + "filler " * 60 + "said on Wednesday " + "more " * 60 + "end."
    yours = saved.replace("said on", "said late on")
    pieces = word_diff(saved, yours)
    assert [kind for kind, _ in pieces] == ["same", "yours", "same"]
    assert pieces[0][1].startswith("[…] filler") and pieces[0][1].endswith("said ")
    assert pieces[1][1] == "late "
    assert pieces[2][1].startswith("on Wednesday") and pieces[2][1].endswith(" […]")
    assert "Opening words." not in pieces[0][1]


def test_list_pages_make_the_same_number_of_queries_however_many_rows(client, editor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(editor)
    story = make_story()

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def add_updates(count):
        for _ in range(count):
            make_update(story=story, authors=[make_author(), make_author()])

    add_updates(2)
    urls = [reverse("admin:coverage_update_changelist"), reverse("admin:coverage_story_changelist")]
    before = [queries(url) for url in urls]
    add_updates(5)
    make_story()
    assert [queries(url) for url in urls] == before
