from django.contrib.sitemaps import Sitemap

from .models import Story, Update


class StorySitemap(Sitemap):
    changefreq = "always"

    def items(self):
        return Story.objects.public().order_by("pk")

    def lastmod(self, story):
        return story.updated_at


class UpdateSitemap(Sitemap):
    changefreq = "hourly"

    def items(self):
        return Update.objects.published().select_related("story").order_by("pk")

    def lastmod(self, update):
        return update.edited_at or update.published_at


sitemaps = {"stories": StorySitemap, "updates": UpdateSitemap}
