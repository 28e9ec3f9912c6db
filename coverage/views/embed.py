"""A story's embed: its newest updates, live, for partners' sites to frame (``coverage.partners``).

The page is the story page's stream without the site around it: the same update and
pager includes, the same live script and change feed. Like the story page it is the same
for every reader and kept whole by the page cache; it sets no cookie and holds no CSRF
token (there is no comment form in it).
"""

import hashlib

from django.http import QueryDict
from django.shortcuts import redirect, render

from liveblog import security

from .. import caching, idle, languages, live, pagination, partners, push
from ..models import Story
from ..pagecache import shared
from ..site import absolute_url, origin_parts
from .stories import NO_PARAMETERS, embed_frames, moved_story, shared_page, stream_page


def embed_page_key(request, slug):
    """The page cache's name for a story's embed: its slug and versions, and the sites that
    may frame it (the page's policy names them). The embed answers to no parameter."""
    ancestors = hashlib.sha256(" ".join(partners.frame_ancestors()).encode()).hexdigest()[:12]
    return caching.page_key(slug, caching.versions(slug), NO_PARAMETERS, kind=f"story-embed:{ancestors}")


@shared(embed_page_key)
def story_embed(request, slug):
    """A story's newest updates, newest first, live while the story is: what a partner's
    iframe shows. Links open in a new tab; "older updates" lead to the story page.

    Template ``coverage/story_embed.html``; context ``story``, ``page``, ``pinned``,
    ``query`` (the pager's links are the story page's: ``<base href>``), ``story_url``,
    ``site_host``, ``live_polling``, ``live_cursor``, ``live_interval``, ``live_stream``,
    ``has_gallery``, ``embed_frames``. Drafts are 404, as on the story page.

    Its policy lets the sites in ``LIVEBLOG_EMBED_ORIGINS`` frame it (none when empty:
    the page still answers, for the newsroom's preview and direct links). When some may,
    the X-Frame-Options DENY every other page sends is left out: browsers that know CSP
    follow frame-ancestors, and a DENY beside it would block the partners.
    """
    story = Story.objects.as_pages_read_them().filter(slug=slug).first()
    if story is None:
        caching.forget(slug)  # the page cache's key made versions for it: nothing to keep
        moved = moved_story(slug)  # partners' pasted code outlives a slug's change
        return redirect("coverage:story_embed", slug=moved.slug, permanent=True)
    idle.end_if_idle(story)
    page, pinned = stream_page(story, story.updates.published(pagination.public_until()), {})
    shown = ([pinned] if pinned else []) + page.items
    frames = embed_frames(updates=shown)
    context = {
        "story": story,
        "page": page,
        "pinned": pinned,
        # The pager's links lead to the story page, newest first as here.
        "query": QueryDict("order=newest") if story.oldest_first else NO_PARAMETERS,
        "story_url": absolute_url(story.get_absolute_url()),
        "site_host": origin_parts()[1],
        "live_polling": story.is_live,
        "live_cursor": live.current_cursor(),
        "live_interval": live.interval(story),
        "live_stream": push.enabled(),
        "has_gallery": any(update.has_gallery() for update in shown),
        "embed_frames": frames,
    }
    with languages.speaking(story):
        response = render(request, "coverage/story_embed.html", context)
    ancestors = partners.frame_ancestors()
    response["Content-Security-Policy"] = security.reader_policy(frames, frame_ancestors=ancestors)
    if ancestors:
        response.xframe_options_exempt = True
    response.shared_timeout = caching.page_timeout(story)
    return shared_page(request, response, caching.content_etag(response.content))
