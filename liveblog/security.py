"""Security at the edge: a Content-Security-Policy, no NUL characters in addresses, the
client's address behind proxies, and what django-axes needs to pause admin password guessing."""

import functools
import ipaddress
import unicodedata
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import BadRequest
from django.core.files.storage import default_storage
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.shortcuts import render

from coverage.api import problems

# Reader pages: nothing inline, nothing from other hosts (a page with embeds adds the
# frames of exactly their providers: ``reader_policy``).
READER_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# The Django admin still sets a few inline style attributes; scripts stay strict.
ADMIN_POLICY = READER_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            reader, admin = policies()
            response["Content-Security-Policy"] = admin if request.path.startswith("/admin/") else reader
        return response


API_PREFIX = "/api/"


class RefuseNullCharactersMiddleware:
    """A 400 for an address holding a NUL character (``%00``), in its path or its query.

    No database keeps one: PostgreSQL refuses it in any query, so a slug or a filter taken
    from such an address would be a server error. No page of ours has one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or "%00" in request.META.get("QUERY_STRING", ""):
            if request.path_info.startswith(API_PREFIX):  # its clients read errors as problem+json
                return problems.respond(problems.Problem(400, "A NUL character in the address."))
            raise BadRequest("A NUL character in the address.")
        return self.get_response(request)


@functools.cache
def policies():
    """``(reader policy, admin policy)``, allowing pictures and clips from the media storage's origin.

    Made once per process (settings do not change while it serves); tests that move the
    media (``settings.STORAGES``, ``MEDIA_URL``) make it again through ``setting_changed``.
    """
    origin = media_origin()
    extra = f" {origin}" if origin else ""
    return tuple(
        policy.replace("img-src 'self' data:", f"img-src 'self' data:{extra}; media-src 'self'{extra}")
        for policy in (READER_POLICY, ADMIN_POLICY)
    )


def reader_policy(frame_origins=(), frame_ancestors=()):
    """The reader pages' policy; with ``frame_origins``, frames from exactly those origins (a page
    holding embeds: ``coverage.embeds``); with ``frame_ancestors``, framed by exactly those sites
    (a story's embed on partners' pages: ``coverage.partners``), else by none. Scripts stay
    the site's own."""
    reader = policies()[0]
    if frame_ancestors:
        reader = reader.replace("frame-ancestors 'none'", f"frame-ancestors {' '.join(frame_ancestors)}")
    if not frame_origins:
        return reader
    return f"{reader}; frame-src {' '.join(frame_origins)}"


@receiver(setting_changed)
def _media_moved(*, setting, **kwargs):
    if setting in {"STORAGES", "MEDIA_URL"}:
        policies.cache_clear()


def media_origin():
    """The origin pictures are served from when it is not the site's own: an S3 bucket's
    endpoint or custom domain, or an absolute MEDIA_URL (a CDN); else None.

    Read from the media storage's own URLs, so the policy lets readers' browsers load
    exactly what the pages link to.
    """
    parts = urlsplit(default_storage.url("csp-probe.jpg"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def client_address(request):
    """The client's address: ``TRUSTED_PROXY_HOPS`` places from the right of X-Forwarded-For.

    Each proxy the operator declares appends the address it saw, so only the rightmost
    hops are true; whatever stands left of them the client wrote. With no proxy declared
    (0), or a header shorter than declared (the request did not come through the
    proxies), it is the connection's own address. Every rate limit and lockout uses this.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_HOPS
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < hops:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-hops]))
    except ValueError:
        return remote


def login_username(request, credentials=None):
    """The username a login attempt counts under: as Django's login form reads it
    (NFKC, stripped), then casefolded, so "Chief ", "ｃｈｉｅｆ" and "chief" are one.

    django-axes calls this both to count a failure and to check for a lockout.
    """
    if credentials is not None and credentials.get("username") is not None:
        username = credentials["username"]
    else:
        username = request.POST.get("username", "") if request is not None else ""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", str(username)).casefold()).strip()


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out login gets (429)."""
    context = {"minutes": max(1, settings.LOGIN_ATTEMPTS_WINDOW // 60)}
    return render(request, "429.html", context, status=429)
