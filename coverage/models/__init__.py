"""Live coverage: stories that grow by short, bylined, timestamped updates.

A module per subject; every model is importable from here (``from coverage.models import Story``).
"""

from .authors import Author
from .clips import Clip
from .comments import Comment, CommentQuerySet
from .deletions import DeletedSeedStory, Tombstone
from .images import Image
from .stories import SUMMARY_FOLD_CHARS, Story, StoryQuerySet, latest
from .tokens import ApiToken
from .updates import Byline, Update, UpdateQuerySet, UpdateRevision, Writer, public_change, public_updates
from .webhooks import Webhook, WebhookDelivery, WebhookEvent

__all__ = [
    "SUMMARY_FOLD_CHARS",
    "ApiToken",
    "Author",
    "Byline",
    "Clip",
    "Comment",
    "CommentQuerySet",
    "DeletedSeedStory",
    "Image",
    "Story",
    "StoryQuerySet",
    "Tombstone",
    "Update",
    "UpdateQuerySet",
    "UpdateRevision",
    "Webhook",
    "WebhookDelivery",
    "WebhookEvent",
    "Writer",
    "latest",
    "public_change",
    "public_updates",
]
