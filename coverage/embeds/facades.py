"""What a reader sees of an embed before asking for the provider's frame."""

from dataclasses import dataclass
from pathlib import PurePosixPath

from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from .embed import Embed, is_url_line

TITLE_CHARS = 280
AUTHOR_CHARS = 100
# Whole sentences per kind of embed (translators see each one), the provider's name a placeholder:
# the button, and the iframe's accessible name alone, with the title, and with the author.
BUTTONS = {
    "post": _("Show post from %(provider)s"),
    "video": _("Show video from %(provider)s"),
    "audio": _("Show audio from %(provider)s"),
    "chart": _("Show chart from %(provider)s"),
}
SHOW_OTHER = _("Show content from %(provider)s")
FRAME_NAMES = {
    "post": (_("%(provider)s post"), _("%(provider)s post: %(title)s"), _("%(provider)s post by %(author)s")),
    "video": (
        _("%(provider)s video"),
        _("%(provider)s video: %(title)s"),
        _("%(provider)s video by %(author)s"),
    ),
    "audio": (
        _("%(provider)s audio"),
        _("%(provider)s audio: %(title)s"),
        _("%(provider)s audio by %(author)s"),
    ),
    "chart": (
        _("%(provider)s chart"),
        _("%(provider)s chart: %(title)s"),
        _("%(provider)s chart by %(author)s"),
    ),
}
FRAME_OTHER = (
    _("%(provider)s embed"),
    _("%(provider)s embed: %(title)s"),
    _("%(provider)s embed by %(author)s"),
)


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
        return BUTTONS.get(self.embed.kind, SHOW_OTHER) % {"provider": self.embed.name}

    @property
    def always(self):
        return _("Always show embeds from %(provider)s") % {"provider": self.embed.name}

    @property
    def frame_title(self):
        """The iframe's accessible name: “YouTube video: <title>”, “X post by <author>”."""
        _plain, titled, by_author = FRAME_NAMES.get(self.embed.kind, FRAME_OTHER)
        if self.title:
            return titled % {"provider": self.embed.name, "title": Truncator(self.title).chars(80)}
        if self.author:
            return by_author % {"provider": self.embed.name, "author": self.author}
        return self.what

    @property
    def what(self):
        """What the embed is, named by its provider: “YouTube video”."""
        return FRAME_NAMES.get(self.embed.kind, FRAME_OTHER)[0] % {"provider": self.embed.name}

    @property
    def link_text(self):
        where = self.embed.host if self.embed.provider == "mastodon" else self.embed.name
        return _("View on %(provider)s") % {"provider": where}


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
