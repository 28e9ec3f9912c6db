"""Writes of reader comments: a new one (held for moderation), moderation, edits, deletes.

A comment is on its story's page once approved: only writes to approved
comments, or that approve one, move the story's version.
"""

from django.db import transaction

from ..models import Comment
from . import readers


def create_comment(*, comment):
    """Store a new ``comment`` (``comments.post_comment`` holds readers' ones for moderation)."""
    comment.save()
    readers.after_write(comment)
    return comment


def save_comment(*, comment):
    """Save ``comment`` as edited in the moderation queue."""
    with transaction.atomic():
        before = Comment.objects.filter(pk=comment.pk).values_list("status", flat=True).first()
        comment.save()
        readers.after_write(comment, seen_before=before == Comment.Status.APPROVED)
    return comment


def moderate_comments(*, comments, status):
    """Give each of ``comments`` (a queryset) ``status``; returns how many there were."""
    with transaction.atomic():
        chosen = list(comments)
        count = Comment.objects.filter(pk__in=[comment.pk for comment in chosen]).update(status=status)
        shown_before = [comment for comment in chosen if comment.status == Comment.Status.APPROVED]
        for comment in chosen:
            comment.status = status
        readers.after_write(*shown_before, seen_before=True)
        readers.after_write(*chosen)
    return count


def delete_comment(*, comment):
    """Delete ``comment``."""
    with transaction.atomic():
        comment.delete()
        readers.after_write(comment, seen_before=comment.status == Comment.Status.APPROVED, deleted=True)


def delete_comments(*, comments):
    """Delete each of ``comments`` (a queryset: the admin's "delete selected") as ``delete_comment`` does."""
    with transaction.atomic():
        for comment in comments:
            delete_comment(comment=comment)
