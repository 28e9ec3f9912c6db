"""The page cache: readers' shared answers served whole, before the middleware stack runs.

A story page and a poll of its change feed are the same for every reader. Their
views say so with ``@shared(key)``: ``key(request, **kwargs)`` names the answer in
the shared cache (the story's versions in it, so a write readers see moves it;
see ``caching``), or None when this request is not one to keep.

``PageCacheMiddleware`` stands first in ``MIDDLEWARE``. For such a view it looks
the answer up; a hit is sent without the rest of the stack doing any work. The
answer is kept as the stack made it the first time (``SharedResponse``): its
status, its headers (the security headers the later middleware added, Cache-Control,
ETag) and its body in each coding the stack would send (identity, Brotli, gzip),
compressed once per version, not per request. Conditional requests (If-None-Match,
If-Modified-Since) are answered from it with 304s.

A miss is made once: the first request renders it, with its conditional and
Accept-Encoding headers put aside so the stack makes the whole, uncompressed
answer; other requests for the same key wait for it (``caching.make_once``) rather
than render it again, so a thousand readers polling the same new cursor after a
publish cost one render. A view's answer is shared when it sets
``response.shared_timeout``: the seconds to keep it (0: answered from the entry,
compressed and conditional alike, but not kept, e.g. a page asked for in a form
the site's links never make). Only a 200 that carries nothing of one client's
(no cookie, no ``Vary: Cookie``, no CSRF token handed out) is kept.

Requests the stack would answer otherwise are left to it: other methods, a host
not allowed (400), plain HTTP when the site redirects to HTTPS.
"""

import functools
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseNotModified
from django.http.response import ResponseHeaders
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from liveblog import compression

from . import caching
from .conf import app_settings

logger = logging.getLogger(__name__)

# Headers put aside while a miss is made: the stack must make the whole answer, uncompressed.
SET_ASIDE = (
    "HTTP_ACCEPT_ENCODING",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
)
# Headers set per answer sent, never kept.
PER_RESPONSE = {"content-length", "content-encoding", "date", "set-cookie"}
# The headers a 304 keeps (RFC 9110 15.4.5; Django's get_conditional_response keeps the same).
NOT_MODIFIED = {"cache-control", "content-location", "date", "etag", "expires", "last-modified", "vary"}
# The shape of a kept answer (SharedResponse): part of every key, so entries an earlier
# release left in Redis are never read by code that expects another shape.
ENTRY_FORMAT = 2
# Tells operators (and the benchmarks) how an answer was made: HIT from the cache, MISS
# rendered by this request.
STATUS_HEADER = "X-Page-Cache"


def shared(key):
    """Mark a view's answers as the same for every reader, kept in the page cache under ``key``."""

    def mark(view):
        view.shared_key = key
        return view

    return mark


@functools.lru_cache(maxsize=1024)
def shared_route(path):
    """``(key function, view arguments)`` when ``path`` is a shared view's, else None.

    Remembered per path: resolving costs as much as serving a kept page.
    """
    try:
        match = resolve(path)
    except Resolver404:
        return None
    key = getattr(match.func, "shared_key", None)
    return None if key is None else (key, match.kwargs)


# The request headers get_host() reads, and whether it accepted them: asked once per host.
HOST_HEADERS = ("HTTP_HOST", "HTTP_X_FORWARDED_HOST", "SERVER_NAME", "SERVER_PORT")
_hosts = {}


def allowed_host(request):
    """Whether the stack would accept the request's host (``request.get_host()`` raises
    for one not in ALLOWED_HOSTS), remembered for up to 64 hosts."""
    headers = tuple(request.META.get(name) for name in HOST_HEADERS)
    allowed = _hosts.get(headers)
    if allowed is None:
        try:
            request.get_host()
            allowed = True
        except DisallowedHost:
            allowed = False
        if len(_hosts) < 64:
            _hosts[headers] = allowed
    return allowed


@receiver(setting_changed)
def _settings_changed(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        shared_route.cache_clear()
    if setting in ("ALLOWED_HOSTS", "DEBUG", "USE_X_FORWARDED_HOST", "USE_X_FORWARDED_PORT"):
        _hosts.clear()


@dataclass(frozen=True)
class SharedResponse:
    """An answer as kept: its status, and for each content coding its body and headers.

    The headers are kept as Django checked them (``ResponseHeaders``' own store): setting
    fifteen headers one by one on every hit would cost as much as the rest of the hit.
    """

    status: int
    variants: dict  # coding -> (body, headers' store)
    etag: str | None
    last_modified: int | None

    @classmethod
    def of(cls, request, response):
        """The answer ``response`` as kept, or None when it is not one to share."""
        if (
            response.streaming
            or response.status_code != 200
            or response.cookies
            or response.has_header("Content-Encoding")
            or compression.carries_secret(request, response)
        ):
            return None
        headers = {name: value for name, value in response.items() if name.lower() not in PER_RESPONSE}
        etag = response.get("ETag")
        variants = {}
        for coding, body in compression.variants(response.content, response.get("Content-Type", "")).items():
            these = {**headers, "Content-Length": str(len(body))}
            if coding != "identity":
                these["Content-Encoding"] = coding
                # Another representation: its ETag is weak (RFC 9110 8.8.1), as the stack sends it.
                if etag and etag.startswith('"'):
                    these["ETag"] = "W/" + etag
            variants[coding] = (body, ResponseHeaders(these)._store)
        return cls(
            status=response.status_code,
            variants=variants,
            etag=etag,
            last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
        )

    def respond(self, request, status):
        """This answer as ``request`` accepts it: a 304 when its validators match."""
        body, headers = self.variants[compression.preferred(request, self.variants)]
        if self.etag and request.META.get("HTTP_IF_NONE_MATCH") in (self.etag, f"W/{self.etag}"):
            # What every poller sends, the validator it was given: a 304 without parsing.
            response = HttpResponseNotModified()
            response.headers._store = {name: item for name, item in headers.items() if name in NOT_MODIFIED}
            response[STATUS_HEADER] = status
            return response
        response = HttpResponse(body, status=self.status)
        response.headers._store = dict(headers)
        if any(name in request.META for name in SET_ASIDE[1:]):
            response = get_conditional_response(
                request, etag=self.etag, last_modified=self.last_modified, response=response
            )
        response[STATUS_HEADER] = status
        return response


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        # What the stack does to an answer this middleware does not keep (see make()).
        self.compression = compression.CompressionMiddleware(get_response)

    def __call__(self, request):
        key = self.key(request)
        if key is None:
            return self.get_response(request)
        entry = caching.lookup(key)
        if entry is not None:
            return entry.respond(request, "HIT")
        entry, response = caching.make_once(key, lambda: self.make(request))
        if entry is None:
            return response  # not a shared answer (a 404, a redirect): as the stack made it
        return entry.respond(request, "MISS" if response is not None else "HIT")

    def key(self, request):
        """The cache key of this request's answer, or None when it is not served from the cache."""
        if request.method not in ("GET", "HEAD") or app_settings.PAGE_CACHE_SECONDS <= 0:
            return None
        if "\x00" in request.path_info:
            return None  # refused by the stack (400): no page, so no key
        route = shared_route(request.path_info)
        if route is None:
            return None
        key, kwargs = route
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return None  # SecurityMiddleware redirects it
        if not allowed_host(request):
            return None  # CommonMiddleware refuses it
        name = key(request, **kwargs)
        if name is None:
            return None
        # HTTPS answers carry Strict-Transport-Security, plain ones do not.
        return f"{name}:{'s' if request.is_secure() else 'p'}:{ENTRY_FORMAT}"

    def make(self, request):
        """Render the answer through the stack: ``(entry, seconds to keep it, response)``.

        The stack makes it whole and uncompressed (the request's conditional and
        Accept-Encoding headers put aside). A shared answer becomes an entry, kept for
        the seconds its view set (0: answered from, not kept); any other answer gets the
        compression the stack would have given it.
        """
        aside = {name: request.META.pop(name) for name in SET_ASIDE if name in request.META}
        try:
            response = self.get_response(request)
        finally:
            request.META.update(aside)
        seconds = getattr(response, "shared_timeout", None)
        entry = SharedResponse.of(request, response) if seconds is not None else None
        if entry is None:
            if seconds is not None and response.status_code == 200:
                logger.warning("%s: a shared answer carries a client's data; not kept", request.path)
            return None, 0, self.compression.process_response(request, response)
        return entry, seconds, response
