"""When an update goes public: the rules every editing surface applies (the admin's form, the API).

``services.save_update`` dates "Publish now" (a published update without a time);
these rules say which times an editor may ask for, in the words they are refused with.
"""

from datetime import timedelta

from django.utils.translation import gettext as _

from .models import Update

# A published time this far ahead is a mistake for "Schedule for later", not clock drift.
FUTURE_TOLERANCE = timedelta(minutes=1)


def time_error(status, moment, *, retimed, now):
    """Why an update may not be saved with ``status`` and ``moment`` (None: it may).

    ``retimed``: its status or time is being changed, or it is new (a schedule whose
    time passed while nobody touched it is not refused for that).
    """
    if status == Update.Status.SCHEDULED:
        if moment is None:
            return _("Choose when this update goes public.")
        if moment <= now and retimed:
            return _("This time has passed: choose a time in the future, or “Publish now”.")
    if status == Update.Status.PUBLISHED and moment is not None and moment > now + FUTURE_TOLERANCE:
        return _("This time is in the future: choose “Schedule for later” to publish the update then.")
    return None


def publishes_now(status, *, was_published, time_given):
    """Whether a save means "Publish now": published, not before, and no time chosen. The
    time left over from a draft or a schedule is then dropped, for the service to date."""
    return status == Update.Status.PUBLISHED and not was_published and not time_given
