"""``changes.json``: the change feed readers' pages poll (what changed in a story since a cursor)."""

from django.http import HttpResponseNotModified, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_GET

from .. import caching, live
from .stories import key_events


@require_GET
def story_changes(request, slug):
    """``changes.json``: what changed in a story since ``?since=<cursor>``.

    Answers ``If-None-Match`` with 304 after one query (none with the shared cache,
    none for a poll this process answered in the last second); sends
    ``Cache-Control`` that lets a shared cache serve every reader polling in
    the same window. A 200 holds at most one page of updates, or ``"reload": true``
    when more changed (see ``live``).
    """
    since_param = request.GET.get("since")
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
