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

from .. import languages, permissions
from ..models import Author, Story

# The composer (desk.js) first; the others build on what it offers (window.liveblog.deskKit).
DESK_SCRIPTS = ["desk.js", "desk-preview.js", "desk-presence.js"]


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
        # -- desk-preview.js: the update as readers will see it, under the composer.
        # Translators: the heading (and screen readers' name) of the live desk's preview.
        "preview": gettext("Preview"),
        "preview_failed": gettext("The preview could not be shown; publishing still works."),
        # -- desk-presence.js: who else is at this story's desk right now.
        # Translators: the heading of the live desk's list of editors now on this story.
        "presence": gettext("Also at this desk"),
        # Translators: %(name)s is an editor's name, e.g. "Olena is writing…".
        "presence_writing": gettext("%(name)s is writing…"),
        # Translators: %(name)s is an editor's name; said in the composer's list of who is here.
        "presence_editing_elsewhere": gettext("%(name)s is editing an update"),
        # Translators: %(name)s is an editor's name; shown on the update being edited.
        "presence_editing": gettext("%(name)s is editing this update"),
        # Translators: %(name)s is an editor's name: they have the story's desk open.
        "presence_here": gettext("%(name)s is here"),
    }


def _refused(reason):
    return JsonResponse({"detail": reason}, status=403)


def refusal(user):
    """The 403 answer to a login that may not use the desk (not newsroom staff, or not allowed
    to add updates), else None: the desk's own requests (preview, presence) ask it first."""
    if not (user.is_authenticated and user.is_staff and user.is_active):
        return _refused(gettext("Sign in to the newsroom to publish."))
    if not user.has_perm("coverage.add_update"):
        return _refused(gettext("Your role may not add updates."))
    return None


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
            "preview_url": reverse("coverage:desk_preview", kwargs={"slug": story.slug}),
            "presence_url": reverse("coverage:desk_presence", kwargs={"slug": story.slug}),
            "csrf_token": get_token(request),
            "author": {"slug": own.slug, "name": own.name} if own else None,
            "authors": list(newsroom),
            "can_pin": permissions.can_pin(user),
            "draft_key": f"liveblog-desk:{story.slug}:{user.pk}",
            "texts": texts,
        }
    )
