"""The app's own settings, with their defaults and meaning in this one place.

Code reads them through ``app_settings``: ``app_settings.POLL_INTERVAL`` is the
project's ``LIVEBLOG_POLL_INTERVAL`` if it sets one, else the default below,
kept within its bounds. ``liveblog/settings.py`` sets them from the environment
(``app_setting()``), and the README's configuration table lists them.
"""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class AppSetting:
    default: object
    minimum: float | None = None
    help: str = ""


SETTINGS = {
    "TIME_ZONE": AppSetting(
        "America/New_York",
        help="The newsroom's zone: new stories show their times in it, and it is Django's TIME_ZONE.",
    ),
    "LANGUAGE": AppSetting(
        "en",
        help="The site's language (en, uk, es or ar): the home page, author pages and the admin use it, "
        "and new stories are written in it; a story's own language names its page, feed and updates.",
    ),
    "POLL_INTERVAL": AppSetting(
        15, minimum=1, help="Seconds between a reader's polls; a story can override it."
    ),
    "CURSOR_WINDOW": AppSetting(
        5,
        minimum=1,
        help="Change-feed cursors are rounded down to this many seconds, so readers polling in "
        "the same window share one cacheable URL; also the feed's max-age.",
    ),
    "CURSOR_LAG": AppSetting(
        3, minimum=0, help="Seconds cursors are held back so changes still being committed are not skipped."
    ),
    "PAGE_CACHE_SECONDS": AppSetting(
        60,
        minimum=0,
        help="Seconds whole story pages and change-feed answers live in the shared cache (Redis, "
        "else files every process of the machine shares), at most: a change drops them at once "
        "(0: not cached).",
    ),
    "LOCAL_CACHE_SECONDS": AppSetting(
        1.0,
        minimum=0,
        help="Each process remembers what it read from the shared cache this long: "
        "another server's change shows here at most this late.",
    ),
    "COMMENTS_CLOSE_DAYS": AppSetting(7, minimum=0, help="Days after coverage ends that comments stay open."),
    "IDLE_END_HOURS": AppSetting(
        24.0,
        minimum=0,
        help="Hours a live story may go without a new update before the site ends it by itself (0: never).",
    ),
    "CLIP_MAX_MB": AppSetting(
        200, minimum=1, help="Megabytes a video or audio clip may weigh; larger uploads are refused."
    ),
    "CLIP_MAX_MINUTES": AppSetting(
        30, minimum=1, help="Minutes a video or audio clip may last; longer uploads are refused."
    ),
    "EMBED_FETCH": AppSetting(
        True,
        help="Describe embedded posts and videos (title, author, thumbnail) by asking the provider's "
        "oEmbed endpoint once, after the update or summary is saved (False: the facade shows the URL).",
    ),
    "API_RATE_LIMIT": AppSetting(
        120,
        minimum=1,
        help="Requests a minute each API token (or signed-in session) may make; more are answered "
        "429 with Retry-After.",
    ),
    "WEBHOOK_RETRY_SECONDS": AppSetting(
        "10 60 300 1800 7200 21600",
        help="Seconds before each new attempt of a webhook delivery that failed, one number per retry "
        "(spaces or commas between them); after the last one fails, the delivery is given up.",
    ),
    "WEBHOOK_TIMEOUT": AppSetting(
        5.0, minimum=0.1, help="Seconds a webhook endpoint has to answer, connection included."
    ),
    "WEBHOOK_WORKER": AppSetting(
        True,
        help="Each web process sends due webhook deliveries from a background thread of its own, "
        "started by the first event (False: only `manage.py deliver_webhooks --loop` sends them).",
    ),
    "WEBHOOK_IDLE_SECONDS": AppSetting(
        60.0,
        minimum=0.05,
        help="Longest a process's webhook worker sleeps before looking for due deliveries again (those "
        "queued by another process, e.g. the seed command).",
    ),
    "PUSH_PUBLISH_URLS": AppSetting(
        "",
        help="The push tier's publish endpoints (Pushpin's http://host:5561/publish/), comma-separated, "
        "one per Pushpin node; empty: no push tier, readers poll.",
    ),
    "PUSH_SIG_KEY": AppSetting(
        "",
        help="The key Pushpin signs the requests it passes on with (its sig_key): a stream is held "
        "only for a request it signed.",
    ),
    "EMBED_ORIGINS": AppSetting(
        "",
        help="The partner sites whose pages may frame a story's embed (/live/<slug>/embed/): origins such "
        "as https://news.example.org (a leading *. for every subdomain), spaces or commas between them; "
        "the embed's CSP frame-ancestors. Empty: no site may frame it (the page still answers).",
    ),
    "FETCH_ALLOW_LOOPBACK": AppSetting(
        False,
        help="Tests only (never read from the environment): the server's metadata fetch for embeds "
        "and webhooks' deliveries (coverage/fetch.py) may contact IPv4 loopback addresses on any port, "
        "where the tests' stand-ins listen, and a webhook there may be http. Off, loopback is refused "
        "like every other non-public address.",
    ),
}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class AppSettings:
    """``app_settings.NAME``: the project's ``LIVEBLOG_NAME``, or the default above.

    Each value is worked out once (a poll answered from the page cache reads three),
    and again when the settings are replaced (as tests do: ``override_settings``).
    """

    def __init__(self):
        self._values = {}
        self._source = None

    def __getattr__(self, name):
        source = settings._wrapped
        if source is not self._source:
            self._values, self._source = {}, source
        try:
            return self._values[name]
        except KeyError:
            pass
        try:
            spec = SETTINGS[name]
        except KeyError:
            raise AttributeError(f"no app setting {name!r}; they are listed in coverage/conf.py") from None
        value = getattr(settings, f"LIVEBLOG_{name}", spec.default)
        if spec.minimum is not None:
            value = max(spec.minimum, type(spec.default)(value))
        self._values[name] = value
        return value


app_settings = AppSettings()


def app_setting(environ, name, default=None):
    """``LIVEBLOG_<name>`` from ``environ``, typed like its default, for settings.py.

    Unset, it is ``default`` if given (a project's own choice), else the app's default.
    """
    spec = SETTINGS[name]
    raw = environ.get(f"LIVEBLOG_{name}")
    if raw is None:
        return spec.default if default is None else default
    if isinstance(spec.default, bool):
        return raw.strip().lower() not in FALSE_WORDS
    return type(spec.default)(raw)
