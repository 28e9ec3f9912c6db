"""JSON-LD for search engines' live-blog markup (schema.org ``LiveBlogPosting``).

An update's embeds show as what they are: a post as ``sharedContent`` (a
``SocialMediaPosting``), a video as ``video`` (a ``VideoObject`` with the provider's
frame as ``embedUrl``, and a ``thumbnailUrl`` only when the thumbnail is our own copy),
audio as ``audio``. Charts and link cards are left out.
"""

import json

from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from . import embeds, markup
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
    for key, items in _embedded(update).items():
        data.setdefault(key, []).extend(items)
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


EMBEDDED_AS = {
    "post": ("sharedContent", "SocialMediaPosting"),
    "video": ("video", "VideoObject"),
    "audio": ("audio", "AudioObject"),
}


def _embedded(update):
    """``sharedContent``, ``video`` and ``audio`` entries for the update's embeds, in reading order."""
    found = {}
    for embed in markup.embeds_in(update.body):
        if embed.kind not in EMBEDDED_AS:
            continue
        facade = embeds.facade(embed, (update.embeds or {}).get(embed.url))
        key, kind = EMBEDDED_AS[embed.kind]
        item = {"@type": kind, "url": embed.url}
        if kind == "SocialMediaPosting":
            if facade.title:
                item["text"] = facade.title
            if facade.author:
                item["author"] = {"@type": "Person", "name": facade.author}
        else:
            item["name"] = facade.title or facade.what
            item["embedUrl"] = facade.frame
            if facade.thumbnail:
                item["thumbnailUrl"] = absolute_url(facade.thumbnail["src"])
        found.setdefault(key, []).append(item)
    return found


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
        "inLanguage": story.language,
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
