"""Template helpers for the reader pages: the one place times are formatted."""

import zoneinfo

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html

register = template.Library()


def story_zone(story):
    try:
        return zoneinfo.ZoneInfo(getattr(story, "time_zone", "") or settings.LIVEBLOG_TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.LIVEBLOG_TIME_ZONE)


@register.simple_tag
def timestamp(moment, story=None, style="time"):
    """``<time datetime>`` for ``moment`` in the story's zone, the zone named.

    ``style`` is "time" (“10:42 AM ET”) or "datetime" (“March 13, 2025, 10:42 AM ET”).
    """
    if moment is None:
        return ""
    local = timezone.localtime(moment, story_zone(story))
    pattern = "g:i A T" if style == "time" else "F j, Y, g:i A T"
    return format_html(
        '<time datetime="{}" data-relative>{}</time>',
        moment.astimezone(zoneinfo.ZoneInfo("UTC")).isoformat().replace("+00:00", "Z"),
        format_date(local, pattern),
    )
