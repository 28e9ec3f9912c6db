"""Template helpers for the reader pages; times are formatted by ``coverage.times``."""

from datetime import UTC

from django import template
from django.utils.html import format_html, linebreaks, urlize
from django.utils.safestring import mark_safe

from coverage import markup, site, times

register = template.Library()


@register.simple_tag
def timestamp(moment, story=None, style="short"):
    """``<time datetime>`` for ``moment`` in the story's zone, the zone named.

    ``style`` is "short" (“Mar. 13, 10:42 AM EDT”, for updates) or "long"
    (“March 13, 2025, 10:42 AM EDT”). Scripts turn ``data-relative`` times
    into “5 min ago” and keep the absolute time in the title.
    """
    if moment is None:
        return ""
    return format_html(
        '<time datetime="{}" data-relative>{}</time>',
        # Whole seconds: HTML allows at most three digits of a fraction, Python writes six.
        moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        times.wall_clock(moment, times.zone_of(story), style),
    )


@register.simple_tag
def byline(authors):
    """“A”, “A and B”, “A, B and C”, each linked to the author's page (a name in any script
    keeps its own direction)."""
    links = [
        format_html('<a href="{}" dir="auto">{}</a>', author.get_absolute_url(), author.name)
        for author in authors
    ]
    if len(links) <= 1:
        return format_html("{}", links[0]) if links else ""
    return format_html("{} and {}", format_html(", ".join(["{}"] * (len(links) - 1)), *links[:-1]), links[-1])


@register.simple_tag
def byline_one(author):
    return byline([author])


@register.filter
def plain_excerpt(source, words=30):
    """A plain-text excerpt of Markdown, for descriptions and titles."""
    return markup.plain_excerpt(source, int(words))


@register.filter
def comment_text(value):
    """A reader's comment as HTML: escaped, paragraphs kept (each in its own direction),
    links marked as user content."""
    html = linebreaks(urlize(value, nofollow=True, autoescape=True), autoescape=False)
    html = html.replace("<p>", '<p dir="auto">')  # the text is escaped: every "<p>" is linebreaks'
    return mark_safe(html.replace('rel="nofollow"', 'rel="nofollow ugc"'))


@register.filter(name="absolute_url")
def absolute_url_filter(path):
    """``path`` on the site's configured origin (SITE_URL), never the request's host."""
    return site.absolute_url(path)
