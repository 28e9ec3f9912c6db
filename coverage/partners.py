"""A story's stream on partners' sites: which sites may frame it, and the code they paste.

The embed (``/live/<slug>/embed/``, ``views.embed``) is a reader page like the story page:
shared by every reader, cached, cookie-free. Only the sites named in
``LIVEBLOG_EMBED_ORIGINS`` may frame it (its CSP ``frame-ancestors``; every other page
keeps ``'none'``). The code to paste is an iframe and our ``embed.js``, which sizes the
iframe to the height the embed posts (``static/coverage/embed.js``,
``static/coverage/embedded.js``).
"""

import re

from django.contrib.staticfiles.storage import StaticFilesStorage
from django.core import checks
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from . import languages
from .conf import app_settings
from .site import absolute_url

# A CSP source an origin may be written as: a scheme, a host (or "*." and a domain) and
# an optional port; nothing else (a ";" or a space would add a directive or a source).
ORIGIN = re.compile(
    r"https?://(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?"
)


def listed_origins():
    """``LIVEBLOG_EMBED_ORIGINS`` split on spaces and commas, lowercased, a trailing "/" dropped."""
    words = re.split(r"[\s,]+", str(app_settings.EMBED_ORIGINS).strip().lower())
    return [word.removesuffix("/") for word in words if word]


def frame_ancestors():
    """The origins allowed to frame the embed, in the setting's order, each once; those not
    written as an origin are left out (the system check names them)."""
    return tuple(dict.fromkeys(origin for origin in listed_origins() if ORIGIN.fullmatch(origin)))


def embed_url(story):
    """The embed's absolute URL, on the configured origin (``SITE_URL``), never the request's."""
    return absolute_url(reverse("coverage:story_embed", args=[story.slug]))


def script_url():
    """Our ``embed.js``, absolute, under its plain name: pasted code stays on partners' pages
    for years, through deploys that give the file a new hashed name (the manifest storage);
    WhiteNoise serves the plain name too, with a short lifetime."""
    return absolute_url(StaticFilesStorage().url("coverage/embed.js"))


def embed_code(story):
    """The HTML a partner pastes: the iframe (600 px high until the script sizes it to its
    content; lazy, titled for screen readers in the story's language) and our resizing
    script, both absolute. ``allow`` lets the embed's "Share" reach the partner reader's
    share sheet or clipboard, as on our page."""
    with languages.speaking(story):
        title = _("Live coverage: %(title)s") % {"title": story.title}
    return format_html(
        '<iframe src="{}" title="{}" loading="lazy" height="600" allow="web-share; clipboard-write" '
        'style="width:100%;border:0" data-liveblog-embed></iframe>\n'
        '<script src="{}" async></script>',
        embed_url(story),
        title,
        script_url(),
    )


@checks.register(checks.Tags.security)
def check_embed_origins(app_configs, **kwargs):
    wrong = [origin for origin in listed_origins() if not ORIGIN.fullmatch(origin)]
    if not wrong:
        return []
    return [
        checks.Warning(
            f"LIVEBLOG_EMBED_ORIGINS: {', '.join(wrong)} is not an origin; no page may be framed by it.",
            hint="Write each site as scheme://host[:port], e.g. https://news.example.org or "
            "https://*.example.org, with spaces or commas between them.",
            id="liveblog.W010",
        )
    ]
