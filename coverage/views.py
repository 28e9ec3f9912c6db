"""Reader pages: the story list, the story, one update, an author, robots.txt, health."""

import functools
import re
import time

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Case, F, IntegerField, Prefetch, Value, When
from django.http import Http404, HttpResponse, HttpResponseNotModified, JsonResponse, QueryDict
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from liveblog.security import client_address

from . import caching, comments, live, pagination, structured_data
from .conf import app_settings
from .filters import UpdateFilter
from .models import Author, Image, Story, Update
from .site import absolute_url

KEY_EVENTS_SHOWN = 10
COMMENTS_PER_PAGE = 50
# The parameters a story page answers to: the filters, the update and comment pages, the
# thank-you note. Any other (utm_source, fbclid, …) is ignored: it changes neither the
# page nor its key in the page cache.
STORY_PARAMETERS = ("author", "key", "before", "after", "comments", "comment")
AUTHOR_PARAMETERS = ("before", "after")
# The forms of those parameters the site's own links and forms make. A page asked for
# with any other form is still served, but not cached: only real pages take cache room.
CANONICAL = {
    "author": re.compile(r"[-\w]{1,100}"),
    "key": re.compile(r"1"),
    "before": pagination.CURSOR,
    "after": pagination.CURSOR,
    "comments": re.compile(r"[1-9][0-9]{0,8}"),
    "comment": re.compile(r"received"),
}


def page_parameters(request, names):
    """The request's non-empty parameters among ``names``, one value each (the last, as
    ``QueryDict.get`` reads them), in ``names`` order: what the page is rendered from."""
    query = QueryDict(mutable=True)
    for name in names:
        if value := request.GET.get(name):
            query[name] = value
    return query


def story_list(request):
    """The front page: live stories first, then the newest.

    Template ``coverage/story_list.html``; context ``stories``, each with its lead
    image and ``last_updated``.
    """
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


def _public_story(slug):
    return get_object_or_404(Story.objects.public().select_related("lead_author"), slug=slug)


def story_detail(request, slug):
    """A story with one page of its updates, newest first.

    Template ``coverage/story_detail.html``; context ``story``, ``page`` (a
    ``pagination.Page``), ``pinned``, ``key_events``, ``filter``,
    ``structured_data``. A story's old source slug redirects (301) to it.
    With a shared cache the whole page is cached until the story changes.
    """
    query = page_parameters(request, STORY_PARAMETERS)
    if app_settings.PAGE_CACHE_SECONDS <= 0:
        return _render_story(request, slug, query)
    key = caching.page_key(slug, caching.versions(slug), query)
    content = caching.lookup(key)
    if content is not None:
        return HttpResponse(content)
    try:
        response = _render_story(request, slug, query)
    except Http404:
        caching.forget(slug)
        raise
    if response.status_code != 200:
        caching.forget(slug)  # an old slug's redirect: nothing to keep under its name
    elif response.cacheable:
        caching.store(key, response.content, caching.page_timeout(response.story))
    return response


def _render_story(request, slug, query, *, comment_form=None, status=200, csrf_token=""):
    # The summary, the lead image and the sharing tags each look at the story's images: read them once.
    story = (
        Story.objects.public()
        .with_last_update()
        .select_related("lead_author")
        .prefetch_related("images")
        .filter(slug=slug)
        .first()
    )
    if story is None:
        moved = Story.objects.public().filter(source_slug=slug).first()
        if moved is not None:
            return redirect(moved, permanent=True)
        raise Http404("No such story.")
    published = story.updates.published()
    update_filter = UpdateFilter(query or None, queryset=published, story=story)
    filtered = bool(update_filter.active)
    stream = update_filter.qs if filtered else published
    page_number_args = {"before": query.get("before"), "after": query.get("after")}
    pinned = None
    if not filtered:
        pinned = published.filter(pinned=True).with_byline().first()
        if pinned is not None:
            stream = stream.exclude(pk=pinned.pk)
    page = pagination.paginate(stream.with_byline(), **page_number_args)
    if not page.is_first:
        pinned = None
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
        "key_events": key_events(story, on_page=on_page),
        "filter": update_filter,
        "filtered": filtered,
        "structured_data": structured_data.live_blog_posting(story, shown),
        "canonical_url": absolute_url(story.get_absolute_url()),
        # Live updating runs on the newest, unfiltered page of a live story.
        "live_polling": story.is_live and page.is_first and not filtered,
        "live_cursor": live.current_cursor(),
        "live_interval": live.interval(story),
        **_comments_context(query, story, comment_form, csrf_token),
    }
    response = render(request, "coverage/story_detail.html", context, status=status)
    response.story = story
    response.cacheable = _is_canonical(query, update_filter, context["comments"])
    return response


def key_events(story, *, on_page=(), now=None):
    """The story's newest key events, each with ``href``: its anchor when it is in
    ``on_page`` (ids shown on this page), else the story page that holds it."""
    marked = story.updates.published(now).filter(key_event=True)
    events = list(marked.order_by("-published_at", "-pk")[:KEY_EVENTS_SHOWN])
    for event in events:
        event.href = f"#{event.anchor}" if event.pk in on_page else in_story_url(story, event)
    return events


def _is_canonical(query, update_filter, comment_page):
    """Whether ``query`` is in the form the site's own links make, and names a page that exists."""
    if not all(CANONICAL[name].fullmatch(value) for name, value in query.items()):
        return False
    if ("author" in query or "key" in query) and not update_filter.form.is_valid():
        return False  # e.g. an author with no updates in this story
    return "comments" not in query or query["comments"] == str(comment_page.number)


def _comments_context(query, story, form, csrf_token):
    approved = Paginator(story.comments.approved(), COMMENTS_PER_PAGE)
    return {
        "comments": approved.get_page(query.get("comments")),
        "comments_open": comments.comments_open(story),
        "comment_form": form or comments.CommentForm(),
        "comment_received": query.get("comment") == "received",
        # Empty on the shared page: the script asks comment_token() when a reader
        # starts a comment; without it, the first post comes back to be confirmed.
        "csrf_value": csrf_token,
    }


@require_GET
def comment_token(request):
    """The reader's CSRF token for the comment form (sets the CSRF cookie); never cached."""
    response = JsonResponse({"token": get_token(request)})
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt  # checked below, so a post without a token can come back to be confirmed
@require_POST
def story_comment(request, slug):
    """Take a reader's comment: stored as pending, then back to the story (Post/Redirect/Get).

    On a mistake the story page comes back with the form, its errors and the reader's text.
    The story page is shared by every reader, so it carries no CSRF token: the page
    script fetches one; a post without one (no script) is shown again, with a token,
    to be confirmed.
    """
    story = _public_story(slug)
    form = comments.CommentForm(request.POST)
    if CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {}) is not None:
        form.is_valid()  # show the reader any mistakes along with the confirmation
        form.add_error(None, "Please check your comment and press “Post comment” again to send it.")
        return _comment_again(request, slug, form, status=403)
    if not comments.comments_open(story):
        form.add_error(None, "Comments are closed on this story.")
        return _comment_again(request, slug, form, status=403)
    if not form.is_valid():
        return _comment_again(request, slug, form, status=400)
    try:
        comments.post_comment(story=story, form=form, address=client_address(request))
    except comments.RateLimited:
        form.add_error(
            None,
            "You have sent several comments in the last few minutes. Please wait a little and try again.",
        )
        return _comment_again(request, slug, form, status=429)
    return redirect(f"{story.get_absolute_url()}?comment=received#comments")


def _comment_again(request, slug, form, *, status):
    """The story page with the reader's comment form, its errors and a CSRF token."""
    return _render_story(
        request, slug, QueryDict(), comment_form=form, status=status, csrf_token=get_token(request)
    )


def in_story_url(story, update):
    """The story page that holds ``update``, scrolled to it."""
    return f"{story.get_absolute_url()}?before={pagination.cursor_holding(update)}#{update.anchor}"


def update_detail(request, slug, pk):
    """One update on its own page, with its canonical and sharing tags.

    Template ``coverage/update_detail.html``; context ``story``, ``update``, ``in_story_url``.
    """
    story = _public_story(slug)
    update = get_object_or_404(story.updates.published().with_byline(), pk=pk)
    context = {
        "story": story,
        "update": update,
        "in_story_url": in_story_url(story, update),
        "canonical_url": absolute_url(update.get_absolute_url()),
        "share_image": next(iter(update.images.all()), None),
    }
    return render(request, "coverage/update_detail.html", context)


def author_detail(request, slug):
    """An author's updates across stories, newest first, by cursor pages; 404 for an
    author with no public update who leads no public story.

    Template ``coverage/author_detail.html``; context ``author``, ``page``.
    """
    author = get_object_or_404(Author, slug=slug)
    query = page_parameters(request, AUTHOR_PARAMETERS)
    updates = Update.objects.published().filter(bylines__author=author).with_byline()
    page = pagination.paginate(updates, before=query.get("before"), after=query.get("after"))
    if not page.items and not page.newer and not Story.objects.public().filter(lead_author=author).exists():
        # Nothing public by this author (their bylines are on drafts or schedules at most):
        # readers learn nothing about them, not even that they exist.
        raise Http404("No such author.")
    return render(request, "coverage/author_detail.html", {"author": author, "page": page, "query": query})


@require_GET
def favicon(request):
    """``/favicon.ico``, for browsers and crawlers that ask the root for it (pages link the SVG icon)."""
    response = HttpResponse(_favicon_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@functools.cache
def _favicon_bytes():
    with open(finders.find("coverage/favicon.ico"), "rb") as handle:
        return handle.read()


@require_GET
def robots_txt(request):
    sitemap = absolute_url(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def _since_parameter(request):
    """``?since=`` without building request.GET for the plain ``since=<digits>`` every poller sends."""
    query = request.META.get("QUERY_STRING", "")
    if query.startswith("since=") and query[6:].isascii() and query[6:].isalnum():
        return query[6:]
    return request.GET.get("since")


@require_GET
def story_changes(request, slug):
    """``changes.json``: what changed in a story since ``?since=<cursor>``.

    Answers ``If-None-Match`` with 304 after one query (none with the shared cache,
    none for a poll this process answered in the last second); sends
    ``Cache-Control`` that lets a shared cache serve every reader polling in
    the same window. A 200 holds at most one page of updates, or ``"reload": true``
    when more changed (see ``live``).
    """
    since_param = _since_parameter(request)
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    # Most polls repeat one this process answered with a 304 within the last second.
    repeat = ("changes-304", slug, since_param, if_none_match)
    if if_none_match and (cache_control := caching.remembered(repeat)):
        return _not_modified(if_none_match, cache_control)
    since = live.parse_cursor(since_param)
    if since_param is not None and since is None:
        return JsonResponse({"error": "since must be a cursor from an earlier response"}, status=400)
    now = timezone.now()
    current = live.cached_state(slug, now)
    if current is None:
        return JsonResponse({"error": "no such story"}, status=404)
    story = current.story
    cursor = live.cursor_after(current, since, now)
    etag = current.etag(since, cursor)
    last_modified = current.last_change.timestamp()
    if story.is_live:
        max_age = live.window()
        cache_control = f"public, max-age={max_age}, stale-while-revalidate={max_age * 2}"
    else:
        cache_control = "public, max-age=3600"
    # What every poller sends (weak when the answer came compressed): answer it directly.
    if if_none_match in (etag, f"W/{etag}"):
        caching.remember(repeat, cache_control)
        return _not_modified(if_none_match, cache_control)
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        payload = {
            "cursor": str(cursor),
            "interval": live.interval(story),
            "live": story.is_live,
            "reload": False,
            "updates": [],
            "deleted": [],
            "pinned": None,
            "key_events": None,
        }
        if since is not None:
            found = live.changes(story, since, now)
            payload["reload"] = found.reload
            payload["updates"] = [
                {
                    "id": update.pk,
                    "html": render_to_string("coverage/includes/update.html", {"update": update}),
                    "published": update.published_at.isoformat(),
                    "edited": update.edited_at.isoformat() if update.edited_at else None,
                    "pinned": update.pinned,
                    "key_event": update.key_event,
                }
                for update in found.updates
            ]
            payload["deleted"] = found.deleted
            payload["pinned"] = found.pinned
            if found.updates or found.deleted:
                # The whole box, as the page renders it: new, edited, removed and
                # un-marked key events, in order and capped, with one query.
                payload["key_events"] = render_to_string(
                    "coverage/includes/key_events.html",
                    {"story": story, "key_events": key_events(story, now=now)},
                )
        response = JsonResponse(payload)
    response["ETag"] = etag
    if response.status_code != 304:
        response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = cache_control
    return response


def _not_modified(etag, cache_control):
    response = HttpResponseNotModified()
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response


# The static files every page links to. With the manifest storage (production) a page
# whose file is missing from the manifest cannot be rendered at all.
SITE_ASSETS = ("coverage/site.css", "coverage/live.js")


def _static_files_state():
    """ "ok" when this process can link every page's CSS and JS, else what is wrong.

    With the manifest storage: the manifest this process loaded at start names them and
    the hashed files are there (``collectstatic`` run, and run before the start). Without
    it (DEBUG, development) there is no manifest and nothing to check.
    """
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return "ok"
    try:
        stored = [staticfiles_storage.stored_name(name) for name in SITE_ASSETS]
    except ValueError as error:  # "Missing staticfiles manifest entry for ..."
        return f"error: {error} (run collectstatic, then restart)"
    missing = [name for name in stored if not staticfiles_storage.exists(name)]
    return f"error: missing {', '.join(missing)}" if missing else "ok"


def healthz(request):
    """For load balancers: 200 when pages can be served (the database and the cache
    answer, the static files pages link to are there), else 503."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as error:
        checks["database"] = f"error: {error.__class__.__name__}"
    try:
        probe = f"liveblog:healthz:{time.time_ns()}"
        cache.set(probe, "ok", 10)
        checks["cache"] = "ok" if cache.get(probe) == "ok" else "error: value not kept"
        cache.delete(probe)
    except Exception as error:
        checks["cache"] = f"error: {error.__class__.__name__}"
    checks["static"] = _static_files_state()
    healthy = all(value == "ok" for value in checks.values())
    response = JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )
    response["Cache-Control"] = "no-store"
    return response
