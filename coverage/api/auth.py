"""Who is asking: an API token (``Authorization: Bearer …``) or the newsroom's signed-in session.

A token acts with its login's permissions (the same roles as the admin); a session
writes only with its CSRF token, as the admin's own forms do. Each of them may make
``LIVEBLOG_API_RATE_LIMIT`` requests a minute. Reads need neither: anonymous clients
get what readers get (and the shared answers of the page cache).
"""

import time

from django.conf import settings
from django.core.cache import cache
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from .. import services
from ..conf import app_settings
from ..models import ApiToken
from ..models.tokens import digest
from .problems import Problem

RATE_WINDOW_SECONDS = 60


class Token(HttpBearer):
    """``Authorization: Bearer <key>``: a key made in the admin (API tokens)."""

    def authenticate(self, request, token):
        found = (
            ApiToken.objects.active().select_related("user").filter(key_digest=digest(token)).first()
            if token
            else None
        )
        if found is None:
            raise Problem(
                401,
                "This token is not valid: it was revoked, or mistyped.",
                headers={"WWW-Authenticate": 'Bearer realm="liveblog", error="invalid_token"'},
            )
        limit(f"token:{found.pk}")
        services.note_token_use(token=found)
        request.user = found.user
        request.api_token = found
        return found.user


class Session(APIKeyCookie):
    """The newsroom's session cookie (scripts running in the admin), with CSRF on writes."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        if self.param_name not in request.COOKIES or not request.user.is_authenticated:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS") and check_csrf(request):
            raise Problem(
                403, "The CSRF token is missing or wrong: send X-CSRFToken with the csrftoken cookie."
            )
        return request.COOKIES[self.param_name]

    def authenticate(self, request, key):
        if not key:
            return None
        limit(f"user:{request.user.pk}")
        return request.user


token_auth = Token()
session_auth = Session()
NEWSROOM = [token_auth, session_auth]


def identify(request):
    """The login behind a read, or None for an anonymous one (a wrong token is still a 401).

    The session is looked at only when its cookie was sent: reading it would mark an
    anonymous answer as varying by cookie, and the page cache would not share it.
    """
    if request.headers.get("Authorization"):
        user = token_auth(request)
        if user is None:
            raise Problem(401, "Only Bearer tokens are accepted.", headers={"WWW-Authenticate": "Bearer"})
        return user
    if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
        limit(f"user:{request.user.pk}")
        return request.user
    return None


def is_anonymous(request):
    """Whether ``request`` carries no credentials at all (its answer may be shared)."""
    return "HTTP_AUTHORIZATION" not in request.META and settings.SESSION_COOKIE_NAME not in request.COOKIES


def limit(who):
    """Count a request of ``who``; refuse it (429) past the rate limit of this minute."""
    window = int(time.time() // RATE_WINDOW_SECONDS)
    key = f"liveblog:api-rate:{who}:{window}"
    cache.add(key, 0, RATE_WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW_SECONDS * 2)
        count = 1
    if count > app_settings.API_RATE_LIMIT:
        wait = max(1, int((window + 1) * RATE_WINDOW_SECONDS - time.time()))
        raise Problem(
            429, f"Too many requests: try again in {wait} seconds.", headers={"Retry-After": str(wait)}
        )
