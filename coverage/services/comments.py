"""Writes of reader comments: a new one (held for moderation), moderation, edits, deletes.

A comment is on its story's page once approved: only writes to approved
comments, or that approve one, move the story's version.
"""

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from ..models import Comment, Story
from . import readers

APPROVED = Comment.Status.APPROVED


def create_comment(*, comment):
    """Store a new ``comment`` (``comments.post_comment`` holds readers' ones for moderation)."""
    with transaction.atomic():
        comment.save()
        if comment.status == APPROVED:
            _count_shown(comment.story_id)
        readers.after_write(comment)
    return comment


def save_comment(*, comment):
    """Save ``comment`` as edited in the moderation queue."""
    with transaction.atomic():
        before = Comment.objects.filter(pk=comment.pk).values_list("status", "story_id").first()
        comment.save()
        was_shown = before is not None and before[0] == APPROVED
        if was_shown or comment.status == APPROVED:
            _count_shown(comment.story_id, *([before[1]] if before else []))
        readers.after_write(comment, seen_before=was_shown)
    return comment


def moderate_comments(*, comments, status):
    """Give each of ``comments`` (a queryset) ``status``; returns how many there were."""
    with transaction.atomic():
        chosen = list(comments)
        count = Comment.objects.filter(pk__in=[comment.pk for comment in chosen]).update(status=status)
        shown_before = [comment for comment in chosen if comment.status == APPROVED]
        for comment in chosen:
            comment.status = status
        _count_shown(*{comment.story_id for comment in (chosen if status == APPROVED else shown_before)})
        readers.after_write(*shown_before, seen_before=True)
        readers.after_write(*chosen)
    return count


def delete_comment(*, comment):
    """Delete ``comment``."""
    with transaction.atomic():
        comment.delete()
        if comment.status == APPROVED:
            _count_shown(comment.story_id)
        readers.after_write(comment, seen_before=comment.status == APPROVED, deleted=True)


def delete_comments(*, comments):
    """Delete each of ``comments`` (a queryset: the admin's "delete selected") as ``delete_comment`` does."""
    with transaction.atomic():
        for comment in comments:
            delete_comment(comment=comment)


def _count_shown(*story_ids):
    """Count again the approved comments of the stories ``story_ids`` (``Story.comments_shown``).

    A count, not a sum of changes, so it cannot drift; its story rows are locked first,
    so two moderators' counts follow one another (the second sees the first's comment).
    Called inside the writer's transaction, only by writes that approve or were approved.
    """
    stories = Story.objects.filter(pk__in=sorted(set(story_ids)))
    list(stories.select_for_update().values_list("pk", flat=True))
    approved = Comment.objects.filter(story=OuterRef("pk"), status=APPROVED).order_by()
    counted = approved.values("story").annotate(count=Count("pk")).values("count")
    stories.update(comments_shown=Coalesce(Subquery(counted), 0))
