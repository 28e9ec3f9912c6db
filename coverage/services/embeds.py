"""Writes of embeds' descriptions: what each provider says of the URLs an update or a summary embeds.

``describe_later(*rows)`` is called by the services that save updates and stories (the
admin, the seed command and every other writer go through them). Once the transaction
commits, each embedded URL of the rows that has no description yet is described by
``coverage.oembed.describe`` (title, author, thumbnail stored as our own rendition), a
few at a time, outside any transaction; the descriptions are then written to the row's
``embeds`` (URL -> description), keeping only URLs its text still holds. The save itself
is never held by a provider: it has committed before anything is asked, and a fetch
that fails is a description with an "error", which readers see as the plain facade.
``LIVEBLOG_EMBED_FETCH = False`` asks nothing.
"""

import logging
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from django.db import transaction
from django.utils import timezone

from .. import markup, oembed
from ..conf import app_settings
from ..models import Story, Update, public_change
from . import readers

logger = logging.getLogger(__name__)

# Providers asked at once after one save (each ask is bounded by the fetch's own timeout).
FETCH_THREADS = 4
TEXT_FIELD = {Update: "body", Story: "summary"}


def _text(row):
    return getattr(row, TEXT_FIELD[type(row)]) or ""


def undescribed(row):
    """The embeds of ``row``'s text that have an oEmbed endpoint and no description in ``row.embeds``."""
    known = row.embeds if isinstance(row.embeds, dict) else {}
    seen, found = set(), []
    for embed in markup.embeds_in(_text(row)):
        if embed.oembed and embed.url not in known and embed.url not in seen:
            seen.add(embed.url)
            found.append(embed)
    return found


def describe_later(*rows):
    """Describe the undescribed embeds of ``rows`` (updates or stories) once the transaction commits."""
    if not app_settings.EMBED_FETCH:
        return
    wanted = [(type(row), row.pk) for row in rows if row.pk is not None and undescribed(row)]
    if wanted:
        transaction.on_commit(partial(describe_embeds, rows=wanted), robust=True)


def describe_embeds(*, rows):
    """Ask the providers about the undescribed embeds of ``rows`` (``(model, pk)`` pairs) and
    write what they said. Runs outside any transaction (``describe_later``)."""
    asks = []
    for model, pk in rows:
        row = model.objects.filter(pk=pk).first()
        if row is not None:
            asks.extend((model, pk, embed) for embed in undescribed(row))
    if not asks:
        return
    with ThreadPoolExecutor(max_workers=min(FETCH_THREADS, len(asks))) as pool:
        answers = list(pool.map(lambda ask: _describe(ask[2]), asks))
    found = {}
    for (model, pk, embed), description in zip(asks, answers, strict=True):
        found.setdefault((model, pk), {})[embed.url] = description
    for (model, pk), descriptions in found.items():
        _write(model, pk, descriptions)


def _describe(embed):
    try:
        description = oembed.describe(embed.url, embed.oembed)
    except Exception:  # describe() never raises; a save must not fail if it does
        logger.exception("describing %s failed", embed.url)
        description = None
    if not isinstance(description, dict):
        description = {"fetched": timezone.now().isoformat(), "error": "no description"}
    return description


def _write(model, pk, descriptions):
    """Add ``descriptions`` to the row's ``embeds``, keeping only URLs its text still embeds."""
    now = timezone.now()
    with transaction.atomic():
        row = model.objects.select_for_update().filter(pk=pk).first()
        if row is None:
            return
        present = {embed.url for embed in markup.embeds_in(_text(row))}
        current = row.embeds if isinstance(row.embeds, dict) else {}
        merged = {url: value for url, value in {**current, **descriptions}.items() if url in present}
        if merged == current:
            return
        if model is Update:
            # Readers polling the change feed get the update again, with its facade filled in.
            model.objects.filter(pk=pk).update(embeds=merged, public_changed_at=public_change(now))
        else:
            model.objects.filter(pk=pk).update(embeds=merged, updated_at=now)
        row.embeds = merged
        readers.after_write(row, fields=["embeds"], now=now)
