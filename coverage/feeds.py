"""Atom feed of a story's updates."""

import hashlib

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import http_date

from . import languages, live, markup
from .conf import app_settings
from .models import Story
from .site import absolute_url

FEED_SIZE = 50


class StoryFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request, slug):
        """The feed with a validator and a shared-cache lifetime, as the story page has.

        Its ETag and Last-Modified follow the story's last public change
        (``live.cached_state``: one query, none with the page cache), so a conditional
        GET is answered 304 before any update is read or rendered, and a shared cache
        (nginx, a CDN) may keep the feed for one cursor window.
        """
        current = live.cached_state(slug)
        if current is None:
            raise Http404("No such story.")
        etag = feed_etag(current)
        last_modified = int(current.last_change.timestamp())  # whole seconds, as the header says
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            with languages.speaking(current.story):  # the feed's words, dates and xml:lang
                response = super().__call__(request, slug=slug)
        window = app_settings.CURSOR_WINDOW
        response["ETag"] = etag
        response["Last-Modified"] = http_date(last_modified)
        response["Cache-Control"] = f"public, max-age=0, s-maxage={window}, stale-while-revalidate={window}"
        return response

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


def feed_etag(state):
    """A strong ETag for the feed of ``state``'s story: it moves with the story and its updates as
    readers see them (``live.state``). An author renamed, which moves neither, shows in the feed
    from the story's next change on."""
    key = f"feed:{state.story.pk}:{state.story.status}:{state.last_change.timestamp()}"
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
