"""Compressed responses: Brotli or gzip where no secret rides in the page, gzip with padding where one does.

BREACH reads a secret out of a compressed page by watching its length change
with text the attacker gets reflected into it. Pages that carry no secret
(the story page is the same for every reader and holds no CSRF token) are sent
Brotli-compressed when the client accepts it, else gzip. A page that carries
one — a CSRF token was handed out while making it, or it depends on the
session (``Vary: Cookie``: the admin, a logged-in reader) — gets only Django's
``GZipMiddleware``, which adds 0–100 random bytes to every response so the
length no longer tells (Django masks CSRF tokens afresh on each response too).

Only text is compressed: images are compressed already, and static files come
pre-compressed from WhiteNoise, which answers before this middleware.
"""

import functools

import brotli
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string

STREAMS = "text/event-stream"
TEXT_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "application/atom+xml",
    "application/rss+xml",
    "application/ld+json",
    "image/svg+xml",
)
MIN_LENGTH = 200  # as GZipMiddleware: shorter bodies do not gain
# Quality 5: a story page (70 KB) becomes 11.7 KB in 3 ms; gzip makes 18 KB in 5 ms;
# quality 11 saves 0.5 KB more but takes 150 ms.
BROTLI_QUALITY = 5


@functools.lru_cache(maxsize=64)  # browsers send a handful of different headers
def accepted_codings(header):
    """The content codings ``header`` (an ``Accept-Encoding`` value) accepts, ``q=0`` ones left out."""
    codings = set()
    for item in header.split(","):
        name, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if name and quality > 0:
            codings.add(name.strip().lower())
    return frozenset(codings)


def carries_secret(request, response):
    """True when the response may hold something private to this client."""
    vary = {value.strip().lower() for value in response.get("Vary", "").split(",")}
    return bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE")) or "cookie" in vary or "*" in vary


# Every reader of a story gets the same page, so the same bytes are compressed again
# and again: keep the last few results. Looking one up (hashing 70 KB) takes 0.07 ms,
# compressing it 3 ms.
@functools.lru_cache(maxsize=32)
def _compress(content, coding):
    if coding == "br":
        return brotli.compress(content, quality=BROTLI_QUALITY, mode=brotli.MODE_TEXT)
    return compress_string(content)


def compressible(content, content_type):
    """Whether a body is worth compressing: text, and long enough to gain."""
    kind = content_type.lower()
    # A held event stream goes on with the push engine's messages, which are not compressed.
    return len(content) >= MIN_LENGTH and kind.startswith(TEXT_TYPES) and not kind.startswith(STREAMS)


def variants(content, content_type):
    """``{coding: bytes}``: ``content`` as sent to each client, ``"identity"`` always, then Brotli
    and gzip when they make it smaller. For responses that carry no secret (``carries_secret``)."""
    found = {"identity": content}
    if compressible(content, content_type):
        for coding in ("br", "gzip"):
            compressed = _compress(content, coding)
            if len(compressed) < len(content):
                found[coding] = compressed
    return found


def preferred(request, codings):
    """The coding among ``codings`` to send ``request``: Brotli, else gzip, else identity."""
    accepted = accepted_codings(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    for coding in ("br", "gzip"):
        if coding in accepted and coding in codings:
            return coding
    return "identity"


class CompressionMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if (
            response.streaming
            or response.has_header("Content-Encoding")
            or not compressible(response.content, response.get("Content-Type", ""))
        ):
            return response
        if carries_secret(request, response):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Encoding",))
        codings = accepted_codings(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        coding = "br" if "br" in codings else "gzip" if "gzip" in codings else None
        if coding is None:
            return response
        compressed = _compress(response.content, coding)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response["Content-Length"] = str(len(compressed))
        response["Content-Encoding"] = coding
        # The compressed bytes are another representation: a strong ETag must not be shared
        # (RFC 9110 8.8.1); a weak one still answers If-None-Match.
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response["ETag"] = "W/" + etag
        return response
