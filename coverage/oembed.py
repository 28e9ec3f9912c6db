"""Describe an embedded URL by asking its provider's oEmbed endpoint, on the server.

A placeholder: this module's real fetch (short timeout, size limit, allowlisted
endpoints, never a private, loopback or link-local address, the thumbnail stored as
our own rendition) replaces it. Until then every URL is described as unreachable,
which the reader pages show as the plain facade.
"""

from django.utils import timezone


def describe(url, endpoint):
    """A description of ``url`` from ``endpoint`` (its oEmbed endpoint, ``{url}`` standing for
    the quoted URL): a dict that may hold "title", "author_name", "author_url",
    "provider_name", "thumbnail" ({"name", "width", "height", "renditions"}), "uri",
    "fetched" (ISO time) and "error". Never raises."""
    return {"fetched": timezone.now().isoformat(), "error": "unreachable"}
