"""JSON-LD for search engines' live-blog markup (schema.org ``LiveBlogPosting``)."""

import json

from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from . import markup
from .site import absolute_url

_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def _person(author):
    return {"@type": "Person", "name": author.name}


def _iso(moment):
    return moment.isoformat() if moment else None


def blog_posting(story, update):
    page_url = absolute_url(story.get_absolute_url())
    data = {
        "@type": "BlogPosting",
        "headline": update.headline or markup.plain_excerpt(update.body, 14),
        "articleBody": markup.plain_text(update.body),
        "datePublished": _iso(update.published_at),
        "dateModified": _iso(update.edited_at or update.published_at),
        "author": [_person(author) for author in update.byline_authors()],
        "url": f"{page_url}#{update.anchor}",
    }
    images = list(update.images.all())
    if images:
        data["image"] = [absolute_url(image.file.url) for image in images]
    for clip in update.clips.all():
        key = "video" if clip.is_video else "audio"
        data.setdefault(key, []).append(media_object(clip, update))
    return data


def media_object(clip, update):
    """A clip as a schema.org ``VideoObject`` or ``AudioObject``."""
    data = {
        "@type": "VideoObject" if clip.is_video else "AudioObject",
        "name": Truncator(" ".join(clip.caption.split())).words(14) if clip.caption else str(update),
        "contentUrl": absolute_url(clip.file.url),
        "encodingFormat": clip.mime_type,
        "duration": clip.iso_duration,
        "uploadDate": _iso(update.published_at),
    }
    if clip.caption:
        data["description"] = clip.caption
    if clip.is_video:
        data["width"], data["height"] = clip.width, clip.height
        if clip.poster_url:
            data["thumbnailUrl"] = absolute_url(clip.poster_url)
    if clip.credit:
        data["creditText"] = clip.credit
    return data


def live_blog_posting(story, updates):
    """The story and the ``updates`` shown on the page, as a JSON-LD script body."""
    modified = max((u.edited_at or u.published_at for u in updates), default=story.updated_at)
    data = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "@id": absolute_url(story.get_absolute_url()),
        "url": absolute_url(story.get_absolute_url()),
        "headline": story.title,
        "description": markup.plain_excerpt(story.summary, 40),
        "datePublished": _iso(story.coverage_start or story.created_at),
        "dateModified": _iso(modified),
        "coverageStartTime": _iso(story.coverage_start or story.created_at),
        "liveBlogUpdate": [blog_posting(story, update) for update in updates],
    }
    if story.coverage_end:
        data["coverageEndTime"] = _iso(story.coverage_end)
    if story.lead_author:
        data["author"] = [_person(story.lead_author)]
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_SAFE))
