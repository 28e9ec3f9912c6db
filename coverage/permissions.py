"""Who may do what in the newsroom: plain functions of a user and an object.

The newsroom has two roles, made groups by a migration (``newsroom_roles``):

- **Editors** may do everything with stories, updates, authors, pictures and
  reader comments. They hold ``coverage.change_any_update``.
- **Reporters** add updates and pictures, and change or delete only the updates
  they own: their author profile is in the byline, or they created the update
  (``Update.objects.owned_by``). They only look at stories and authors.

Django's model permissions (``add_update``, ``change_story``...) say which kind
of object a user may touch at all; the functions here narrow that to one object,
which model permissions cannot do. The admin's ``has_*_permission`` methods call
them (and still ask Django's model permission first), and so can anything else
that writes for a user, such as an HTTP API: they take a user and an object and
need no request. They decide and write nothing; the writes are in ``services``.

A refusal is enforced where the write is asked for (the admin answers 403), not
only by hiding buttons.
"""

from .models import Update

CHANGE_ANY_UPDATE = "coverage.change_any_update"
CHANGE_STORY = "coverage.change_story"
MODERATE_COMMENTS = "coverage.change_comment"
FORGET_DELETED_STORY = "coverage.delete_deletedseedstory"


def can_edit_any_update(user):
    """Whether ``user`` may change and delete anyone's updates (editors)."""
    return user.has_perm(CHANGE_ANY_UPDATE)


def editable_updates(user, updates=None):
    """Of ``updates`` (default: all), those ``user`` may change and delete: all of them for
    editors, their own for reporters."""
    return (Update.objects.all() if updates is None else updates).editable_by(user)


def can_edit_update(user, update):
    """Whether ``user`` may change and delete ``update`` (and its pictures).

    A new update (``None``, or not saved yet) is the user's own: adding one is
    Django's ``add_update`` permission.
    """
    if update is None or update.pk is None:
        return True
    if can_edit_any_update(user):
        return True
    return editable_updates(user).filter(pk=update.pk).exists()


def can_pin(user):
    """Whether ``user`` may pin updates: pinning unpins the story's other update,
    which may be someone else's, so only editors may."""
    return can_edit_any_update(user)


def can_edit_lead_images(user):
    """Whether ``user`` may change a story's own pictures (its lead image): editors.
    Reporters' pictures belong to an update they may edit."""
    return user.has_perm(CHANGE_STORY)


def can_edit_image(user, image, *, can_edit=can_edit_update):
    """Whether ``user`` may change and delete ``image``: an update's picture goes with
    its update (``can_edit``, by default ``can_edit_update``); a story's lead image
    with the story. A new picture (``None``) is anyone's who may add pictures."""
    if image is None:
        return True
    if image.update_id:
        return can_edit(user, image.update)
    return can_edit_lead_images(user)


def can_manage_webhooks(user):
    """Whether ``user`` may register, pause and delete webhooks and read their delivery log
    (editors: those who may change stories). An endpoint hears every update of a story,
    reporters' colleagues' included, so reporters may not."""
    return user.has_perm(CHANGE_STORY)


def can_moderate_comments(user):
    """Whether ``user`` may approve reader comments, mark them as spam or send them back
    to the queue (editors). Nobody adds comments in the newsroom: they come from readers."""
    return user.has_perm(MODERATE_COMMENTS)


def can_forget_deleted_story(user):
    """Whether ``user`` may delete the record of a seeded story deleted in the newsroom,
    which lets the seed load its document again. The records are never added or changed
    by hand: deleting a seeded story makes one."""
    return user.has_perm(FORGET_DELETED_STORY)
