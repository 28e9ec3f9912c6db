"""Site-wide answers: ``/favicon.ico``, ``robots.txt`` and ``/healthz`` for load balancers."""

import functools
import time

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from ..site import absolute_url


@require_GET
def favicon(request):
    """``/favicon.ico``, for browsers and crawlers that ask the root for it (pages link the SVG icon)."""
    response = HttpResponse(_favicon_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@functools.cache
def _favicon_bytes():
    with open(finders.find("coverage/favicon.ico"), "rb") as handle:
        return handle.read()


@require_GET
def robots_txt(request):
    sitemap = absolute_url(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


# The static files every page links to. With the manifest storage (production) a page
# whose file is missing from the manifest cannot be rendered at all.
SITE_ASSETS = ("coverage/site.css", "coverage/live.js", "coverage/gallery.js")


def _static_files_state():
    """ "ok" when this process can link every page's CSS and JS, else what is wrong.

    With the manifest storage: the manifest this process loaded at start names them and
    the hashed files are there (``collectstatic`` run, and run before the start). Without
    it (DEBUG, development) there is no manifest and nothing to check.
    """
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return "ok"
    try:
        stored = [staticfiles_storage.stored_name(name) for name in SITE_ASSETS]
    except ValueError as error:  # "Missing staticfiles manifest entry for ..."
        return f"error: {error} (run collectstatic, then restart)"
    missing = [name for name in stored if not staticfiles_storage.exists(name)]
    return f"error: missing {', '.join(missing)}" if missing else "ok"


def healthz(request):
    """For load balancers: 200 when pages can be served (the database and the cache
    answer, the static files pages link to are there), else 503."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as error:
        checks["database"] = f"error: {error.__class__.__name__}"
    try:
        probe = f"liveblog:healthz:{time.time_ns()}"
        cache.set(probe, "ok", 10)
        checks["cache"] = "ok" if cache.get(probe) == "ok" else "error: value not kept"
        cache.delete(probe)
    except Exception as error:
        checks["cache"] = f"error: {error.__class__.__name__}"
    checks["static"] = _static_files_state()
    healthy = all(value == "ok" for value in checks.values())
    response = JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )
    response["Cache-Control"] = "no-store"
    return response
