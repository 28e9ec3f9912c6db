"""Times as the newsroom reads them: in a story's zone, with the zone named.

Reader pages and the admin format times here, so an editor sees the same
wall-clock time as readers for the same update.
"""

import zoneinfo

from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import pgettext

from .conf import app_settings


def formats():
    """The short and long date formats (Django's ``date`` letters) of the active language.

    Each language's catalogue says how its newsrooms write a time: “Mar. 13, 10:42 AM EDT”,
    “13 березня, 10:42 EET”, “13 de marzo, 10:42 CET”.
    """
    # Translators: Django date format letters for an update's time (https://docs.djangoproject.com
    # /en/stable/ref/templates/builtins/#date): day, month, time, zone (T); e.g. "j E, H:i T".
    short = pgettext("short time format", "N j, g:i A T")
    # Translators: as above, with the year: e.g. "j E Y, H:i T".
    long = pgettext("long time format", "F j, Y, g:i A T")
    return short, long


def zone_named(name):
    """The zone called ``name`` (an IANA name), or None if there is no such zone."""
    try:
        return zoneinfo.ZoneInfo(name) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def newsroom_zone():
    return zone_named(app_settings.TIME_ZONE) or zoneinfo.ZoneInfo("UTC")


def zone_of(story=None):
    """The zone ``story`` shows its times in: its own, else the newsroom's."""
    return zone_named(getattr(story, "time_zone", "")) or newsroom_zone()


def wall_clock(moment, zone=None, style="short"):
    """``moment`` as text in ``zone`` (default: the active zone), the zone abbreviated.

    ``style`` is "short" (“Mar. 13, 10:42 AM EDT”) or "long" (“March 13, 2025, 10:42 AM EDT”).
    """
    if moment is None:
        return ""
    short, long = formats()
    return format_date(timezone.localtime(moment, zone), short if style == "short" else long)


def place_name(zone):
    """“New York” for America/New_York: how an editor names a zone."""
    return str(zone).rsplit("/", 1)[-1].replace("_", " ")
