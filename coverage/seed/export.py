"""Write stories back in the seed format (the inverse of ``parse``).

Text goes out as plain lines wherever the parser reads those lines back as the
same Markdown. What plain lines cannot carry goes between fences the parser
keeps as written (```` ```markdown ```` … ```` ``` ````): Markdown an editor
typed (bold, links, headings, numbered lists), and a paragraph the parser would
take for something else where it stands (a byline, a headline, a contributor
line, an image, a list, the comment form). A headline or contributor line that
would not read as one is fenced as ```` ```headline ```` or ```` ```contributor ````.
A URL alone on a line (an embed) is written back as it was. A freshly seeded story
needs no fence, so its export is its seed file.
"""

import re
from dataclasses import dataclass

from .. import embeds, markup
from . import parse
from .parse import CREDIT_MARKER, IMAGE_MARKER

COMMENT_FORM = "Leave a Reply\n\nYour email address will not be published. Required fields are marked *"


@dataclass
class Chunk:
    text: str  # lines of the document, without the blank lines around them
    line: str | None = None  # for a paragraph written as one plain line: that line
    source: str = ""  # the block's Markdown, to fence it if where it stands calls for it


def fence(kind, text):
    """``text`` between fences longer than any run of backticks inside it."""
    longest = max(map(len, re.findall(r"`+", text)), default=0)
    marks = "`" * max(3, longest + 1)
    return f"{marks}{kind}\n{text}\n{marks}"


def _image_lines(image):
    caption = image.caption + (CREDIT_MARKER + image.credit if image.credit else "")
    return f"{IMAGE_MARKER}\n{caption}"


def _means_something_else(line):
    """Whether a plain line would be read as an image, a list, a fence or the comment form anywhere."""
    stripped = line.strip()
    return (
        stripped == IMAGE_MARKER
        or stripped.lower() == parse.COMMENTS_MARKER
        or bool(parse.BULLET_LINE.match(line))
        or bool(parse.FENCE_OPENING.match(stripped))
    )


def _paragraph(block, *, known, after_byline):
    if "\n" not in block.source:
        line = markup.unescape(block.source)
        plain = markup.escape(line) == block.source and not _means_something_else(line)
        if plain and (after_byline or not parse.could_be_byline(line, known)):
            return Chunk(line, line, block.source)
    return Chunk(fence("markdown", block.source), None, block.source)


def _bullets(block):
    items = [markup.unescape(item) for item in block.items()]
    source = ("\n" if block.tight else "\n\n").join("- " + markup.escape(item) for item in items)
    if source != block.source:
        return Chunk(fence("markdown", block.source), None, block.source)
    bullets = [f"  {markup.BULLET} {item}" for item in items]
    return Chunk(("\n" if block.tight else "\n\n").join(bullets), None, block.source)


def _text_chunks(source, images, *, known, after_byline=False):
    chunks = []
    for kind, part in markup.interleave(source, images):
        if kind == "image":
            chunks.append(Chunk(_image_lines(part)))
        elif part.kind == "embed":
            chunks.append(Chunk(part.embed.url, None, part.source))  # the URL line, as written
        elif part.kind == "paragraph":
            chunks.append(_paragraph(part, known=known, after_byline=after_byline and not chunks))
        elif part.kind == "bullet_list":
            chunks.append(_bullets(part))
        else:
            chunks.append(Chunk(fence("markdown", part.source), None, part.source))
    return chunks


def _reads_as_headline(line, *, more):
    return (
        more
        and not parse.ends_sentence(line)
        and not embeds.is_url_line(line)
        and len(line) <= parse.HEADLINE_LENGTH
        and not _means_something_else(line)
    )


def _reads_as_contributor_line(line, *, more):
    return (
        more
        and bool(parse.CONTRIBUTOR_LINE.search(line))
        and len(line) <= parse.CONTRIBUTOR_LENGTH
        and not _means_something_else(line)
    )


def _update_chunks(update, known):
    authors = update.byline_authors()
    chunks = ["".join(author.name for author in authors)]
    body = _text_chunks(update.body, list(update.images.all()), known=known, after_byline=not update.headline)
    contributor = " ".join(update.contributor_line.split())
    if update.headline:
        headline = " ".join(update.headline.split())
        more = bool(body or contributor)
        chunks.append(headline if _reads_as_headline(headline, more=more) else fence("headline", headline))
    # Where it stands, a plain first line could read as the headline, a last one as the contributor line.
    first, last = (body[0], body[-1]) if body else (Chunk(""), Chunk(""))
    if (
        not update.headline
        and first.line
        and _reads_as_headline(first.line, more=len(body) > 1 or contributor)
    ):
        body[0] = Chunk(fence("markdown", first.source))
    if not contributor and last.line and _reads_as_contributor_line(last.line, more=len(body) > 1):
        body[-1] = Chunk(fence("markdown", last.source))
    chunks.extend(chunk.text for chunk in body)
    if contributor:
        plain = _reads_as_contributor_line(contributor, more=bool(body))
        chunks.append(contributor if plain else fence("contributor", contributor))
    return chunks


def export_story(story):
    """The story as a seed document: its published updates, newest first."""
    updates = list(story.updates.published().prefetch_related("bylines__author", "images"))
    known = {author.name for update in updates for author in update.byline_authors()}
    chunks = [story.title, story.source_slug or story.slug]
    if story.lead_author:
        chunks.append(story.lead_author.name)
        known.add(story.lead_author.name)
    summary_images = [image for image in story.images.all() if image.update_id is None]
    summary = _text_chunks(story.summary, summary_images, known=known, after_byline=True)
    chunks.extend(chunk.text for chunk in summary)
    for update in updates:
        chunks.extend(_update_chunks(update, known))
    if story.comments_open:
        chunks.append(COMMENT_FORM)
    return "\n\n".join(chunks) + "\n"
