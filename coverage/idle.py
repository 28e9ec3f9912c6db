"""Coverage left live by mistake ends by itself, with no job outside the application.

A live story is idle once ``LIVEBLOG_IDLE_END_HOURS`` (default 24; 0: never) have passed
since its last activity: the newest of its updates published or scheduled, or the moment
it last went live (``Story.live_since``, else its coverage start) when that is later. An
update scheduled for later counts: the newsroom has said coverage goes on, and ending the
story first would have that update appear on an ended page that no longer polls. Edits of
old updates and drafts do not count: a story left live with one typo fixed is still left.

The end is seen when the story is read. Every read of one story loads it in one of a few
places, and each calls ``end_if_idle()``: ``live.state()`` (``changes.json``, the stream,
the feed), ``views.stories.render_story()`` (the page), ``views.stories.public_story()``
(an update's page, a comment) and ``api.reading.find_story()`` (the API). The front page,
the API's list and the admin's list end every idle story first (``end_idle_stories()``, one
query), so a story nobody opens ends too. No cached answer outlives the deadline:
``caching.page_timeout`` cuts a live story's entries short at it, so the first read after
it reaches the view. The write is ``services.end_idle_story``: versioned like any save,
idempotent when two readers see it at once.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext, ngettext

from . import services, times
from .conf import app_settings
from .models import Story


def limit():
    """How long a live story may go without activity (None: it never ends by itself)."""
    hours = app_settings.IDLE_END_HOURS
    return timedelta(hours=hours) if hours > 0 else None


def last_activity(story):
    """The later of ``story``'s newest update published or scheduled and the moment it went live.

    Read from the ``last_activity_at`` annotation (``Story.objects.with_activity()``) when
    the story was loaded with it, else with one query.
    """
    if "last_activity_at" in story.__dict__:
        newest = story.last_activity_at
    else:
        activity = Story.objects.filter(pk=story.pk).with_activity()
        newest = activity.values_list("last_activity_at", flat=True).first()
    moments = [moment for moment in (newest, story.live_since or story.coverage_start) if moment]
    return max(moments, default=None)


def deadline(story):
    """When ``story`` ends by itself if nothing happens before (None: it is not live, or never ends)."""
    span = limit()
    if span is None or story.status != Story.Status.LIVE:
        return None
    since = last_activity(story)
    return since + span if since is not None else None


def end_if_idle(story, now=None):
    """End ``story`` if it is idle at ``now``; it then holds what was written (status ended).

    Returns whether it is ended by the site now (this call or a concurrent one).
    """
    now = now or timezone.now()
    due = deadline(story)
    if due is None or due > now:
        return False
    services.end_idle_story(story=story, now=now)
    return story.ended_automatically_at is not None


def end_idle_stories(now=None):
    """End every idle live story (the front page calls it: one query when none is idle).

    Returns how many this call ended.
    """
    now = now or timezone.now()
    if limit() is None:
        return 0
    ended = 0
    for story in Story.objects.filter(status=Story.Status.LIVE).with_activity():
        due = deadline(story)
        if due is not None and due <= now:
            ended += services.end_idle_story(story=story, now=now)
    return ended


def reason(story):
    """Why and when the site ended ``story``, in one sentence for the newsroom ("" when it did not)."""
    if story.ended_automatically_at is None or story.status != Story.Status.ENDED:
        return ""
    hours = app_settings.IDLE_END_HOURS
    if story.coverage_end is not None:  # the limit when it ended, whatever it is now
        hours = (story.ended_automatically_at - story.coverage_end).total_seconds() / 3600
    hours = round(hours, 1)
    at = times.wall_clock(story.ended_automatically_at, times.zone_of(story), "short")
    if hours != int(hours):
        return gettext("Ended automatically: no update for %(hours)s hours, at %(time)s.") % {
            "hours": f"{hours:g}",
            "time": at,
        }
    return ngettext(
        "Ended automatically: no update for %(hours)d hour, at %(time)s.",
        "Ended automatically: no update for %(hours)d hours, at %(time)s.",
        int(hours),
    ) % {"hours": int(hours), "time": at}
