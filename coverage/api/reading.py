"""Reading: stories, their updates, one update, authors. Anonymous, shareable, cheap.

Anonymous clients get what readers get (nothing unpublished, no draft story), with
an ETag, 304s and a ``Cache-Control`` a shared cache may follow. A story's answers are
kept whole by the page cache under the story's versions, like its page: a write
readers see moves them. Each answer costs a fixed number of queries however long
the story is (cursor pages on the stream's index, as the page). A signed-in client
(token or session) gets its own, private answers: unpublished updates it may see,
and the Markdown source of what it may edit.
"""

import functools
import hashlib
import re

from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import urlencode
from ninja import Query, Router, Schema
from ninja.decorators import decorate_view
from pydantic import Field

from .. import caching, idle, pagination, permissions
from ..conf import app_settings
from ..models import Author, Byline, Story, Update
from ..slugs import UnicodeSlugConverter
from . import representations as show
from . import schemas
from .auth import identify, is_anonymous

router = Router(tags=["Reading"])

# The page cache's key for each read it may share, by URL name (see ``mark_shared``).
SHARED_KEYS = {}
SLUG = re.compile(UnicodeSlugConverter.regex)
CURSOR_PATTERN = r"^[1-9][0-9]{0,19}-[1-9][0-9]{0,19}$"
MAX_PAGE = 100
MAX_AUTHORS = 1000
# What a read may answer besides its 200: an address holding a NUL (400), a token that is
# not one (401), too many requests with one (429), parameters that are not valid (422),
# nothing there (404).
READ_REFUSALS = {400: schemas.Problem, 401: schemas.Problem, 422: schemas.Problem, 429: schemas.Problem}
FOUND_REFUSALS = {**READ_REFUSALS, 404: schemas.Problem}


def shared_key(name):
    """The page cache keeps anonymous answers of the read named ``name`` under the story's versions."""

    def key(request, slug, **kwargs):
        if not is_anonymous(request) or not SLUG.fullmatch(slug):
            return None  # a client's own answer, or no story's address: answered, not kept
        query = sorted((name, request.GET.getlist(name)) for name in request.GET)
        digest = hashlib.sha256(repr((request.path, query)).encode()).hexdigest()[:24]
        return f"liveblog:api:{slug}:{caching.versions(slug)}:{digest}"

    SHARED_KEYS[name] = key
    return name


def mark_shared(patterns):
    """Tell the page cache which of the API's URL patterns it may answer (``pagecache.shared``)."""
    for pattern in patterns:
        key = SHARED_KEYS.get(getattr(pattern, "name", None))
        if key is not None:
            pattern.callback.shared_key = key
    return patterns


def readable(run):
    """Finish a read's answer: its validator and caching headers, or a 304."""

    @functools.wraps(run)
    def finish(request, *args, **kwargs):
        response = run(request, *args, **kwargs)
        if response.status_code != 200:
            return response
        if is_anonymous(request):
            window = app_settings.CURSOR_WINDOW
            etag = caching.content_etag(response.content)
            response["Cache-Control"] = (
                f"public, max-age=0, s-maxage={window}, stale-while-revalidate={window}"
            )
            response["Vary"] = "Authorization"
            story = getattr(request, "api_story", None)
            if story is not None:
                response.shared_timeout = caching.page_timeout(story)
        else:
            # The version a write names in If-Match (for a story or an update): it does not
            # move when, say, a picture is added, so it never answers a conditional GET.
            response["Cache-Control"] = "private, no-cache"
            response["ETag"] = getattr(request, "api_etag", None) or caching.content_etag(response.content)
            return response
        response["ETag"] = etag
        return get_conditional_response(request, etag=etag, response=response)

    return finish


def with_byline(updates):
    """``updates`` with what an update's answer shows, in two more queries whatever their number."""
    return updates.select_related("story").prefetch_related(
        Prefetch("bylines", queryset=Byline.objects.select_related("author").order_by("position")), "images"
    )


def visible_stories(user, stories=None):
    """Of ``stories`` (default: all), the public ones, or all for a login of the newsroom."""
    stories = Story.objects.all() if stories is None else stories
    if user is None or not user.has_perm("coverage.view_story"):
        stories = stories.public()
    return stories


def find_story(request, slug, user, stories=None):
    """The story ``slug`` of ``visible_stories`` (of ``stories``, e.g. annotated, if given);
    ended first if it is live and idle (``idle``)."""
    try:
        story = visible_stories(user, stories).with_activity().select_related("lead_author").get(slug=slug)
    except Story.DoesNotExist:
        if user is None:
            caching.forget(slug)  # the page cache's key made versions for it: keep nothing
        raise Http404("No such story.") from None
    idle.end_if_idle(story)
    request.api_story = story
    return story


def visible_updates(user, story):
    """The updates of ``story`` the client may read one by one: public ones, or all for the newsroom."""
    if user is not None and user.has_perm("coverage.view_update"):
        return Update.objects.filter(story=story)
    return Update.objects.published().filter(story=story)


class UpdateFilters(Schema):
    limit: int = Field(pagination.PAGE_SIZE, ge=1, le=MAX_PAGE, description="Updates per page.")
    before: str | None = Field(None, pattern=CURSOR_PATTERN, description="Older than this cursor.")
    after: str | None = Field(None, pattern=CURSOR_PATTERN, description="Newer than this cursor.")
    author: str | None = Field(None, max_length=200, description="Only updates in this author's byline.")
    key_events: bool = Field(False, description="Only key events.")


@router.get(
    "/stories/",
    response={200: schemas.StoryList, **READ_REFUSALS},
    url_name="stories",
    summary="Stories, newest first",
)
@decorate_view(readable)
def stories(request, status: schemas.StoryStatus | None = None):
    """Public stories (for the newsroom, drafts too), newest first, each with its last update."""
    user = identify(request)
    idle.end_idle_stories()  # a list says which are live: the idle ones end first
    found = visible_stories(user)
    if status:
        found = found.filter(status=status)
    found = found.with_last_update().order_by("-created_at", "-pk")[:MAX_PAGE]
    return {"stories": [show.story_summary(story) for story in found]}


@router.get(
    "/stories/{slug}/",
    response={200: schemas.Story, **FOUND_REFUSALS},
    url_name=shared_key("story"),
    summary="One story",
)
@decorate_view(readable)
def story(request, slug: str):
    """A story: its summary, lead byline, key events and pinned update."""
    user = identify(request)
    now = timezone.now()
    entry = find_story(request, slug, user, Story.objects.with_last_update(now))
    if user is not None:
        request.api_etag = show.story_etag(entry)
    return story_answer(entry, user, now)


def story_answer(entry, user, now=None):
    """``entry`` as a story's answer shows it to ``user`` (None: anonymous). An ``entry`` not
    read with its last update (``with_last_update``) is read again with it."""
    now = now or timezone.now()
    if not hasattr(entry, "last_published_at"):
        entry = Story.objects.with_last_update(now).select_related("lead_author").get(pk=entry.pk)
    pinned = with_byline(Update.objects.published(now).pinned_in(entry)).first()
    return show.story(
        entry,
        key_events=Update.objects.key_events(entry, now),
        pinned=pinned,
        editable=user is not None and user.has_perm(permissions.CHANGE_STORY),
        pinned_editable=pinned is not None and user is not None and permissions.can_edit_update(user, pinned),
    )


@router.get(
    "/stories/{slug}/updates/",
    response={200: schemas.UpdatePage, **FOUND_REFUSALS},
    url_name=shared_key("updates"),
    summary="A story's updates, newest first",
)
@decorate_view(readable)
def updates(request, slug: str, filters: Query[UpdateFilters]):
    """One page of a story's published updates, newest first; ``older`` and ``newer`` link the
    pages around it (cursor pages: every page costs the same however deep)."""
    user = identify(request)
    entry = find_story(request, slug, user)
    cursors = {"before": filters.before, "after": filters.after}
    stream = Update.objects.published(pagination.public_until(**cursors)).filter(story=entry)
    if filters.key_events:
        stream = stream.filter(key_event=True)
    if filters.author:
        author = Author.objects.filter(slug=filters.author).first()
        if author is None:
            raise Http404("No such author.")
        stream = stream.filter(pk__in=Byline.objects.filter(story=entry, author=author).values("update"))
    page = pagination.paginate(with_byline(stream), **cursors, size=filters.limit)
    editable = _editable_ids(user, page.items)
    query = {"limit": filters.limit} if filters.limit != pagination.PAGE_SIZE else {}
    if filters.author:
        query["author"] = filters.author
    if filters.key_events:
        query["key_events"] = "true"
    base = show.api_url("updates", slug=entry.slug)
    return {
        "updates": [show.update_answer(item, editable=item.pk in editable) for item in page.items],
        "older": _page_url(base, query, before=page.older),
        "newer": _page_url(base, query, after=page.newer),
    }


def _page_url(base, query, **cursor):
    ((name, value),) = cursor.items()
    if not value:
        return None
    return f"{base}?{urlencode({**query, name: value})}"


def _editable_ids(user, items):
    if user is None or not items:
        return set()
    if permissions.can_edit_any_update(user):
        return {item.pk for item in items}
    ids = [item.pk for item in items]
    return set(
        permissions.editable_updates(user, Update.objects.filter(pk__in=ids)).values_list("pk", flat=True)
    )


@router.get(
    "/stories/{slug}/updates/{pk}/",
    response={200: schemas.Update, **FOUND_REFUSALS},
    url_name=shared_key("update"),
    summary="One update",
)
@decorate_view(readable)
def update(request, slug: str, pk: int):
    """One update. Signed in, the newsroom also reads drafts and scheduled updates, and the
    ETag is the version a write sends back as ``If-Match``."""
    user = identify(request)
    entry = find_story(request, slug, user)
    item = get_object_or_404(with_byline(visible_updates(user, entry)), pk=pk)
    editable = user is not None and permissions.can_edit_update(user, item)
    if user is not None:
        request.api_etag = show.update_etag(item)
    return show.update_answer(item, editable=editable)


@router.get(
    "/authors/", response={200: schemas.AuthorList, **READ_REFUSALS}, url_name="authors", summary="Authors"
)
@decorate_view(readable)
def authors(request):
    """Everyone who may appear in a byline, by name."""
    user = identify(request)
    people = Author.objects.order_by("name")
    if user is None or not user.has_perm("coverage.view_author"):
        # As their pages: an author readers cannot read yet is not known to them either.
        public = Byline.objects.public().filter(author=OuterRef("pk"))
        leads = Story.objects.public().filter(lead_author=OuterRef("pk"))
        people = people.filter(Exists(public) | Exists(leads))
    return {"authors": [show.author(person) for person in people[:MAX_AUTHORS]]}
