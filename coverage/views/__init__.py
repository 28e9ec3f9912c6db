"""Reader-facing views, a module per subject.

- ``stories``: the story list, a story page, one update and what changed in it, an author's page.
- ``changes``: ``changes.json``, the change feed behind live updating, and its pushed stream.
- ``embed``: a story's embed, framed by partners' sites.
- ``search``: search within a story.
- ``comments``: readers' comments and their CSRF token (and the CSRF failure view).
- ``desk``: the live desk of a newsroom login on a story page (JSON).
- ``desk_preview``, ``desk_presence``: the desk's preview of an update, and who else is there.
- ``site``: ``/favicon.ico``, ``robots.txt``, ``/healthz``.
"""

from .changes import story_changes, story_stream
from .comments import comment_token, csrf_failure, story_comment
from .desk import desk, desk_updates
from .desk_presence import desk_presence
from .desk_preview import desk_preview
from .embed import story_embed
from .search import story_search
from .site import favicon, healthz, robots_txt
from .stories import author_detail, story_detail, story_list, update_changes, update_detail

__all__ = [
    "author_detail",
    "comment_token",
    "csrf_failure",
    "desk",
    "desk_presence",
    "desk_preview",
    "desk_updates",
    "favicon",
    "healthz",
    "robots_txt",
    "story_changes",
    "story_comment",
    "story_detail",
    "story_embed",
    "story_list",
    "story_search",
    "story_stream",
    "update_changes",
    "update_detail",
]
