"""An embed as recognised: which provider, what it shows, the frame to load and its size."""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

# A line that is one URL: what the seed format and the Markdown treat as an embed.
URL_LINE = re.compile(r"https?://[^\s<>\"'`\\\x00-\x1f\x7f]+")

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
# A Bluesky post as its provider names it (at://<DID>/…): the frame then names the author by DID.
BLUESKY_DID = re.compile(r"did:(?:plc:[a-z2-7]{24}|web:[a-z0-9.-]{1,253})")
BLUESKY_URI = re.compile(
    rf"at://(?P<did>{BLUESKY_DID.pattern})/app\.bsky\.feed\.post/(?P<rkey>[A-Za-z0-9_-]{{1,64}})"
)


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


def frame_origins(found):
    """The sorted frame origins of the ``Embed``s in ``found`` (link cards have none)."""
    return sorted({embed.origin for embed in found if embed.origin})
