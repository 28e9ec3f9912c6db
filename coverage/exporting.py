"""Write stories back in the seed format (the inverse of ``seeding.parse``)."""

from . import markup
from .seeding import CREDIT_MARKER, IMAGE_MARKER

COMMENT_FORM = "Leave a Reply\n\nYour email address will not be published. Required fields are marked *"


def _image_lines(image):
    caption = image.caption + (CREDIT_MARKER + image.credit if image.credit else "")
    return [IMAGE_MARKER, caption]


def _text_chunks(source, images):
    chunks = []
    for kind, part in markup.interleave(source, images):
        if kind == "image":
            chunks.extend(_image_lines(part))
            continue
        block = part  # a markup.Block
        if block.kind == "bullet_list":
            bullets = [f"  {markup.BULLET} {markup.unescape(item)}" for item in block.items()]
            chunks.append("\n".join(bullets) if block.tight else "\n\n".join(bullets))
        elif block.kind == "paragraph":
            chunks.append(markup.unescape(" ".join(block.source.split("\n"))))
        else:
            chunks.append(block.source)
    return chunks


def export_story(story):
    """The story as a seed document: its published updates, newest first."""
    chunks = [story.title, story.source_slug or story.slug]
    if story.lead_author:
        chunks.append(story.lead_author.name)
    summary_images = [image for image in story.images.all() if image.update_id is None]
    chunks.extend(_text_chunks(story.summary, summary_images))
    updates = story.updates.published().prefetch_related("bylines__author", "images")
    for update in updates:
        chunks.append("".join(author.name for author in update.byline_authors()))
        if update.headline:
            chunks.append(update.headline)
        chunks.extend(_text_chunks(update.body, list(update.images.all())))
        if update.contributor_line:
            chunks.append(update.contributor_line)
    if story.comments_open:
        chunks.append(COMMENT_FORM)
    return "\n\n".join(chunks) + "\n"
