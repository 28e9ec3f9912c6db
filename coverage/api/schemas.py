"""The shapes of the API's answers and requests: the OpenAPI schema is made from these.

Answers are built as plain dicts by ``representations`` and checked against these
types on the way out, so the served schema is the one the answers keep.
"""

from datetime import UTC, datetime
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field, field_validator


class Strict(Schema):
    """A request body: fields it does not know are refused (a typo is not silently ignored).

    Every text is refused with a NUL character (no database keeps one; Django's forms refuse
    them too), and every time must carry its offset and is kept in UTC (PostgreSQL refuses
    offsets past ±15:59, which ISO 8601 allows).
    """

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value):
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("Null characters are not allowed.")
        if isinstance(value, list) and any(isinstance(item, str) and "\x00" in item for item in value):
            raise ValueError("Null characters are not allowed.")
        if isinstance(value, datetime):
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError("Give the time with its offset, e.g. 2026-11-29T14:05:00+02:00.")
            try:
                return value.astimezone(UTC)
            except OverflowError:
                raise ValueError("This time is out of range.") from None
        return value


# --- answers ----------------------------------------------------------------------------


class Author(Schema):
    id: int
    name: str
    slug: str
    role: str
    url: str = Field(description="The author's page.")


class Rendition(Schema):
    url: str
    width: int
    type: str = Field(description="image/webp or image/jpeg")


class Image(Schema):
    id: int
    url: str = Field(description="The picture as stored (metadata removed).")
    width: int | None
    height: int | None
    caption: str
    credit: str
    alt_text: str = Field(description="The text readers who cannot see the picture hear.")
    position: int = Field(description="How many paragraphs of the text come before it.")
    renditions: list[Rendition]


class Embed(Schema):
    url: str
    provider: str = Field(description="youtube, x, bluesky… or link for a plain link card.")
    kind: str = Field(description="post, video, audio, chart or link.")
    frame: str | None = Field(description="The provider's player address, null for a link card.")
    title: str | None
    author_name: str | None


class Correction(Schema):
    text: str
    corrected_at: datetime | None


class Update(Schema):
    id: int
    story: str = Field(description="The story's slug.")
    url: str = Field(description="The update's own page.")
    api_url: str
    status: Literal["draft", "scheduled", "published"]
    headline: str
    markdown: str | None = Field(
        description="The body's Markdown source: only for a client allowed to edit the update."
    )
    html: str = Field(description="The body as readers see it: sanitized HTML.")
    text: str = Field(description="The body as plain text.")
    contributor_line: str
    key_event: bool
    pinned: bool
    published_at: datetime | None
    edited_at: datetime | None = Field(description="When readers last saw its text change.")
    correction: Correction | None
    authors: list[Author]
    images: list[Image]
    embeds: list[Embed]
    version: int = Field(description='Send it back as If-Match: "update-{id}-v{version}".')


class UpdatePage(Schema):
    updates: list[Update]
    older: str | None = Field(description="The next page (older updates), null on the last.")
    newer: str | None = Field(description="The page before (newer updates), null on the first.")


class KeyEvent(Schema):
    id: int
    title: str
    published_at: datetime
    url: str


StoryOrder = Literal["newest", "oldest"]
StoryLanguage = Literal["en", "uk", "es", "ar"]  # settings.LANGUAGES (tests/test_api_schema.py)


class StorySummary(Schema):
    id: int
    slug: str
    title: str
    status: Literal["draft", "live", "ended"]
    url: str
    api_url: str
    coverage_start: datetime | None
    coverage_end: datetime | None
    last_updated: datetime | None


class StoryList(Schema):
    stories: list[StorySummary]


class Story(StorySummary):
    summary_markdown: str | None = Field(description="Only for a client allowed to edit the story.")
    summary_html: str
    lead_author: Author | None
    time_zone: str
    language: StoryLanguage = Field(description="The language the story is written in; its pages speak it.")
    order: StoryOrder = Field(description="The order readers get the updates in unless they switch.")
    comments_open: bool
    key_events: list[KeyEvent]
    pinned: Update | None
    updates_url: str
    version: int = Field(description='Send it back as If-Match: "story-{id}-v{version}".')


class AuthorList(Schema):
    authors: list[Author]


class FieldError(Schema):
    field: str
    message: str


class Problem(Schema):
    """An error, as RFC 9457 describes it (``application/problem+json``)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] = Field(default=[], description="What is wrong with each field sent.")


class StaleProblem(Problem):
    """A write refused because the resource changed (or its version was not sent)."""

    current: dict = Field(description="The resource as it stands now, with its version.")


# --- requests ---------------------------------------------------------------------------

UpdateStatus = Literal["draft", "scheduled", "published"]


# The longest headline and text an update may have (the live desk's preview holds to them too).
HEADLINE_CHARS = 300
MARKDOWN_CHARS = 100_000


class UpdateIn(Strict):
    headline: str = Field("", max_length=HEADLINE_CHARS)
    markdown: str = Field("", max_length=MARKDOWN_CHARS, description="The body, in Markdown.")
    contributor_line: str = Field("", max_length=500)
    status: UpdateStatus = Field(
        "published", description="published: now (or at a past published_at); scheduled: at published_at."
    )
    published_at: datetime | None = None
    key_event: bool = False
    pinned: bool = Field(False, description="Editors only: replaces the story's pin.")
    correction: str = Field("", max_length=5_000)
    authors: list[str] | None = Field(
        None, max_length=20, description="Author slugs in byline order; default: your own author profile."
    )


class UpdatePatch(Strict):
    """Only the fields sent change."""

    headline: str | None = Field(None, max_length=HEADLINE_CHARS)
    markdown: str | None = Field(None, max_length=MARKDOWN_CHARS)
    contributor_line: str | None = Field(None, max_length=500)
    status: UpdateStatus | None = None
    published_at: datetime | None = None
    key_event: bool | None = None
    pinned: bool | None = None
    correction: str | None = Field(None, max_length=5_000)
    authors: list[str] | None = Field(None, max_length=20)


StoryStatus = Literal["draft", "live", "ended"]


class StoryIn(Strict):
    title: str = Field(min_length=1, max_length=300)
    slug: str = Field("", max_length=200, description="Left empty, it is made from the title.")
    summary_markdown: str = Field("", max_length=100_000)
    status: StoryStatus = "draft"
    lead_author: str | None = Field(None, description="An author's slug.")
    time_zone: str | None = Field(None, max_length=64, description="An IANA name; default: the newsroom's.")
    language: StoryLanguage | None = Field(None, description="Default: the site's language.")
    order: StoryOrder = "newest"
    comments_open: bool = True


class StoryPatch(Strict):
    title: str | None = Field(None, min_length=1, max_length=300)
    summary_markdown: str | None = Field(None, max_length=100_000)
    status: StoryStatus | None = Field(None, description="live starts coverage, ended ends it.")
    lead_author: str | None = None
    time_zone: str | None = Field(None, max_length=64)
    language: StoryLanguage | None = None
    order: StoryOrder | None = None
    comments_open: bool | None = None
