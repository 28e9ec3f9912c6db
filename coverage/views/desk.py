"""The live desk: what a newsroom login's story page needs to publish from the page itself.

The story page stays one cached page for every reader; its script asks for this only when
the desk's hint cookie (``desk``) says a newsroom login is signed in. The answer is the
login's own (never cached): the desk's script and stylesheet, where to post (the write
API, whose permissions and saves are the same as everywhere), the CSRF token the API asks
of a session, the byline a new update gets, and the desk's words in the story's language.
"""

from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import images, languages, permissions
from ..models import Author, Story

# The composer (desk.js) first; the others build on what it offers (window.liveblog.deskKit).
DESK_SCRIPTS = ["desk.js", "desk-pictures.js"]


def desk_texts():
    """The words the desk's script writes, in the active language."""
    return {
        "title": gettext("Publish an update"),
        "headline": gettext("Headline (optional)"),
        "body": gettext("Update (Markdown)"),
        # Translators: the live desk's label over the update's authors.
        "byline_label": gettext("Byline"),
        "add_author": gettext("Add a co-author (type a name)"),
        # Translators: the live desk's button that adds the typed name to the byline.
        "add_author_button": gettext("Add"),
        # Translators: a button's label for screen readers, e.g. "Remove Olena Kovalenko from the byline".
        "remove_author": gettext("Remove %(name)s from the byline"),
        # Translators: %(name)s is what the editor typed.
        "unknown_author": gettext("No author is called “%(name)s”: pick a name from the list."),
        "no_author": gettext("Add at least one author to the byline."),
        # Translators: the live desk's toggle for publishing later instead of now.
        "schedule": gettext("Publish later"),
        "publish_at": gettext("Publish at"),
        # Translators: the live desk's button when a time is chosen.
        "schedule_button": gettext("Schedule"),
        "when_missing": gettext("Choose when to publish it."),
        # Translators: %(time)s is a date and time, e.g. "29 Nov 2026, 18:30".
        "scheduled": gettext("Scheduled for %(time)s."),
        "key_event": gettext("Key event"),
        "pin": gettext("Pin"),
        "publish": gettext("Publish"),
        # Translators: the live desk's keyboard hint; the key names stay as written.
        "shortcut": gettext("Ctrl+Enter (⌘+Enter) publishes."),
        "publishing": gettext("Publishing…"),
        "published": gettext("Published."),
        "draft_restored": gettext("Your unsent draft was restored."),
        "empty": gettext("Write the update before publishing it."),
        "network": gettext("Not published: the site could not be reached. Your text is kept."),
        # Translators: %(reason)s is the site's own explanation, e.g. "Your role may not add updates."
        "refused": gettext("Not published: %(reason)s Your text is kept."),
        "retry": gettext("Retry"),
        # --- pictures (desk-pictures.js) ---
        "pictures_title": gettext("Pictures"),
        "picture_formats": str(images.ACCEPTED_NAMES),
        "pictures_hint": gettext("Paste or drop pictures into the update, or add them with the button."),
        "add_picture": gettext("Add a picture"),
        # Translators: the legend over one picture's fields, e.g. "Picture 2: bridge.jpg".
        "picture_legend": gettext("Picture %(number)s: %(name)s"),
        "picture_preview": gettext("No preview"),
        "alt_label": gettext("Alt text (required): what the picture shows"),
        "caption_label": gettext("Caption"),
        "credit_label": gettext("Credit"),
        # Translators: a button's label for screen readers, e.g. "Remove picture 2 (bridge.jpg)".
        "remove_picture": gettext("Remove picture %(number)s (%(name)s)"),
        "remove_picture_button": gettext("Remove"),
        "picture_added": gettext("Picture added: describe it in its alt text."),
        "picture_removed": gettext("Picture removed."),
        # Translators: %(name)s is a file's name, %(formats)s e.g. "JPEG, PNG, WebP or GIF".
        "not_a_picture": gettext("“%(name)s” is not a picture: add a %(formats)s file. Nothing was sent."),
        "picture_too_big": gettext(
            "“%(name)s” is %(size)s MB; pictures can be at most %(limit)s MB. Nothing was sent."
        ),
        "alt_missing": gettext("Describe picture %(number)s (%(name)s) in its alt text before publishing."),
        # Translators: %(reason)s is the site's own explanation of why the picture was refused.
        "picture_refused": gettext("Picture %(number)s (%(name)s) was refused: %(reason)s"),
        "picture_network": gettext(
            "Picture %(number)s (%(name)s) could not be sent: the site could not be reached."
        ),
        "pictures_restored": gettext("Your unsent pictures were restored."),
        "pictures_lost": gettext("Some pictures could not be restored: add them again."),
        "pictures_not_kept": gettext(
            "Pictures are not kept in this browser: after a reload, add them again."
        ),
    }


def _refused(reason):
    return JsonResponse({"detail": reason}, status=403)


@require_GET
@never_cache
def desk(request, slug):
    """The desk of story ``slug`` for the signed-in login (JSON), or 403 unless that login
    may add updates to it; 404 for a story readers cannot see."""
    user = request.user
    if not (user.is_authenticated and user.is_staff and user.is_active):
        return _refused(gettext("Sign in to the newsroom to publish."))
    story = get_object_or_404(Story.objects.public(), slug=slug)
    if not user.has_perm("coverage.add_update"):
        return _refused(gettext("Your role may not add updates."))
    own = Author.objects.filter(user=user).first()
    newsroom = Author.objects.order_by("name").values("slug", "name")
    with languages.speaking(story):
        texts = desk_texts()
    return JsonResponse(
        {
            "story": story.slug,
            "scripts": [staticfiles_storage.url(f"coverage/{name}") for name in DESK_SCRIPTS],
            "stylesheet": staticfiles_storage.url("coverage/desk.css"),
            "post_url": reverse("api:post_update", kwargs={"slug": story.slug}),
            "csrf_token": get_token(request),
            "author": {"slug": own.slug, "name": own.name} if own else None,
            "authors": list(newsroom),
            "can_pin": permissions.can_pin(user),
            "draft_key": f"liveblog-desk:{story.slug}:{user.pk}",
            "picture_max_bytes": images.MAX_UPLOAD_BYTES,
            "texts": texts,
        }
    )
