"""Embeds: a line holding only an http(s) URL shows a post, video, audio or chart, or a link card.

``recognise(url)`` parses the URL strictly (``urllib.parse``, one pattern per provider,
every id checked by a regular expression) and returns an ``Embed``: the provider, what
it shows, the provider's own iframe address rebuilt from the parsed parts alone (the
privacy-friendly variant where there is one), the frame's origin (for the page's
Content-Security-Policy), its size, and the provider's oEmbed endpoint where one needs no
token. A crafted URL can therefore put nothing but a known origin and a checked id into
an iframe. Any other http(s) URL is a link card (``kind == "link"``): the host and the URL,
never fetched, never framed. Nothing here touches the network or the database.

``facade(embed, description)`` is what a reader sees before asking for the frame: the
provider, the title or text and author the provider described when the update was saved
(``services.embeds``), and a thumbnail only when it is our own stored rendition.

Mastodon has no one host: any instance's status URL (``https://host/@user/<digits>``)
is framed from that instance, so its origin is the host the editor linked to.
"""

from .embed import ASPECTS, FRAME_RULES, HEIGHTS, Embed, frame_origins, is_url_line
from .facades import Facade, facade, stored_thumbnail
from .providers import KNOWN_HOSTS, PROVIDERS, recognise

__all__ = [
    "ASPECTS",
    "FRAME_RULES",
    "HEIGHTS",
    "KNOWN_HOSTS",
    "PROVIDERS",
    "Embed",
    "Facade",
    "facade",
    "frame_origins",
    "is_url_line",
    "recognise",
    "stored_thumbnail",
]
