"""Writing: stories and updates, pictures. Signed in, with the admin's roles and rules.

Every write goes through ``services`` (a revision, the change feed, readers' caches,
webhooks: what the admin's saves do) and asks ``permissions`` first: Reporters add
updates and change their own; Editors change everything, pin, and run stories.

A change to something that exists names the version it was based on: ``If-Match`` with
the ETag a read gave. Without it the write is refused (428), with a stale one too
(412), and the refusal carries the resource as it stands now, so the client can show
the difference and nothing anyone saved is overwritten.
"""

import re

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Form, Status, UploadedFile
from pydantic import Field

from .. import images, permissions, scheduling, services, slugs, times
from ..models import Author, Image, Story, Update
from ..services import StaleEdit
from . import representations as show
from . import schemas
from .auth import NEWSROOM
from .problems import Problem
from .reading import find_story, router, story_answer, with_byline

# One router with the reads: the reads and writes of a path must be one URL pattern.
WRITE = {"auth": NEWSROOM, "tags": ["Writing"]}

REFUSALS = {
    400: schemas.Problem,
    401: schemas.Problem,
    403: schemas.Problem,
    404: schemas.Problem,
    422: schemas.Problem,
    429: schemas.Problem,
}
VERSIONED_REFUSALS = {**REFUSALS, 412: schemas.StaleProblem, 428: schemas.StaleProblem}


def _require(allowed, detail):
    if not allowed:
        raise Problem(403, detail)


def _check_version(request, etag, current):
    """Refuse a write whose ``If-Match`` is missing (428) or names another version (412).

    ``current()`` gives the resource as it stands: ``(answer, etag)``.
    """
    sent = request.headers.get("If-Match")
    if sent is None:
        answer, etag = current()
        raise Problem(
            428,
            f"Send If-Match: {etag} (the ETag of the version you changed), so no one's save is lost.",
            current=answer,
            headers={"ETag": etag},
        )
    if etag not in (_version_tag(tag) for tag in sent.split(",")) and sent.strip() != "*":
        _stale(current)


def _version_tag(sent):
    """The version an ``If-Match`` tag names. A signed-in read's answer is compressed on the
    way (``liveblog.compression``), which marks its ETag weak (``W/"update-7-v3"``): the bytes
    differ, the version it names does not, so the weak form names the same version."""
    tag = sent.strip()
    return tag[2:] if tag.startswith("W/") else tag


def _stale(current):
    """Refuse a write based on an older version (412), with the version that stands now."""
    answer, etag = current()
    raise Problem(
        412,
        "Someone saved this since the version you sent: it is in current, with its ETag.",
        current=answer,
        headers={"ETag": etag},
    )


def _saved(response, etag, location=None):
    """Headers of a write's answer: the new version's ETag, and where a new resource is."""
    response["ETag"] = etag
    response["Cache-Control"] = "no-store"
    if location:
        response["Location"] = location


# --- updates ----------------------------------------------------------------------------


def _authors(slugs_given, user):
    if slugs_given is None:
        own = Author.objects.filter(user=user).first()
        if own is None:
            raise Problem(
                422,
                "Your login has no author profile: name the byline's authors.",
                errors=[("authors", "Add at least one author to the byline.")],
            )
        return [own]
    wanted = list(dict.fromkeys(slugs_given))
    found = {author.slug: author for author in Author.objects.filter(slug__in=wanted)}
    unknown = [slug for slug in wanted if slug not in found]
    if unknown:
        raise Problem(
            422, "Unknown authors.", errors=[("authors", f"No author “{slug}”.") for slug in unknown]
        )
    if not wanted:
        raise Problem(
            422, "The byline is empty.", errors=[("authors", "Add at least one author to the byline.")]
        )
    return [found[slug] for slug in wanted]


def _load_update(request, slug, pk):
    story = find_story(request, slug, request.auth)
    return story, get_object_or_404(with_byline(Update.objects.filter(story=story)), pk=pk)


def _fresh(update):
    """``update`` read again, with what its answer shows."""
    return with_byline(Update.objects.filter(pk=update.pk)).get()


def _current_update(update):
    def current():
        saved = _fresh(update)
        return show.update_answer(saved, editable=True), show.update_etag(saved)

    return current


def _apply(update, changes, *, user, now, new):
    """Set ``changes`` (the fields sent) on ``update``, checked as the admin's form checks them."""
    if changes.get("pinned") and not update.pinned:
        _require(permissions.can_pin(user), "Only editors pin updates (pinning replaces the story's pin).")
    was_published = not new and update.status == Update.Status.PUBLISHED
    fields = {"markdown": "body"}
    for name, value in changes.items():
        if name != "authors":
            setattr(update, fields.get(name, name), value)
    time_given = "published_at" in changes
    if scheduling.publishes_now(update.status, was_published=was_published, time_given=time_given):
        update.published_at = None  # "Publish now": the service dates it
    retimed = new or bool({"status", "published_at"} & changes.keys())
    if error := scheduling.time_error(update.status, update.published_at, retimed=retimed, now=now):
        raise Problem(422, error, errors=[("published_at", error)])
    if update.status == Update.Status.DRAFT and new:
        update.published_at = None


# An Idempotency-Key: what a client makes up once per update it means to post (a UUID).
REQUEST_KEY = re.compile(r"[\x21-\x7e]{1,80}")


def _request_key(request):
    key = request.headers.get("Idempotency-Key")
    if key is not None and not REQUEST_KEY.fullmatch(key):
        raise Problem(
            400,
            "Idempotency-Key must be 1 to 80 visible ASCII characters (a UUID will do).",
            errors=[("Idempotency-Key", "1 to 80 visible ASCII characters.")],
        )
    return key or ""


def _posted_before(story, key, user):
    """The update a request with ``key`` already created in ``story``, or None."""
    if not key:
        return None
    earlier = Update.objects.filter(story=story, request_key=key).first()
    if earlier is not None and earlier.created_by_id != user.pk:
        raise Problem(
            422,
            "This Idempotency-Key was used by another login: make up a new one.",
            errors=[("Idempotency-Key", "Used by another login.")],
        )
    return earlier


@router.post(
    "/stories/{slug}/updates/",
    response={200: schemas.Update, 201: schemas.Update, **REFUSALS},
    summary="Post an update",
    url_name="post_update",
    **WRITE,
)
def post_update(request, response: HttpResponse, slug: str, payload: schemas.UpdateIn):
    """Add an update to a story: published now by default, or a draft, or scheduled.
    The byline defaults to your own author profile.

    Send an ``Idempotency-Key`` header (a UUID made up once per update) to retry safely:
    a request whose key already created an update answers 200 with that update, and
    nothing is posted twice when an answer was lost on the way."""
    user = request.auth
    _require(user.has_perm("coverage.add_update"), "Your role may not add updates.")
    story = find_story(request, slug, user)
    key = _request_key(request)
    if earlier := _posted_before(story, key, user):
        return _posted(response, story, earlier, status=200)
    now = timezone.now()
    authors = _authors(payload.authors, user)
    update = Update(story=story, request_key=key)
    _apply(update, payload.dict(exclude={"authors"}), user=user, now=now, new=True)
    try:
        services.save_update(update=update, authors=authors, user=user, now=now)
    except IntegrityError:
        # The same key's other request saved first (both were in flight): answer with its update.
        if earlier := _posted_before(story, key, user):
            return _posted(response, story, earlier, status=200)
        raise
    return _posted(response, story, update, status=201)


def _posted(response, story, update, *, status):
    saved = _fresh(update)
    _saved(response, show.update_etag(saved), location=show.api_url("update", slug=story.slug, pk=saved.pk))
    return Status(status, show.update_answer(saved, editable=True))


@router.patch(
    "/stories/{slug}/updates/{pk}/",
    response={200: schemas.Update, **VERSIONED_REFUSALS},
    summary="Change an update",
    url_name="change_update",
    **WRITE,
)
def change_update(request, response: HttpResponse, slug: str, pk: int, payload: schemas.UpdatePatch):
    """Edit, publish, schedule, unpublish (status draft), pin, mark a key event or correct an
    update: only the fields sent change. Needs ``If-Match``."""
    user = request.auth
    _, update = _load_update(request, slug, pk)
    _require(
        user.has_perm("coverage.change_update") and permissions.can_edit_update(user, update),
        "You may change only your own updates.",
    )
    _check_version(request, show.update_etag(update), _current_update(update))
    changes = payload.dict(exclude_unset=True)
    if changes.get("pinned") is None:
        changes.pop("pinned", None)
    now = timezone.now()
    authors = _authors(changes.pop("authors"), user) if "authors" in changes else None
    for name in ("headline", "markdown", "contributor_line", "correction", "status", "key_event"):
        if name in changes and changes[name] is None:
            raise Problem(422, f"{name} may not be null.", errors=[(name, "May not be null.")])
    if changes.get("pinned") is False and update.pinned:
        _require(permissions.can_pin(user), "Only editors unpin updates.")
    _apply(update, changes, user=user, now=now, new=False)
    try:
        services.save_update(update=update, authors=authors, user=user, now=now)
    except StaleEdit:
        _stale(_current_update(update))  # someone saved between the check and the save
    saved = _fresh(update)
    _saved(response, show.update_etag(saved))
    return Status(200, show.update_answer(saved, editable=True))


@router.api_operation(
    ["DELETE"],
    "/stories/{slug}/updates/{pk}/",
    response={204: None, **VERSIONED_REFUSALS},
    summary="Delete an update",
    url_name="delete_update",
    **WRITE,
)
def delete_update(request, slug: str, pk: int):
    """Delete an update for good (readers' pages remove it). Needs ``If-Match``."""
    user = request.auth
    _, update = _load_update(request, slug, pk)
    _require(
        user.has_perm("coverage.delete_update") and permissions.can_edit_update(user, update),
        "You may delete only your own updates.",
    )
    with transaction.atomic():
        # The version as it stands, locked until the delete: nobody saves in between.
        update.version = get_object_or_404(
            Update.objects.select_for_update().values_list("version", flat=True), pk=update.pk
        )
        _check_version(request, show.update_etag(update), _current_update(update))
        services.delete_update(update=update)
    return Status(204, None)


class PictureIn(schemas.Strict):
    caption: str = Field("", max_length=5_000)
    credit: str = Field("", max_length=300)
    alt_text: str = Field(min_length=1, max_length=500, description="Required: what the picture shows.")
    position: int = Field(0, ge=0, le=1000, description="Paragraphs of the text before it.")


@router.post(
    "/stories/{slug}/updates/{pk}/images/",
    response={201: schemas.Image, **REFUSALS},
    summary="Add a picture to an update",
    url_name="post_image",
    **WRITE,
)
def post_image(request, slug: str, pk: int, details: Form[PictureIn], file: File[UploadedFile]):
    """Upload a picture (JPEG, PNG, WebP or GIF), checked and cleaned as in the admin:
    re-encoded, location and camera data removed, renditions made."""
    user = request.auth
    story, update = _load_update(request, slug, pk)
    _require(
        user.has_perm("coverage.add_image") and permissions.can_edit_update(user, update),
        "You may add pictures only to your own updates.",
    )
    try:
        picture = images.clean_upload(file)
    except images.UploadRefused as refused:
        raise Problem(422, str(refused), errors=[("file", str(refused))]) from refused
    image = Image(story=story, update=update, file=picture.as_file(file.name), **details.dict())
    services.save_image(image=image)
    return Status(201, show.image(image))


# --- stories ----------------------------------------------------------------------------


def _story_fields(story, changes):
    if "lead_author" in changes:
        slug = changes.pop("lead_author")
        story.lead_author = None
        if slug:
            story.lead_author = Author.objects.filter(slug=slug).first()
            if story.lead_author is None:
                raise Problem(422, "Unknown author.", errors=[("lead_author", f"No author “{slug}”.")])
    if changes.get("time_zone") is not None and times.zone_named(changes["time_zone"].strip()) is None:
        message = "Not a time zone: use a name like “America/New_York” or “Europe/Kyiv”."
        raise Problem(422, message, errors=[("time_zone", message)])
    for name, value in changes.items():
        if value is None:
            continue
        setattr(story, {"summary_markdown": "summary"}.get(name, name), value)


def _current_story(story, user):
    def current():
        saved = Story.objects.get(pk=story.pk)
        return story_answer(saved, user), show.story_etag(saved)

    return current


@router.post(
    "/stories/",
    response={201: schemas.Story, **REFUSALS, 409: schemas.Problem},
    summary="Create a story",
    url_name="post_story",
    **WRITE,
)
def post_story(request, response: HttpResponse, payload: schemas.StoryIn):
    """Create a story (a draft by default; status live starts its coverage). Editors only."""
    user = request.auth
    _require(user.has_perm("coverage.add_story"), "Only editors create stories.")
    changes = payload.dict()
    slug = changes.pop("slug").strip()
    if slug and (slugs.slugify(slug) != slug):
        message = "Use letters of any script, digits and hyphens."
        raise Problem(422, message, errors=[("slug", message)])
    if slug and Story.objects.filter(slug=slug).exists():
        raise Problem(409, f"A story already has the address “{slug}”.", errors=[("slug", "Taken.")])
    story = Story(slug=slug)
    if changes.get("time_zone") is None:
        changes.pop("time_zone")
    _story_fields(story, changes)
    services.save_story(story=story)
    _saved(response, show.story_etag(story), location=show.api_url("story", slug=story.slug))
    return Status(201, story_answer(story, user))


@router.patch(
    "/stories/{slug}/",
    response={200: schemas.Story, **VERSIONED_REFUSALS},
    summary="Change, start or end a story",
    url_name="change_story",
    **WRITE,
)
def change_story(request, response: HttpResponse, slug: str, payload: schemas.StoryPatch):
    """Retitle a story, rewrite its summary, start (status live) or end (ended) its coverage.
    Editors only. Needs ``If-Match``."""
    user = request.auth
    _require(user.has_perm(permissions.CHANGE_STORY), "Only editors change stories.")
    story = find_story(request, slug, user)
    _check_version(request, show.story_etag(story), _current_story(story, user))
    _story_fields(story, payload.dict(exclude_unset=True))
    try:
        services.save_story(story=story)
    except StaleEdit:
        _stale(_current_story(story, user))
    _saved(response, show.story_etag(story))
    return Status(200, story_answer(story, user))
