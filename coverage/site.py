"""The site's public origin: every absolute URL is made here, from ``SITE_URL``.

Never from the request's Host header: any client writes that, and pages are shared
(the page cache, nginx, a CDN), so one forged Host would reach every later reader.
"""

from django.conf import settings
from django.core import checks


def absolute_url(path):
    """``path`` (``/live/…``, a media URL) on the configured origin; URLs that have one keep it."""
    if "://" in path:
        return path  # media on object storage or a CDN
    if path.startswith("//"):
        return f"{origin_parts()[0]}:{path}"
    return f"{settings.SITE_URL}/{path.lstrip('/')}"


def origin_parts():
    """``(scheme, host[:port])`` of the configured origin, for frameworks that ask for them apart."""
    scheme, _, host = settings.SITE_URL.partition("://")
    return scheme, host


@checks.register(checks.Tags.security, deploy=True)
def check_site_url(app_configs, **kwargs):
    if settings.DEBUG or settings.SITE_URL != settings.DEVELOPMENT_SITE_URL:
        return []
    return [
        checks.Error(
            "SITE_URL is not set: canonical links, feeds and the sitemap would point at "
            f"{settings.DEVELOPMENT_SITE_URL}.",
            hint="Set SITE_URL to the site's public origin, e.g. https://live.example.org "
            "(or put the site's host name first in ALLOWED_HOSTS).",
            id="liveblog.E001",
        )
    ]
