"""Reader pages: the story list, a story, one update and what changed in it, an author.

A story page is kept whole by the page cache (``pagecache``), keyed on the
parameters it answers to, in the forms the site's own links make.
"""

import re
from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Prefetch, Value, When, prefetch_related_objects
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import get_conditional_response

from liveblog import security

from .. import (
    caching,
    comments,
    embeds,
    history,
    idle,
    languages,
    live,
    markup,
    pagination,
    push,
    structured_data,
)
from ..conf import app_settings
from ..filters import UpdateFilter
from ..models import Author, Image, Story
from ..pagecache import shared
from ..site import absolute_url

COMMENTS_PER_PAGE = 50
# The parameters a story page answers to: the filters, the reading order, the update and
# comment pages, the thank-you note. Any other (utm_source, fbclid, …) is ignored: it
# changes neither the page nor its key in the page cache.
STORY_PARAMETERS = ("author", "key", "order", "before", "after", "comments", "comment")
AUTHOR_PARAMETERS = ("before", "after")
# The forms of those parameters the site's own links and forms make. A page asked for
# with any other form is still served, but not cached: only real pages take cache room.
CANONICAL = {
    "author": re.compile(r"[-\w]{1,100}"),
    "key": re.compile(r"1"),
    "order": re.compile(r"newest|oldest"),
    "before": pagination.CURSOR,
    "after": pagination.CURSOR,
    "comments": re.compile(r"[1-9][0-9]{0,8}"),
    "comment": re.compile(r"received"),
}


# Parameters read only in these values: any other is as if it were not given (``?order=x``
# is the story's own order), so it makes no page, and no cache key, of its own.
CHOICES = {"order": frozenset(Story.Order.values)}

NO_PARAMETERS = QueryDict()


def page_parameters(request, names):
    """The request's non-empty parameters among ``names``, one value each (the last, as
    ``QueryDict.get`` reads them), in ``names`` order, those outside their ``CHOICES`` left
    out: what the page is rendered from."""
    query = QueryDict(mutable=True)
    for name in names:
        if (value := request.GET.get(name)) and value in CHOICES.get(name, (value,)):
            query[name] = value
    return query


def story_list(request):
    """The front page: live stories first, then the newest (idle ones ended first: ``idle``).

    Template ``coverage/story_list.html``; context ``stories``, each with its lead
    image and ``last_updated``.
    """
    idle.end_idle_stories()  # a story nobody opens ends too
    stories = (
        Story.objects.public()
        .with_last_update()
        .select_related("lead_author")
        .prefetch_related(Prefetch("images", queryset=Image.objects.filter(update__isnull=True)))
        .annotate(
            live_first=Case(
                When(status=Story.Status.LIVE, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
        )
        .order_by("live_first", F("last_published_at").desc(nulls_last=True), "-created_at")
    )
    return render(request, "coverage/story_list.html", {"stories": stories})


@dataclass
class RenderedStory:
    """A story page as rendered, with what the page cache needs to know about it."""

    response: HttpResponse
    story: Story | None = None  # None for an old source slug's redirect
    cacheable: bool = False  # the page is in the form the site's own links make


def embed_frames(story=None, updates=()):
    """The frame origins of the embeds shown: the story's summary and ``updates``' bodies."""
    found = markup.embeds_in(story.summary) if story is not None else []
    for update in updates:
        found.extend(markup.embeds_in(update.body))
    return embeds.frame_origins(found)


def allow_frames(response, origins):
    """``response`` with a policy that lets exactly ``origins`` be framed (none: the default)."""
    if origins:
        response["Content-Security-Policy"] = security.reader_policy(origins)
    return response


def moved_story(slug):
    """The public story whose source slug is ``slug`` (its seed's name before an editor renamed
    it), else 404: its pages' old addresses redirect to its new ones."""
    moved = Story.objects.public().filter(source_slug=slug).first()
    if moved is None:
        raise Http404("No such story.")
    return moved


def public_story(slug):
    """The public story ``slug`` (else 404), ended first if it is live and idle (``idle``)."""
    story = get_object_or_404(Story.objects.public().with_activity().select_related("lead_author"), slug=slug)
    idle.end_if_idle(story)
    return story


def story_page_key(request, slug):
    """The page cache's name for this story page: its slug, versions and own parameters."""
    query = page_parameters(request, STORY_PARAMETERS) if request.META.get("QUERY_STRING") else NO_PARAMETERS
    return caching.page_key(slug, caching.versions(slug), query)


@shared(story_page_key)
def story_detail(request, slug):
    """A story with one page of its updates, in the story's order (newest first, or oldest
    first) or the one the reader chose (``?order=``).

    Template ``coverage/story_detail.html``; context ``story``, ``page`` (a
    ``pagination.Page``), ``pinned``, ``key_events``, ``filter``, ``switch_order``
    (the other order, for the reader's switch), ``structured_data``, ``has_gallery``
    (the page loads the gallery script). A story's old source slug redirects (301) to it.

    The page is the same for every reader: the page cache (``pagecache``) keeps
    it whole until the story changes, and it carries an ETag (a conditional GET
    gets a 304) and a ``Cache-Control`` that lets a shared cache (nginx, a CDN)
    hold it for one cursor window and serve it stale for one more while it asks
    again. A page held that long is still live: its script asks ``changes.json``
    for everything since the cursor the page carries.
    """
    query = page_parameters(request, STORY_PARAMETERS)
    try:
        rendered = render_story(request, slug, query)
    except Http404:
        caching.forget(slug)  # the page cache's key made versions for it: nothing to keep
        raise
    if rendered.story is None:
        caching.forget(slug)  # an old slug's redirect: nothing to keep under its name
        return rendered.response
    response = rendered.response
    response.shared_timeout = caching.page_timeout(rendered.story) if rendered.cacheable else 0
    return shared_page(request, response, caching.content_etag(response.content))


def shared_page(request, response, etag):
    """``response``, a story page every reader gets alike, with its validator and shared-cache
    lifetime; a 304 instead when the reader's ``If-None-Match`` names it."""
    window = app_settings.CURSOR_WINDOW
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age=0, s-maxage={window}, stale-while-revalidate={window}"
    return get_conditional_response(request, etag=etag, response=response)


def render_story(request, slug, query, *, comment_form=None, status=200, csrf_token=""):
    # The summary, the lead image and the sharing tags each look at the story's images: read them once.
    story = Story.objects.as_pages_read_them().prefetch_related("images").filter(slug=slug).first()
    if story is None:
        return RenderedStory(redirect(moved_story(slug), permanent=True))
    idle.end_if_idle(story)
    page_number_args = {"before": query.get("before"), "after": query.get("after")}
    published = story.updates.published(pagination.public_until(**page_number_args))
    update_filter = UpdateFilter(query or None, queryset=published, story=story)
    filtered = bool(update_filter.active)
    chosen_order = query.get("order", "")
    page, pinned = stream_page(
        story,
        published,
        page_number_args,
        oldest_first=(chosen_order or story.order) == Story.Order.OLDEST,
        filtered=update_filter.qs if filtered else None,
    )
    oldest_first = page.oldest_first
    on_page = {update.pk for update in page.items} | ({pinned.pk} if pinned else set())
    shown = ([pinned] if pinned else []) + page.items
    summary_shown, summary_folded = story.summary_sections()
    context = {
        "story": story,
        "query": query,
        "page": page,
        "pinned": pinned,
        "summary_shown": summary_shown,
        "summary_folded": summary_folded,
        "key_events": live.key_events(story, on_page=on_page, order=chosen_order),
        "switch_order": (Story.Order.NEWEST if oldest_first else Story.Order.OLDEST).value,
        "filter": update_filter,
        "filtered": filtered,
        "structured_data": structured_data.live_blog_posting(story, shown),
        "embed_frames": embed_frames(story, shown),
        "canonical_url": absolute_url(story.get_absolute_url()),
        # Live updating runs on the unfiltered page of a live story that new updates join.
        "live_polling": story.is_live and page.is_newest and not filtered,
        "live_cursor": live.current_cursor(),
        "live_interval": live.interval(story),
        "live_stream": push.enabled(),
        "has_gallery": any(update.has_gallery() for update in shown),
        **_comments_context(query, story, comment_form, csrf_token),
    }
    with languages.speaking(story):
        response = render(request, "coverage/story_detail.html", context, status=status)
    return RenderedStory(
        allow_frames(response, context["embed_frames"]),
        story=story,
        cacheable=status == 200 and _is_canonical(query, update_filter, context["comments"]),
    )


def stream_page(story, published, cursors, *, oldest_first=False, filtered=None):
    """``(page, pinned)``: one page of ``published``, the story's public updates (or of
    ``filtered``, those a reader's filters keep), and the pinned update shown above the
    first page of the unfiltered stream (else None). The story page and its embed show this."""
    stream = published if filtered is None else filtered
    pinned = None
    if filtered is None:
        pinned = published.pinned_in(story).with_byline().first()
        if pinned is not None:
            stream = stream.exclude(pk=pinned.pk)
    page = pagination.paginate(stream.with_byline(), **cursors, oldest_first=oldest_first)
    return page, pinned if page.is_first else None


def _is_canonical(query, update_filter, comment_page):
    """Whether ``query`` is in the form the site's own links make, and names a page that exists."""
    if not all(CANONICAL[name].fullmatch(value) for name, value in query.items()):
        return False
    if ("author" in query or "key" in query) and not update_filter.form.is_valid():
        return False  # e.g. an author with no updates in this story
    return "comments" not in query or query["comments"] == str(comment_page.number)


def _comments_context(query, story, form, csrf_token):
    return {
        "comments": comments.ShownComments(story, COMMENTS_PER_PAGE).get_page(query.get("comments")),
        "comments_open": comments.comments_open(story),
        "comment_form": form or comments.CommentForm(),
        "comment_received": query.get("comment") == "received",
        # Empty on the shared page: the script asks comment_token() when a reader
        # starts a comment; without it, the first post comes back to be confirmed.
        "csrf_value": csrf_token,
    }


def update_detail(request, slug, pk):
    """One update on its own page, with its canonical and sharing tags.

    Template ``coverage/update_detail.html``; context ``story``, ``update``, ``in_story_url``,
    ``has_gallery`` (the page loads the gallery script).
    """
    story = public_story(slug)
    update = get_object_or_404(story.updates.published().with_byline(), pk=pk)
    context = {
        "story": story,
        "update": update,
        "in_story_url": pagination.in_story_url(story, update),
        "canonical_url": absolute_url(update.get_absolute_url()),
        "share_image": next(iter(update.images.all()), None),
        "embed_frames": embed_frames(updates=[update]),
        "has_gallery": update.has_gallery(),
    }
    with languages.speaking(story):
        response = render(request, "coverage/update_detail.html", context)
    return allow_frames(response, context["embed_frames"])


def update_changes(request, slug, pk):
    """What changed in an update: the versions readers saw, newest first, each with its
    changes since the one before (``coverage.history``). The same for every reader, as the
    permalink is; drafts and schedules replaced before their time are never shown.

    Template ``coverage/update_changes.html``; context ``story``, ``update``, ``changes``
    (``history.Change`` list), ``in_story_url``.
    """
    story = public_story(slug)
    update = get_object_or_404(story.updates.published(), pk=pk)
    context = {
        "story": story,
        "update": update,
        "changes": history.changes(history.versions_of(update)),
        "in_story_url": pagination.in_story_url(story, update),
    }
    with languages.speaking(story):
        return render(request, "coverage/update_changes.html", context)


def author_detail(request, slug):
    """An author's updates across stories, newest first, by cursor pages; 404 for an
    author with no public update who leads no public story.

    Template ``coverage/author_detail.html``; context ``author``, ``page``, ``has_gallery``.
    """
    author = get_object_or_404(Author, slug=slug)
    query = page_parameters(request, AUTHOR_PARAMETERS)
    # Their bylines newest first, from the (author, published_at, update) index: the page
    # reads a page of them however many updates the author has written.
    cursors = {"before": query.get("before"), "after": query.get("after")}
    bylines = author.bylines.public(pagination.public_until(**cursors)).select_related("update__story")
    page = pagination.paginate(bylines, **cursors, ident="update_id")
    page.items = [byline.update for byline in page.items]
    prefetch_related_objects(page.items, "bylines__author", "images", "clips")
    if not page.items and not page.newer and not Story.objects.public().filter(lead_author=author).exists():
        # Nothing public by this author (their bylines are on drafts or schedules at most):
        # readers learn nothing about them, not even that they exist.
        raise Http404("No such author.")
    frames = embed_frames(updates=page.items)
    context = {
        "author": author,
        "page": page,
        "query": query,
        "has_gallery": any(update.has_gallery() for update in page.items),
        "embed_frames": frames,
    }
    return allow_frames(render(request, "coverage/author_detail.html", context), frames)
