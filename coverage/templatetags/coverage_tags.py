"""Template helpers for the reader pages; times are formatted by ``coverage.times``."""

import hashlib
from datetime import UTC

from django import template
from django.utils.html import format_html, format_html_join, json_script, linebreaks, urlize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext

from coverage import embeds, languages, markup, site, times

register = template.Library()


@register.simple_tag
def timestamp(moment, story=None, style="short", relative=False):
    """``<time datetime>`` for ``moment`` in the story's zone, the zone named.

    ``style`` is "short" (“Mar. 13, 10:42 AM EDT”, for updates) or "long"
    (“March 13, 2025, 10:42 AM EDT”). A ``relative`` time is written in full
    (right without script, and in a page cached for a while) with the same text
    as its title; the page script shows it as “5 min ago”, keeping the title.
    """
    if moment is None:
        return ""
    text = times.wall_clock(moment, times.zone_of(story), style)
    # Whole seconds: HTML allows at most three digits of a fraction, Python writes six.
    utc = moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    if relative:
        return format_html('<time datetime="{}" data-relative title="{}">{}</time>', utc, text, text)
    return format_html('<time datetime="{}">{}</time>', utc, text)


AVATAR_HUES = 6  # .avatar-hue-0 … -5 in site.css


@register.simple_tag
def avatar(author, size=40, lazy=True):
    """The author's square portrait at ``size`` CSS pixels, or their initials on a colour.

    Decorative (``alt=""``, ``aria-hidden``): the name is always written next to it.
    """
    urls = author.portrait_urls()
    if urls is None:
        hue = hashlib.sha256(author.name.encode()).digest()[0] % AVATAR_HUES
        # The letters are drawn by CSS (attr()), so the byline's text stays the names alone.
        return format_html(
            '<span class="avatar avatar-{} avatar-initials avatar-hue-{}" data-initials="{}"'
            ' aria-hidden="true"></span>',
            size,
            hue,
            author.initials,
        )
    small, large = urls
    return format_html(
        '<img class="avatar avatar-{}" src="{}" srcset="{} 2x" width="{}" height="{}" alt=""{}>',
        size,
        small,
        large,
        size,
        size,
        mark_safe(' loading="lazy" decoding="async"') if lazy else "",
    )


@register.simple_tag
def byline(authors, prefix="", size=32):
    """The authors' portraits, then “A”, “A and B”, “A, B and C”, each linked to the author's
    page (a name in any script keeps its own direction)."""
    if not authors:
        return ""
    links = [
        format_html('<a href="{}" dir="auto">{}</a>', author.get_absolute_url(), author.name)
        for author in authors
    ]
    if len(links) == 1:
        names = links[0]
    else:
        # Translators: the last two names of a byline, e.g. "Olena Petrenko, Ivan Melnyk and Ana Ruiz".
        names = format_html(
            gettext("{names} and {last}"),
            names=format_html(pgettext("between names", ", ").join(["{}"] * (len(links) - 1)), *links[:-1]),
            last=links[-1],
        )
    portraits = format_html_join("", "{}", ((avatar(author, size),) for author in authors))
    return format_html(
        '<span class="avatars">{}</span><span class="byline-names">{}{}</span>',
        portraits,
        f"{prefix} " if prefix else "",
        names,
    )


@register.simple_tag
def byline_one(author, prefix="", size=40):
    return byline([author], prefix, size)


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


@register.simple_tag
def script_texts():
    """The page scripts' words in the page's language, as a JSON data block (``id="script-texts"``;
    a data block runs nothing, so the script policy allows it)."""
    return json_script(languages.script_texts(), "script-texts")


@register.inclusion_tag("coverage/includes/embed.html")
def embed_facade(embed, descriptions=None):
    """An embed as a facade (or a link card), with what its provider said of it in ``descriptions``
    (the ``embeds`` of the update or story: URL -> description)."""
    description = descriptions.get(embed.url) if isinstance(descriptions, dict) else None
    return {"embed": embed, "facade": embeds.facade(embed, description)}
