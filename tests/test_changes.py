""" "See what changed": the versions of an update readers saw, each with what it changed.

Drafts, schedules replaced before their time and revisions whose status was never
recorded are never shown; every text is escaped; the story page pays nothing for the link.
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coverage import history, services, times
from coverage.models import Story, Update, UpdateRevision
from tests.factories import make_story, make_update
from tests.readers import elements, one

pytestmark = pytest.mark.django_db

START = timezone.now().replace(microsecond=0) - timedelta(hours=6)


def at(minutes):
    return START + timedelta(minutes=minutes)


def write(update, *, now, **fields):
    """Save ``update`` with ``fields`` as the admin would, at ``now``; returns it as stored."""
    for name, value in fields.items():
        setattr(update, name, value)
    services.save_update(update=update, now=now)
    return Update.objects.get(pk=update.pk)


def changes_url(update):
    return f"/live/{update.story.slug}/updates/{update.pk}/changes/"


def shown_versions(client, update):
    """What a reader reads on the changes page: per version, its title, headline and paragraphs
    (their HTML as written: the marks, the escaped text)."""
    response = client.get(changes_url(update))
    assert response.status_code == 200
    html = response.content.decode()
    versions = []
    for part in html.split('<li class="version"')[1:]:
        part = part.split("</li>", 1)[0]
        title = one(part, "h2").text
        headlines = [element.text for element in elements(part, "p", cls="version-headline")]
        text = part.split('<div class="version-text', 1)[1]
        versions.append((title, headlines, re.findall(r'<p dir="auto">(.*?)</p>', text, re.S)))
    return versions, html


def long_time(moment, story):
    return times.wall_clock(moment, times.zone_of(story), "long")


@pytest.fixture
def story():
    return make_story(title="Harbour", time_zone="Asia/Tokyo", coverage_start=START)


def test_only_the_versions_readers_saw_are_listed_newest_first(client, story):
    update = Update(story=story, body="Draft one: unconfirmed reports.", status=Update.Status.DRAFT)
    services.save_update(update=update, now=at(0))
    update = write(update, now=at(5), body="Draft two: still checking.")
    update = write(update, now=at(10), status=Update.Status.PUBLISHED, body="The harbour is closed.")
    update = write(update, now=at(20), body="The harbour is closed to ferries.")
    update = write(update, now=at(25), pinned=True)  # no change of text: not a version
    update = write(update, now=at(30), status=Update.Status.DRAFT, body="Internal: waiting on the port.")
    update = write(update, now=at(40), status=Update.Status.PUBLISHED, body="The harbour reopened at noon.")

    versions, html = shown_versions(client, update)
    assert versions == [
        (
            f"Current version, updated {long_time(at(40), story)}",
            [],
            ["The harbour <del>is closed to ferries</del><ins>reopened at noon</ins>."],
        ),
        (
            f"Version 2, updated {long_time(at(20), story)}",
            [],
            ["The harbour is closed<ins> to ferries</ins>."],
        ),
        (f"Version 1, published {long_time(at(10), story)}", [], ["The harbour is closed."]),
    ]
    for draft in ("Draft one", "Draft two", "Internal", "unconfirmed", "waiting on the port"):
        assert draft not in html
    assert one(html, "p", cls="changes-intro").text == (
        "The 3 versions readers saw, newest first. Words taken out are struck through, "
        "words put in are underlined."
    )
    assert "JST" in versions[0][0]  # the story's zone, named


def test_a_text_replaced_before_its_scheduled_time_is_never_shown(client, story):
    update = Update(
        story=story,
        body="Embargoed: the minister resigns.",
        status=Update.Status.SCHEDULED,
        published_at=at(60),
    )
    services.save_update(update=update, now=at(0))
    update = write(update, now=at(30), body="The minister resigned.")
    # At its time (60) it went public with the second text; edited after that.
    update = write(update, now=at(90), body="The minister resigned on Friday.")

    versions, html = shown_versions(client, update)
    assert [(title, texts) for title, _, texts in versions] == [
        (
            f"Current version, updated {long_time(at(90), story)}",
            ["The minister resigned<ins> on Friday</ins>."],
        ),
        (f"Version 1, published {long_time(at(60), story)}", ["The minister resigned."]),
    ]
    assert "Embargoed" not in html


def test_revisions_kept_before_statuses_were_recorded_are_never_shown(client, story):
    update = make_update(story=story, body="Now public.", published_at=at(0))
    UpdateRevision.objects.create(update=update, version=1, body="Perhaps a draft.", saved_at=at(-5))
    Update.objects.filter(pk=update.pk).update(version=2)
    UpdateRevision.objects.create(
        update=update, version=2, body="Now public.", status="published", published_at=at(0), saved_at=at(1)
    )
    versions, html = shown_versions(client, update)
    assert [texts for _, _, texts in versions] == [["Now public."]]
    assert versions[0][0] == f"Current version, published {long_time(at(0), story)}"
    assert one(html, "p", cls="changes-intro").text == "Readers have seen one version of this update."
    assert "Perhaps" not in html


def test_headline_changes_and_every_text_is_escaped(client, story):
    update = make_update(
        story=story, headline="Fire at <b>a</b> depot", body="Smoke & <script>alert(1)</script> seen."
    )
    update = write(
        update,
        now=timezone.now(),
        headline="Fire at <b>a</b> fuel depot",
        body="Smoke & <script>alert(2)</script> seen.\n\nCrews are *on site*.",
    )
    versions, html = shown_versions(client, update)
    assert "<script>" not in html and "<b>" not in html
    (_, headline, texts), (_, first_headline, first_texts) = versions
    assert first_headline == ["Fire at <b>a</b> depot"]
    assert first_texts == ["Smoke &amp; &lt;script&gt;alert(1)&lt;/script&gt; seen."]
    # The current text, marked: Markdown rendered (emphasis read as text), every character escaped.
    assert texts == [
        "Smoke &amp; &lt;script&gt;alert(<del>1</del><ins>2</ins>)&lt;/script&gt; seen.",
        "<ins>Crews are on site.</ins>",
    ]
    assert headline == ["Fire at <b>a</b> fuel depot"]
    marked = re.search(r'<p class="version-headline diff" dir="auto">(.*?)</p>', html).group(1)
    assert marked == "Fire at &lt;b&gt;a&lt;/b&gt; <ins>fuel </ins>depot"


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("Вибухи в Києві.", "Вибухи в Харкові.", "Вибухи в <del>Києві</del><ins>Харкові</ins>."),
        ("انفجار في بيروت", "انفجاران في بيروت", "<del>انفجار</del><ins>انفجاران</ins> في بيروت"),
        ("北京今天下雨。", "北京今天晴天。", "北京今天<del>下雨</del><ins>晴天</ins>。"),
        ("a b c", "x y c", "<del>a b</del><ins>x y</ins> c"),
        ("Tom & Jerry", "Tom <i>&</i> Jerry", "Tom <ins>&lt;i&gt;</ins>&amp;<ins>&lt;/i&gt;</ins> Jerry"),
    ],
)
def test_the_diff_is_word_by_word_in_every_script(before, after, expected):
    assert history.diff(before, after) == expected


def test_only_an_edited_update_offers_the_link_and_it_costs_no_query(client, story):
    updates = [make_update(story=story, body=f"Report {n}.", published_at=at(n)) for n in range(4)]
    with CaptureQueriesContext(connection) as before:
        html = client.get(story.get_absolute_url()).content.decode()
    assert elements(html, "a", cls="see-changes") == []
    edited = [
        write(update, now=timezone.now(), body=f"Report {n}, revised.")
        for n, update in enumerate(updates[:3])
    ]
    with CaptureQueriesContext(connection) as after:
        html = client.get(story.get_absolute_url()).content.decode()
    assert len(after) == len(before)
    links = elements(html, "a", cls="see-changes")
    assert [(link.text, link.attrs["href"]) for link in links] == [
        ("See what changed", changes_url(update)) for update in reversed(edited)
    ]
    permalink = client.get(updates[3].get_absolute_url()).content.decode()
    assert elements(permalink, "a", cls="see-changes") == []
    permalink = client.get(edited[0].get_absolute_url()).content.decode()
    assert [link.attrs["href"] for link in elements(permalink, "a", cls="see-changes")] == [
        changes_url(edited[0])
    ]


def test_the_page_costs_the_same_however_many_versions(client, story, django_assert_num_queries):
    update = make_update(story=story, body="Version 0.")
    update = write(update, now=timezone.now(), body="Version 1.")
    with CaptureQueriesContext(connection) as few:
        client.get(changes_url(update))
    for n in range(2, 12):
        update = write(update, now=timezone.now(), body=f"Version {n}.")
    with django_assert_num_queries(len(few)):
        versions, _ = shown_versions(client, update)
    assert len(versions) == 12


def test_the_page_is_the_same_for_every_reader(client, story):
    update = write(make_update(story=story, body="First."), now=timezone.now(), body="Second.")
    response = client.get(changes_url(update))
    assert response.status_code == 200
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    assert 'name="robots" content="noindex"' in response.content.decode()


def test_an_update_with_no_revision_shows_its_text_as_the_one_version(client, story):
    update = make_update(story=story, headline="Сирени", body="Тривога в Києві.", published_at=at(0))
    versions, _ = shown_versions(client, update)
    assert versions == [
        (f"Current version, published {long_time(at(0), story)}", ["Сирени"], ["Тривога в Києві."])
    ]


def test_updates_readers_cannot_see_have_no_changes_page(client, story):
    draft = make_update(story=story, status=Update.Status.DRAFT, body="Draft.")
    later = make_update(
        story=story, status=Update.Status.SCHEDULED, published_at=timezone.now() + timedelta(hours=1)
    )
    hidden = make_update(story=make_story(title="Hidden", status=Story.Status.DRAFT), body="Hidden.")
    for update in (draft, later, hidden):
        assert client.get(changes_url(update)).status_code == 404
