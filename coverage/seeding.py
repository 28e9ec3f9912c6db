"""Read seed documents and load them into stories.

A seed document is a plain-text snapshot of a live page (see SPEC.md, "The seed
format"): title, source slug and lead author on lines 1, 3 and 5, then the
summary, then the updates newest first, each opened by a byline line, and maybe
the page's comment-form text at the end.

``parse()`` turns the text into a ``Document`` or raises ``SeedError`` with the
line at fault; ``load()`` syncs one document into the database in a transaction
and returns what it changed. Nothing here prints.
"""

import hashlib
import itertools
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from . import images as image_tools
from . import markup, services, slugs
from .models import Author, DeletedSeedStory, Image, Story, Update, Writer
from .names import (
    CLOSING_QUOTES,
    SURNAME_PREFIXES,
    boundaries,
    is_closing_punctuation,
    is_uncased,
    looks_like_name,
    names_run_together,
    split_byline,
    starts_with_a_name,
    word_prefix,
)

IMAGE_MARKER = "Image"
CREDIT_MARKER = "Credit…"
COMMENTS_MARKER = "leave a reply"
# Text the plain format cannot carry is written between fences, e.g. "```markdown" and "```":
# Markdown kept as typed, or a headline or contributor line that would not read as one.
FENCE_OPENING = re.compile(r"^(`{3,})(markdown|headline|contributor)$")
BULLET_LINE = re.compile(r"^\s*[•\u2022]\s*(.*)$")
CONTRIBUTOR_LINE = re.compile(
    r"\bcontributed(?:\s+additional)?\s+(?:reporting|research)\b"
    r"|^(?:additional\s+)?reporting was contributed by\b",
    re.IGNORECASE,
)
# Columns the text goes into: longer values are refused here, not by the database.
TITLE_LENGTH = Story._meta.get_field("title").max_length
SLUG_LENGTH = Story._meta.get_field("slug").max_length
SOURCE_SLUG_LENGTH = Story._meta.get_field("source_slug").max_length
HEADLINE_LENGTH = Update._meta.get_field("headline").max_length
CONTRIBUTOR_LENGTH = Update._meta.get_field("contributor_line").max_length
CREDIT_LENGTH = Image._meta.get_field("credit").max_length
ALT_TEXT_LENGTH = Image._meta.get_field("alt_text").max_length


class SeedError(Exception):
    """A document that cannot be loaded; ``str()`` is ``path:line: reason``."""

    def __init__(self, path, line, reason):
        self.path, self.line, self.reason = str(path), line, reason
        super().__init__(f"{self.path}:{line}: {reason}")


@dataclass
class ImageSpec:
    caption: str
    credit: str
    position: int  # blocks of text before the image
    line: int

    def key(self):
        return (self.caption, self.credit, self.position)


class Fenced(str):
    """A fenced part of a document, as one entry: the string is its opening line.

    ``kind`` is what the opening line names; ``text`` what stands between the fences.
    """

    kind: str
    text: str


@dataclass
class Text:
    """A run of blocks (Markdown source each) and the images between them."""

    blocks: list = field(default_factory=list)
    images: list = field(default_factory=list)
    fenced: set = field(default_factory=set)  # indexes of the blocks written as Markdown

    @property
    def markdown(self):
        return "\n\n".join(self.blocks)


@dataclass
class UpdateSpec:
    line: int
    authors: list
    headline: str = ""
    text: Text = field(default_factory=Text)
    contributor_line: str = ""

    def key(self):
        return (
            tuple(self.authors),
            self.headline,
            self.text.markdown,
            self.contributor_line,
            tuple(image.key() for image in self.text.images),
        )


@dataclass
class Document:
    path: str
    title: str
    source_slug: str
    lead_author: str
    summary: Text
    updates: list  # newest first, as in the document
    comments_open: bool

    @property
    def slug(self):
        return slugs.slugify(self.source_slug)

    def author_names(self):
        names = [self.lead_author]
        for update in self.updates:
            names.extend(update.authors)
        return list(dict.fromkeys(names))


@dataclass
class Result:
    path: str
    slug: str
    story_created: bool = False
    story_changed: bool = False
    story_restored: bool = False  # created again, ``force`` bringing back a story the newsroom deleted
    left_deleted: str = ""  # the title of the story the newsroom deleted, left deleted
    added: int = 0
    edited: int = 0
    unpublished: int = 0
    unchanged: int = 0
    authors_added: int = 0
    images_added: int = 0
    kept: list = field(default_factory=list)  # newsroom changes left as they are, described
    overwritten: list = field(default_factory=list)  # newsroom changes ``force`` replaced, described

    @property
    def changed(self):
        return bool(
            self.story_created
            or self.story_changed
            or self.added
            or self.edited
            or self.unpublished
            or self.authors_added
            or self.images_added
        )


def could_be_byline(line, known):
    """Whether ``line`` could read as a byline where one may stand (export asks, to avoid it).

    A superset of what ``parse`` takes: it asks more of names without capitals where they stand.
    """
    return line in known or looks_like_name(line) or names_run_together(line, known)


# --- parsing ---------------------------------------------------------------


def _decode(data, path):
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SeedError(path, line, "the file is not valid UTF-8 text") from None


def _ends_sentence(text):
    text = text.rstrip().rstrip(CLOSING_QUOTES).rstrip()
    return not text or is_closing_punctuation(text[-1])


def _ends_block(body, index, captions):
    """Whether ``body[index]`` finishes a block: a sentence, a caption, a list item or an embed."""
    line = body[index][1].strip()
    return (
        _ends_sentence(line)
        or index in captions
        or bool(BULLET_LINE.match(line))
        or (line.startswith(("http://", "https://")) and " " not in line)
    )


def _name_lines(body, captions):
    """How many times each name-like line stands in the document (captions aside)."""
    lines = Counter(" ".join(line.split()) for index, (_, line) in enumerate(body) if index not in captions)
    return {line: count for line, count in lines.items() if looks_like_name(line)}


def _stands_as_byline(body, index, captions, known, names_here, repeated):
    """Whether a name-like line without capitals stands where a byline does.

    It is named twice in the document (``repeated``), or follows a finished block;
    and it is not a known name followed by more text, unless it is names of the
    document (``names_here``) run together.
    """
    name = " ".join(body[index][1].split())
    if name not in repeated and not _ends_block(body, index - 1, captions):
        return False
    if not starts_with_a_name(name, known | repeated):
        return True
    return names_run_together(name, names_here)


def _caption_and_credit(line):
    caption, marker, credit = line.partition(CREDIT_MARKER)
    if not marker:
        return line.strip(), ""
    return caption.strip(), credit.strip()


def _read_text(entries, path):
    """Blocks and images from (line number, text) entries of a summary or update body."""
    text = Text()
    index = 0
    while index < len(entries):
        number, line = entries[index]
        if isinstance(line, Fenced):
            if line.kind != "markdown":
                where = "right after a byline" if line.kind == "headline" else "at the end of an update"
                raise SeedError(path, number, f"a fenced {line.kind} belongs {where}")
            for block in markup.blocks(line.text):
                text.fenced.add(len(text.blocks))
                text.blocks.append(block.source)
            index += 1
            continue
        if line.strip() == IMAGE_MARKER:
            caption, credit = _caption_and_credit(entries[index + 1][1])
            if not caption and not credit:
                raise SeedError(path, entries[index + 1][0], "the image's caption line is empty")
            if len(credit) > CREDIT_LENGTH:
                raise SeedError(
                    path,
                    entries[index + 1][0],
                    f"the image's credit is {len(credit)} characters long; at most {CREDIT_LENGTH} fit",
                )
            text.images.append(ImageSpec(caption, credit, len(text.blocks), number))
            index += 2
            continue
        bullet = BULLET_LINE.match(line)
        if bullet:
            items, numbers = [], []
            while index < len(entries) and (match := BULLET_LINE.match(entries[index][1])):
                if not match.group(1).strip():
                    raise SeedError(path, entries[index][0], "a bullet with no text")
                items.append("- " + markup.escape(match.group(1)))
                numbers.append(entries[index][0])
                index += 1
            tight = all(b - a == 1 for a, b in itertools.pairwise(numbers))
            text.blocks.append(("\n" if tight else "\n\n").join(items))
            continue
        text.blocks.append(markup.escape(line))
        index += 1
    return text


def _entries(text, path):
    """(line number, line) for each line with text; a fenced part is one entry, a ``Fenced``."""
    lines = text.splitlines()
    if "```" not in text:  # the usual document: one entry per line with text
        return [(number, line.rstrip()) for number, line in enumerate(lines, 1) if line.strip()]
    entries, index = [], 0
    while index < len(lines):
        line = lines[index].rstrip()
        opening = FENCE_OPENING.match(line.strip())
        if opening is None:
            if line.strip():
                entries.append((index + 1, line))
            index += 1
            continue
        fence = opening.group(1)
        end = next((end for end in range(index + 1, len(lines)) if lines[end].strip() == fence), None)
        if end is None:
            raise SeedError(path, index + 1, f"“{line.strip()}” has no closing “{fence}” line")
        fenced = Fenced(line.strip())
        fenced.kind, fenced.text = opening.group(2), "\n".join(lines[index + 1 : end]).strip("\n")
        entries.append((index + 1, fenced))
        index = end + 1
    return entries


def parse(data, path="<document>"):
    """Parse a seed document (``str`` or UTF-8 ``bytes``) into a ``Document``."""
    text = _decode(data, path)
    entries = _entries(text, path)
    if not entries:
        raise SeedError(path, 1, "the document is empty")
    header = entries[:3]
    labels = ("the story title (line 1)", "the source slug (line 3)", "the lead author (line 5)")
    if len(header) < 3:
        raise SeedError(path, entries[-1][0], f"the document ends before {labels[len(header)]}")
    (title_line, title), (slug_line, source_slug), (author_line, lead_author) = header
    title, source_slug, lead_author = title.strip(), source_slug.strip(), " ".join(lead_author.split())
    if len(title) > TITLE_LENGTH:
        raise SeedError(
            path, title_line, f"the title is {len(title)} characters long; at most {TITLE_LENGTH} fit"
        )
    if " " in source_slug or not slugs.slugify(source_slug):
        raise SeedError(path, slug_line, f"expected the story's slug, found {source_slug[:60]!r}")
    if len(slugs.slugify(source_slug)) > SLUG_LENGTH or len(source_slug) > SOURCE_SLUG_LENGTH:
        raise SeedError(
            path, slug_line, f"the slug is {len(source_slug)} characters long; at most {SLUG_LENGTH} fit"
        )
    if lead_author == IMAGE_MARKER or not looks_like_name(lead_author, strict=False):
        raise SeedError(path, author_line, f"expected the lead author's name, found {lead_author[:60]!r}")

    body = entries[3:]
    comments_open = False
    for index, (_, line) in enumerate(body):
        if line.strip().lower() == COMMENTS_MARKER:
            body, comments_open = body[:index], True
            break

    # Images first: the line after ``Image`` is its caption, whatever it looks like.
    captions = set()
    for index, (number, line) in enumerate(body):
        if line.strip() != IMAGE_MARKER or index in captions:
            continue
        if index + 1 >= len(body):
            raise SeedError(path, number, "an “Image” line with no caption line after it")
        if body[index + 1][1].strip() == IMAGE_MARKER:
            raise SeedError(
                path, body[index + 1][0], "expected the image's caption, found another “Image” line"
            )
        captions.add(index + 1)

    # Bylines: name-like lines that do not follow a byline (the lead-author line
    # counts as one) and are not the last line. A name without capitals (Arabic,
    # Chinese…) looks like a short heading too: unless the document already knows it,
    # it must be named twice in the document or stand after a finished block, and
    # not merely begin with a known name.
    known = {lead_author}
    name_lines = _name_lines(body, captions)
    repeated = {line for line, count in name_lines.items() if count > 1}
    names_here = {lead_author, *name_lines}  # the names the document writes alone
    bylines, previous_is_byline = [], True
    for index, (_, line) in enumerate(body):
        name = " ".join(line.split())
        candidate = (
            not previous_is_byline
            and index not in captions
            and not isinstance(line, Fenced)
            and index + 1 < len(body)
            and (name in known or looks_like_name(name) or names_run_together(name, names_here))
            and (
                name in known
                or not is_uncased(name)
                or _stands_as_byline(body, index, captions, known, names_here, repeated)
            )
        )
        if candidate:
            bylines.append(index)
            cuts = boundaries(line)
            if not cuts or all(word_prefix(line, cut).lower() in SURNAME_PREFIXES for cut in cuts):
                known.add(name)
        previous_is_byline = candidate

    summary_end = bylines[0] if bylines else len(body)
    summary = _read_text(body[:summary_end], path)

    updates = []
    for start, end in itertools.pairwise([*bylines, len(body)]):
        number, line = body[start]
        update = UpdateSpec(line=number, authors=split_byline(" ".join(line.split()), known))
        rest = body[start + 1 : end]
        first = rest[0][1].strip()
        if getattr(rest[0][1], "kind", None) == "headline":
            update.headline, rest = _fenced_line(rest[0], HEADLINE_LENGTH, "headline", path), rest[1:]
        elif (
            len(rest) > 1
            and not isinstance(rest[0][1], Fenced)
            and first != IMAGE_MARKER
            and not BULLET_LINE.match(rest[0][1])
            and not _ends_sentence(first)
            and len(first) <= HEADLINE_LENGTH
        ):
            update.headline, rest = first, rest[1:]
        if rest and getattr(rest[-1][1], "kind", None) == "contributor":
            update.contributor_line = _fenced_line(rest[-1], CONTRIBUTOR_LENGTH, "contributor line", path)
            rest = rest[:-1]
        update.text = _read_text(rest, path)
        blocks = update.text.blocks
        if (
            not update.contributor_line
            and len(blocks) + len(update.text.images) > 1
            and blocks
            and "\n" not in blocks[-1]
            and len(blocks) - 1 not in update.text.fenced
        ):
            last = markup.unescape(blocks[-1])
            if (
                CONTRIBUTOR_LINE.search(last)
                and len(last) <= CONTRIBUTOR_LENGTH
                and all(image.position < len(blocks) for image in update.text.images)
            ):
                update.contributor_line = last
                blocks.pop()
        updates.append(update)

    return Document(
        path=str(path),
        title=title,
        source_slug=source_slug,
        lead_author=lead_author,
        summary=summary,
        updates=updates,
        comments_open=comments_open,
    )


def _fenced_line(entry, length, name, path):
    number, fenced = entry
    line = " ".join(fenced.text.split())
    if len(line) > length:
        raise SeedError(path, number, f"the {name} is {len(line)} characters long; at most {length} fit")
    return line


def parse_file(path):
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SeedError(path, 0, f"cannot read the file: {error.strerror}") from None
    return parse(data, path)


# --- loading ---------------------------------------------------------------
#
# The newsroom's work wins (SPEC, "The seed format and the seed command"). Each story and
# update the seed writes keeps a hash of the fields the seed owns as it left them
# (``seed_digest``), and each story counts the places of its document the seed has filled
# (``seed_positions``). On the next load, a row whose fields no longer hash to its digest
# was changed in the newsroom, and a place below the count with no update was deleted
# there: both are left as they are and reported, unless ``force``. A story deleted in the
# newsroom is remembered by its source slug (``services.delete_story``) and not created
# again. Fields the seed never writes (pin, key event, correction, times, the slug, the
# story's status) are the newsroom's alone and never touched. A row without a digest
# (loaded before digests were kept) counts as the seed's.


def _digest(*parts):
    data = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


def _pictures(images):
    return [[i.caption, i.credit, i.position, i.file.name or "", i.alt_text] for i in images]


def story_digest(story, images):
    """A hash of what the seed owns in ``story``: title, summary, lead byline, comments, lead image."""
    return _digest(
        "story", story.title, story.summary, story.lead_author_id, story.comments_open, _pictures(images)
    )


def update_digest(update, author_ids, images):
    """A hash of what the seed owns in ``update``: byline, text, contributor line, pictures, status."""
    return _digest(
        "update",
        list(author_ids),
        update.headline,
        update.body,
        update.contributor_line,
        update.status,
        _pictures(images),
    )


def _label(text, words=8):
    return markup.plain_excerpt(text, words) or "pictures only"


class _Loader:
    """One document's sync, inside the caller's transaction. Every write goes through ``services``."""

    def __init__(self, document, *, newest_at, interval, dry_run, force):
        self.document = document
        self.newest_at = newest_at
        self.interval = interval
        self.dry_run = dry_run
        self.force = force
        self.now = timezone.now()
        self.result = Result(path=document.path, slug=document.slug)
        self.created_files = []

    def run(self):
        story = (
            Story.objects.select_for_update()
            .prefetch_related("images")
            .filter(source_slug=self.document.source_slug)
            .first()
        )
        if story is None and not self.may_bring_back():
            return self.result
        authors = self.sync_authors()
        story = self.sync_story(story, authors)
        self.sync_updates(story, authors)
        return self.result

    def may_bring_back(self):
        """Whether to create the document's story: not if the newsroom deleted it (unless ``force``)."""
        deleted = DeletedSeedStory.objects.filter(source_slug=self.document.source_slug).first()
        if deleted is None:
            return True
        if self.newsroom_changed(f"story “{deleted.title}”: deleted in the newsroom"):
            self.result.story_restored = True
            return True
        self.result.left_deleted = deleted.title
        return False

    def may_write(self, digest, current, description):
        """Whether the seed may write over a row whose seed-owned fields hash to ``current``.

        A newsroom change in the way is reported: kept, or with ``force`` overwritten.
        """
        if not digest or digest == current:
            return True
        return self.newsroom_changed(description)

    def newsroom_changed(self, description):
        """Report a newsroom change the document would undo; whether to undo it (``force``)."""
        (self.result.overwritten if self.force else self.result.kept).append(description)
        return self.force

    def sync_authors(self):
        names = self.document.author_names()
        authors = {author.name: author for author in Author.objects.filter(name__in=names)}
        for name in names:
            if name not in authors:
                authors[name] = services.create_author(
                    name=name, slug=slugs.unique_slug(Author, name, fallback="author")
                )
                self.result.authors_added += 1
        return authors

    def sync_story(self, story, authors):
        """The document's story (``story``, found by its source slug), made or brought up to date."""
        document = self.document
        fields = {
            "title": document.title,
            "lead_author_id": authors[document.lead_author].pk,
            "summary": document.summary.markdown,
            "comments_open": document.comments_open,
        }
        specs = document.summary.images
        if story is None:
            count = len(document.updates)
            story = Story(
                slug=slugs.unique_slug(Story, document.slug, fallback="story"),
                source_slug=document.source_slug,
                status=Story.Status.LIVE,
                coverage_start=self.newest_at - self.interval * max(count - 1, 0),
                **fields,
            )
            images = self.new_images(specs)
            story.seed_digest = story_digest(story, images)
            services.save_story(story=story, now=self.now)
            self.replace_images(story, None, [], images)
            self.result.story_created = True
            self.result.slug = story.slug
            return story
        self.result.slug = story.slug
        lead = [image for image in story.images.all() if image.update_id is None]
        same_images = [(i.caption, i.credit, i.position) for i in lead] == [spec.key() for spec in specs]
        changed = [name for name, value in fields.items() if getattr(story, name) != value]
        if not changed and same_images:
            return story
        what = ", ".join(name.removesuffix("_id").replace("_", " ") for name in changed) or "lead image"
        description = f"story “{story.title}” ({what} differ from the document): changed in the newsroom"
        if not self.may_write(story.seed_digest, story_digest(story, lead), description):
            return story
        for name in changed:
            setattr(story, name, fields[name])
        images = lead if same_images else self.new_images(specs)
        story.seed_digest = story_digest(story, images)
        services.save_story(story=story, now=self.now)
        if not same_images:
            self.replace_images(story, None, lead, images)
        self.result.story_changed = True
        return story

    def new_images(self, specs):
        """Unsaved images for ``specs``, their placeholder files drawn (unless a dry run)."""
        images = []
        for spec in specs:
            name, seed = self.placeholder(spec)
            images.append(
                Image(
                    position=spec.position,
                    file=name,
                    width=image_tools.PLACEHOLDER_SIZE[0],
                    height=image_tools.PLACEHOLDER_SIZE[1],
                    caption=spec.caption,
                    credit=spec.credit,
                    alt_text=Truncator(spec.caption).chars(ALT_TEXT_LENGTH),
                    renditions=[] if self.dry_run else self.renditions(name, seed),
                )
            )
        self.result.images_added += len(images)
        return images

    def replace_images(self, story, update, old, new):
        for image in old:
            services.delete_image(image=image)
        for image in new:
            image.story, image.update = story, update
            services.save_image(image=image)

    def placeholder(self, spec):
        """The stored placeholder for ``spec`` (drawn if missing) and the seed it is drawn from."""
        digest = hashlib.sha256(f"{spec.caption}\n{spec.credit}".encode()).hexdigest()[:20]
        name = f"placeholders/{digest}.jpg"
        if not self.dry_run and not default_storage.exists(name):
            saved = image_tools.store(name, ContentFile(image_tools.placeholder(digest)))
            self.created_files.append(saved)
            name = saved
        return name, digest

    def renditions(self, name, seed):
        renditions = image_tools.renditions_for(name)
        if renditions is None:
            renditions = image_tools.placeholder_renditions(name, seed)
            self.created_files.extend(rendition["name"] for rendition in renditions)
        return renditions

    def sync_updates(self, story, authors):
        specs = list(reversed(self.document.updates))  # oldest first: position 0
        existing = {
            update.source_position: update
            for update in story.updates.filter(source_position__isnull=False).prefetch_related(
                "bylines__author", "images"
            )
        }
        # Places the seed filled before; one without an update was deleted in the newsroom.
        filled = max(story.seed_positions, max(existing, default=-1) + 1)
        newest = len(specs) - 1
        previous_time = None
        new = []
        for position, spec in enumerate(specs):
            update = existing.get(position)
            if update is not None:
                self.sync_update(update, spec, authors)
                previous_time = update.published_at or previous_time
                continue
            if position < filled:
                description = f"update at place {position} (“{_label(spec.headline or spec.text.markdown)}”)"
                if not self.newsroom_changed(f"{description}: deleted in the newsroom"):
                    continue
            # Document order, and never in the future: readers' next poll shows it.
            published_at = self.newest_at - self.interval * (newest - position)
            if previous_time is not None:
                published_at = max(published_at, previous_time)
            published_at = min(published_at, self.now)
            update = Update(
                headline=spec.headline,
                body=spec.text.markdown,
                contributor_line=spec.contributor_line,
                status=Update.Status.PUBLISHED,
                published_at=published_at,
                source_position=position,
            )
            byline = [authors[name] for name in spec.authors]
            images = self.new_images(spec.text.images)
            update.seed_digest = update_digest(update, [author.pk for author in byline], images)
            new.append((update, byline, images))
            previous_time = published_at
        self.create_updates(story, new)
        for position, update in sorted(existing.items()):
            if position >= len(specs):
                self.sync_update(update, None, authors)
        services.record_seed_positions(story=story, count=max(filled, len(specs)))

    def create_updates(self, story, new):
        """Insert new ``(update, byline, images)``, oldest first, in a few statements."""
        if new:
            services.create_updates(story=story, updates=new, writer=Writer.SEED, now=self.now)
            self.result.added += len(new)

    def sync_update(self, update, spec, authors):
        """Make ``update`` match ``spec``; ``spec`` None: the document no longer has it, unpublish it."""
        bylines, images = list(update.bylines.all()), list(update.images.all())
        current = (
            tuple(byline.author.name for byline in bylines),
            update.headline,
            update.body,
            update.contributor_line,
            tuple((image.caption, image.credit, image.position) for image in images),
        )
        wanted = spec.key() if spec else current
        status = Update.Status.PUBLISHED if spec else Update.Status.DRAFT
        if current == wanted and update.status == status:
            if spec:
                self.result.unchanged += 1
            return
        was_public = update.status != Update.Status.DRAFT
        how = "changed in the newsroom" if was_public else "unpublished in the newsroom"
        if spec is None:
            how += "; gone from the document"
        description = (
            f"update {update.pk} at place {update.source_position} "
            f"(“{_label(update.headline or update.body)}”): {how}"
        )
        digest = update_digest(update, [byline.author_id for byline in bylines], images)
        if not self.may_write(update.seed_digest, digest, description):
            return
        byline = None
        if spec is not None:
            if current[0] != wanted[0]:
                byline = [authors[name] for name in spec.authors]
            update.headline = spec.headline
            update.body = spec.text.markdown
            update.contributor_line = spec.contributor_line
        same_images = current[4] == wanted[4]
        new_images = images if same_images else self.new_images(spec.text.images)
        update.status = status
        author_ids = [author.pk for author in byline] if byline else [b.author_id for b in bylines]
        update.seed_digest = update_digest(update, author_ids, new_images)
        services.save_update(update=update, authors=byline, writer=Writer.SEED, now=self.now)
        if not same_images:
            self.replace_images(update.story, update, images, new_images)
        if spec is not None:
            self.result.edited += 1
        elif was_public:
            self.result.unpublished += 1

    def discard_files(self):
        for name in self.created_files:
            default_storage.delete(name)


def load(document, *, newest_at=None, interval=timedelta(minutes=15), dry_run=False, force=False):
    """Sync ``document`` into the database atomically; returns a ``Result``.

    Changes the newsroom made since the seed last wrote are kept and listed in
    ``Result.kept``; with ``force`` the document wins and they are listed in
    ``Result.overwritten``. A story the newsroom deleted is not created again
    (``Result.left_deleted``) unless ``force``. With ``dry_run`` the changes are
    counted and rolled back, and no file is written.
    """
    newest_at = newest_at or timezone.now().replace(second=0, microsecond=0)
    loader = _Loader(document, newest_at=newest_at, interval=interval, dry_run=dry_run, force=force)
    try:
        with transaction.atomic():
            result = loader.run()
            if dry_run:
                transaction.set_rollback(True)
    except BaseException:
        loader.discard_files()
        raise
    return result
