"""Search within a story: its public updates holding the reader's words (``coverage.search``).

A page of its own (``/live/<slug>/search/?q=…``) rather than a mode of the story page: the
story page's cache keys, live updating and pinned update stay as they are. Results are
the same for every reader, so the page cache keeps them like a story page, briefly, under the
story's versions (a write readers see drops them).
"""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render

from .. import caching, languages, pagination, search
from ..filters import UpdateFilter
from ..models import Byline
from ..pagecache import shared
from .stories import page_parameters, public_story, shared_page

# The parameters a results page answers to: the query, the story page's filters, the reader's
# order, the cursors.
SEARCH_PARAMETERS = ("q", "author", "key", "order", "before", "after")
FILTERS = ("author", "key")


def search_parameters(request):
    """The request's own parameters (``page_parameters``), the query as the search reads it."""
    query = page_parameters(request, SEARCH_PARAMETERS)
    if "q" in query:
        text = search.Query.parse(query["q"]).text
        if text:
            query["q"] = text
        else:
            del query["q"]
    return query


def search_page_key(request, slug):
    """The page cache's name for a results page: a story page's key for its parameters, marked
    as search (a results page without ``q`` is not the story page)."""
    return f"{caching.page_key(slug, caching.versions(slug), search_parameters(request))}:search"


@shared(search_page_key)
def story_search(request, slug):
    """The public updates of a story that hold every word of ``q``, in the story's order (or the
    reader's, ``order``), by cursor pages, within the story page's filters (``author``, ``key``)
    when given.

    Template ``coverage/story_search.html``; context ``story``, ``query`` (the page's
    parameters), ``search`` (a ``search.Query``), ``filter``, ``filtered``, ``count`` (None
    when nothing was searched), ``page`` (a ``pagination.Page`` of ``search.Result``).
    """
    try:
        story = public_story(slug)
    except Http404:
        caching.forget(slug)
        raise
    query = search_parameters(request)
    wanted = search.Query.parse(query.get("q"))
    cursors = {"before": query.get("before"), "after": query.get("after")}
    filters = {name: query[name] for name in FILTERS if name in query}
    update_filter = UpdateFilter(filters or None, queryset=story.updates.all(), story=story)
    filtered = bool(update_filter.active)

    def matches(published):
        return wanted.filter(update_filter.filter_queryset(published) if filtered else published)

    count, page = None, None
    if wanted.usable:
        count = matches(story.updates.published()).count()
        # A page is read as the story page reads one: public at the cursor's time (``public_until``).
        bylines = Prefetch("bylines", queryset=Byline.objects.select_related("author"))
        found = matches(story.updates.published(pagination.public_until(**cursors)))
        found = found.select_related("story").prefetch_related(bylines)
        chosen_order = query.get("order", "")
        oldest_first = (chosen_order or story.order) == story.Order.OLDEST
        page = pagination.paginate(found, **cursors, oldest_first=oldest_first)
        page.items = search.results(page.items, wanted, order=chosen_order)
    context = {
        "story": story,
        "query": query,
        "search": wanted,
        "filter": update_filter,
        "filtered": filtered,
        "count": count,
        "page": page,
    }
    with languages.speaking(story):
        response = render(request, "coverage/story_search.html", context)
    response.shared_timeout = caching.page_timeout(story)
    return shared_page(request, response, caching.content_etag(response.content))
