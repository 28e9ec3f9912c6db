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

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import parse_qs, quote, urlsplit

from django.utils.text import Truncator

# A line that is one URL: what the seed format and the Markdown treat as an embed.
URL_LINE = re.compile(r"https?://[^\s<>\"'`\\\x00-\x1f\x7f]+")
HOST_NAME = re.compile(r"(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}")

# What an iframe of each kind may do: scripts of its own origin (every player needs them),
# pop-ups to open the original; full screen and picture-in-picture for video.
SANDBOX = "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox"
FRAME_RULES = {
    "post": {"allow": "", "sandbox": SANDBOX},
    "video": {
        "allow": "autoplay; encrypted-media; picture-in-picture; fullscreen",
        "sandbox": SANDBOX + " allow-presentation",
    },
    "audio": {"allow": "autoplay; encrypted-media", "sandbox": SANDBOX},
    "chart": {"allow": "fullscreen", "sandbox": SANDBOX},
}
# The sizes an embed can have: a CSS class each in site.css ("embed-size-…").
ASPECTS = ("16x9", "9x16")
HEIGHTS = (152, 166, 352, 450, 500, 550, 600, 740)


@dataclass(frozen=True)
class Embed:
    """One recognised URL. ``frame`` and ``origin`` are empty for a link card."""

    url: str  # as the editor wrote it
    provider: str  # "youtube", "x", …, "link"
    name: str  # what readers read: "YouTube", "X", or the host of a link card
    kind: str  # "post", "video", "audio", "chart" or "link"
    host: str  # the URL's host, lower case
    frame: str = ""  # the provider's iframe address
    origin: str = ""  # the frame's origin
    aspect: str = ""  # "16x9", "9x16"; or
    height: int = 0  # CSS pixels
    oembed: str = ""  # the oEmbed endpoint, "{url}" standing for the quoted URL
    referrer: str = "no-referrer"

    @property
    def is_link(self):
        return self.kind == "link"

    @property
    def size(self):
        """The CSS size class's suffix: ``ratio-16x9`` or ``height-500`` (empty for a link card)."""
        if self.aspect:
            return f"ratio-{self.aspect}"
        return f"height-{self.height}" if self.height else ""

    @property
    def frame_rules(self):
        return FRAME_RULES.get(self.kind, {"allow": "", "sandbox": SANDBOX})

    def frame_for(self, description=None):
        """The iframe address, made more exact by what the provider said (Bluesky's DID)."""
        if self.provider == "bluesky" and description:
            match = BLUESKY_URI.fullmatch(str(description.get("uri") or ""))
            if match and match["rkey"] == self.frame.rsplit("/", 1)[-1]:
                return f"https://embed.bsky.app/embed/{match['did']}/app.bsky.feed.post/{match['rkey']}"
        return self.frame


def is_url_line(line):
    """Whether ``line`` (stripped) is one http(s) URL with a host, and nothing else."""
    line = line.strip()
    if not URL_LINE.fullmatch(line):
        return False
    try:
        parts = urlsplit(line)
        return bool((parts.hostname or "").strip(".")) and (parts.port is None or parts.port > 0)
    except ValueError:  # a broken IPv6 address or port
        return False


def recognise(url):
    """The ``Embed`` of ``url`` (a provider's, else a link card), or None if it is no http(s) URL."""
    url = url.strip()
    if not is_url_line(url):
        return None
    parts = urlsplit(url)
    host = parts.hostname.rstrip(".")
    plain = parts.port is None and not parts.username and not parts.password
    if plain:
        for hosts, recogniser in PROVIDERS:
            if hosts is None or host in hosts:
                embed = recogniser(url, host, parts)
                if embed is not None:
                    return embed
    return Embed(url=url, provider="link", name=host, kind="link", host=host)


# --- providers --------------------------------------------------------------------------

YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
YOUTUBE_TIME = re.compile(r"([0-9]{1,6})s?")
DIGITS = re.compile(r"[0-9]{1,20}")  # ASCII digits: \d takes every script's
VIMEO_HASH = re.compile(r"[0-9a-f]{6,20}")
X_USER = re.compile(r"[A-Za-z0-9_]{1,15}")
BLUESKY_HANDLE = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}", re.I)
BLUESKY_DID = re.compile(r"did:(?:plc:[a-z2-7]{24}|web:[a-z0-9.-]{1,253})")
BLUESKY_RKEY = re.compile(r"[A-Za-z0-9_-]{1,64}")
BLUESKY_URI = re.compile(
    rf"at://(?P<did>{BLUESKY_DID.pattern})/app\.bsky\.feed\.post/(?P<rkey>[A-Za-z0-9_-]{{1,64}})"
)
MASTODON_USER = re.compile(r"[A-Za-z0-9_]{1,30}(?:@[a-z0-9.-]{1,253})?")
SHORT_CODE = re.compile(r"[A-Za-z0-9_-]{5,40}")
HANDLE = re.compile(r"[A-Za-z0-9._]{1,32}")
FACEBOOK_PAGE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.]{0,79}")
FACEBOOK_ID = re.compile(r"[0-9]{1,25}|pfbid[A-Za-z0-9]{10,80}")
SOUNDCLOUD_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}")
SOUNDCLOUD_RESERVED = {"discover", "search", "stream", "upload", "you", "charts", "settings", "pages", "tags"}
SPOTIFY_ID = re.compile(r"[A-Za-z0-9]{22}")
SPOTIFY_LOCALE = re.compile(r"intl-[a-z]{2}(?:-[a-z]{2})?", re.I)
DATAWRAPPER_ID = re.compile(r"[A-Za-z0-9]{5}")


def _segments(parts):
    """The path's segments; a trailing slash is no segment."""
    path = parts.path.removesuffix("/")
    return path.split("/")[1:] if path else []


def _match(pattern, value):
    return value is not None and pattern.fullmatch(value) is not None


def _youtube(url, host, parts):
    query = parse_qs(parts.query)
    segments = _segments(parts)
    video, aspect = None, "16x9"
    if host == "youtu.be" and len(segments) == 1:
        video = segments[0]
    elif segments == ["watch"]:
        video = (query.get("v") or [None])[0]
    elif len(segments) == 2 and segments[0] in ("shorts", "embed", "live"):
        video = segments[1]
        aspect = "9x16" if segments[0] == "shorts" else aspect
    if not _match(YOUTUBE_ID, video):
        return None
    frame = f"https://www.youtube-nocookie.com/embed/{video}"
    start = YOUTUBE_TIME.fullmatch((query.get("t") or query.get("start") or [""])[0])
    if start and int(start[1]):
        frame += f"?start={int(start[1])}"
    return Embed(
        url=url,
        provider="youtube",
        name="YouTube",
        kind="video",
        host=host,
        frame=frame,
        origin="https://www.youtube-nocookie.com",
        aspect=aspect,
        oembed="https://www.youtube.com/oembed?format=json&url={url}",
        referrer="strict-origin",  # the player refuses to play without the embedding origin
    )


def _vimeo(url, host, parts):
    segments = _segments(parts)
    if host == "player.vimeo.com":
        segments = segments[1:] if segments[:1] == ["video"] else []
    if not segments or not _match(DIGITS, segments[0]) or len(segments) > 2:
        return None
    frame = f"https://player.vimeo.com/video/{segments[0]}?dnt=1"
    if len(segments) == 2:
        if not _match(VIMEO_HASH, segments[1]):
            return None
        frame += f"&h={segments[1]}"  # an unlisted video's key
    return Embed(
        url=url,
        provider="vimeo",
        name="Vimeo",
        kind="video",
        host=host,
        frame=frame,
        origin="https://player.vimeo.com",
        aspect="16x9",
        oembed="https://vimeo.com/api/oembed.json?url={url}",
        referrer="strict-origin",
    )


def _x(url, host, parts):
    segments = _segments(parts)
    if len(segments) >= 3 and segments[1] == "status" and _match(X_USER, segments[0]):
        status = segments[2]
    elif segments[:3] == ["i", "web", "status"] and len(segments) >= 4:
        status = segments[3]
    else:
        return None
    if not _match(DIGITS, status):
        return None
    return Embed(
        url=url,
        provider="x",
        name="X",
        kind="post",
        host=host,
        frame=f"https://platform.twitter.com/embed/Tweet.html?id={status}&dnt=true",
        origin="https://platform.twitter.com",
        height=550,
        oembed="https://publish.twitter.com/oembed?omit_script=true&dnt=true&url={url}",
    )


def _bluesky(url, host, parts):
    segments = _segments(parts)
    if len(segments) != 4 or segments[0] != "profile" or segments[2] != "post":
        return None
    author, rkey = segments[1], segments[3]
    if not (_match(BLUESKY_HANDLE, author) or _match(BLUESKY_DID, author)) or not _match(BLUESKY_RKEY, rkey):
        return None
    return Embed(
        url=url,
        provider="bluesky",
        name="Bluesky",
        kind="post",
        host=host,
        frame=f"https://embed.bsky.app/embed/{author.lower()}/app.bsky.feed.post/{rkey}",
        origin="https://embed.bsky.app",
        height=500,
        oembed="https://embed.bsky.app/oembed?format=json&url={url}",
    )


def _instagram(url, host, parts):
    segments = _segments(parts)
    if len(segments) == 3 and _match(HANDLE, segments[0]):
        segments = segments[1:]  # /<user>/p/<code>/
    if len(segments) != 2 or segments[0] not in ("p", "reel", "reels", "tv"):
        return None
    if not _match(SHORT_CODE, segments[1]):
        return None
    section = "p" if segments[0] in ("p", "tv") else "reel"
    return Embed(
        url=url,
        provider="instagram",
        name="Instagram",
        kind="post" if section == "p" else "video",
        host=host,
        frame=f"https://www.instagram.com/{section}/{segments[1]}/embed/",
        origin="https://www.instagram.com",
        height=600,
    )


def _tiktok(url, host, parts):
    segments = _segments(parts)
    if len(segments) != 3 or segments[1] != "video" or not segments[0].startswith("@"):
        return None
    if not _match(HANDLE, segments[0][1:]) or not _match(DIGITS, segments[2]):
        return None
    return Embed(
        url=url,
        provider="tiktok",
        name="TikTok",
        kind="video",
        host=host,
        frame=f"https://www.tiktok.com/embed/v2/{segments[2]}",
        origin="https://www.tiktok.com",
        height=740,
        oembed="https://www.tiktok.com/oembed?url={url}",
    )


def _threads(url, host, parts):
    segments = _segments(parts)
    if len(segments) != 3 or segments[1] != "post" or not segments[0].startswith("@"):
        return None
    user, code = segments[0][1:], segments[2]
    if not _match(HANDLE, user) or not _match(SHORT_CODE, code):
        return None
    return Embed(
        url=url,
        provider="threads",
        name="Threads",
        kind="post",
        host=host,
        frame=f"https://www.threads.com/@{user}/post/{code}/embed",
        origin="https://www.threads.com",
        height=550,
    )


def _facebook(url, host, parts):
    segments = _segments(parts)
    query = parse_qs(parts.query)
    video = None
    if len(segments) == 3 and segments[1] in ("posts", "videos") and _match(FACEBOOK_PAGE, segments[0]):
        if not _match(FACEBOOK_ID, segments[2]):
            return None
        canonical = f"https://www.facebook.com/{segments[0]}/{segments[1]}/{segments[2]}"
        video = segments[1] == "videos"
    elif segments == ["watch"] and _match(DIGITS, (query.get("v") or [None])[0]):
        canonical, video = f"https://www.facebook.com/watch/?v={query['v'][0]}", True
    elif len(segments) == 2 and segments[0] == "reel" and _match(DIGITS, segments[1]):
        canonical, video = f"https://www.facebook.com/reel/{segments[1]}", True
    elif segments == ["permalink.php"]:
        story, page = (query.get("story_fbid") or [None])[0], (query.get("id") or [None])[0]
        if not (_match(FACEBOOK_ID, story) and _match(DIGITS, page)):
            return None
        canonical, video = f"https://www.facebook.com/permalink.php?story_fbid={story}&id={page}", False
    else:
        return None
    plugin = "video" if video else "post"
    frame = f"https://www.facebook.com/plugins/{plugin}.php?href={quote(canonical, safe='')}"
    return Embed(
        url=url,
        provider="facebook",
        name="Facebook",
        kind="video" if video else "post",
        host=host,
        frame=frame + ("&show_text=false" if video else "&show_text=true"),
        origin="https://www.facebook.com",
        aspect="16x9" if video else "",
        height=0 if video else 600,
    )


def _soundcloud(url, host, parts):
    segments = _segments(parts)
    if len(segments) == 3 and segments[1] == "sets":
        names, height = [segments[0], segments[2]], 450
    elif len(segments) == 2:
        names, height = segments, 166
    else:
        return None
    if segments[0] in SOUNDCLOUD_RESERVED or not all(_match(SOUNDCLOUD_NAME, name) for name in names):
        return None
    canonical = "https://soundcloud.com/" + "/".join(segments)
    return Embed(
        url=url,
        provider="soundcloud",
        name="SoundCloud",
        kind="audio",
        host=host,
        frame=f"https://w.soundcloud.com/player/?url={quote(canonical, safe='')}&auto_play=false",
        origin="https://w.soundcloud.com",
        height=height,
        oembed="https://soundcloud.com/oembed?format=json&url={url}",
    )


def _spotify(url, host, parts):
    segments = _segments(parts)
    if segments and _match(SPOTIFY_LOCALE, segments[0]):
        segments = segments[1:]
    if len(segments) != 2 or segments[0] not in ("track", "album", "playlist", "episode", "show"):
        return None
    if not _match(SPOTIFY_ID, segments[1]):
        return None
    return Embed(
        url=url,
        provider="spotify",
        name="Spotify",
        kind="audio",
        host=host,
        frame=f"https://open.spotify.com/embed/{segments[0]}/{segments[1]}",
        origin="https://open.spotify.com",
        height=152 if segments[0] in ("track", "episode") else 352,
        oembed="https://open.spotify.com/oembed?url={url}",
    )


def _datawrapper(url, host, parts):
    segments = _segments(parts)
    if host == "app.datawrapper.de":
        if len(segments) < 2 or segments[0] != "chart":
            return None
        chart, version = segments[1], None
    else:
        if not 1 <= len(segments) <= 2:
            return None
        chart, version = segments[0], (segments[1] if len(segments) == 2 else None)
        if version is not None and not _match(DIGITS, version):
            return None
    if not _match(DATAWRAPPER_ID, chart):
        return None
    return Embed(
        url=url,
        provider="datawrapper",
        name="Datawrapper",
        kind="chart",
        host=host,
        frame=f"https://datawrapper.dwcdn.net/{chart}/" + (f"{version}/" if version else ""),
        origin="https://datawrapper.dwcdn.net",
        height=450,
        oembed="https://api.datawrapper.de/v3/oembed?format=json&url={url}",
    )


def _flourish(url, host, parts):
    segments = _segments(parts)
    if len(segments) != 2 or segments[0] not in ("visualisation", "story") or not _match(DIGITS, segments[1]):
        return None
    return Embed(
        url=url,
        provider="flourish",
        name="Flourish",
        kind="chart",
        host=host,
        frame=f"https://flo.uri.sh/{segments[0]}/{segments[1]}/embed",
        origin="https://flo.uri.sh",
        height=550,
        oembed="https://app.flourish.studio/api/v1/oembed?format=json&url={url}",
    )


def _mastodon(url, host, parts):
    """A status on any Mastodon instance: ``https://host/@user/<digits>``, framed from that host."""
    segments = _segments(parts)
    if parts.scheme != "https" or host in KNOWN_HOSTS or not HOST_NAME.fullmatch(host):
        return None
    if len(segments) != 2 or not segments[0].startswith("@") or not _match(DIGITS, segments[1]):
        return None
    if not _match(MASTODON_USER, segments[0][1:]):
        return None
    return Embed(
        url=url,
        provider="mastodon",
        name="Mastodon",
        kind="post",
        host=host,
        frame=f"https://{host}/{segments[0]}/{segments[1]}/embed",
        origin=f"https://{host}",
        height=500,
        oembed=f"https://{host}/api/oembed?url={{url}}",
    )


def _hosts(*names, www=True):
    return frozenset(name for base in names for name in ((base, f"www.{base}") if www else (base,)))


# (hosts, recogniser): hosts None means any host (Mastodon, tried last).
PROVIDERS = [
    (_hosts("youtube.com") | {"m.youtube.com", "youtu.be"}, _youtube),
    (_hosts("vimeo.com") | {"player.vimeo.com"}, _vimeo),
    (_hosts("x.com", "twitter.com") | {"mobile.twitter.com", "mobile.x.com"}, _x),
    (frozenset({"bsky.app"}), _bluesky),
    (_hosts("instagram.com"), _instagram),
    (_hosts("tiktok.com") | {"m.tiktok.com"}, _tiktok),
    (_hosts("threads.net", "threads.com"), _threads),
    (_hosts("facebook.com") | {"m.facebook.com", "web.facebook.com"}, _facebook),
    (_hosts("soundcloud.com") | {"m.soundcloud.com"}, _soundcloud),
    (frozenset({"open.spotify.com"}), _spotify),
    (frozenset({"datawrapper.dwcdn.net", "app.datawrapper.de"}), _datawrapper),
    (frozenset({"public.flourish.studio"}), _flourish),
    (None, _mastodon),
]
# A provider's own hosts are never taken for a Mastodon instance.
KNOWN_HOSTS = frozenset().union(*(hosts for hosts, _ in PROVIDERS if hosts is not None))


def frame_origins(found):
    """The sorted frame origins of the ``Embed``s in ``found`` (link cards have none)."""
    return sorted({embed.origin for embed in found if embed.origin})


# --- what readers see before they ask for the frame -------------------------------------

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
