"""The plain data a seed document is read into, and the error a bad one raises.

``parse`` makes a ``Document``: the header, the summary as a ``Text`` (Markdown
blocks and the ``ImageSpec``s between them), and the updates as ``UpdateSpec``s,
newest first. ``load`` syncs one into the database. Plain dataclasses: no
database, no models.
"""

from dataclasses import dataclass, field

from .. import slugs


class SeedError(Exception):
    """A document that cannot be loaded; ``str()`` is ``path:line: reason``."""

    def __init__(self, path, line, reason):
        self.path, self.line, self.reason = str(path), line, reason
        super().__init__(f"{self.path}:{line}: {reason}")


@dataclass
class ImageSpec:
    """A picture of the document: caption, credit, and how many blocks of text stand before it."""

    caption: str
    credit: str
    position: int  # blocks of text before the image
    line: int

    def key(self):
        return (self.caption, self.credit, self.position)


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
    """One update: its byline's authors in order, headline, text and contributor line."""

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
    """A whole document: the header (lines 1, 3, 5), the summary, the updates, the comment form."""

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

    def pictures(self):
        """Every ``ImageSpec`` of the document, in document order: the summary's first."""
        pictures = list(self.summary.images)
        for update in self.updates:
            pictures.extend(update.text.images)
        return pictures

    def author_names(self):
        names = [self.lead_author]
        for update in self.updates:
            names.extend(update.authors)
        return list(dict.fromkeys(names))
