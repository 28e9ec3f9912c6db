from django.contrib.sitemaps import Sitemap

from .models import Story, Update
from .site import origin_parts


class SiteSitemap(Sitemap):
    """Locations on SITE_URL's origin, never the request's Host (the framework's RequestSite)."""

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


class UpdateSitemap(SiteSitemap):
    changefreq = "hourly"

    def items(self):
        return Update.objects.published().select_related("story").order_by("pk")

    def lastmod(self, update):
        return update.edited_at or update.published_at


sitemaps = {"stories": StorySitemap, "updates": UpdateSitemap}
