"""Who else is at the live desk of a story: the heartbeat of ``desk-presence.js``.

Each open desk posts what its editor is doing every few seconds (and at once when that
changes); the answer is who else is there (``coverage.presence``, kept in the cache). On
leaving the page the script sends a goodbye with ``navigator.sendBeacon``, which can only
post a form: the view takes a form (with ``csrfmiddlewaretoken``) as well as JSON.
"""

import json

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import presence
from ..models import Story
from .desk import refusal

GONE = "gone"
ASKED = 'Send {"doing": "writing", "editing" or "here", "update": id or null}.'


def _sent(request):
    """``(doing, update)`` from a JSON or form body; ValueError when neither makes sense."""
    if request.content_type == "application/json":
        sent = json.loads(request.body)
        if not isinstance(sent, dict):
            raise ValueError("not an object")
        doing, update = sent.get("doing"), sent.get("update")
    else:
        doing, update = request.POST.get("doing"), request.POST.get("update") or None
        update = int(update) if update is not None else None
    if doing not in (*presence.DOINGS, GONE):
        raise ValueError("doing")
    if update is not None and (isinstance(update, bool) or not isinstance(update, int)):
        raise ValueError("update")
    return doing, update


@require_POST
@never_cache
def desk_presence(request, slug):
    """``{"present": [{"id", "name", "doing", "update"}], "heartbeat": s, "writing": s}``: the others at the
    story's desk after noting what this login does (``{"doing": "writing"|"editing"|"here",
    "update": id|null}``); ``"gone"`` says goodbye (204). 403 unless the login may add
    updates; 400 for an update that is not the story's."""
    refused = refusal(request.user)
    if refused:
        return refused
    story = get_object_or_404(Story.objects.public(), slug=slug)
    try:
        doing, update = _sent(request)
    except ValueError:
        return JsonResponse({"detail": ASKED}, status=400)
    if doing == GONE:
        presence.leave(story, request.user)
        return HttpResponse(status=204)
    if doing == "editing" and (update is None or not story.updates.filter(pk=update).exists()):
        return JsonResponse({"detail": "No such update in this story."}, status=400)
    presence.beat(story, request.user, doing=doing, update=update)
    return JsonResponse(
        {
            "present": presence.present(story, besides=request.user),
            "heartbeat": presence.HEARTBEAT_SECONDS,
            "writing": presence.WRITING_SECONDS,
        }
    )
