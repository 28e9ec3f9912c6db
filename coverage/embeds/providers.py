"""The providers: one strict pattern each, the frame rebuilt from the parsed parts alone."""

import re
from urllib.parse import parse_qs, quote, urlsplit

from .embed import BLUESKY_DID, Embed, is_url_line

HOST_NAME = re.compile(r"(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}")
YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
YOUTUBE_TIME = re.compile(r"([0-9]{1,6})s?")
DIGITS = re.compile(r"[0-9]{1,20}")  # ASCII digits: \d takes every script's
VIMEO_HASH = re.compile(r"[0-9a-f]{6,20}")
X_USER = re.compile(r"[A-Za-z0-9_]{1,15}")
BLUESKY_HANDLE = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}", re.I)
BLUESKY_RKEY = re.compile(r"[A-Za-z0-9_-]{1,64}")
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
