"""What a provider says about an embedded post or video (oEmbed), asked once by the server
when an update is saved, so that readers' pages show a facade without asking the provider.

``describe(url, endpoint)`` never raises and never takes much longer than ``BUDGET_SECONDS``:
an editor's save must not wait on, or fail because of, a provider. It keeps plain facts only,
each checked for its type, stripped and cut to a length: no HTML is kept (a Bluesky post's
``at://`` URI is the one thing read out of the ``html`` field). The thumbnail is fetched
through the same safe client, checked and re-encoded like an upload, and stored as our own
file with renditions (``embeds/<hash of its URL>``, once per URL), so pages load no
third-party picture before a reader asks for the embed.
"""

import hashlib
import io
import json
import logging
import re
import time
from urllib.parse import quote, urlsplit

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image as PILImage

from . import images
from .fetch import FetchError, FetchRefused, fetch

logger = logging.getLogger(__name__)

BUDGET_SECONDS = 4.0
ENDPOINT_SECONDS = 3.0  # at most, of the budget: the rest is the thumbnail's
THUMBNAIL_MIN_SECONDS = 0.25  # less left than this: no thumbnail is tried
MAX_OEMBED_BYTES = 1_000_000
MAX_THUMBNAIL_BYTES = 5 * 1024 * 1024
MAX_THUMBNAIL_PIXELS = 12_000_000  # decoding and resizing stay well inside the budget
THUMBNAIL_FOLDER = "embeds"
THUMBNAIL_EXTENSIONS = sorted({extension for _, extension in images.ACCEPTED_FORMATS.values()})

TEXT_FIELDS = {"title": 300, "author_name": 200, "provider_name": 100}
MAX_URL_LENGTH = 2000
MAX_DIMENSION = 10_000
OEMBED_FIELDS = {"type", "version", "title", "author_name", "author_url", "provider_name"}
OEMBED_FIELDS |= {"thumbnail_url", "width", "height", "html"}

# Controls and bidirectional overrides (which can make a title read backwards); joiners stay.
HIDDEN_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
BLUESKY_URI = re.compile(r"""data-bluesky-uri\s*=\s*["'](at://[^"'\s<>]{1,300})["']""")
AT_URI = re.compile(r"^at://[A-Za-z0-9._:%-]+(/[A-Za-z0-9._~:%-]+)*$")


class NotOEmbed(ValueError):
    """A response that is no oEmbed description."""


class ThumbnailTooLarge(ValueError):
    """A thumbnail with more pixels than is worth decoding during a save."""


def describe(url, endpoint, *, budget=BUDGET_SECONDS):
    """What ``endpoint`` (an oEmbed URL template, ``{url}`` standing for ``url`` URL-encoded)
    says about ``url``: a dict with the keys found among ``title``, ``author_name``,
    ``author_url``, ``provider_name``, ``width``, ``height``, ``uri`` (a Bluesky post's
    ``at://`` URI) and ``thumbnail`` (``{"name", "width", "height", "renditions"}``, stored
    files), plus ``fetched`` (ISO time) and ``error`` (``""``). On failure only ``fetched``
    and ``error``: ``"refused"`` (a target we never contact), ``"unreachable"`` or
    ``"not oEmbed"``. Never raises.
    """
    deadline = time.monotonic() + budget
    try:
        description, error = _describe(url, endpoint, deadline), ""
    except FetchRefused as refusal:
        description, error = {}, "refused"
        logger.info("oEmbed for %s refused: %s", url, refusal)
    except FetchError as failure:
        description, error = {}, "unreachable"
        logger.info("oEmbed for %s unreachable: %s", url, failure)
    except NotOEmbed as wrong:
        description, error = {}, "not oEmbed"
        logger.info("oEmbed for %s: %s", url, wrong)
    except Exception:
        description, error = {}, "unreachable"
        logger.exception("oEmbed for %s failed", url)
    return {**description, "fetched": timezone.now().isoformat(timespec="seconds"), "error": error}


def endpoint_url(endpoint, url):
    """``endpoint`` with ``url`` URL-encoded in place of ``{url}`` (or added as ``url=``)."""
    if not isinstance(endpoint, str) or not isinstance(url, str):
        raise FetchRefused("the endpoint and the URL must be text")
    encoded = quote(url, safe="")
    if "{url}" in endpoint:
        return endpoint.replace("{url}", encoded)
    return f"{endpoint}{'&' if '?' in endpoint else '?'}url={encoded}"


def _describe(url, endpoint, deadline):
    answer = fetch(
        endpoint_url(endpoint, url),
        timeout=min(ENDPOINT_SECONDS, max(deadline - time.monotonic(), 0.001)),
        max_bytes=MAX_OEMBED_BYTES,
        accept="application/json",
    )
    try:
        document = json.loads(answer.body)
    except (ValueError, RecursionError):
        raise NotOEmbed(f"{answer.url} sent no JSON ({answer.content_type or 'no type'})") from None
    if not isinstance(document, dict) or not OEMBED_FIELDS & document.keys():
        raise NotOEmbed(f"{answer.url} sent JSON that is no oEmbed description")
    description = {}
    for field, limit in TEXT_FIELDS.items():
        description[field] = _text(document.get(field), limit)
    description["author_url"] = _web_url(document.get("author_url"))
    description["width"] = _dimension(document.get("width"))
    description["height"] = _dimension(document.get("height"))
    description["uri"] = _bluesky_uri(document.get("html"))
    thumbnail_url = _web_url(document.get("thumbnail_url"))
    if thumbnail_url:
        description["thumbnail"] = _thumbnail_or_none(thumbnail_url, deadline)
    return {key: value for key, value in description.items() if value is not None}


def _text(value, limit):
    if not isinstance(value, str):
        return None
    text = " ".join(HIDDEN_CHARACTERS.sub(" ", value).split())
    return text[:limit].rstrip() or None


def _web_url(value):
    """``value`` if it is an absolute http(s) URL of a sensible length, else None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if len(value) > MAX_URL_LENGTH or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    return value if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def _dimension(value):
    """A width or height in pixels: a whole number from 1 to ``MAX_DIMENSION`` (or its digits)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 6:
        value = int(value.strip())
    return value if isinstance(value, int) and 0 < value <= MAX_DIMENSION else None


def _bluesky_uri(html):
    """The ``at://`` URI a Bluesky embed's blockquote carries (``data-bluesky-uri``), if any."""
    if not isinstance(html, str):
        return None
    found = BLUESKY_URI.search(html[:MAX_OEMBED_BYTES])
    return found[1] if found and AT_URI.match(found[1]) else None


def _thumbnail_or_none(source_url, deadline):
    """The stored thumbnail, or None when it cannot be had: the description stands without it."""
    try:
        return thumbnail(source_url, deadline=deadline)
    except (FetchError, images.UploadRefused, ThumbnailTooLarge) as error:
        logger.info("thumbnail %s not stored: %s", source_url, error)
    except Exception:
        logger.exception("thumbnail %s not stored", source_url)
    return None


def thumbnail(source_url, *, deadline):
    """``{"name", "width", "height", "renditions"}`` of the picture at ``source_url``, stored
    under ``embeds/`` by a hash of the URL: fetched, checked and re-encoded the first time
    (``images.clean_upload``), read from storage afterwards. Raises what fetching or the
    picture checks raise."""
    stem = f"{THUMBNAIL_FOLDER}/{hashlib.sha256(source_url.encode()).hexdigest()[:32]}"
    stored = _stored_thumbnail(stem)
    if stored is not None:
        return stored
    left = deadline - time.monotonic()
    if left < THUMBNAIL_MIN_SECONDS:
        raise FetchError("no time left for the thumbnail")
    answer = fetch(
        source_url,
        timeout=left,
        max_bytes=MAX_THUMBNAIL_BYTES,
        accept="image/webp, image/jpeg, image/png, image/gif;q=0.8",
    )
    pixels = _pixels(answer.body)
    if pixels > MAX_THUMBNAIL_PIXELS:
        raise ThumbnailTooLarge(f"{pixels} pixels, at most {MAX_THUMBNAIL_PIXELS} for a thumbnail")
    picture = images.clean_upload(io.BytesIO(answer.body))
    name = images.store(f"{stem}.{picture.extension}", ContentFile(picture.content))
    try:
        renditions = images.make_renditions(name)
    except BaseException:
        images.delete_files([name])
        raise
    return {"name": name, "width": picture.width, "height": picture.height, "renditions": renditions}


def _pixels(content):
    """The pixel count a picture's header announces (0 when Pillow cannot tell: the checks say why)."""
    try:
        with PILImage.open(io.BytesIO(content)) as header:
            return header.width * header.height
    except Exception:  # Pillow raises many kinds for what is no picture; clean_upload names the fault
        return 0


def _stored_thumbnail(stem):
    """The thumbnail already stored as ``stem`` with any picture extension, its missing
    renditions made again; None if there is none."""
    for extension in THUMBNAIL_EXTENSIONS:
        name = f"{stem}.{extension}"
        if not default_storage.exists(name):
            continue
        with default_storage.open(name) as handle, PILImage.open(handle) as picture:
            width, height = picture.size
        renditions = images.planned_renditions(name, width, height)
        if not all(default_storage.exists(item["name"]) for item in renditions):
            renditions = images.make_renditions(name)
        return {"name": name, "width": width, "height": height, "renditions": renditions}
    return None
