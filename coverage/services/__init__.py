"""The services layer: every write to the database goes through a function here.

The admin, the seed command, comment posting and moderation, ``ensure_admin``
and tests all call these functions (``from coverage import services;
services.save_update(update=...)``); nothing else in ``coverage/`` saves,
creates, updates or deletes a model (``tests/test_write_path.py`` walks the
code to check it). Each function takes keyword arguments, records who wrote
where it matters (``UpdateRevision.writer``: a login or the seed), and, once it
has written, calls ``readers.after_write()``, the one function that decides
what readers' cached pages and feeds must drop.

Modules by subject:

- ``updates``: save (pin, byline, revision), bulk create, publish, delete
- ``stories``: save, start and end coverage (an idle story's end too), delete, the seed's bookkeeping
- ``images``: save with renditions, delete, files' cleanup
- ``clips``: save with poster and captions, delete, files' cleanup
- ``authors``: create, save with portraits, delete, link to a login
- ``comments``: a reader's new comment, moderation, edits, deletes
- ``logins``: the development superuser of ``ensure_admin``
- ``embeds``: the providers' descriptions of embedded URLs, written after a save commits
- ``tokens``: API tokens: make (the key shown once), revoke, note their use
- ``webhooks``: endpoints (register, pause, delete), events queued for them (``announce``),
  the delivery worker's claims and logged attempts
- ``versions``: versioned rows and ``StaleEdit``
- ``readers``: what readers' caches drop after a write
"""

from .authors import AuthorTaken, create_author, delete_author, delete_authors, link_author, save_author
from .clips import delete_clip, delete_clips, save_clip
from .comments import create_comment, delete_comment, delete_comments, moderate_comments, save_comment
from .images import delete_image, delete_images, discard_unused_files, save_image
from .logins import ensure_admin_login
from .stories import (
    delete_story,
    end_coverage,
    end_idle_story,
    forget_deleted_story,
    record_seed_positions,
    save_story,
    start_coverage,
)
from .tokens import create_token, note_token_use, revoke_token, revoke_tokens
from .updates import create_updates, delete_update, delete_updates, publish_update, save_update
from .versions import StaleEdit
from .webhooks import (
    announce,
    claim_delivery,
    delete_webhook,
    delete_webhooks,
    fill_payload,
    record_attempt,
    retry_deliveries,
    save_webhook,
    set_webhooks_active,
    skip_delivery,
)

__all__ = [
    "AuthorTaken",
    "StaleEdit",
    "announce",
    "claim_delivery",
    "create_author",
    "create_comment",
    "create_token",
    "create_updates",
    "delete_author",
    "delete_authors",
    "delete_clip",
    "delete_clips",
    "delete_comment",
    "delete_comments",
    "delete_image",
    "delete_images",
    "delete_story",
    "delete_update",
    "delete_updates",
    "delete_webhook",
    "delete_webhooks",
    "discard_unused_files",
    "end_coverage",
    "end_idle_story",
    "ensure_admin_login",
    "fill_payload",
    "forget_deleted_story",
    "link_author",
    "moderate_comments",
    "note_token_use",
    "publish_update",
    "record_attempt",
    "record_seed_positions",
    "retry_deliveries",
    "revoke_token",
    "revoke_tokens",
    "save_author",
    "save_clip",
    "save_comment",
    "save_image",
    "save_story",
    "save_update",
    "save_webhook",
    "set_webhooks_active",
    "skip_delivery",
    "start_coverage",
]
