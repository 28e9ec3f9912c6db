"""URLs: the reader pages (coverage app) and the newsroom admin."""

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.http import Http404
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from coverage import api
from coverage.sitemaps import index as sitemap_index
from coverage.sitemaps import sitemaps
from coverage.views import favicon, healthz, robots_txt
from liveblog import media

admin.site.site_header = _("liveblog newsroom")
admin.site.site_title = _("liveblog newsroom")
admin.site.index_title = _("Live coverage")
# The side navigation repeats the home page and took 300 px of every page: at 1280 px the
# update list had no room left for its columns. Breadcrumbs and the home page navigate.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("", include("coverage.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls()),
    path("sitemap.xml", sitemap_index, name="sitemap"),
    path("sitemap-<section>.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap_section"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("favicon.ico", favicon, name="favicon"),
    path("healthz", healthz, name="healthz"),
]


def serve_media(request, path):
    """Uploads and generated files, when Django is asked to serve them (development, tests), with
    byte ranges for clips (``media.serve``)."""
    if not settings.SERVE_MEDIA:
        raise Http404("Media are served by the web server.")
    return media.serve(request, path, document_root=settings.MEDIA_ROOT)


if settings.MEDIA_URL.startswith("/"):
    urlpatterns += [re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", serve_media)]
