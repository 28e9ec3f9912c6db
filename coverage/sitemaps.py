"""The sitemap: an index (``/sitemap.xml``) of sections (stories, updates), each in pages.

A long story has tens of thousands of updates: one sitemap of them all took seconds
and megabytes, and the format stops at 50,000 URLs. Sections come in pages of
``PAGE_SIZE``, and the index, like every URL here, names them on ``SITE_URL``.
"""

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.db.models import Max
from django.template.response import TemplateResponse
from django.urls import reverse

from .models import Story, Update
from .site import absolute_url, origin_parts

# URLs in one page of a section (the format allows 50,000; a page this size is quick to make).
PAGE_SIZE = 2000


class SiteSitemap(Sitemap):
    """Locations on SITE_URL's origin, never the request's Host (the framework's RequestSite)."""

    limit = PAGE_SIZE

    @property
    def protocol(self):
        return origin_parts()[0]

    def get_domain(self, site=None):
        return origin_parts()[1]


class StorySitemap(SiteSitemap):
    changefreq = "always"

    def items(self):
        return Story.objects.public().order_by("pk")

    def lastmod(self, story):
        return story.updated_at

    def get_latest_lastmod(self):
        # One aggregate: the framework's default calls lastmod() on every item.
        return Story.objects.public().aggregate(latest=Max("updated_at"))["latest"]


class UpdateSitemap(SiteSitemap):
    changefreq = "hourly"

    def items(self):
        return Update.objects.published().select_related("story").order_by("pk")

    def lastmod(self, update):
        return update.edited_at or update.published_at

    def get_latest_lastmod(self):
        return None  # the index leaves it out rather than read every update for it


@x_robots_tag
def index(request):
    """``/sitemap.xml``: every page of every section, on ``SITE_URL`` (Django's own index
    names them on the request's Host)."""
    items = []
    for section, sitemap in sitemaps.items():
        sitemap = sitemap()
        url = absolute_url(reverse("sitemap_section", kwargs={"section": section}))
        latest = sitemap.get_latest_lastmod()
        items.append(SitemapIndexItem(url, latest))
        items += [
            SitemapIndexItem(f"{url}?p={page}", latest) for page in range(2, sitemap.paginator.num_pages + 1)
        ]
    return TemplateResponse(request, "sitemap_index.xml", {"sitemaps": items}, content_type="application/xml")


sitemaps = {"stories": StorySitemap, "updates": UpdateSitemap}
