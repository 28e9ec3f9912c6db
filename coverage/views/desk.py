"""The live desk: what a newsroom login's story page needs to publish from the page itself.

The story page stays one cached page for every reader; its script asks for this only when
the desk's hint cookie (``desk``) says a newsroom login is signed in. The answer is the
login's own (never cached): the desk's script and stylesheet, where to post (the write
API, whose permissions and saves are the same as everywhere), the CSRF token the API asks
of a session, the byline a new update gets, and the desk's words in the story's language.
``desk_updates`` tells the desk's edit script which updates on the page the login may
change (the page cannot say: it is the same for everyone).
"""

import re

from django.contrib.staticfiles.storage import staticfiles_storage
from django.db.models import OuterRef, Subquery
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import images, languages, permissions
from ..api.representations import update_etag
from ..models import Author, Story, Update, UpdateRevision, Writer

# The composer (desk.js) first; the others build on what it offers (window.liveblog.deskKit).
DESK_SCRIPTS = ["desk.js", "desk-preview.js", "desk-pictures.js", "desk-edit.js", "desk-presence.js"]
# The most updates one question about editable updates names (a page shows far fewer).
EDITABLE_ASKED = 200
UPDATE_ID = re.compile(r"[0-9]{1,18}")


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
        # -- edit and delete in place (desk-edit.js) --
        # Translators: a button on each update of the live page, for the newsroom.
        "edit": gettext("Edit"),
        "delete": gettext("Delete"),
        # Translators: a button's name for screen readers: "Edit update 42".
        "edit_update": gettext("Edit update %(number)s"),
        "delete_update": gettext("Delete update %(number)s"),
        "edit_title": gettext("Edit this update"),
        "edit_shortcut": gettext("Ctrl+Enter (⌘+Enter) saves, Escape cancels."),
        "save": gettext("Save"),
        "cancel": gettext("Cancel"),
        "loading": gettext("Opening the update…"),
        "saving": gettext("Saving…"),
        "saved": gettext("Saved."),
        "edit_restored": gettext("Your unsaved text for this update was restored."),
        "edit_network": gettext("Not saved: the site could not be reached. Your text is kept."),
        # Translators: %(reason)s is the site's own explanation.
        "edit_refused": gettext("Not saved: %(reason)s Your text is kept."),
        "cannot_open": gettext("This update could not be opened for editing: %(reason)s"),
        "open_network": gettext("This update could not be opened: the site could not be reached."),
        # Translators: shown when another person saved the update while this editor was editing it.
        # %(name)s is who saved, %(time)s when.
        "conflict": gettext("%(name)s saved this update at %(time)s, while you were editing it."),
        "conflict_someone": gettext("Someone"),
        "conflict_keep_note": gettext("Your text is kept until you choose."),
        "theirs": gettext("Their version (saved)"),
        "yours": gettext("Your version (not saved)"),
        "headline_line": gettext("Headline:"),
        "key_event_yes": gettext("Key event: yes"),
        "key_event_no": gettext("Key event: no"),
        # Translators: marks a word the other version lacks, read out by screen readers.
        "removed_words": gettext("only in theirs:"),
        "added_words": gettext("only in yours:"),
        "diff_legend": gettext(
            "Words only in their version are struck through; words only in yours are underlined."
        ),
        "save_mine": gettext("Save mine over theirs"),
        "take_theirs": gettext("Take theirs"),
        "keep_editing": gettext("Keep editing"),
        "took_theirs": gettext("Their version stands; your text was dropped."),
        "editing_mine": gettext("Editing your text, now based on their version."),
        "delete_confirm": gettext("Delete this update? Readers’ pages drop it."),
        "delete_yes": gettext("Delete it"),
        "delete_no": gettext("Keep it"),
        "deleting": gettext("Deleting…"),
        "deleted": gettext("The update was deleted."),
        "delete_stale": gettext(
            "Not deleted: someone changed this update since this page showed it. Look again."
        ),
        "delete_refused": gettext("Not deleted: %(reason)s"),
        "delete_network": gettext("Not deleted: the site could not be reached."),
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
    if refused := refusal(user):
        return refused
    story = get_object_or_404(Story.objects.public(), slug=slug)
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
            "picture_max_bytes": images.MAX_UPLOAD_BYTES,
            "editable_url": reverse("coverage:desk_updates", kwargs={"slug": story.slug}),
            "texts": texts,
        }
    )


def _saver(revision):
    """Who made ``revision``, as the newsroom knows them (as the admin's conflict page says it)."""
    if revision is None:
        return ""
    if revision.writer == Writer.SEED:
        return gettext("the seed document")
    if revision.saved_by is None:
        return ""
    return revision.saved_by.get_full_name() or revision.saved_by.get_username()


@require_GET
@never_cache
def desk_updates(request, slug):
    """Of the updates of story ``slug`` named by ``?id=`` (repeated), those the signed-in login
    may change and delete, each with its ETag and who saved it last and when (JSON; 403 as
    ``desk``).

    The story page is the same for every reader, so it cannot say which of its updates this
    login may edit: the desk's edit script asks here for the updates it shows (and for the one
    someone else just saved, to say who). Three queries, however many are named."""
    user = request.user
    if refused := refusal(user):
        return refused
    story = get_object_or_404(Story.objects.public(), slug=slug)
    asked = {int(value) for value in request.GET.getlist("id")[:EDITABLE_ASKED] if UPDATE_ID.fullmatch(value)}
    editable = []
    if asked and user.has_perm("coverage.change_update"):
        last = UpdateRevision.objects.filter(update=OuterRef("pk")).order_by("-version").values("pk")[:1]
        found = permissions.editable_updates(user, Update.objects.filter(story=story, pk__in=asked))
        found = found.annotate(last_revision=Subquery(last)).order_by("pk")
        editable = list(found.values("pk", "version", "last_revision"))
    revisions = UpdateRevision.objects.select_related("saved_by").in_bulk(
        [row["last_revision"] for row in editable if row["last_revision"]]
    )
    answer = []
    for row in editable:
        revision = revisions.get(row["last_revision"])
        answer.append(
            {
                "id": row["pk"],
                # The version the page shows, as a write names it (If-Match): a delete of it
                # is refused if someone saved since.
                "etag": update_etag(Update(pk=row["pk"], version=row["version"])),
                "saved_by": _saver(revision),
                "saved_at": revision.saved_at.isoformat() if revision else None,
            }
        )
    return JsonResponse({"updates": answer})
