"""Stories, updates and authors as the API shows them: plain dicts in the shapes of ``schemas``.

One function per resource, so every endpoint (and a write's answer) shows a resource
the same way. Absolute URLs come from ``SITE_URL`` (``site.absolute_url``), never from
the request. What only the newsroom may read (an update's Markdown source, a story's
summary source) is included only when ``editable`` says the client may change it.
"""

from django.core.files.storage import default_storage
from django.urls import reverse

from .. import markup
from ..site import absolute_url


def api_url(name, **kwargs):
    return absolute_url(reverse(f"api:{name}", kwargs=kwargs))


def update_etag(update):
    return f'"update-{update.pk}-v{update.version}"'


def story_etag(story):
    return f'"story-{story.pk}-v{story.version}"'


def author(person):
    return {
        "id": person.pk,
        "name": person.name,
        "slug": person.slug,
        "role": person.role,
        "url": absolute_url(person.get_absolute_url()),
    }


def image(picture):
    return {
        "id": picture.pk,
        "url": absolute_url(picture.file.url) if picture.file else "",
        "width": picture.width,
        "height": picture.height,
        "caption": picture.caption,
        "credit": picture.credit,
        "alt_text": picture.alt,
        "position": picture.position,
        "renditions": [
            {
                "url": absolute_url(default_storage.url(item["name"])),
                "width": item.get("width", 0),
                "type": item.get("type", ""),
            }
            for item in picture.renditions
            if item.get("name")
        ],
    }


def embeds(source, descriptions):
    described = descriptions if isinstance(descriptions, dict) else {}
    found = []
    for embed in markup.embeds_in(source):
        description = described.get(embed.url) or {}
        found.append(
            {
                "url": embed.url,
                "provider": embed.provider,
                "kind": embed.kind,
                "frame": embed.frame_for(description) or None,
                "title": _text(description.get("title")),
                "author_name": _text(description.get("author_name")),
            }
        )
    return found


def _text(value):
    return str(value) if value else None


def update_answer(entry, *, editable=False):
    """``entry`` (with its story, bylines' authors and images at hand: ``with_byline()``)."""
    return {
        "id": entry.pk,
        "story": entry.story.slug,
        "url": absolute_url(entry.get_absolute_url()),
        "api_url": api_url("update", slug=entry.story.slug, pk=entry.pk),
        "status": entry.status,
        "headline": entry.headline,
        "markdown": entry.body if editable else None,
        "html": str(markup.render(entry.body)),
        "text": markup.plain_text(entry.body),
        "contributor_line": entry.contributor_line,
        "key_event": entry.key_event,
        "pinned": entry.pinned,
        "published_at": entry.published_at,
        "edited_at": entry.edited_at,
        "correction": (
            {"text": entry.correction, "corrected_at": entry.corrected_at}
            if entry.correction.strip()
            else None
        ),
        "authors": [author(person) for person in entry.byline_authors()],
        "images": [image(picture) for picture in entry.images.all()],
        "embeds": embeds(entry.body, entry.embeds),
        "version": entry.version,
    }


def story_summary(story):
    return {
        "id": story.pk,
        "slug": story.slug,
        "title": story.title,
        "status": story.status,
        "url": absolute_url(story.get_absolute_url()),
        "api_url": api_url("story", slug=story.slug),
        "coverage_start": story.coverage_start,
        "coverage_end": story.coverage_end,
        "last_updated": story.last_updated,
    }


def story(entry, *, key_events, pinned, editable=False, pinned_editable=False):
    return {
        **story_summary(entry),
        "summary_markdown": entry.summary if editable else None,
        "summary_html": str(markup.render(entry.summary)),
        "lead_author": author(entry.lead_author) if entry.lead_author else None,
        "time_zone": entry.time_zone,
        "language": entry.language,
        "order": entry.order,
        "comments_open": entry.comments_open,
        "key_events": [
            {
                "id": event.pk,
                "title": event.headline or markup.plain_excerpt(event.body),
                "published_at": event.published_at,
                "url": absolute_url(event.get_absolute_url()),
            }
            for event in key_events
        ],
        "pinned": update_answer(pinned, editable=pinned_editable) if pinned else None,
        "updates_url": api_url("updates", slug=entry.slug),
        "version": entry.version,
    }
