"""Read the seed format into plain data: text in, a ``Document`` out.

A seed document is a plain-text snapshot of a live page (see SPEC.md, "The seed
format"): title, source slug and lead author on lines 1, 3 and 5, then the
summary, then the updates newest first, each opened by a byline line, and maybe
the page's comment-form text at the end.

``parse()`` turns the text into a ``Document`` (``coverage.seed.document``) or
raises ``SeedError`` with the line at fault. Nothing here touches the database
or the models: the column widths a value must fit are constants, checked
against the models by ``tests/test_seed_parse.py``. The markers and patterns
of the format are here too, for ``export`` to write what this reads back.
"""

import itertools
import re
from collections import Counter
from pathlib import Path

from .. import embeds, markup, slugs
from .document import Document, ImageSpec, SeedError, Text, UpdateSpec
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
TITLE_LENGTH = 300  # Story.title
SLUG_LENGTH = 200  # Story.slug
SOURCE_SLUG_LENGTH = 300  # Story.source_slug
HEADLINE_LENGTH = 300  # Update.headline
CONTRIBUTOR_LENGTH = 500  # Update.contributor_line
CREDIT_LENGTH = 300  # Image.credit


class Fenced(str):
    """A fenced part of a document, as one entry: the string is its opening line.

    ``kind`` is what the opening line names; ``text`` what stands between the fences.
    """

    kind: str
    text: str


def could_be_byline(line, known):
    """Whether ``line`` could read as a byline where one may stand (export asks, to avoid it).

    A superset of what ``parse`` takes: it asks more of names without capitals where they stand.
    """
    return line in known or looks_like_name(line) or names_run_together(line, known)


def _decode(data, path):
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SeedError(path, line, "the file is not valid UTF-8 text") from None


def ends_sentence(text):
    text = text.rstrip().rstrip(CLOSING_QUOTES).rstrip()
    return not text or is_closing_punctuation(text[-1])


def _ends_block(body, index, captions):
    """Whether ``body[index]`` finishes a block: a sentence, a caption, a list item or an embed."""
    line = body[index][1].strip()
    return (
        ends_sentence(line) or index in captions or bool(BULLET_LINE.match(line)) or embeds.is_url_line(line)
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
        # A URL alone is an embed, kept as written: escaped, it would be another URL.
        text.blocks.append(line.strip() if embeds.is_url_line(line) else markup.escape(line))
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
            and not embeds.is_url_line(name)
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
            and not ends_sentence(first)
            and not embeds.is_url_line(first)
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
