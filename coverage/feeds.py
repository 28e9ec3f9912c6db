"""Atom feed of a story's updates."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from . import markup
from .models import Story
from .site import absolute_url

FEED_SIZE = 50


class StoryFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, slug):
        return get_object_or_404(Story.objects.public(), slug=slug)

    def title(self, story):
        return story.title

    # Absolute URLs from SITE_URL: left relative, the framework would complete them from the Host header.
    def link(self, story):
        return absolute_url(story.get_absolute_url())

    def feed_url(self, story):
        return absolute_url(reverse("coverage:story_feed", args=[story.slug]))

    def subtitle(self, story):
        return markup.plain_excerpt(story.summary, 40)

    def items(self, story):
        return story.updates.published().with_byline().order_by("-published_at", "-pk")[:FEED_SIZE]

    def item_title(self, update):
        return update.headline or markup.plain_excerpt(update.body, 14)

    def item_description(self, update):
        context = {"update": update, "body": markup.render(update.body)}
        return render_to_string("coverage/includes/update_feed.html", context)

    def item_link(self, update):
        return absolute_url(update.get_absolute_url())

    def item_guid(self, update):
        return f"liveblog-update-{update.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, update):
        return update.published_at

    def item_updateddate(self, update):
        return update.edited_at or update.published_at

    def item_author_name(self, update):
        return ", ".join(author.name for author in update.byline_authors())
