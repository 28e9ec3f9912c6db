"""What a reader sees of an embed before asking for the provider's frame."""

from dataclasses import dataclass
from pathlib import PurePosixPath

from django.utils.text import Truncator

from .embed import Embed, is_url_line

TITLE_CHARS = 280
AUTHOR_CHARS = 100
NOUNS = {"post": "post", "video": "video", "audio": "audio", "chart": "chart"}


@dataclass(frozen=True)
class Facade:
    """An embed as the page shows it until the reader asks for the provider's frame."""

    embed: Embed
    frame: str  # the iframe address (``Embed.frame_for`` the description)
    title: str = ""  # the video's title, the post's text
    author: str = ""
    author_url: str = ""
    thumbnail: dict | None = None  # {"src", "srcset", "width", "height"}: our own files only

    @property
    def button(self):
        return f"Show {NOUNS.get(self.embed.kind, 'content')} from {self.embed.name}"

    @property
    def always(self):
        return f"Always show embeds from {self.embed.name}"

    @property
    def frame_title(self):
        """The iframe's accessible name: “YouTube video: <title>”, “X post by <author>”."""
        what = f"{self.embed.name} {NOUNS.get(self.embed.kind, 'embed')}"
        if self.title:
            return f"{what}: {Truncator(self.title).chars(80)}"
        return f"{what} by {self.author}" if self.author else what

    @property
    def link_text(self):
        return f"View on {self.embed.host if self.embed.provider == 'mastodon' else self.embed.name}"


def facade(embed, description=None):
    """The ``Facade`` of ``embed`` with what ``description`` (an ``embeds`` entry) holds; any
    value of an unexpected shape is left out."""
    description = description if isinstance(description, dict) else {}
    author_url = _text(description.get("author_url"), 2000)
    return Facade(
        embed=embed,
        frame=embed.frame_for(description),
        title=_text(description.get("title"), TITLE_CHARS),
        author=_text(description.get("author_name"), AUTHOR_CHARS),
        author_url=author_url if is_url_line(author_url) else "",
        thumbnail=stored_thumbnail(description.get("thumbnail")),
    )


def _text(value, chars):
    return Truncator(" ".join(value.split())).chars(chars) if isinstance(value, str) else ""


def _own_file(name):
    """Whether ``name`` names a file in our media storage (no address of another site, no way up)."""
    if not isinstance(name, str) or not name or ":" in name or name.startswith("/"):
        return False
    return ".." not in PurePosixPath(name).parts and "\\" not in name


def stored_thumbnail(thumbnail):
    """``{"src", "srcset", "width", "height"}`` for a thumbnail we stored, else None."""
    from django.core.files.storage import default_storage  # here: the seed parser runs without settings

    if not isinstance(thumbnail, dict) or not _own_file(thumbnail.get("name")):
        return None
    width, height = thumbnail.get("width"), thumbnail.get("height")
    if not (isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0):
        return None
    renditions = [
        item
        for item in thumbnail.get("renditions") or []
        if isinstance(item, dict)
        and _own_file(item.get("name"))
        and isinstance(item.get("width"), int)
        and item.get("type", "image/jpeg") == "image/jpeg"  # one type: an <img> has no <source>
    ]
    srcset = ", ".join(f"{default_storage.url(item['name'])} {item['width']}w" for item in renditions)
    return {
        "src": default_storage.url(thumbnail["name"]),
        "srcset": srcset,
        "width": width,
        "height": height,
    }
