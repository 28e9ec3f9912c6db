"""The live desk's preview: an update not yet published, rendered as readers will see it.

The composer's script (``desk-preview.js``) posts what is typed a moment after typing stops
and shows the answer under the composer. The text goes through the one renderer readers'
pages use (``markup``: Markdown, then nh3) and the one template of an update's text
(``includes/text.html``), so a URL alone on a line shows its embed's facade, built from the
URL alone (no provider is asked before publishing, as the page shows it before its
description arrives). Nothing is stored.
"""

import json

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import languages, markup
from ..models import Story
from .desk import refusal

# The write API's own limits (api/schemas.py): a preview of more could never be published.
MARKDOWN_CHARS = 100_000
HEADLINE_CHARS = 300
# A body bigger than both at four bytes a character is refused unread.
MAX_BYTES = 4 * (MARKDOWN_CHARS + HEADLINE_CHARS) + 1024


def _blocks(source):
    """The blocks of ``source``, rendered without keeping them in ``markup.blocks``'s cache:
    drafts change at every keystroke and would push out the published texts readers ask for."""
    return markup.blocks.__wrapped__(source)


@require_POST
@never_cache
def desk_preview(request, slug):
    """``{"html": …}``: ``{"markdown", "headline"}`` (JSON) rendered as the story page renders
    an update's headline and text (``includes/desk_preview.html``); 403 unless the session's
    login may add updates, 413 for a text longer than an update can be, 400 for a malformed one."""
    refused = refusal(request.user)
    if refused:
        return refused
    story = get_object_or_404(Story.objects.public(), slug=slug)
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_BYTES:
        return JsonResponse({"detail": "Too long to preview."}, status=413)
    try:
        sent = json.loads(request.body)
        markdown, headline = sent.get("markdown", ""), sent.get("headline", "")
    except (ValueError, AttributeError):
        return JsonResponse({"detail": "Send JSON: {markdown, headline}."}, status=400)
    if not isinstance(markdown, str) or not isinstance(headline, str):
        return JsonResponse({"detail": "markdown and headline are text."}, status=400)
    if len(markdown) > MARKDOWN_CHARS or len(headline) > HEADLINE_CHARS:
        return JsonResponse({"detail": "Too long to preview."}, status=413)
    blocks = _blocks(markdown) if markdown.strip() else ()  # no embed is described: none is fetched
    with languages.speaking(story):
        html = render_to_string(
            "coverage/includes/desk_preview.html",
            {"headline": headline.strip(), "parts": [("block", part) for part in blocks], "descriptions": {}},
        )
    return JsonResponse({"html": html})
