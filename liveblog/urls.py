"""URLs: the reader pages (coverage app) and the newsroom admin."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

admin.site.site_header = "liveblog newsroom"
admin.site.site_title = "liveblog newsroom"
admin.site.index_title = "Live coverage"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("coverage.urls")),
]

if settings.SERVE_MEDIA:
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [re_path(rf"^{media_prefix}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]
