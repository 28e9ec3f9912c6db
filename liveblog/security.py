"""Security middleware: a Content-Security-Policy, and a brake on admin password guessing."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.shortcuts import render
from django.utils.crypto import salted_hmac

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
    """The client's address: the proxy's X-Forwarded-For first hop when behind a trusted proxy."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def _attempts_key(request, username):
    digest = salted_hmac(
        "login-throttle", f"{client_address(request)}|{(username or '').lower()}"
    ).hexdigest()
    return f"login-failures:{digest}"


def count_in_window(key, seconds):
    """Add one to the counter ``key`` in the shared cache; it starts again ``seconds`` after its first hit."""
    if cache.add(key, 1, seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # it expired between add and incr
        cache.set(key, 1, seconds)
        return 1


@receiver(user_login_failed, dispatch_uid="liveblog.count_failed_login")
def count_failed_login(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    count_in_window(_attempts_key(request, credentials.get("username")), settings.LOGIN_ATTEMPTS_WINDOW)


@receiver(user_logged_in, dispatch_uid="liveblog.reset_failed_logins")
def reset_failed_logins(sender, request, user, **kwargs):
    if request is not None:
        cache.delete(_attempts_key(request, user.get_username()))


class LoginThrottleMiddleware:
    """Refuse admin login attempts (429) after too many failures for one address and username."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path == "/admin/login/":
            failures = cache.get(_attempts_key(request, request.POST.get("username")), 0)
            if failures >= settings.LOGIN_ATTEMPTS_LIMIT:
                minutes = max(1, settings.LOGIN_ATTEMPTS_WINDOW // 60)
                context = {"minutes": minutes}
                return render(request, "429.html", context, status=429)
        return self.get_response(request)
