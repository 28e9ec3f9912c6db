"""The live desk's hint: a cookie that tells the story page's script a newsroom login is signed in.

The story page is one cached page for everyone (``pagecache``), so it cannot say who is
reading. The session cookie is HttpOnly and scripts cannot see it; this one can. It holds
no secret and grants nothing: it only spares readers a request, since the script asks for
the desk (``views.desk``, which checks the session and its permissions) only when it is
there. It is set when a staff login signs in and cleared when it signs out; a hint left by
an expired session gets a 403 from the desk, and the script clears it.
"""

from functools import cache

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.urls import reverse

HINT_COOKIE = "liveblog_desk"


@cache
def _admin_prefix():
    return reverse("admin:index")


@receiver(user_logged_in, dispatch_uid="desk-hint-login")
def _hint_after_login(sender, request, user, **kwargs):
    if request is not None:
        request.desk_hint = bool(user.is_staff)


@receiver(user_logged_out, dispatch_uid="desk-hint-logout")
def _clear_after_logout(sender, request, user, **kwargs):
    if request is not None:
        request.desk_hint = False


class DeskHintMiddleware:
    """Sets the hint on the answer to a staff login, deletes it on the answer to a logout.

    It reads only what the login signals left on the request, never the session: reading
    the session would make every reader's answer vary by cookie and unshareable. The one
    exception is the admin's own pages, which read the session anyway: a staff login that
    signed in before the desk existed (or lost the cookie) gets the hint on its next admin page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        hint = getattr(request, "desk_hint", None)
        if hint is None and HINT_COOKIE not in request.COOKIES and self._in_the_newsroom(request):
            hint = True  # signed in before the desk was installed, or the hint was deleted
        if hint:
            response.set_cookie(
                HINT_COOKIE,
                "1",
                max_age=None if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE else settings.SESSION_COOKIE_AGE,
                path="/",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=False,  # the page's script reads it: that is its only use
                samesite="Lax",
            )
        elif hint is not None:
            response.delete_cookie(HINT_COOKIE, path="/", samesite="Lax")
        return response

    @staticmethod
    def _in_the_newsroom(request):
        """A staff login on an admin page: pages that read the session anyway, never a reader's."""
        if not request.path.startswith(_admin_prefix()):
            return False
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated and user.is_staff)
