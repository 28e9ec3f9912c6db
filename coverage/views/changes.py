"""``changes.json``: the change feed readers' pages poll (what changed in a story since a cursor)."""

from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_GET

from .. import caching, live, push
from ..pagecache import shared

# How far back a cursor may be for its answers to be kept: a reader's tab polls with the
# cursor of its last answer, at most a day old. Older or odd cursors are answered, not kept.
KEPT_CURSOR_SECONDS = 24 * 60 * 60


def changes_key(request, slug):
    """The page cache's name for a poll: the story's versions, the cursor asked from and
    the current window (a poll's cursor moves with the time). None for a cursor no reader
    was handed: any answer is then made afresh, and takes no room."""
    query = request.META.get("QUERY_STRING", "")
    if query.startswith("since=") and query[6:].isascii() and query[6:].isdigit():
        since_param = query[6:]  # what every poll asks: read without parsing a query string
    else:
        since_param = request.GET.get("since")
    current = live.current_cursor()
    if since_param is not None:
        since = live.parse_cursor(since_param)
        if since is None or since % live.window() or not current - KEPT_CURSOR_SECONDS <= since <= current:
            return None
    return f"liveblog:changes:{slug}:{caching.versions(slug)}:{since_param}:{current}"


@shared(changes_key)
@require_GET
def story_changes(request, slug):
    """``changes.json``: what changed in a story since ``?since=<cursor>``.

    Answers ``If-None-Match`` with 304 after one query (none with the page cache,
    which keeps each poll's answer for the window: ``pagecache``); sends
    ``Cache-Control`` that lets a shared cache serve every reader polling in
    the same window. A 200 holds at most one page of updates, or ``"reload": true``
    when more changed (see ``live``).
    """
    since_param = request.GET.get("since")
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
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
        return _not_modified(if_none_match, cache_control)
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        payload = live.answer(story, since, cursor, now)
        response = JsonResponse(payload)
    response["ETag"] = etag
    if response.status_code != 304:
        response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = cache_control
    if response.status_code == 200:
        response.shared_timeout = min(live.window(), caching.page_timeout(story))
    return response


def _not_modified(etag, cache_control):
    response = HttpResponseNotModified()
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response


@require_GET
def story_stream(request, slug):
    """``/live/<slug>/stream``: the story's changes pushed as Server-Sent Events, held by Pushpin.

    Through the push engine (a request it signed: ``push.signed``) the answer is a GRIP hold
    on the story's channel, opening with what changed since the reader's cursor
    (``Last-Event-ID``, or ``?since=``) and then every message ``push`` publishes. Asked
    directly, or with no push tier configured, it is a 404: the page polls ``changes.json``.
    """
    if not push.enabled() or not push.signed(request):
        return JsonResponse({"error": "no push tier here: poll changes.json"}, status=404)
    push.publisher.start()  # this process publishes the releases to come, even if it writes nothing
    now = timezone.now()
    current = live.cached_state(slug, now)
    if current is None:
        return JsonResponse({"error": "no such story"}, status=404)
    since = live.parse_cursor(request.META.get("HTTP_LAST_EVENT_ID") or request.GET.get("since"))
    cursor = live.cursor_after(current, since, now)
    opening = push.changes_event(current.story, since, cursor, now, retry=push.RECONNECT_MS)
    response = HttpResponse(opening, content_type="text/event-stream")
    response["Grip-Hold"] = "stream"
    response["Grip-Channel"] = push.channel(current.story.pk)
    response["Grip-Keep-Alive"] = ":\\n\\n; format=cstring; timeout=20"
    response["Cache-Control"] = "no-store"
    return response
