"""Oldest first: a story read from its start (a match report, a Q&A), and readers' switch of order.

The story's own order is ``Story.order``; a reader's choice is ``?order=oldest|newest``,
kept by every link the page makes (its pages, its filters, its key events).
"""

import re
from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from coverage import pagination, services
from coverage.models import Story, Update
from coverage.views.stories import story_page_key
from tests.factories import make_story, make_stream, make_update, make_user
from tests.htmlforms import form_data
from tests.pages import article_ids

pytestmark = pytest.mark.django_db

NEXT = re.compile(r'<a class="pager-[a-z]+" rel="next" href="([^"]+)">([^<]+)</a>')
PREV = re.compile(r'<a class="pager-[a-z]+" rel="prev" href="([^"]+)">([^<]+)</a>')
SWITCH = re.compile(r'<a class="order-switch" href="([^"]+)">([^<]+)</a>')


def link(pattern, response):
    """``(href, text)`` of the page's link matching ``pattern``, or None."""
    match = pattern.search(response.content.decode())
    return (match.group(1).replace("&amp;", "&"), match.group(2)) if match else None


def oldest_story(count, **fields):
    story = make_stream(story=make_story(order=Story.Order.OLDEST, **fields), count=count)
    return story, list(story.updates.order_by("published_at", "pk").values_list("pk", flat=True))


def walk(client, story, start, pattern):
    """Every page from ``start`` on by the ``pattern`` links: ``[(ids, link text)]``."""
    pages, url = [], start
    while url:
        response = client.get(url)
        assert response.status_code == 200
        found = link(pattern, response)
        pages.append((article_ids(response), found[1] if found else None))
        url = story.get_absolute_url() + found[0] if found else None
    return pages


def test_an_oldest_first_story_opens_on_its_oldest_page_and_pages_forwards_and_back(client):
    story, oldest_first = oldest_story(45)
    forwards = walk(client, story, story.get_absolute_url(), NEXT)
    assert forwards == [
        (oldest_first[:20], "Newer updates →"),
        (oldest_first[20:40], "Newer updates →"),
        (oldest_first[40:], None),
    ]
    last = client.get(story.get_absolute_url() + link(NEXT, client.get(story.get_absolute_url()))[0])
    last_url = story.get_absolute_url() + link(NEXT, last)[0]
    backwards = walk(client, story, last_url, PREV)
    assert backwards == [
        (oldest_first[40:], "← Older updates"),
        (oldest_first[20:40], "← Older updates"),
        (oldest_first[:20], None),
    ]
    opening = client.get(story.get_absolute_url())
    assert link(PREV, opening) is None
    assert '<span class="order-current" aria-current="true">Oldest first</span>' in opening.content.decode()


def test_a_newest_first_story_is_unchanged(client):
    story = make_stream(count=45)
    newest_first = list(story.updates.order_by("-published_at", "-pk").values_list("pk", flat=True))
    assert walk(client, story, story.get_absolute_url(), NEXT) == [
        (newest_first[:20], "Older updates →"),
        (newest_first[20:40], "Older updates →"),
        (newest_first[40:], None),
    ]
    assert story.order == Story.Order.NEWEST  # the default


@pytest.mark.parametrize("story_order", [Story.Order.NEWEST, Story.Order.OLDEST])
def test_the_readers_choice_wins_and_every_page_link_keeps_it(client, story_order):
    story = make_stream(story=make_story(order=story_order), count=45)
    ascending = list(story.updates.order_by("published_at", "pk").values_list("pk", flat=True))
    descending = ascending[::-1]

    oldest = walk(client, story, story.get_absolute_url() + "?order=oldest", NEXT)
    assert [ids for ids, _ in oldest] == [ascending[:20], ascending[20:40], ascending[40:]]
    newest = walk(client, story, story.get_absolute_url() + "?order=newest", NEXT)
    assert [ids for ids, _ in newest] == [descending[:20], descending[20:40], descending[40:]]

    first = client.get(story.get_absolute_url() + "?order=oldest")
    second = client.get(story.get_absolute_url() + link(NEXT, first)[0])
    html = second.content.decode()
    pager_links = re.findall(r'<a class="pager-[a-z]+" rel="(?:next|prev)" href="([^"]+)"', html)
    head_links = re.findall(r'<link rel="(?:next|prev)" href="([^"]+)"', html)
    assert len(pager_links) == 2 and len(head_links) == 2
    assert all("order=oldest" in href for href in pager_links + head_links)


def test_the_switch_flips_the_order_from_any_page_keeping_the_filters(client):
    story, oldest_first = oldest_story(30)
    key = Update.objects.filter(pk__in=oldest_first[::3])
    key.update(key_event=True)
    opening = client.get(story.get_absolute_url())
    assert link(SWITCH, opening) == ("?order=newest", "Newest first")

    second_url = story.get_absolute_url() + link(NEXT, opening)[0]
    assert link(SWITCH, client.get(second_url)) == ("?order=newest", "Newest first")  # back to a first page

    filtered = client.get(story.get_absolute_url() + "?key=1&order=newest")
    assert article_ids(filtered) == oldest_first[::3][::-1]
    assert link(SWITCH, filtered) == ("?key=1&order=oldest", "Oldest first")
    flipped = client.get(story.get_absolute_url() + link(SWITCH, filtered)[0])
    assert article_ids(flipped) == oldest_first[::3]
    html = flipped.content.decode()
    assert '<input type="hidden" name="order" value="oldest">' in html  # the filter form keeps it
    clear = re.search(r'<a href="([^"]+)">Clear filters</a>', html).group(1)
    assert clear == f"{story.get_absolute_url()}?order=oldest"


@pytest.mark.parametrize("junk", ["sideways", "OLDEST", "oldest ", "", "newest,oldest", "старші"])
def test_any_other_order_is_the_storys_own_and_shares_its_cache_entry(client, junk):
    story, oldest_first = oldest_story(25)
    plain = client.get(story.get_absolute_url())
    assert plain["X-Page-Cache"] == "MISS"
    asked = client.get(story.get_absolute_url(), {"order": junk})
    assert asked.status_code == 200 and asked["X-Page-Cache"] == "HIT"
    assert asked.content == plain.content and article_ids(asked) == oldest_first[:20]
    factory = RequestFactory()
    keys = {
        story_page_key(factory.get(story.get_absolute_url(), query), story.slug)
        for query in ({"order": junk}, {"order": junk, "utm_source": "x"}, {"x": "1"})
    }
    assert keys == {story_page_key(factory.get(story.get_absolute_url()), story.slug)}


def test_the_page_cache_holds_at_most_three_orders_of_a_page(client):
    story, _ = oldest_story(5)
    factory = RequestFactory()
    asked = ["", "?order=oldest", "?order=newest", *(f"?order=x{number}" for number in range(20))]
    keys = {story_page_key(factory.get(story.get_absolute_url() + query), story.slug) for query in asked}
    assert len(keys) == 3


def test_the_pinned_update_rides_on_top_of_the_opening_page_in_either_order(client):
    story, oldest_first = oldest_story(25)
    pinned = Update.objects.get(pk=oldest_first[10])
    pinned.pinned = True
    services.save_update(update=pinned)
    stream = [pk for pk in oldest_first if pk != pinned.pk]
    opening = client.get(story.get_absolute_url())
    assert article_ids(opening) == [pinned.pk, *stream[:20]]
    assert article_ids(client.get(story.get_absolute_url() + link(NEXT, opening)[0])) == stream[20:]
    newest = client.get(story.get_absolute_url() + "?order=newest")
    assert article_ids(newest) == [pinned.pk, *stream[::-1][:20]]


def test_live_updating_runs_on_the_page_new_updates_join(client):
    story, oldest_first = oldest_story(25)
    opening = client.get(story.get_absolute_url()).content.decode()
    assert "data-changes-url" not in opening  # new updates join the last page, not this one
    assert '<div class="updates" id="updates" data-order="oldest">' in opening
    last = client.get(story.get_absolute_url() + link(NEXT, client.get(story.get_absolute_url()))[0])
    html = last.content.decode()
    assert "data-changes-url" in html
    oldest_here = Update.objects.get(pk=oldest_first[20])
    boundary = timezone.localtime(oldest_here.published_at).isoformat()
    assert f'<div class="updates" id="updates" data-order="oldest" data-older-before="{boundary}">' in html
    newest = client.get(story.get_absolute_url() + "?order=newest").content.decode()
    assert "data-changes-url" in newest and 'data-order="newest"' in newest


def test_key_event_links_and_permalinks_land_on_the_update_in_either_order(client):
    story, oldest_first = oldest_story(60)
    early, late = Update.objects.get(pk=oldest_first[3]), Update.objects.get(pk=oldest_first[45])
    Update.objects.filter(pk__in=[early.pk, late.pk]).update(key_event=True)

    def key_link(response, update):
        return re.search(rf'href="([^"]*#update-{update.pk})"', response.content.decode()).group(1)

    opening = client.get(story.get_absolute_url())
    assert key_link(opening, early) == f"#update-{early.pk}"  # on this page
    href = key_link(opening, late).replace("&amp;", "&")
    assert href == f"{story.get_absolute_url()}?after={pagination.cursor_preceding(late)}#update-{late.pk}"
    assert article_ids(client.get(href.split("#")[0])) == oldest_first[45:60]  # it opens the page

    chosen = client.get(story.get_absolute_url() + "?order=newest")
    href = key_link(chosen, early).replace("&amp;", "&")
    assert href.endswith(f"&order=newest#update-{early.pk}")
    assert article_ids(client.get(href.split("#")[0])) == oldest_first[:4][::-1]

    permalink = client.get(late.get_absolute_url()).content.decode()
    back = re.search(r'<p class="see-all"><a href="([^"]+)">', permalink).group(1).replace("&amp;", "&")
    assert article_ids(client.get(back.split("#")[0]))[0] == late.pk


def test_the_first_update_ever_has_a_page_link_too(client):
    """``cursor_preceding`` of an update with id 1 names id 0: still a cursor the site makes."""
    story = make_story(order=Story.Order.OLDEST)
    update = make_update(story=story)
    update.pk = 1  # what the first update of a fresh database gets
    assert pagination.CURSOR.fullmatch(pagination.cursor_preceding(update))


def test_the_newsroom_sets_the_order_in_the_admin_and_the_api_shows_it(client):
    editor = make_user(username="edith", role="Editors")
    story = make_story(title="Фінал кубка")
    client.force_login(editor)
    url = f"/admin/coverage/story/{story.pk}/change/"
    html = client.get(url).content
    data = form_data(html, "story_form", _save="Save", order="oldest")
    assert client.post(url, data).status_code == 302
    story.refresh_from_db()
    assert story.order == Story.Order.OLDEST
    assert client.get(f"/api/v1/stories/{story.slug}/").json()["order"] == "oldest"
    make_update(story=story, published_at=timezone.now() - timedelta(minutes=5), body="Перший тайм.")
    make_update(story=story, body="Другий тайм.")
    ids = article_ids(client.get(story.get_absolute_url()))
    assert ids == list(story.updates.order_by("published_at").values_list("pk", flat=True))


def test_since_your_last_visit_runs_only_on_the_page_that_holds_the_newest_updates(client):
    story, _ = oldest_story(25)
    url = story.get_absolute_url()
    marks = [
        client.get(url).content.decode().count("data-catch-up="),  # oldest first: its oldest page
        client.get(url, {"order": "newest"}).content.decode().count("data-catch-up="),
        client.get(url, {"order": "newest", "key": "1"}).content.decode().count("data-catch-up="),
    ]
    assert marks == [0, 1, 0]
