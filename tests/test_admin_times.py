"""Times in the newsroom admin: shown and read in the story's zone, as readers see them."""

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from coverage.models import Comment, Story, Update
from tests.factories import make_story, make_update, make_user
from tests.htmlforms import form_data

pytestmark = pytest.mark.django_db

UPDATE_ADD = reverse("admin:coverage_update_add")


@pytest.fixture
def editor(client):
    client.force_login(make_user(username="edith", role="Editors"))
    return client


def errors_of(response):
    html = response.content.decode()
    return " ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S))


def tomorrow_in(zone):
    return (timezone.now().astimezone(zone) + timedelta(days=1)).date()


@pytest.mark.parametrize("zone_name", ["America/New_York", "Europe/Kyiv", "Asia/Tokyo"])
def test_scheduling_at_nine_publishes_at_nine_in_the_storys_zone(editor, zone_name):
    zone = ZoneInfo(zone_name)
    story = make_story(time_zone=zone_name)
    link = f"{UPDATE_ADD}?story={story.pk}"
    form = editor.get(link)
    assert f"Time ({zone_name}):</label>" in form.content.decode()
    day = tomorrow_in(zone)
    data = form_data(form.content, "update_form", body="At nine.", status="scheduled",
                     published_at_0=day.isoformat(), published_at_1="09:00")  # fmt: skip
    response = editor.post(link, data)
    assert response.status_code == 302, errors_of(response)
    update = Update.objects.get(body="At nine.")
    assert update.published_at == datetime.combine(day, time(9, 0), zone)
    listing = editor.get(reverse("admin:coverage_update_changelist")).content.decode()
    assert re.search(r'<td class="field-published_time">\w+\.? \d+, 9:00 AM [A-Z+\d]+</td>', listing)


def reader_time(client, update):
    """The text of the ``<time>`` readers see on ``update`` on the story page."""
    html = client.get(update.story.get_absolute_url()).content.decode()
    article = html[html.index(f'id="update-{update.pk}"') :]
    return re.search(r'class="update-time"><a [^>]*><time [^>]*>([^<]+)</time>', article).group(1)


def cell(html, css_class):
    return re.search(rf'<td class="{css_class}">(.*?)</td>', html, re.S).group(1).strip()


def test_admin_shows_the_wall_clock_readers_see(editor):
    # Tokyo: another zone than the newsroom's (New York), on another date than UTC.
    story = make_story(title="Typhoon", time_zone="Asia/Tokyo")
    update = make_update(story=story, published_at=datetime(2025, 3, 13, 13, 5, tzinfo=UTC))
    seen = reader_time(editor, update)
    assert seen == "March 13, 10:05 PM JST"

    listing = editor.get(reverse("admin:coverage_update_changelist")).content.decode()
    assert cell(listing, "field-published_time") == seen
    stories = editor.get(reverse("admin:coverage_story_changelist")).content.decode()
    assert cell(stories, "field-last_update_at") == seen
    Comment.objects.create(story=story, name="Aiko", email="a@example.org", body="Stay safe.",
                           created_at=update.published_at)  # fmt: skip
    comments = editor.get(reverse("admin:coverage_comment_changelist")).content.decode()
    assert cell(comments, "field-received") == seen

    form = editor.get(reverse("admin:coverage_update_change", args=[update.pk]))
    data = form_data(form.content, "update_form")
    assert (data["published_at_0"], data["published_at_1"]) == ("2025-03-13", "22:05:00")
    assert "Time (Asia/Tokyo):</label>" in form.content.decode()

    # Saving the form untouched keeps the time.
    data["_save"] = "Save"
    assert editor.post(reverse("admin:coverage_update_change", args=[update.pk]), data).status_code == 302
    update.refresh_from_db()
    assert update.published_at == datetime(2025, 3, 13, 13, 5, tzinfo=UTC)


def test_a_time_typed_for_another_zone_than_the_storys_is_checked_first(editor):
    kyiv = make_story(title="Kyiv", time_zone="Europe/Kyiv")
    form = editor.get(UPDATE_ADD)  # no story chosen yet: the newsroom's zone
    assert "Time (America/New_York):</label>" in form.content.decode()
    day = tomorrow_in(ZoneInfo("Europe/Kyiv"))
    data = form_data(form.content, "update_form", story=kyiv.pk, body="Curfew lifted.", status="scheduled",
                     published_at_0=day.isoformat(), published_at_1="09:00")  # fmt: skip
    refused = editor.post(UPDATE_ADD, data)
    assert refused.status_code == 200
    assert "This story&#x27;s times are in Kyiv time (Europe/Kyiv)" in errors_of(refused)
    assert "Time (Europe/Kyiv):</label>" in refused.content.decode()
    assert not Update.objects.exists()

    again = form_data(refused.content, "update_form", _save="Save")
    assert (again["published_at_0"], again["published_at_1"]) == (day.isoformat(), "09:00")
    assert again["body"] == "Curfew lifted."  # nothing typed is lost
    assert editor.post(UPDATE_ADD, again).status_code == 302
    assert Update.objects.get().published_at == datetime.combine(day, time(9), ZoneInfo("Europe/Kyiv"))


def test_story_form_shows_and_reads_coverage_times_in_the_storys_zone(editor):
    story = make_story(time_zone="Asia/Kolkata", coverage_start=datetime(2025, 3, 13, 3, 30, tzinfo=UTC))
    url = reverse("admin:coverage_story_change", args=[story.pk])
    form = editor.get(url)
    html = form.content.decode()
    assert "Coverage start (Asia/Kolkata):</label>" in html
    data = form_data(html, "story_form", _save="Save")
    assert (data["coverage_start_0"], data["coverage_start_1"]) == ("2025-03-13", "09:00:00")
    data["coverage_end_0"], data["coverage_end_1"] = "2025-03-14", "18:00"
    assert editor.post(url, data).status_code == 302
    story.refresh_from_db()
    assert story.coverage_start == datetime(2025, 3, 13, 3, 30, tzinfo=UTC)
    assert story.coverage_end == datetime(2025, 3, 14, 18, 0, tzinfo=ZoneInfo("Asia/Kolkata"))


def test_story_time_zone_must_be_a_real_zone(editor):
    story = make_story()
    url = reverse("admin:coverage_story_change", args=[story.pk])
    data = form_data(editor.get(url).content, "story_form", _save="Save", time_zone="New York")
    assert "Not a time zone" in errors_of(editor.post(url, data))
    assert Story.objects.get(pk=story.pk).time_zone == "America/New_York"


def test_changing_a_storys_zone_keeps_its_times_and_shows_them_in_the_new_zone(editor):
    start = datetime(2025, 3, 13, 3, 30, tzinfo=UTC)
    story = make_story(coverage_start=start)  # New York: 11:30 PM the day before
    url = reverse("admin:coverage_story_change", args=[story.pk])
    data = form_data(editor.get(url).content, "story_form", _save="Save", time_zone="Asia/Kolkata")
    assert (data["coverage_start_0"], data["coverage_start_1"]) == ("2025-03-12", "23:30:00")
    assert editor.post(url, data).status_code == 302
    story.refresh_from_db()
    assert (story.time_zone, story.coverage_start) == ("Asia/Kolkata", start)
    again = form_data(editor.get(url).content, "story_form")
    assert (again["coverage_start_0"], again["coverage_start_1"]) == ("2025-03-13", "09:00:00")


def test_moving_an_update_to_a_story_in_another_zone_keeps_its_time(editor):
    published = datetime(2025, 3, 13, 13, 5, tzinfo=UTC)
    update = make_update(story=make_story(title="Here"), published_at=published)
    tokyo = make_story(title="Typhoon", time_zone="Asia/Tokyo")
    url = reverse("admin:coverage_update_change", args=[update.pk])
    data = form_data(editor.get(url).content, "update_form", _save="Save", story=tokyo.pk)
    response = editor.post(url, data)
    assert response.status_code == 302, errors_of(response)
    update.refresh_from_db()
    assert (update.story, update.published_at) == (tokyo, published)
