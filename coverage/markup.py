"""Text of summaries and updates: stored as Markdown, shown as sanitized HTML.

The seed format is plain text, so text coming from it is escaped into Markdown
(``escape``) and back (``unescape``): a paragraph that begins with ``#``, ``-``
or ``1.`` stays a paragraph, and ``*`` or ``_`` stay characters. Editors write
Markdown directly. Rendering goes through markdown-it (CommonMark, raw HTML
off) and then nh3, so nothing typed can run script in a reader's browser.

A paragraph that is one http(s) URL alone is an embed (``coverage.embeds``): a block
of kind "embed" whose ``embed`` is the recognised post, video, chart or link card.
Its ``html`` is a plain link to the URL (feeds, plain text and excerpts show the URL);
the reader pages show it as a facade (``templates/coverage/includes/embed.html``).
"""

import html as html_lib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import nh3
from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from markdown_it import MarkdownIt

from . import embeds

_md = MarkdownIt("commonmark", {"html": False, "typographer": False})

ALLOWED_TAGS = {
    "p", "ul", "ol", "li", "a", "em", "strong", "blockquote", "code", "pre",
    "h2", "h3", "h4", "hr", "br",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
# Each block takes the direction of its own first letters: an Arabic or Hebrew
# paragraph reads right to left, an English one beside it left to right.
OWN_DIRECTION = {tag: {"dir": "auto"} for tag in ("p", "ul", "ol", "li", "blockquote", "h2", "h3", "h4")}

BULLET = "•"
_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]<])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_LINE_START = re.compile(r"^([#>+=~|-])")
_ORDERED_MARKER = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_LIST_MARKER = re.compile(r"^\s*(?:[-+*]|\d{1,9}[.)])\s+")
# A line that may be a URL alone: a cheap test before the text is parsed for embeds.
_MAY_EMBED = re.compile(r"^ {0,3}https?://\S+[ \t]*$", re.MULTILINE)


def escape(text):
    """Markdown source that renders as exactly ``text`` (one line of plain text)."""
    text = _INLINE_SPECIALS.sub(r"\\\1", text.strip())
    text = _ENTITY.sub(r"\\&", text)
    text = _ORDERED_MARKER.sub(r"\1\\\2", text)
    return _LINE_START.sub(r"\\\1", text)


def unescape(source):
    """The plain text of Markdown ``source``: backslash escapes removed."""
    return _ESCAPED.sub(r"\1", source)


def sanitize(html):
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values=OWN_DIRECTION,
    )
    return _LIST_OPEN.sub(lambda opening: _list_direction(opening, cleaned), cleaned)


_LIST_OPEN = re.compile(r'<(?:ul|ol|li)\b[^>]*? dir="auto"')
_TAG = re.compile(r"<[^>]*>")


def _list_direction(opening, html):
    """A list's or item's opening tag with the direction of its first letters.

    ``dir="auto"`` looks only at text outside descendants with a ``dir`` of their own, so a
    list (and an item of a loose list, its text in paragraphs) found none and read left to
    right: bullets on the left of Arabic items, hanging outside an Arabic page. The first
    letter with a direction after the opening tag decides, as it does for a paragraph.
    """
    following = html_lib.unescape(_TAG.sub("", html[opening.end() : opening.end() + 4000]))
    for character in following:
        kind = unicodedata.bidirectional(character)
        if kind == "L":
            return opening.group(0).replace('dir="auto"', 'dir="ltr"')
        if kind in ("R", "AL"):
            return opening.group(0).replace('dir="auto"', 'dir="rtl"')
    return opening.group(0)


@dataclass(frozen=True)
class Block:
    """One top-level block of a text: a paragraph, a list, a heading…"""

    kind: str  # "paragraph", "bullet_list", "ordered_list", "heading", …
    source: str  # the block's Markdown source
    html: SafeString  # rendered and sanitized
    tight: bool = True  # for lists: items without blank lines between them
    embed: embeds.Embed | None = None  # for an embed: the URL recognised

    def items(self):
        """The source text of each item of a list block, markers removed."""
        items, current = [], None
        for line in self.source.splitlines():
            if _LIST_MARKER.match(line):
                if current is not None:
                    items.append(current)
                current = _LIST_MARKER.sub("", line, count=1)
            elif line.strip() and current is not None:
                current += " " + line.strip()
        if current is not None:
            items.append(current)
        return items


@lru_cache(maxsize=4096)
def blocks(source):
    """The top-level blocks of Markdown ``source``, each rendered to safe HTML."""
    tokens = _md.parse(source)
    lines = source.splitlines()
    result, start = [], None
    for index, token in enumerate(tokens):
        if token.level != 0:
            continue
        if token.nesting == 1:
            start = index
            continue
        group = tokens[start : index + 1] if token.nesting == -1 else [token]
        opener = group[0]
        kind = opener.type.removesuffix("_open")
        begin, end = opener.map or (0, 0)
        tight = not any(t.type == "paragraph_open" and not t.hidden for t in group[1:])
        block_source = "\n".join(lines[begin:end]).strip()
        if kind == "paragraph" and (embed := _embed_of(block_source)) is not None:
            html = mark_safe(sanitize(format_html('<p><a href="{}">{}</a></p>', embed.url, embed.url)))
            result.append(Block("embed", block_source, html, embed=embed))
            continue
        html = mark_safe(sanitize(_md.renderer.render(group, _md.options, {})))
        result.append(Block(kind, block_source, html, tight))
    return tuple(result)


def _embed_of(source):
    """The embed a paragraph's source stands for when it is one URL alone (backslash escapes,
    which the seed format once wrote into URLs, read as the characters they escape)."""
    if "\n" in source or not source.startswith(("http://", "https://")):
        return None
    return embeds.recognise(unescape(source))


def embeds_in(source):
    """The ``Embed``s of Markdown ``source``, in reading order."""
    if not source or not _MAY_EMBED.search(source):
        return []
    return [block.embed for block in blocks(source) if block.embed is not None]


def render(source):
    """The whole of Markdown ``source`` as safe HTML."""
    return mark_safe("".join(block.html for block in blocks(source or "")))


def interleave(source, images, clips=()):
    """Blocks, images and clips in reading order: an image or clip at position N follows N blocks.

    Returns ``(kind, item)`` pairs: ``("block", Block)``, ``("image", image)`` or
    ``("clip", clip)``; at one position, pictures come before clips.
    """
    parts = []
    media = [("image", image) for image in images] + [("clip", clip) for clip in clips]
    pending = sorted(media, key=lambda part: (part[1].position, part[0] == "clip", part[1].pk or 0))
    for index, block in enumerate(blocks(source or "")):
        while pending and pending[0][1].position <= index:
            parts.append(pending.pop(0))
        parts.append(("block", block))
    parts.extend(pending)
    return parts


def galleries(parts):
    """``parts`` (see ``interleave``) with each run of two or more pictures in a row, no
    text between them, made one ``("gallery", [image, …])`` part: readers see them one
    at a time. A single picture stays an ``("image", image)`` part."""
    grouped = []
    for kind, item in parts:
        previous = grouped[-1] if grouped else (None, None)
        if kind == "image" and previous[0] == "image":
            grouped[-1] = ("gallery", [previous[1], item])
        elif kind == "image" and previous[0] == "gallery":
            previous[1].append(item)
        else:
            grouped.append((kind, item))
    return grouped


def _text_of(block):
    """The characters a reader sees in ``block``: tags removed, then character references decoded.

    Plain text, not HTML: templates, the feed and JSON escape it, once, where it is written out.
    """
    return html_lib.unescape(strip_tags(block.html))


def plain_excerpt(source, words=12):
    """A short plain-text excerpt of Markdown ``source`` (for titles, descriptions, admin lists)."""
    text = " ".join(_text_of(block) for block in blocks(source or ""))
    return Truncator(" ".join(text.split())).words(words)


def plain_text(source):
    """The readable text of Markdown ``source``, paragraphs separated by blank lines."""
    return "\n\n".join(_text_of(block).strip() for block in blocks(source or ""))
