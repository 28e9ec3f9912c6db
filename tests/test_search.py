"""Search within a story: the results page, what it finds and shows, on SQLite and PostgreSQL.

The suite runs on both backends (PostgreSQL in CI's second pass): every test here runs the
query path of the backend it is on (the ``tsvector`` and its GIN index on PostgreSQL, the
casefolded ``search_text`` elsewhere) and expects the same results of both.
"""

import re
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coverage import caching, markup, pagination, search, services
from coverage.models import Story, Update
from tests.factories import make_author, make_story, make_stream, make_update, migration

pytestmark = pytest.mark.django_db

RESULT_ID = re.compile(r'<li class="search-result" id="result-(\d+)">')
STATUS = re.compile(r'<h2 id="search-status" class="search-status">\s*(.*?)\s*</h2>', re.S)
STORY_PAGE_BUDGET = 11  # the story page's queries (docs/benchmarks.md)


def result_ids(response):
    return [int(pk) for pk in RESULT_ID.findall(response.content.decode())]


def status(response):
    return STATUS.search(response.content.decode()).group(1)


def ago(minutes):
    return timezone.now() - timedelta(minutes=minutes)


def url(story, query="", **params):
    params = {"q": query, **params} if query else params
    return story.get_absolute_url() + "search/?" + "&".join(f"{k}={v}" for k, v in params.items())


@pytest.fixture
def story():
    """A story in four scripts, updates oldest (u1) to newest (u6)."""
    story = make_story(title="Talks in Kyiv")
    story.u = [
        make_update(
            story=story, headline="Ceasefire talks begin", body="Envoys met in Geneva.", published_at=ago(60)
        ),
        make_update(story=story, body="У Києві тривога. Київ чекає на переговори.", published_at=ago(50)),
        make_update(
            story=story, body="وصل الوفد إلى جنيف لبدء مفاوضات وقف إطلاق النار.", published_at=ago(40)
        ),
        make_update(story=story, body="乌克兰首都基辅今天发布空袭警报。", published_at=ago(30)),
        make_update(
            story=story, body="The **ceasefire** held overnight, officials said.", published_at=ago(20)
        ),
        make_update(
            story=story, headline="Warnings", body="Toward the border, sirens.", published_at=ago(10)
        ),
    ]
    return story


def pks(story, *numbers):
    return [story.u[number - 1].pk for number in numbers]


# --- what a query finds -----------------------------------------------------------------


@pytest.mark.parametrize(
    "query, found",
    [
        ("ceasefire", (5, 1)),  # headline or body, Markdown emphasis read as text; newest first
        ("CEASEFIRE", (5, 1)),
        ("cease", (5, 1)),  # a word's beginning finds it
        ("fire", ()),  # not the inside of a word
        ("war", (6,)),  # "Warnings", not "Toward"
        ("ceasefire talks", (1,)),  # every word
        ("ceasefire geneva", (1,)),  # headline and body together
        ("київ", (2,)),  # Cyrillic, folded both ways
        ("КИЇВ", (2,)),
        ("Києві переговори", (2,)),
        ("مفاوضات", (3,)),  # Arabic
        ("جنيف", (3,)),
        ("النار", (3,)),
        ("نار", (3,)),  # "the fire": words take their article
        ("إطلاق النار", (3,)),
        ("基辅", (4,)),  # Chinese: inside a run of characters without spaces
        ("警报", (4,)),
        ("首都 基辅", (4,)),
        ("上海", ()),
        ("geneva, sirens!", ()),
    ],
)
def test_a_query_finds_exactly_the_updates_holding_every_word_newest_first(client, story, query, found):
    response = client.get(url(story, query))
    assert response.status_code == 200
    assert result_ids(response) == pks(story, *found)


def test_the_count_is_told_with_the_query_in_plural_and_singular(client, story):
    assert status(client.get(url(story, "ceasefire"))) == "2 updates match “ceasefire”"
    assert status(client.get(url(story, "Warnings"))) == "1 update matches “Warnings”"
    assert status(client.get(url(story, "armistice"))) == "No updates match “armistice”."


@pytest.mark.parametrize("query", ["", "a", "  ", "!!"])
def test_an_empty_or_too_short_query_shows_the_form_and_says_what_to_type(client, story, query):
    response = client.get(url(story, query) if query else url(story))
    assert response.status_code == 200
    assert result_ids(response) == []
    text = status(response)
    assert text in (
        "Type a word or two to find the updates of this story that mention them.",
        "Type a whole word or two: a single letter finds too much.",
    )
    assert text.startswith("Type a whole") == (query == "a")
    assert '<input type="search" name="q" id="id_q"' in response.content.decode()


def test_one_chinese_character_is_a_query(client, story):
    assert result_ids(client.get(url(story, "警"))) == pks(story, 4)


def test_only_what_readers_may_see_is_found(client, story):
    text = "Ceasefire rumours"
    make_update(story=story, body=text, status=Update.Status.DRAFT)
    make_update(
        story=story,
        body=text,
        status=Update.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(hours=1),
    )
    make_update(story=make_story(), body=text)  # another story
    due = make_update(story=story, body=text, status=Update.Status.SCHEDULED, published_at=ago(1))
    assert result_ids(client.get(url(story, "ceasefire"))) == [due.pk, *pks(story, 5, 1)]
    draft_story = make_story(status=Story.Status.DRAFT)
    make_update(story=draft_story, body=text)
    assert client.get(url(draft_story, "ceasefire")).status_code == 404


def test_a_removed_or_edited_update_is_found_by_its_words_as_they_are_now(client, story):
    first, fifth = story.u[0], story.u[4]
    fifth.body = "The truce held overnight."
    services.save_update(update=fifth)
    first.status = Update.Status.DRAFT
    services.save_update(update=first)
    assert result_ids(client.get(url(story, "ceasefire"))) == []
    assert result_ids(client.get(url(story, "truce"))) == [fifth.pk]
    services.delete_update(update=fifth)
    assert result_ids(client.get(url(story, "truce"))) == []


def test_updates_created_in_bulk_are_found(client):
    story = make_story()
    author = make_author()
    created = services.create_updates(
        story=story,
        updates=[
            (
                Update(
                    body=f"Київ, update {index}.",
                    status=Update.Status.PUBLISHED,
                    published_at=ago(10 - index),
                ),
                [author],
                [],
            )
            for index in range(3)
        ],
    )
    assert result_ids(client.get(url(story, "КИЇВ"))) == [update.pk for update in reversed(created)]


def test_the_story_page_filters_narrow_the_results(client, story):
    reporter = make_author(name="Ольга Коваль")
    by_her = make_update(story=story, authors=[reporter], body="Ceasefire in Kyiv.", published_at=ago(5))
    story.u[0].key_event = True
    services.save_update(update=story.u[0])
    everyone = client.get(url(story, "ceasefire"))
    assert result_ids(everyone) == [by_her.pk, *pks(story, 5, 1)]
    hers = client.get(url(story, "ceasefire", author=reporter.slug))
    assert result_ids(hers) == [by_her.pk]
    assert 'Showing updates by <span dir="auto">Ольга Коваль</span>' in hers.content.decode()
    assert result_ids(client.get(url(story, "ceasefire", key=1))) == pks(story, 1)
    assert result_ids(client.get(url(story, "ceasefire", key=1, author=reporter.slug))) == []


def test_an_oldest_first_story_lists_results_oldest_first(client, story):
    story.order = Story.Order.OLDEST
    services.save_story(story=story)
    assert result_ids(client.get(url(story, "ceasefire"))) == pks(story, 1, 5)


def test_results_are_paged_by_cursor_with_the_query_kept(client):
    story = make_stream(count=45)
    ids = list(story.updates.order_by("-published_at", "-pk").values_list("pk", flat=True))
    first = client.get(url(story, "update"))
    assert status(first) == "45 updates match “update”"
    assert result_ids(first) == ids[:20]
    older = re.search(r'<a class="pager-older" rel="next" href="([^"]+)">', first.content.decode()).group(1)
    assert older.startswith("?q=update&amp;before=")
    second = client.get(story.get_absolute_url() + "search/" + older.replace("&amp;", "&"))
    assert result_ids(second) == ids[20:40]
    assert status(second) == "45 updates match “update”"


# --- what a result shows ----------------------------------------------------------------


def result_html(response, update):
    html = response.content.decode()
    start = html.index(f'<li class="search-result" id="result-{update.pk}">')
    return html[start : html.index("</li>", start)]


def test_a_result_links_to_the_update_and_its_place_with_matches_marked(client, story):
    response = client.get(url(story, "ceasefire"))
    first = result_html(response, story.u[0])
    assert f'<a href="{story.u[0].get_absolute_url()}"><mark>Ceasefire</mark> talks begin</a></h3>' in first
    assert '<p class="search-excerpt" dir="auto">Envoys met in Geneva.</p>' in first
    in_story = f"{story.get_absolute_url()}?before="
    assert f'<a class="in-story" href="{in_story}' in first and f'#update-{story.u[0].pk}">' in first
    fifth = result_html(response, story.u[4])
    assert (
        '<p class="search-excerpt" dir="auto">The <mark>ceasefire</mark> held overnight, officials said.</p>'
        in fifth
    )
    assert "update-headline" not in fifth
    assert "<mark>Warnings</mark>" in result_html(
        client.get(url(story, "warn")), story.u[5]
    )  # the whole word
    assert "乌克兰首都<mark>基辅</mark>今天" in result_html(client.get(url(story, "基辅")), story.u[3])
    assert "У <mark>Києві</mark> тривога. <mark>Київ</mark> чекає" in result_html(
        client.get(url(story, "києві київ")), story.u[1]
    )


def test_typed_markup_is_shown_as_text_and_never_runs(client, story):
    hostile = make_update(
        story=story,
        headline='<img src=x onerror="alert(1)"> ceasefire',
        body="Ceasefire <script>alert('x')</script> & <b>bold</b>",
    )
    response = client.get(url(story, "ceasefire <script>"))
    html = result_html(response, hostile)
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; <mark>ceasefire</mark>" in html
    shown = (
        "<mark>Ceasefire</mark> &lt;<mark>script</mark>&gt;alert(&#x27;x&#x27;)&lt;/<mark>script</mark>&gt;"
    )
    assert f"{shown} &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "“ceasefire &lt;script&gt;”" in status(response)


def test_a_long_body_is_cut_around_its_first_match():
    body = " ".join(f"word{index}" for index in range(200)) + " the ceasefire held " + "more " * 100
    pattern = search.Query.parse("ceasefire").pattern()
    passage = str(search.excerpt(body, pattern))
    assert passage.startswith("…word") and passage.endswith("more…")
    assert "the <mark>ceasefire</mark> held" in passage
    assert len(passage.replace("<mark>", "").replace("</mark>", "")) <= search.EXCERPT_CHARS + 2
    assert str(search.excerpt("Short and ceasefire.", pattern)) == "Short and <mark>ceasefire</mark>."


# --- the page as readers and caches get it -------------------------------------------------


def test_the_story_page_offers_the_search_with_its_filters(client, story):
    html = client.get(story.get_absolute_url()).content.decode()
    form = html[html.index('<form class="filters story-search"') :]
    form = form[: form.index("</form>")]
    assert f'action="{story.get_absolute_url()}search/"' in form
    assert '<label for="id_q">Search updates</label>' in form
    assert 'type="hidden"' not in form
    author = story.u[0].byline_authors()[0]
    filtered = client.get(f"{story.get_absolute_url()}?author={author.slug}&key=1").content.decode()
    form = filtered[filtered.index('<form class="filters story-search"') :]
    assert f'<input type="hidden" name="author" value="{author.slug}">' in form[: form.index("</form>")]


def test_results_are_shared_by_every_reader_briefly_never_indexed_and_set_no_cookie(client, settings, story):
    settings.LIVEBLOG_PAGE_CACHE_SECONDS = 60
    first = client.get(url(story, "ceasefire"))
    assert first["Cache-Control"].startswith("public, max-age=0, s-maxage=")
    assert not first.cookies
    assert '<meta name="robots" content="noindex">' in first.content.decode()
    again = client.get(url(story, " ceasefire "))
    assert again["X-Page-Cache"] == "HIT"
    assert client.get(url(story))["X-Page-Cache"] == "MISS"  # not the story page's entry
    fifth = story.u[4]
    fifth.body = "Truce."
    services.save_update(update=fifth)
    assert result_ids(client.get(url(story, "ceasefire"))) == pks(story, 1)


# --- at 10,000 updates ----------------------------------------------------------------------


@pytest.fixture
def long_story():
    """10,000 updates, "Update number 0." to "Update number 9999.", made in bulk."""
    return make_stream(count=10_000)


def test_a_10000_update_story_answers_within_the_story_pages_query_budget(
    client, settings, long_story, django_assert_max_num_queries
):
    settings.LIVEBLOG_PAGE_CACHE_SECONDS = 0
    page = f"{long_story.get_absolute_url()}search/?q=number+42"
    started = time.perf_counter()
    with django_assert_max_num_queries(STORY_PAGE_BUDGET):
        response = client.get(page)
    elapsed = time.perf_counter() - started
    print(f"\nsearch on 10,000 updates ({connection.vendor}): {elapsed * 1000:.0f} ms")
    # 42, 420–429, 4200–4299: every number beginning with 42
    assert status(response) == "111 updates match “number 42”"
    numbers = re.findall(r"Update <mark>number</mark> <mark>(\d+)</mark>", response.content.decode())
    assert numbers == [str(number) for number in range(4299, 4279, -1)]
    with django_assert_max_num_queries(STORY_PAGE_BUDGET):
        everything = client.get(f"{long_story.get_absolute_url()}search/?q=update")
    assert status(everything) == "10000 updates match “update”"
    assert len(result_ids(everything)) == 20


def test_the_search_reads_its_index(long_story):
    """On PostgreSQL the words are looked up in the GIN index (the planner's choice for words
    it expects to be rare: for a single word it deems common it may walk the story's time
    index instead, as fast); elsewhere the story's rows are read through an index on the
    story, never the whole table."""
    query = search.Query.parse("number 9999")
    matches = query.filter(long_story.updates.published())
    with CaptureQueriesContext(connection):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE coverage_update")
        plan = matches.explain()
    if connection.vendor == "postgresql":
        assert "update_search_vector" in plan, plan
    else:
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
    assert [update.body for update in matches] == ["Update number 9999."]


def test_the_migration_fills_the_search_columns_of_existing_updates(client, story):
    """Rows written before the search columns existed are found once the migration ran."""
    Update.objects.update(search_text="", search_vector=None)
    assert result_ids(client.get(url(story, "київ"))) == []
    migration("update_search").stamp_existing(django_apps, SimpleNamespace(connection=connection))
    caching.bump_everything()
    assert result_ids(client.get(url(story, "київ"))) == pks(story, 2)
    assert result_ids(client.get(url(story, "ceasefire"))) == pks(story, 5, 1)
    assert result_ids(client.get(url(story, "基辅"))) == pks(story, 4)


def test_the_words_readers_see_are_found_not_the_markdown_around_them(client, story):
    update = make_update(
        story=story,
        body='Read the [full report](https://example.org/annex-document "Annex") \\*now\\* &amp; later.',
    )
    assert result_ids(client.get(url(story, "full report"))) == [update.pk]
    assert result_ids(client.get(url(story, "later now"))) == [update.pk]
    assert result_ids(client.get(url(story, "annex"))) == []  # the link's target is no text of the page
    assert result_ids(client.get(url(story, "amp"))) == []  # "&amp;" reads "&"
    assert search.words(search.text_of(update.body)) == search.words(markup.plain_text(update.body))


def test_the_readers_order_is_kept_from_the_story_page_to_the_results_and_their_links(client, story):
    page = client.get(story.get_absolute_url() + "?order=oldest").content.decode()
    form = page[page.index('<form class="filters story-search"') :]
    assert '<input type="hidden" name="order" value="oldest">' in form[: form.index("</form>")]
    response = client.get(url(story, "ceasefire", order="oldest"))
    assert result_ids(response) == pks(story, 1, 5)
    first = result_html(response, story.u[0])
    assert (
        f"?after={pagination.cursor_preceding(story.u[0])}&amp;order=oldest#update-{story.u[0].pk}" in first
    )
    assert result_ids(client.get(url(story, "ceasefire", order="sideways"))) == pks(story, 5, 1)


@pytest.mark.parametrize(
    "query, found",
    [
        ("ceasefire:*", (5, 1)),  # the query language of PostgreSQL is no syntax here
        ("ceasefire & !talks", (1,)),  # … "&" and "!" are no operators: every word counts
        ("'ceasefire' | (talks)", (1,)),
        ("ceasefire%", (5, 1)),  # nor are LIKE's wildcards
        ("%_", ()),
        ("🔥 ceasefire", (5, 1)),
        ("ceas\u0301efire", ()),
        ("Kyiv\\", ()),
        ("x" * 300, ()),
    ],
)
def test_any_typed_query_is_read_as_words(client, story, query, found):
    response = client.get(story.get_absolute_url() + "search/", {"q": query})
    assert response.status_code == 200
    assert result_ids(response) == pks(story, *found)


def test_the_whole_word_a_term_begins_is_marked_in_every_script():
    def marked(query, text):
        return str(search.highlight(text, search.Query.parse(query).pattern()))

    assert marked("हिन्", "यह हिन्दी है") == "यह <mark>हिन्दी</mark> है"  # vowel signs are letters
    assert marked("case war", "snake_case toward war") == "snake_<mark>case</mark> toward <mark>war</mark>"
    # Arabic words begin with their article or conjunction: a term is marked inside them.
    assert marked("مفاوضات", "بدء المفاوضات ومفاوضات") == "بدء ال<mark>مفاوضات</mark> و<mark>مفاوضات</mark>"
    assert marked("київ", "КИЇВ і Київ") == "<mark>КИЇВ</mark> і <mark>Київ</mark>"
