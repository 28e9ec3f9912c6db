"""Security at the edge: a Content-Security-Policy, the client's address behind proxies,
and what django-axes needs to pause admin password guessing."""

import ipaddress
import unicodedata

from django.conf import settings
from django.shortcuts import render

# Reader pages: nothing inline, nothing from other hosts.
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
        media = getattr(settings, "MEDIA_URL", "")
        extra = f" {media.rstrip('/')}" if media.startswith("http") else ""
        self.reader_policy = READER_POLICY.replace("img-src 'self' data:", f"img-src 'self' data:{extra}")
        self.admin_policy = ADMIN_POLICY.replace("img-src 'self' data:", f"img-src 'self' data:{extra}")

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            admin = request.path.startswith("/admin/")
            response["Content-Security-Policy"] = self.admin_policy if admin else self.reader_policy
        return response


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
